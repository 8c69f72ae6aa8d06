"""JSON-lines logging for the ``reviewer`` logger: context on every record, secrets never.

* :func:`configure_logging` installs one stderr handler on the ``reviewer`` logger (and
  on ``huey`` / ``gunicorn.error`` so the service speaks one format).
* :func:`log_context` binds delivery id / repo / pr / head sha for the current thread or
  task; every record made inside carries them.
* A redaction filter rewrites anything token-like (GitHub tokens, JWTs, PEM blocks,
  Authorization headers, webhook signatures) before the record is formatted.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

__all__ = [
    "configure_logging",
    "unconfigure_logging",
    "json_handler",
    "log_context",
    "redact",
    "JsonFormatter",
    "RedactingFilter",
    "ContextFilter",
]

_CONTEXT_KEYS = ("delivery_id", "repo", "pr", "head_sha", "scan_id", "installation_id")
_context: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "gatehouse_log_context", default=MappingProxyType({})
)

_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.S
        ),
        "[REDACTED PEM]",
    ),
    (
        re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})"),
        "[REDACTED TOKEN]",
    ),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), "[REDACTED JWT]"),
    (
        re.compile(
            r"(?i)\b(authorization|proxy-authorization)(\"?\s*[:=]\s*\"?)"
            r"(bearer|token|basic)?\s*[^\s\",}]+"
        ),
        r"\1\2[REDACTED]",
    ),
    (re.compile(r"(?i)\b(sha256|sha1)=[0-9a-f]{32,}"), r"\1=[REDACTED]"),
    (
        re.compile(
            r"(?i)\b(secret|password|passwd|private_key|client_secret|webhook_secret|token)"
            r"(\"?\s*[:=]\s*\"?)[^\s\",}]+"
        ),
        r"\1\2[REDACTED]",
    ),
    (re.compile(r"(?i)(://[^:/\s@]+:)[^@\s/]+@"), r"\1[REDACTED]@"),
)


def redact(text: str) -> str:
    """``text`` with every token-like value replaced."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Bind context fields (delivery_id, repo, pr, head_sha, ...) for the enclosed code."""
    merged = {**_context.get(), **{k: v for k, v in fields.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


class ContextFilter(logging.Filter):
    """Copy the bound context onto each record (without overwriting explicit extras)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class RedactingFilter(logging.Filter):
    """Render the message now and strip secrets from it and from any traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, context fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in _CONTEXT_KEYS:
            value = getattr(record, key, None)
            if value is not None:
                out[key] = value
        if record.exc_text:
            out["exc"] = record.exc_text
        elif record.exc_info:
            out["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, default=str)


_handler: logging.Handler | None = None


def json_handler() -> logging.Handler | None:
    """The handler :func:`configure_logging` installed, if any."""
    return _handler


def configure_logging(level: str | int = "INFO", *, stream: Any = None) -> logging.Handler:
    """Install the JSON handler (idempotent: a second call replaces the first)."""
    global _handler
    handler = logging.StreamHandler(stream or sys.stderr)
    _handler = handler
    handler.set_name("gatehouse-json")
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    for name in ("reviewer", "huey", "gunicorn.error"):
        log = logging.getLogger(name)
        for old in [h for h in log.handlers if h.get_name() == "gatehouse-json"]:
            log.removeHandler(old)
        log.addHandler(handler)
        log.setLevel(level if name == "reviewer" else max(logging.INFO, _level(level)))
    return handler


def unconfigure_logging() -> None:
    """Remove the handler :func:`configure_logging` installed (for tests and tools)."""
    global _handler
    for name in ("reviewer", "huey", "gunicorn.error"):
        log = logging.getLogger(name)
        for old in [h for h in log.handlers if h.get_name() == "gatehouse-json"]:
            log.removeHandler(old)
    _handler = None


def _level(level: str | int) -> int:
    return level if isinstance(level, int) else logging.getLevelName(level.upper())
