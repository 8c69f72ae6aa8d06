"""Where a character stands in its line (string, comment, words around it, foreign text) and
the words of the whole change, which decide whether it is ordinary text or a trick."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from reviewer.core.analyzers.base import AnalysisFile
from reviewer.core.analyzers.unicode.chars import (
    BIDI_NAMES,
    CONFUSABLE,
    FILLERS,
    HANGUL,
    WORD,
    WORD_RUN,
    ZERO_WIDTH,
)
from reviewer.core.findings import Severity


@dataclass(frozen=True)
class Hit:
    rule_id: str
    severity: Severity
    line: int
    what: str
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FileKind:
    agent: bool
    code: bool
    prose: bool


def neighbours(line: str, i: int) -> tuple[str, str]:
    return (line[i - 1] if i > 0 else ""), (line[i + 1] if i + 1 < len(line) else "")


def is_in_text(line: str, i: int) -> bool:
    """True when position ``i`` of a code line sits inside a string literal or a line comment."""
    return bool(text_kind(line, i))


def text_kind(line: str, i: int) -> str:
    """ "string" or "comment" when position ``i`` of a code line is inside one, else ""."""
    los, his, kinds = _text_spans(line)
    k = bisect.bisect_left(los, i) - 1
    return kinds[k] if k >= 0 and i <= his[k] else ""


@functools.lru_cache(maxsize=64)
def _text_spans(line: str) -> tuple[list[int], list[int], list[str]]:
    """The line's strings and comment, scanned once: positions ``lo < i <= hi`` of each span are
    inside it (a string from its opening quote to its closing one; a comment to the end).

    Once per line, not once per character asked about: a line of 4,000 invisible characters
    asked 4,000 times over its whole length."""
    los: list[int] = []
    his: list[int] = []
    kinds: list[str] = []
    quote, start, j, size = "", 0, 0, len(line)
    while j < size:
        ch = line[j]
        if quote:
            if ch == "\\":
                j += 1
            elif ch == quote:
                los.append(start)
                his.append(j)
                kinds.append("string")
                quote = ""
        elif ch in "\"'`":
            quote, start = ch, j
        elif (ch == "#" and line[j + 1 : j + 2] in ("", " ", "#", "!")) or line.startswith("//", j):
            los.append(j)
            his.append(size)
            kinds.append("comment")
            return los, his, kinds
        j += 1
    if quote:
        los.append(start)
        his.append(size)
        kinds.append("string")
    return los, his, kinds


@functools.lru_cache(maxsize=64)
def visible_foreign(line: str) -> int:
    """How many visible non-ASCII characters a line holds (text or a character table, not names)."""
    return sum(
        1
        for ch in line
        if ord(ch) > 0x7F
        and ord(ch) not in ZERO_WIDTH
        and ord(ch) not in FILLERS
        and ord(ch) not in BIDI_NAMES
        and ch.isprintable()
    )


@functools.lru_cache(maxsize=64)
def has_hangul(line: str) -> bool:
    return bool(HANGUL.search(line))


@functools.lru_cache(maxsize=64)
def accented_letters(line: str) -> int:
    """Non-ASCII letters on a line that imitate no Latin letter (é, ø, ñ): visibly foreign text."""
    return sum(1 for ch in line if ord(ch) > 0x7F and ch.isalpha() and ch not in CONFUSABLE)


def word_at(line: str, word: str) -> int:
    """Where ``word`` first occurs in ``line`` as a whole word (0 when not found)."""
    return _word_starts(line).get(word, 0)


@functools.lru_cache(maxsize=64)
def _word_starts(line: str) -> dict[str, int]:
    """First position of each whole word (a maximal run of word characters) of a line."""
    starts: dict[str, int] = {}
    for m in WORD_RUN.finditer(line):
        starts.setdefault(m.group(), m.start())
    return starts


class ChangeWords:
    """ASCII identifiers of every file in the change, collected on first use."""

    def __init__(self, files: Sequence[AnalysisFile]) -> None:
        self._files = files
        self._words: set[str] | None = None

    def get(self) -> set[str]:
        if self._words is None:
            self._words = {w for f in self._files for w in WORD.findall(f.text) if w.isascii()}
        return self._words
