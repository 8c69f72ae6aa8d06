"""The register page itself: server-rendered HTML (tiles, inline SVG charts, filters, one
page of pull requests, recent dismissals and decisions), with no script and nothing loaded
from elsewhere."""

from __future__ import annotations

import html
from typing import Any

from reviewer.report_html import hbars, short_utc, stacked_bars, table, time_series
from reviewer.service.register_auth import Member
from reviewer.service.register_export import findings_total, merged, when
from reviewer.service.register_filter import RegisterFilter, Scope
from reviewer.service.register_query import RegisterQueries

__all__ = ["CSS", "PATH", "render"]

PATH = "/register"

CSS = """
header.bar { display:flex; justify-content:space-between; align-items:center; gap:16px;
             flex-wrap:wrap; }
header.bar form { margin:0; } .who { color:var(--mute); font-size:14px; }
form.filters { display:grid; grid-template-columns:repeat(auto-fit, minmax(150px, 1fr));
               gap:10px 14px; align-items:end; }
form.filters label { display:flex; flex-direction:column; font-size:13px; color:var(--mute);
                     gap:3px; }
select, input[type=date] { font:inherit; padding:5px 6px; border:1px solid var(--line);
                           border-radius:6px; background:#fff; color:var(--ink); }
button, a.button { font:inherit; font-weight:600; background:#1f6f4a; color:#fff; border:0;
                   border-radius:6px; padding:7px 14px; cursor:pointer; text-decoration:none;
                   display:inline-block; }
button.plain { background:#4a5566; } .exports a { margin-right:10px; }
.pager { display:flex; gap:12px; align-items:center; margin-top:10px; font-size:14px; }
.error { color:#a3261b; font-weight:600; } .chip { background:#fde8e6; color:#8a1c12;
        border-radius:4px; padding:0 5px; font-size:12px; }
"""

_VERDICT_TEXT = {
    "success": "passed",
    "failure": "failed",
    "action_required": "action required",
    "neutral": "neutral",
    "cancelled": "cancelled",
}


def _select(
    name: str, label: str, options: list[str], chosen: str, names: dict[str, str] | None = None
) -> str:
    e = html.escape
    opts = [f'<option value=""{" selected" if not chosen else ""}>any</option>']
    values = list(options) + ([chosen] if chosen and chosen not in options else [])
    for v in values:
        text = (names or {}).get(v, v)
        opts.append(
            f'<option value="{e(v)}"{" selected" if v == chosen else ""}>{e(text)}</option>'
        )
    return f'<label>{e(label)}<select name="{name}" id="f-{name}">{"".join(opts)}</select></label>'


def _filters_form(facets: dict[str, list[str]], f: RegisterFilter, has_sensitive: bool) -> str:
    e = html.escape
    parts = [
        _select("repo", "Repository", facets["repo"], f.repo),
        _select("tool", "Tool", facets["tool"], f.tool),
        _select("vendor", "Vendor", facets["vendor"], f.vendor),
        _select("country", "Vendor's country", facets["country"], f.country),
        _select("verdict", "Verdict", facets["verdict"], f.verdict, _VERDICT_TEXT),
    ]
    if has_sensitive:
        parts.append(_select("sensitive", "Sensitive repository", ["yes", "no"], f.sensitive))
    parts.append(
        f'<label>From<input type="date" name="since" id="f-since" value="{e(f.since)}"></label>'
    )
    parts.append(
        f'<label>To<input type="date" name="until" id="f-until" value="{e(f.until)}"></label>'
    )
    parts.append(
        '<div><button type="submit" id="apply">Apply</button> '
        f'<a href="{PATH}" id="clear">Clear</a></div>'
    )
    return (
        f'<section id="filters"><h2>Filters</h2><form class="filters" method="get" '
        f'action="{PATH}">{"".join(parts)}</form></section>'
    )


def _chart(
    q: RegisterQueries, scope: Scope, f: RegisterFilter, kind: str, title: str, version: Any
) -> str:
    """A chart over time, drawn once per selection until the registry changes."""

    def draw() -> str:
        unit, points = q.chart(scope, f, kind, version=version)
        if not points:
            return '<p class="empty">Nothing in this selection.</p>'
        unit, buckets, names, data = time_series(points, unit=unit)
        return stacked_bars(f"chart-{kind}", f"{title}, by {unit}", buckets, names, data)

    return q.cached(("chart", kind, scope, f), version, draw)


def _vendor_bars(q: RegisterQueries, scope: Scope, f: RegisterFilter, version: Any) -> str:
    def draw() -> str:
        _, points = q.chart(scope, f, "vendor", version=version)
        vendors = q.totals(points)
        countries = q.totals([(d, q.country_of(n), c) for d, n, c in points])
        if not vendors:
            return '<p class="empty">No vendor named.</p>'
        return hbars("chart-vendors", "Pull requests per vendor", vendors[:12], "#0072B2") + hbars(
            "chart-countries", "Pull requests per vendor's country", countries[:12], "#E69F00"
        )

    return q.cached(("vendor-bars", scope, f), version, draw)


