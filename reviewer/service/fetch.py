"""Collect what a pull request changes from GitHub into a ChangeSet for the core.

PR metadata and commits; the changed files (paginated, up to GitHub's 3,000);
contents at head and at the merge base (the baseline for "new"); a file whose
``patch`` GitHub omits is read as a blob and diffed, never taken as unchanged;
binary and huge files are reported as not analysed. When the PR is small, each
intermediate commit's additions are collected too, so code added in one commit
and removed in a later one is still seen. PR paths are data: they are only used
as keys and URL components, never as filesystem paths here.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from reviewer.core.analyzers.base import ScanOptions
from reviewer.core.changeset import ChangeSet, FileChange, FileStatus
from reviewer.core.diff import parse_file_patch
from reviewer.core.findings import Skipped, SkipReason
from reviewer.errors import DiffError
from reviewer.service.github_client import (
    MAX_PR_COMMITS,
    MAX_PR_FILES,
    PullCommit,
    PullFile,
    PullRequest,
)

__all__ = ["FetchLimits", "FetchedChange", "CommitChange", "fetch_change"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchLimits:
    """How much of a PR is fetched."""

    max_files: int = MAX_PR_FILES
    max_content_files: int = 300  # files fetched whole (head + merge base); the rest by patch only
    max_file_bytes: int = ScanOptions().max_file_bytes  # the core's limit, one default
    per_commit_max_commits: int = 20  # scan each commit when the PR has at most this many...
    per_commit_max_files: int = 100  # ...and at most this many changed files


class _Source(Protocol):
    def list_pull_files(self, repo: str, number: int, *, limit: int = ...) -> list[PullFile]: ...
    def list_pull_commits(self, repo: str, number: int) -> list[PullCommit]: ...
    def merge_base(self, repo: str, base: str, head: str) -> str | None: ...
    def get_blob(self, repo: str, sha: str) -> bytes: ...
    def get_content(self, repo: str, path: str, *, ref: str | None = None) -> bytes | None: ...
    def get_commit_files(self, repo: str, sha: str) -> list[PullFile]: ...


@dataclass
class FetchedChange:
    """A PR's change as the core sees it, plus what could not be collected."""

    pr: PullRequest
    commits: list[PullCommit]
    merge_base: str
    changeset: ChangeSet
    not_analysed: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    intermediate: tuple[CommitChange, ...] = ()  # the commits before the last, one by one
    patchless: set[str] = field(
        default_factory=set
    )  # GitHub showed no diff: no inline comments there

    @property
    def hunks_by_path(self) -> dict[str, FileChange]:
        return {f.path: f for f in self.changeset.files}


def _decode(data: bytes) -> tuple[str | None, bool]:
    """Text of a blob (None for binary) and whether some bytes were not UTF-8."""
    if b"\x00" in data[:8192]:
        return None, False
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", "surrogateescape"), True


def fetch_change(
    client: _Source,
    pr: PullRequest,
    *,
    limits: FetchLimits | None = None,
    ignore_paths: Sequence[str] = (),
    client_factory: Callable[[], _Source] | None = None,
    workers: int = 8,
) -> FetchedChange:
    """Everything Gatehouse needs to scan ``pr`` (its head as reported by GitHub).

    With ``client_factory``, file contents are fetched by ``workers`` threads, each
    with a client of its own.
    """
    import fnmatch

    limits = limits or FetchLimits()
    repo = pr.repo
    commits = client.list_pull_commits(repo, pr.number)
    files = client.list_pull_files(repo, pr.number, limit=limits.max_files)
    merge_base = client.merge_base(repo, pr.base_sha, pr.head_sha) if pr.base_sha else None
    out = FetchedChange(
        pr=pr, commits=commits, merge_base=merge_base or pr.base_sha, changeset=ChangeSet(files=())
    )
    if merge_base is None:
        out.notes.append(
            "GitHub did not report a merge base; the base branch's tip was used as the baseline."
        )
    if pr.changed_files > len(files):
        missing = pr.changed_files - len(files)
        out.notes.append(
            f"GitHub lists at most {MAX_PR_FILES:,} files of a pull request: "
            f"{missing:,} changed files were not scanned."
        )
        out.not_analysed.append(
            Skipped(
                f"({missing:,} more files)",
                SkipReason.NOT_LISTED,
                f"beyond GitHub's {MAX_PR_FILES:,}-file listing limit: GitHub "
                "does not say which; review them outside Gatehouse or split "
                "the pull request",
            )
        )
    if pr.commits > len(commits) and pr.commits > MAX_PR_COMMITS:
        out.notes.append(
            f"GitHub lists at most {MAX_PR_COMMITS} commits: commit trailers of "
            f"{pr.commits - len(commits)} commits were not read."
        )

    jobs: list[tuple[PullFile, bool] | FileChange] = []
    whole = 0
    for pf in files:
        ignored = any(fnmatch.fnmatch(pf.filename, pat) for pat in ignore_paths)
        if pf.patch is None:
            out.patchless.add(pf.filename)
        if ignored:  # the engine reports it as ignored; nothing is fetched
            jobs.append(
                FileChange(path=pf.filename, status=_status(pf), old_path=pf.previous_filename)
            )
            continue
        want_contents = pf.status != "removed" and whole < limits.max_content_files
        if want_contents:
            whole += 1
        jobs.append((pf, want_contents))

    local = threading.local()

    def one(job: tuple[PullFile, bool] | FileChange) -> FileChange | None:
        if isinstance(job, FileChange):
            return job
        source = client
        if client_factory is not None:
            source = getattr(local, "client", None) or client_factory()
            local.client = source
        return _file_change(
            source,
            repo,
            job[0],
            out,
            want_contents=job[1],
            merge_base=out.merge_base,
            limits=limits,
        )

    if client_factory is not None and workers > 1 and len(jobs) > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gatehouse-fetch") as pool:
            base_ctx = (
                contextvars.copy_context()
            )  # log context (delivery, repo, PR) in the threads too
            results = list(pool.map(lambda job: base_ctx.copy().run(one, job), jobs))
    else:
        results = [one(job) for job in jobs]
    changes = [c for c in results if c is not None]
    if whole >= limits.max_content_files and len(files) > limits.max_content_files:
        out.notes.append(
            f"Only the first {limits.max_content_files} files were read whole; the others "
            "were analysed from their diff hunks alone."
        )
    out.changeset = ChangeSet(
        files=tuple(changes), source=f"{repo}#{pr.number}", has_base=True, has_head=True
    )
    if (
        1 < len(commits) <= limits.per_commit_max_commits
        and len(files) <= limits.per_commit_max_files
    ):
        out.intermediate = _intermediate(client, repo, commits[:-1])
    elif len(commits) > limits.per_commit_max_commits:
        out.notes.append(
            f"The PR has {len(commits)} commits (over {limits.per_commit_max_commits}): "
            "commits were not scanned one by one, only the final change."
        )
    return out


