"""The prompt-injection rule table."""

from __future__ import annotations

from reviewer.core.findings import Confidence, Severity
from reviewer.core.rules import RuleMeta, rule_maker

ANALYZER = "agents"


_meta = rule_maker(f"python:{ANALYZER}", category="prompt-injection")


RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        _meta(
            "agent-file-changed",
            Severity.LOW,
            Confidence.HIGH,
            "The change edits a file that AI coding agents read as instructions or configuration.",
            "Read the whole file as if you were the agent: every sentence is an order it may "
            "follow.",
            ("agent-file",),
        ),
        _meta(
            "agent-instruction-dangerous",
            Severity.HIGH,
            Confidence.MEDIUM,
            "An agent instruction file tells the AI to destroy data, run remote code, send data "
            "out, hide what it does, or run something before every task.",
            "Remove the instruction; agent files should describe the project, not order actions "
            "the user did not ask for.",
            ("agent-file",),
        ),
        _meta(
            "agent-comment-injection",
            Severity.HIGH,
            Confidence.MEDIUM,
            "A comment or document addresses an AI and asks it to do something dangerous or to "
            "hide something from the user.",
            "Delete the text; an AI reading this file may obey it.",
            ("agent-file",),
        ),
        _meta(
            "agent-ignore-hides-script",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            "An agent ignore file hides a script from the AI's view of the repository.",
            "Check why the agent must not see the file; hiding a script that agent instructions "
            "tell it to run is a known injection trick.",
            ("agent-file",),
        ),
        _meta(
            "agent-cli-permission-bypass",
            Severity.HIGH,
            Confidence.HIGH,
            "Code launches a coding-agent CLI with its approval prompts or sandbox turned off.",
            "Never run an agent unattended with tool approval disabled outside a disposable "
            "sandbox; remove the flag.",
            ("agent-cli",),
        ),
        _meta(
            "agent-prompt-secret-hunt",
            Severity.HIGH,
            Confidence.MEDIUM,
            "Embedded prompt text asks to search the machine for keys, wallets, tokens or "
            "credential files.",
            "Remove the prompt; code that asks an AI to inventory secrets on a developer machine "
            "is credential theft.",
            ("agent-cli", "credential-file"),
        ),
    )
}


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())
