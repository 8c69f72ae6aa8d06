"""Line heuristics: what added lines (and the lines around them) show, for whole files and
for diff hunks alone."""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewer.core.analyzers.workflows.patterns import (
    ALL_SECRETS,
    ENV_DUMP,
    HEAD_REF,
    NET,
    PIPE_SHELL,
    PRIVILEGED_TRIGGERS,
    REPO_TOKEN,
    RUNS_ON_SELF,
    SECRET_REF,
    SEND,
    SHA,
    UNTRUSTED,
    URL,
    USES,
    WRITE_PERMS,
    first_party,
)
from reviewer.core.analyzers.workflows.rules import finding
from reviewer.core.findings import Finding
from reviewer.core.manifests.lines import KnownLines
from reviewer.core.manifests.sources import host_of, is_suspicious_host

__all__ = ["line_checks"]


def line_checks(
    path: str, known: KnownLines, *, zizmor_ran: bool, structured: bool = False
) -> list[Finding]:
    findings: list[Finding] = []
    lines = known.lines
    privileged = any(t in text for text in lines.values() for t in PRIVILEGED_TRIGGERS)
    for n in sorted(known.added):
        text = lines.get(n, "")
        code = text.split(" #", 1)[0]
        if not code.strip() or code.lstrip().startswith("#"):
            continue
        if RUNS_ON_SELF.match(code) and _in_runs_on(lines, n):
            findings.append(
                finding(
                    "wf-self-hosted-runner",
                    path,
                    n,
                    text,
                    "This job now runs on a self-hosted runner, which keeps state between jobs "
                    "and sits inside your network.",
                )
            )
        perm = re.match(r"^\s*permissions\s*:\s*write-all\b", code)
        if perm:
            findings.append(
                finding(
                    "wf-permissions-write-all",
                    path,
                    n,
                    text,
                    "`permissions: write-all` gives the token every write scope.",
                )
            )
        wp = re.match(r"^\s*(" + "|".join(map(re.escape, WRITE_PERMS)) + r")\s*:\s*write\b", code)
        if wp and _in_permissions(lines, n):
            findings.append(
                finding(
                    "wf-permission-write",
                    path,
                    n,
                    text,
                    f"The workflow token gains `{wp.group(1)}: write`.",
                )
            )
        if zizmor_ran:
            continue
        uses = USES.match(code)
        if uses and "@" in uses.group(1) and not uses.group(1).startswith(("./", "docker://")):
            action, _, ref = uses.group(1).partition("@")
            if not SHA.match(ref):
                rid = (
                    "wf-unpinned-first-party-action"
                    if first_party(action)
                    else "wf-unpinned-action"
                )
                findings.append(
                    finding(
                        rid,
                        path,
                        n,
                        text,
                        f"`{action}` is used at `{ref}`, a ref its owner can move.",
                    )
                )
        if structured:
            continue
        # Only hunks are known: judge single lines.
        if UNTRUSTED.search(code) and _in_run_block(lines, n):
            findings.append(
                finding(
                    "wf-untrusted-input-in-run",
                    path,
                    n,
                    text,
                    "Untrusted event text is expanded into a shell script.",
                )
            )
        if (ALL_SECRETS.search(code) or ENV_DUMP.search(code)) and SEND.search(code):
            findings.append(
                finding(
                    "wf-secrets-to-network",
                    path,
                    n,
                    text,
                    "Secrets or the whole environment are sent over the network.",
                )
            )
        elif ALL_SECRETS.search(code):
            findings.append(
                finding(
                    "wf-whole-secrets-context",
                    path,
                    n,
                    text,
                    "A step is given every secret of the repository.",
                )
            )
        if privileged and re.search(r"^\s*ref\s*:", code) and HEAD_REF.search(code):
            findings.append(
                finding(
                    "wf-privileged-checkout-of-pr-code",
                    path,
                    n,
                    text,
                    "A pull_request_target/workflow_run workflow checks out the pull request's "
                    "code.",
                )
            )
        if PIPE_SHELL.search(code) and _in_run_block(lines, n) and _step_secrets(lines, n):
            findings.append(
                finding(
                    "wf-secrets-to-remote-script",
                    path,
                    n,
                    text,
                    "This step runs a script fetched at run time while secrets sit in its "
                    "environment: whoever controls that URL can read them.",
                )
            )
        if SECRET_REF.search(code) and NET.search(code):
            bad = [h for h in (host_of(u) or u for u in URL.findall(code)) if is_suspicious_host(h)]
            if bad:
                findings.append(
                    finding(
                        "wf-secret-to-suspicious-host",
                        path,
                        n,
                        text,
                        f"A secret is sent to `{bad[0]}`, a host no real service is run from.",
                    )
                )
    if not structured:
        findings.extend(
            _nearby_secret_sends(
                path,
                known,
                {f.start_line for f in findings if f.rule_id == "wf-secrets-to-network"},
            )
        )
    return findings


_STEP_START = re.compile(r"^\s*-\s+\w")


def _step_secrets(lines: dict[int, str], n: int) -> bool:
    """Hunks only: the step around line ``n`` is handed a secret other than the repository token."""
    start = n
    while start - 1 in lines and n - start < 12 and not _STEP_START.match(lines[start]):
        start -= 1
    end = n + 1
    while end in lines and end - n < 12 and not _STEP_START.match(lines[end]):
        end += 1
    return any(
        SECRET_REF.search(lines[k]) and not REPO_TOKEN.search(lines[k])
        for k in range(start, end)
        if k in lines
    )


def _nearby_secret_sends(path: str, known: KnownLines, done: set[int]) -> list[Finding]:
    """Hunks only: a line handing over all secrets/the environment near a line that posts data."""
    lines = known.lines
    dumps = [
        n
        for n in known.added
        if ALL_SECRETS.search(lines.get(n, "")) or ENV_DUMP.search(lines.get(n, ""))
    ]
    findings = []
    for n in sorted(known.added):
        text = lines.get(n, "")
        if n in done or not (SEND.search(text) and URL.search(text)):
            continue
        if any(abs(n - d) <= 8 and d != n for d in dumps):
            findings.append(
                finding(
                    "wf-secrets-to-network",
                    path,
                    n,
                    text,
                    "A step near a line that hands over every secret (or the environment) "
                    "posts data to a server.",
                )
            )
    return findings


def _parents(lines: dict[int, str], n: int) -> Iterator[str]:
    """Keys of the lines above ``n`` with less indentation, nearest first, until a gap."""
    indent = _indent(lines.get(n, ""))
    k = n - 1
    while k in lines:
        text = lines[k]
        if text.strip() and not text.lstrip().startswith("#"):
            ind = _indent(text)
            if ind < indent:
                yield text.strip()
                indent = ind
                if ind == 0:
                    return
        k -= 1


def _indent(text: str) -> int:
    stripped = text.lstrip(" -")
    return len(text) - len(stripped)


def _in_runs_on(lines: dict[int, str], n: int) -> bool:
    if re.match(r"^\s*+-?\s*+runs-on\s*:", lines.get(n, "")):
        return True
    return any(p.startswith(("runs-on:", "- runs-on:")) for p in _parents(lines, n))


def _in_permissions(lines: dict[int, str], n: int) -> bool:
    for p in _parents(lines, n):
        return p.startswith("permissions:")
    return False


def _in_run_block(lines: dict[int, str], n: int) -> bool:
    if re.match(r"^\s*+-?\s*+(?:run|script)\s*:", lines.get(n, "")):
        return True
    for p in _parents(lines, n):
        return bool(re.match(r"^-?\s*(?:run|script)\s*:\s*[|>]", p))
    return False
