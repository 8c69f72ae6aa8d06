"""The service's CLI subcommands: ``serve``, ``web``, ``worker`` and ``registry``.

``add_subcommands(subparsers)`` registers them on the main ``gatehouse`` parser; each
sets ``func`` to the ``cmd_*`` function that runs it and returns an exit code.
Imports stay inside the functions so ``gatehouse --help`` is fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from reviewer.service.settings import DEFAULT_BIND

__all__ = ["add_subcommands", "cmd_serve", "cmd_web", "cmd_worker", "cmd_registry"]


def _web_options(args: argparse.Namespace) -> Any:
    from reviewer.service.processes import WebOptions

    return WebOptions(
        bind=args.bind, workers=args.workers, threads=args.threads, config_file=args.config
    )


def cmd_serve(args: argparse.Namespace) -> int:
    """Web and worker together on this machine (SQLite store and queue by default)."""
    from reviewer.service.processes import prepare, serve

    settings = prepare(require_app=False)
    return serve(settings, _web_options(args), threads=args.worker_threads)


def cmd_web(args: argparse.Namespace) -> int:
    """Only the web process (scale-out: run several behind a load balancer)."""
    from reviewer.service.processes import default_metrics_dir, prepare, run_web

    shared = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    settings = prepare(require_app=False, metrics_dir=None if shared else default_metrics_dir())
    return run_web(settings, _web_options(args))


def cmd_worker(args: argparse.Namespace) -> int:
    """Only the job consumer (scale-out: run one per core on as many machines as needed)."""
    from reviewer.service.processes import prepare, run_worker

    settings = prepare(require_app=True)
    return run_worker(
        settings,
        threads=args.threads,
        metrics_port=args.metrics_port,
        metrics_host=args.metrics_host,
    )


def cmd_registry(args: argparse.Namespace) -> int:
    """Export the AI-usage registry as CSV, JSON or a self-contained HTML report."""
    from reviewer.registry_report import build_report, render
    from reviewer.service.settings import Settings
    from reviewer.service.store import Store

    url = args.database_url or Settings.from_env(require_app=False).database_url
    store = Store.open(url)
    try:
        report = build_report(store.registry(), store.dismissals(), decisions=store.decisions())
    finally:
        store.close()
    data = render(report, args.format)
    if args.output in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        Path(args.output).write_bytes(data)
        print(
            f"wrote {args.output} ({len(report.rows)} pull requests, "
            f"{len(report.dismissals)} dismissals)",
            file=sys.stderr,
        )
    return 0


def _add_web_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--bind",
        default=os.environ.get("GATEHOUSE_BIND"),
        help=f"address:port to listen on (env GATEHOUSE_BIND; default {DEFAULT_BIND})",
    )
    p.add_argument("--workers", type=int, default=None, help="web worker processes (default 2)")
    p.add_argument("--threads", type=int, default=None, help="threads per web worker (default 4)")
    p.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help="a gunicorn configuration file (e.g. deploy/gunicorn.conf.py)",
    )


def add_subcommands(subparsers: Any) -> None:
    """Register serve, web, worker and registry on an argparse subparsers object."""
    p = subparsers.add_parser(
        "serve", help="run the web process and the workers together", description=cmd_serve.__doc__
    )
    _add_web_args(p)
    p.add_argument(
        "--worker-threads",
        type=int,
        default=2,
        help="concurrent jobs in the worker process (default 2)",
    )
    p.set_defaults(func=cmd_serve)

    p = subparsers.add_parser("web", help="run only the web process", description=cmd_web.__doc__)
    _add_web_args(p)
    p.set_defaults(func=cmd_web)

    p = subparsers.add_parser(
        "worker", help="run only the job worker", description=cmd_worker.__doc__
    )
    p.add_argument("--threads", type=int, default=2, help="concurrent jobs (default 2)")
    p.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        help="serve this worker's Prometheus metrics on PORT",
    )
    p.add_argument(
        "--metrics-host",
        default="127.0.0.1",
        help="address for --metrics-port (0.0.0.0 in a container; default 127.0.0.1)",
    )
    p.set_defaults(func=cmd_worker)

    p = subparsers.add_parser(
        "registry", help="export the AI-usage registry", description=cmd_registry.__doc__
    )
    p.add_argument("--format", choices=("csv", "json", "html"), default="html")
    p.add_argument(
        "--output", "-o", default=None, metavar="FILE", help="write here instead of standard output"
    )
    p.add_argument(
        "--database-url", default=None, help="read this store instead of GATEHOUSE_DATABASE_URL"
    )
    p.set_defaults(func=cmd_registry)
