"""Where a ChangeSet comes from on a developer's machine: a diff file, stdin, a git range."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from reviewer.core.changeset import ChangeSet, FileChange, FileStatus
from reviewer.core.diff import parse_diff
from reviewer.errors import DiffError, SourceError

MAX_DIFF_BYTES = 200_000_000


def from_diff_file(path: str) -> ChangeSet:
    """A ChangeSet from a diff file, or from stdin when ``path`` is ``-``."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_DIFF_BYTES + 1)
        name = "stdin"
    else:
        p = Path(path)
        if not p.is_file():
            raise DiffError(path, "no such file", "give the path of a diff, or `-` for stdin")
        if p.stat().st_size > MAX_DIFF_BYTES:
            raise DiffError(path, f"larger than {MAX_DIFF_BYTES} bytes", "scan a smaller range")
        data = p.read_bytes()
        name = path
    if len(data) > MAX_DIFF_BYTES:
        raise DiffError(name, f"larger than {MAX_DIFF_BYTES} bytes", "scan a smaller range")
    return parse_diff(data, source=name)


def _git(repo: Path, *args: str, check: bool = True) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise SourceError("git is not installed: install git to scan a repository range") from None
    if check and proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise SourceError(f"{repo}: git {' '.join(args[:2])} failed: {msg[0]}")
    return proc.stdout


def _blob(repo: Path, rev: str, path: str) -> str | None:
    proc = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "blob", f"{rev}:{path}"],
        capture_output=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        return None
    data = proc.stdout
    if b"\x00" in data[:8192]:
        return None
    return data.decode("utf-8", "surrogateescape")


def commits_between(repo: str, base: str, head: str) -> list[tuple[str, str]]:
    """``(sha, message)`` of every commit in ``base..head``, oldest first."""
    out = _git(Path(repo), "log", "--reverse", "--format=%H%x00%B%x1e", f"{base}..{head}")
    commits = []
    for record in out.decode("utf-8", "replace").split("\x1e"):
        sha, _, message = record.strip("\n").partition("\x00")
        if sha:
            commits.append((sha, message))
    return commits


def from_git(repo: str, base: str, head: str) -> ChangeSet:
    """A ChangeSet for ``base..head`` of a local repository, with whole contents at both ends."""
    root = Path(repo)
    if not (root / ".git").exists() and not _git(root, "rev-parse", "--git-dir", check=False):
        raise SourceError(f"{repo}: not a git repository (give --repo the folder of a clone)")
    for rev in (base, head):
        _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    diff = _git(root, "diff", "--no-color", "--no-ext-diff", "-M", "--full-index", base, head, "--")
    cs = parse_diff(diff, source=f"{repo}@{base}..{head}")
    files: list[FileChange] = []
    for f in cs.files:
        if f.binary:
            files.append(f)
            continue
        head_text = None if f.status is FileStatus.DELETED else _blob(root, head, f.path)
        base_path = f.old_path or f.path
        base_text = None if f.status is FileStatus.ADDED else _blob(root, base, base_path)
        files.append(dataclasses.replace(f, head_text=head_text, base_text=base_text))
    return ChangeSet(files=tuple(files), source=cs.source, has_base=True, has_head=True)
