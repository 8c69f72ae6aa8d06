"""How handling one webhook delivery ended: done, ignored, or failed with a reason.

The store keeps an outcome as its text (``done``, ``ignored``, ``failed: <reason>``); the
service decides with :class:`Outcome` values, never by matching that text.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["DONE", "IGNORED", "Outcome", "OutcomeKind", "failed", "merge"]


class OutcomeKind(enum.StrEnum):
    """What became of a delivery (or of one handler's part of it)."""

    DONE = "done"  # acted on: a scan ran, a command was answered
    IGNORED = "ignored"  # nothing to do: not ours, closed, not allowed, coalesced
    FAILED = "failed"  # could not be done; ``detail`` says why


@dataclass(frozen=True)
class Outcome:
    """One outcome; ``str()`` is the text the store keeps."""

    kind: OutcomeKind
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.kind is OutcomeKind.FAILED

    def __str__(self) -> str:
        return f"failed: {self.detail}" if self.failed else self.kind.value


DONE = Outcome(OutcomeKind.DONE)
IGNORED = Outcome(OutcomeKind.IGNORED)


def failed(detail: str) -> Outcome:
    """A failed outcome naming why (the reason is kept, shortened, in the store)."""
    return Outcome(OutcomeKind.FAILED, detail)


def merge(outcomes: Iterable[Outcome | None]) -> Outcome:
    """Several handlers' outcomes as one: the first failure, else done when any part was
    done, else ignored (a handler that returned nothing counts as ignored)."""
    parts = [o for o in outcomes if o is not None]
    first_failure = next((o for o in parts if o.failed), None)
    if first_failure is not None:
        return first_failure
    return DONE if any(o.kind is OutcomeKind.DONE for o in parts) else IGNORED
