"""Parse git-format unified diffs into a ChangeSet (with unidiff)."""

from __future__ import annotations

import re

import unidiff
from unidiff.errors import UnidiffParseError

from reviewer.core.changeset import ChangeSet, FileChange, FileStatus, Hunk, text_lines
from reviewer.errors import DiffError

_MODE = re.compile(r"^(old|new|new file|deleted file) mode (\d{6})\s*$", re.M)
_GIT_BINARY = "GIT binary patch"
_OCTAL = re.compile(rb"\\([0-7]{3})")
_ESCAPES = {b"\\t": b"\t", b"\\n": b"\n", b'\\"': b'"', b"\\\\": b"\\"}


def decode_diff(data: bytes | str, source: str = "diff") -> tuple[str, bool]:
    """Text of a diff and whether it held bytes that are not UTF-8.

    Invalid bytes survive as surrogate escapes, so a file written back with
    ``errors="surrogateescape"`` has its original bytes.
    """
    if isinstance(data, str):
        return data, False
    if b"\x00" in data[:8192] and not data.lstrip().startswith((b"diff", b"---", b"From")):
        raise DiffError(
            source,
            "this is binary data, not a unified diff",
            "pass the output of `git diff` or `git show`",
        )
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", "surrogateescape"), True


def split_lines(text: str) -> list[str]:
    """Lines of a diff, split at newlines only (with their endings).

    ``str.splitlines`` also breaks at U+2028, U+0085, form feeds and lone carriage returns:
    a change carrying one of those inside a line would no longer parse, and go unscanned.
    """
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def unquote_path(path: str) -> str:
    """Undo git's C-style quoting of paths with unusual characters."""
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        raw = path[1:-1].encode("utf-8", "surrogateescape")
        for k, v in _ESCAPES.items():
            raw = raw.replace(k, v)
        raw = _OCTAL.sub(lambda m: bytes([int(m.group(1), 8)]), raw)
        return raw.decode("utf-8", "surrogateescape")
    return path


def _strip_prefix(path: str) -> str:
    path = unquote_path(path.strip())
    if path.startswith(('"a/', '"b/')):
        path = unquote_path(path)
    if path[:2] in ("a/", "b/"):
        return path[2:]
    return path


def _modes(info: str) -> tuple[str | None, str | None]:
    old = new = None
    for kind, mode in _MODE.findall(info):
        if kind in ("old", "deleted file"):
            old = mode
        else:
            new = mode
    return old, new


def _line(value: str) -> str:
    return value.rstrip("\n").rstrip("\r")


def parse_diff(data: bytes | str, *, source: str = "diff") -> ChangeSet:
    """Parse a git-format unified diff.

    An empty diff is an empty ChangeSet. Anything that is not a diff raises
    :class:`DiffError` naming ``source``.
    """
    text, undecodable = decode_diff(data, source)
    if not text.strip():
        return ChangeSet(files=(), source=source)
    if _GIT_BINARY in text:
        text = _drop_binary_literals(text)
    try:
        patch = unidiff.PatchSet(split_lines(text))
    except UnidiffParseError as exc:
        raise DiffError(
            source,
            f"not a valid unified diff: {exc}",
            "pass the output of `git diff` or `git show`",
        ) from None
    if len(patch) == 0:
        raise DiffError(
            source,
            "no file headers found ('diff --git' or '---'/'+++')",
            "pass the output of `git diff` or `git show`",
        )
    files = []
    for pf in patch:
        files.append(_file_change(pf, undecodable))
    return ChangeSet(files=tuple(files), source=source)


def _drop_binary_literals(text: str) -> str:
    """Replace `git diff --binary` payloads by the plain 'Binary files differ' marker."""
    out: list[str] = []
    skipping = False
    for ln in split_lines(text):
        if ln.startswith(_GIT_BINARY):
            out.append("Binary files a/x and b/x differ\n")
            skipping = True
            continue
        if skipping:
            if ln.startswith("diff --git "):
                skipping = False
            else:
                continue
        out.append(ln)
    return "".join(out)


