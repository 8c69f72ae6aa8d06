"""The registry report as CSV (formula-like cells defused) and as JSON, with the summary
counts the HTML report shows too."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from reviewer.registry_report.model import RegistryReport, RegistryRow
from reviewer.report_html import csv_cell as _cell
from reviewer.report_html import iso_utc as _iso

__all__ = ["CSV_COLUMNS", "findings", "merged_text", "summary", "to_csv", "to_json"]

CSV_COLUMNS = (
    "repository",
    "pull_request",
    "author",
    "title",
    "head_sha",
    "ai_assisted",
    "tools",
    "vendors",
    "evidence",
    "verdict",
    "findings_total",
    "findings_by_category",
    "merged",
    "first_seen",
    "updated",
    "sensitive",
    "ai_signals",
    "decisions",
)


def merged_text(merged: bool | None) -> str:
    return "open" if merged is None else ("yes" if merged else "no")


def to_csv(report: RegistryReport) -> str:
    """One line per pull request; lists joined with ``; ``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    decided: dict[tuple[str, int], list[Mapping[str, Any]]] = defaultdict(list)
    for d in report.decisions:
        decided[(str(d.get("repo")), int(d.get("pr") or 0))].append(d)
    for r in report.rows:
        writer.writerow(
            [
                _cell(r.repo),
                r.pr,
                _cell(r.author),
                _cell(r.title),
                r.head_sha,
                "yes" if r.ai_assisted else "no",
                _cell("; ".join(r.tools)),
                _cell("; ".join(r.vendors)),
                _cell("; ".join(r.evidence)),
                _cell(r.verdict),
                r.findings_total,
                "; ".join(f"{k}={v}" for k, v in sorted(r.findings_by_category.items())),
                merged_text(r.merged),
                _iso(r.first_seen),
                _iso(r.updated),
                "yes" if r.sensitive else "no",
                _cell("; ".join(_signal_text(s) for s in r.signals)),
                _cell(" | ".join(_decision_text(d) for d in decided.get((r.repo, r.pr), ()))),
            ]
        )
    return out.getvalue()


def _signal_text(s: Mapping[str, Any]) -> str:
    who = f"{s.get('tool')} ({s.get('vendor')}, {s.get('country')})"
    return f"{s.get('kind')}: {who}, {s.get('confidence')}"


def _decision_text(d: Mapping[str, Any]) -> str:
    return f"{d.get('at')} {d.get('conclusion')}: {d.get('reason')} [policy: {d.get('policy')}]"


def _row_json(r: RegistryRow) -> dict[str, Any]:
    d = asdict(r)
    d["tools"], d["vendors"], d["evidence"] = list(r.tools), list(r.vendors), list(r.evidence)
    d["findings_by_category"] = dict(sorted(r.findings_by_category.items()))
    d["findings_total"] = r.findings_total
    d["first_seen"], d["updated"] = _iso(r.first_seen), _iso(r.updated)
    d["signals"] = [dict(s) for s in r.signals]
    return d


def to_json(report: RegistryReport) -> str:
    """The whole registry, the dismissals and a summary, as one JSON document."""
    doc = {
        "generated_at": _iso(report.generated_at),
        "summary": summary(report),
        "pull_requests": [_row_json(r) for r in report.rows],
        "dismissals": [{**asdict(d), "at": _iso(d.at)} for d in report.dismissals],
        "decisions": [dict(d) for d in report.decisions],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def summary(report: RegistryReport) -> dict[str, Any]:
    ai = report.ai_rows
    return {
        "pull_requests": len(report.rows),
        "ai_assisted": len(ai),
        "ai_assisted_merged": sum(1 for r in ai if r.merged),
        "ai_assisted_with_findings": sum(1 for r in ai if r.findings_total),
        "repositories": len({r.repo for r in report.rows}),
        "tools": dict(Counter(t for r in ai for t in r.tools).most_common()),
        "findings_by_category": dict(findings(report).most_common()),
        "dismissals": sum(1 for d in report.dismissals if not d.revoked),
        "dismissals_by_who": dict(
            Counter(d.who for d in report.dismissals if not d.revoked).most_common()
        ),
        "revocations": sum(1 for d in report.dismissals if d.revoked),
    }


def findings(report: RegistryReport) -> Counter[str]:
    total: Counter[str] = Counter()
    for r in report.rows:
        total.update(r.findings_by_category)
    return total
