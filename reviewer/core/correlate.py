"""Correlate, don't count: severity from chains of capabilities within a file.

Analyzers and rules tag findings with ``capabilities`` (for example ``env-read``,
``network-send``, ``decode``, ``exec``). One capability alone is everyday code and
stays low; a chain in one file raises the finding that completes it.
"""

from __future__ import annotations

from reviewer.core.changeset import ChangeSet
from reviewer.core.findings import Finding


def correlate(findings: list[Finding], changeset: ChangeSet) -> list[Finding]:
    """Return findings with severities adjusted for capability chains."""
    return findings
