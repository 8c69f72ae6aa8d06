"""Debouncing of re-scans caused by pull-request edits (title, body, base).

Each edit re-scans the PR's head (the body may add an AI marker, which changes what the
policy asks), so a script that edits a PR's description a hundred times a minute would hold
workers for every repository of the installation. Edits are coalesced per pull request:

* an edit with no scan of the head finished within ``window_s`` scans at once;
* an edit inside the window waits until the window ends (the job is retried then), and
  at that point only the *latest* edit of the PR scans: every earlier one finds that a later
  edit exists and ends as coalesced. The scan reads the PR as it is then, so the head gets
  exactly one scan that sees the last title and body.

The decision is a pure function of a few timestamps and an injectable clock (tests move the
clock instead of sleeping).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from reviewer.service.retry import TransientError

__all__ = ["DEFAULT_WINDOW_S", "EditDebounce", "EditWait"]

DEFAULT_WINDOW_S = 30.0


class EditWait(TransientError):
    """An edit arrived within the debounce window: process it again once the window ends."""


@dataclass(frozen=True)
class EditDebounce:
    """How edits are coalesced: the window, and the clock it is measured with."""

    window_s: float = DEFAULT_WINDOW_S
    clock: Callable[[], float] = field(default=time.time, compare=False)

    def decide(
        self, *, received_at: float, latest_edit_at: float, last_scan_finished_at: float | None
    ) -> str | float:
        """``"coalesced"`` when a later edit of the PR exists (it scans instead), ``"scan"``
        when no scan of the head finished within the window, else the seconds to wait."""
        if latest_edit_at > received_at:
            return "coalesced"
        if last_scan_finished_at is None:
            return "scan"
        wait = last_scan_finished_at + self.window_s - self.clock()
        return "scan" if wait <= 0 else wait
