"""The workflow analyzer's rules: Gatehouse's own CI checks and zizmor's audits re-rated."""

from __future__ import annotations

from reviewer.core.findings import Confidence, Finding, Severity
from reviewer.core.rules import RuleMeta, rule_maker

__all__ = ["ANALYZER", "RULES", "ZIZMOR", "ZIZMOR_DEFAULT", "finding", "rule_metas"]

ANALYZER = "workflows"
_S, _C = Severity, Confidence

_meta = rule_maker(ANALYZER, languages=("github-actions",))


# zizmor audit id -> (category, Gatehouse severity, rationale). zizmor rates on its own scale;
# Gatehouse re-rates so that hygiene findings never fail a check on their own.
ZIZMOR: dict[str, tuple[str, Severity, str]] = {
    "template-injection": (
        "ci-injection",
        _S.HIGH,
        "Untrusted event text is expanded into a shell or script.",
    ),
    "dangerous-triggers": (
        "ci-injection",
        _S.LOW,
        "A privileged trigger (pull_request_target, workflow_run) is used.",
    ),
    "overprovisioned-secrets": (
        "ci-secret-exfil",
        _S.MEDIUM,
        "The whole secrets context is handed to a step.",
    ),
    "unredacted-secrets": (
        "ci-secret-exfil",
        _S.MEDIUM,
        "A secret is used in a way that escapes log masking.",
    ),
    "github-env": (
        "ci-injection",
        _S.MEDIUM,
        "Untrusted data can reach GITHUB_ENV or GITHUB_PATH.",
    ),
    "insecure-commands": (
        "security-control-disabled",
        _S.MEDIUM,
        "Deprecated insecure workflow commands are re-enabled.",
    ),
    "hardcoded-container-credentials": (
        "hardcoded-credential",
        _S.MEDIUM,
        "Container registry credentials are written in the workflow.",
    ),
    "bot-conditions": (
        "ci-injection",
        _S.MEDIUM,
        "A spoofable actor check guards a privileged job.",
    ),
    "cache-poisoning": (
        "ci-injection",
        _S.LOW,
        "A release workflow restores a cache that others can write.",
    ),
    "artipacked": (
        "ci-secret-exfil",
        _S.LOW,
        "Checkout keeps the token in .git where artifacts can carry it.",
    ),
    "excessive-permissions": (
        "security-control-disabled",
        _S.LOW,
        "The job runs with broad token permissions.",
    ),
    "unpinned-uses": ("dependency-risk", _S.LOW, "An action is not pinned to a commit SHA."),
    "unpinned-images": ("dependency-risk", _S.LOW, "A container image is not pinned to a digest."),
    "secrets-inherit": ("ci-secret-exfil", _S.LOW, "Every secret is passed to a called workflow."),
    "obfuscation": (
        "obfuscated-exec",
        _S.LOW,
        "Workflow syntax is written in a needlessly obscure way.",
    ),
    "unsound-contains": ("ci-injection", _S.LOW, "A contains() condition can be bypassed."),
    "unsound-condition": ("ci-injection", _S.LOW, "A condition is always true."),
    "use-trusted-publishing": (
        "dependency-risk",
        _S.INFO,
        "A long-lived publishing token could be replaced by trusted publishing.",
    ),
    "ref-version-mismatch": (
        "dependency-risk",
        _S.LOW,
        "A pinned SHA does not match the version in its comment.",
    ),
    "misfeature": ("ci-injection", _S.LOW, "A GitHub Actions feature with known pitfalls is used."),
}
ZIZMOR_DEFAULT = ("ci-injection", _S.LOW, "zizmor audit finding.")

RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        *(
            _meta(
                f"zizmor-{ident}",
                cat,
                sev,
                _C.MEDIUM,
                why,
                f"See zizmor's documentation of the `{ident}` audit.",
                source="zizmor",
            )
            for ident, (cat, sev, why) in ZIZMOR.items()
        ),
        _meta(
            "wf-privileged-checkout-of-pr-code",
            "ci-injection",
            _S.HIGH,
            _C.HIGH,
            "A pull_request_target or workflow_run workflow checks out the pull request's code.",
            "Check out the base branch only, or move the work to a pull_request workflow without "
            "secrets.",
        ),
        _meta(
            "wf-privileged-run-of-pr-code",
            "ci-injection",
            _S.CRITICAL,
            _C.HIGH,
            "A privileged workflow checks out the pull request's code and then runs commands in "
            "it.",
            "Never build or run pull-request code in pull_request_target/workflow_run jobs.",
        ),
        _meta(
            "wf-untrusted-input-in-run",
            "ci-injection",
            _S.HIGH,
            _C.HIGH,
            "Text an outsider controls (titles, bodies, branch names) is expanded into a shell.",
            "Pass the value through an env: variable and quote it in the script.",
        ),
        _meta(
            "wf-secrets-to-network",
            "ci-secret-exfil",
            _S.CRITICAL,
            _C.HIGH,
            "The whole secrets context or environment is sent over the network.",
            "Remove the step; rotate every secret the repository holds.",
            ("env-dump", "network-send"),
        ),
        _meta(
            "wf-secret-to-suspicious-host",
            "ci-secret-exfil",
            _S.CRITICAL,
            _C.HIGH,
            "A secret is sent to a raw IP, tunnel, paste or request-collector host.",
            "Remove the step; rotate the secret.",
            ("env-read", "network-send", "suspicious-endpoint"),
        ),
        _meta(
            "wf-secrets-to-remote-script",
            "ci-secret-exfil",
            _S.HIGH,
            _C.MEDIUM,
            "A step pipes a script downloaded at run time into a shell while secrets are in its "
            "environment.",
            "Vendor the script or pin it by checksum, and give the step only the secret it needs.",
            ("env-read", "network-fetch", "exec"),
        ),
        _meta(
            "wf-secrets-to-artifact",
            "ci-secret-exfil",
            _S.CRITICAL,
            _C.MEDIUM,
            "The secrets context or environment is written to an artifact, cache or log.",
            "Never write secrets to files that are uploaded or printed.",
            ("env-dump",),
        ),
        _meta(
            "wf-secret-encoded-output",
            "ci-secret-exfil",
            _S.HIGH,
            _C.MEDIUM,
            "A secret is encoded before printing, which defeats log masking.",
            "Do not print secrets in any form.",
            ("decode",),
        ),
        _meta(
            "wf-whole-secrets-context",
            "ci-secret-exfil",
            _S.MEDIUM,
            _C.MEDIUM,
            "A step receives every secret of the repository (toJSON(secrets)).",
            "Pass only the secrets the step needs, one by one.",
        ),
        _meta(
            "wf-push-workflow-sends-data",
            "exfiltration",
            _S.MEDIUM,
            _C.LOW,
            "A new workflow runs on every push to any branch and sends data to a server.",
            "Limit the trigger to the branches that need it and check where the data goes.",
            ("network-send",),
        ),
        _meta(
            "wf-self-hosted-runner",
            "ci-injection",
            _S.MEDIUM,
            _C.MEDIUM,
            "A job is moved to a self-hosted runner, which keeps state between jobs.",
            "Use ephemeral runners, and never for jobs that run pull-request code.",
        ),
        _meta(
            "wf-permissions-write-all",
            "security-control-disabled",
            _S.MEDIUM,
            _C.HIGH,
            "The workflow token gets every write permission.",
            "Grant only the permissions each job needs.",
        ),
        _meta(
            "wf-permission-write",
            "security-control-disabled",
            _S.LOW,
            _C.MEDIUM,
            "The workflow token gains a write permission.",
            "Check the job needs it; prefer job-level permissions.",
        ),
        _meta(
            "wf-unpinned-action",
            "dependency-risk",
            _S.LOW,
            _C.HIGH,
            "A third-party action is referenced by a movable tag or branch, not a commit SHA.",
            "Pin the action to a full commit SHA (and keep the version in a comment).",
        ),
        _meta(
            "wf-unpinned-first-party-action",
            "dependency-risk",
            _S.INFO,
            _C.HIGH,
            "A GitHub-owned action is referenced by a tag, not a commit SHA.",
            "Pin it to a full commit SHA if your policy asks for it.",
        ),
    )
}


def finding(
    rule_id: str, path: str, line: int, evidence: str, message: str, end: int | None = None
) -> Finding:
    meta = RULES[rule_id]
    return Finding(
        rule_id=rule_id,
        category=meta.category,
        severity=meta.severity,
        confidence=meta.confidence,
        path=path,
        start_line=line,
        end_line=end if end and end >= line else line,
        message=message,
        remediation=meta.remediation,
        evidence=evidence.strip()[:500],
        analyzer=ANALYZER,
        capabilities=frozenset(meta.capabilities),
    )


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules (zizmor audits included)."""
    return list(RULES.values())
