"""What to scan and why (:class:`ScanRequest`), and how a scan ended (:class:`ScanOutcome`,
in one of the :class:`ScanState` states the store keeps)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["FORCED_TRIGGERS", "ScanOutcome", "ScanRequest", "ScanState"]


class ScanState(enum.StrEnum):
    """The closed set of scan states (stored as their text)."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SUPERSEDED = "superseded"

    @property
    def finished(self) -> bool:
        """True once the scan's check run is ended (completed, failed or superseded)."""
        return self in (ScanState.COMPLETED, ScanState.FAILED, ScanState.SUPERSEDED)


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

    state: ScanState
    conclusion: str | None = None
    check_run_id: int | None = None
    findings: int = 0
    comments: int = 0
    detail: str = ""