def _file_change(pf: unidiff.PatchedFile, undecodable: bool) -> FileChange:
    info = str(pf.patch_info or "")
    old_mode, new_mode = _modes(info)
    target = _strip_prefix(pf.target_file) if pf.target_file else ""
    src = _strip_prefix(pf.source_file) if pf.source_file else ""
    if pf.is_removed_file or target == "/dev/null" or target == "dev/null":
        status, path, old_path = FileStatus.DELETED, src, src
    elif pf.is_added_file or src in ("/dev/null", "dev/null"):
        status, path, old_path = FileStatus.ADDED, target, None
    elif pf.is_rename:
        status, path, old_path = FileStatus.RENAMED, target, src
    else:
        status, path, old_path = FileStatus.MODIFIED, target or src, None
    if not path:
        path = _strip_prefix(pf.path)
    added: dict[int, str] = {}
    context: dict[int, str] = {}
    removed: list[str] = []
    hunks: list[Hunk] = []
    file_undecodable = False
    for h in pf:
        hunks.append(Hunk(h.target_start, h.target_length, h.source_start, h.source_length))
        for ln in h:
            value = _line(ln.value)
            if undecodable and not file_undecodable:
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    file_undecodable = True
            if ln.is_added and ln.target_line_no is not None:
                added[ln.target_line_no] = value
            elif ln.is_context and ln.target_line_no is not None:
                context[ln.target_line_no] = value
            elif ln.is_removed:
                removed.append(value)
    return FileChange(
        path=path,
        status=status,
        old_path=old_path,
        binary=bool(pf.is_binary_file),
        old_mode=old_mode,
        new_mode=new_mode,
        hunks=tuple(hunks),
        added=added,
        context=context,
        removed=tuple(removed),
        undecodable=file_undecodable,
    )


_GITHUB_STATUS = {
    "added": FileStatus.ADDED,
    "removed": FileStatus.DELETED,
    "modified": FileStatus.MODIFIED,
    "renamed": FileStatus.RENAMED,
    "copied": FileStatus.ADDED,
    "changed": FileStatus.MODIFIED,
    "unchanged": FileStatus.MODIFIED,
}


def parse_file_patch(
    path: str,
    patch: str | None,
    *,
    status: str = "modified",
    previous_path: str | None = None,
    head_text: str | None = None,
    base_text: str | None = None,
    binary: bool = False,
) -> FileChange:
    """A FileChange from one entry of GitHub's "list pull request files" answer.

    ``patch`` is the hunks only (GitHub omits it for binary or very large files:
    pass ``head_text``/``base_text`` then, and the added lines are computed from them).
    """
    import dataclasses
    import difflib

    fstatus = _GITHUB_STATUS.get(status, FileStatus.MODIFIED)
    old = previous_path or path
    if patch is None and not binary and head_text is not None:
        base_lines = text_lines(base_text or "")
        head_lines = text_lines(head_text)
        patch = "".join(
            ln + "\n"
            for ln in list(difflib.unified_diff(base_lines, head_lines, lineterm="", n=3))[2:]
        )
    if binary or patch is None:
        return FileChange(
            path=path,
            status=fstatus,
            old_path=previous_path,
            binary=binary,
            head_text=head_text,
            base_text=base_text,
        )
    src = "/dev/null" if fstatus is FileStatus.ADDED else f"a/{old}"
    dst = "/dev/null" if fstatus is FileStatus.DELETED else f"b/{path}"
    header = f"diff --git a/{old} b/{path}\n--- {src}\n+++ {dst}\n"
    body = patch if patch.endswith("\n") else patch + "\n"
    if not patch.strip():
        return FileChange(
            path=path,
            status=fstatus,
            old_path=previous_path,
            head_text=head_text,
            base_text=base_text,
        )
    parsed = parse_diff(header + body, source=path).files[0]
    return dataclasses.replace(
        parsed,
        path=path,
        status=fstatus,
        old_path=previous_path,
        head_text=head_text,
        base_text=base_text,
    )
