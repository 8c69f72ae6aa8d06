"""Row 6 of the attack table: inputs built to hold a worker (backtracking patterns, huge lines).

Before: one workflow line of 4,000 spaces held a worker thread for 216 s, an 80 KB Python line for
140 s. Now the patterns are linear, line checks stop at the line cap, the overlong line is a
finding of its own, and whatever still runs long is stopped by the scan's time limit.
"""

from __future__ import annotations

from fakegithub.harness import Harness

from adversarial.adversarial_support import assert_not_green, latest_run, open_pr
from reviewer.core.analyzers.base import MAX_LINE_CHARS, ScanOptions
from reviewer.core.analyzers.workflows import WorkflowAnalyzer
from reviewer.core.changeset import ChangeSet, FileChange, FileStatus, Hunk, text_lines
from reviewer.core.engine import scan
from reviewer.core.findings import SkipReason

WORKFLOW = ".github/workflows/ci.yml"


def _workflow_with_a_line_of_spaces(n: int) -> str:
    return (
        "name: ci\non: [push]\npermissions:\n  contents: read\njobs:\n  test:\n"
        "    runs-on: ubuntu-latest\n    steps:\n" + " " * n + "-" + " " * n + "run: echo hi\n"
    )


def _added(path: str, text: str) -> FileChange:
    lines = text_lines(text)
    return FileChange(
        path=path,
        status=FileStatus.ADDED,
        head_text=text,
        added={n: ln for n, ln in enumerate(lines, 1)},
        hunks=(Hunk(1, len(lines), 0, 0),),
    )


def _overlong(run: dict, path: str) -> list[dict]:
    return [
        a
        for a in run["annotations"]
        if a["path"] == path
        and "overlong-line" in a.get("title", "") + a.get("message", "") + a.get("raw_details", "")
    ]


def test_a_workflow_line_of_4000_spaces_completes_and_is_reported_as_overlong(h: Harness) -> None:
    """Attack: a workflow step line padded with 4,000 spaces (a cubic pattern took 216 s on it)."""
    head = open_pr(h, {WORKFLOW: _workflow_with_a_line_of_spaces(4000)})
    run = latest_run(h, head)
    assert_not_green(run)
    assert _overlong(run, WORKFLOW), [a["title"] for a in run["annotations"]]


def test_spaces_around_a_dash_under_the_line_cap_are_read_in_linear_time(h: Harness) -> None:
    r"""Attack: the same padding kept under the line cap, so the line checks do read all of it
    (`^\s*-?\s*` split 990 spaces every way: 45 s for this one line before)."""
    workflow = _workflow_with_a_line_of_spaces(990)
    assert max(map(len, workflow.splitlines())) <= MAX_LINE_CHARS
    head = open_pr(h, {WORKFLOW: workflow})
    run = latest_run(h, head)
    assert_not_green(run)
    assert (
        "did not finish" not in run["output"]["summary"]
        and "timed out" not in run["output"]["summary"]
    )


def test_an_80_kb_python_line_completes_and_is_reported_as_overlong(h: Harness) -> None:
    """Attack: an 80 KB single Python line of credential-like names (cubic patterns took 140 s)."""
    line = "password_token_secret_key = " + "password_token_" * 5400 + "\n"
    head = open_pr(h, {"app/config.py": line})
    run = latest_run(h, head)
    assert_not_green(run)
    (found,) = _overlong(run, "app/config.py")
    assert str(len(line) - 1) in found["message"]


def test_an_input_that_still_runs_long_is_stopped_and_reported_not_analysed() -> None:
    """Attack: whatever slow input is left, under a scan time limit too short for it, is
    reported as timed out (the policy turns that into a non-green check), never passed."""
    many = tuple(
        _added(f".github/workflows/w{i}.yml", _workflow_with_a_line_of_spaces(MAX_LINE_CHARS))
        for i in range(400)
    )
    result = scan(
        ChangeSet(files=many),
        options=ScanOptions(analysis_time_limit_s=0.05),
        analyzers=[WorkflowAnalyzer(use_zizmor=False)],
    )
    assert result.degraded
    assert any("timed out" in e for e in result.errors), result.errors
    timed_out = {s.path for s in result.skipped if s.reason is SkipReason.TIMED_OUT}
    assert timed_out == {f.path for f in many}
