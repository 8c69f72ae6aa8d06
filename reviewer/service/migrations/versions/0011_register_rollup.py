"""The register's daily roll-up and filter choices, kept in step by triggers.

Counting and charting 100,000 PRs from ``register_facts`` takes most of a second, which the
register paid every time a PR was recorded. Two small tables answer the same questions:

* ``register_daily``: AI-assisted PRs per (owner, day, repository, verdict, sensitive, tag
  set) with how many are merged and have findings. A PR's tag set is one text key for its
  tools and vendors together, so every PR lands in exactly one row and a tool, vendor or
  country filter selects whole tag sets; ``register_tagsets`` lists each set's tools and
  vendors. Triggers on ``ai_changes`` subtract a row's old values and add its new ones.
* ``register_choices``: how many AI-assisted facts carry each (owner, kind, value), kinds
  repo, verdict, tool and vendor: the filter form's choices. Triggers on ``register_facts``
  count each fact in and out. ``register_day_values`` counts the same per day (repositories,
  tools and vendors): the charts of a selection limited only by its period.

Rows whose count falls to zero are deleted. Existing rows are counted once here. An index
gives the listing of one owner's PRs, or of those naming one tool or vendor, newest first.

Revision ID: 0011_register_rollup
Revises: 0010_policy_decisions
Create Date: 2026-12-11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_register_rollup"
down_revision = "0010_policy_decisions"
branch_labels = None
depends_on = None

_KEY = ("owner", "day", "repo", "verdict", "sensitive", "tags")
_DAILY = ", ".join((*_KEY, "n", "merged", "with_findings"))


def upgrade() -> None:
    """The tables, the triggers that maintain them, and a one-time count."""
    pg = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "register_daily",
        sa.Column("owner", sa.String(200), primary_key=True),  # lower case
        sa.Column("day", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("repo", sa.String(200), primary_key=True),
        sa.Column("verdict", sa.String(32), primary_key=True),
        sa.Column("sensitive", sa.Integer, primary_key=True, autoincrement=False),  # 0 or 1
        sa.Column("tags", sa.Text, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("merged", sa.Integer, nullable=False),
        sa.Column("with_findings", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "register_tagsets",
        sa.Column("tags", sa.Text, primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),  # tool | vendor
        sa.Column("value", sa.String(200), primary_key=True),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_register_tagsets_value", "register_tagsets", ["kind", "value", "tags"])
    op.create_table(
        "register_choices",
        sa.Column("owner", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),  # repo | verdict | tool | vendor
        sa.Column("value", sa.String(200), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "register_day_values",
        sa.Column("owner", sa.String(200), primary_key=True),
        sa.Column("day", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), primary_key=True),  # repo | tool | vendor
        sa.Column("value", sa.String(200), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    # The listing, newest first, of one owner's PRs or of those naming one tool or vendor.
    op.create_index(
        "ix_register_facts_page",
        "register_facts",
        ["owner", "kind", "value", "ai_assisted", "at", "repo", "pr"],
    )
    if pg:
        _postgresql()
    else:
        _sqlite()


# -- SQLite ---------------------------------------------------------------------------------
def _sqlite_tags(row: str) -> str:
    def listed(col: str) -> str:
        return (
            "(SELECT json_group_array(value) FROM (SELECT DISTINCT value FROM "
            f"json_each({row}.{col}) WHERE type = 'text' ORDER BY value))"
        )

    return f"{listed('tools')} || '|' || {listed('vendors')}"


def _sqlite_key(row: str) -> list[str]:
    return [
        f"lower(substr({row}.repo, 1, instr({row}.repo, '/') - 1))",
        f"CAST({row}.first_seen_at AS INTEGER) / 86400",
        f"{row}.repo",
        f"{row}.verdict",
        f"CASE WHEN {row}.sensitive THEN 1 ELSE 0 END",
        _sqlite_tags(row),
    ]


def _sqlite_counts(row: str) -> list[str]:
    return [
        "1",
        f"CASE WHEN {row}.merged THEN 1 ELSE 0 END",
        f"CASE WHEN json({row}.findings_by_category) NOT IN ('{{}}', 'null') THEN 1 ELSE 0 END",
    ]


def _sqlite_add(row: str) -> str:
    # Not INSERT OR IGNORE: an upsert of the registry row would impose its own conflict policy.
    tags = _sqlite_tags(row)
    new = (
        "NOT EXISTS (SELECT 1 FROM register_tagsets AS s WHERE s.tags = t.tags "
        "AND s.kind = t.kind AND s.value = t.value)"
    )
    return (
        "INSERT INTO register_tagsets (tags, kind, value) SELECT * FROM ("
        f"SELECT {tags} AS tags, 'tool' AS kind, j.value AS value "
        f"FROM json_each({row}.tools) AS j WHERE {row}.ai_assisted AND j.type = 'text' UNION "
        f"SELECT {tags}, 'vendor', j.value FROM json_each({row}.vendors) AS j "
        f"WHERE {row}.ai_assisted AND j.type = 'text') AS t WHERE {new}; "
        f"INSERT INTO register_daily ({_DAILY}) "
        f"SELECT {', '.join(_sqlite_key(row) + _sqlite_counts(row))} WHERE {row}.ai_assisted "
        f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET n = register_daily.n + excluded.n, "
        "merged = register_daily.merged + excluded.merged, "
        "with_findings = register_daily.with_findings + excluded.with_findings;"
    )


def _sqlite_remove(row: str) -> str:
    match = " AND ".join(f"{k} = {v}" for k, v in zip(_KEY, _sqlite_key(row), strict=True))
    _, merged, findings = _sqlite_counts(row)
    return (
        f"UPDATE register_daily SET n = n - 1, merged = merged - {merged}, "
        f"with_findings = with_findings - {findings} WHERE {row}.ai_assisted AND {match}; "
        f"DELETE FROM register_daily WHERE {row}.ai_assisted AND {match} AND n <= 0;"
    )


def _choices(row: str) -> str:
    """(owner, kind, value) of one fact's choices, as a SELECT (both dialects)."""
    return (
        f"SELECT {row}.owner AS o, 'repo' AS k, {row}.repo AS v WHERE {row}.kind = 'pr' "
        f"AND {row}.ai_assisted UNION ALL SELECT {row}.owner, 'verdict', {row}.verdict "
        f"WHERE {row}.kind = 'pr' AND {row}.ai_assisted UNION ALL "
        f"SELECT {row}.owner, {row}.kind, {row}.value "
        f"WHERE {row}.kind <> 'pr' AND {row}.ai_assisted"
    )


