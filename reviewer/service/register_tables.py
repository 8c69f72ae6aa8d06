"""Read-only SQLAlchemy views of the store tables the register reads (the store's migrations
own the schema): AI-assisted changes, the per-pull-request facts, dismissals, scans and
policy decisions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

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

changes = sa.table(
    "ai_changes",
    sa.column("repo", sa.String),
    sa.column("pr", sa.Integer),
    sa.column("head_sha", sa.String),
    sa.column("author", sa.String),
    sa.column("title", sa.Text),
    sa.column("tools", sa.JSON),
    sa.column("vendors", sa.JSON),
    sa.column("evidence", sa.JSON),
    sa.column("ai_assisted", sa.Boolean),
    sa.column("verdict", sa.String),
    sa.column("findings_by_category", sa.JSON),
    sa.column("merged", sa.Boolean),
    sa.column("first_seen_at", sa.Float),
    sa.column("updated_at", sa.Float),
)
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


dismissals = sa.table(
    "dismissals",
    sa.column("id", sa.Integer),
    sa.column("repo", sa.String),
    sa.column("pr", sa.Integer),
    sa.column("fingerprint", sa.String),
    sa.column("action", sa.String),
    sa.column("rule_id", sa.String),
    sa.column("path", sa.Text),
    sa.column("who", sa.String),
    sa.column("reason", sa.Text),
    sa.column("head_sha", sa.String),
    sa.column("at", sa.Float),
)
scans = sa.table(
    "scans",
    sa.column("id", sa.Integer),
    sa.column("repo", sa.String),
    sa.column("pr", sa.Integer),
    sa.column("head_sha", sa.String),
    sa.column("trigger", sa.String),
    sa.column("state", sa.String),
    sa.column("conclusion", sa.String),
    sa.column("findings_count", sa.Integer),
    sa.column("finished_at", sa.Float),
)


policy = sa.table(  # the audit trail of decisions, when the store has it (migration 0010)
    "policy_decisions",
    sa.column("id", sa.Integer),
    sa.column("repo", sa.String),
    sa.column("pr", sa.Integer),
    sa.column("head_sha", sa.String),
    sa.column("trigger", sa.String),
    sa.column("conclusion", sa.String),
    sa.column("reason", sa.Text),
    sa.column("sensitive", sa.Boolean),
    sa.column("at", sa.Float),
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
