"""The live register: AI-assisted pull requests, charts, dismissals and decisions, behind GitHub
sign-in, served by Gatehouse at ``/register``.

Server-rendered HTML with inline styles and inline SVG charts; no script, no font, nothing
loaded from elsewhere (a Content-Security-Policy forbids it). Every read goes through
:mod:`register_query` with the scope of the signed-in member's organisations, and the exports
(``/register/export.csv|json``, ``/register/audit.csv|json``) take the page's own filters.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import html
import io
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Blueprint, Flask, Response, redirect, request, stream_with_context
from werkzeug.wrappers import Response as BaseResponse

from reviewer.report_html import (
    REPORT_CSS,
    csv_cell,
    hbars,
    iso_utc,
    short_utc,
    stacked_bars,
    table,
    time_series,
)
from reviewer.service.register_auth import (
    SESSION_MAX_AGE_S,
    STATE_MAX_AGE_S,
    GitHubOAuth,
    Member,
    SessionSealer,
    SignInError,
)
from reviewer.service.register_query import FilterError, RegisterFilter, RegisterQueries, Scope

__all__ = ["PER_PAGE", "create_blueprint", "register"]

logger = logging.getLogger(__name__)

PER_PAGE = 50
SESSION_COOKIE = "gatehouse_register"
PENDING_COOKIE = "gatehouse_register_sign_in"
_PATH = "/register"
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
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


def register(app: Flask, context: Any) -> None:
    """Add the register's views to the service's app (called by ``create_app``)."""
    app.register_blueprint(create_blueprint(context))


def create_blueprint(context: Any) -> Blueprint:
    """The ``/register`` blueprint over ``context`` (settings and store)."""
    bp = Blueprint("register", __name__)
    settings = context.settings
    state: dict[str, Any] = {}

    def queries() -> RegisterQueries:
        if "q" not in state:
            from reviewer.app.provenance import load_signatures

            countries = {t.vendor: t.country for t in load_signatures().tools}
            state["q"] = RegisterQueries(context.store.engine, vendor_countries=countries)
        q: RegisterQueries = state["q"]
        return q

    def enabled() -> bool:
        return bool(settings.oauth_client_id and settings.oauth_client_secret)

    def sealer() -> SessionSealer:
        return SessionSealer(settings.oauth_client_secret)

    def oauth() -> GitHubOAuth:
        from reviewer.service.ops_web import github_web_url

        return GitHubOAuth(
            client_id=settings.oauth_client_id,
            client_secret=settings.oauth_client_secret,
            api_url=settings.github_api_url,
            web_url=github_web_url(settings.github_api_url),
        )

    def redirect_uri() -> str | None:
        return f"{settings.public_url}{_PATH}/callback" if settings.public_url else None

    def secure() -> bool:
        return request.is_secure or str(settings.public_url or "").startswith("https://")

    def signed_in() -> tuple[Member, str] | None:
        return sealer().member(request.cookies.get(SESSION_COOKIE))

    def guarded(view: Callable[[Member, str], Response]) -> Callable[[], BaseResponse]:
        def wrapper() -> BaseResponse:
            if not enabled():
                return _page("Register not configured", _OFF, status=404)
            found = signed_in()
            if found is None:
                target = request.full_path if request.query_string else request.path
                return redirect(f"{_PATH}/login?{_qs(next=target)}", code=302)
            member, nonce = found
            if not member.owners:
                return _refused(member.login)
            try:
                return view(member, nonce)
            except FilterError as exc:
                return _page(
                    "Filter not valid",
                    f"<h1>Filter not valid</h1><p class=error>"
                    f"{html.escape(exc.diagnostics())}</p><p><a href='{_PATH}'>Clear "
                    "the filters</a></p>",
                    status=400,
                )

        wrapper.__name__ = view.__name__
        return wrapper

    @bp.get(_PATH + "/login")
    def login() -> BaseResponse:
        if not enabled():
            return _page("Register not configured", _OFF, status=404)
        nxt = request.args.get("next", _PATH)
        if not nxt.startswith(_PATH) or nxt.startswith("//"):
            nxt = _PATH  # only ever back into the register, never elsewhere
        state_value = secrets.token_urlsafe(24)
        resp = redirect(
            oauth().authorize_url(state=state_value, redirect_uri=redirect_uri()), code=302
        )
        _set_cookie(
            resp,
            PENDING_COOKIE,
            sealer().seal_pending(state_value, nxt),
            max_age=STATE_MAX_AGE_S,
            secure=secure(),
        )
        return resp

    @bp.get(_PATH + "/callback")
    def callback() -> BaseResponse:
        if not enabled():
            return _page("Register not configured", _OFF, status=404)
        pending = sealer().pending(request.cookies.get(PENDING_COOKIE))
        given = request.args.get("state", "")
        code = request.args.get("code", "")
        if pending is None or not code or not hmac.compare_digest(pending[0], given):
            logger.warning("register sign-in refused: state missing, expired or not this browser's")
            return _page(
                "Sign-in expired",
                "<h1>This sign-in is not valid</h1><p>It expired, "
                "or it was started in another browser. <a href='/register/login'>Sign "
                "in again</a>.</p>",
                status=400,
            )
        try:
            client = oauth()
            member = client.member(client.exchange(code, redirect_uri=redirect_uri()))
        except SignInError as exc:
            logger.warning("register sign-in failed: %s", exc)
            return _page(
                "Sign-in failed",
                f"<h1>GitHub did not complete the sign-in</h1><p>"
                f"{html.escape(exc.diagnostics())}</p>",
                status=502,
            )
        if not member.owners:
            logger.info(
                "register sign-in by %s refused: not a member of any installing organisation",
                member.login,
            )
            resp: BaseResponse = _refused(member.login)
        else:
            logger.info(
                "register sign-in by %s (%d organisations)", member.login, len(member.owners)
            )
            resp = redirect(pending[1], code=302)
            _set_cookie(
                resp,
                SESSION_COOKIE,
                sealer().seal_member(member),
                max_age=SESSION_MAX_AGE_S,
                secure=secure(),
            )
        resp.delete_cookie(PENDING_COOKIE, path=_PATH)
        return resp

    @bp.post(_PATH + "/logout")
    def logout() -> Response:
        found = signed_in() if enabled() else None
        if found is not None and not hmac.compare_digest(
            sealer().csrf(found[1]), request.form.get("csrf", "")
        ):
            return _page(
                "Not signed out",
                "<h1>Sign-out refused</h1><p>Use the Sign out button of the register page.</p>",
                status=400,
            )
        resp = _page(
            "Signed out", "<h1>Signed out</h1><p><a href='/register/login'>Sign in again</a>.</p>"
        )
        resp.delete_cookie(SESSION_COOKIE, path=_PATH)
        return resp

    def view_page(member: Member, nonce: str) -> Response:
        f = RegisterFilter.from_args(request.args)
        page_no = _page_number(request.args.get("page", "1"))
        q, scope = queries(), Scope(member.owners)
        body = _render(q, scope, f, page_no, member, sealer().csrf(nonce))
        return _page("AI-usage register", body)

    def view_export(fmt: str) -> Callable[[Member, str], Response]:
        def export(member: Member, _nonce: str) -> Response:
            f = RegisterFilter.from_args(request.args)
            rows = queries().rows(Scope(member.owners), f)
            if fmt == "csv":
                return _download(_prs_csv(rows), "register.csv", "text/csv; charset=utf-8")
            doc = {
                "generated_at": _now(),
                "signed_in_as": member.login,
                "organisations": list(member.owners),
                "filters": dict(f.items()),
                "pull_requests": [_pr_json(r) for r in rows],
            }
            return _download(
                [json.dumps(doc, indent=1, ensure_ascii=False) + "\n"],
                "register.json",
                "application/json",
            )

        export.__name__ = f"export_{fmt}"
        return export

    def view_audit(fmt: str) -> Callable[[Member, str], Response]:
        def audit(member: Member, _nonce: str) -> Response:
            f = RegisterFilter.from_args(request.args)
            q, scope = queries(), Scope(member.owners)
            dismissals, decisions = q.dismissals(scope, f), q.decisions(scope, f)
            if fmt == "csv":
                return _download(
                    _audit_csv(dismissals, decisions), "audit.csv", "text/csv; charset=utf-8"
                )
            doc = {
                "generated_at": _now(),
                "signed_in_as": member.login,
                "organisations": list(member.owners),
                "filters": dict(f.items()),
                "dismissals": [_dismissal_json(d) for d in dismissals],
                "decisions": [_decision_json(d) for d in decisions],
            }
            return _download(
                [json.dumps(doc, indent=1, ensure_ascii=False) + "\n"],
                "audit.json",
                "application/json",
            )

        audit.__name__ = f"audit_{fmt}"
        return audit

    bp.add_url_rule(_PATH, "page", guarded(view_page), methods=["GET"])
    for fmt in ("csv", "json"):
        bp.add_url_rule(
            f"{_PATH}/export.{fmt}", f"export_{fmt}", guarded(view_export(fmt)), methods=["GET"]
        )
        bp.add_url_rule(
            f"{_PATH}/audit.{fmt}", f"audit_{fmt}", guarded(view_audit(fmt)), methods=["GET"]
        )
    return bp


# --------------------------------------------------------------------------- responses
_OFF = (
    "<h1>The register is not configured</h1><p>Set <code>GATEHOUSE_OAUTH_CLIENT_ID</code> "
    "and <code>GATEHOUSE_OAUTH_CLIENT_SECRET</code> (the App's client id and a client secret "
    "from its settings page) and set the App's callback URL to "
    "<code>https://&lt;your Gatehouse&gt;/register/callback</code>.</p>"
)


def _qs(**values: str) -> str:
    from urllib.parse import urlencode

    return urlencode(values)


def _set_cookie(resp: BaseResponse, name: str, value: str, *, max_age: int, secure: bool) -> None:
    resp.set_cookie(
        name, value, max_age=max_age, path=_PATH, httponly=True, samesite="Lax", secure=secure
    )


def _refused(login: str) -> Response:
    return _page(
        "Not a member",
        f"<h1>Not a member</h1><p>@{html.escape(login)} is not a "
        "member of an organisation that installed Gatehouse, so there is nothing to "
        "show. Ask an owner of your organisation to install the App, or <a "
        "href='/register/login'>sign in as someone else</a>.</p>",
        status=403,
    )


def _page(title: str, body: str, *, status: int = 200) -> Response:
    doc = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · Gatehouse</title><style>{REPORT_CSS}{_CSS}</style>"
        f"</head><body>{body}</body></html>\n"
    )
    resp = Response(doc, status=status, content_type="text/html; charset=utf-8")
    _harden(resp)
    return resp


def _harden(resp: Response) -> None:
    resp.headers["Content-Security-Policy"] = _CSP
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "same-origin"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["X-Content-Type-Options"] = "nosniff"


def _download(chunks: Iterable[str], name: str, content_type: str) -> Response:
    resp = Response(stream_with_context(iter(chunks)), content_type=content_type)
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    _harden(resp)
    return resp


def _page_number(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) <= 1_000_000:
        raise FilterError("page", raw, "use a page number from 1")
    return int(raw)


def _now() -> str:
    return iso_utc(dt.datetime.now(dt.UTC))


def _when(seconds: Any) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(seconds or 0), dt.UTC)


# --------------------------------------------------------------------------- exports
def _merged(value: Any) -> str:
    return "open" if value is None else ("yes" if value else "no")


def _sensitive(row: dict[str, Any]) -> str:
    return "" if row.get("sensitive") is None else ("yes" if row["sensitive"] else "no")


def _findings_total(row: dict[str, Any]) -> int:
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
        _sensitive(r),
        csv_cell(r["verdict"]),
        _findings_total(r),
        _merged(r["merged"]),
        iso_utc(_when(r["first_seen_at"])),
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


def _prs_csv(rows: list[dict[str, Any]]) -> Iterator[str]:
    return _csv_lines(_EXPORT_COLUMNS, (_export_cells(r) for r in rows))


def _pr_json(r: dict[str, Any]) -> dict[str, Any]:
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
        "findings_total": _findings_total(r),
        "merged": r["merged"],
        "evidence": list(r["evidence"] or ()),
        "first_seen": iso_utc(_when(r["first_seen_at"])),
        "updated": iso_utc(_when(r["updated_at"])),
    }


def _dismissal_json(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "action": d["action"],
        "at": iso_utc(_when(d["at"])),
        "repository": d["repo"],
        "pull_request": d["pr"],
        "head_sha": d["head_sha"],
        "who": d["who"],
        "rule_id": d["rule_id"],
        "path": d["path"],
        "fingerprint": d["fingerprint"],
        "why": d["reason"],
    }


def _decision_json(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "at": iso_utc(_when(d["finished_at"])) if d["finished_at"] else None,
        "repository": d["repo"],
        "pull_request": d["pr"],
        "head_sha": d["head_sha"],
        "trigger": d["trigger"],
        "conclusion": d["conclusion"],
        "why": d["reason"],
        "findings": d["findings_count"],
    }


def _audit_csv(dismissals: list[dict[str, Any]], decisions: list[dict[str, Any]]) -> Iterator[str]:
    rows: list[list[Any]] = []
    for d in dismissals:
        rows.append(
            [
                "revocation" if d["action"] == "revoke" else "dismissal",
                iso_utc(_when(d["at"])),
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
                iso_utc(_when(d["finished_at"])) if d["finished_at"] else "",
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


# --------------------------------------------------------------------------- the page
_CSS = """
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
        f'<a href="{_PATH}" id="clear">Clear</a></div>'
    )
    return (
        f'<section id="filters"><h2>Filters</h2><form class="filters" method="get" '
        f'action="{_PATH}">{"".join(parts)}</form></section>'
    )


