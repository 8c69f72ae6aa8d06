"""Post a scan's planned inline review (planning is in :mod:`reviewer.app.review_plan`).

Should GitHub refuse the placement of the inline comments (422), the review is sent again
with the lines listed in its body instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from reviewer.app.markdown import code_span
from reviewer.app.review_plan import ReviewPlan
from reviewer.service.github_client import GitHubError, TransientGitHubError

__all__ = ["post_review"]

logger = logging.getLogger(__name__)


class _Reviews(Protocol):
    def create_review(self, repo: str, number: int, body: Mapping[str, Any]) -> int: ...


def post_review(
    client: _Reviews, repo: str, number: int, head_sha: str, plan: ReviewPlan, *, total_medium: int
) -> bool:
    """Post the planned review; True when a review was created.

    Nothing is posted when there is no new comment. Should GitHub still refuse
    the placement (422), the review is sent again without inline comments.
    """
    if not plan.comments:
        return False
    extra = len(plan.not_placed)
    body = (
        f"Gatehouse found {total_medium} finding(s) at medium or higher in {head_sha[:12]}; "
        f"{len(plan.comments)} new inline comment(s) below"
        + (f", {extra} more in the Gatehouse check run" if extra else "")
        + "."
    )
    try:
        client.create_review(
            repo,
            number,
            {
                "commit_id": head_sha,
                "event": "COMMENT",
                "body": body,
                "comments": list(plan.comments),
            },
        )
        return True
    except GitHubError as exc:
        if isinstance(exc, TransientGitHubError) or exc.status != 422:
            raise
        logger.warning(
            "review with %d inline comments refused (422): %s; posting it without them",
            len(plan.comments),
            exc.message,
        )
    listing = "\n".join(f"- {code_span(c['path'])} line {c['line']}" for c in plan.comments)
    client.create_review(
        repo,
        number,
        {
            "commit_id": head_sha,
            "event": "COMMENT",
            "body": body + "\n\nGitHub refused the inline placement; the lines are:\n" + listing,
        },
    )
    return True
