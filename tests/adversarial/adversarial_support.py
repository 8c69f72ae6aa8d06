"""Helpers of the adversarial suite: PRs that attack Gatehouse itself, through the fake GitHub.

Every PR here also carries a real backdoor (``exec`` of a base64-decoded payload). Whatever else
the PR does to the gate, the check run GitHub shows must not be green: a conclusion of
``success`` or ``neutral`` is a bypass. Each test names the attack it replays.
"""

from __future__ import annotations

from typing import Any

from fakegithub.harness import Harness

BACKDOOR = """import base64
import os

PAYLOAD = "cHJpbnQoJ2hlbGxvJyk="


def init():
    if os.environ.get("CI"):
        return
    exec(base64.b64decode(PAYLOAD))
"""
BACKDOOR_PATH = "app/telemetry.py"
BASE_FILES = {"app/__init__.py": "", "app/util.py": "def add(a, b):\n    return a + b\n"}
AI_TRAILER = "Add telemetry\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"
GREEN = frozenset({"success", "neutral"})


def open_pr(
    h: Harness,
    files: dict[str, str],
    *,
    number: int = 1,
    with_backdoor: bool = True,
    message: str = AI_TRAILER,
    **kw: Any,
) -> str:
    """Open an AI-assisted PR adding ``files`` and the backdoor; deliver ``opened``; return head."""
    base = h.repo.commit(BASE_FILES, branch="main")
    added = dict(files)
    if with_backdoor:
        added.setdefault(BACKDOOR_PATH, BACKDOOR)
    head = h.repo.commit(added, parent=base, message=message)
    h.repo.open_pull(number, base=base, head=head, **kw)
    resp = h.deliver("pull_request", h.pr_payload("opened", number))
    assert resp.status_code == 202, resp.data
    return head


def latest_run(h: Harness, sha: str) -> dict[str, Any]:
    runs = h.repo.runs_for(sha)
    assert runs, f"no check run on {sha}"
    return runs[-1]


def assert_not_green(run: dict[str, Any]) -> None:
    """The check GitHub shows must block the merge (or at least ask for a human)."""
    assert run["status"] == "completed", run["status"]
    assert run["conclusion"] not in GREEN, (
        run["conclusion"],
        run["output"].get("title"),
        run["output"].get("summary", "")[:2000],
    )
