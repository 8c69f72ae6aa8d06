"""The setup page's HTML: the page frame with its own styles (no script, nothing loaded from
elsewhere) and the body of the setup form."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from flask import Response

from reviewer.service import setup_access
from reviewer.service.settings_help import SETTINGS_HELP
from reviewer.service.setup_app import (
    ALWAYS_DELIVERED_EVENTS,
    PERMISSIONS,
    app_manifest,
    github_web_url,
    subscribed_events,
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


def page(title: str, body: str, *, status: int = 200) -> Response:
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


def setup_page(
    s: Any, session: setup_access.SetupSession, *, error: str = "", status: int = 200
) -> Response:
    data_dir = Path(s.data_dir)
    public = public_url(s, session)
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
    return page("Set up Gatehouse", body, status=status)


def public_url(s: Any, session: setup_access.SetupSession) -> str:
    """GATEHOUSE_PUBLIC_URL, else what the token holder confirmed; never the request's own
    address (a Host header or a query string is the visitor's, not the admin's)."""
    if s.public_url:
        return str(s.public_url).rstrip("/")
    return session.public_url
