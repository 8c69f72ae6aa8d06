"""The obfuscation and blob rule table."""

from reviewer.core.analyzers.base import (
    MAX_LINE_CHARS,
)
from reviewer.core.findings import Confidence, Severity
from reviewer.core.rules import RuleMeta, rule_maker

ANALYZER = "blobs"


_meta = rule_maker(f"python:{ANALYZER}")


RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        _meta(
            "blob-encoded-payload",
            "obfuscated-exec",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            "A long base64, hex, escaped or numeric-array payload added to source code.",
            "Ask what the payload is and where it came from; ship data as a reviewed file with a "
            "documented origin, never as an opaque literal in code.",
            ("obfuscated", "decode"),
        ),
        _meta(
            "blob-encoded-text",
            "obfuscated-exec",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            "A string literal hides readable text (names, paths, URLs, commands) behind hex, "
            "base64, escapes or character codes.",
            "Replace the encoded literal by the plain text, or explain why it must be hidden.",
            ("obfuscated", "decode"),
        ),
        _meta(
            "blob-minified-line",
            "obfuscated-exec",
            Severity.LOW,
            Confidence.LOW,
            "A very long or minified line added to a hand-written source file.",
            "Check that the line is generated from reviewed sources; commit the source, not the "
            "packed output, or move it under a generated/vendored path.",
            ("obfuscated",),
        ),
        _meta(
            "overlong-line",
            "obfuscated-exec",
            Severity.MEDIUM,
            Confidence.LOW,
            f"A line longer than {MAX_LINE_CHARS} characters: it cannot be reviewed, and the line "
            "checks read no further than that; hidden code often hides there.",
            "Break the line up, or move generated or minified output under a generated/vendored "
            "path and commit the sources it is built from.",
            ("obfuscated",),
        ),
        _meta(
            "blob-binary-executable",
            "binary-blob",
            Severity.HIGH,
            Confidence.MEDIUM,
            "An executable, library, bytecode or archive file added next to source code.",
            "Build binaries from reviewed sources in CI instead of committing them; if it must "
            "stay, document its origin and a checksum.",
            ("obfuscated",),
        ),
        _meta(
            "blob-binary-file",
            "binary-blob",
            Severity.MEDIUM,
            Confidence.LOW,
            "A binary file that is not an image, font or document added to the repository.",
            "Check what the file is and why it is needed; reviewers cannot read it in the diff.",
            ("obfuscated",),
        ),
    )
}


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())
