"""What to scan and why (:class:`ScanRequest`), and how a scan ended (:class:`ScanOutcome`)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FORCED_TRIGGERS", "ScanOutcome", "ScanRequest"]

# Triggers that scan again even when this head was already scanned.
FORCED_TRIGGERS = frozenset(
    {
        "rescan",
        "rerequested",
        "requested_action",
        "labeled",
        "unlabeled",
        "edited",
        "ai",
        "ignore",
        "unignore",
    }
)


@dataclass(frozen=True)
class ScanRequest:
    """What to scan and why."""

    installation_id: int
    repo: str
    pr: int
    head_sha: str
    trigger: str
    default_branch: str | None = None
    manual_tool: str | None = None
    manual_by: str | None = None

    @property
    def forced(self) -> bool:
        return self.trigger in FORCED_TRIGGERS


@dataclass(frozen=True)
class ScanOutcome:
    """How a scan ended (``state`` is the store's scan state)."""

    state: str
    conclusion: str | None = None
    check_run_id: int | None = None
    findings: int = 0
    comments: int = 0
    detail: str = ""
