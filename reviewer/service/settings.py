"""Settings: read once from the environment (and the setup page's saved file) into a frozen
value, validated at start. Every default lives here; :mod:`settings_help` documents each
variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from reviewer.errors import ConfigError
from reviewer.service.registry_lookup import RegistrySettings

__all__ = [
    "Settings",
    "DEFAULT_API_URL",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_METRICS_BIND",
    "DEFAULT_BIND",
    "DEFAULT_DATA_DIR",
    "DEFAULT_WEB_THREADS",
    "ENV_FILE",
    "KEY_FILE",
    "data_dir_from_env",
    "with_saved_settings",
    "check_queue_url",
    "mask_url",
]

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
DEFAULT_METRICS_BIND = "127.0.0.1:9100"  # Prometheus scrapes here, apart from the webhook port
DEFAULT_BIND = "127.0.0.1:8000"  # the web process; 0.0.0.0 only inside a container, explicitly
DEFAULT_DATA_DIR = "var"
DEFAULT_WEB_THREADS = 2  # per web worker: 2 measured better than 4 on the accept path
ENV_FILE = "gatehouse.env"  # in the data directory: what the setup page saved
KEY_FILE = "github-app.pem"  # in the data directory: the App's key the setup page saved
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    """Everything the service needs, validated. Secrets are never shown by ``repr``."""

    app_id: int | None
    private_key: str = field(default="", repr=False)
    webhook_secret: str = field(default="", repr=False)
    github_api_url: str = DEFAULT_API_URL
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    database_url: str = ""
    queue_url: str = field(default="", repr=False)  # may carry a password
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    log_level: str = "INFO"
    public_url: str | None = None
    check_name: str = "Gatehouse"
    metrics_bind: str | None = DEFAULT_METRICS_BIND  # None: no /metrics listener
    oauth_client_id: str = ""  # the App's client id: sign-in to the register
    oauth_client_secret: str = field(default="", repr=False)
    registry: RegistrySettings = field(default_factory=RegistrySettings)  # off by default

    @property
    def configured(self) -> bool:
        """True when the App credentials are all present (not setup-page mode)."""
        return bool(self.app_id and self.private_key and self.webhook_secret)

    @property
    def is_enterprise(self) -> bool:
        """True for any API other than github.com (GitHub Enterprise Server or a test server)."""
        return self.github_api_url.rstrip("/") != DEFAULT_API_URL

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, require_app: bool = True
    ) -> Settings:
        """Build settings from ``environ`` (default: ``os.environ`` over the values the setup
        page saved in the data directory, see :func:`with_saved_settings`).

        Raises :class:`ConfigError` naming the variable and the fix. With
        ``require_app=False`` the App credentials may be missing (setup mode).
        """
        env = with_saved_settings(os.environ) if environ is None else environ

        def get(name: str) -> str:
            return (env.get(name) or "").strip()

        app_id: int | None = None
        raw_id = get("GATEHOUSE_APP_ID")
        if raw_id:
            if not raw_id.isdigit():
                raise ConfigError(
                    f"GATEHOUSE_APP_ID={raw_id!r} is not a number: "
                    "use the numeric App ID from the App's settings page"
                )
            app_id = int(raw_id)
        private_key = _private_key(env)
        secret = env.get("GATEHOUSE_WEBHOOK_SECRET") or ""
        if require_app:
            if app_id is None:
                raise ConfigError(
                    "GATEHOUSE_APP_ID is not set: set it to the numeric App ID "
                    "from the GitHub App's settings page"
                )
            if not private_key:
                raise ConfigError(
                    "GATEHOUSE_PRIVATE_KEY_PATH (or GATEHOUSE_PRIVATE_KEY) is not set: "
                    "point it at the .pem private key generated for the App"
                )
            if not secret:
                raise ConfigError(
                    "GATEHOUSE_WEBHOOK_SECRET is not set: set it to the webhook "
                    "secret entered in the App's settings (there is no default)"
                )
        if secret and len(secret) < 16:
            raise ConfigError(
                "GATEHOUSE_WEBHOOK_SECRET is shorter than 16 characters: use a long random value, "
                "e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`"
            )

        api_url = get("GATEHOUSE_GITHUB_API_URL") or DEFAULT_API_URL
        parsed = urlparse(api_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(
                f"GATEHOUSE_GITHUB_API_URL={api_url!r} is not an http(s) URL: use "
                "https://api.github.com or https://<host>/api/v3 for GitHub Enterprise Server"
            )

        data_dir = data_dir_from_env(env)
        database_url = get("GATEHOUSE_DATABASE_URL") or f"sqlite:///{data_dir / 'gatehouse.db'}"
        queue_url = check_queue_url(
            get("GATEHOUSE_QUEUE_URL") or f"sqlite:///{data_dir / 'queue.db'}"
        )

        raw_max = get("GATEHOUSE_MAX_BODY_BYTES")
        max_body = DEFAULT_MAX_BODY_BYTES
        if raw_max:
            if not raw_max.isdigit() or int(raw_max) <= 0:
                raise ConfigError(
                    f"GATEHOUSE_MAX_BODY_BYTES={raw_max!r} is not a positive number "
                    "of bytes: leave it unset for GitHub's 25 MB cap"
                )
            max_body = int(raw_max)

        level = (get("GATEHOUSE_LOG_LEVEL") or "INFO").upper()
        if level not in _LOG_LEVELS:
            raise ConfigError(
                f"GATEHOUSE_LOG_LEVEL={level!r} is unknown: use one of {', '.join(_LOG_LEVELS)}"
            )

        return cls(
            app_id=app_id,
            private_key=private_key,
            webhook_secret=secret,
            github_api_url=api_url.rstrip("/"),
            data_dir=data_dir,
            database_url=database_url,
            queue_url=queue_url,
            max_body_bytes=max_body,
            log_level=level,
            public_url=_public_url(get("GATEHOUSE_PUBLIC_URL")),
            metrics_bind=_metrics_bind(get("GATEHOUSE_METRICS_BIND")),
            **_oauth(get("GATEHOUSE_OAUTH_CLIENT_ID"), get("GATEHOUSE_OAUTH_CLIENT_SECRET")),
            registry=RegistrySettings.from_env(env),
        )


def data_dir_from_env(environ: Mapping[str, str]) -> Path:
    """GATEHOUSE_DATA_DIR (default ``./var``), absolute."""
    raw = (environ.get("GATEHOUSE_DATA_DIR") or "").strip() or DEFAULT_DATA_DIR
    return Path(raw).expanduser().resolve()


def with_saved_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` over the ``GATEHOUSE_*`` values the setup page saved in
    ``<data dir>/gatehouse.env``: variables already set win. Nothing is written anywhere."""
    merged: dict[str, str] = {}
    try:
        text = (data_dir_from_env(environ) / ENV_FILE).read_text(encoding="utf-8")
    except OSError:
        text = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        if key.strip().startswith("GATEHOUSE_"):
            merged[key.strip()] = value.strip()
    merged.update(environ)
    return merged


