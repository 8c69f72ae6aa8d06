"""The durable store: deliveries, scans, findings, dismissals, installations, AI registry.

SQLite by default, PostgreSQL by URL, through SQLAlchemy Core. The schema is owned by
the alembic migrations shipped in ``reviewer/service/migrations``; :meth:`Store.open`
upgrades to head and is safe to call from several processes at once.

The deliveries table is the source of truth for "nothing accepted is lost": the queue
only carries delivery ids, and :func:`reviewer.service.jobs.recover` re-enqueues any
accepted delivery that never completed.

The parts: ``records`` (values), ``schema`` (tables), ``engine`` (connecting, migrating),
``compression`` (stored bodies), ``accept`` (the webhook accept path), and one part of
:class:`Store` per concern: ``deliveries``, ``scans``, ``dismissals``, ``registry``.
"""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from reviewer.service.store.accept import accept_path
from reviewer.service.store.decisions import Decisions
from reviewer.service.store.deliveries import Deliveries
from reviewer.service.store.dismissals import Dismissals
from reviewer.service.store.engine import open_engine
from reviewer.service.store.records import (
    DISMISS,
    REVOKE,
    Clock,
    DeliveryState,
    ScanRecord,
    ScanState,
    StoredDelivery,
    StoreError,
    worker_identity,
)
from reviewer.service.store.registry import Registry
from reviewer.service.store.scans import Scans

__all__ = [
    "DISMISS",
    "REVOKE",
    "Clock",
    "DeliveryState",
    "ScanRecord",
    "ScanState",
    "Store",
    "StoreError",
    "StoredDelivery",
    "worker_identity",
]


class Store(Deliveries, Scans, Dismissals, Registry, Decisions):
    """Thread-safe access to the database: one Store per process, a transaction per call.

    ``clock`` gives every time the store writes or compares (receipt, leases, ages).
    """

    def __init__(self, engine: Engine, *, clock: Clock = time.time) -> None:
        self._engine = engine
        self._clock = clock
        self._closed = False
        self._lock = threading.Lock()
        self._accepts = accept_path(engine, clock)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True, clock: Clock = time.time) -> Store:
        """Connect to ``url`` and upgrade the schema to head."""
        return cls(open_engine(url, migrate_schema=migrate), clock=clock)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and tools)."""
        return self._engine

    def close(self) -> None:
        """Release every pooled connection."""
        with self._lock:
            if not self._closed:
                self._engine.dispose()
                self._accepts.close()
                self._closed = True

    def ping(self) -> bool:
        """True when the database answers (readiness)."""
        try:
            with self._engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
                conn.rollback()
            return True
        except sa.exc.SQLAlchemyError:
            return False
