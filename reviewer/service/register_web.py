"""The live register: AI-assisted pull requests, charts, dismissals and decisions, behind GitHub
sign-in, served by Gatehouse at ``/register``.

Server-rendered HTML with inline styles and inline SVG charts; no script, no font, nothing
loaded from elsewhere (a Content-Security-Policy forbids it). Every read goes through
:mod:`register_query` with the scope of the signed-in member's organisations, and the exports
(``/register/export.csv|json``, ``/register/audit.csv|json``) take the page's own filters.

This module holds the blueprint: sign-in, the views and the response headers; the page is
drawn by :mod:`register_page` and the downloads built by :mod:`register_export`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import html
import json
import logging
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Response, redirect, request, stream_with_context
from werkzeug.wrappers import Response as BaseResponse

from reviewer.report_html import (
    REPORT_CSS,
    iso_utc,
)
from reviewer.service.register_auth import (
    SESSION_MAX_AGE_S,
    STATE_MAX_AGE_S,
    GitHubOAuth,
    Member,
    SessionSealer,
    SignInError,
)
from reviewer.service.register_export import (
    audit_csv,
    decision_json,
    dismissal_json,
    pr_json,
    prs_csv,
)
from reviewer.service.register_filter import FilterError, RegisterFilter, Scope
from reviewer.service.register_page import CSS, PATH, render
from reviewer.service.register_query import RegisterQueries

__all__ = ["PER_PAGE", "create_blueprint", "register"]

logger = logging.getLogger(__name__)

PER_PAGE = 50
SESSION_COOKIE = "gatehouse_register"
PENDING_COOKIE = "gatehouse_register_sign_in"
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
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
        from reviewer.service.setup_app import github_web_url

        return GitHubOAuth(
            client_id=settings.oauth_client_id,
            client_secret=settings.oauth_client_secret,
            api_url=settings.github_api_url,
            web_url=github_web_url(settings.github_api_url),
        )

    def redirect_uri() -> str | None:
        return f"{settings.public_url}{PATH}/callback" if settings.public_url else None

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
                return redirect(f"{PATH}/login?{_qs(next=target)}", code=302)
            member, nonce = found
            if not member.owners:
                return _refused(member.login)
            try:
                return view(member, nonce)
            except FilterError as exc:
                return _page(
                    "Filter not valid",
                    f"<h1>Filter not valid</h1><p class=error>"
                    f"{html.escape(exc.diagnostics())}</p><p><a href='{PATH}'>Clear "
                    "the filters</a></p>",
                    status=400,
                )

        wrapper.__name__ = view.__name__
        return wrapper

    @bp.get(PATH + "/login")
    def login() -> BaseResponse:
        if not enabled():
            return _page("Register not configured", _OFF, status=404)
        nxt = request.args.get("next", PATH)
        if not nxt.startswith(PATH) or nxt.startswith("//"):
            nxt = PATH  # only ever back into the register, never elsewhere
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

    @bp.get(PATH + "/callback")
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
        resp.delete_cookie(PENDING_COOKIE, path=PATH)
        return resp

    @bp.post(PATH + "/logout")
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
        resp.delete_cookie(SESSION_COOKIE, path=PATH)
        return resp

    def view_page(member: Member, nonce: str) -> Response:
        f = RegisterFilter.from_args(request.args)
        page_no = _page_number(request.args.get("page", "1"))
        q, scope = queries(), Scope(member.owners)
        body = render(q, scope, f, page_no, member, sealer().csrf(nonce), per_page=PER_PAGE)
        return _page("AI-usage register", body)

    def view_export(fmt: str) -> Callable[[Member, str], Response]:
        def export(member: Member, _nonce: str) -> Response:
            f = RegisterFilter.from_args(request.args)
            rows = queries().rows(Scope(member.owners), f)
            if fmt == "csv":
                return _download(prs_csv(rows), "register.csv", "text/csv; charset=utf-8")
            doc = {
                "generated_at": _now(),
                "signed_in_as": member.login,
                "organisations": list(member.owners),
                "filters": dict(f.items()),
                "pull_requests": [pr_json(r) for r in rows],
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
                    audit_csv(dismissals, decisions), "audit.csv", "text/csv; charset=utf-8"
                )
            doc = {
                "generated_at": _now(),
                "signed_in_as": member.login,
                "organisations": list(member.owners),
                "filters": dict(f.items()),
                "dismissals": [dismissal_json(d) for d in dismissals],
                "decisions": [decision_json(d) for d in decisions],
            }
            return _download(
                [json.dumps(doc, indent=1, ensure_ascii=False) + "\n"],
                "audit.json",
                "application/json",
            )

        audit.__name__ = f"audit_{fmt}"
        return audit

    bp.add_url_rule(PATH, "page", guarded(view_page), methods=["GET"])
    for fmt in ("csv", "json"):
        bp.add_url_rule(
            f"{PATH}/export.{fmt}", f"export_{fmt}", guarded(view_export(fmt)), methods=["GET"]
        )
        bp.add_url_rule(
            f"{PATH}/audit.{fmt}", f"audit_{fmt}", guarded(view_audit(fmt)), methods=["GET"]
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
        name, value, max_age=max_age, path=PATH, httponly=True, samesite="Lax", secure=secure
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
        f"<title>{html.escape(title)} · Gatehouse</title><style>{REPORT_CSS}{CSS}</style>"
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
