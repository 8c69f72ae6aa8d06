"""Prometheus metrics of the service.

The web process and the workers each count what they do. When ``PROMETHEUS_MULTIPROC_DIR``
is set (``gatehouse serve`` and ``gatehouse web`` set it before any worker starts), the
counters of every process on the machine are merged by :func:`render`, so ``/metrics``
shows scans done by the worker processes too.

``/metrics`` is not served on the webhook port: :func:`serve_http` starts a listener of its own
(``GATEHOUSE_METRICS_BIND``, loopback by default) in the web process's main process.

Webhook deliveries are labelled only after their signature is checked, and only with event
names the handlers' router knows (:func:`event_label`); everything unverified shares one
series, so unsigned requests cannot create new series.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

__all__ = [
    "ACCEPT_SECONDS",
    "CONTENT_TYPE_LATEST",
    "DELIVERIES",
    "FINDINGS",
    "GITHUB_API_ERRORS",
    "OTHER_EVENT",
    "SCANS",
    "SCAN_SECONDS",
    "UNVERIFIED",
    "event_label",
    "mark_process_dead",
    "render",
    "serve_http",
]

logger = logging.getLogger(__name__)

UNVERIFIED = "unverified"  # the event label of every request whose signature was not checked
OTHER_EVENT = "other"  # the label of a signed event that no handler knows

DELIVERIES = Counter(
    "gatehouse_deliveries_total", "Webhook deliveries by event and outcome", ["event", "outcome"]
)
SCANS = Counter("gatehouse_scans_total", "Completed scans by check-run conclusion", ["conclusion"])
SCAN_SECONDS = Histogram(
    "gatehouse_scan_seconds",
    "Time from scan start to posted result",
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600),
)
FINDINGS = Counter(
    "gatehouse_findings_total",
    "Findings reported by severity and category",
    ["severity", "category"],
)
GITHUB_API_ERRORS = Counter(
    "gatehouse_github_api_errors_total",
    "GitHub API calls that failed, by HTTP status (0 = no answer)",
    ["status"],
)
ACCEPT_SECONDS = Histogram(
    "gatehouse_webhook_accept_seconds",
    "Time to verify, store and enqueue one webhook delivery",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
)


def event_label(name: str, known: Collection[str]) -> str:
    """The ``event`` label of a *verified* delivery: its name if known, else ``other``."""
    return name if name in known else OTHER_EVENT


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


def render() -> tuple[bytes, str]:
    """The exposition text and its content type (merged across processes if configured)."""
    return generate_latest(_registry()), CONTENT_TYPE_LATEST


_serving: set[tuple[int, str]] = set()


def serve_http(bind: str) -> bool:
    """Serve ``/metrics`` on ``bind`` (``host:port``) from a thread of this process, once per
    process and address. False when already served, or (an error logged) when the address
    cannot be used."""
    if (os.getpid(), bind) in _serving:
        return False
    from prometheus_client import start_http_server

    host, _, port = bind.rpartition(":")
    try:
        start_http_server(int(port), addr=host.strip("[]"), registry=_registry())
    except (OSError, ValueError) as exc:
        logger.error(
            "cannot serve metrics on %s (%s): set GATEHOUSE_METRICS_BIND to a free "
            "host:port, or to off",
            bind,
            getattr(exc, "strerror", None) or exc,
        )
        return False
    _serving.add((os.getpid(), bind))
    logger.info("metrics served at http://%s/metrics", bind)
    return True


def mark_process_dead(pid: int) -> None:
    """Forget a dead process's live gauges (gunicorn ``child_exit`` hook)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
