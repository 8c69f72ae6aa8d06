"""Operations views: the first-run setup page (GitHub App manifest flow) and the landing page.

Without App credentials Gatehouse serves a setup page at ``/setup``, open only to the holder
of the one-time setup token printed on the console (see :mod:`setup_access`): one button
registers the App on GitHub through the manifest flow, GitHub redirects to
``/setup/callback`` with a one-time code, and the code is exchanged for the App id, private
key and webhook secret. Those are written (mode 0600) to ``<data dir>/gatehouse.env`` and
``<data dir>/github-app.pem``; ``gatehouse serve`` notices the file and restarts with them.
From then on every setup route answers 404 (410 until the restart). No secret is ever shown
on a page or written to a log.

This module holds the views and their access checks; :mod:`setup_app` builds the manifest and
saves the App, :mod:`setup_html` draws the pages.
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, request

from reviewer.service import setup_access
from reviewer.service.settings import ENV_FILE, KEY_FILE, plain_public_url
from reviewer.service.setup_app import (
    SetupError,
    app_manifest,
    convert_manifest_code,
    save_app,
)
from reviewer.service.setup_html import page, public_url, setup_page

__all__ = ["register", "start_web_process", "create_blueprint"]

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- blueprint
def register(app: Any, context: Any) -> None:
    """Register the ops views on the service's Flask app (called by ``create_app``).

    Without App credentials a setup token is issued here if no process issued one yet
    (a web process started without Gatehouse's launcher; see :mod:`setup_access`)."""
    settings = context.settings
    app.register_blueprint(create_blueprint(settings))
    if not settings.configured and not (Path(settings.data_dir) / ENV_FILE).exists():
        setup_access.ensure_token(settings.data_dir)


def start_web_process(settings: Any, *, bind: str) -> None:
    """What the web process's main (pre-fork) process does once at start: log the setup link
    when no App is registered, and serve ``/metrics`` on ``GATEHOUSE_METRICS_BIND``.
    Idempotent per process (called by ``gatehouse web`` and by the gunicorn config)."""
    if not settings.configured and not (Path(settings.data_dir) / ENV_FILE).exists():
        setup_access.announce(settings.data_dir, base=_bind_url(bind))
    if settings.metrics_bind:
        from reviewer.service import metrics

        metrics.serve_http(settings.metrics_bind)


def _bind_url(bind: str) -> str:
    host, _, port = bind.rpartition(":")
    if not host or host.startswith("unix"):
        return ""
    if host in ("0.0.0.0", "[::]", "::"):
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def create_blueprint(settings: Any | None = None) -> Blueprint:
    """The ops blueprint. ``settings`` defaults to ``app.config["GATEHOUSE_SETTINGS"]``.

    ``/metrics`` is not here: it is served on its own address (``GATEHOUSE_METRICS_BIND``)."""
    bp = Blueprint("gatehouse_ops", __name__)

    def current_settings() -> Any:
        if settings is not None:
            return settings
        found = current_app.config.get("GATEHOUSE_SETTINGS")
        if found is None:
            from reviewer.service.settings import Settings

            found = Settings.from_env(require_app=False)
        return found

    @bp.get("/")
    def index() -> Response:
        s = current_settings()
        if s.configured:
            return page(
                "Gatehouse",
                "<h1>Gatehouse is running</h1><p>Webhooks are received at "
                "<code>/webhook</code>. Health: <a href='/healthz'>/healthz</a>, "
                "readiness: <a href='/readyz'>/readyz</a>.</p>",
            )
        if _saved(s):
            return _registered_page(s)
        return page("Set up Gatehouse", _LOCKED)

    @bp.get("/setup")
    def setup_view() -> Response:
        s = _open_setup(current_settings())
        data_dir = Path(s.data_dir)
        token = request.args.get(setup_access.TOKEN_PARAM)
        if token is not None:
            if not setup_access.redeem_token(data_dir, token):
                return _denied("This setup link is not valid any more")
            _, cookie = setup_access.open_session(data_dir)
            # Drop the token from the address bar, the history and any Referer at once.
            return _with_session(redirect("/setup", 303), cookie)
        session = _session(s)
        if session is None:
            return _denied("Open the setup link first")
        return setup_page(s, session)

    @bp.post("/setup")
    def setup_confirm() -> Response:
        s = _open_setup(current_settings())
        data_dir = Path(s.data_dir)
        session = _session(s)
        if session is None or not setup_access.check_csrf(
            data_dir, session, request.form.get("csrf")
        ):
            return _denied("This form is not from your setup session")
        org = (request.form.get("org") or "").strip()
        if org and not (org.replace("-", "").isalnum() and len(org) <= 39):
            return setup_page(
                s,
                session,
                error=f"“{org}” is not an organization name: use "
                "its login, e.g. acme-corp, or leave it empty",
                status=400,
            )
        public = session.public_url
        if not s.public_url:
            given = (request.form.get("url") or "").strip()
            public, problem = _checked_public_url(given)
            if problem:
                return setup_page(s, session, error=problem, status=400)
        confirmed = replace(session, public_url=public, org=org)
        return _with_session(redirect("/setup", 303), setup_access.seal(data_dir, confirmed))

    @bp.get("/setup/manifest.json")
    def manifest_json() -> Response:
        s = _open_setup(current_settings())
        session = _session(s)
        if session is None:
            return _denied("Open the setup link first")
        public = public_url(s, session)
        if not public:
            return page(
                "Address not confirmed",
                "<h1>Confirm the public address first</h1>"
                "<p>Enter it on <a href='/setup'>the setup page</a>.</p>",
                status=409,
            )
        return Response(json.dumps(app_manifest(public), indent=2), content_type="application/json")

    @bp.get("/setup/callback")
    def callback() -> Response:
        s = _open_setup(current_settings())
        data_dir = Path(s.data_dir)
        code = request.args.get("code", "")
        state = request.args.get("state", "")
        session = _session(s)
        if not code or session is None or not setup_access.claim_state(data_dir, session, state):
            logger.warning(
                "setup callback refused: %s",
                "no setup session"
                if session is None
                else "state missing, spent, expired or not this session's",
            )
            return page(
                "Setup link expired",
                "<h1>This setup link is not valid</h1><p>Finish "
                "the registration in the browser that opened the setup link: open "
                "<a href='/setup'>the setup page</a> again and press the button "
                "once.</p>",
                status=400,
            )
        try:
            app = convert_manifest_code(s.github_api_url, code)
        except SetupError as exc:
            logger.warning("manifest conversion failed: %s", exc)
            return page(
                "Registration failed",
                f"<h1>GitHub did not complete the registration"
                f"</h1><p>{html.escape(str(exc))}</p><p><a href='/setup'>Try again</a>."
                "</p>",
                status=502,
            )
        if _saved(s):  # another callback won the race
            return _registered_page(s, status=410)
        save_app(data_dir, app)
        setup_access.close(data_dir)
        slug = str(app.get("slug") or "")
        app_url = str(app.get("html_url") or "")
        install = f"{app_url}/installations/new" if app_url else ""
        logger.info(
            "GitHub App %s registered through the manifest flow (id %s)", slug, app.get("id")
        )
        body = (
            f"<h1>Registered “{html.escape(slug or 'Gatehouse')}”</h1>"
            f"<p>The App id, private key and webhook secret are saved in the data directory "
            f"(<code>{ENV_FILE}</code> and <code>{KEY_FILE}</code>, readable only by the "
            "service's user). <code>gatehouse serve</code> restarts with them within a few "
            "seconds; a separately run web or worker process needs a restart.</p>"
        )
        if install:
            body += (
                f"<p class='go'><a class='button' href='{html.escape(install)}'>Install the App "
                "on your repositories</a></p>"
            )
        resp = page("Gatehouse registered", body)
        resp.delete_cookie(setup_access.SESSION_COOKIE, path="/setup")
        return resp

    return bp


_LOCKED = """<h1>Set up Gatehouse</h1>
<p>Gatehouse is running, but no GitHub App is registered yet. Only the person who started it
may register one: open the setup link that Gatehouse printed on its console (standard error)
when it started. It looks like <code>/setup?setup_token=…</code> and works once; restart
Gatehouse to get a new one.</p>"""


def _saved(s: Any) -> bool:
    return (Path(s.data_dir) / ENV_FILE).exists()


def _open_setup(s: Any) -> Any:
    """``s``, or end the request: setup is closed once an App is registered."""
    if s.configured:
        abort(404)
    if _saved(s):
        abort(_registered_page(s, status=410))
    return s


def _registered_page(s: Any, *, status: int = 200) -> Response:
    return page(
        "Already registered",
        "<h1>An App is already registered</h1><p>Its settings "
        f"are in <code>{html.escape(ENV_FILE)}</code> in the data directory; restart "
        "Gatehouse to use them, or delete the file to start over.</p>",
        status=status,
    )


def _denied(title: str) -> Response:
    return page(
        title,
        f"<h1>{html.escape(title)}</h1><p>The setup page is open only to the "
        "person who started Gatehouse: use the link it printed on its console "
        "(<code>/setup?setup_token=…</code>), in this browser. Each link works once; "
        "restart Gatehouse to get a new one.</p>",
        status=403,
    )


def _session(s: Any) -> setup_access.SetupSession | None:
    return setup_access.session_from(
        Path(s.data_dir), request.cookies.get(setup_access.SESSION_COOKIE)
    )


def _with_session(resp: Any, cookie: str) -> Response:
    resp.set_cookie(
        setup_access.SESSION_COOKIE,
        cookie,
        max_age=setup_access.SESSION_MAX_AGE_S,
        path="/setup",
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


def _checked_public_url(given: str) -> tuple[str, str]:
    """The normalised address and no problem, or ``("", why it is refused)``."""
    url = plain_public_url(given)
    if url is None:
        return "", (
            f"“{given}” is not an address GitHub can deliver to: enter the http(s) "
            "address of this server, e.g. https://gatehouse.example.com"
        )
    return url, ""
