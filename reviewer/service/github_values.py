"""What GitHub answers with, as typed values: the API errors and the pull-request records
Gatehouse reads (pull request, commit, changed file) or writes (review comment)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reviewer.errors import GatehouseError

__all__ = [
    "GitHubError",
    "TransientGitHubError",
    "PullRequest",
    "PullCommit",
    "PullFile",
    "ReviewComment",
]


class GitHubError(GatehouseError):
    """A GitHub API call failed; ``status`` is the HTTP status (0 for no answer)."""

    def __init__(self, method: str, path: str, status: int, message: str) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        super().__init__(f"GitHub {method} {path} answered {status or 'nothing'}: {message}")

    def diagnostics(self) -> str:
        return (
            f"GitHub API call {self.method} {self.path} failed with "
            f"{self.status or 'no answer'}: {self.message}"
        )


class TransientGitHubError(GitHubError):
    """A failure the job should retry later, after ``retry_after`` seconds if known."""

    def __init__(
        self, method: str, path: str, status: int, message: str, retry_after: float | None = None
    ) -> None:
        self.retry_after = retry_after
        super().__init__(method, path, status, message)


@dataclass(frozen=True)
class PullRequest:
    """What Gatehouse reads of a pull request."""

    repo: str
    number: int
    title: str
    body: str
    state: str
    draft: bool
    merged: bool
    author: str
    author_type: str
    head_sha: str
    head_ref: str
    head_repo: str
    base_sha: str
    base_ref: str
    labels: tuple[str, ...]
    commits: int
    changed_files: int
    base_topics: tuple[str, ...] = ()  # the repository's topics (sensitive repositories)

    @classmethod
    def from_api(cls, repo: str, data: Mapping[str, Any]) -> PullRequest:
        head = data.get("head") or {}
        base = data.get("base") or {}
        user = data.get("user") or {}
        return cls(
            repo=repo,
            number=int(data["number"]),
            title=str(data.get("title") or ""),
            body=str(data.get("body") or ""),
            state=str(data.get("state") or "open"),
            draft=bool(data.get("draft")),
            merged=bool(data.get("merged")),
            author=str(user.get("login") or ""),
            author_type=str(user.get("type") or "User"),
            head_sha=str(head.get("sha") or ""),
            head_ref=str(head.get("ref") or ""),
            head_repo=str((head.get("repo") or {}).get("full_name") or repo),
            base_sha=str(base.get("sha") or ""),
            base_ref=str(base.get("ref") or ""),
            labels=tuple(str(lb.get("name")) for lb in data.get("labels") or () if lb.get("name")),
            commits=int(data.get("commits") or 0),
            changed_files=int(data.get("changed_files") or 0),
            base_topics=tuple(
                str(t) for t in (base.get("repo") or {}).get("topics") or () if isinstance(t, str)
            ),
        )


@dataclass(frozen=True)
class PullCommit:
    """One commit of a pull request."""

    sha: str
    message: str
    author_login: str
    author_name: str
    author_email: str
    committer_login: str = ""  # the GitHub account GitHub matched to the committer, if any

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> PullCommit:
        commit = data.get("commit") or {}
        author = commit.get("author") or {}
        return cls(
            sha=str(data.get("sha") or ""),
            message=str(commit.get("message") or ""),
            author_login=str((data.get("author") or {}).get("login") or ""),
            author_name=str(author.get("name") or ""),
            author_email=str(author.get("email") or ""),
            committer_login=str((data.get("committer") or {}).get("login") or ""),
        )


@dataclass(frozen=True)
class PullFile:
    """One changed file as "list pull request files" (or a commit) reports it."""

    filename: str
    status: str
    sha: str | None
    additions: int
    deletions: int
    changes: int
    patch: str | None
    previous_filename: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> PullFile:
        return cls(
            filename=str(data["filename"]),
            status=str(data.get("status") or "modified"),
            sha=data.get("sha"),
            additions=int(data.get("additions") or 0),
            deletions=int(data.get("deletions") or 0),
            changes=int(data.get("changes") or 0),
            patch=data.get("patch"),
            previous_filename=data.get("previous_filename"),
        )


@dataclass(frozen=True)
class ReviewComment:
    """A review comment already on a pull request."""

    id: int
    body: str
    path: str
    line: int | None
    author: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ReviewComment:
        return cls(
            id=int(data["id"]),
            body=str(data.get("body") or ""),
            path=str(data.get("path") or ""),
            line=data.get("line"),
            author=str((data.get("user") or {}).get("login") or ""),
        )
