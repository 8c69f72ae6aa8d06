"""The lines of a changed file a parser may read, and which of them the change added."""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.core.analyzers.base import MAX_LINE_CHARS, clip_line
from reviewer.core.changeset import FileChange, FileStatus, text_lines


@dataclass(frozen=True)
class KnownLines:
    """Post-image lines known for one file: all of them, or only those the hunks show."""

    lines: dict[int, str]
    added: frozenset[int]
    whole: bool
    full_text: str | None = None  # the unclipped text, for whole-file parsers

    def ordered(self) -> list[tuple[int, str]]:
        return sorted(self.lines.items())

    def text(self) -> str:
        if self.full_text is not None:
            return self.full_text
        return "\n".join(t for _, t in self.ordered()) + "\n"


def known_lines(change: FileChange) -> KnownLines:
    """Lines of ``change``'s post-image with their real numbers.

    The whole file is known when the source gave head contents, or when the
    change adds the file (every line is then in the diff).
    """
    if change.head_text is not None:
        full = dict(enumerate(text_lines(change.head_text), start=1))
        added = (
            frozenset(change.added)
            if change.added
            else (frozenset(full) if change.status is FileStatus.ADDED else frozenset())
        )
        return _clipped(full, added, True)
    full = dict(change.context)
    full.update(change.added)
    whole = (
        change.status is FileStatus.ADDED
        and not change.context
        and bool(change.added)
        and min(change.added) == 1
        and len(change.added) == max(change.added)
    )
    return _clipped(full, frozenset(change.added), whole)


def _clipped(full: dict[int, str], added: frozenset[int], whole: bool) -> KnownLines:
    """Lines cut at MAX_LINE_CHARS for the line checks; the whole text kept for parsers."""
    if all(len(t) <= MAX_LINE_CHARS for t in full.values()):
        return KnownLines(full, added, whole)
    text = "\n".join(t for _, t in sorted(full.items())) + "\n"
    return KnownLines({n: clip_line(t) for n, t in full.items()}, added, whole, text)


def is_gap(prev: int | None, n: int) -> bool:
    """True when lines between ``prev`` and ``n`` are unknown (a hunk boundary)."""
    return prev is not None and n != prev + 1
