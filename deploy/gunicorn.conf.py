"""gunicorn settings for the Gatehouse web process (webhooks only; scans run in workers).

Run: ``gunicorn -c deploy/gunicorn.conf.py app:app``. Every value can be overridden
with the usual ``GUNICORN_CMD_ARGS``; the web process only verifies, stores and
enqueues, so a few threaded workers answer well inside GitHub's 10 s.
"""

import multiprocessing
import os

bind = os.environ.get("GATEHOUSE_BIND", "127.0.0.1:8000")  # put TLS and a proxy in front
workers = int(os.environ.get("GATEHOUSE_WEB_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GATEHOUSE_WEB_THREADS", "2"))  # measured: 2 beats 4 on the accept path
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


def child_exit(server, worker):  # noqa: ANN001 - gunicorn's hook signature
    """Tell prometheus_client a worker died (multiprocess mode), when metrics are set up."""
    try:
        from reviewer.service.metrics import mark_process_dead
    except ImportError:
        return
    mark_process_dead(worker.pid)