def _choices_add(row: str) -> str:
    return (
        f"INSERT INTO register_choices (owner, kind, value, n) "
        f"SELECT o, k, v, 1 FROM ({_choices(row)}) AS c WHERE true "
        "ON CONFLICT (owner, kind, value) DO UPDATE SET n = register_choices.n + 1; "
        "INSERT INTO register_day_values (owner, day, kind, value, n) "
        f"SELECT o, {row}.day, k, v, 1 FROM ({_choices(row)}) AS c WHERE k <> 'verdict' "
        "ON CONFLICT (owner, day, kind, value) DO UPDATE SET n = register_day_values.n + 1;"
    )


def _choices_remove(row: str) -> str:
    picked = f"(owner, kind, value) IN (SELECT o, k, v FROM ({_choices(row)}) AS c)"
    on_day = f"day = {row}.day AND {picked}"
    return (
        f"UPDATE register_choices SET n = n - 1 WHERE {picked}; "
        f"DELETE FROM register_choices WHERE {picked} AND n <= 0; "
        f"UPDATE register_day_values SET n = n - 1 WHERE {on_day}; "
        f"DELETE FROM register_day_values WHERE {on_day} AND n <= 0;"
    )


def _sqlite() -> None:
    op.execute(
        "CREATE TRIGGER register_daily_insert AFTER INSERT ON ai_changes "
        f"BEGIN {_sqlite_add('NEW')} END"
    )
    op.execute(
        "CREATE TRIGGER register_daily_update AFTER UPDATE ON ai_changes "
        f"BEGIN {_sqlite_remove('OLD')} {_sqlite_add('NEW')} END"
    )
    op.execute(
        "CREATE TRIGGER register_daily_delete AFTER DELETE ON ai_changes "
        f"BEGIN {_sqlite_remove('OLD')} END"
    )
    op.execute(
        "CREATE TRIGGER register_choices_insert AFTER INSERT ON register_facts "
        f"BEGIN {_choices_add('NEW')} END"
    )
    op.execute(
        "CREATE TRIGGER register_choices_delete AFTER DELETE ON register_facts "
        f"BEGIN {_choices_remove('OLD')} END"
    )
    tags = _sqlite_tags("c")
    op.execute(
        "INSERT OR IGNORE INTO register_tagsets (tags, kind, value) "
        f"SELECT {tags}, 'tool', j.value FROM ai_changes AS c, json_each(c.tools) AS j "
        "WHERE c.ai_assisted AND j.type = 'text' UNION "
        f"SELECT {tags}, 'vendor', j.value FROM ai_changes AS c, json_each(c.vendors) AS j "
        "WHERE c.ai_assisted AND j.type = 'text'"
    )
    _backfill(_sqlite_key("c"), _sqlite_counts("c"))


