"""Dismissals become an append-only history scoped to one pull request and one content.

Every ``/gatehouse ignore`` and ``/gatehouse unignore`` is a new row (who, when, why, PR,
head SHA); nothing is ever updated or deleted, which triggers enforce on both SQLite and
PostgreSQL. The old ``suppressions`` rows (repository-wide, keyed by fingerprints that hashed
only the first characters of a line) are kept as history with no PR: they are shown in the
registry and never applied again.

Revision ID: 0006_dismissals
Revises: 0005_notices
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_dismissals"
down_revision = "0005_notices"
branch_labels = None
depends_on = None

_REFUSE = "dismissals are append-only: record a revocation instead"


def upgrade() -> None:
    op.create_table(
        "dismissals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("repo", sa.String(200), nullable=False),
        sa.Column("pr", sa.Integer, nullable=True),  # NULL: a legacy repository-wide row
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),  # dismiss | revoke
        sa.Column("rule_id", sa.String(200), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("head_sha", sa.String(64), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_dismissals_repo_pr_fp", "dismissals", ["repo", "pr", "fingerprint", "id"])
    op.execute(
        "INSERT INTO dismissals "
        "(repo, pr, fingerprint, action, rule_id, path, who, reason, head_sha, at) "
        "SELECT repo, NULL, fingerprint, 'dismiss', rule_id, path, who, reason, '', at "
        "FROM suppressions ORDER BY at, repo, fingerprint"
    )
    op.drop_table("suppressions")
    _append_only_triggers()


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION gatehouse_dismissals_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{_REFUSE}'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER dismissals_append_only BEFORE UPDATE OR DELETE ON dismissals "
            "FOR EACH ROW EXECUTE FUNCTION gatehouse_dismissals_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER dismissals_no_{event.lower()} BEFORE {event} ON dismissals "
            f"BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END"
        )


def downgrade() -> None:
    op.create_table(
        "suppressions",
        sa.Column("repo", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(128), primary_key=True),
        sa.Column("rule_id", sa.String(200), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    # Only the legacy rows go back: the older code would apply a per-PR dismissal repo-wide.
    op.execute(
        "INSERT INTO suppressions (repo, fingerprint, rule_id, path, who, reason, at) "
        "SELECT d.repo, d.fingerprint, d.rule_id, d.path, d.who, d.reason, d.at FROM dismissals d "
        "WHERE d.pr IS NULL AND d.action = 'dismiss' "
        "AND d.id = (SELECT MAX(e.id) FROM dismissals e "
        "WHERE e.repo = d.repo AND e.fingerprint = d.fingerprint AND e.pr IS NULL)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER dismissals_append_only ON dismissals")
        op.execute("DROP FUNCTION gatehouse_dismissals_append_only()")
    op.drop_index("ix_dismissals_repo_pr_fp", table_name="dismissals")
    op.drop_table("dismissals")
