"""The store's values: record types, closed state sets, the error, the clock seam."""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from reviewer.app.scan_request import ScanState
from reviewer.errors import GatehouseError

__all__ = [
    "DISMISS",
    "REVOKE",
    "Clock",
    "DeliveryState",
    "ScanRecord",
    "ScanState",
    "StoreError",
    "StoredDelivery",
    "worker_identity",
]

Clock = Callable[[], float]
"""Seconds since the epoch; :class:`~reviewer.service.store.Store` takes one so leases and
ages can be tested without waiting (``time.time`` in production)."""

DISMISS = "dismiss"  # the actions of the append-only dismissals history
REVOKE = "revoke"


class StoreError(GatehouseError):
    """The database could not be opened or migrated."""


class DeliveryState:
    """The closed set of delivery states (stored as text)."""

    ACCEPTED = "accepted"  # stored by the web process, not handed to the queue yet
    QUEUED = "queued"  # handed to the queue by a worker's relay
    RUNNING = "running"
    COMPLETED = "completed"


@dataclass(frozen=True)
class StoredDelivery:
    """One accepted webhook delivery, with its raw body."""

    delivery_id: str
    event: str
    action: str | None
    body: bytes
    state: str
    attempts: int
    received_at: float
    outcome: str | None = None
    completed_at: float | None = None


@dataclass(frozen=True)
class ScanRecord:
    """One scan of one head SHA of one pull request."""

    id: int
    repo: str
    pr: int
    head_sha: str
    state: str
    check_run_id: int | None
    conclusion: str | None
    attempts: int
    installation_id: int
    trigger: str
    error: str | None
    created_at: float
    updated_at: float
    started_at: float | None
    finished_at: float | None
    duration_s: float | None
    findings_count: int | None
    lease_owner: str | None = None
    lease_until: float | None = None

    def leased_by_other(self, owner: str = "", now: float | None = None) -> bool:
        """True while another owner's lease on this scan has not run out."""
        now = time.time() if now is None else now
        return bool(
            self.lease_owner and self.lease_owner != owner and (self.lease_until or 0) > now
        )


_NONCE = secrets.token_hex(4)


def worker_identity() -> str:
    """A name for this process, unique across machines and restarts: ``host:pid:nonce``."""
    return f"{socket.gethostname()}:{os.getpid()}:{_NONCE}"
