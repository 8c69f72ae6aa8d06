"""Materialise PR files into a private work directory without trusting their paths."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def safe_relpath(path: str) -> PurePosixPath:
    """A relative path that cannot leave its work directory.

    ``..``, absolute paths, backslashes and control characters are neutralised;
    the result is deterministic so findings map back to the original path.
    """
    parts = []
    for raw in path.replace("\\", "/").split("/"):
        part = _UNSAFE.sub("_", raw)
        if part in ("", ".", ".."):
            continue
        if len(part.encode("utf-8", "surrogateescape")) > 200:
            digest = hashlib.sha256(part.encode("utf-8", "surrogateescape")).hexdigest()[:16]
            part = part[:100] + "-" + digest
        parts.append(part)
    if not parts:
        parts = ["_unnamed"]
    return PurePosixPath(*parts)


def write_tree(
    root: Path, files: dict[str, str], rename: Callable[[str], str] | None = None
) -> dict[str, str]:
    """Write ``{path: text}`` under ``root``; returns ``{written relpath: original path}``.

    ``rename`` may change the name a file is written under (never its folder's safety).
    """
    mapping: dict[str, str] = {}
    root_resolved = root.resolve()
    for original, text in files.items():
        rel = safe_relpath(rename(original) if rename else original)
        key = rel.as_posix()
        n = 1
        while key in mapping:  # two PR paths that sanitise to one name
            n += 1
            key = (rel.parent / f"{n}_{rel.name}").as_posix()
        dest = (root / key).resolve()
        if root_resolved not in dest.parents:
            raise ValueError(f"refusing to write outside the work directory: {original!r}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest, "w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
            fh.write(text)
        os.chmod(dest, 0o600)
        mapping[key] = original
    return mapping
