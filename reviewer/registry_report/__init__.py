"""The AI-usage registry as CSV, JSON, and a self-contained HTML report with charts.

Input is what the store returns (``Store.registry()`` and ``Store.dismissals()``); output
is bytes. The HTML needs nothing from the network: styles are inline, charts are inline
SVG, there is no script, and a Content-Security-Policy forbids loading anything.
Every string that came from a pull request (titles, names, paths) is escaped, and CSV
cells that a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

from reviewer.registry_report.model import Dismissal, RegistryReport, RegistryRow, build_report
from reviewer.registry_report.page import to_html
from reviewer.registry_report.tabular import to_csv, to_json

__all__ = [
    "RegistryRow",
    "Dismissal",
    "RegistryReport",
    "build_report",
    "render",
    "to_csv",
    "to_json",
    "to_html",
    "FORMATS",
]

FORMATS = ("csv", "json", "html")


def render(report: RegistryReport, fmt: str) -> bytes:
    """The report in ``fmt`` (csv, json or html) as UTF-8 bytes."""
    if fmt == "csv":
        return to_csv(report).encode("utf-8")
    if fmt == "json":
        return to_json(report).encode("utf-8")
    if fmt == "html":
        return to_html(report).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
