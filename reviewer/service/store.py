"""The durable store: deliveries, scans, findings, dismissals, installations, AI registry.

SQLite by default, PostgreSQL by URL, through SQLAlchemy Core. The schema is owned by
the alembic migrations shipped in ``reviewer/service/migrations``; :meth:`Store.open`
upgrades to head and is safe to call from several processes at once.

The deliveries table is the source of truth for "nothing accepted is lost": the queue
only carries delivery ids, and :func:`reviewer.service.jobs.recover` re-enqueues any
accepted delivery that never completed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import secrets
import socket
import sqlite3
import zlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

import sqlalchemy as sa
import zstandard
from sqlalchemy.engine import Connection, Engine

from reviewer.errors import ConfigError, GatehouseError

__all__ = [
    "Store",
    "StoreError",
    "StoredDelivery",
    "ScanRecord",
    "DeliveryState",
    "ScanState",
    "worker_identity",
    "DISMISS",
    "REVOKE",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_MIGRATION_LOCK = 0x6761_7465  # arbitrary constant: "gate"
DISMISS = "dismiss"  # the actions of the append-only dismissals history
REVOKE = "revoke"


class StoreError(GatehouseError):
    """The database could not be opened or migrated."""


class DeliveryState:
    """The closed set of delivery states (stored as text)."""

    ACCEPTED = "accepted"  # stored by the web process, not handed to the queue yet
    QUEUED = "queued"      # handed to the queue by a worker's relay
    RUNNING = "running"
    COMPLETED = "completed"


class ScanState:
    """The closed set of scan states (stored as text)."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SUPERSEDED = "superseded"
    ALL = (QUEUED, RUNNING, COMPLETED, FAILED, SUPERSEDED)


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
        return bool(self.lease_owner and self.lease_owner != owner and (self.lease_until or 0) > now)


_NONCE = secrets.token_hex(4)


def worker_identity() -> str:
    """A name for this process, unique across machines and restarts: ``host:pid:nonce``."""
    return f"{socket.gethostname()}:{os.getpid()}:{_NONCE}"


# --------------------------------------------------------------------------- schema
# Mirrors migrations/versions; the migrations are authoritative, these are for queries.
_meta = sa.MetaData()

deliveries = sa.Table(
    "deliveries", _meta,
    sa.Column("delivery_id", sa.String(100), primary_key=True),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64)),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("body_encoding", sa.String(16)),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("outcome", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("received_at", sa.Float, nullable=False),
    sa.Column("claimed_by", sa.String(200)),
    sa.Column("lease_until", sa.Float),
    sa.Column("completed_at", sa.Float),
    sa.Column("body_sha256", sa.String(64)),  # unique: a replayed body is not accepted again
)

