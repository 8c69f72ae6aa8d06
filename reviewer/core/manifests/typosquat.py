"""Find the well-known package a new dependency name is one slip away from."""

from __future__ import annotations

import functools
from collections import defaultdict

from reviewer.core.manifests.model import Ecosystem
from reviewer.core.manifests.names import (
    NearMiss,
    allowed_distance,
    canonical,
    damerau_levenshtein,
    skeleton,
    split_scope,
)
from reviewer.core.manifests.toplists import TopList, top_list

_LONG = 12
# Attackers imitate packages people install often; a near-miss of a rarely used name is
# more often an unrelated sibling. Ranks are positions in the shipped top list.
ONE_EDIT_RANK = 3000
TWO_EDITS_RANK = 1000


class NearMissIndex:
    """Lookup structures over one top list: deletion neighbours, skeletons, npm scopes."""

    def __init__(self, top: TopList) -> None:
        self.top = top
        eco = top.ecosystem
        self._deletes: dict[str, list[str]] = defaultdict(list)
        self._skeletons: dict[str, str] = {}
        self._long: dict[int, list[str]] = defaultdict(list)
        self._scopes: dict[str, list[str]] = defaultdict(list)
        self._canon_to_name: dict[str, str] = {}
        # Edits change a name by two characters at most, so a longer name is no edit away from
        # any top name (and its deletion neighbours would cost the square of its length).
        self._longest = max((len(canonical(eco, n)) for n in top.names), default=0) + 2
        for name in top.names:
            c = canonical(eco, name)
            if c in self._canon_to_name:
                continue
            self._canon_to_name[c] = name
            self._skeletons.setdefault(skeleton(c), c)
            scope, bare = split_scope(c)
            if scope:
                self._scopes[scope].append(bare)
            rank = top.rank[c]
            if allowed_distance(bare) == 0 or rank >= ONE_EDIT_RANK:
                continue
            for d in _deletions(c) | {c}:
                self._deletes[d].append(c)
            if len(c) >= _LONG and rank < TWO_EDITS_RANK:
                self._long[len(c)].append(c)

    def near_miss(self, name: str) -> NearMiss | None:
        """The most-used top package ``name`` imitates, or None (also None for top names)."""
        eco = self.top.ecosystem
        c = canonical(eco, name)
        if c in self.top.rank:
            return None
        hits: list[tuple[int, str, str]] = []
        sk = skeleton(c)
        if (
            sk in self._skeletons
            and len(sk) >= 4
            and self.top.rank[self._skeletons[sk]] < ONE_EDIT_RANK
        ):
            t = self._skeletons[sk]
            how = "separators" if _SEP_ONLY(c, t) else "look-alike characters"
            if not (t.startswith("@") and not c.startswith("@")):  # babel-x -> @babel/x migrations
                hits.append((self.top.rank[t], t, how))
        edits = len(c) <= self._longest
        for t in {
            t for d in ({c} | (_deletions(c) if edits else set())) for t in self._deletes.get(d, ())
        }:
            if t != c and damerau_levenshtein(c, t, 1) <= 1 and _distinct_enough(c, t):
                hits.append((self.top.rank[t], t, "one edit"))
        if _LONG <= len(c) <= self._longest:
            for length in range(len(c) - 2, len(c) + 3):
                for t in self._long.get(length, ()):
                    if damerau_levenshtein(c, t, 2) <= 2 and _distinct_enough(c, t):
                        hits.append((self.top.rank[t], t, "two edits"))
        if eco is Ecosystem.NPM:
            hits.extend(self._scope_hits(c))
        if not hits:
            return None
        rank, target, how = min(hits)
        return NearMiss(name, self._canon_to_name.get(target, target), how, rank)

    def _scope_hits(self, c: str) -> list[tuple[int, str, str]]:
        scope, bare = split_scope(c)
        hits: list[tuple[int, str, str]] = []
        if not scope:
            return hits
        if scope not in self._scopes:
            sk = skeleton(scope)
            for known, members in self._scopes.items():
                limit = allowed_distance(known[1:])
                if limit and (
                    skeleton(known) == sk
                    or damerau_levenshtein(scope[1:], known[1:], limit) <= limit
                ):
                    t = f"{known}/{bare}" if bare in members else f"{known}/{members[0]}"
                    hits.append((self.top.rank[t], t, "a misspelt scope"))
        return hits


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _SEP_ONLY(a: str, b: str) -> bool:
    strip = str.maketrans("", "", "-_.@/")
    return a.translate(strip) == b.translate(strip)


def _distinct_enough(candidate: str, target: str) -> bool:
    """False for pairs that differ only by a trailing version digit or a plural.

    For example ``foo2`` or ``foos`` next to ``foo``.
    """
    if _same_owner(candidate, target):
        return False  # only the owner of a scope or account can publish beside it
    if _strip_digits(candidate) == _strip_digits(target):
        return False  # python3-x / x2 / arm64: a version or platform sibling
    short, long_ = sorted((candidate, target), key=len)
    if long_.startswith(short) and long_[len(short) :] in ("2", "3", "4", "5", "js", "-js", ".js"):
        return False  # a version or platform suffix names a sibling package, not an imitation
    return allowed_distance(split_scope(target)[1]) > 0


def _same_owner(a: str, b: str) -> bool:
    """Same npm scope, or same host/owner of a Go module path."""
    if a.startswith("@") and "/" in a:
        return a.split("/", 1)[0] == b.split("/", 1)[0]
    pa, pb = a.split("/"), b.split("/")
    return len(pa) >= 3 and len(pb) >= 3 and pa[:2] == pb[:2] and "." in pa[0]


def _strip_digits(name: str) -> str:
    return "".join(ch for ch in name if not ch.isdigit())


@functools.cache
def index_for(ecosystem: Ecosystem) -> NearMissIndex | None:
    top = top_list(ecosystem)
    return NearMissIndex(top) if top is not None else None
