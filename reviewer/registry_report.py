"""The AI-usage registry as CSV, JSON, and a self-contained HTML report with charts.

Input is what the store returns (``Store.registry()`` and ``Store.dismissals()``); output
is bytes. The HTML needs nothing from the network: styles are inline, charts are inline
SVG, there is no script, and a Content-Security-Policy forbids loading anything.
Every string that came from a pull request (titles, names, paths) is escaped, and CSV
cells that a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from reviewer.report_html import REPORT_CSS as _CSS
from reviewer.report_html import bucketer, time_series
from reviewer.report_html import csv_cell as _cell
from reviewer.report_html import hbars as _hbars
from reviewer.report_html import iso_utc as _iso
from reviewer.report_html import short_utc as _short
from reviewer.report_html import stacked_bars as _stacked_bars
from reviewer.report_html import table as _table

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
_MAX_SERIES = 7


@dataclass(frozen=True)
class RegistryRow:
    """One pull request in the registry."""

    repo: str
    pr: int
    author: str
    title: str
    head_sha: str
    ai_assisted: bool
    tools: tuple[str, ...]
    vendors: tuple[str, ...]
    evidence: tuple[str, ...]
    verdict: str
    findings_by_category: Mapping[str, int]
    merged: bool | None
    first_seen: dt.datetime
    updated: dt.datetime
    sensitive: bool = False  # the repository is marked sensitive (topic or config)
    signals: tuple[Mapping[str, Any], ...] = ()  # AI signals the PR shows (kind, tool, ...)

    @property
    def findings_total(self) -> int:
        """All findings on the PR, any category."""
        return sum(self.findings_by_category.values())


@dataclass(frozen=True)
class Dismissal:
    """One row of the dismissals history: a finding dismissed on a PR, or that dismissal revoked.

    ``pr`` is None for repository-wide dismissals recorded before dismissals were scoped to a
    pull request and a finding's content: kept as history, no longer applied.
    """

    repo: str
    fingerprint: str
    rule_id: str
    path: str
    who: str
    reason: str
    at: dt.datetime
    pr: int | None = None
    head_sha: str = ""
    action: str = "dismiss"  # or "revoke"

    @property
    def revoked(self) -> bool:
        """True for a revocation row."""
        return self.action == "revoke"


@dataclass(frozen=True)
class RegistryReport:
    """Everything the report shows."""

    rows: tuple[RegistryRow, ...]
    dismissals: tuple[Dismissal, ...]
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    # The audit trail: every policy decision (conclusion, why, policy, signals), oldest first.
    decisions: tuple[Mapping[str, Any], ...] = ()

    @property
    def ai_rows(self) -> tuple[RegistryRow, ...]:
        """Only the PRs found to be AI-assisted."""
        return tuple(r for r in self.rows if r.ai_assisted)


def _when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromtimestamp(float(value or 0), dt.UTC)


def build_report(
    registry: Iterable[Mapping[str, Any]],
    dismissals: Iterable[Mapping[str, Any]],
    *,
    now: dt.datetime | None = None,
    decisions: Iterable[Mapping[str, Any]] = (),
) -> RegistryReport:
    """Typed report values from the store's rows."""
    rows = tuple(
        RegistryRow(
            repo=str(r["repo"]),
            pr=int(r["pr"]),
            author=str(r.get("author") or ""),
            title=str(r.get("title") or ""),
            head_sha=str(r.get("head_sha") or ""),
            ai_assisted=bool(r.get("ai_assisted")),
            tools=tuple(r.get("tools") or ()),
            vendors=tuple(r.get("vendors") or ()),
            evidence=tuple(r.get("evidence") or ()),
            verdict=str(r.get("verdict") or ""),
            findings_by_category={
                str(k): int(v) for k, v in (r.get("findings_by_category") or {}).items() if int(v)
            },
            merged=r.get("merged"),
            first_seen=_when(r.get("first_seen_at")),
            updated=_when(r.get("updated_at") or r.get("first_seen_at")),
            sensitive=bool(r.get("sensitive")),
            signals=tuple(r.get("signals") or ()),
        )
        for r in registry
    )
    dis = tuple(
        Dismissal(
            repo=str(d["repo"]),
            fingerprint=str(d.get("fingerprint") or ""),
            rule_id=str(d.get("rule_id") or ""),
            path=str(d.get("path") or ""),
            who=str(d.get("who") or ""),
            reason=str(d.get("reason") or ""),
            at=_when(d.get("at")),
            pr=int(d["pr"]) if d.get("pr") is not None else None,
            head_sha=str(d.get("head_sha") or ""),
            action=str(d.get("action") or "dismiss"),
        )
        for d in dismissals
    )
    report = RegistryReport(
        rows=tuple(sorted(rows, key=lambda r: (r.first_seen, r.repo, r.pr))),
        dismissals=tuple(sorted(dis, key=lambda d: d.at)),
    )
    if now is not None:
        report = RegistryReport(report.rows, report.dismissals, now)
    trail = tuple(
        {**{k: v for k, v in d.items() if k != "at"}, "at": _iso(_when(d.get("at")))}
        for d in decisions
    )
    return dataclasses.replace(report, decisions=trail) if trail else report


