"""Coverage attacks: a PR keeps part of itself from being analysed, or configures the analyzers.

A check is never green unless every text file of the change was analysed, and no file of the
PR is ever read by semgrep or zizmor as their configuration. Each test names the attack it
replays; each failed on the code before the fix.
"""

from __future__ import annotations

import base64
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

EMOJI_NAME = "\U0001f600" * 100  # 400 bytes of UTF-8: longer than any file name a disk accepts


def _paths(run: dict[str, Any]) -> set[str]:
    return {a["path"] for a in run["annotations"]}


def _fails_on_the_backdoor(run: dict[str, Any], path: str = BACKDOOR_PATH) -> None:
    assert_not_green(run)
    assert run["conclusion"] == "failure", (run["output"]["title"], run["output"]["summary"][:1500])
    assert path in _paths(run), (_paths(run), run["output"]["summary"][:1500])


def test_a_nested_semgrepignore_behind_a_shebang_does_not_hide_the_backdoor(h: Harness) -> None:
    """Attack (row 1): the PR adds ``app/.semgrepignore`` = ``#!/bin/sh`` + ``*``. The shebang made
    Gatehouse write it into semgrep's scan tree, and semgrep obeyed it: "success, No findings"."""
    head = open_pr(h, {"app/.semgrepignore": "#!/bin/sh\n*\n"})
    _fails_on_the_backdoor(latest_run(h, head))


def test_a_root_semgrepignore_and_semgrep_config_in_the_pr_are_never_obeyed(h: Harness) -> None:
    """Attack: ignore files and semgrep/zizmor configuration at the root and under ``.semgrep/``,
    each dressed as a shell script so that it is a scan target."""
    head = open_pr(
        h,
        {
            ".semgrepignore": "#!/bin/sh\n*\n",
            ".gitignore": "#!/bin/sh\n*\n",
            "app/.gitignore": "#!/bin/sh\n*.py\n",
            ".semgrep.yml": "rules: []\n",
            ".semgrep/x.yml": "rules: []\n",
            "zizmor.yml": "rules: {}\n",
            ".github/zizmor.yml": "rules: {}\n",
        },
    )
    _fails_on_the_backdoor(latest_run(h, head))


def test_a_backdoor_padded_past_the_size_limit_is_not_green(h: Harness) -> None:
    """Attack (row 2): the backdoor file is padded past 2 MB, so it is skipped as too large, and
    skipped files did not count: "success"."""
    padded = BACKDOOR + "".join(f"# {n:08d} {'pad ' * 20}\n" for n in range(25_000))
    assert len(padded.encode()) > 2_000_000
    head = open_pr(h, {BACKDOOR_PATH: padded})
    run = latest_run(h, head)
    assert_not_green(run)
    assert run["conclusion"] == "action_required"
    summary = run["output"]["summary"]
    assert f"`{BACKDOOR_PATH}`: too-large" in summary, summary[:2000]


def test_the_repository_policy_can_fail_an_incomplete_scan(h: Harness) -> None:
    """Attack (row 2) against a repository whose policy says ``incomplete: failure``."""
    base = h.repo.commit(
        {**BASE_FILES, ".github/gatehouse.yml": "incomplete: failure\n"}, branch="main"
    )
    padded = BACKDOOR + "# pad\n" * 400_000
    head = h.repo.commit({BACKDOOR_PATH: padded}, parent=base, message=AI_TRAILER)
    h.repo.open_pull(1, base=base, head=head)
    assert h.deliver("pull_request", h.pr_payload("opened", 1)).status_code == 202
    run = latest_run(h, head)
    assert run["conclusion"] == "failure"
    assert "too-large" in run["output"]["summary"]


def test_files_named_x_and_x_backslash_y_do_not_stop_semgrep(h: Harness) -> None:
    """Attack (row 3): files ``x`` and ``x\\y`` (one a folder of the other once written to disk)
    made one write error kill semgrep for the whole scan: "neutral, Analysis incomplete"."""
    head = open_pr(h, {"x": "#!/bin/sh\necho hi\n", "x\\y": "#!/bin/sh\necho there\n"})
    _fails_on_the_backdoor(latest_run(h, head))


