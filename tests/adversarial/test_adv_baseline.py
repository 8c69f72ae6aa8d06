"""The baseline the adversarial suite builds on: the plain backdoor PR fails its check."""

from __future__ import annotations

from fakegithub.harness import Harness

from adversarial.adversarial_support import BACKDOOR_PATH, assert_not_green, latest_run, open_pr


def test_a_plain_backdoor_pr_fails_with_the_shipped_rule_pack(h: Harness) -> None:
    head = open_pr(h, {})
    run = latest_run(h, head)
    assert_not_green(run)
    assert run["conclusion"] == "failure"
    assert any(a["path"] == BACKDOOR_PATH for a in run["annotations"])
