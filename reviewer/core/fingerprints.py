"""Fingerprint findings from the whole code they matched, read from the analysed file.

Analyzers clip their ``evidence`` for display (160 characters, masked secrets); a fingerprint
made from it would let a change after the clip pass as the code that was already there, and
a dismissal of one line hide another. So the fingerprint hashes every line of the finding as
the file has it (any length), and a binary file's bytes by their SHA-256.
"""

from __future__ import annotations

from collections.abc import Iterable

from reviewer.core.changeset import ChangeSet, FileChange, text_lines
from reviewer.core.findings import Finding, binary_code

__all__ = ["matched_code", "fingerprint_all"]


def matched_code(finding: Finding, change: FileChange | None, lines: list[str] | None) -> str:
    """The whole code ``finding`` stands for: its lines in ``lines`` (the analysed text), a
    binary's content hash, or the evidence when the lines are not known."""
    if change is not None and change.binary:
        return binary_code(change.content_sha256)
    if lines:
        start = max(finding.start_line, 1)
        end = min(max(finding.end_line, start), len(lines))
        code = "\n".join(lines[start - 1 : end])
        if code.strip():
            return code
    return finding.evidence


def fingerprint_all(findings: Iterable[Finding], changeset: ChangeSet) -> list[Finding]:
    """Every finding fingerprinted from its matched code in ``changeset`` (post-images)."""
    by_path = {c.path: c for c in changeset.files}
    cache: dict[str, list[str]] = {}
    out: list[Finding] = []
    for f in findings:
        change = by_path.get(f.path)
        lines = None
        if change is not None and not change.binary:
            lines = cache.get(f.path)
            if lines is None:
                lines = cache[f.path] = text_lines(change.post_image())
        out.append(f.fingerprinted(matched_code(f, change, lines)))
    return out
