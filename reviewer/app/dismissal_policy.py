"""Who may dismiss a pull request's findings (pure: no GitHub, no store).

A finding is dismissed by a second person: never by the PR's author, nor by anyone GitHub
names as author or committer of one of its commits, and only with at least the role the
repository's policy asks (``dismiss_requires``, ``write`` by default). When Gatehouse cannot
tell who wrote the PR's commits (more commits than GitHub lists, or a commit GitHub does not
match to an account), nobody may dismiss: the finding is fixed, or the policy changed on the
default branch. A revocation only makes the check stricter, so the role is enough for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["ROLE_RANK", "CommitPeople", "Refusal", "may_dismiss", "may_revoke", "role_at_least"]

# GitHub's repository roles, weakest first.
ROLE_RANK = {"none": 0, "read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}


class CommitPeople(Protocol):
    """Who GitHub names on one commit (the service's ``PullCommit`` is one)."""

    @property
    def sha(self) -> str: ...
    @property
    def author_login(self) -> str: ...
    @property
    def committer_login(self) -> str: ...


@dataclass(frozen=True)
class Refusal:
    """Why a person may not dismiss (``text`` is the reply, without the mention)."""

    reason: str  # a short key for logs: role | author | committer | unattributed | too-many-commits
    text: str


def role_at_least(role: str, required: str) -> bool:
    """True when ``role`` is ``required`` or stronger."""
    return ROLE_RANK.get(role, 0) >= ROLE_RANK.get(required, len(ROLE_RANK))


def _role_refusal(role: str, required: str, what: str) -> Refusal:
    return Refusal(
        "role",
        f"{what} needs the `{required}` role on this repository (the policy's "
        f"`dismiss_requires` in `.github/gatehouse.yml`); you have `{role}`.",
    )


def may_revoke(*, role: str, required: str) -> Refusal | None:
    """None when a person with ``role`` may revoke a dismissal."""
    if role_at_least(role, required):
        return None
    return _role_refusal(role, required, "Revoking a dismissal")


def may_dismiss(
    login: str,
    *,
    role: str,
    required: str,
    pr_author: str,
    commits: Sequence[CommitPeople],
    all_commits_listed: bool,
) -> Refusal | None:
    """None when ``login`` (with ``role``) may dismiss findings of this pull request."""
    if not role_at_least(role, required):
        return _role_refusal(role, required, "Dismissing a finding")
    who = login.lower()
    second = (
        f"another person with the `{required}` role has to review the finding and "
        "dismiss it, or the code has to change."
    )
    if who == pr_author.lower():
        return Refusal(
            "author",
            f"Not dismissed: you opened this pull request, so you cannot dismiss its findings: "
            f"{second}",
        )
    for c in commits:
        if who == c.author_login.lower():
            return Refusal(
                "author",
                f"Not dismissed: you are the author of commit {c.sha[:7]} of this pull request, "
                f"so you cannot dismiss its findings: {second}",
            )
        if who == c.committer_login.lower():
            return Refusal(
                "committer",
                f"Not dismissed: you committed {c.sha[:7]} of this pull request, so you "
                f"cannot dismiss its findings: {second}",
            )
    if not all_commits_listed:
        return Refusal(
            "too-many-commits",
            "Not dismissed: GitHub lists only part of this pull request's commits, so "
            "Gatehouse cannot tell who wrote the others and accepts no "
            "dismissal on it: fix the findings or split the pull request.",
        )
    unknown = [c.sha[:7] for c in commits if not c.author_login or not c.committer_login]
    if unknown:
        return Refusal(
            "unattributed",
            f"Not dismissed: GitHub does not match the author or committer of commit "
            f"{', '.join(unknown[:5])} to an account, so Gatehouse cannot tell "
            "whether you wrote it and accepts no dismissal on this pull "
            "request: the commits' e-mail addresses must belong to GitHub "
            "accounts, or the findings be fixed.",
        )
    return None
