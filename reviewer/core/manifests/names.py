"""Package-name comparison: canonical forms, edit distance, look-alike characters.

A typosquat is a name one slip away from a well-known one: one edit (two for long
names), a look-alike character (``rn``/``m``, ``l``/``1``/``I``, ``0``/``o``), a
separator moved or dropped (``-``, ``_``, ``.``), or an npm scope added, dropped or
misspelt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewer.core.manifests.model import Ecosystem

_PEP503 = re.compile(r"[-_.]+")
_SEPARATORS = re.compile(r"[-_.]+")

# Folded before lower-casing, so that a capital I looks like the l it imitates.
_CONFUSABLE_PAIRS = (("rn", "m"), ("vv", "w"), ("I", "l"), ("1", "l"), ("|", "l"), ("0", "o"))


def canonical(ecosystem: Ecosystem, name: str) -> str:
    """The form under which a registry treats two spellings as one package."""
    if ecosystem is Ecosystem.PYPI:
        return _PEP503.sub("-", name).lower()
    if ecosystem in (Ecosystem.NPM, Ecosystem.RUBYGEMS, Ecosystem.CARGO):
        return name.lower() if ecosystem is not Ecosystem.CARGO else name.lower().replace("_", "-")
    return name


def skeleton(name: str) -> str:
    """``name`` with look-alike characters folded and separators removed."""
    s = name
    for a, b in _CONFUSABLE_PAIRS:
        s = s.replace(a, b)
    s = s.lower().replace("rn", "m").replace("vv", "w")
    return _SEPARATORS.sub("", s.replace("@", "").replace("/", ""))


def damerau_levenshtein(a: str, b: str, limit: int = 3) -> int:
    """Optimal-string-alignment distance, or ``limit + 1`` once it is known to exceed ``limit``."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def allowed_distance(name: str) -> int:
    """Edits tolerated before two names count as different: 1, or 2 for long names."""
    n = len(name)
    if n < 5:
        return 0
    return 2 if n >= 12 else 1


@dataclass(frozen=True)
class NearMiss:
    """``name`` resembles the well-known ``target`` by ``how``."""

    name: str
    target: str
    how: str
    target_rank: int


def split_scope(name: str) -> tuple[str, str]:
    """``("@scope", "pkg")`` for ``@scope/pkg``, else ``("", name)``."""
    if name.startswith("@") and "/" in name:
        scope, _, rest = name.partition("/")
        return scope, rest
    return "", name