def render(
    q: RegisterQueries,
    scope: Scope,
    f: RegisterFilter,
    page_no: int,
    member: Member,
    csrf: str,
    *,
    per_page: int,
) -> str:
    """The register page's body: tiles, charts, filters, one page of pull requests, the
    latest dismissals and decisions."""
    e = html.escape
    version = q.version()  # aggregates are reused until the registry changes
    summary = q.summary(scope, f, version=version)
    facets = q.facets(scope, version=version)
    rows = q.page(scope, f, offset=(page_no - 1) * per_page, limit=per_page)
    total = summary["pull_requests"]
    pages = max(1, -(-total // per_page))
    qs = f.query_string()
    head = (
        f'<header class="bar"><div><h1>AI-usage register</h1><p class="sub">AI-assisted pull '
        f"requests in {e(', '.join(scope.owners))}, as Gatehouse recorded them.</p></div>"
        f'<form method="post" action="{PATH}/logout"><span class="who" id="who">Signed in '
        f'as @{e(member.login)}</span> <input type="hidden" name="csrf" value="{csrf}">'
        '<button class="plain" type="submit" id="logout">Sign out</button></form></header>'
    )
    tiles = "".join(
        f'<div class="tile"><b>{v}</b><span>{e(k)}</span></div>'
        for k, v in (
            ("AI-assisted pull requests", total),
            ("repositories", summary["repositories"]),
            ("merged", summary["merged"]),
            ("with findings", summary["with_findings"]),
        )
    )
    exports = (
        f'<p class="exports" id="exports">Export what is shown: '
        f'<a id="export-csv" href="{PATH}/export.csv?{e(qs)}">CSV</a>'
        f'<a id="export-json" href="{PATH}/export.json?{e(qs)}">JSON</a> · Audit trail '
        f'(dismissals and decisions): <a id="audit-csv" href="{PATH}/audit.csv?{e(qs)}">'
        f'CSV</a><a id="audit-json" href="{PATH}/audit.json?{e(qs)}">JSON</a></p>'
    )
    sections = [
        head,
        _filters_form(facets, f, q.has_sensitive),
        f'<div class="tiles" id="summary">{tiles}</div>',
        exports,
    ]
    sections.append(
        '<section id="per-tool"><h2>Per tool</h2><p class="note">A pull request '
        "made with two tools counts once for each.</p>"
        f"{_chart(q, scope, f, 'tool', 'AI-assisted pull requests per tool', version)}"
        "</section>"
    )
    per_repo = _chart(q, scope, f, "repository", "AI-assisted PRs per repository", version)
    sections.append(f'<section id="per-repository"><h2>Per repository</h2>{per_repo}</section>')
    bars = _vendor_bars(q, scope, f, version)
    sections.append(f'<section id="vendors"><h2>Vendors and their countries</h2>{bars}</section>')
    listing = (
        table(
            (
                "Repository",
                "PR",
                "Author",
                "Title",
                "Tools",
                "Vendors",
                "Countries",
                "Verdict",
                "Findings",
                "Merged",
                "First seen (UTC)",
            ),
            (
                (
                    r["repo"],
                    f"#{r['pr']}",
                    r["author"],
                    r["title"],
                    ", ".join(r["tools"] or ()),
                    ", ".join(r["vendors"] or ()),
                    ", ".join(r["countries"]),
                    _VERDICT_TEXT.get(r["verdict"], r["verdict"])
                    + (" · sensitive" if r.get("sensitive") else ""),
                    findings_total(r),
                    merged(r["merged"]),
                    short_utc(when(r["first_seen_at"])),
                )
                for r in rows
            ),
            numeric=frozenset({8}),
            table_id="prs",
        )
        if rows
        else ('<p class="empty" id="prs-empty">No AI-assisted pull request in this selection.</p>')
    )
    pager = (
        f'<div class="pager" id="pager"><span>Page {page_no} of {pages} ({total} pull '
        "requests)</span>"
    )
    if page_no > 1:
        pager += f'<a id="prev" href="{PATH}?{e(f.query_string(page=page_no - 1))}">Newer</a>'
    if page_no < pages:
        pager += f'<a id="next" href="{PATH}?{e(f.query_string(page=page_no + 1))}">Older</a>'
    sections.append(
        f'<section id="registry"><h2>AI-assisted pull requests</h2>{listing}{pager}</div></section>'
    )
    dismissals = q.dismissals(scope, f, limit=100)
    dis = (
        table(
            ("When (UTC)", "Action", "Who", "Repository", "PR", "Rule", "Path", "Why"),
            (
                (
                    short_utc(when(d["at"])),
                    "revoked" if d["action"] == "revoke" else "dismissed",
                    d["who"],
                    d["repo"],
                    f"#{d['pr']}" if d["pr"] is not None else "any (legacy)",
                    d["rule_id"],
                    d["path"],
                    d["reason"],
                )
                for d in dismissals
            ),
            table_id="dismissals-table",
        )
        if dismissals
        else ('<p class="empty">No finding was dismissed in this selection.</p>')
    )
    sections.append(
        '<section id="dismissals"><h2>Dismissals, who and why</h2><p class="note">'
        "The append-only history, newest first (the latest 100; the audit export "
        f"has all).</p>{dis}</section>"
    )
    decisions = q.decisions(scope, f, limit=50)
    dec = (
        table(
            ("When (UTC)", "Repository", "PR", "Head", "Trigger", "Decision", "Why"),
            (
                (
                    short_utc(when(d["finished_at"])) if d["finished_at"] else "",
                    d["repo"],
                    f"#{d['pr']}",
                    d["head_sha"][:12],
                    d["trigger"],
                    d["conclusion"],
                    d["reason"]
                    or (
                        f"{d['findings_count']} findings" if d["findings_count"] is not None else ""
                    ),
                )
                for d in decisions
            ),
            table_id="decisions-table",
        )
        if decisions
        else ('<p class="empty">No decision recorded in this selection.</p>')
    )
    sections.append(
        '<section id="decisions"><h2>Decisions</h2><p class="note">Each scan\'s '
        "conclusion, newest first (the latest 50).</p>"
        f"{dec}</section>"
    )
    return f"<main>{''.join(sections)}</main>"
