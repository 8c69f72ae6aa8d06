"""The service's processes: ``serve`` (one machine), ``web`` and ``worker`` (scale-out).

* :func:`run_web` - the Flask app under gunicorn (werkzeug where gunicorn cannot run).
* :func:`run_worker` - the huey consumer: recovers unfinished deliveries at start and
  whenever the queue is idle, then processes deliveries with a few threads.
* :func:`serve` - a small supervisor that runs one web and one worker process side by
  side on the SQLite defaults, restarts a child that dies, and - in setup mode, before
  the App exists - serves the setup page and restarts itself once the App is registered.

Every function here imports the web and job machinery lazily so that the metrics
directory is chosen before ``prometheus_client`` is first imported.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.service.settings import DEFAULT_BIND, DEFAULT_WEB_THREADS, ENV_FILE

__all__ = ["prepare", "run_web", "run_worker", "serve", "WebOptions"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebOptions:
    """How the web process listens."""

    bind: str | None = None  # default 127.0.0.1:8000 (or the config file's)
    workers: int | None = None  # default 2 (or the config file's)
    threads: int | None = None  # default 4 (or the config file's)
    config_file: str | None = None

    def argv(self) -> list[str]:
        """The same options as command-line arguments (for a child process)."""
        out: list[str] = []
        for flag, value in (
            ("--bind", self.bind),
            ("--workers", self.workers),
            ("--threads", self.threads),
            ("--config", self.config_file),
        ):
            if value is not None:
                out += [flag, str(value)]
        return out


# Without a gunicorn config file; threads as deploy/gunicorn.conf.py (2 measured better than 4).
_DEFAULTS: dict[str, str | int] = {
    "bind": DEFAULT_BIND,
    "workers": 2,
    "threads": DEFAULT_WEB_THREADS,
}


def prepare(*, require_app: bool = False, metrics_dir: Path | None = None) -> Any:
    """Read settings once (unset variables come from the setup page's saved file),
    configure logging and, when asked, the shared metrics directory."""
    if metrics_dir is not None and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        if "prometheus_client" not in sys.modules:
            metrics_dir.mkdir(parents=True, exist_ok=True)
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    from reviewer.service.logs import configure_logging
    from reviewer.service.settings import Settings

    settings = Settings.from_env(require_app=require_app)
    configure_logging(settings.log_level)
    return settings


# --------------------------------------------------------------------------- web
def _load_app(settings: Any) -> Any:
    from reviewer.service.web import create_app

    return create_app(settings)


def run_web(settings: Any, options: WebOptions = WebOptions()) -> int:
    """Serve the web app in the foreground until SIGTERM/SIGINT."""
    from reviewer.service.ops_web import start_web_process

    # Before any fork: the setup link (no App yet) and the /metrics listener, once.
    start_web_process(settings, bind=options.bind or DEFAULT_BIND)
    try:
        from gunicorn.app.base import Application
    except ImportError:  # e.g. Windows: no fork
        return _run_werkzeug(settings, options)

    from reviewer.service import metrics

    class _Gunicorn(Application):
        def init(self, parser: Any, opts: Any, args: Any) -> None:
            return None

        def load_config(self) -> None:
            if options.config_file:
                self.load_config_from_file(options.config_file)
            for name in ("bind", "workers", "threads"):
                value = getattr(options, name)
                if value is None and not options.config_file:
                    value = _DEFAULTS[name]
                if value is not None:
                    self.cfg.set(name, [value] if name == "bind" else value)
            if self.cfg.threads > 1 and self.cfg.worker_class_str == "sync":
                self.cfg.set("worker_class", "gthread")
            self.cfg.set(
                "child_exit", lambda _server, worker: metrics.mark_process_dead(worker.pid)
            )
            self.cfg.set("logger_class", _json_gunicorn_logger())
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)  # several instances per host
            if not options.config_file:
                self.cfg.set("timeout", 30)
                self.cfg.set("graceful_timeout", 20)
                self.cfg.set("keepalive", 5)
                self.cfg.set("accesslog", None)

        def load(self) -> Any:
            return _load_app(settings)

    server = _Gunicorn()
    logger.info(
        "web process listening on %s (%d workers x %d threads)",
        ", ".join(server.cfg.bind),
        server.cfg.workers,
        server.cfg.threads,
    )
    server.run()
    return 0


def _json_gunicorn_logger() -> type:
    """gunicorn's logger, writing its error log through our JSON handler only."""
    from gunicorn.glogging import Logger

    from reviewer.service.logs import json_handler

    class JsonLogger(Logger):
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            handler = json_handler()
            if handler is not None:
                self.error_log.handlers = [handler]
                self.error_log.propagate = False

    return JsonLogger


def _run_werkzeug(settings: Any, options: WebOptions) -> int:
    host, _, port = (options.bind or DEFAULT_BIND).rpartition(":")
    app = _load_app(settings)
    logger.warning("gunicorn is not available here; serving with werkzeug on %s", options.bind)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # request lines carry query strings
    app.run(host=host.strip("[]") or "127.0.0.1", port=int(port), threaded=True, use_reloader=False)
    return 0


# --------------------------------------------------------------------------- worker
def run_worker(
    settings: Any,
    *,
    threads: int = 2,
    config: Any = None,
    recover_interval_s: float = 15.0,
    recover_settle_s: float = 5.0,
    relay_interval_s: float = 0.1,
    metrics_port: int | None = None,
    metrics_host: str = "127.0.0.1",
) -> int:
    """Run the job consumer in the foreground until SIGTERM/SIGINT (graceful)."""
    from reviewer.errors import ConfigError
    from reviewer.service import jobs
    from reviewer.service.context import get_context
    from reviewer.service.wiring import job_config

    cfg = config or job_config()
    if cfg.context is get_context and not settings.configured:
        raise ConfigError(
            "the worker needs the GitHub App credentials: set GATEHOUSE_APP_ID, "
            "GATEHOUSE_PRIVATE_KEY_PATH and GATEHOUSE_WEBHOOK_SECRET (or register "
            "the App from `gatehouse serve`'s setup page)"
        )
    h = jobs.init_jobs(settings, config=cfg)
    ctx = (cfg.context or get_context)()
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=metrics_host)
    queued = jobs.recover(ctx.store, older_than_s=0)
    logger.info(
        "worker started with %d threads; %d unfinished deliveries re-queued", threads, queued
    )
    jobs.start_recovery_loop(ctx.store, interval_s=recover_interval_s, settle_s=recover_settle_s)
    jobs.start_relay_loop(ctx.store, interval_s=relay_interval_s)
    consumer = h.create_consumer(
        workers=threads,
        worker_type="thread",
        periodic=False,
        initial_delay=0.05,
        backoff=1.5,
        max_delay=1.0,
        check_worker_health=True,
        health_check_interval=5,
        graceful_signal="TERM",
        shutdown_timeout=30,
    )
    consumer.run()
    return 0


