"""Deliveries keep their body compressed: ``body_encoding`` says how (NULL = as received).

Revision ID: 0002_body_encoding
Revises: 0001_initial
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_body_encoding"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column; existing rows stay readable as they are (NULL)."""
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("body_encoding", sa.String(16)))


def downgrade() -> None:
    """Drop the column (only safe once no compressed body is left)."""
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("body_encoding")
