"""Checks over a parsed workflow: privileged triggers that run pull-request code, secrets
sent out or written to artifacts, new push workflows that send data."""

from __future__ import annotations

import re

from reviewer.core.analyzers.workflows.lines import line_checks
from reviewer.core.analyzers.workflows.parse import Job, Step, Workflow
from reviewer.core.analyzers.workflows.patterns import (
    ALL_SECRETS,
    ARTIFACT_ACTIONS,
    ENCODE,
    ENV_DUMP,
    HEAD_REF,
    NET,
    PIPE_SHELL,
    PR_CHECKOUT_CMD,
    PRIVILEGED_TRIGGERS,
    REPO_TOKEN,
    SECRET_REF,
    SEND,
    UNTRUSTED,
    URL,
)
from reviewer.core.analyzers.workflows.rules import finding
from reviewer.core.changeset import FileChange, FileStatus
from reviewer.core.findings import Finding
from reviewer.core.manifests.lines import KnownLines
from reviewer.core.manifests.sources import host_of, is_suspicious_host

__all__ = ["structured_checks"]


def line_in_run(step: Step, pattern: re.Pattern[str]) -> int:
    """The file line of the first match of ``pattern`` inside a step's run text."""
    m = pattern.search(step.run)
    if not m:
        return step.run_line
    offset = step.run.count("\n", 0, m.start())
    return step.run_line + (1 + offset if step.run_block else 0)


def structured_checks(
    path: str, change: FileChange, known: KnownLines, wf: Workflow, *, zizmor_ran: bool
) -> list[Finding]:
    findings: list[Finding] = []
    text_of = known.lines
    privileged = [t for t in PRIVILEGED_TRIGGERS if t in wf.triggers]
    for job in wf.jobs:
        pr_checked_out = 0
        artifact: tuple[str, int] | None = (
            None  # where a workflow_run job unpacks the PR run's artifact
        )
        checked_out = False
        for step in job.steps:
            env = {**wf.env, **job.env, **step.env}
            if step.uses.startswith("actions/checkout"):
                checked_out = True
            if "workflow_run" in privileged and _downloads_artifact(step):
                artifact = (
                    step.with_.get("path", (".", 0))[0].strip() or ".",
                    step.uses_line or step.run_line,
                )
            elif artifact and step.run and _runs_artifact(step.run, artifact[0], checked_out):
                line = step.run_line or step.line
                findings.append(
                    finding(
                        "wf-privileged-run-of-pr-code",
                        path,
                        line,
                        text_of.get(line, ""),
                        "This workflow_run job runs a file from the artifact it downloaded (line "
                        f"{artifact[1]}); "
                        "the triggering run built that artifact from the pull request, so anyone "
                        "who opens one "
                        "chooses what runs here with the base repository's secrets.",
                    )
                )
                artifact = None
            # A privileged trigger that checks out and then runs the pull request's code.
            if privileged and _checks_out_pr(step):
                line = (
                    step.with_.get("ref", ("", step.uses_line or step.run_line))[1]
                    if step.uses
                    else step.run_line
                )
                pr_checked_out = line
                findings.append(
                    finding(
                        "wf-privileged-checkout-of-pr-code",
                        path,
                        line,
                        text_of.get(line, ""),
                        f"This {'/'.join(privileged)} workflow checks out the pull request's "
                        "code, with the "
                        "base repository's secrets and write token in reach.",
                    )
                )
            elif pr_checked_out and (step.run or step.uses.startswith("./")):
                line = step.run_line or step.uses_line or step.line
                findings.append(
                    finding(
                        "wf-privileged-run-of-pr-code",
                        path,
                        line,
                        text_of.get(line, ""),
                        f"After checking out the pull request's code (line {pr_checked_out}), "
                        "this privileged "
                        "job runs it: anyone who opens a pull request can run code with its "
                        "secrets.",
                    )
                )
                pr_checked_out = 0
            if step.run:
                findings.extend(_run_checks(path, step, env, text_of, zizmor_ran))
        findings.extend(_artifact_checks(path, job, text_of))
    findings.extend(_push_sender(path, change, wf, text_of))
    findings.extend(line_checks(path, known, zizmor_ran=zizmor_ran, structured=True))
    return findings


_ARTIFACT_ACTIONS_DOWNLOAD = ("actions/download-artifact", "dawidd6/action-download-artifact")
_RUNS_LOCAL_FILE = re.compile(
    r"(?:^|[\s;&|(])(?:(?:ba|z)?sh|source|\.|python[0-9.]*|node|ruby|perl|pwsh)\s+"
    r"(?:-\w+\s+)*(\.?/?[\w.-]+(?:/[\w.-]+)*)|(?:^|[\s;&|(])(\./[\w./-]+)",
    re.M,
)


def _downloads_artifact(step: Step) -> bool:
    return step.uses.startswith(_ARTIFACT_ACTIONS_DOWNLOAD) or bool(
        step.run and "gh run download" in step.run
    )


def _runs_artifact(run: str, where: str, checked_out: bool) -> bool:
    """True when a run step executes a file that lies in the downloaded artifact's folder."""
    base = where.strip("./")
    for m in _RUNS_LOCAL_FILE.finditer(run):
        target = (m.group(1) or m.group(2) or "").lstrip("./")
        if not target or target.startswith("-"):
            continue
        if base and (target == base or target.startswith(base + "/")):
            return True
        if not base and not checked_out:
            return True  # no checkout: everything in the workspace came from the artifact
    return False


def _checks_out_pr(step: Step) -> bool:
    if step.uses.startswith("actions/checkout"):
        ref = step.with_.get("ref", ("", 0))[0] + step.with_.get("repository", ("", 0))[0]
        return bool(HEAD_REF.search(ref))
    return bool(step.run and PR_CHECKOUT_CMD.search(step.run))


