"""The hidden-unicode rule table."""

from __future__ import annotations

from reviewer.core.findings import Confidence, Severity
from reviewer.core.rules import RuleMeta, rule_maker

ANALYZER = "unicode"


_meta = rule_maker(
    f"python:{ANALYZER}", category="hidden-unicode", capabilities=("hidden-unicode",)
)


RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        _meta(
            "unicode-bidi-control",
            Severity.CRITICAL,
            Confidence.HIGH,
            "Bidirectional control characters make code display in a different order from how it "
            "runs (Trojan Source).",
            "Remove the control characters; if right-to-left text is really needed, keep it in a "
            "translation file, not in code.",
        ),
        _meta(
            "unicode-zero-width",
            Severity.HIGH,
            Confidence.HIGH,
            "Zero-width or filler characters make two different identifiers or strings look the "
            "same.",
            "Delete the invisible characters and check every use of the affected name.",
        ),
        _meta(
            "unicode-tag-characters",
            Severity.CRITICAL,
            Confidence.HIGH,
            "Unicode tag characters carry invisible ASCII text (ASCII smuggling), often an "
            "instruction aimed at an AI model.",
            "Delete the tag characters; read the decoded text in the finding to see what was "
            "hidden.",
        ),
        _meta(
            "unicode-variation-selector",
            Severity.HIGH,
            Confidence.MEDIUM,
            "Variation selectors outside emoji or ideographs are invisible and can encode hidden "
            "bytes.",
            "Delete the variation selectors; decode them to see whether they carried data.",
        ),
        _meta(
            "unicode-homoglyph-identifier",
            Severity.HIGH,
            Confidence.MEDIUM,
            "An identifier mixes Latin letters with look-alike Cyrillic, Greek or Armenian ones, "
            "so it can impersonate another name.",
            "Retype the identifier in plain ASCII and check which definition every call really "
            "reaches.",
        ),
        _meta(
            "unicode-hidden-in-agent-file",
            Severity.CRITICAL,
            Confidence.HIGH,
            "An AI-agent instruction or configuration file carries invisible or reordered text: "
            "hidden instructions to the next AI that reads it.",
            "Delete the hidden characters and review the decoded text; treat the change as hostile "
            "until its author explains it.",
        ),
    )
}


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())
