"""What a scan returns (findings, files not analysed, errors, stats; degraded or not) and the
type of its progress callback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reviewer.core.findings import Finding, Severity, Skipped

Progress = Callable[[str], None]


@dataclass
class ScanResult:
    """Findings, files not analysed, and whether the analysis was degraded."""

    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def degraded(self) -> bool:
        return bool(self.errors)

    @property
    def not_analysed(self) -> list[Skipped]:
        """The skipped entries that leave a file (or an analyzer's share of it) unanalysed: too
        large, over the scan budget, unparsable, timed out, not writable, analyzer errors. Binary
        files, ignored paths and partly parsed files are not among them."""
        return [s for s in self.skipped if s.reason.not_analysed]

    def max_severity(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "skipped": [s.to_dict() for s in self.skipped],
            "errors": list(self.errors),
            "degraded": self.degraded,
            "stats": dict(self.stats),
        }
