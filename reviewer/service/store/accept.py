"""The webhook accept path: one INSERT per delivery, refused for a completed id or a replayed
body, and the relay's read of deliveries no worker has taken yet.

The statements are written once, in SQL both SQLite and PostgreSQL accept, and run by one of
two transports: :class:`SqliteAccept` (raw ``sqlite3`` on a file database, the fast path the
web process uses by default) or :class:`EngineAccept` (the SQLAlchemy engine: PostgreSQL, and
SQLite in memory).
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from reviewer.service.store.compression import body_digest, pack
from reviewer.service.store.records import Clock, DeliveryState, StoreError

__all__ = ["NEW_IDS", "AcceptPath", "EngineAccept", "SqliteAccept", "accept_path"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

# The id, or the body's hash (a replay), conflicts: nothing is written.
_INSERT = (
    "INSERT INTO deliveries (delivery_id, event, action, body, body_encoding, state, attempts, "
    "received_at, body_sha256) VALUES (:delivery_id, :event, :action, :body, :body_encoding, "
    "'accepted', 0, :received_at, :body_sha256) ON CONFLICT DO NOTHING"
)
_STATE = "SELECT state FROM deliveries WHERE delivery_id = :delivery_id"
# A delivery no worker has taken yet (schema.NEW says the same for SQLAlchemy queries).
NEW_IDS = (
    "SELECT delivery_id FROM deliveries WHERE state = 'accepted' AND attempts = 0 "
    "ORDER BY received_at LIMIT :limit"
)


class AcceptPath(Protocol):
    """Stores accepted deliveries and lists the ones not taken yet."""

    def accept(self, delivery_id: str, event: str, action: str | None, body: bytes) -> bool:
        """True when the delivery is to be processed (new, or a redelivery not completed)."""
        ...

    def new_ids(self, limit: int) -> list[str]:
        """Accepted deliveries no worker has queued yet, oldest first."""
        ...

    def close(self) -> None:
        """Release what the path holds."""
        ...


def accept_path(engine: Engine, clock: Clock) -> AcceptPath:
    """The fast raw path for a SQLite file, the engine otherwise."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database not in (None, "", ":memory:"):
        return SqliteAccept(str(database), clock)
    return EngineAccept(engine, clock)


def _row(
    delivery_id: str, event: str, action: str | None, body: bytes, now: float
) -> dict[str, Any]:
    stored, encoding = pack(body)
    return {
        "delivery_id": delivery_id,
        "event": event,
        "action": action,
        "body": stored,
        "body_encoding": encoding,
        "received_at": now,
        "body_sha256": body_digest(body),
    }


def _seen_again(delivery_id: str, state: str | None) -> bool:
    """The accept INSERT found a conflict: True only for a redelivery of an id that has not
    completed yet (it stays accepted, and is processed once). ``state`` None means the id is
    new but its body is not: a replay, never processed again."""
    if state is None:
        logger.warning(
            "delivery %s repeats the body of an earlier delivery (a replay); not processed again",
            delivery_id,
        )
        return False
    return state != DeliveryState.COMPLETED