def _backfill(key: list[str], counts: list[str]) -> None:
    named = ", ".join(f"{expr} AS {name}" for name, expr in zip(_KEY, key, strict=True))
    _, merged, findings = counts
    op.execute(
        f"INSERT INTO register_daily ({_DAILY}) SELECT {', '.join(_KEY)}, count(*), sum(m), "
        f"sum(f) FROM (SELECT {named}, {merged} AS m, {findings} AS f FROM ai_changes AS c "
        f"WHERE c.ai_assisted) AS r GROUP BY {', '.join(_KEY)}"
    )
    op.execute(
        "INSERT INTO register_choices (owner, kind, value, n) "
        "SELECT owner, 'repo', repo, count(*) FROM register_facts "
        "WHERE kind = 'pr' AND ai_assisted GROUP BY owner, repo UNION ALL "
        "SELECT owner, 'verdict', verdict, count(*) FROM register_facts "
        "WHERE kind = 'pr' AND ai_assisted GROUP BY owner, verdict UNION ALL "
        "SELECT owner, kind, value, count(*) FROM register_facts "
        "WHERE kind <> 'pr' AND ai_assisted GROUP BY owner, kind, value"
    )
    op.execute(
        "INSERT INTO register_day_values (owner, day, kind, value, n) "
        "SELECT owner, day, k, v, count(*) FROM (SELECT owner, day, "
        "CASE WHEN kind = 'pr' THEN 'repo' ELSE kind END AS k, "
        "CASE WHEN kind = 'pr' THEN repo ELSE value END AS v FROM register_facts "
        "WHERE ai_assisted) AS f GROUP BY owner, day, k, v"
    )


# -- PostgreSQL -----------------------------------------------------------------------------
def _pg_tags(row: str) -> str:
    def listed(col: str) -> str:
        return (
            "coalesce((SELECT json_agg(v ORDER BY v)::text FROM (SELECT DISTINCT v FROM "
            f"json_array_elements_text({row}.{col}::json) AS v) AS s), '[]')"
        )

    return f"{listed('tools')} || '|' || {listed('vendors')}"


def _pg_key(row: str) -> list[str]:
    return [
        f"lower(split_part({row}.repo, '/', 1))",
        f"floor({row}.first_seen_at / 86400)::bigint",
        f"{row}.repo",
        f"{row}.verdict",
        f"CASE WHEN {row}.sensitive THEN 1 ELSE 0 END",
        _pg_tags(row),
    ]


