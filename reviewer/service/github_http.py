"""One GitHub API request with retries: backoff on 5xx and timeouts, waits on primary and
secondary rate limits (honouring ``Retry-After`` and ``X-RateLimit-Reset``), one token refresh
on 401, and write pacing. Anything worth retrying later is raised as
:class:`~reviewer.service.github_values.TransientGitHubError`."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import github
import requests
from github import GithubException

from reviewer.service import metrics
from reviewer.service.github_values import GitHubError, TransientGitHubError

__all__ = ["RetryPolicy", "Caller"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one API call tries before handing the retry to the job queue."""

    max_attempts: int = 4
    backoff_base_s: float = 1.0
    max_backoff_s: float = 30.0
    max_inline_wait_s: float = (
        60.0  # longer waits (a primary rate limit reset) go back to the queue
    )
    timeout_s: float = 20.0
    write_interval_s: float = 0.75  # ~80 content-creating requests a minute per installation...
    write_burst: int = 10  # ...after a burst of this many


class Caller:
    """One retrying request loop over a PyGithub requester."""

    def __init__(
        self,
        policy: RetryPolicy,
        sleep: Callable[[float], None],
        make: Callable[[], github.Github],
        on_unauthorized: Callable[[], None] | None = None,
        pace_write: Callable[[], None] | None = None,
    ) -> None:
        self.policy = policy
        self._sleep = sleep
        self._make = make
        self._gh: github.Github | None = None
        self._on_unauthorized = on_unauthorized
        self._pace_write = pace_write

    def _client(self) -> github.Github:
        if self._gh is None:
            self._gh = self._make()
        return self._gh

    def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> tuple[dict[str, Any], Any]:
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            if method in ("POST", "PUT", "PATCH") and self._pace_write is not None:
                self._pace_write()
            try:
                headers, data = self._client().requester.requestJsonAndCheck(
                    method, path, parameters=dict(params) if params else None, input=body
                )
                return headers, data
            except GithubException as exc:
                status = exc.status
                hdrs = {str(k).lower(): str(v) for k, v in (exc.headers or {}).items()}
                message = _message(exc.data)
                _count_error(status)
                if status == 401 and self._on_unauthorized and not refreshed:
                    refreshed = True
                    self._on_unauthorized()
                    self._gh = None
                    attempt -= 1
                    continue
                wait = _rate_limit_wait(status, hdrs, message)
                if wait is None and status < 500:
                    raise GitHubError(method, path, status, message) from None
                if wait is None:
                    wait = self._backoff(attempt)
                if attempt >= self.policy.max_attempts or wait > self.policy.max_inline_wait_s:
                    raise TransientGitHubError(
                        method, path, status, message, retry_after=wait
                    ) from None
                logger.warning(
                    "GitHub %s %s answered %s; retrying in %.1fs (attempt %d of %d)",
                    method,
                    path,
                    status,
                    wait,
                    attempt,
                    self.policy.max_attempts,
                )
                self._sleep(wait)
            except (requests.Timeout, requests.ConnectionError) as exc:
                _count_error(0)
                wait = self._backoff(attempt)
                if attempt >= self.policy.max_attempts:
                    raise TransientGitHubError(
                        method, path, 0, type(exc).__name__, retry_after=wait
                    ) from None
                logger.warning(
                    "GitHub %s %s did not answer (%s); retrying in %.1fs",
                    method,
                    path,
                    type(exc).__name__,
                    wait,
                )
                self._gh = None
                self._sleep(wait)

    def _backoff(self, attempt: int) -> float:
        base = self.policy.backoff_base_s * (2 ** (attempt - 1))
        return min(self.policy.max_backoff_s, base * (0.75 + random.random() / 2))


def _message(data: Any) -> str:
    if isinstance(data, Mapping):
        return str(data.get("message") or "")[:300]
    return str(data or "")[:300]


def _rate_limit_wait(status: int, headers: Mapping[str, str], message: str) -> float | None:
    """Seconds to wait when an answer is a (primary or secondary) rate limit, else None."""
    if status not in (403, 429):
        return None
    if "retry-after" in headers:
        try:
            return max(0.0, float(headers["retry-after"]))
        except ValueError:
            return 60.0
    if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
        try:
            return max(0.0, float(headers["x-ratelimit-reset"]) - time.time()) + 1.0
        except ValueError:
            return 60.0
    if status == 429 or "rate limit" in message.lower():
        return 60.0  # GitHub: wait at least a minute when no header says otherwise
    return None


def _count_error(status: int) -> None:
    metrics.GITHUB_API_ERRORS.labels(status=str(status)).inc()
