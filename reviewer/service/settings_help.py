"""What each environment variable means: the one description of every setting, shown on the
setup page; the README's table is checked against it (and against what the code reads) by a
test."""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.service.settings import (
    DEFAULT_API_URL,
    DEFAULT_BIND,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_METRICS_BIND,
    DEFAULT_WEB_THREADS,
)

__all__ = ["SETTINGS_HELP", "SettingHelp"]


@dataclass(frozen=True)
class SettingHelp:
    """One environment variable, explained for the setup page and the docs."""

    name: str
    required: bool
    default: str
    meaning: str


SETTINGS_HELP: tuple[SettingHelp, ...] = (
    SettingHelp(
        "GATEHOUSE_APP_ID",
        True,
        "none",
        "The numeric App ID shown on the GitHub App's settings page.",
    ),
    SettingHelp(
        "GATEHOUSE_PRIVATE_KEY_PATH",
        True,
        "none",
        "Path to the App's .pem private key (or GATEHOUSE_PRIVATE_KEY with the PEM text). "
        "Gatehouse signs short-lived JWTs with it to get installation tokens.",
    ),
    SettingHelp(
        "GATEHOUSE_PRIVATE_KEY",
        False,
        "none",
        "The PEM text of the App's private key itself, instead of a path (not both).",
    ),
    SettingHelp(
        "GATEHOUSE_WEBHOOK_SECRET",
        True,
        "none",
        "The webhook secret set on the App; every delivery's X-Hub-Signature-256 is "
        "checked against it and unsigned deliveries are refused.",
    ),
    SettingHelp(
        "GATEHOUSE_GITHUB_API_URL",
        False,
        DEFAULT_API_URL,
        "For GitHub Enterprise Server use https://HOST/api/v3.",
    ),
    SettingHelp(
        "GATEHOUSE_DATA_DIR",
        False,
        "./var",
        "Where the SQLite store, the job queue and the saved App settings live.",
    ),
    SettingHelp(
        "GATEHOUSE_DATABASE_URL",
        False,
        "sqlite:///DATA_DIR/gatehouse.db",
        "postgresql://user@host/db to share the store between machines.",
    ),
    SettingHelp(
        "GATEHOUSE_QUEUE_URL",
        False,
        "sqlite:///DATA_DIR/queue.db",
        "redis://host:6379/0 to run web and worker processes on several machines.",
    ),
    SettingHelp(
        "GATEHOUSE_PUBLIC_URL",
        False,
        "asked on the setup page",
        "The https address GitHub delivers webhooks to; Gatehouse adds /webhook.",
    ),
    SettingHelp(
        "GATEHOUSE_MAX_BODY_BYTES",
        False,
        str(DEFAULT_MAX_BODY_BYTES),
        "Largest webhook body accepted (GitHub caps payloads at 25 MB).",
    ),
    SettingHelp("GATEHOUSE_LOG_LEVEL", False, "INFO", "DEBUG, INFO, WARNING or ERROR."),
    SettingHelp(
        "GATEHOUSE_BIND",
        False,
        DEFAULT_BIND,
        "Address the web process listens on (0.0.0.0:8000 only inside a container).",
    ),
    SettingHelp(
        "GATEHOUSE_WEB_WORKERS",
        False,
        "CPU count (gunicorn config)",
        "Web worker processes under the shipped gunicorn config.",
    ),
    SettingHelp(
        "GATEHOUSE_WEB_THREADS",
        False,
        str(DEFAULT_WEB_THREADS),
        "Threads per web worker under the shipped gunicorn config (2 measured better than 4).",
    ),
    SettingHelp(
        "GATEHOUSE_ACCESS_LOG",
        False,
        "off",
        "- to have gunicorn log every request to stdout (deliveries are counted in /metrics).",
    ),
    SettingHelp(
        "GATEHOUSE_METRICS_BIND",
        False,
        DEFAULT_METRICS_BIND,
        "Address of the Prometheus /metrics listener, apart from webhooks; off to disable.",
    ),
    SettingHelp(
        "GATEHOUSE_OAUTH_CLIENT_ID",
        False,
        "none (register off)",
        "The App's client id: members of installing organisations sign in to /register.",
    ),
    SettingHelp(
        "GATEHOUSE_OAUTH_CLIENT_SECRET",
        False,
        "none (register off)",
        "A client secret of the App; set with the client id (the setup page saves both).",
    ),
    SettingHelp(
        "GATEHOUSE_REGISTRY_LOOKUP",
        False,
        "off",
        "on to ask package registries whether a newly added dependency exists and since when; "
        "it tells the registry which names a private change adds.",
    ),
    SettingHelp(
        "GATEHOUSE_PYPI_URL",
        False,
        "none",
        "Root of a PyPI-compatible JSON API for the look-up (<root>/pypi/<name>/json).",
    ),
    SettingHelp(
        "GATEHOUSE_NPM_URL",
        False,
        "none",
        "Root of an npm-compatible registry for the look-up (<root>/<name>).",
    ),
    SettingHelp(
        "GATEHOUSE_REGISTRY_CACHE_DIR",
        False,
        "none (no cache on disk)",
        "Directory where look-up answers are cached.",
    ),
    SettingHelp(
        "GATEHOUSE_REGISTRY_CACHE_TTL",
        False,
        "86400",
        "Seconds a cached look-up answer stays fresh.",
    ),
)
