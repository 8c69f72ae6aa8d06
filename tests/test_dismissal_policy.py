"""Who may dismiss a pull request's findings: a second person with the role the policy asks."""

from __future__ import annotations

from reviewer.app.dismissal_policy import may_dismiss, may_revoke
from reviewer.service.github_client import PullCommit


def _commit(sha: str, author: str, committer: str | None = None) -> PullCommit:
    return PullCommit(
        sha=sha,
        message="m",
        author_login=author,
        author_name=author,
        author_email=f"{author}@example.com",
        committer_login=author if committer is None else committer,
    )


COMMITS = [_commit("a" * 40, "alice"), _commit("b" * 40, "bob", committer="carol")]


def _may(
    login: str, role: str = "write", required: str = "write", commits=COMMITS, listed_all=True
):
    return may_dismiss(
        login,
        role=role,
        required=required,
        pr_author="Alice",
        commits=commits,
        all_commits_listed=listed_all,
    )


def test_a_reviewer_who_wrote_none_of_it_may_dismiss() -> None:
    assert _may("dave") is None
    assert _may("dave", role="admin", required="maintain") is None


def test_the_author_and_every_commit_author_and_committer_may_not() -> None:
    assert _may("ALICE").reason == "author"  # logins compare without case
    assert "you opened this pull request" in _may("alice").text
    bob = _may("bob")
    assert bob.reason == "author" and "bbbbbbb" in bob.text and "another person" in bob.text
    assert _may("carol").reason == "committer"


def test_the_policy_can_require_maintain_or_admin() -> None:
    refusal = _may("dave", role="write", required="maintain")
    assert (
        refusal.reason == "role"
        and "`maintain`" in refusal.text
        and "dismiss_requires" in refusal.text
    )
    assert _may("dave", role="read").reason == "role"


def test_when_the_authors_are_not_all_known_nobody_may_dismiss() -> None:
    assert _may("dave", listed_all=False).reason == "too-many-commits"
    unlinked = COMMITS + [_commit("c" * 40, "")]
    refusal = _may("dave", commits=unlinked)
    assert refusal.reason == "unattributed" and "ccccccc" in refusal.text


def test_revoking_needs_only_the_role() -> None:
    assert may_revoke(role="write", required="write") is None
    assert may_revoke(role="write", required="admin").reason == "role"