# --------------------------------------------------------------------------- serve
class _Child:
    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.next_start = 0.0

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, env=self.env)
        logger.info("started %s (pid %d)", self.name, self.proc.pid)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 30) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def serve(settings: Any, web: WebOptions = WebOptions(), *, threads: int = 2) -> int:
    """Run web + worker together on this machine; the README's run command."""
    from reviewer.service.private_files import private_dir

    data_dir = private_dir(Path(settings.data_dir))  # 0700 whatever the umask
    env_file = data_dir / ENV_FILE
    stopping: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    while True:
        metrics_dir = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or data_dir / "metrics")
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
        base = [sys.executable, "-m", "reviewer.cli"]  # the one entry point, as `gatehouse`
        children = [_Child("web", base + ["web"] + web.argv(), env)]
        if settings.configured:
            children.append(_Child("worker", base + ["worker", "--threads", str(threads)], env))
        else:
            logger.warning(
                "no GitHub App configured: the web process at http://%s/ prints "
                "the one-time setup link",
                web.bind or _DEFAULTS["bind"],
            )
        for child in children:
            child.start()
        env_mtime = env_file.stat().st_mtime if env_file.exists() else None
        reload = False
        while not stopping and not reload:
            time.sleep(0.5)
            for child in children:
                if child.alive() or time.monotonic() < child.next_start:
                    continue
                code = child.proc.returncode if child.proc else None
                child.restarts += 1
                delay = min(30.0, 2.0 ** min(child.restarts, 5))
                logger.error("%s exited with %s; restarting in %.0fs", child.name, code, delay)
                child.next_start = time.monotonic() + delay
                child.proc = None
            for child in children:
                if child.proc is None and time.monotonic() >= child.next_start:
                    child.start()
            now_mtime = env_file.stat().st_mtime if env_file.exists() else None
            if not settings.configured and now_mtime != env_mtime and now_mtime is not None:
                logger.info("App settings saved by the setup page; restarting with them")
                reload = True
        for child in reversed(children):
            child.stop()
        if stopping:
            return 0
        settings = prepare(require_app=False)


# --------------------------------------------------------------------------- helpers
def default_metrics_dir() -> Path:
    """A fresh per-run directory for merged metrics of one web process's workers,
    removed when the process that made it exits (not when a forked worker does)."""
    path = Path(tempfile.mkdtemp(prefix="gatehouse-metrics-"))
    owner = os.getpid()

    def cleanup() -> None:
        if os.getpid() == owner:
            shutil.rmtree(path, ignore_errors=True)

    atexit.register(cleanup)
    return path
