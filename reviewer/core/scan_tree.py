"""The scratch tree an analyzer's tool reads: PR files under safe names, never its configuration.

A pull request chooses its paths, so a path is data, never a file name to trust. Each file is
written under a name built from its path: every folder or file name that is plain ASCII and
reads as nothing a tool would treat specially is kept (rules that look at names, such as
``setup.py`` or ``tests/``, still see them); any other name (a dotfile such as
``.semgrepignore``, a tool's config such as ``zizmor.yml``, ``..``, a backslash, a control
character, a name too long for a disk, a leading dash) becomes ``=`` plus a hash of the name,
keeping a plain extension for language detection. Names that still collide (case-only twins,
a file that is also a folder) go to the top as ``=f`` plus a hash of the whole path. Generated
names contain ``=``, which a kept name never does, so they cannot collide with kept ones.

A file that cannot be written is skipped with a reason, never a reason to stop the others.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.core.findings import Skipped, SkipReason

__all__ = ["CONFIG_NAMES", "ScanTree", "plan_names", "write_targets"]

# Names a tool we run reads as its configuration or ignore list wherever it finds them (dotfiles
# such as .semgrepignore, .gitignore, .semgrep.yml and the .semgrep/ folder are never kept at all).
CONFIG_NAMES = frozenset({"zizmor.yml", "zizmor.yaml", "semgrep.yml", "semgrep.yaml"})
_KEEP = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+@-]{0,99}")  # no leading dot or dash, no '='
_EXT = re.compile(r"\.[A-Za-z0-9_+-]{1,16}")
_MAX_PATH_BYTES = 1024


@dataclass
class ScanTree:
    """What was written: ``{written path: PR path}`` and the files that could not be."""

    names: dict[str, str] = field(default_factory=dict)
    failed: list[Skipped] = field(default_factory=list)

    def written(self) -> list[str]:
        return sorted(self.names)


def _digest(text: str, n: int = 20) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:n]


def _extension(name: str) -> str:
    """The last extension of ``name`` when it is plain (``.py``, ``.yml``), else ''."""
    dot = name.rfind(".")
    if dot <= 0:
        return ""
    ext = name[dot:]
    return ext if _EXT.fullmatch(ext) else ""


def _kept(part: str) -> bool:
    """A name written as is: plain, not a tool's config, not one semgrep refuses to scan even
    when asked (``*.min.js``-style names: exactly where a payload hides)."""
    low = part.lower()
    pieces = low.split(".")
    minified = len(pieces) >= 3 and pieces[-2] == "min"
    return (
        bool(_KEEP.fullmatch(part))
        and low not in CONFIG_NAMES
        and not part.endswith(".")
        and not minified
    )


def _component(part: str, *, last: bool) -> str:
    if _kept(part):
        return part
    return "=" + _digest(part) + (_extension(part) if last else "")


def _flat(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return "=f" + _digest(path, 32) + _extension(name)


def plan_names(paths: Iterable[str]) -> dict[str, str]:
    """``{PR path: written relative path}``: deterministic, collision-free, never a config name.

    PR paths use ``/`` between folders (as git does); nothing in a written path is ``..``.
    Linear in the total length of the paths.
    """
    plan: dict[str, str] = {}
    tree: dict[str, Any] = {}  # case-folded names: folder -> dict, file -> _FILE
    for path in paths:
        if path in plan:
            continue
        parts = path.split("/")
        rel = "/".join(_component(p, last=i == len(parts) - 1) for i, p in enumerate(parts))
        if "" in parts or len(rel.encode("utf-8")) > _MAX_PATH_BYTES or not _claim(tree, rel):
            rel = _flat(path)
            _claim(tree, rel)  # a hash of a distinct path: free unless sha256 collides
        plan[path] = rel
    return plan


_FILE = object()


def _claim(tree: dict[str, Any], rel: str) -> bool:
    """Record ``rel`` as a file; False (and nothing recorded) when it is taken, case aside, or
    when one of its folders is already a file or the file is already a folder."""
    node = tree
    *folders, name = rel.casefold().split("/")
    for part in folders:
        nxt = node.get(part)
        if nxt is _FILE:
            return False
        node = nxt if nxt is not None else {}
    if name in node:
        return False
    node = tree
    for part in folders:
        node = node.setdefault(part, {})
    node[name] = _FILE
    return True


def write_targets(root: Path, files: dict[str, str], *, analyzer: str) -> ScanTree:
    """Write ``{PR path: text}`` under ``root`` by :func:`plan_names`; a file that cannot be
    written is listed as skipped (``write-error``) and the others go on."""
    tree = ScanTree()
    for original, rel in plan_names(files).items():
        dest = root / rel
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            data = files[original].encode("utf-8", "surrogateescape")
            fd = os.open(
                dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
            )
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except (OSError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            tree.failed.append(
                Skipped(
                    original,
                    SkipReason.WRITE_ERROR,
                    f"could not be written for {analyzer}: {why}",
                    analyzer,
                )
            )
            continue
        tree.names[rel] = original
    return tree