def _run_checks(
    path: str,
    step: Step,
    env: dict[str, tuple[str, int]],
    text_of: dict[int, str],
    zizmor_ran: bool,
) -> list[Finding]:
    findings: list[Finding] = []
    run = step.run
    secret_vars = {k for k, (v, _) in env.items() if ALL_SECRETS.search(v)}
    one_secret_vars = {k for k, (v, _) in env.items() if SECRET_REF.search(v)}
    all_secrets = (
        bool(ALL_SECRETS.search(run))
        or any(re.search(r"\$\{?" + re.escape(v) + r"\b", run) for v in secret_vars)
        or ("*" in secret_vars)
    )
    dump = bool(ENV_DUMP.search(run))
    sends = SEND.search(run) or (NET.search(run) and (all_secrets or dump) and URL.search(run))
    if sends and (all_secrets or dump):
        line = line_in_run(step, NET)
        what = (
            "every secret of the repository"
            if all_secrets
            else "the whole environment (with its secrets)"
        )
        findings.append(
            finding(
                "wf-secrets-to-network",
                path,
                line,
                text_of.get(line, run[:200]),
                f"This step sends {what} over the network.",
            )
        )
        return findings
    if NET.search(run):
        hosts = [host_of(u) or u for u in URL.findall(run)]
        bad = [h for h in hosts if is_suspicious_host(h)]
        uses_secret = SECRET_REF.search(run) or any(
            re.search(r"\$\{?" + re.escape(v) + r"\b", run) for v in one_secret_vars
        )
        if bad and uses_secret:
            line = line_in_run(step, NET)
            findings.append(
                finding(
                    "wf-secret-to-suspicious-host",
                    path,
                    line,
                    text_of.get(line, run[:200]),
                    f"A secret is sent to `{bad[0]}`, a host no real service is run from.",
                )
            )
    handed = [
        k
        for k, (v, _) in env.items()
        if SECRET_REF.search(v) and not REPO_TOKEN.fullmatch(v.strip())
    ]
    if PIPE_SHELL.search(run) and (handed or all_secrets):
        line = line_in_run(step, PIPE_SHELL)
        findings.append(
            finding(
                "wf-secrets-to-remote-script",
                path,
                line,
                text_of.get(line, run[:200]),
                "This step runs a script fetched at run time while "
                f"{', '.join(sorted(handed)[:3]) or 'every secret'} "
                "sits in its environment: whoever controls that URL, today or later, can read "
                "the secrets.",
            )
        )
    if (
        (all_secrets or SECRET_REF.search(run))
        and ENCODE.search(run)
        and re.search(r"\becho\b|\bprintf\b|\bcat\b", run)
    ):
        line = line_in_run(step, ENCODE)
        findings.append(
            finding(
                "wf-secret-encoded-output",
                path,
                line,
                text_of.get(line, run[:200]),
                "A secret is piped through an encoder, which defeats GitHub's log masking.",
            )
        )
    if not zizmor_ran:
        m = UNTRUSTED.search(run)
        if m:
            line = line_in_run(step, UNTRUSTED)
            findings.append(
                finding(
                    "wf-untrusted-input-in-run",
                    path,
                    line,
                    text_of.get(line, run[:200]),
                    f"`{m.group(0)}` is expanded into the script before the shell parses it: "
                    "a crafted title or branch name runs as code.",
                )
            )
        if all_secrets:
            line = (
                line_in_run(step, ALL_SECRETS)
                if ALL_SECRETS.search(run)
                else min(
                    (ln for k, (_, ln) in env.items() if k in secret_vars), default=step.run_line
                )
            )
            findings.append(
                finding(
                    "wf-whole-secrets-context",
                    path,
                    line,
                    text_of.get(line, ""),
                    "This step is given every secret of the repository.",
                )
            )
    return findings


def _artifact_checks(path: str, job: Job, text_of: dict[int, str]) -> list[Finding]:
    """A job that writes all secrets/the environment to a file and uploads or caches it."""
    uploads = [s for s in job.steps if s.uses.startswith(ARTIFACT_ACTIONS)]
    if not uploads:
        return []
    for step in job.steps:
        if not step.run:
            continue
        env = {**job.env, **step.env}
        whole = ALL_SECRETS.search(step.run) or any(ALL_SECRETS.search(v) for v, _ in env.values())
        if (whole or ENV_DUMP.search(step.run)) and re.search(r">>?\s*\S|\btee\b", step.run):
            line = line_in_run(step, ENV_DUMP) if ENV_DUMP.search(step.run) else step.run_line
            return [
                finding(
                    "wf-secrets-to-artifact",
                    path,
                    line,
                    text_of.get(line, ""),
                    f"Secrets or the environment are written to a file that `{uploads[0].uses}` "
                    "uploads or caches.",
                )
            ]
    return []


def _push_sender(
    path: str, change: FileChange, wf: Workflow, text_of: dict[int, str]
) -> list[Finding]:
    """A newly added workflow that runs on push to any branch and posts data somewhere."""
    if change.status is not FileStatus.ADDED or "push" not in wf.triggers:
        return []
    spec = wf.triggers.get("push")
    if (
        isinstance(spec, dict)
        and (spec.get("branches") or spec.get("tags"))
        and "**" not in str(spec.get("branches"))
    ):
        return []
    for job in wf.jobs:
        for step in job.steps:
            if step.run and SEND.search(step.run) and URL.search(step.run):
                line = line_in_run(step, SEND)
                return [
                    finding(
                        "wf-push-workflow-sends-data",
                        path,
                        line,
                        text_of.get(line, ""),
                        "This new workflow runs on every push to any branch and sends data to a "
                        "server.",
                    )
                ]
    return []
