"""gunicorn settings for the Gatehouse web process (webhooks only; scans run in workers).

Run: ``gunicorn -c deploy/gunicorn.conf.py app:app`` (or ``gatehouse web --config ...``).
Every value can be overridden with the usual ``GUNICORN_CMD_ARGS``; the web process only
verifies, stores and enqueues, so a few threaded workers answer well inside GitHub's 10 s.

Listens on loopback unless ``GATEHOUSE_BIND`` says otherwise (``0.0.0.0:8000`` inside a
container, set explicitly). ``/metrics`` is served by the main process on its own address,
``GATEHOUSE_METRICS_BIND`` (default ``127.0.0.1:9100``), merged across the workers.
"""

import multiprocessing
import os

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Before any worker imports prometheus_client: every worker's counters go to files here.
    from reviewer.service.processes import default_metrics_dir

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(default_metrics_dir())

from reviewer.service.settings import DEFAULT_BIND, DEFAULT_WEB_THREADS  # noqa: E402 - after the above

bind = os.environ.get("GATEHOUSE_BIND", DEFAULT_BIND)  # put TLS and a proxy in front
workers = int(os.environ.get("GATEHOUSE_WEB_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GATEHOUSE_WEB_THREADS", DEFAULT_WEB_THREADS))
timeout = 30            # a webhook is answered in milliseconds; anything slower is stuck
graceful_timeout = 20
keepalive = 5
# GitHub caps webhook payloads at 25 MB; the app enforces GATEHOUSE_MAX_BODY_BYTES too.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 16384
accesslog = os.environ.get("GATEHOUSE_ACCESS_LOG") or None  # "-" for stdout; deliveries are logged by the app
errorlog = "-"
loglevel = os.environ.get("GATEHOUSE_LOG_LEVEL", "info").lower()
# Never log query strings or headers that could carry secrets: the default access log
# format has the request line only.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(L)ss'
preload_app = False


def when_ready(server):
    """Once, in the main process: log the one-time setup link when no App is registered, and
    start the /metrics listener (GATEHOUSE_METRICS_BIND)."""
    from reviewer.service.ops_web import start_web_process
    from reviewer.service.settings import Settings

    start_web_process(Settings.from_env(require_app=False), bind=server.cfg.bind[0])


def child_exit(server, worker):  # noqa: ANN001 - gunicorn's hook signature
    """Tell prometheus_client a worker died (multiprocess mode), when metrics are set up."""
    try:
        from reviewer.service.metrics import mark_process_dead
    except ImportError:
        return
    mark_process_dead(worker.pid)
