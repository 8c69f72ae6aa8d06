"""One-off messages already sent (e.g. "commands need write access"), so every process and
every restart knows not to send them again.

Revision ID: 0005_notices
Revises: 0004_partial_claim_index
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_notices"
down_revision = "0004_partial_claim_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("repo", sa.String(200), primary_key=True),
        sa.Column("pr", sa.Integer, primary_key=True),
        sa.Column("login", sa.String(200), primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notices")
