"""Operations views: the first-run setup page (GitHub App manifest flow) and the landing page.

Without App credentials Gatehouse serves a setup page at ``/setup``, open only to the holder
of the one-time setup token printed on the console (see :mod:`setup_access`): one button
registers the App on GitHub through the manifest flow, GitHub redirects to
``/setup/callback`` with a one-time code, and the code is exchanged for the App id, private
key and webhook secret. Those are written (mode 0600) to ``<data dir>/gatehouse.env`` and
``<data dir>/github-app.pem``; ``gatehouse serve`` notices the file and restarts with them.
From then on every setup route answers 404 (410 until the restart). No secret is ever shown
on a page or written to a log.
"""

from __future__ import annotations

import html
import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from flask import Blueprint, Response, abort, current_app, redirect, request

from reviewer.service import setup_access
from reviewer.service.settings import ENV_FILE, KEY_FILE
from reviewer.service.settings_help import SETTINGS_HELP

__all__ = [
    "register",
    "start_web_process",
    "create_blueprint",
    "app_manifest",
    "PERMISSIONS",
    "subscribed_events",
    "ALWAYS_DELIVERED_EVENTS",
    "SETTINGS_HELP",
    "ENV_FILE",
    "KEY_FILE",
    "github_web_url",
]

logger = logging.getLogger(__name__)


# Least privilege that works: read code, write check runs, reviews and comments.
PERMISSIONS: dict[str, str] = {
    "checks": "write",
    "pull_requests": "write",
    "contents": "read",
    "issues": "write",
    "metadata": "read",
}
# GitHub sends these to every App; they cannot (and need not) be subscribed to.
ALWAYS_DELIVERED_EVENTS: tuple[str, ...] = ("installation", "installation_repositories")


def subscribed_events() -> tuple[str, ...]:
    """The events the App subscribes to: those the handlers' router handles (the one list),
    less the ones GitHub always delivers."""
    from reviewer.service.handlers import router

    return tuple(sorted(router.event_names() - set(ALWAYS_DELIVERED_EVENTS)))


def github_web_url(api_url: str) -> str:
    """``https://github.com`` for the public API, ``https://HOST`` for Enterprise Server."""
    api_url = api_url.rstrip("/")
    if api_url == "https://api.github.com":
        return "https://github.com"
    if api_url.endswith("/api/v3"):
        return api_url[: -len("/api/v3")]
    return api_url


