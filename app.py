"""gunicorn entry point: ``gunicorn -c deploy/gunicorn.conf.py app:app``."""

from reviewer.service.web import create_app

app = create_app()
