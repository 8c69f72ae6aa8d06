"""The register's facts: one row per pull request and one per (PR, tool) and (PR, vendor).

The registry keeps a PR's tools and vendors as JSON lists, its owner inside the repository name
and its time as seconds; filtering and charting 100,000 PRs by organisation, tool, vendor and
day needs them as indexed rows. ``register_facts`` holds, for every registry row, a ``pr`` fact
and a ``tool``/``vendor`` fact per list entry, each with the owner (lower case), the day, the
verdict and whether the PR was merged or has findings. Triggers keep the facts equal to
``ai_changes`` on every insert, update and delete (SQLite and PostgreSQL alike), so no writer
has to remember them; existing rows are copied once here.

Revision ID: 0009_register_tags
Revises: 0008_pr_edits
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_register_tags"
down_revision = "0008_pr_edits"
branch_labels = None
depends_on = None

_COLUMNS = "repo, pr, kind, value, owner, day, at, ai_assisted, verdict, merged, has_findings"


def upgrade() -> None:
    """The facts table, its indexes, the triggers that maintain it, and a one-time copy."""
    op.create_table(
        "register_facts",
        sa.Column("repo", sa.String(200), primary_key=True),
        sa.Column("pr", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), primary_key=True),  # pr | tool | vendor
        sa.Column("value", sa.String(200), primary_key=True),  # '' for the pr fact
        sa.Column("owner", sa.String(200), nullable=False),  # lower case
        sa.Column("day", sa.BigInteger, nullable=False),  # days since 1970-01-01 (UTC)
        sa.Column("at", sa.Float, nullable=False),  # first seen, seconds
        sa.Column("ai_assisted", sa.Boolean, nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("merged", sa.Boolean),
        sa.Column("has_findings", sa.Boolean, nullable=False),
    )
    # Charts and counts read one owner's facts of one kind in day order, from the index alone.
    op.create_index(
        "ix_register_facts_chart",
        "register_facts",
        [
            "owner",
            "kind",
            "day",
            "value",
            "verdict",
            "ai_assisted",
            "repo",
            "pr",
            "merged",
            "has_findings",
        ],
    )
    op.create_index("ix_register_facts_listing", "register_facts", ["owner", "kind", "at"])
    op.create_index("ix_scans_finished", "scans", ["finished_at"])
    # The register's cached aggregates last until the registry's latest update changes.
    op.create_index("ix_ai_changes_updated", "ai_changes", ["updated_at"])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_select(row: str, from_: str = "") -> str:
    owner = f"lower(substr({row}.repo, 1, instr({row}.repo, '/') - 1))"
    common = (
        f"{owner}, CAST({row}.first_seen_at AS INTEGER) / 86400, {row}.first_seen_at, "
        f"{row}.ai_assisted, {row}.verdict, {row}.merged, "
        f"json({row}.findings_by_category) NOT IN ('{{}}', 'null')"
    )
    base = f" FROM {from_}" if from_ else ""
    sep = ", " if from_ else " FROM "
    return (
        f"SELECT {row}.repo, {row}.pr, 'pr', '', {common}{base} UNION ALL "
        f"SELECT {row}.repo, {row}.pr, 'tool', j.value, {common}{base}{sep}"
        f"json_each({row}.tools) AS j WHERE j.type = 'text' UNION ALL "
        f"SELECT {row}.repo, {row}.pr, 'vendor', j.value, {common}{base}{sep}"
        f"json_each({row}.vendors) AS j WHERE j.type = 'text'"
    )


def _sqlite_triggers() -> None:
    insert = f"INSERT OR IGNORE INTO register_facts ({_COLUMNS}) {_sqlite_select('NEW')};"
    op.execute(
        f"CREATE TRIGGER register_facts_insert AFTER INSERT ON ai_changes BEGIN {insert} END"
    )
    op.execute(
        "CREATE TRIGGER register_facts_update AFTER UPDATE ON ai_changes BEGIN "
        f"DELETE FROM register_facts WHERE repo = OLD.repo AND pr = OLD.pr; {insert} END"
    )
    op.execute(
        "CREATE TRIGGER register_facts_delete AFTER DELETE ON ai_changes BEGIN "
        "DELETE FROM register_facts WHERE repo = OLD.repo AND pr = OLD.pr; END"
    )
    op.execute(
        f"INSERT OR IGNORE INTO register_facts ({_COLUMNS}) "
        f"{_sqlite_select('c', 'ai_changes AS c')}"
    )


def _pg_select(row: str, from_: str = "") -> str:
    common = (
        f"lower(split_part({row}.repo, '/', 1)), floor({row}.first_seen_at / 86400)::bigint, "
        f"{row}.first_seen_at, {row}.ai_assisted, {row}.verdict, {row}.merged, "
        f"coalesce({row}.findings_by_category::jsonb NOT IN ('{{}}'::jsonb, "
        "'null'::jsonb), false)"
    )
    base = f" FROM {from_}" if from_ else ""
    sep = ", " if from_ else " FROM "
    return (
        f"SELECT {row}.repo, {row}.pr, 'pr', '', {common}{base} UNION ALL "
        f"SELECT {row}.repo, {row}.pr, 'tool', v, {common}{base}{sep}"
        f"json_array_elements_text({row}.tools::json) AS v UNION ALL "
        f"SELECT {row}.repo, {row}.pr, 'vendor', v, {common}{base}{sep}"
        f"json_array_elements_text({row}.vendors::json) AS v"
    )


def _postgresql_triggers() -> None:
    op.execute(
        "CREATE FUNCTION gatehouse_register_facts() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP <> 'INSERT' THEN "
        "DELETE FROM register_facts WHERE repo = OLD.repo AND pr = OLD.pr; END IF; "
        f"IF TG_OP <> 'DELETE' THEN INSERT INTO register_facts ({_COLUMNS}) "
        f"{_pg_select('NEW')} ON CONFLICT DO NOTHING; END IF; "
        "RETURN NULL; END; $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER register_facts AFTER INSERT OR UPDATE OR DELETE ON ai_changes "
        "FOR EACH ROW EXECUTE FUNCTION gatehouse_register_facts()"
    )
    op.execute(
        f"INSERT INTO register_facts ({_COLUMNS}) {_pg_select('c', 'ai_changes AS c')} "
        "ON CONFLICT DO NOTHING"
    )


def downgrade() -> None:
    """Drop the triggers, the indexes and the table."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER register_facts ON ai_changes")
        op.execute("DROP FUNCTION gatehouse_register_facts()")
    else:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER register_facts_{name}")
    op.drop_index("ix_ai_changes_updated", table_name="ai_changes")
    op.drop_index("ix_scans_finished", table_name="scans")
    op.drop_index("ix_register_facts_listing", table_name="register_facts")
    op.drop_index("ix_register_facts_chart", table_name="register_facts")
    op.drop_table("register_facts")
