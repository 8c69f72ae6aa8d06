"""The ai-egress rule table, what each kind of sent data weighs, and the call site a check
reports."""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.core.analyzers.ai_egress.vendors import Vendor
from reviewer.core.findings import Confidence, Severity
from reviewer.core.rules import RuleMeta, rule_maker

ANALYZER = "ai-egress"
CATEGORY = "ai-egress"


_meta = rule_maker(f"python:{ANALYZER}", category=CATEGORY)

RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        _meta(
            "ai-egress-secrets",
            Severity.HIGH,
            Confidence.MEDIUM,
            "Code sends the environment, secrets or credential files to an AI service.",
            "Send the model only the text it needs; never environment variables, keys or "
            "credential files. Check the vendor is one the organisation allows.",
            ("network-send", "env-read"),
        ),
        _meta(
            "ai-egress-source",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            "Code sends the repository's source files to an AI service (walks the tree, reads "
            "files, or runs a coding agent in the checkout).",
            "Make sure the organisation allows this vendor and country to receive its code; "
            "list it under ai_egress.allowed_vendors, or remove the upload.",
            ("network-send", "source-tree-read"),
        ),
        _meta(
            "ai-egress-call",
            Severity.LOW,
            Confidence.MEDIUM,
            "Code sends data (a prompt, user input, file contents) to an AI service.",
            "Check what reaches the prompt and that the vendor is allowed to receive it.",
            ("network-send",),
        ),
        _meta(
            "ai-egress-sdk",
            Severity.INFO,
            Confidence.HIGH,
            "The change adds an AI vendor's SDK, API host or CI action.",
            "Check the vendor is one the organisation allows (ai_egress in .github/gatehouse.yml).",
            (),
        ),
    )
}


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())


# What flows, strongest first: (label, words in the message, severity).
SENDS: dict[str, tuple[str, Severity]] = {
    "env": ("the whole environment", Severity.HIGH),
    "credential": ("credential files", Severity.HIGH),
    "secret": ("secrets read from the environment", Severity.HIGH),
    "tree": ("the repository's source files", Severity.MEDIUM),
    "agent": (
        "the checkout the agent runs in (an agent reads the repository's files)",
        Severity.MEDIUM,
    ),
    "file": ("file contents", Severity.LOW),
    "user": ("user input", Severity.LOW),
}
RULE_FOR = {
    Severity.HIGH: "ai-egress-secrets",
    Severity.MEDIUM: "ai-egress-source",
    Severity.LOW: "ai-egress-call",
}


@dataclass(frozen=True)
class Site:
    vendor: Vendor
    line: int
    end_line: int
    how: str  # "calls the OpenAI SDK", "posts to api.deepseek.com", "runs `claude -p`"
    sends: frozenset[str]
    evidence: str


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
