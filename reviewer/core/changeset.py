"""ChangeSet: what a pull request changes, file by file, as the analyzers see it."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class FileStatus(enum.StrEnum):
    """How a file changed."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"


@dataclass(frozen=True)
class Hunk:
    """One hunk's span in the post-image (``new_start`` is 1-based)."""

    new_start: int
    new_length: int
    old_start: int
    old_length: int

    def contains(self, line: int) -> bool:
        return self.new_start <= line < self.new_start + max(self.new_length, 1)


@dataclass(frozen=True)
class FileChange:
    """One file of a change.

    ``added`` maps post-image line numbers to the added text (no line ending);
    ``context`` maps post-image line numbers of unchanged lines shown in the hunks.
    ``head_text``/``base_text`` are whole contents when a source knows them.
    """

    path: str
    status: FileStatus = FileStatus.MODIFIED
    old_path: str | None = None
    binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    hunks: tuple[Hunk, ...] = ()
    added: Mapping[int, str] = field(default_factory=dict)
    context: Mapping[int, str] = field(default_factory=dict)
    removed: tuple[str, ...] = ()
    head_text: str | None = None
    base_text: str | None = None
    undecodable: bool = False
    size_bytes: int | None = None
    content_sha256: str | None = None  # of the head bytes, when known (binary files)

    @property
    def added_line_numbers(self) -> frozenset[int]:
        return frozenset(self.added)

    @property
    def added_count(self) -> int:
        return len(self.added)

    @property
    def mode_changed(self) -> bool:
        return (
            self.old_mode is not None
            and self.new_mode is not None
            and self.old_mode != self.new_mode
        )

    def is_added_line(self, line: int) -> bool:
        return line in self.added

    def in_hunk(self, line: int) -> bool:
        """True when a review comment on ``line`` would land inside the diff."""
        return any(h.contains(line) for h in self.hunks)

    @property
    def whole_post_image(self) -> bool:
        """True when :meth:`post_image` is the whole file: its contents are known, or it is
        a new file (every line of it is in the diff). Otherwise it is rebuilt from hunks."""
        return self.head_text is not None or self.status is FileStatus.ADDED

    def post_image(self) -> str:
        """The best analysable post-image text, with the real line numbers.

        With the whole head contents, that text. With only hunks, every line the
        diff shows (added and context) at its own line number and blank lines in
        the gaps, so pattern rules see whole statements and report true lines.
        """
        if self.head_text is not None:
            return self.head_text
        known: dict[int, str] = dict(self.context)
        known.update(self.added)
        if not known:
            return ""
        last = max(known)
        return "\n".join(known.get(n, "") for n in range(1, last + 1)) + "\n"

    def added_text(self) -> str:
        return "\n".join(self.added[n] for n in sorted(self.added))


@dataclass(frozen=True)
class ChangeSet:
    """Every file a change touches, with whatever contents the source knew."""

    files: tuple[FileChange, ...]
    source: str = ""
    has_base: bool = False
    has_head: bool = False

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def get(self, path: str) -> FileChange | None:
        for f in self.files:
            if f.path == path:
                return f
        return None

    @property
    def added_lines(self) -> int:
        return sum(f.added_count for f in self.files)


def text_lines(text: str) -> list[str]:
    """A file's lines as line numbers count them: split at ``\\n`` only.

    ``str.splitlines`` also splits at U+2028, U+0085, form feeds and lone ``\\r``, which
    would shift every later line number (and put findings on the wrong lines).
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
