"""The tables, as SQLAlchemy Core sees them, for queries.

The alembic migrations in ``reviewer/service/migrations`` own the schema; these mirror them.
"""

from __future__ import annotations

import sqlalchemy as sa

from reviewer.service.store.records import DeliveryState

__all__ = [
    "NEW",
    "SCAN_FIELDS",
    "ai_changes",
    "deliveries",
    "dismissals",
    "findings",
    "installations",
    "metadata",
    "notices",
    "policy_decisions",
    "pr_edits",
    "pull_requests",
    "scans",
]

# Mirrors migrations/versions; the migrations are authoritative, these are for queries.
metadata = sa.MetaData()

deliveries = sa.Table(
    "deliveries",
    metadata,
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
    "scans",
    metadata,
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
    "findings",
    metadata,
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
    "notices",
    metadata,
    sa.Column("kind", sa.String(64), primary_key=True),
    sa.Column("repo", sa.String(200), primary_key=True),
    sa.Column("pr", sa.Integer, primary_key=True),
    sa.Column("login", sa.String(200), primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
)

dismissals = sa.Table(  # append-only (triggers refuse UPDATE and DELETE)
    "dismissals",
    metadata,
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
    "installations",
    metadata,
    sa.Column("installation_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("account", sa.String(200), nullable=False),
    sa.Column("repos", sa.JSON),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

pull_requests = sa.Table(
    "pull_requests",
    metadata,
    sa.Column("repo", sa.String(200), primary_key=True),
    sa.Column("pr", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("latest_head", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

pr_edits = sa.Table(  # the latest edit delivery of each PR (debounced re-scans)
    "pr_edits",
    metadata,
    sa.Column("repo", sa.String(200), primary_key=True),
    sa.Column("pr", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("received_at", sa.Float, nullable=False),
)

ai_changes = sa.Table(
    "ai_changes",
    metadata,
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
    sa.Column("sensitive", sa.Boolean),  # the repository is marked sensitive (topic or config)
    sa.Column("signals", sa.JSON),  # the AI signals the PR shows (ai_signals.Signal.to_dict)
)

policy_decisions = sa.Table(  # append-only (triggers refuse UPDATE and DELETE)
    "policy_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scan_id", sa.Integer, nullable=False),
    sa.Column("repo", sa.String(200), nullable=False),
    sa.Column("pr", sa.Integer, nullable=False),
    sa.Column("head_sha", sa.String(64), nullable=False),
    sa.Column("trigger", sa.String(64), nullable=False),
    sa.Column("conclusion", sa.String(32), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("policy", sa.Text, nullable=False),
    sa.Column("sensitive", sa.Boolean, nullable=False),
    sa.Column("signals_counted", sa.Boolean, nullable=False),
    sa.Column("signals", sa.JSON, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

SCAN_FIELDS = frozenset(
    {
        "state",
        "check_run_id",
        "conclusion",
        "error",
        "started_at",
        "finished_at",
        "duration_s",
        "findings_count",
        "installation_id",
        "trigger",
    }
)


# A delivery no worker has taken yet: stored by the web process, never queued or tried.
# (The SQLite fast path spells the same condition in SQL: accept.NEW_IDS.)
NEW = sa.and_(deliveries.c.state == DeliveryState.ACCEPTED, deliveries.c.attempts == 0)