def render(report: RegistryReport, fmt: str) -> bytes:
    """The report in ``fmt`` (csv, json or html) as UTF-8 bytes."""
    if fmt == "csv":
        return to_csv(report).encode("utf-8")
    if fmt == "json":
        return to_json(report).encode("utf-8")
    if fmt == "html":
        return to_html(report).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")


# --------------------------------------------------------------------------- CSV / JSON
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


def _merged_text(merged: bool | None) -> str:
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
                _merged_text(r.merged),
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
        "summary": _summary(report),
        "pull_requests": [_row_json(r) for r in report.rows],
        "dismissals": [{**asdict(d), "at": _iso(d.at)} for d in report.dismissals],
        "decisions": [dict(d) for d in report.decisions],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _summary(report: RegistryReport) -> dict[str, Any]:
    ai = report.ai_rows
    return {
        "pull_requests": len(report.rows),
        "ai_assisted": len(ai),
        "ai_assisted_merged": sum(1 for r in ai if r.merged),
        "ai_assisted_with_findings": sum(1 for r in ai if r.findings_total),
        "repositories": len({r.repo for r in report.rows}),
        "tools": dict(Counter(t for r in ai for t in r.tools).most_common()),
        "findings_by_category": dict(_findings(report).most_common()),
        "dismissals": sum(1 for d in report.dismissals if not d.revoked),
        "dismissals_by_who": dict(
            Counter(d.who for d in report.dismissals if not d.revoked).most_common()
        ),
        "revocations": sum(1 for d in report.dismissals if d.revoked),
    }


def _findings(report: RegistryReport) -> Counter[str]:
    total: Counter[str] = Counter()
    for r in report.rows:
        total.update(r.findings_by_category)
    return total


# --------------------------------------------------------------------------- time buckets
def _bucketer(rows: Sequence[RegistryRow]) -> tuple[str, Any]:
    return bucketer([r.first_seen for r in rows])


def _series(
    rows: Sequence[RegistryRow], names_of: Any
) -> tuple[list[str], list[str], dict[str, Counter[str]]]:
    """(buckets, series names, {series: {bucket: count}}) with minor series as 'other'."""
    _, buckets, names, data = time_series(
        [(r.first_seen, n, 1) for r in rows for n in names_of(r)], max_series=_MAX_SERIES
    )
    return buckets, names, data


def _pr_cell(d: Dismissal) -> str:
    return f"#{d.pr}" if d.pr is not None else "any (legacy, not applied)"


