"""The lines of a changed file a parser may read, and which of them the change added."""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.core.changeset import FileChange, FileStatus
from reviewer.core.changeset import text_lines


@dataclass(frozen=True)
class KnownLines:
    """Post-image lines known for one file: all of them, or only those the hunks show."""

    lines: dict[int, str]
    added: frozenset[int]
    whole: bool

    def ordered(self) -> list[tuple[int, str]]:
        return sorted(self.lines.items())

    def text(self) -> str:
        return "\n".join(t for _, t in self.ordered()) + "\n"


def known_lines(change: FileChange) -> KnownLines:
    """Lines of ``change``'s post-image with their real numbers.

    The whole file is known when the source gave head contents, or when the
    change adds the file (every line is then in the diff).
    """
    if change.head_text is not None:
        lines = dict(enumerate(text_lines(change.head_text), start=1))
        added = frozenset(change.added) if change.added else (
            frozenset(lines) if change.status is FileStatus.ADDED else frozenset())
        return KnownLines(lines, added, True)
    lines = dict(change.context)
    lines.update(change.added)
    whole = change.status is FileStatus.ADDED and not change.context and bool(change.added) and \
        min(change.added) == 1 and len(change.added) == max(change.added)
    return KnownLines(lines, frozenset(change.added), whole)


def is_gap(prev: int | None, n: int) -> bool:
    """True when lines between ``prev`` and ``n`` are unknown (a hunk boundary)."""
    return prev is not None and n != prev + 1
