"""Prometheus metrics of the service.

The web process and the workers each count what they do. When ``PROMETHEUS_MULTIPROC_DIR``
is set (``gatehouse serve`` and ``gatehouse web`` set it before any worker starts), the
counters of every process on the machine are merged by :func:`render`, so ``/metrics``
shows scans done by the worker processes too.
"""

from __future__ import annotations

import os

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram,
                               generate_latest)

__all__ = ["DELIVERIES", "SCANS", "SCAN_SECONDS", "FINDINGS", "GITHUB_API_ERRORS",
           "ACCEPT_SECONDS", "render", "CONTENT_TYPE_LATEST", "mark_process_dead"]

DELIVERIES = Counter("gatehouse_deliveries_total", "Webhook deliveries by event and outcome",
                     ["event", "outcome"])
SCANS = Counter("gatehouse_scans_total", "Completed scans by check-run conclusion", ["conclusion"])
SCAN_SECONDS = Histogram("gatehouse_scan_seconds", "Time from scan start to posted result",
                         buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600))
FINDINGS = Counter("gatehouse_findings_total", "Findings reported by severity and category",
                   ["severity", "category"])
GITHUB_API_ERRORS = Counter("gatehouse_github_api_errors_total",
                            "GitHub API calls that failed, by HTTP status (0 = no answer)",
                            ["status"])
ACCEPT_SECONDS = Histogram("gatehouse_webhook_accept_seconds",
                           "Time to verify, store and enqueue one webhook delivery",
                           buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1))


def render() -> tuple[bytes, str]:
    """The exposition text and its content type (merged across processes if configured)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    """Forget a dead process's live gauges (gunicorn ``child_exit`` hook)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