def _oauth(client_id: str, secret: str) -> dict[str, str]:
    """The App's OAuth client (the register's sign-in): both or neither."""
    if bool(client_id) != bool(secret):
        missing = "GATEHOUSE_OAUTH_CLIENT_SECRET" if client_id else "GATEHOUSE_OAUTH_CLIENT_ID"
        raise ConfigError(
            f"{missing} is not set: set both GATEHOUSE_OAUTH_CLIENT_ID and "
            "GATEHOUSE_OAUTH_CLIENT_SECRET from the App's settings page (Client "
            "ID, Generate a new client secret), or neither to turn the register off"
        )
    if secret and len(secret) < 20:
        raise ConfigError(
            "GATEHOUSE_OAUTH_CLIENT_SECRET is shorter than 20 characters: copy the "
            "whole client secret generated on the App's settings page"
        )
    return {"oauth_client_id": client_id, "oauth_client_secret": secret}


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***``: the only form of a queue or database URL
    that may appear in a log line or an error message."""
    try:
        parsed = urlparse(url)
        password = parsed.password
    except ValueError:
        return "<unparsable URL>"
    if not password:
        return url
    netloc = parsed.netloc.rpartition("@")
    user = parsed.username or ""
    return parsed._replace(netloc=f"{user}:***@{netloc[2]}").geturl()


def check_queue_url(url: str) -> str:
    """Validate GATEHOUSE_QUEUE_URL: SQLite, memory, or Redis (``rediss://`` for TLS) with an
    optional password. Errors show the URL with its password masked."""
    if url.startswith(("sqlite:///", "memory:")):
        return url
    if not url.startswith(("redis://", "rediss://")):
        raise ConfigError(
            f"GATEHOUSE_QUEUE_URL={mask_url(url)!r} is not supported: use "
            "sqlite:///<path> (default) or redis://:<password>@host:6379/0 "
            "(rediss:// for TLS)"
        )
    try:
        parsed = urlparse(url)
        parsed.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ConfigError(
            f"GATEHOUSE_QUEUE_URL={mask_url(url)!r} is not a valid Redis URL: use "
            "redis://:<password>@host:6379/0 (URL-encode special characters in "
            "the password)"
        ) from None
    if not parsed.hostname:
        raise ConfigError(
            f"GATEHOUSE_QUEUE_URL={mask_url(url)!r} names no host: use "
            "redis://:<password>@host:6379/0"
        )
    return url


def plain_public_url(given: str) -> str | None:
    """``given`` without its trailing slash when it is a plain http(s) address (no credentials,
    query or fragment, at most 500 characters), else None. The setup page's form and
    GATEHOUSE_PUBLIC_URL are checked by this one rule."""
    try:
        parsed = urlparse(given)
        parsed.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return None
    if (
        parsed.scheme not in ("http", "https")
        or not parsed.hostname
        or parsed.username
        or parsed.password
        or parsed.query
        or parsed.fragment
        or len(given) > 500
    ):
        return None
    return given.rstrip("/")


def _public_url(raw: str) -> str | None:
    """GATEHOUSE_PUBLIC_URL: an http(s) address without credentials, query or fragment."""
    if not raw:
        return None
    url = plain_public_url(raw)
    if url is None:
        raise ConfigError(
            f"GATEHOUSE_PUBLIC_URL={raw!r} is not a plain http(s) address: use the "
            "https address GitHub reaches this server at, e.g. "
            "https://gatehouse.example.com (Gatehouse adds /webhook)"
        )
    return url


def _metrics_bind(raw: str) -> str | None:
    """GATEHOUSE_METRICS_BIND: ``host:port`` of the /metrics listener, or ``off``."""
    if not raw:
        return DEFAULT_METRICS_BIND
    if raw.lower() == "off":
        return None
    host, _, port = raw.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"GATEHOUSE_METRICS_BIND={raw!r} is not host:port: use e.g. "
            f"{DEFAULT_METRICS_BIND} (the default), 0.0.0.0:9100 inside a container "
            "that Prometheus scrapes, or off"
        )
    return raw


def _private_key(env: Mapping[str, str]) -> str:
    inline = (env.get("GATEHOUSE_PRIVATE_KEY") or "").strip()
    path = (env.get("GATEHOUSE_PRIVATE_KEY_PATH") or "").strip()
    if inline and path:
        raise ConfigError(
            "both GATEHOUSE_PRIVATE_KEY and GATEHOUSE_PRIVATE_KEY_PATH are set: keep one"
        )
    if path:
        p = Path(path).expanduser()
        try:
            text = p.read_text(encoding="ascii")
        except OSError as exc:
            raise ConfigError(
                f"GATEHOUSE_PRIVATE_KEY_PATH={path!r} cannot be read ({exc.strerror}): "
                "point it at the App's .pem file and make it readable by the service"
            ) from None
        except UnicodeDecodeError:
            raise ConfigError(
                f"GATEHOUSE_PRIVATE_KEY_PATH={path!r} is not a PEM text file: "
                "download the private key again from the App's settings"
            ) from None
        inline, source = text.strip(), "GATEHOUSE_PRIVATE_KEY_PATH"
    else:
        source = "GATEHOUSE_PRIVATE_KEY"
        inline = inline.replace("\\n", "\n")
    if inline and "PRIVATE KEY-----" not in inline:
        raise ConfigError(
            f"{source} does not hold a PEM private key: use the .pem file GitHub "
            "generated for the App (it starts with -----BEGIN RSA PRIVATE KEY-----)"
        )
    return inline + "\n" if inline else ""
