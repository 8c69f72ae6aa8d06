"""Sign-in to the register with GitHub: the App's user-to-server OAuth flow, and who may see what.

``/login/oauth/authorize`` (on GitHub's web host) sends the person back with a ``code``, which
is exchanged at ``/login/oauth/access_token`` for a user token; with it Gatehouse reads
``GET /user``, ``GET /user/installations`` (this App's installations the person can reach) and,
for an organisation, ``GET /user/memberships/orgs/{org}``: only an *active member* of an
organisation that installed the App sees its data (a personal installation: only its owner).
The user token is used during the callback and then dropped; the session (a signed cookie)
carries the login, the owners and an expiry, never a token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from reviewer.errors import GatehouseError

__all__ = [
    "GitHubOAuth",
    "Member",
    "SessionSealer",
    "SignInError",
    "SESSION_MAX_AGE_S",
    "STATE_MAX_AGE_S",
]

logger = logging.getLogger(__name__)

SESSION_MAX_AGE_S = 3600  # membership is checked again at the next sign-in
STATE_MAX_AGE_S = 600  # a sign-in must come back from GitHub within ten minutes
_MAX_INSTALLATION_PAGES = 10


class SignInError(GatehouseError):
    """GitHub did not complete the sign-in (bad code, unreachable, unexpected answer)."""

    def diagnostics(self) -> str:
        """The text shown on the page."""
        return str(self)


@dataclass(frozen=True)
class Member:
    """A signed-in person and the owners (organisations, or their own account) they may see."""

    login: str
    owners: tuple[str, ...]


class GitHubOAuth:
    """The OAuth web flow of the App (``client_id``/``client_secret`` from its settings)."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        api_url: str,
        web_url: str,
        timeout_s: float = 10.0,
    ) -> None:
        self._id, self._secret = client_id, client_secret
        self._api, self._web = api_url.rstrip("/"), web_url.rstrip("/")
        self._timeout = timeout_s

    def authorize_url(self, *, state: str, redirect_uri: str | None) -> str:
        """Where to send the browser. Without ``redirect_uri`` GitHub uses the App's callback."""
        query = {"client_id": self._id, "state": state, "allow_signup": "false"}
        if redirect_uri:
            query["redirect_uri"] = redirect_uri
        return f"{self._web}/login/oauth/authorize?{urllib.parse.urlencode(query)}"

    def exchange(self, code: str, *, redirect_uri: str | None) -> str:
        """The user token for a callback's ``code`` (a code works once)."""
        form = {"client_id": self._id, "client_secret": self._secret, "code": code}
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        data = self._call(
            "POST",
            f"{self._web}/login/oauth/access_token",
            body=urllib.parse.urlencode(form).encode(),
        )
        token = data.get("access_token") if isinstance(data, dict) else None
        if not token:
            error = data.get("error", "no access_token") if isinstance(data, dict) else "?"
            raise SignInError(
                f"GitHub refused the sign-in code ({error}): sign in again; if it "
                "keeps failing, check GATEHOUSE_OAUTH_CLIENT_ID and "
                "GATEHOUSE_OAUTH_CLIENT_SECRET against the App's settings"
            )
        return str(token)

    def member(self, token: str) -> Member:
        """Who the token's person is, and the App's installations they are a member of."""
        user = self._call("GET", f"{self._api}/user", token=token)
        login = str(user.get("login") or "") if isinstance(user, dict) else ""
        if not login:
            raise SignInError("GitHub's /user answer has no login: sign in again")
        owners: list[str] = []
        for account in self._installation_accounts(token):
            name, kind = str(account.get("login") or ""), str(account.get("type") or "")
            if not name or name in owners:
                continue
            if kind == "Organization":
                if self._active_member(token, name):
                    owners.append(name)
            elif name.lower() == login.lower():
                owners.append(name)
        return Member(login=login, owners=tuple(owners))

    def _installation_accounts(self, token: str) -> list[dict[str, Any]]:
        accounts: list[dict[str, Any]] = []
        for page in range(1, _MAX_INSTALLATION_PAGES + 1):
            data = self._call(
                "GET", f"{self._api}/user/installations?per_page=100&page={page}", token=token
            )
            items = data.get("installations") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise SignInError(
                    "GitHub's /user/installations answer is not a list of "
                    "installations: sign in again"
                )
            accounts += [
                i["account"]
                for i in items
                if isinstance(i, dict) and isinstance(i.get("account"), dict)
            ]
            if len(items) < 100:
                break
        return accounts

    def _active_member(self, token: str, org: str) -> bool:
        path = f"{self._api}/user/memberships/orgs/{urllib.parse.quote(org, safe='')}"
        try:
            data = self._call("GET", path, token=token)
        except _NotMember:
            return False
        return isinstance(data, dict) and data.get("state") == "active"

    def _call(
        self, method: str, url: str, *, token: str | None = None, body: bytes | None = None
    ) -> Any:
        headers = {
            "Accept": "application/json",
            "User-Agent": "gatehouse-register",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        where = urllib.parse.urlsplit(url).path
        try:
            with urllib.request.urlopen(req, timeout=self._timeout) as resp:
                return json.loads(resp.read(1_000_000) or b"null")
        except urllib.error.HTTPError as exc:
            if exc.code in (403, 404) and "/memberships/" in where:
                raise _NotMember() from None
            raise SignInError(
                f"GitHub answered {exc.code} to {method} {where}: sign in again; "
                "if it keeps failing, check that the App is installed and that "
                "GATEHOUSE_GITHUB_API_URL is right"
            ) from None
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise SignInError(
                f"could not reach GitHub for {where} ({type(exc).__name__}): "
                "check GATEHOUSE_GITHUB_API_URL and the network"
            ) from None


class _NotMember(Exception):
    pass


class SessionSealer:
    """Signed, expiring cookie values. The key is derived from the OAuth client secret, so
    every web process shares it and a new client secret signs everyone out."""

    def __init__(self, client_secret: str) -> None:
        key = hmac.new(
            client_secret.encode(), b"gatehouse register session v1", hashlib.sha256
        ).hexdigest()
        self._member = URLSafeTimedSerializer(key, salt="register-member")
        self._pending = URLSafeTimedSerializer(key, salt="register-sign-in")
        self._key = key.encode()

    def seal_member(self, member: Member) -> str:
        """The session cookie of a signed-in member."""
        return self._member.dumps(
            {
                "login": member.login,
                "owners": list(member.owners),
                "nonce": secrets.token_urlsafe(8),
            }
        )

    def member(self, cookie: str | None) -> tuple[Member, str] | None:
        """(member, session nonce) from a cookie that is valid and not expired."""
        if not cookie:
            return None
        try:
            data = self._member.loads(cookie, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        return Member(str(data["login"]), tuple(str(o) for o in data["owners"])), data["nonce"]

    def seal_pending(self, state: str, next_path: str) -> str:
        """The cookie that binds a sign-in's ``state`` to this browser."""
        return self._pending.dumps({"state": state, "next": next_path, "t": time.time()})

    def pending(self, cookie: str | None) -> tuple[str, str] | None:
        """(state, where to go after) while the sign-in is fresh."""
        if not cookie:
            return None
        try:
            data = self._pending.loads(cookie, max_age=STATE_MAX_AGE_S)
        except BadSignature:
            return None
        return str(data["state"]), str(data["next"])

    def csrf(self, nonce: str) -> str:
        """The form token of one session (sign-out)."""
        return hmac.new(self._key, f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()