def _chart(
    q: RegisterQueries, scope: Scope, f: RegisterFilter, kind: str, title: str, version: Any
) -> str:
    """A chart over time, drawn once per selection until the registry changes."""

    def draw() -> str:
        points = q.series(scope, f, kind)
        if not points:
            return '<p class="empty">Nothing in this selection.</p>'
        unit, buckets, names, data = time_series(points)
        return stacked_bars(f"chart-{kind}", f"{title}, by {unit}", buckets, names, data)

    return q.cached(("chart", kind, scope, f), version, draw)


def _vendor_bars(q: RegisterQueries, scope: Scope, f: RegisterFilter, version: Any) -> str:
    def draw() -> str:
        points = q.series(scope, f, "vendor")
        vendors = q.totals(points)
        countries = q.totals([(d, q.country_of(n), c) for d, n, c in points])
        if not vendors:
            return '<p class="empty">No vendor named.</p>'
        return hbars("chart-vendors", "Pull requests per vendor", vendors[:12], "#0072B2") + hbars(
            "chart-countries", "Pull requests per vendor's country", countries[:12], "#E69F00"
        )

    return q.cached(("vendor-bars", scope, f), version, draw)


def _render(
    q: RegisterQueries, scope: Scope, f: RegisterFilter, page_no: int, member: Member, csrf: str
) -> str:
    e = html.escape
    version = q.version()  # aggregates are reused until the registry changes
    summary = q.summary(scope, f, version=version)
    facets = q.facets(scope, version=version)
    rows = q.page(scope, f, offset=(page_no - 1) * PER_PAGE, limit=PER_PAGE)
    total = summary["pull_requests"]
    pages = max(1, -(-total // PER_PAGE))
    qs = f.query_string()
    head = (
        f'<header class="bar"><div><h1>AI-usage register</h1><p class="sub">AI-assisted pull '
        f"requests in {e(', '.join(scope.owners))}, as Gatehouse recorded them.</p></div>"
        f'<form method="post" action="{_PATH}/logout"><span class="who" id="who">Signed in '
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
        f'<a id="export-csv" href="{_PATH}/export.csv?{e(qs)}">CSV</a>'
        f'<a id="export-json" href="{_PATH}/export.json?{e(qs)}">JSON</a> · Audit trail '
        f'(dismissals and decisions): <a id="audit-csv" href="{_PATH}/audit.csv?{e(qs)}">'
        f'CSV</a><a id="audit-json" href="{_PATH}/audit.json?{e(qs)}">JSON</a></p>'
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
                    _findings_total(r),
                    _merged(r["merged"]),
                    short_utc(_when(r["first_seen_at"])),
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
        pager += f'<a id="prev" href="{_PATH}?{e(f.query_string(page=page_no - 1))}">Newer</a>'
    if page_no < pages:
        pager += f'<a id="next" href="{_PATH}?{e(f.query_string(page=page_no + 1))}">Older</a>'
    sections.append(
        f'<section id="registry"><h2>AI-assisted pull requests</h2>{listing}{pager}</div></section>'
    )
    dismissals = q.dismissals(scope, f, limit=100)
    dis = (
        table(
            ("When (UTC)", "Action", "Who", "Repository", "PR", "Rule", "Path", "Why"),
            (
                (
                    short_utc(_when(d["at"])),
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
                    short_utc(_when(d["finished_at"])) if d["finished_at"] else "",
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
