"""The index on ``deliveries.claimed_by`` covers claimed rows only.

A delivery is inserted unclaimed, so the webhook's INSERT no longer writes to this index:
one B-tree fewer on the accept path. The worker's look-ups (``claimed_by = ?``) still use it.

Revision ID: 0004_partial_claim_index
Revises: 0003_scan_lease
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_partial_claim_index"
down_revision = "0003_scan_lease"
branch_labels = None
depends_on = None

_CLAIMED = sa.text("claimed_by IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_deliveries_claimed_by", table_name="deliveries")
    op.create_index(
        "ix_deliveries_claimed_by",
        "deliveries",
        ["claimed_by"],
        sqlite_where=_CLAIMED,
        postgresql_where=_CLAIMED,
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_claimed_by", table_name="deliveries")
    op.create_index("ix_deliveries_claimed_by", "deliveries", ["claimed_by"])