def _pg_counts(row: str) -> list[str]:
    return [
        "1",
        f"CASE WHEN {row}.merged THEN 1 ELSE 0 END",
        f"CASE WHEN coalesce({row}.findings_by_category::jsonb NOT IN ('{{}}'::jsonb, "
        "'null'::jsonb), false) THEN 1 ELSE 0 END",
    ]


def _pg_add(row: str) -> str:
    return (
        f"INSERT INTO register_tagsets (tags, kind, value) "
        f"SELECT DISTINCT t, k, v FROM (SELECT {_pg_tags(row)} AS t) AS x, LATERAL ("
        f"SELECT 'tool' AS k, v FROM json_array_elements_text({row}.tools::json) AS v "
        f"UNION ALL SELECT 'vendor', v FROM json_array_elements_text({row}.vendors::json) "
        "AS v) AS e ON CONFLICT DO NOTHING; "
        f"INSERT INTO register_daily ({_DAILY}) "
        f"SELECT {', '.join(_pg_key(row) + _pg_counts(row))} "
        f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET n = register_daily.n + excluded.n, "
        "merged = register_daily.merged + excluded.merged, "
        "with_findings = register_daily.with_findings + excluded.with_findings;"
    )


def _pg_remove(row: str) -> str:
    match = " AND ".join(f"{k} = {v}" for k, v in zip(_KEY, _pg_key(row), strict=True))
    _, merged, findings = _pg_counts(row)
    return (
        f"UPDATE register_daily SET n = n - 1, merged = merged - {merged}, "
        f"with_findings = with_findings - {findings} WHERE {match}; "
        f"DELETE FROM register_daily WHERE {match} AND n <= 0;"
    )


def _postgresql() -> None:
    op.execute(
        "CREATE FUNCTION gatehouse_register_daily() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' AND OLD.ai_assisted THEN {_pg_remove('OLD')} END IF; "
        f"IF TG_OP <> 'DELETE' AND NEW.ai_assisted THEN {_pg_add('NEW')} END IF; "
        "RETURN NULL; END; $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER register_daily AFTER INSERT OR UPDATE OR DELETE ON ai_changes "
        "FOR EACH ROW EXECUTE FUNCTION gatehouse_register_daily()"
    )
    op.execute(
        "CREATE FUNCTION gatehouse_register_choices() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' THEN {_choices_remove('OLD')} "
        f"ELSE {_choices_add('NEW')} END IF; "
        "RETURN NULL; END; $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER register_choices AFTER INSERT OR DELETE ON register_facts "
        "FOR EACH ROW EXECUTE FUNCTION gatehouse_register_choices()"
    )
    op.execute(
        "INSERT INTO register_tagsets (tags, kind, value) "
        f"SELECT DISTINCT t, k, v FROM (SELECT {_pg_tags('c')} AS t, c.tools, c.vendors "
        "FROM ai_changes AS c WHERE c.ai_assisted) AS x, LATERAL ("
        "SELECT 'tool' AS k, v FROM json_array_elements_text(x.tools::json) AS v "
        "UNION ALL SELECT 'vendor', v FROM json_array_elements_text(x.vendors::json) AS v"
        ") AS e ON CONFLICT DO NOTHING"
    )
    _backfill(_pg_key("c"), _pg_counts("c"))


def downgrade() -> None:
    """Drop the triggers and the tables."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER register_choices ON register_facts")
        op.execute("DROP FUNCTION gatehouse_register_choices()")
        op.execute("DROP TRIGGER register_daily ON ai_changes")
        op.execute("DROP FUNCTION gatehouse_register_daily()")
    else:
        for name in ("insert", "delete"):
            op.execute(f"DROP TRIGGER register_choices_{name}")
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER register_daily_{name}")
    op.drop_index("ix_register_facts_page", table_name="register_facts")
    op.drop_table("register_day_values")
    op.drop_table("register_choices")
    op.drop_index("ix_register_tagsets_value", table_name="register_tagsets")
    op.drop_table("register_tagsets")
    op.drop_table("register_daily")