def to_html(report: RegistryReport) -> str:
    """A single HTML file: summary tiles, four charts, and the tables behind them."""
    e = html.escape
    s = _summary(report)
    ai = list(report.ai_rows)
    unit = _bucketer(ai)[0]
    tiles = "".join(
        f'<div class="tile"><b>{v}</b><span>{e(k)}</span></div>'
        for k, v in (
            ("pull requests recorded", s["pull_requests"]),
            ("AI-assisted", s["ai_assisted"]),
            ("AI-assisted and merged", s["ai_assisted_merged"]),
            ("AI-assisted with findings", s["ai_assisted_with_findings"]),
            ("repositories", s["repositories"]),
            ("dismissals", s["dismissals"]),
        )
    )
    sections = [f'<div class="tiles" id="summary">{tiles}</div>']

    def empty(text: str) -> str:
        return f'<p class="empty">{e(text)}</p>'

    if ai:
        b, names, data = _series(ai, lambda r: [r.repo])
        repo_chart = _stacked_bars(
            "chart-repos", f"AI-assisted pull requests per repository, by {unit}", b, names, data
        )
        b, names, data = _series(ai, lambda r: list(r.tools) or ["(tool not named)"])
        tool_chart = _stacked_bars(
            "chart-tools", f"AI-assisted pull requests per tool, by {unit}", b, names, data
        )
    else:
        repo_chart = tool_chart = empty("No AI-assisted pull requests recorded yet.")
    sections.append(
        f'<section id="per-repository"><h2>AI-assisted pull requests per repository'
        f'</h2><p class="note">Counted when first seen, by {unit}.</p>{repo_chart}'
        "</section>"
    )
    sections.append(
        f'<section id="per-tool"><h2>AI-assisted pull requests per tool</h2>'
        f'<p class="note">A pull request made with two tools counts once for each.'
        f"</p>{tool_chart}</section>"
    )
    cats = _findings(report).most_common()
    cat_chart = (
        _hbars("chart-findings", "Findings by category", cats, "#D55E00")
        if cats
        else empty("No findings recorded.")
    )
    sections.append(
        f'<section id="findings"><h2>Findings by category</h2><p class="note">'
        f"Across every recorded pull request, latest scan of each.</p>{cat_chart}"
        "</section>"
    )
    who = Counter(d.who for d in report.dismissals if not d.revoked).most_common()
    who_chart = (
        _hbars("chart-dismissals", "Dismissals by who made them", who, "#0072B2")
        if who
        else empty("No finding has been dismissed.")
    )
    dis_table = (
        _table(
            ("When (UTC)", "Action", "Who", "Repository", "PR", "Head", "Rule", "Path", "Why"),
            (
                (
                    _short(d.at),
                    "revoked" if d.revoked else "dismissed",
                    d.who,
                    d.repo,
                    _pr_cell(d),
                    d.head_sha[:12],
                    d.rule_id,
                    d.path,
                    d.reason,
                )
                for d in reversed(report.dismissals)
            ),
        )
        if report.dismissals
        else ""
    )
    sections.append(
        f'<section id="dismissals"><h2>Dismissals and who made them</h2>'
        f'<p class="note">Every dismissal and revocation recorded, newest first; a '
        f"dismissal applies to one pull request and one finding's content.</p>"
        f"{who_chart}{dis_table}</section>"
    )
    pr_table = (
        _table(
            (
                "Repository",
                "PR",
                "Author",
                "Title",
                "Tools",
                "Vendors",
                "Verdict",
                "Findings",
                "Merged",
                "First seen (UTC)",
            ),
            (
                (
                    r.repo,
                    f"#{r.pr}",
                    r.author,
                    r.title,
                    ", ".join(r.tools),
                    ", ".join(r.vendors),
                    r.verdict,
                    r.findings_total,
                    _merged_text(r.merged),
                    _short(r.first_seen),
                )
                for r in reversed(ai)
            ),
            numeric=frozenset({7}),
        )
        if ai
        else empty("None yet.")
    )
    sections.append(
        f'<section id="registry"><h2>AI-assisted pull requests</h2>{pr_table}</section>'
    )
    generated = _iso(report.generated_at)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Gatehouse AI-usage registry ({generated[:10]})</title>"
        f"<style>{_CSS}</style></head><body>"
        "<header><h1>AI-usage registry</h1>"
        f'<p class="sub">Pull requests reviewed by Gatehouse and the AI tools detected in them. '
        f"Generated {generated}.</p></header>"
        f"<main>{''.join(sections)}</main>"
        "<footer>Generated by Gatehouse. This file is self-contained and works offline.</footer>"
        "</body></html>\n"
    )
