"""Connecting to the database: URL checks, engine setup (SQLite file modes and pragmas),
the dialect's insert-or-ignore and upsert, and migrating to the schema's head."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from reviewer.errors import ConfigError
from reviewer.service.private_files import private_dir, private_file
from reviewer.service.store.records import StoreError

__all__ = ["alembic_config", "insert_ignore", "make_engine", "migrate", "open_engine", "upsert"]

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_PG_MIGRATION_LOCK = 0x6761_7465  # arbitrary constant: "gate"


def _normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (SQLite or PostgreSQL); a SQLite file and its folder are made
    private (0600/0700) whatever the umask: the database holds webhook bodies."""
    url = _normalise_url(url)
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise ConfigError(
            f"GATEHOUSE_DATABASE_URL={url!r} is not a database URL: use "
            "sqlite:///<path> or postgresql://user@host/db"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        db = parsed.database or ""
        if db and db != ":memory:":
            private_dir(Path(db).expanduser().parent)
            private_file(Path(db).expanduser())
        engine = sa.create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            max_overflow=16,
        )
        _sqlite_pragmas(engine)
        return engine
    if backend == "postgresql":
        return sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)
    raise ConfigError(
        f"GATEHOUSE_DATABASE_URL uses {backend!r}, which is not supported: "
        "use sqlite:///<path> (default) or postgresql://user@host/db"
    )


def open_engine(url: str, *, migrate_schema: bool = True) -> Engine:
    """:func:`make_engine`, then (unless told not to) upgrade the schema to head."""
    engine = make_engine(url)
    if migrate_schema:
        try:
            migrate(engine)
        except sa.exc.OperationalError as exc:
            engine.dispose()
            where = engine.url.render_as_string(hide_password=True)
            raise StoreError(
                f"cannot open the database {where!r}: {exc.orig.__class__.__name__}; check "
                "GATEHOUSE_DATABASE_URL and that the server is running and reachable"
            ) from None
    return engine


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


def _insert(dialect: str, table: sa.Table) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignore(dialect: str, table: sa.Table) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` on either dialect."""
    return _insert(dialect, table).on_conflict_do_nothing()


def upsert(
    conn: Connection,
    table: sa.Table,
    values: dict[str, Any],
    keys: list[str],
    update: dict[str, Any] | None,
) -> None:
    """Insert ``values``; on a conflict on ``keys`` apply ``update`` (or nothing)."""
    stmt = _insert(conn.dialect.name, table).values(**values)
    if update:
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=update)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    conn.execute(stmt)


def upsert_newer(
    conn: Connection, table: sa.Table, values: dict[str, Any], keys: list[str], column: str
) -> None:
    """Insert ``values``; on a conflict keep the row whose ``column`` is the larger."""
    stmt = _insert(conn.dialect.name, table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys,
        set_={column: stmt.excluded[column]},
        where=table.c[column] < stmt.excluded[column],
    )
    conn.execute(stmt)


def alembic_config(conn: Connection) -> Any:
    """An alembic configuration that runs the shipped migrations on ``conn``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def migrate(engine: Engine) -> None:
    """Upgrade to head under a lock, so several processes may start at once."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config(conn)).get_current_head()
        current = MigrationContext.configure(conn).get_current_revision()
        conn.rollback()
    if current == head:
        return
    with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE holds the write lock throughout
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        command.upgrade(alembic_config(conn), "head")
    logger.info("database schema upgraded to %s", head)
