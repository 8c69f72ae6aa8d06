"""The agent data file (``checks/data/agent-files.yml``): which paths are agent instruction
files, which commands are agent CLIs and which of their flags turn approval off."""

from __future__ import annotations

import fnmatch
import functools
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from checks import DATA_DIR

_DATA_FILE = "agent-files.yml"


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    path = DATA_DIR / _DATA_FILE
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(
            f"{path}: cannot load agent-file data ({exc}); reinstall the checks pack"
        ) from None
    if not isinstance(doc, dict) or "instruction" not in doc:
        raise ValueError(
            f"{path}: expected mappings 'instruction', 'config', 'ignore' and lists of CLIs"
        )
    return doc


@functools.lru_cache(maxsize=1)
def _kind_matchers() -> tuple[tuple[str, frozenset[str], re.Pattern[str] | None], ...]:
    out = []
    for kind in ("instruction", "config", "ignore"):
        entry = _data().get(kind) or {}
        names = frozenset(str(n) for n in entry.get("names", ()))
        globs = [fnmatch.translate(str(g).lower()) for g in entry.get("globs", ())]
        globs += [fnmatch.translate("*/" + str(g).lower()) for g in entry.get("globs", ())]
        out.append((kind, names, re.compile("|".join(globs)) if globs else None))
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def agent_file_kind(path: str) -> str | None:
    """``instruction``, ``config`` or ``ignore`` for files AI coding agents read, else None."""
    clean = path.replace("\\", "/")
    if clean.startswith("./"):
        clean = clean[2:]
    lower = clean.lower()
    name = posixpath.basename(clean)
    for kind, names, globs in _kind_matchers():
        # Names match exactly (agents look for AGENTS.md, not docs/agents.md); dotfiles in any case.
        if (
            name in names
            or (name.startswith(".") and name.lower() in names)
            or (globs is not None and globs.match(lower))
        ):
            return kind
    return None


@dataclass(frozen=True)
class _Flags:
    distinctive: re.Pattern[str]
    generic: re.Pattern[str]
    cli_pattern: re.Pattern[str]


@functools.lru_cache(maxsize=1)
def agent_flags() -> _Flags:
    data = _data()
    clis = sorted(data.get("agent_clis", ()), key=len, reverse=True)
    long_names = "|".join(re.escape(c) for c in clis if len(c) > 2)
    short_names = "|".join(re.escape(c) for c in clis if len(c) <= 2)
    parts = [rf"(?:^|[\s\"'`(\[,;|&/=])(?:{long_names})(?=[\s\"'`),\]]|$)"]
    if short_names:
        parts.append(rf"[\"'`](?:{short_names})[\"'`]|(?:^|[\s;|&])(?:{short_names})\s+chat\b")

    def alternation(flags: Sequence[str]) -> re.Pattern[str]:
        body = "|".join(re.escape(f) for f in sorted(flags, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])" if body else r"(?!)")

    return _Flags(
        distinctive=alternation(data.get("bypass_flags_distinctive", ())),
        generic=alternation(data.get("bypass_flags_generic", ())),
        cli_pattern=re.compile("|".join(parts)),
    )
