"""What the job machinery needs to know about a failure worth retrying (no I/O)."""

from __future__ import annotations

from reviewer.errors import GatehouseError

__all__ = ["TransientError"]


class TransientError(GatehouseError):
    """A failure worth retrying later; ``retry_after`` seconds when the cause says so."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
