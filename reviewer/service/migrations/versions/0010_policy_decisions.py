"""The audit trail of policy decisions, and sensitive repositories and AI signals in the registry.

Every conclusion Gatehouse reaches on a pull request (which conclusion, why, the policy in
force, whether the repository was sensitive, the AI signals it used) is a new row of
``policy_decisions``, beside the scan it concludes; nothing is ever updated or deleted, which
triggers enforce on SQLite and PostgreSQL alike. The registry row of a PR records whether its
repository is sensitive and the AI signals the PR shows.

Revision ID: 0010_policy_decisions
Revises: 0009_register_tags
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_policy_decisions"
down_revision = "0009_register_tags"
branch_labels = None
depends_on = None

_REFUSE = "policy decisions are append-only"


def upgrade() -> None:
    """The decisions table (append-only) and two registry columns."""
    op.create_table(
        "policy_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scan_id", sa.Integer, nullable=False),  # scans.id: the scan this concludes
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
    op.create_index("ix_policy_decisions_repo_pr", "policy_decisions", ["repo", "pr", "id"])
    op.add_column("ai_changes", sa.Column("sensitive", sa.Boolean, nullable=True))
    op.add_column("ai_changes", sa.Column("signals", sa.JSON, nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION gatehouse_policy_decisions_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{_REFUSE}'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER policy_decisions_append_only BEFORE UPDATE OR DELETE "
            "ON policy_decisions "
            "FOR EACH ROW EXECUTE FUNCTION gatehouse_policy_decisions_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER policy_decisions_no_{event.lower()} BEFORE {event} "
            "ON policy_decisions "
            f"BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END"
        )


def downgrade() -> None:
    """Drop the table, its triggers and the registry columns."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS policy_decisions_append_only ON policy_decisions")
        op.execute("DROP FUNCTION IF EXISTS gatehouse_policy_decisions_append_only()")
    op.drop_table("policy_decisions")
    with op.batch_alter_table("ai_changes") as batch:
        batch.drop_column("signals")
        batch.drop_column("sensitive")
