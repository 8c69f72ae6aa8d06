"""Initial schema: deliveries, scans, findings, suppressions, installations, AI registry.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table of the first release."""
    op.create_table(
        "deliveries",
        sa.Column("delivery_id", sa.String(100), primary_key=True),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64)),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("outcome", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("claimed_by", sa.String(200)),
        sa.Column("lease_until", sa.Float),
        sa.Column("completed_at", sa.Float),
    )
    op.create_index("ix_deliveries_state_received", "deliveries", ["state", "received_at"])
    op.create_index("ix_deliveries_claimed_by", "deliveries", ["claimed_by"])

    op.create_table(
        "scans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("repo", sa.String(200), nullable=False),
        sa.Column("pr", sa.Integer, nullable=False),
        sa.Column("head_sha", sa.String(64), nullable=False),
        sa.Column("installation_id", sa.BigInteger, nullable=False),
        sa.Column("trigger", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("check_run_id", sa.BigInteger),
        sa.Column("conclusion", sa.String(32)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("started_at", sa.Float),
        sa.Column("finished_at", sa.Float),
        sa.Column("duration_s", sa.Float),
        sa.Column("findings_count", sa.Integer),
        sa.UniqueConstraint("repo", "pr", "head_sha", name="uq_scans_repo_pr_head"),
    )
    op.create_index("ix_scans_state_updated", "scans", ["state", "updated_at"])

    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("rule_id", sa.String(200), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("start_line", sa.Integer),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_findings_scan", "findings", ["scan_id"])

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

    op.create_table(
        "installations",
        sa.Column("installation_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("repos", sa.JSON),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )

    op.create_table(
        "pull_requests",
        sa.Column("repo", sa.String(200), primary_key=True),
        sa.Column("pr", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("latest_head", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )

    op.create_table(
        "ai_changes",
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
    op.create_index("ix_ai_changes_first_seen", "ai_changes", ["first_seen_at"])


def downgrade() -> None:
    """Drop everything (only for development databases)."""
    for table in (
        "ai_changes",
        "pull_requests",
        "installations",
        "suppressions",
        "findings",
        "scans",
        "deliveries",
    ):
        op.drop_table(table)
