"""gunicorn entry point: ``gunicorn -c deploy/gunicorn.conf.py app:app``.

The configuration file is what makes the main process log the one-time setup link (no App
registered yet) and serve ``/metrics`` on ``GATEHOUSE_METRICS_BIND``; without it a worker
still issues a setup link once per data folder, but no metrics listener runs.
"""

from reviewer.service.web import create_app

app = create_app()
