"""The registry report as one self-contained HTML file: summary tiles, charts as inline SVG,
and the tables behind them; every string from a pull request is escaped."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from typing import Any

from reviewer.registry_report.model import Dismissal, RegistryReport, RegistryRow
from reviewer.registry_report.tabular import findings, merged_text, summary
from reviewer.report_html import REPORT_CSS as _CSS
from reviewer.report_html import bucketer, time_series
from reviewer.report_html import hbars as _hbars
from reviewer.report_html import iso_utc as _iso
from reviewer.report_html import short_utc as _short
from reviewer.report_html import stacked_bars as _stacked_bars
from reviewer.report_html import table as _table

__all__ = ["to_html"]

_MAX_SERIES = 7


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
    s = summary(report)
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
    cats = findings(report).most_common()
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
                    merged_text(r.merged),
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
