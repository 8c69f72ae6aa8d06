"""Who may register the App: the one-time setup token, the setup session and the manifest state.

Before an App is registered, the setup page decides which App's credentials the service will
trust, so it is closed to everyone but the person who can read the service's console:

* At start, without App credentials, the web process issues a random **setup token** and logs
  the link ``/setup?setup_token=...`` once, at WARNING, on stderr. Only its SHA-256 is kept on
  disk. The token is spent by the first visit that presents it; a restart issues a new one.
* That visit gets a **setup session**: a signed cookie (HttpOnly, SameSite=Lax, path ``/setup``,
  one hour) carrying a random session id and the public address the token holder confirmed.
* The manifest **state** is bound to the session: one pending state, stored hashed with the
  session id's hash and an expiry (one hour, as GitHub's manifest code). The callback claims it
  with an atomic rename, so a state is used at most once, and only with the cookie it was
  issued to.

Everything lives in ``DATA_DIR/setup`` (mode 0700, files 0600), shared by every web worker
process of the machine; :func:`close` removes it once the App is registered.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

__all__ = [
    "SESSION_COOKIE",
    "SESSION_MAX_AGE_S",
    "STATE_MAX_AGE_S",
    "TOKEN_PARAM",
    "SetupSession",
    "announce",
    "check_csrf",
    "claim_state",
    "close",
    "csrf_token",
    "ensure_token",
    "issue_token",
    "new_state",
    "open_session",
    "redeem_token",
    "seal",
    "session_from",
]

logger = logging.getLogger(__name__)

TOKEN_PARAM = "setup_token"
SESSION_COOKIE = "gatehouse_setup"
SESSION_MAX_AGE_S = 3600
STATE_MAX_AGE_S = 3600  # GitHub's manifest code is valid for one hour

_DIR = "setup"
_TOKEN = "token"  # sha256 of the live token
_SPENT = "token.spent"  # the token was redeemed (no new one until a restart)
_KEY = "key"  # signs session cookies and CSRF values
_STATE = "state"  # the one pending manifest state
_SALT = "gatehouse-setup-session"
_announced: set[tuple[int, str]] = set()


@dataclass(frozen=True)
class SetupSession:
    """What the token holder's cookie says: who they are and what they confirmed."""

    sid: str
    public_url: str = ""
    org: str = ""


# --------------------------------------------------------------------------- files
def _dir(data_dir: Path | str) -> Path:
    Path(data_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
    path = Path(data_dir) / _DIR
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def _write(path: Path, text: str) -> None:
    """Replace ``path`` atomically with a 0600 file holding ``text``."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _create(path: Path, text: str) -> bool:
    """Create ``path`` (0600) only if it does not exist; False when another process won."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text)
    return True


# --------------------------------------------------------------------------- the token
def issue_token(data_dir: Path | str) -> str:
    """A fresh setup token; any earlier token, session and pending state stop working."""
    folder = _dir(data_dir)
    token = secrets.token_urlsafe(32)
    _write(folder / _KEY, secrets.token_hex(32))
    _write(folder / _TOKEN, _digest(token))
    (folder / _SPENT).unlink(missing_ok=True)
    (folder / _STATE).unlink(missing_ok=True)
    return token


def _log_link(token: str, base: str) -> None:
    link = f"{base.rstrip('/')}/setup?{TOKEN_PARAM}={token}"
    # The one place the token is ever written: the console of whoever started the service.
    logger.warning(
        "no GitHub App is registered yet: open %s to set Gatehouse up (the link "
        "works once; restart Gatehouse for a new one)",
        link,
    )


def announce(data_dir: Path | str, *, base: str = "") -> str | None:
    """Issue a fresh token and log its link, once per process and data folder (the web
    process's start); ``base`` is e.g. ``http://127.0.0.1:8000``. None when already done."""
    key = (os.getpid(), str(Path(data_dir).resolve()))
    if key in _announced:
        return None
    _announced.add(key)
    token = issue_token(data_dir)
    _log_link(token, base)
    return token


def ensure_token(data_dir: Path | str) -> str | None:
    """Issue and log a token only if none was ever issued in ``data_dir`` (a web process
    started without Gatehouse's launcher or gunicorn configuration). Safe across processes."""
    folder = _dir(data_dir)
    if (folder / _TOKEN).exists() or (folder / _SPENT).exists():
        return None
    _create(folder / _KEY, secrets.token_hex(32))
    token = secrets.token_urlsafe(32)
    if not _create(folder / _TOKEN, _digest(token)):
        return None
    _log_link(token, "")
    return token


def redeem_token(data_dir: Path | str, token: str) -> bool:
    """True, once, for the live token: it is spent by this call (atomic across processes)."""
    folder = _dir(data_dir)
    expected = _read(folder / _TOKEN)
    if not token or not expected or not hmac.compare_digest(_digest(token), expected):
        return False
    claimed = folder / f".{_TOKEN}.{secrets.token_hex(6)}"
    try:
        os.rename(folder / _TOKEN, claimed)
    except FileNotFoundError:
        return False  # another request spent it first
    ok = hmac.compare_digest(_read(claimed), _digest(token))
    os.replace(claimed, folder / _SPENT)
    return ok


# --------------------------------------------------------------------------- the session
def _key(data_dir: Path | str) -> str:
    return _read(_dir(data_dir) / _KEY)


def open_session(data_dir: Path | str) -> tuple[SetupSession, str]:
    """A new session for the token holder and its cookie value."""
    session = SetupSession(sid=secrets.token_urlsafe(24))
    return session, seal(data_dir, session)


def seal(data_dir: Path | str, session: SetupSession) -> str:
    """The signed cookie value for ``session``."""
    key = _key(data_dir)
    if not key:
        raise FileNotFoundError("no setup key: the setup token was never issued")
    return URLSafeTimedSerializer(key, salt=_SALT).dumps(asdict(session))


def session_from(data_dir: Path | str, cookie: str | None) -> SetupSession | None:
    """The session a cookie proves, or None (absent, forged, expired or from an older token)."""
    key = _key(data_dir)
    if not cookie or not key or len(cookie) > 4096:
        return None
    try:
        data = URLSafeTimedSerializer(key, salt=_SALT).loads(cookie, max_age=SESSION_MAX_AGE_S)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str) or not data["sid"]:
        return None
    return SetupSession(
        sid=data["sid"],
        public_url=str(data.get("public_url") or ""),
        org=str(data.get("org") or ""),
    )


