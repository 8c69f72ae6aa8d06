"""The lines a change added to a file, as the line heuristics read them, and text measures."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

from reviewer.core.analyzers.base import AnalysisFile, clip_line
from reviewer.core.changeset import text_lines

__all__ = ["iter_added", "iter_added_whole", "shannon_entropy"]


def iter_added(file: AnalysisFile) -> Iterator[tuple[int, str]]:
    """(post-image line, text) of every line the change added, in order.

    A file known only by its whole contents (a new file fetched as a blob, or the
    base version the engine re-scans to drop pre-existing findings) yields every line.
    Lines are cut at MAX_LINE_CHARS: the line heuristics never read past it (the line itself
    is reported as ``overlong-line`` by this analyzer).
    """
    for n, text in iter_added_whole(file):
        yield n, clip_line(text)


def iter_added_whole(file: AnalysisFile) -> Iterator[tuple[int, str]]:
    """:func:`iter_added` without the cut at MAX_LINE_CHARS."""
    change = file.change
    if change.added:
        for n in sorted(change.added):
            yield n, change.added[n]
    elif change.head_text is not None:
        for n, text in enumerate(text_lines(change.head_text), 1):
            yield n, text


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text``."""
    if not text:
        return 0.0
    counts = Counter(text)
    size = len(text)
    return -sum(c / size * math.log2(c / size) for c in counts.values())