def app_manifest(public_url: str, *, name: str = "Gatehouse") -> dict[str, Any]:
    """The GitHub App manifest for an instance reachable at ``public_url``."""
    base = public_url.rstrip("/")
    return {
        "name": name,
        "url": base,
        "description": (
            "Reviews AI-assisted pull requests for hidden backdoors and data exfiltration."
        ),
        "hook_attributes": {"url": f"{base}/webhook", "active": True},
        "redirect_url": f"{base}/setup/callback",
        "callback_urls": [f"{base}/register/callback"],  # sign-in to the live register
        "public": False,
        "default_permissions": dict(PERMISSIONS),
        "default_events": list(subscribed_events()),
    }


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
            return _page(
                "Gatehouse",
                "<h1>Gatehouse is running</h1><p>Webhooks are received at "
                "<code>/webhook</code>. Health: <a href='/healthz'>/healthz</a>, "
                "readiness: <a href='/readyz'>/readyz</a>.</p>",
            )
        if _saved(s):
            return _registered_page(s)
        return _page("Set up Gatehouse", _LOCKED)

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
        return _setup_page(s, session)

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
            return _setup_page(
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
                return _setup_page(s, session, error=problem, status=400)
        confirmed = replace(session, public_url=public, org=org)
        return _with_session(redirect("/setup", 303), setup_access.seal(data_dir, confirmed))

    @bp.get("/setup/manifest.json")
    def manifest_json() -> Response:
        s = _open_setup(current_settings())
        session = _session(s)
        if session is None:
            return _denied("Open the setup link first")
        public = _public_url(s, session)
        if not public:
            return _page(
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
            return _page(
                "Setup link expired",
                "<h1>This setup link is not valid</h1><p>Finish "
                "the registration in the browser that opened the setup link: open "
                "<a href='/setup'>the setup page</a> again and press the button "
                "once.</p>",
                status=400,
            )
        try:
            app = _convert_manifest_code(s.github_api_url, code)
        except _SetupError as exc:
            logger.warning("manifest conversion failed: %s", exc)
            return _page(
                "Registration failed",
                f"<h1>GitHub did not complete the registration"
                f"</h1><p>{html.escape(str(exc))}</p><p><a href='/setup'>Try again</a>."
                "</p>",
                status=502,
            )
        if _saved(s):  # another callback won the race
            return _registered_page(s, status=410)
        _save_app(data_dir, app)
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
        resp = _page("Gatehouse registered", body)
        resp.delete_cookie(setup_access.SESSION_COOKIE, path="/setup")
        return resp

    return bp


class _SetupError(Exception):
    pass


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
    return _page(
        "Already registered",
        "<h1>An App is already registered</h1><p>Its settings "
        f"are in <code>{html.escape(ENV_FILE)}</code> in the data directory; restart "
        "Gatehouse to use them, or delete the file to start over.</p>",
        status=status,
    )


def _denied(title: str) -> Response:
    return _page(
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


def _public_url(s: Any, session: setup_access.SetupSession) -> str:
    """GATEHOUSE_PUBLIC_URL, else what the token holder confirmed; never the request's own
    address (a Host header or a query string is the visitor's, not the admin's)."""
    if s.public_url:
        return str(s.public_url).rstrip("/")
    return session.public_url


def _checked_public_url(given: str) -> tuple[str, str]:
    """The normalised address and no problem, or ``("", why it is refused)``."""
    try:
        parsed = urlparse(given)
        parsed.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        parsed = None
    if (
        parsed is None
        or parsed.scheme not in ("http", "https")
        or not parsed.hostname
        or parsed.username
        or parsed.password
        or parsed.query
        or parsed.fragment
        or len(given) > 500
    ):
        return "", (
            f"“{given}” is not an address GitHub can deliver to: enter the http(s) "
            "address of this server, e.g. https://gatehouse.example.com"
        )
    return given.rstrip("/"), ""


def _convert_manifest_code(api_url: str, code: str) -> dict[str, Any]:
    if not code.replace("-", "").replace("_", "").isalnum() or len(code) > 200:
        raise _SetupError("the code GitHub sent back is malformed")
    url = f"{api_url.rstrip('/')}/app-manifests/{code}/conversions"
    req = urllib.request.Request(
        url,
        method="POST",
        data=b"",
        headers={
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "gatehouse-setup",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:  # noqa: S310 - https API URL
            data = json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise _SetupError(
            f"GitHub answered {exc.code}; the code is valid for one hour and "
            "one use, so register again from the setup page"
        ) from None
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        raise _SetupError(
            f"could not reach {api_url} ({type(exc).__name__}); check "
            "GATEHOUSE_GITHUB_API_URL and the network"
        ) from None
    for key in ("id", "pem", "webhook_secret"):
        if not data.get(key):
            raise _SetupError(f"GitHub's answer has no {key!r}; register again")
    return data


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _save_app(data_dir: Path, app: dict[str, Any]) -> None:
    from reviewer.service.private_files import private_dir

    private_dir(data_dir)  # 0700 whatever the umask: it holds the App's key
    key_path = (data_dir / KEY_FILE).resolve()
    _write_private(key_path, str(app["pem"]).strip() + "\n")
    _write_private(
        data_dir / ENV_FILE,
        "\n".join(
            [
                "# Written by the Gatehouse setup page. Keep this file private.",
                f"GATEHOUSE_APP_ID={int(app['id'])}",
                f"GATEHOUSE_PRIVATE_KEY_PATH={key_path}",
                f"GATEHOUSE_WEBHOOK_SECRET={app['webhook_secret']}",
                *(
                    [
                        f"GATEHOUSE_OAUTH_CLIENT_ID={app['client_id']}",
                        f"GATEHOUSE_OAUTH_CLIENT_SECRET={app['client_secret']}",
                    ]
                    if app.get("client_id") and app.get("client_secret")
                    else []
                ),
                "",
            ]
        ),
    )


# --------------------------------------------------------------------------- rendering
_CSS = """
:root { color-scheme: light; --ink:#1d2330; --mute:#5b6472; --line:#d9dee6; --accent:#1f6f4a; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink);
       background:#f6f7f9; }
main { max-width: 880px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 28px; margin: 0 0 8px; } h2 { font-size: 20px; margin: 32px 0 8px; }
p { margin: 8px 0; }
code { background:#eef1f5; padding:1px 5px; border-radius:4px; font-size: 14px; }
.card { background:#fff; border:1px solid var(--line); border-radius:10px; padding:20px 24px;
        margin:16px 0; }
label { display:block; font-weight:600; margin-top:12px; }
input[type=text], input[type=url] { width:100%; padding:8px 10px; border:1px solid var(--line);
       border-radius:6px; font:inherit; }
button, .button { display:inline-block; margin-top:16px; background:var(--accent); color:#fff;
       border:0; border-radius:6px; padding:10px 18px; font:inherit; font-weight:600;
       cursor:pointer; text-decoration:none; }
button.secondary { background:#4a5566; }
table { border-collapse: collapse; width:100%; font-size: 14px; }
th, td { text-align:left; padding:8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--mute); font-weight:600; }
.req { color:#a33; font-weight:600; } .mute { color:var(--mute); }
.card > h2:first-child { margin-top: 0; } td:last-child { width: 42%; }
td code { white-space: nowrap; }
ul.perms { columns: 2; }
"""


def _page(title: str, body: str, *, status: int = 200) -> Response:
    doc = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    resp = Response(doc, status=status, content_type="text/html; charset=utf-8")
    resp.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; "
        "form-action 'self' https: http:; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
    resp.headers["Cache-Control"] = "no-store"
    # The origin only, never a path or query (GitHub's form post still sees where it came from).
    resp.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    resp.headers["X-Frame-Options"] = "DENY"
    return resp


def _setup_page(
    s: Any, session: setup_access.SetupSession, *, error: str = "", status: int = 200
) -> Response:
    data_dir = Path(s.data_dir)
    public = _public_url(s, session)
    org = session.org
    web = github_web_url(s.github_api_url)
    target = f"{web}/organizations/{org}/settings/apps/new" if org else f"{web}/settings/apps/new"
    csrf = setup_access.csrf_token(data_dir, session)
    perms = "".join(
        f"<li><code>{html.escape(k)}</code>: {html.escape(v)}</li>" for k, v in PERMISSIONS.items()
    )
    events = ", ".join(f"<code>{e}</code>" for e in subscribed_events() + ALWAYS_DELIVERED_EVENTS)
    rows = "".join(
        f"<tr><td><code>{h.name}</code></td>"
        f"<td>{'<span class=req>required</span>' if h.required else 'optional'}"
        f"</td><td class=mute>{html.escape(h.default)}</td><td>{html.escape(h.meaning)}</td></tr>"
        for h in SETTINGS_HELP
    )
    problem = f"<p class='req' id='error'>{html.escape(error)}</p>" if error else ""
    if s.public_url:
        address = (
            f"<p>Set by <code>GATEHOUSE_PUBLIC_URL</code>: <code>{html.escape(public)}</code></p>"
        )
    else:
        address = (
            "<label for='url'>Public address</label>"
            f"<input type='url' id='url' name='url' value='{html.escape(public)}' "
            "placeholder='https://gatehouse.example.com' required>"
        )
    if public:
        local = urlparse(public).hostname in ("localhost", "127.0.0.1", "::1")
        warn = (
            "<p class='req'>This address is only reachable from this machine: GitHub cannot "
            "deliver webhooks to it. Confirm the public https address above first.</p>"
            if local
            else ""
        )
        state = setup_access.new_state(data_dir, session)
        manifest = json.dumps(app_manifest(public))
        register = f"""{warn}
  <h2>2. Register the App on GitHub</h2>
  <p>Webhooks will go to <code>{html.escape(public)}/webhook</code>{
            f" and the App will belong to <code>{html.escape(org)}</code>" if org else ""
        }.</p>
  <form method="post" action="{html.escape(target)}?{urlencode({"state": state})}">
    <input type="hidden" name="manifest" value="{html.escape(manifest)}">
    <button type="submit" id="create-app">Create the GitHub App</button>
  </form>"""
    else:
        register = (
            "<h2>2. Register the App on GitHub</h2><p>Confirm the address GitHub reaches "
            "this server at first.</p>"
        )
    body = f"""
<h1>Set up Gatehouse</h1>
<p>Gatehouse is running, but it has no GitHub App yet. Register one in two clicks: GitHub
creates the App with the permissions below and hands its credentials back to this server.</p>
<section class="card" id="register">
  <h2>1. Where GitHub reaches this server</h2>
  {problem}
  <form method="post" action="/setup">
    <input type="hidden" name="csrf" value="{html.escape(csrf)}">
    {address}
    <label for="org">Organization (empty for your personal account)</label>
    <input type="text" id="org" name="org" value="{html.escape(org)}">
    <button type="submit" class="secondary">Confirm</button>
  </form>
  {register}
</section>
<section class="card" id="permissions">
  <h2>What the App may do</h2>
  <ul class="perms">{perms}</ul>
  <p>Events: {events}. Gatehouse never needs write access to code: it reads the change,
  reports a check run, and comments.</p>
</section>
<section class="card" id="settings">
  <h2>Settings</h2>
  <p>Already have an App? Set these environment variables instead and restart.</p>
  <table><thead><tr><th>Variable</th><th></th><th>Default</th><th>Meaning</th></tr></thead>
  <tbody>{rows}</tbody></table>
</section>"""
    return _page("Set up Gatehouse", body, status=status)
