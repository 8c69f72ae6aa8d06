"""The GitHub side: the App's JWT, cached installation tokens, and the REST endpoints
Gatehouse uses as an installation.

PyGithub's ``Requester`` does the HTTP (pointed at ``settings.github_api_url`` exactly as for
GitHub Enterprise Server); :mod:`reviewer.service.github_http` retries each call and
:mod:`reviewer.service.github_values` holds the errors and typed values (re-exported here).
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import github
import jwt
from github import Auth

from reviewer.service.github_http import Caller, RetryPolicy
from reviewer.service.github_values import (
    GitHubError,
    PullCommit,
    PullFile,
    PullRequest,
    ReviewComment,
    TransientGitHubError,
)

__all__ = [
    "GitHubError",
    "TransientGitHubError",
    "GitHubApp",
    "InstallationClient",
    "PullRequest",
    "PullCommit",
    "PullFile",
    "ReviewComment",
    "RetryPolicy",
    "API_VERSION",
]

logger = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
JWT_BACKDATE_S = 60  # issued-at set back for clock drift
JWT_LIFETIME_S = 9 * 60  # exp - now; exp - iat = 10 minutes, GitHub's maximum
TOKEN_REFRESH_MARGIN_S = 300  # refresh an installation token 5 minutes before it expires
MAX_PR_FILES = 3000  # GitHub's cap on "list pull request files"
MAX_PR_COMMITS = 250  # GitHub's cap on "list commits on a pull request"


# ---------------------------------------------------------------------------- the App


class GitHubApp:
    """The App's identity: signs JWTs and hands out installation clients.

    Installation tokens are cached per installation until shortly before they
    expire and refreshed when GitHub answers 401. Thread-safe.
    """

    def __init__(
        self,
        *,
        app_id: int,
        private_key: str,
        api_url: str,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_id = app_id
        self._key = private_key
        self.api_url = api_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._tokens: dict[int, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._buckets: dict[int, tuple[float, float]] = {}  # installation -> (tokens, as of)

    def __repr__(self) -> str:
        return f"GitHubApp(app_id={self.app_id}, api_url={self.api_url!r})"

    def jwt(self) -> str:
        """A fresh RS256 App JWT: iat set back 60 s, exp 10 minutes after iat."""
        now = int(self._clock())
        payload = {
            "iat": now - JWT_BACKDATE_S,
            "exp": now + JWT_LIFETIME_S,
            "iss": str(self.app_id),
        }
        return jwt.encode(payload, self._key, algorithm="RS256")

    def _github(self, auth: Auth.Auth) -> github.Github:
        return github.Github(
            auth=auth,
            base_url=self.api_url,
            timeout=int(max(1, self.policy.timeout_s)),
            retry=None,
            per_page=100,
            seconds_between_requests=None,
            seconds_between_writes=None,
            api_version=API_VERSION,
        )

    def app_request(self, method: str, path: str, *, body: Any = None) -> Any:
        """A request authenticated as the App itself (JWT)."""
        caller = Caller(
            self.policy, self._sleep, lambda: self._github(Auth.AppAuthToken(self.jwt()))
        )
        return caller.call(method, path, body=body)[1]

    def installation_token(self, installation_id: int, *, force: bool = False) -> str:
        """A cached installation token, minted again when near expiry or ``force``."""
        with self._lock:
            cached = self._tokens.get(installation_id)
            if cached and not force and cached[1] - self._clock() > TOKEN_REFRESH_MARGIN_S:
                return cached[0]
        data = self.app_request("POST", f"/app/installations/{int(installation_id)}/access_tokens")
        token = str(data["token"])
        expires = _parse_time(data.get("expires_at")) or (self._clock() + 3600)
        with self._lock:
            self._tokens[installation_id] = (token, expires)
        logger.info(
            "minted installation token for installation %s (expires in %ds)",
            installation_id,
            int(expires - self._clock()),
        )
        return token

    def forget_token(self, installation_id: int) -> None:
        with self._lock:
            self._tokens.pop(installation_id, None)

    def installation(self, installation_id: int) -> InstallationClient:
        return InstallationClient(self, installation_id)

    def pace_write(self, installation_id: int) -> None:
        """Keep content-creating requests of one installation under ~80 a minute.

        A token bucket: bursts of ``write_burst`` go at once (a scan's few writes are not
        delayed), sustained writes are spaced ``write_interval_s`` apart.
        """
        interval = self.policy.write_interval_s
        if interval <= 0:
            return
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(installation_id, (float(self.policy.write_burst), now))
            tokens = min(float(self.policy.write_burst), tokens + (now - last) / interval)
            wait = 0.0 if tokens >= 1 else (1 - tokens) * interval
            self._buckets[installation_id] = (tokens + wait / interval - 1, now + wait)
        if wait > 0:
            self._sleep(wait)


def _parse_time(value: Any) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


# ---------------------------------------------------------------------------- installation


def _file_path(path: str) -> str:
    """A repository file path as a URL component; dot segments are refused, not normalised."""
    parts = path.split("/")
    if not path or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"refusing an unusual repository path {path!r}")
    return "/".join(quote(p, safe="") for p in parts)


def _repo_path(repo: str) -> str:
    owner, _, name = repo.partition("/")
    if not owner or not name or "/" in name:
        raise ValueError(f"repository {repo!r} is not of the form owner/name")
    return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"


class InstallationClient:
    """The REST endpoints Gatehouse uses, as one installation of the App."""

    def __init__(self, app: GitHubApp, installation_id: int) -> None:
        self.app = app
        self.installation_id = installation_id
        self._caller = Caller(
            app.policy,
            app._sleep,
            self._make,
            self._refresh,
            lambda: app.pace_write(installation_id),
        )

    def _make(self) -> github.Github:
        return self.app._github(Auth.Token(self.app.installation_token(self.installation_id)))

    def _refresh(self) -> None:
        logger.info("installation %s token was refused; minting a new one", self.installation_id)
        self.app.forget_token(self.installation_id)

    def request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> Any:
        return self._caller.call(method, path, params=params, body=body)[1]

    def paginate(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        limit: int | None = None,
        key: str | None = None,
    ) -> Iterator[Any]:
        """Items of a paginated list, 100 a page, at most ``limit``."""
        page = 1
        seen = 0
        while True:
            q = dict(params or {})
            q.update(per_page=100, page=page)
            data = self.request("GET", path, params=q)
            items = data.get(key, []) if key and isinstance(data, Mapping) else data
            if not isinstance(items, list):
                return
            for item in items:
                if limit is not None and seen >= limit:
                    return
                seen += 1
                yield item
            if len(items) < 100:
                return
            page += 1

    # -- pull requests
    def get_pull(self, repo: str, number: int) -> PullRequest:
        return PullRequest.from_api(
            repo, self.request("GET", f"{_repo_path(repo)}/pulls/{int(number)}")
        )

    def list_pull_files(
        self, repo: str, number: int, *, limit: int = MAX_PR_FILES
    ) -> list[PullFile]:
        path = f"{_repo_path(repo)}/pulls/{int(number)}/files"
        return [PullFile.from_api(d) for d in self.paginate(path, limit=limit)]

    def list_pull_commits(self, repo: str, number: int) -> list[PullCommit]:
        path = f"{_repo_path(repo)}/pulls/{int(number)}/commits"
        return [PullCommit.from_api(d) for d in self.paginate(path, limit=MAX_PR_COMMITS)]

    def open_pulls_for_sha(self, repo: str, head_sha: str) -> list[int]:
        """Open PRs whose head is ``head_sha`` (check events from forks list none)."""
        path = f"{_repo_path(repo)}/pulls"
        return [
            int(p["number"])
            for p in self.paginate(path, params={"state": "open"}, limit=1000)
            if (p.get("head") or {}).get("sha") == head_sha
        ]

    def get_commit_files(self, repo: str, sha: str) -> list[PullFile]:
        data = self.request("GET", f"{_repo_path(repo)}/commits/{quote(sha, safe='')}")
        return [PullFile.from_api(d) for d in data.get("files") or ()]

    def merge_base(self, repo: str, base: str, head: str) -> str | None:
        """The merge base of two commits (compare API), or None when GitHub cannot tell."""
        try:
            data = self.request(
                "GET", f"{_repo_path(repo)}/compare/{quote(base, safe='')}...{quote(head, safe='')}"
            )
        except GitHubError as exc:
            if isinstance(exc, TransientGitHubError):
                raise
            return None
        mb = data.get("merge_base_commit") or {}
        return str(mb.get("sha")) if mb.get("sha") else None

    # -- contents
    def get_content(self, repo: str, path: str, *, ref: str | None = None) -> bytes | None:
        """A file's bytes at ``ref`` (default branch when None); None when absent."""
        url = f"{_repo_path(repo)}/contents/{_file_path(path)}"
        try:
            data = self.request("GET", url, params={"ref": ref} if ref else None)
        except GitHubError as exc:
            if exc.status == 404 and not isinstance(exc, TransientGitHubError):
                return None
            raise
        if not isinstance(data, Mapping) or data.get("type", "file") != "file":
            return None
        if data.get("encoding") == "base64" and data.get("content") is not None:
            return base64.b64decode(str(data["content"]))
        if data.get("sha"):  # files over 1 MB come without content: read the blob
            return self.get_blob(repo, str(data["sha"]))
        return None

    def get_blob(self, repo: str, sha: str) -> bytes:
        data = self.request("GET", f"{_repo_path(repo)}/git/blobs/{quote(sha, safe='')}")
        content = str(data.get("content") or "")
        if data.get("encoding") == "base64":
            return base64.b64decode(content)
        return content.encode("utf-8", "surrogateescape")

    def collaborator_permission(self, repo: str, user: str) -> str:
        """``admin``, ``maintain``, ``write``, ``triage``, ``read`` or ``none``."""
        try:
            data = self.request(
                "GET", f"{_repo_path(repo)}/collaborators/{quote(user, safe='')}/permission"
            )
        except GitHubError as exc:
            if exc.status == 404 and not isinstance(exc, TransientGitHubError):
                return "none"
            raise
        role = str(data.get("role_name") or "")
        return (
            role
            if role in ("admin", "maintain", "write", "triage", "read")
            else str(data.get("permission") or "none")
        )

    # -- check runs
    def create_check_run(self, repo: str, body: Mapping[str, Any]) -> int:
        data = self.request("POST", f"{_repo_path(repo)}/check-runs", body=dict(body))
        return int(data["id"])

    def update_check_run(self, repo: str, check_run_id: int, body: Mapping[str, Any]) -> None:
        self.request("PATCH", f"{_repo_path(repo)}/check-runs/{int(check_run_id)}", body=dict(body))

    # -- reviews and comments
    def list_review_comments(self, repo: str, number: int) -> list[ReviewComment]:
        path = f"{_repo_path(repo)}/pulls/{int(number)}/comments"
        return [ReviewComment.from_api(d) for d in self.paginate(path, limit=5000)]

    def create_review(self, repo: str, number: int, body: Mapping[str, Any]) -> int:
        data = self.request(
            "POST", f"{_repo_path(repo)}/pulls/{int(number)}/reviews", body=dict(body)
        )
        return int(data.get("id") or 0)

    def create_issue_comment(self, repo: str, number: int, text: str) -> None:
        self.request(
            "POST", f"{_repo_path(repo)}/issues/{int(number)}/comments", body={"body": text}
        )

    def add_reaction(self, repo: str, comment_id: int, content: str) -> None:
        self.request(
            "POST",
            f"{_repo_path(repo)}/issues/comments/{int(comment_id)}/reactions",
            body={"content": content},
        )