def _file_change(
    client: _Source,
    repo: str,
    pf: PullFile,
    out: FetchedChange,
    *,
    want_contents: bool,
    merge_base: str,
    limits: FetchLimits,
) -> FileChange | None:
    path = pf.filename
    if pf.status == "removed":
        return FileChange(path=path, status=FileStatus.DELETED)
    head_text: str | None = None
    base_text: str | None = None
    undecodable = False
    # A missing patch means "binary or too large to diff", never "unchanged": read the blob.
    if want_contents or pf.patch is None:
        if not pf.sha:
            out.not_analysed.append(
                Skipped(path, SkipReason.UNPARSABLE, "GitHub gave neither a patch nor a blob")
            )
            return None
        data = client.get_blob(repo, pf.sha)
        if len(data) > limits.max_file_bytes:
            out.not_analysed.append(
                Skipped(
                    path,
                    SkipReason.TOO_LARGE,
                    f"{len(data):,} bytes, over the {limits.max_file_bytes:,}-byte limit",
                )
            )
            return None
        head_text, undecodable = _decode(data)
        if head_text is None:
            return FileChange(
                path=path,
                status=_status(pf),
                old_path=pf.previous_filename,
                binary=True,
                size_bytes=len(data),
                content_sha256=hashlib.sha256(data).hexdigest(),
            )
        if pf.status not in ("added", "copied"):
            try:
                old = client.get_content(repo, pf.previous_filename or path, ref=merge_base)
            except ValueError:  # a path with dot segments is data we do not send back to the API
                old = None
                out.notes.append(f"The base version of {path!r} was not read (unusual path).")
            if old is not None:
                base_text, _ = _decode(old)
    try:
        change = parse_file_patch(
            path,
            pf.patch,
            status=pf.status,
            previous_path=pf.previous_filename,
            head_text=head_text,
            base_text=base_text,
        )
    except DiffError as exc:
        out.not_analysed.append(Skipped(path, SkipReason.UNPARSABLE, exc.diagnostics()[:200]))
        return None
    if undecodable:
        import dataclasses

        change = dataclasses.replace(change, undecodable=True)
    return change


def _status(pf: PullFile) -> FileStatus:
    return {
        "added": FileStatus.ADDED,
        "removed": FileStatus.DELETED,
        "renamed": FileStatus.RENAMED,
    }.get(pf.status, FileStatus.MODIFIED)


@dataclass(frozen=True)
class CommitChange:
    """What one commit of the PR added, as its own change (real paths, its own scan)."""

    sha: str
    changeset: ChangeSet


def _intermediate(
    client: _Source, repo: str, commits: Sequence[PullCommit]
) -> tuple[CommitChange, ...]:
    """The additions of each commit but the last, each commit a change of its own."""
    out: list[CommitChange] = []
    for commit in commits:
        changes: list[FileChange] = []
        for pf in client.get_commit_files(repo, commit.sha):
            if pf.status == "removed" or pf.patch is None:
                continue
            try:
                changes.append(
                    parse_file_patch(
                        pf.filename, pf.patch, status=pf.status, previous_path=pf.previous_filename
                    )
                )
            except DiffError:
                continue
        if changes:
            out.append(
                CommitChange(
                    commit.sha, ChangeSet(files=tuple(changes), source=f"{repo}@{commit.sha[:7]}")
                )
            )
    return tuple(out)
