"""Running the semgrep executable offline: where it is, the minimal environment it gets, the
config built from the rules, and its memory bound."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

OFFLINE_FLAGS = ("--metrics=off", "--disable-version-check")


def semgrep_binary() -> str:
    """The semgrep executable next to this interpreter, else the one on PATH."""
    here = Path(sys.executable).parent / "semgrep"
    if here.exists():
        return str(here)
    found = shutil.which("semgrep")
    if not found:
        raise FileNotFoundError(
            "semgrep is not installed: run `pip install semgrep` (or `make dev`)"
        )
    return found


_CONFIG_CACHE: dict[tuple[str, ...], str] = {}


def config_text(ids: tuple[str, ...], rules: list[dict[str, Any]]) -> str:
    """The rules as one semgrep config (JSON is YAML), built once per set of rules."""
    text = _CONFIG_CACHE.get(ids)
    if text is None:
        text = json.dumps({"rules": rules})
        if len(_CONFIG_CACHE) > 16:
            _CONFIG_CACHE.clear()
        _CONFIG_CACHE[ids] = text
    return text


# Passed on to the tool when set; nothing else of the service's environment (webhook secret,
# database URL, App key) ever reaches it.
_PASSED_ENV = ("PATH", "LANG", "LC_ALL", "TMPDIR")
# A rule that never matches and applies to every file (regex "language"), so that every target
# semgrep reads is listed in its JSON ``paths.scanned``; a target missing there was not read.
COVERAGE_RULE: dict[str, Any] = {
    "id": "gatehouse-coverage-sentinel",
    "languages": ["regex"],
    "severity": "INFO",
    "message": "never matches",
    "pattern-regex": "(?!)",
}


def semgrep_env(home: Path | None = None) -> dict[str, str]:
    """A minimal environment for semgrep: PATH, the locale, a private HOME (no settings or
    login token of the service's user) and the switches that keep it offline."""
    if home is None:
        home = Path(tempfile.gettempdir()) / f"gatehouse-semgrep-home-{os.getuid()}"
        home.mkdir(mode=0o700, exist_ok=True)
    env = {k: os.environ[k] for k in _PASSED_ENV if k in os.environ}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    env["HOME"] = str(home)
    env["SEMGREP_ENABLE_VERSION_CHECK"] = "0"
    env["SEMGREP_SEND_METRICS"] = "off"
    return env


def memory_flag(limit_bytes: int) -> list[str]:
    """semgrep's own memory bound (MiB, per file it analyses): the in-process analyzers' limit
    applies to semgrep too; a file that needs more is reported as an error, never passed."""
    return ["--max-memory", str(max(limit_bytes >> 20, 64))] if limit_bytes else []