scans = sa.Table(
    "scans", _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("repo", sa.String(200), nullable=False),
    sa.Column("pr", sa.Integer, nullable=False),
    sa.Column("head_sha", sa.String(64), nullable=False),
    sa.Column("installation_id", sa.BigInteger, nullable=False),
    sa.Column("trigger", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("check_run_id", sa.BigInteger),
    sa.Column("conclusion", sa.String(32)),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("started_at", sa.Float),
    sa.Column("finished_at", sa.Float),
    sa.Column("duration_s", sa.Float),
    sa.Column("findings_count", sa.Integer),
    sa.Column("lease_owner", sa.String(200)),
    sa.Column("lease_until", sa.Float),
)

findings = sa.Table(
    "findings", _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scan_id", sa.Integer, nullable=False),
    sa.Column("fingerprint", sa.String(128), nullable=False),
    sa.Column("rule_id", sa.String(200), nullable=False),
    sa.Column("category", sa.String(64), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("start_line", sa.Integer),
    sa.Column("data", sa.JSON, nullable=False),
)

notices = sa.Table(
    "notices", _meta,
    sa.Column("kind", sa.String(64), primary_key=True),
    sa.Column("repo", sa.String(200), primary_key=True),
    sa.Column("pr", sa.Integer, primary_key=True),
    sa.Column("login", sa.String(200), primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
)

dismissals = sa.Table(  # append-only (triggers refuse UPDATE and DELETE)
    "dismissals", _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("repo", sa.String(200), nullable=False),
    sa.Column("pr", sa.Integer),  # NULL: a legacy repository-wide row, history only
    sa.Column("fingerprint", sa.String(128), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("rule_id", sa.String(200), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("who", sa.String(200), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("head_sha", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

installations = sa.Table(
    "installations", _meta,
    sa.Column("installation_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("account", sa.String(200), nullable=False),
    sa.Column("repos", sa.JSON),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

pull_requests = sa.Table(
    "pull_requests", _meta,
    sa.Column("repo", sa.String(200), primary_key=True),
    sa.Column("pr", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("latest_head", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

pr_edits = sa.Table(  # the latest edit delivery of each PR (debounced re-scans)
    "pr_edits", _meta,
    sa.Column("repo", sa.String(200), primary_key=True),
    sa.Column("pr", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("received_at", sa.Float, nullable=False),
)

ai_changes = sa.Table(
    "ai_changes", _meta,
    sa.Column("repo", sa.String(200), primary_key=True),
    sa.Column("pr", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("head_sha", sa.String(64), nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("tools", sa.JSON, nullable=False),
    sa.Column("vendors", sa.JSON, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("ai_assisted", sa.Boolean, nullable=False),
    sa.Column("verdict", sa.String(32), nullable=False),
    sa.Column("findings_by_category", sa.JSON, nullable=False),
    sa.Column("merged", sa.Boolean),
    sa.Column("first_seen_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

_SCAN_FIELDS = frozenset({
    "state", "check_run_id", "conclusion", "error", "started_at", "finished_at",
    "duration_s", "findings_count", "installation_id", "trigger",
})


# A delivery no worker has taken yet: stored by the web process, never queued or tried.
# (The SQLite fast path spells the same condition in SQL: _SqliteAccept.new_ids.)
_NEW = sa.and_(deliveries.c.state == DeliveryState.ACCEPTED, deliveries.c.attempts == 0)


# --------------------------------------------------------------------------- engine
def _normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _make_engine(url: str) -> Engine:
    url = _normalise_url(url)
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise ConfigError(f"GATEHOUSE_DATABASE_URL={url!r} is not a database URL: use "
                          "sqlite:///<path> or postgresql://user@host/db") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        db = parsed.database or ""
        if db and db != ":memory:":
            from reviewer.service.private_files import private_dir, private_file

            private_dir(Path(db).expanduser().parent)  # 0700, and the database 0600, whatever
            private_file(Path(db).expanduser())       # the umask: it holds webhook bodies
        engine = sa.create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8, max_overflow=16,
        )
        _sqlite_pragmas(engine)
        return engine
    if backend == "postgresql":
        return sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)
    raise ConfigError(f"GATEHOUSE_DATABASE_URL uses {backend!r}, which is not supported: "
                      "use sqlite:///<path> (default) or postgresql://user@host/db")


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL + synchronous=NORMAL: one cheap commit per accepted delivery, durable across
    process crashes. Every transaction takes the write lock up front (BEGIN IMMEDIATE)
    so concurrent writers wait on the busy timeout instead of failing a lock upgrade."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's BEGIN below drive transactions
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _upsert(conn: Connection, table: sa.Table, values: dict[str, Any],
            keys: list[str], update: dict[str, Any] | None) -> None:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values(**values)
    if update:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=update)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    conn.execute(stmt)


# --------------------------------------------------------------------------- store
class Store:
    """Thread-safe access to the database: one Store per process, a transaction per call."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._closed = False
        self._lock = threading.Lock()
        # The hot path (one per webhook) is built once: no per-call statement construction.
        self._accept = (_insert_ignore(engine.dialect.name, deliveries)
                        .returning(deliveries.c.received_at))
        self._state_of = sa.select(deliveries.c.state).where(
            deliveries.c.delivery_id == sa.bindparam("delivery_id"))
        self._fast: _SqliteAccept | None = None
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            self._fast = _SqliteAccept(str(engine.url.database))

    # -- lifecycle -------------------------------------------------------------
    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> "Store":
        """Connect to ``url`` and upgrade the schema to head."""
        engine = _make_engine(url)
        if migrate:
            try:
                _migrate(engine)
            except sa.exc.OperationalError as exc:
                engine.dispose()
                raise StoreError(
                    f"cannot open the database {engine.url.render_as_string(hide_password=True)!r}: "
                    f"{exc.orig.__class__.__name__}; check GATEHOUSE_DATABASE_URL and that the server "
                    "is running and reachable") from None
        return cls(engine)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and tools)."""
        return self._engine

    def close(self) -> None:
        """Release every pooled connection."""
        with self._lock:
            if not self._closed:
                self._engine.dispose()
                if self._fast is not None:
                    self._fast.close()
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

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._engine.begin() as conn:
            yield conn

    # -- deliveries ------------------------------------------------------------
    def accept_delivery(self, delivery_id: str, event: str, action: str | None, body: bytes) -> bool:
        """Record an accepted webhook. False when this id already completed, or when the same
        raw body was already accepted under another id (a replay of a captured delivery)."""
        if self._fast is not None:
            return self._fast.accept(delivery_id, event, action, body)
        stored, encoding = _pack(body)
        with self._tx() as conn:
            inserted = conn.execute(self._accept, {
                "delivery_id": delivery_id, "event": event, "action": action, "body": stored,
                "body_encoding": encoding, "state": DeliveryState.ACCEPTED, "attempts": 0,
                "received_at": time.time(), "body_sha256": body_digest(body),
            }).first()
            if inserted is not None:
                return True
            state = conn.execute(self._state_of, {"delivery_id": delivery_id}).scalar_one_or_none()
            return _seen_again(delivery_id, state)

    def complete_delivery(self, delivery_id: str, outcome: str) -> None:
        """Mark a delivery completed once; later calls keep the first outcome."""
        with self._tx() as conn:
            conn.execute(
                deliveries.update()
                .where(deliveries.c.delivery_id == delivery_id,
                       deliveries.c.state != DeliveryState.COMPLETED)
                .values(state=DeliveryState.COMPLETED, outcome=outcome[:2000],
                        completed_at=time.time(), claimed_by=None, lease_until=None)
            )

    def get_delivery(self, delivery_id: str) -> StoredDelivery | None:
        """The stored delivery with its raw body, or None."""
        with self._tx() as conn:
            row = conn.execute(
                sa.select(deliveries).where(deliveries.c.delivery_id == delivery_id)
            ).mappings().first()
        if row is None:
            return None
        return StoredDelivery(
            delivery_id=row["delivery_id"], event=row["event"], action=row["action"],
            body=_unpack(bytes(row["body"]), row["body_encoding"]), state=row["state"],
            attempts=row["attempts"],
            received_at=row["received_at"], outcome=row["outcome"],
            completed_at=row["completed_at"],
        )

    def claim_delivery(self, delivery_id: str, *, worker: str, lease_s: float,
                       resume: str | None = None) -> int:
        """Take a lease on a delivery before working on it; returns the attempt number.

        0 (falsy) when it is completed, unknown, or leased by another worker whose lease
        has not run out (so two workers never process one delivery at the same time).
        ``resume`` is the holder name given to :meth:`release_delivery` for a scheduled
        retry: that retry may take the delivery back before the hold runs out.
        """
        now = time.time()
        free = [deliveries.c.lease_until.is_(None), deliveries.c.lease_until < now]
        if resume:
            free.append(deliveries.c.claimed_by == resume)
        with self._tx() as conn:
            attempts = conn.execute(
                deliveries.update()
                .where(
                    deliveries.c.delivery_id == delivery_id,
                    deliveries.c.state != DeliveryState.COMPLETED,
                    sa.or_(*free),
                )
                .values(state=DeliveryState.RUNNING, claimed_by=worker,
                        lease_until=now + lease_s, attempts=deliveries.c.attempts + 1)
                .returning(deliveries.c.attempts)
            ).scalar_one_or_none()
        return int(attempts or 0)

    def renew_leases(self, worker: str, lease_s: float) -> int:
        """Extend every lease this worker holds (its heartbeat): its deliveries, and the
        scans its threads hold (owners ``<worker>#<thread>``). Returns how many."""
        with self._tx() as conn:
            n = conn.execute(
                deliveries.update()
                .where(deliveries.c.claimed_by == worker,
                       deliveries.c.state == DeliveryState.RUNNING)
                .values(lease_until=time.time() + lease_s)
            ).rowcount
            n += conn.execute(
                scans.update()
                .where(scans.c.lease_owner.startswith(worker + "#", autoescape=True))
                .values(lease_until=time.time() + lease_s)
            ).rowcount
            return n

    def release_delivery(self, delivery_id: str, *, worker: str, hold_s: float = 0,
                         holder: str | None = None) -> None:
        """Give a lease back without completing. With ``hold_s`` the delivery stays held
        for ``holder`` (a scheduled retry) so recovery leaves it alone meanwhile."""
        with self._tx() as conn:
            conn.execute(
                deliveries.update()
                .where(deliveries.c.delivery_id == delivery_id,
                       deliveries.c.claimed_by == worker,
                       deliveries.c.state != DeliveryState.COMPLETED)
                .values(state=DeliveryState.ACCEPTED, claimed_by=holder if hold_s > 0 else None,
                        lease_until=(time.time() + hold_s) if hold_s > 0 else None)
            )

    def take_new_deliveries(self, limit: int = 500) -> list[str]:
        """Mark up to ``limit`` newly accepted deliveries as queued and return them, oldest
        first: the worker's relay then puts them on the queue. Safe with many relays at
        once: each delivery is taken by one (the state is checked again as it is changed)."""
        # A read first, so an idle poll takes no write lock (on SQLite, transactions through
        # the engine begin IMMEDIATE, so the read goes through a plain connection).
        if self._fast is not None:
            ids = self._fast.new_ids(limit)
        else:
            with self._engine.connect() as conn:
                ids = conn.execute(
                    sa.select(deliveries.c.delivery_id).where(_NEW)
                    .order_by(deliveries.c.received_at).limit(limit)
                ).scalars().all()
                conn.rollback()
        if not ids:
            return []
        with self._tx() as conn:
            taken = set(conn.execute(
                deliveries.update()
                .where(deliveries.c.delivery_id.in_(ids), _NEW)
                .values(state=DeliveryState.QUEUED)
                .returning(deliveries.c.delivery_id)
            ).scalars().all())
        return [i for i in ids if i in taken]

    def unfinished_deliveries(self, older_than_s: float = 0, *, include_new: bool = True) -> list[str]:
        """Accepted, not completed, received over ``older_than_s`` ago, and not leased
        by a live worker: what to re-enqueue after a crash. Oldest first.

        ``include_new=False`` leaves out deliveries no worker has taken yet (stored and
        never queued): those are the relay's (:meth:`take_new_deliveries`)."""
        now = time.time()
        where = [
            deliveries.c.state != DeliveryState.COMPLETED,
            deliveries.c.received_at <= now - older_than_s,
            sa.or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < now),
        ]
        if not include_new:
            where.append(sa.not_(_NEW))
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(deliveries.c.delivery_id).where(*where).order_by(deliveries.c.received_at)
            ).scalars().all()
        return list(rows)

    def delivery_counts(self) -> dict[str, int]:
        """How many deliveries are in each state (for metrics and tests)."""
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(deliveries.c.state, sa.func.count()).group_by(deliveries.c.state)
            ).all()
        return {state: n for state, n in rows}

    # -- edits (debounced re-scans) ---------------------------------------------
    def note_edit(self, repo: str, pr: int, received_at: float) -> float:
        """Record an edit delivery of ``repo#pr`` received at ``received_at``; returns the
        latest edit received so far for that PR (this one or a later one)."""
        dialect = self._engine.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(pr_edits).values(repo=repo, pr=pr, received_at=received_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=["repo", "pr"], set_={"received_at": stmt.excluded.received_at},
            where=pr_edits.c.received_at < stmt.excluded.received_at)
        with self._tx() as conn:
            conn.execute(stmt)
            return float(conn.execute(sa.select(pr_edits.c.received_at).where(
                pr_edits.c.repo == repo, pr_edits.c.pr == pr)).scalar_one())

    # -- scans -----------------------------------------------------------------
    def begin_scan(self, repo: str, pr: int, head_sha: str, *, installation_id: int,
                   trigger: str) -> ScanRecord:
        """Create the scan for (repo, pr, head_sha), or count another attempt at it.

        A completed scan keeps its state (the caller decides whether to re-run); any
        other state goes back to ``queued``. ``check_run_id`` is kept so a retry updates
        the same check run instead of posting a second one.
        """
        now = time.time()
        with self._tx() as conn:
            existing = conn.execute(
                sa.select(scans.c.id, scans.c.state).where(
                    scans.c.repo == repo, scans.c.pr == pr, scans.c.head_sha == head_sha)
            ).first()
            if existing is None:
                _upsert(conn, scans, dict(
                    repo=repo, pr=pr, head_sha=head_sha, installation_id=installation_id,
                    trigger=trigger, state=ScanState.QUEUED, attempts=1,
                    created_at=now, updated_at=now,
                ), ["repo", "pr", "head_sha"], {"attempts": scans.c.attempts + 1, "updated_at": now})
            else:
                values: dict[str, Any] = {"attempts": scans.c.attempts + 1, "updated_at": now,
                                          "trigger": trigger, "installation_id": installation_id}
                if existing.state != ScanState.COMPLETED:
                    values["state"] = ScanState.QUEUED
                conn.execute(scans.update().where(scans.c.id == existing.id).values(**values))
            row = conn.execute(
                sa.select(scans).where(
                    scans.c.repo == repo, scans.c.pr == pr, scans.c.head_sha == head_sha)
            ).mappings().one()
        return _scan(row)

    def claim_scan(self, scan_id: int, *, owner: str, lease_s: float) -> bool:
        """Take the lease on a scan; False while another owner's lease has not run out.

        Two deliveries for one head (``opened`` and ``labeled`` together, a re-run while a
        scan runs) can reach two workers at once: only the holder scans and posts, the other
        retries later and then finds the scan completed.
        """
        now = time.time()
        with self._tx() as conn:
            taken = conn.execute(
                scans.update()
                .where(scans.c.id == scan_id,
                       sa.or_(scans.c.lease_until.is_(None), scans.c.lease_until < now,
                              scans.c.lease_owner == owner))
                .values(lease_owner=owner, lease_until=now + lease_s)
            ).rowcount
        return bool(taken)

    def release_scan(self, scan_id: int, *, owner: str) -> None:
        """Give the lease back (only the holder can)."""
        with self._tx() as conn:
            conn.execute(scans.update().where(scans.c.id == scan_id, scans.c.lease_owner == owner)
                         .values(lease_owner=None, lease_until=None))

    def update_scan(self, scan_id: int, **fields: Any) -> None:
        """Set some of: state, check_run_id, conclusion, error, started_at, finished_at,
        duration_s, findings_count."""
        unknown = set(fields) - _SCAN_FIELDS
        if unknown:
            raise TypeError(f"update_scan() got unknown fields: {', '.join(sorted(unknown))}")
        if "state" in fields and fields["state"] not in ScanState.ALL:
            raise ValueError(f"unknown scan state {fields['state']!r}")
        fields["updated_at"] = time.time()
        with self._tx() as conn:
            conn.execute(scans.update().where(scans.c.id == scan_id).values(**fields))

    def get_scan(self, repo: str, pr: int, head_sha: str) -> ScanRecord | None:
        """The scan for one head SHA, or None."""
        with self._tx() as conn:
            row = conn.execute(
                sa.select(scans).where(
                    scans.c.repo == repo, scans.c.pr == pr, scans.c.head_sha == head_sha)
            ).mappings().first()
        return _scan(row) if row else None

    def latest_head(self, repo: str, pr: int) -> str | None:
        """The newest head SHA seen for the PR (to coalesce superseded pushes)."""
        with self._tx() as conn:
            return conn.execute(
                sa.select(pull_requests.c.latest_head).where(
                    pull_requests.c.repo == repo, pull_requests.c.pr == pr)
            ).scalar_one_or_none()

    def set_latest_head(self, repo: str, pr: int, head_sha: str) -> None:
        """Record the newest head SHA of a PR."""
        now = time.time()
        with self._tx() as conn:
            _upsert(conn, pull_requests, dict(repo=repo, pr=pr, latest_head=head_sha, updated_at=now),
                    ["repo", "pr"], {"latest_head": head_sha, "updated_at": now})

    def stale_running_scans(self, older_than_s: float) -> list[ScanRecord]:
        """Scans still ``running`` whose last update is older than ``older_than_s``."""
        cutoff = time.time() - older_than_s
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(scans).where(scans.c.state == ScanState.RUNNING,
                                       scans.c.updated_at <= cutoff).order_by(scans.c.id)
            ).mappings().all()
        return [_scan(r) for r in rows]

    def save_findings(self, scan_id: int, findings_: list[dict]) -> None:
        """Replace the findings of a scan (idempotent: saving twice never doubles them)."""
        with self._tx() as conn:
            conn.execute(findings.delete().where(findings.c.scan_id == scan_id))
            if findings_:
                conn.execute(findings.insert(), [
                    dict(scan_id=scan_id,
                         fingerprint=str(f.get("fingerprint", "")),
                         rule_id=str(f.get("rule_id", "")),
                         category=str(f.get("category", "")),
                         severity=str(f.get("severity", "")),
                         path=str(f.get("path", "")),
                         start_line=f.get("start_line"),
                         data=f)
                    for f in findings_
                ])

    def findings_for(self, scan_id: int) -> list[dict]:
        """The saved findings of a scan, as given to :meth:`save_findings`."""
        with self._tx() as conn:
            return list(conn.execute(
                sa.select(findings.c.data).where(findings.c.scan_id == scan_id).order_by(findings.c.id)
            ).scalars())

    # -- notices and dismissals ------------------------------------------------
    def claim_notice(self, kind: str, repo: str, pr: int, login: str) -> bool:
        """True the first time (kind, repo, PR, person) is claimed, across every process and
        restart: the caller then sends its one-off message."""
        with self._tx() as conn:
            return conn.execute(
                _insert_ignore(conn.dialect.name, notices).values(
                    kind=kind, repo=repo, pr=pr, login=login.lower(), at=time.time())
                .returning(notices.c.at)  # rowcount is not reliable here on PostgreSQL
            ).first() is not None

    def release_notice(self, kind: str, repo: str, pr: int, login: str) -> None:
        """Undo a claim whose message could not be sent, so a retry sends it."""
        with self._tx() as conn:
            conn.execute(notices.delete().where(
                notices.c.kind == kind, notices.c.repo == repo, notices.c.pr == pr,
                notices.c.login == login.lower()))

    def add_dismissal(self, repo: str, pr: int, fingerprint: str, *, rule_id: str, path: str,
                      who: str, reason: str, head_sha: str) -> None:
        """Append a dismissal of one finding's content on one PR (who, why, at which head)."""
        self._append_dismissal(repo, pr, fingerprint, DISMISS, rule_id=rule_id, path=path, who=who,
                               reason=reason, head_sha=head_sha)

    def revoke_dismissal(self, repo: str, pr: int, fingerprint: str, *, rule_id: str, path: str,
                         who: str, reason: str, head_sha: str) -> None:
        """Append a revocation: the finding counts again from the next scan on."""
        self._append_dismissal(repo, pr, fingerprint, REVOKE, rule_id=rule_id, path=path, who=who,
                               reason=reason, head_sha=head_sha)

    def _append_dismissal(self, repo: str, pr: int, fingerprint: str, action: str, **values: str) -> None:
        with self._tx() as conn:
            conn.execute(dismissals.insert().values(repo=repo, pr=int(pr), fingerprint=fingerprint,
                                                    action=action, at=time.time(), **values))

    def active_dismissals(self, repo: str, pr: int) -> dict[str, dict]:
        """fingerprint -> the row that dismissed it, for dismissals of ``repo#pr`` not revoked since."""
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(dismissals).where(dismissals.c.repo == repo, dismissals.c.pr == int(pr))
                .order_by(dismissals.c.id)
            ).mappings().all()
        latest: dict[str, dict] = {}
        for r in rows:
            latest[r["fingerprint"]] = dict(r)
        return {fp: r for fp, r in latest.items() if r["action"] == DISMISS}

    def dismissals(self) -> list[dict]:
        """Every dismissal and revocation ever recorded, oldest first (for the registry)."""
        with self._tx() as conn:
            rows = conn.execute(sa.select(dismissals).order_by(dismissals.c.id)).mappings().all()
        return [dict(r) for r in rows]

    # -- installations ---------------------------------------------------------
    def upsert_installation(self, installation_id: int, account: str, *,
                            repos: list[str] | None = None, deleted: bool = False) -> None:
        """Record an installation (``repos=None`` keeps the known repository list)."""
        now = time.time()
        update: dict[str, Any] = {"account": account, "deleted": deleted, "updated_at": now}
        if repos is not None:
            update["repos"] = sorted(repos)
        with self._tx() as conn:
            _upsert(conn, installations,
                    dict(installation_id=installation_id, account=account,
                         repos=sorted(repos) if repos is not None else None,
                         deleted=deleted, updated_at=now),
                    ["installation_id"], update)

    def installations(self) -> list[dict]:
        """Every known installation."""
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(installations).order_by(installations.c.installation_id)
            ).mappings().all()
        return [dict(r) for r in rows]

    # -- AI-usage registry -----------------------------------------------------
    def record_ai_change(self, *, repo: str, pr: int, head_sha: str, author: str, title: str,
                         tools: list[str], vendors: list[str], evidence: list[str],
                         ai_assisted: bool, verdict: str, findings_by_category: dict[str, int],
                         merged: bool | None = None) -> None:
        """Upsert the registry row of a PR (first_seen_at is kept from the first record)."""
        now = time.time()
        values: dict[str, Any] = dict(
            head_sha=head_sha, author=author, title=title, tools=sorted(set(tools)),
            vendors=sorted(set(vendors)), evidence=list(evidence), ai_assisted=ai_assisted,
            verdict=verdict, findings_by_category=dict(findings_by_category), updated_at=now,
        )
        update = dict(values)
        if merged is not None:
            values["merged"] = update["merged"] = merged
        with self._tx() as conn:
            _upsert(conn, ai_changes, dict(repo=repo, pr=pr, first_seen_at=now, **values),
                    ["repo", "pr"], update)

    def mark_merged(self, repo: str, pr: int, merged: bool) -> None:
        """Record whether a registered PR was merged when it closed."""
        with self._tx() as conn:
            conn.execute(ai_changes.update()
                         .where(ai_changes.c.repo == repo, ai_changes.c.pr == pr)
                         .values(merged=merged, updated_at=time.time()))

    def registry(self) -> list[dict]:
        """Every registry row, oldest first."""
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(ai_changes).order_by(ai_changes.c.first_seen_at, ai_changes.c.repo,
                                               ai_changes.c.pr)
            ).mappings().all()
        return [dict(r) for r in rows]


class _SqliteAccept:
    """The webhook accept path on SQLite: one autocommit INSERT, one commit.

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

    _INSERT = ("INSERT INTO deliveries (delivery_id, event, action, body, body_encoding, state, "
               "attempts, received_at, body_sha256) VALUES (?, ?, ?, ?, ?, 'accepted', 0, ?, ?) "
               "ON CONFLICT DO NOTHING")  # the id, or the body's hash (a replay)
    _STATE = "SELECT state FROM deliveries WHERE delivery_id = ?"

    def __init__(self, path: str) -> None:
        self._path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._checkpointer_pid = 0
        self._stop = threading.Event()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            # Opening reads the schema, which can meet another process's lock: wait for it
            # here (busy timeout); only the INSERT below retries on its own.
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
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
        threading.Thread(target=self._checkpoint_loop, args=(self._stop,),
                         name="gatehouse-wal-checkpoint", daemon=True).start()

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
        stored, encoding = _pack(body)
        params = (delivery_id, event, action, stored, encoding, time.time(), body_digest(body))
        conn = self._conn()
        inserted = _retry_locked(lambda: conn.execute(self._INSERT, params).rowcount) == 1
        if inserted:
            return True
        row = _retry_locked(lambda: conn.execute(self._STATE, (delivery_id,)).fetchone())
        return _seen_again(delivery_id, None if row is None else row[0])

    def new_ids(self, limit: int) -> list[str]:
        """Accepted deliveries no worker has queued yet, oldest first (a plain WAL read)."""
        conn = self._conn()
        return [r[0] for r in _retry_locked(lambda: conn.execute(
            "SELECT delivery_id FROM deliveries WHERE state = 'accepted' AND attempts = 0 "
            "ORDER BY received_at LIMIT ?", (limit,)).fetchall())]

    def close(self) -> None:
        self._stop.set()
        for conn in self._all:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._all.clear()


def body_digest(body: bytes) -> str:
    """The key a delivery's raw body is de-duplicated on (GitHub signs these exact bytes)."""
    return hashlib.sha256(body).hexdigest()


def _seen_again(delivery_id: str, state: str | None) -> bool:
    """The accept INSERT found a conflict: True only for a redelivery of an id that has not
    completed yet (it stays accepted, and is processed once). ``state`` None means the id is
    new but its body is not: a replay, never processed again."""
    if state is None:
        logger.warning("delivery %s repeats the body of an earlier delivery (a replay); "
                       "not processed again", delivery_id)
        return False
    return state != DeliveryState.COMPLETED


_ZSTD = "zstd"
_ZLIB = "zlib"  # written by earlier versions; still read
_zstd_local = threading.local()


def _pack(body: bytes) -> tuple[bytes, str | None]:
    """Webhook JSON compresses about 7:1 (zstd level 1: a 24 kB pull_request delivery
    becomes one 3 kB database page in ~30 us); small bodies are kept as they are."""
    if len(body) < 512:
        return body, None
    compressor = getattr(_zstd_local, "c", None)
    if compressor is None:  # a ZstdCompressor is not safe to share between threads
        compressor = _zstd_local.c = zstandard.ZstdCompressor(level=1)
    return compressor.compress(body), _ZSTD


def _unpack(data: bytes, encoding: str | None) -> bytes:
    if encoding is None:
        return data
    if encoding == _ZSTD:
        return zstandard.ZstdDecompressor().decompress(data)
    if encoding == _ZLIB:
        return zlib.decompress(data)
    raise StoreError(f"a stored delivery uses the unknown body encoding {encoding!r}; "
                     "upgrade Gatehouse to the version that wrote it")


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
                raise StoreError("the SQLite database stayed locked for 30 s; is another "
                                 "program holding it?") from None
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 1.5, 0.002)


def _insert_ignore(dialect: str, table: sa.Table) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def _scan(row: Any) -> ScanRecord:
    return ScanRecord(**{f: row[f] for f in ScanRecord.__dataclass_fields__})


# --------------------------------------------------------------------------- migrations
def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def _migrate(engine: Engine) -> None:
    """Upgrade to head under a lock, so several processes may start at once."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        head = ScriptDirectory.from_config(_alembic_config(conn)).get_current_head()
        current = MigrationContext.configure(conn).get_current_revision()
        conn.rollback()
    if current == head:
        return
    with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE holds the write lock throughout
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        command.upgrade(_alembic_config(conn), "head")
    logger.info("database schema upgraded to %s", head)