class EngineAccept:
    """The accept statements through the SQLAlchemy engine, one transaction per delivery."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._insert = sa.text(_INSERT + " RETURNING delivery_id")  # rowcount varies by driver
        self._state = sa.text(_STATE)
        self._new_ids = sa.text(NEW_IDS)

    def accept(self, delivery_id: str, event: str, action: str | None, body: bytes) -> bool:
        """See :meth:`AcceptPath.accept`."""
        row = _row(delivery_id, event, action, body, self._clock())
        with self._engine.begin() as conn:
            if conn.execute(self._insert, row).first() is not None:
                return True
            state = conn.execute(self._state, {"delivery_id": delivery_id}).scalar_one_or_none()
            return _seen_again(delivery_id, state)

    def new_ids(self, limit: int) -> list[str]:
        """See :meth:`AcceptPath.new_ids` (a plain read: no write transaction)."""
        with self._engine.connect() as conn:
            ids = list(conn.execute(self._new_ids, {"limit": limit}).scalars().all())
            conn.rollback()
        return ids

    def close(self) -> None:
        """Nothing to release: the engine belongs to the store."""


class SqliteAccept:
    """The accept statements on a SQLite file: one autocommit INSERT, one commit.

    The statement runs as a single C call, so the thread gives up the GIL once for the
    whole write (an explicit BEGIN/INSERT/COMMIT hands it back and forth three times, and
    under load every hand-back can wait a full switch interval). There is no per-process
    lock: a writer that finds the database locked retries every fraction of a millisecond
    (SQLite's own busy handler sleeps 1, 2, 5, 10... ms). One connection per thread, WAL,
    synchronous=NORMAL. The relay's poll for new deliveries reads through it too, so an
    idle poll takes no write lock.

    These connections never checkpoint the WAL themselves (an automatic checkpoint runs
    in the committing request and waits on fsync): a daemon thread per process runs a
    passive checkpoint every ``checkpoint_interval_s``, beside the writers.
    """

    checkpoint_interval_s = 1.0

    def __init__(self, path: str, clock: Clock) -> None:
        self._path = path
        self._clock = clock
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._checkpointer_pid = 0
        self._stop = threading.Event()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            # Opening reads the schema, which can meet another process's lock: wait for it
            # here (busy timeout); only the INSERT below retries on its own.
            conn = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False, timeout=30
            )
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA wal_autocheckpoint=0")
            conn.execute("PRAGMA busy_timeout=0")
            self._local.conn, self._local.pid = conn, os.getpid()
            with self._lock:
                self._all.append(conn)
            self._ensure_checkpointer()
        return conn

    def _ensure_checkpointer(self) -> None:
        with self._lock:
            if self._checkpointer_pid == os.getpid():
                return
            self._checkpointer_pid = os.getpid()  # once per (possibly forked) process
            self._stop = threading.Event()
        threading.Thread(
            target=self._checkpoint_loop,
            args=(self._stop,),
            name="gatehouse-wal-checkpoint",
            daemon=True,
        ).start()

    def _checkpoint_loop(self, stop: threading.Event) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout=1000")
            while not stop.wait(self.checkpoint_interval_s):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error:  # busy with another process's checkpoint: next round
                    pass
        finally:
            conn.close()

    def accept(self, delivery_id: str, event: str, action: str | None, body: bytes) -> bool:
        """See :meth:`AcceptPath.accept`."""
        row = _row(delivery_id, event, action, body, self._clock())
        conn = self._conn()
        if _retry_locked(lambda: conn.execute(_INSERT, row).rowcount) == 1:
            return True
        found = _retry_locked(lambda: conn.execute(_STATE, {"delivery_id": delivery_id}).fetchone())
        return _seen_again(delivery_id, None if found is None else found[0])

    def new_ids(self, limit: int) -> list[str]:
        """See :meth:`AcceptPath.new_ids` (a plain WAL read)."""
        conn = self._conn()
        rows = _retry_locked(lambda: conn.execute(NEW_IDS, {"limit": limit}).fetchall())
        return [r[0] for r in rows]

    def close(self) -> None:
        """Stop the checkpointer and close every thread's connection."""
        self._stop.set()
        for conn in self._all:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._all.clear()


def _retry_locked(call: Callable[[], T], timeout_s: float = 30.0) -> T:
    """Run one autocommit statement, retrying while another process holds the lock it needs
    (every fraction of a millisecond, with jitter)."""
    deadline = time.monotonic() + timeout_s
    pause = 0.0002
    while True:
        try:
            return call()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise StoreError(
                    "the SQLite database stayed locked for 30 s; is another program holding it?"
                ) from None
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 1.5, 0.002)
