"""The register's downloads: the pull-request list and the audit trail (dismissals and
decisions) as CSV and JSON, from the rows :mod:`reviewer.service.register_query` returns."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any

from reviewer.report_html import csv_cell, iso_utc

__all__ = [
    "audit_csv",
    "decision_json",
    "dismissal_json",
    "findings_total",
    "merged",
    "pr_json",
    "prs_csv",
    "when",
]

_EXPORT_COLUMNS = (
    "repository",
    "pull_request",
    "author",
    "title",
    "tools",
    "vendors",
    "countries",
    "sensitive",
    "verdict",
    "findings_total",
    "merged",
    "first_seen",
)
_AUDIT_COLUMNS = (
    "record",
    "at",
    "repository",
    "pull_request",
    "head_sha",
    "who",
    "rule_id",
    "path",
    "fingerprint",
    "outcome",
    "why",
)


def when(seconds: Any) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(seconds or 0), dt.UTC)


def merged(value: Any) -> str:
    return "open" if value is None else ("yes" if value else "no")


def sensitive(row: dict[str, Any]) -> str:
    return "" if row.get("sensitive") is None else ("yes" if row["sensitive"] else "no")


def findings_total(row: dict[str, Any]) -> int:
    return sum(int(v) for v in (row.get("findings_by_category") or {}).values())


def _export_cells(r: dict[str, Any]) -> list[Any]:
    return [
        csv_cell(r["repo"]),
        r["pr"],
        csv_cell(r["author"]),
        csv_cell(r["title"]),
        csv_cell("; ".join(r["tools"] or ())),
        csv_cell("; ".join(r["vendors"] or ())),
        "; ".join(r["countries"]),
        sensitive(r),
        csv_cell(r["verdict"]),
        findings_total(r),
        merged(r["merged"]),
        iso_utc(when(r["first_seen_at"])),
    ]


def _csv_lines(header: Iterable[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i, row in enumerate(rows):
        writer.writerow(row)
        if i % 500 == 499:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def prs_csv(rows: list[dict[str, Any]]) -> Iterator[str]:
    return _csv_lines(_EXPORT_COLUMNS, (_export_cells(r) for r in rows))


def pr_json(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "repository": r["repo"],
        "pull_request": r["pr"],
        "author": r["author"],
        "title": r["title"],
        "head_sha": r["head_sha"],
        "tools": list(r["tools"] or ()),
        "vendors": list(r["vendors"] or ()),
        "countries": r["countries"],
        "sensitive": r.get("sensitive"),
        "verdict": r["verdict"],
        "findings_by_category": dict(r["findings_by_category"] or {}),
        "findings_total": findings_total(r),
        "merged": r["merged"],
        "evidence": list(r["evidence"] or ()),
        "first_seen": iso_utc(when(r["first_seen_at"])),
        "updated": iso_utc(when(r["updated_at"])),
    }


def dismissal_json(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "action": d["action"],
        "at": iso_utc(when(d["at"])),
        "repository": d["repo"],
        "pull_request": d["pr"],
        "head_sha": d["head_sha"],
        "who": d["who"],
        "rule_id": d["rule_id"],
        "path": d["path"],
        "fingerprint": d["fingerprint"],
        "why": d["reason"],
    }


def decision_json(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "at": iso_utc(when(d["finished_at"])) if d["finished_at"] else None,
        "repository": d["repo"],
        "pull_request": d["pr"],
        "head_sha": d["head_sha"],
        "trigger": d["trigger"],
        "conclusion": d["conclusion"],
        "why": d["reason"],
        "findings": d["findings_count"],
    }


def audit_csv(dismissals: list[dict[str, Any]], decisions: list[dict[str, Any]]) -> Iterator[str]:
    rows: list[list[Any]] = []
    for d in dismissals:
        rows.append(
            [
                "revocation" if d["action"] == "revoke" else "dismissal",
                iso_utc(when(d["at"])),
                csv_cell(d["repo"]),
                d["pr"] or "",
                d["head_sha"],
                csv_cell(d["who"]),
                csv_cell(d["rule_id"]),
                csv_cell(d["path"]),
                d["fingerprint"],
                "",
                csv_cell(d["reason"]),
            ]
        )
    for d in decisions:
        rows.append(
            [
                "decision",
                iso_utc(when(d["finished_at"])) if d["finished_at"] else "",
                csv_cell(d["repo"]),
                d["pr"],
                d["head_sha"],
                "",
                "",
                "",
                "",
                csv_cell(d["conclusion"] or ""),
                csv_cell(d["reason"] or d["trigger"] or ""),
            ]
        )
    return _csv_lines(_AUDIT_COLUMNS, rows)
