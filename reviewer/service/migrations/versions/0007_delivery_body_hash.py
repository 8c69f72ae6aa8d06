"""Deliveries carry the SHA-256 of their raw body, unique: a replay is refused at the INSERT.

A signed body captured once and sent again under a new ``X-GitHub-Delivery`` id used to be
processed again (the id was the only key). GitHub signs the raw bytes, so the same signed
body always has the same hash; the unique index makes the accept INSERT ignore it. Rows
written before this revision have no hash (NULL), which the index leaves out.

Revision ID: 0007_delivery_body_hash
Revises: 0006_dismissals
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_delivery_body_hash"
down_revision = "0006_dismissals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column and its unique index (NULLs, i.e. older rows, never conflict)."""
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("body_sha256", sa.String(64)))
    op.create_index("ux_deliveries_body_sha256", "deliveries", ["body_sha256"], unique=True)


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("ux_deliveries_body_sha256", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("body_sha256")
