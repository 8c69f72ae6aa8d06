"""Scans carry a lease, so two workers never run the same (repo, PR, head SHA) at once.

Revision ID: 0003_scan_lease
Revises: 0002_body_encoding
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_scan_lease"
down_revision = "0002_body_encoding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the lease holder and its expiry; existing scans are free (NULL)."""
    with op.batch_alter_table("scans") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(200)))
        batch.add_column(sa.Column("lease_until", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
