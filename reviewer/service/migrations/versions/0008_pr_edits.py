"""The latest edit (title, body, base) received for each pull request, to debounce re-scans.

Revision ID: 0008_pr_edits
Revises: 0007_delivery_body_hash
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_pr_edits"
down_revision = "0007_delivery_body_hash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """One row per pull request: when its latest edit delivery was received."""
    op.create_table(
        "pr_edits",
        sa.Column("repo", sa.String(200), primary_key=True),
        sa.Column("pr", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("received_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("pr_edits")