def csrf_token(data_dir: Path | str, session: SetupSession) -> str:
    """The value the setup forms carry, tied to the session."""
    return hmac.new(
        _key(data_dir).encode("ascii"), f"csrf:{session.sid}".encode("ascii"), hashlib.sha256
    ).hexdigest()


def check_csrf(data_dir: Path | str, session: SetupSession, value: str | None) -> bool:
    """True when ``value`` is the session's CSRF value."""
    return bool(value) and hmac.compare_digest(
        csrf_token(data_dir, session), str(value).encode("ascii", "replace").decode()
    )


# --------------------------------------------------------------------------- the state
def new_state(data_dir: Path | str, session: SetupSession, *, now: float | None = None) -> str:
    """A fresh manifest state bound to ``session`` (replaces any pending one)."""
    state = secrets.token_urlsafe(24)
    expires = (time.time() if now is None else now) + STATE_MAX_AGE_S
    _write(
        _dir(data_dir) / _STATE,
        json.dumps({"sid": _digest(session.sid), "state": _digest(state), "expires": expires}),
    )
    return state


def _state_matches(text: str, session: SetupSession, state: str, now: float) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    if not isinstance(data, dict) or not isinstance(data.get("expires"), (int, float)):
        return False
    return (
        hmac.compare_digest(str(data.get("sid")), _digest(session.sid))
        and hmac.compare_digest(str(data.get("state")), _digest(state))
        and now <= data["expires"]
    )


def claim_state(
    data_dir: Path | str, session: SetupSession, state: str, *, now: float | None = None
) -> bool:
    """True, once, when ``state`` is the pending state of ``session`` and has not expired."""
    if not state or len(state) > 200:
        return False
    when = time.time() if now is None else now
    folder = _dir(data_dir)
    if not _state_matches(_read(folder / _STATE), session, state, when):
        return False
    claimed = folder / f".{_STATE}.{secrets.token_hex(6)}"
    try:
        os.rename(folder / _STATE, claimed)
    except FileNotFoundError:
        return False  # claimed by a concurrent callback
    try:
        return _state_matches(_read(claimed), session, state, when)
    finally:
        claimed.unlink(missing_ok=True)


def close(data_dir: Path | str) -> None:
    """Forget the token, key and state (the App is registered: setup is over)."""
    shutil.rmtree(Path(data_dir) / _DIR, ignore_errors=True)
