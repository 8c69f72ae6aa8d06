"""GitHub's sign-in for a GitHub App, faked: the web authorize page, the code exchange, and the
user-token endpoints (``/user``, ``/user/installations``, ``/user/memberships/orgs/{org}``).

Shapes follow GitHub: the authorize page sends the browser back to the callback with ``code``
and ``state``; ``POST /login/oauth/access_token`` answers 200 with either an ``access_token``
or an ``error`` (``bad_verification_code``, ``incorrect_client_credentials``,
``redirect_uri_mismatch``); a code works once and only for the client it was issued to.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, redirect, request


@dataclass
class FakeUser:
    login: str
    id: int
    memberships: dict[str, str] = field(default_factory=dict)  # org -> active | pending


@dataclass
class FakeOAuth:
    """The App's OAuth client and the people who can sign in."""

    client_id: str = ""
    client_secret: str = ""
    callback_url: str = ""
    users: dict[str, FakeUser] = field(default_factory=dict)
    codes: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # client, login, uri
    tokens: dict[str, str] = field(default_factory=dict)  # user token -> login
    exchanged: list[str] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(5000))
    _lock: Any = field(default_factory=threading.Lock)

    def set_client(self, client_id: str, client_secret: str, callback_url: str = "") -> None:
        self.client_id, self.client_secret, self.callback_url = (
            client_id,
            client_secret,
            callback_url,
        )

    def add_user(self, login: str, *, orgs: dict[str, str] | None = None) -> FakeUser:
        """A person; ``orgs`` maps each organisation to the membership state."""
        user = FakeUser(login=login, id=next(self._ids), memberships=dict(orgs or {}))
        self.users[login.lower()] = user
        return user

    def login_of(self, auth_header: str) -> str | None:
        kind, _, cred = auth_header.partition(" ")
        if kind.lower() not in ("token", "bearer"):
            return None
        with self._lock:
            return self.tokens.get(cred)


def install(app: Flask, fake: Any) -> None:
    """Add the OAuth endpoints to the fake's Flask app."""
    oauth: FakeOAuth = fake.oauth

    def user() -> FakeUser:
        login = request.environ.get("fake.user") or ""
        return oauth.users[login.lower()]

    @app.get("/login/oauth/authorize")
    def authorize_page() -> Any:
        client_id = request.args.get("client_id", "")
        if not oauth.client_id or client_id != oauth.client_id:
            return Response("<h1>404</h1>", status=404, content_type="text/html")
        uri = request.args.get("redirect_uri", "") or oauth.callback_url
        if oauth.callback_url and not uri.startswith(oauth.callback_url):
            return Response(
                "<h1>The redirect_uri is not associated with this application.</h1>",
                status=400,
                content_type="text/html",
            )
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
            for k, v in (
                ("client_id", client_id),
                ("state", request.args.get("state", "")),
                ("redirect_uri", uri),
            )
        )
        page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Authorize "
            "application</title></head><body><h1>Sign in to GitHub to continue to "
            f"Gatehouse</h1><form method='post' action='/login/oauth/authorize'>{hidden}"
            "<label>Username <input id='login_field' name='login' autofocus></label> "
            "<button id='authorize' type='submit'>Authorize</button></form></body></html>"
        )
        return Response(page, content_type="text/html; charset=utf-8")

    @app.post("/login/oauth/authorize")
    def authorize_submit() -> Any:
        login = request.form.get("login", "").strip()
        if login.lower() not in oauth.users or request.form.get("client_id") != oauth.client_id:
            return Response(
                "<h1>Incorrect username or password.</h1>", status=401, content_type="text/html"
            )
        code = hashlib.sha256(f"code{next(oauth._ids)}".encode()).hexdigest()[:20]
        uri = request.form.get("redirect_uri", "") or oauth.callback_url
        with oauth._lock:
            oauth.codes[code] = (oauth.client_id, oauth.users[login.lower()].login, uri)
        query = urlencode({"code": code, "state": request.form.get("state", "")})
        return redirect(f"{uri}{'&' if '?' in uri else '?'}{query}", code=302)

    @app.post("/login/oauth/access_token")
    def oauth_access_token() -> Any:
        form = request.form
        if (
            form.get("client_id") != oauth.client_id
            or form.get("client_secret") != oauth.client_secret
        ):
            return jsonify(
                error="incorrect_client_credentials",
                error_description="The client_id and/or client_secret passed are incorrect.",
            )
        with oauth._lock:
            issued = oauth.codes.pop(form.get("code", ""), None)
        if issued is None:
            return jsonify(
                error="bad_verification_code",
                error_description="The code passed is incorrect or expired.",
            )
        if form.get("redirect_uri") and form["redirect_uri"] != issued[2]:
            return jsonify(
                error="redirect_uri_mismatch",
                error_description="The redirect_uri MUST match the registered "
                "callback URL for this application.",
            )
        token = "ghu_" + hashlib.sha256(f"user{next(oauth._ids)}".encode()).hexdigest()[:36]
        with oauth._lock:
            oauth.tokens[token] = issued[1]
            oauth.exchanged.append(issued[1])
        if "application/json" not in request.headers.get("Accept", ""):
            return Response(
                urlencode({"access_token": token, "token_type": "bearer", "scope": ""}),
                content_type="application/x-www-form-urlencoded",
            )
        return jsonify(access_token=token, token_type="bearer", scope="", expires_in=28800)

    @app.get("/user")
    def oauth_user() -> Any:
        u = user()
        return jsonify(login=u.login, id=u.id, type="User", site_admin=False)

    @app.get("/user/installations")
    def oauth_user_installations() -> Any:
        u = user()
        reachable = [
            i
            for i in fake.installations.values()
            if i["account"]["login"].lower() in {o.lower() for o in u.memberships}
            or i["account"]["login"].lower() == u.login.lower()
        ]
        items = [
            dict(
                i,
                app_id=fake.app_id,
                app_slug=fake.app_slug,
                account=dict(i["account"], type=i["account"].get("type") or "Organization"),
            )
            for i in reachable
        ]
        per_page = min(int(request.args.get("per_page", "30")), 100)
        page = max(int(request.args.get("page", "1")), 1)
        return jsonify(
            total_count=len(items), installations=items[(page - 1) * per_page : page * per_page]
        )

    @app.get("/user/memberships/orgs/<org>")
    def oauth_membership(org: str) -> Any:
        u = user()
        state = next((s for o, s in u.memberships.items() if o.lower() == org.lower()), None)
        if state is None:
            resp = jsonify(message="Not Found", documentation_url="https://docs.github.com/rest")
            resp.status_code = 404
            return resp
        return jsonify(
            url=f"/orgs/{org}/memberships/{u.login}",
            state=state,
            role="member",
            organization={"login": org},
            user={"login": u.login, "id": u.id},
        )
