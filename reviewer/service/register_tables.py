"""The tables the register reads. The store's own tables (AI-assisted changes, dismissals,
scans, policy decisions) come from the store's schema; the register's facts and roll-ups,
kept by triggers of migrations 0009 and 0011, are declared here (read-only)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from reviewer.service.store.schema import ai_changes as changes
from reviewer.service.store.schema import dismissals, scans
from reviewer.service.store.schema import policy_decisions as policy

__all__ = [
    "changes",
    "choices",
    "daily",
    "day_values",
    "dismissals",
    "fact_columns",
    "facts",
    "policy",
    "scans",
    "tagsets",
]

fact_columns = (
    sa.column("repo", sa.String),
    sa.column("pr", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("value", sa.String),
    sa.column("owner", sa.String),
    sa.column("day", sa.BigInteger),
    sa.column("at", sa.Float),
    sa.column("ai_assisted", sa.Boolean),
    sa.column("verdict", sa.String),
    sa.column("merged", sa.Boolean),
    sa.column("has_findings", sa.Boolean),
)


def facts(alias: str) -> Any:
    return sa.table("register_facts", *(sa.column(c.name, c.type) for c in fact_columns)).alias(
        alias
    )


daily = sa.table(  # AI-assisted PRs per day and selection (migration 0011)
    "register_daily",
    sa.column("owner", sa.String),
    sa.column("day", sa.BigInteger),
    sa.column("repo", sa.String),
    sa.column("verdict", sa.String),
    sa.column("sensitive", sa.Integer),
    sa.column("tags", sa.Text),
    sa.column("n", sa.Integer),
    sa.column("merged", sa.Integer),
    sa.column("with_findings", sa.Integer),
)
tagsets = sa.table(  # the tools and vendors of each tag set named in register_daily
    "register_tagsets",
    sa.column("tags", sa.Text),
    sa.column("kind", sa.String),
    sa.column("value", sa.String),
)
choices = sa.table(  # how many AI-assisted facts carry each filter choice, per owner
    "register_choices",
    sa.column("owner", sa.String),
    sa.column("kind", sa.String),
    sa.column("value", sa.String),
    sa.column("n", sa.Integer),
)
day_values = sa.table(  # AI-assisted facts per owner, day and repository, tool or vendor
    "register_day_values",
    sa.column("owner", sa.String),
    sa.column("day", sa.BigInteger),
    sa.column("kind", sa.String),
    sa.column("value", sa.String),
    sa.column("n", sa.Integer),
)
