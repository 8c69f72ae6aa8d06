"""The most-used package names of each ecosystem, shipped as data in checks/data/top-packages."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from checks import DATA_DIR
from reviewer.core.manifests.model import Ecosystem
from reviewer.core.manifests.names import canonical

TOP_DIR = DATA_DIR / "top-packages"


@dataclass(frozen=True)
class TopList:
    """Ranked names of one ecosystem (rank 0 is the most used), keyed by canonical form."""

    ecosystem: Ecosystem
    names: tuple[str, ...]
    rank: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def build(cls, ecosystem: Ecosystem, names: list[str]) -> TopList:
        rank: dict[str, int] = {}
        for i, n in enumerate(names):
            rank.setdefault(canonical(ecosystem, n), i)
        return cls(ecosystem, tuple(names), rank)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and canonical(self.ecosystem, name) in self.rank

    def rank_of(self, name: str) -> int | None:
        return self.rank.get(canonical(self.ecosystem, name))


def read_list(path: Path) -> list[str]:
    """Names in a data file: one per line, ``#`` lines are its header."""
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.append(line)
    return names


@functools.cache
def top_list(ecosystem: Ecosystem, root: Path = TOP_DIR) -> TopList | None:
    """The shipped list for ``ecosystem``, or None when Gatehouse has none for it."""
    path = root / f"{ecosystem.value}.txt"
    if not path.is_file():
        return None
    return TopList.build(ecosystem, read_list(path))