def test_a_backdoor_under_a_name_too_long_for_the_disk_is_found_at_its_real_path(
    h: Harness,
) -> None:
    """Attack (row 3): a name of 100 four-byte UTF-8 characters cannot be written to disk as is; the
    backdoor inside it must still be analysed and reported at the PR's own path."""
    path = f"app/{EMOJI_NAME}.py"
    head = open_pr(h, {path: BACKDOOR}, with_backdoor=False)
    _fails_on_the_backdoor(latest_run(h, head), path)


def test_odd_names_are_each_analysed_and_mapped_back(h: Harness) -> None:
    """Attack: names that collide or escape once written (``..``, control characters, case-only
    twins, a leading dash read as an option) each carry the backdoor; every one is reported."""
    paths = [
        "app/../evil.py",
        "app/Evil.py",
        "app/evil.py",
        "app/tab\tname.py",
        "-rf.py",
        "app/x\\..\\..\\up.py",
    ]
    head = open_pr(h, {p: BACKDOOR for p in paths}, with_backdoor=False)
    run = latest_run(h, head)
    assert run["conclusion"] == "failure"
    assert set(paths) <= _paths(run), _paths(run)


def test_a_whole_file_semgrep_cannot_parse_is_not_green(h: Harness) -> None:
    """Attack: code in a whole file that does not parse as its language, so the pattern rules see
    nothing there (a payload the other analyzers miss would go through); the scan was "degraded"
    and ended neutral."""
    broken = "import os\ndef run(:\n    return os.getcwd()\n"
    head = open_pr(h, {"app/loader.py": broken}, with_backdoor=False)
    run = latest_run(h, head)
    assert_not_green(run)
    assert run["conclusion"] == "action_required"
    assert "app/loader.py" in run["output"]["summary"]


def test_a_backdoor_in_a_file_that_parses_only_in_part_is_still_found(h: Harness) -> None:
    """Attack: a syntax error next to the payload, hoping the parser gives up on the file."""
    payload = base64.b64encode(b"print('owned')").decode()
    broken = f"import base64\ndef run(:\n    pass\nexec(base64.b64decode('{payload}'))\n"
    head = open_pr(h, {"app/loader.py": broken}, with_backdoor=False)
    run = latest_run(h, head)
    assert_not_green(run)
    assert "app/loader.py" in run["output"]["summary"]


def test_files_beyond_githubs_listing_are_not_green(h: Harness) -> None:
    """Attack: 3,000 harmless files first, the backdoor after them: GitHub lists at most 3,000
    files of a pull request, so the backdoor was never fetched and the check was "success"."""
    files = {f"docs/{n:04d}.txt": f"note {n}\n" for n in range(3000)}
    files["zz/telemetry.py"] = BACKDOOR
    head = open_pr(h, files, with_backdoor=False)
    run = latest_run(h, head)
    assert_not_green(run)
    assert run["conclusion"] == "action_required"
    assert "beyond GitHub" in run["output"]["summary"]


INJECTABLE_WORKFLOW = """name: triage
on: pull_request_target
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}" && ./build.sh
"""


def test_a_workflow_twin_named_to_break_zizmors_tree_does_not_stop_the_audit(h: Harness) -> None:
    """Attack: workflows ``ci.yml`` and ``ci.yml\\\\x.yml`` (one a folder of the other once written)
    crashed the workflow analyzer for every workflow of the PR: "neutral"."""
    head = open_pr(
        h,
        {
            ".github/workflows/ci.yml": INJECTABLE_WORKFLOW,
            ".github/workflows/ci.yml\\x.yml": INJECTABLE_WORKFLOW,
            ".github/zizmor.yml": "rules:\n  template-injection:\n    disable: true\n",
        },
        with_backdoor=False,
    )
    run = latest_run(h, head)
    assert_not_green(run)
    assert run["conclusion"] == "failure"
    assert ".github/workflows/ci.yml" in _paths(run)
