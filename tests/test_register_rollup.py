"""The register's daily roll-up and filter choices stay equal to a recount of the registry and
its facts after inserts, updates (upserts and direct ones) and deletes, on SQLite and
PostgreSQL; and the pages' counts, charts and choices read from them equal a recount."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pg_support import pg_database  # noqa: F401, F811 - fixture

from reviewer.report_html import bucketer, time_series
from reviewer.service.register_filter import RegisterFilter, Scope
from reviewer.service.register_query import RegisterQueries
from reviewer.service.store import Store

TOOLS = [("Claude Code", "Anthropic"), ("Qwen Code", "Alibaba Cloud"), ("Cursor", "Anysphere")]
COUNTRIES = {"Anthropic": "US", "Alibaba Cloud": "CN", "Anysphere": "US"}
DAY = 86400.0
START = 1_767_225_600.0  # 2026-01-01


def _record(store: Store, rnd: random.Random, repo: str, pr: int) -> None:
    picked = rnd.sample(TOOLS, rnd.choice([0, 1, 1, 2, 3]))
    store.record_ai_change(
        repo=repo,
        pr=pr,
        head_sha=f"{pr:040x}",
        author="dev",
        title=f"Change {pr}",
        tools=[t for t, _ in picked],
        vendors=[v for _, v in picked],
        evidence=["label: ai-assisted"],
        ai_assisted=rnd.random() < 0.8,
        verdict=rnd.choice(["success", "failure", "neutral"]),
        findings_by_category={"exfiltration": 1} if rnd.random() < 0.3 else {},
        merged=rnd.choice([True, False, None]),
        sensitive=rnd.choice([True, False, None]),
    )


def _churn(store: Store) -> list[tuple[str, int]]:
    """Insert, upsert, move in time, edit directly and delete registry rows."""
    rnd = random.Random(7)
    keys = [(f"{rnd.choice(['Acme', 'acme', 'globex'])}/r{rnd.randrange(3)}", n) for n in range(60)]
    for repo, pr in keys:
        _record(store, rnd, repo, pr)
    with store.engine.begin() as conn:
        for repo, pr in keys:
            conn.execute(
                sa.text("UPDATE ai_changes SET first_seen_at = :t WHERE repo = :r AND pr = :p"),
                {"t": START + rnd.randrange(20) * DAY + rnd.random() * DAY, "r": repo, "p": pr},
            )
    for repo, pr in rnd.sample(keys, 25):  # upserts: tools, verdict, flags change
        _record(store, rnd, repo, pr)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE ai_changes SET verdict = 'neutral' WHERE pr % 7 = 0"))
        conn.execute(sa.text("UPDATE ai_changes SET ai_assisted = NOT ai_assisted WHERE pr < 6"))
        conn.execute(sa.text("DELETE FROM ai_changes WHERE pr % 5 = 1"))
    return keys


def _recount(conn: Any) -> dict[str, Counter[tuple[Any, ...]]]:
    """What the roll-up should hold, counted afresh from the facts and the registry."""
    daily: Counter[tuple[Any, ...]] = Counter()
    rows = conn.execute(
        sa.text(
            "SELECT f.owner, f.day, f.repo, f.verdict, c.sensitive, f.merged, f.has_findings "
            "FROM register_facts AS f JOIN ai_changes AS c ON c.repo = f.repo AND c.pr = f.pr "
            "WHERE f.kind = 'pr' AND f.ai_assisted"
        )
    )
    for owner, day, repo, verdict, sensitive, merged, findings in rows:
        key = (owner, int(day), repo, verdict, 1 if sensitive else 0)
        daily[key + ("n",)] += 1
        daily[key + ("merged",)] += 1 if merged else 0
        daily[key + ("with_findings",)] += 1 if findings else 0
    tags = Counter(
        {
            (o, int(d), k, v): n
            for o, d, k, v, n in conn.execute(
                sa.text(
                    "SELECT owner, day, kind, value, count(*) FROM register_facts "
                    "WHERE kind <> 'pr' AND ai_assisted GROUP BY owner, day, kind, value"
                )
            )
        }
    )
    choices = Counter(
        {
            (o, k, v): n
            for o, k, v, n in conn.execute(
                sa.text(
                    "SELECT owner, 'repo', repo, count(*) FROM register_facts "
                    "WHERE kind = 'pr' AND ai_assisted GROUP BY owner, repo UNION ALL "
                    "SELECT owner, 'verdict', verdict, count(*) FROM register_facts "
                    "WHERE kind = 'pr' AND ai_assisted GROUP BY owner, verdict UNION ALL "
                    "SELECT owner, kind, value, count(*) FROM register_facts "
                    "WHERE kind <> 'pr' AND ai_assisted GROUP BY owner, kind, value"
                )
            )
        }
    )
    day_values = Counter(
        {
            (o, int(d), k, v): n
            for o, d, k, v, n in conn.execute(
                sa.text(
                    "SELECT owner, day, 'repo', repo, count(*) FROM register_facts "
                    "WHERE kind = 'pr' AND ai_assisted GROUP BY owner, day, repo UNION ALL "
                    "SELECT owner, day, kind, value, count(*) FROM register_facts "
                    "WHERE kind <> 'pr' AND ai_assisted GROUP BY owner, day, kind, value"
                )
            )
        }
    )
    return {"daily": daily, "tags": tags, "choices": choices, "day_values": day_values}


def _rolled_up(conn: Any) -> dict[str, Counter[tuple[Any, ...]]]:
    daily: Counter[tuple[Any, ...]] = Counter()
    rows = conn.execute(
        sa.text(
            "SELECT owner, day, repo, verdict, sensitive, n, merged, with_findings "
            "FROM register_daily"
        )
    )
    for owner, day, repo, verdict, sensitive, n, merged, findings in rows:
        assert n > 0, "rows that fall to zero are deleted"
        key = (owner, int(day), repo, verdict, int(sensitive))
        daily[key + ("n",)] += n
        daily[key + ("merged",)] += merged
        daily[key + ("with_findings",)] += findings
    tags = Counter(
        {
            (o, int(d), k, v): int(n)
            for o, d, k, v, n in conn.execute(
                sa.text(
                    "SELECT r.owner, r.day, t.kind, t.value, sum(r.n) FROM register_daily AS r "
                    "JOIN register_tagsets AS t ON t.tags = r.tags "
                    "GROUP BY r.owner, r.day, t.kind, t.value"
                )
            )
        }
    )
    choices = Counter(
        {
            (o, k, v): n
            for o, k, v, n in conn.execute(
                sa.text("SELECT owner, kind, value, n FROM register_choices")
            )
        }
    )
    day_values = Counter(
        {
            (o, int(d), k, v): n
            for o, d, k, v, n in conn.execute(
                sa.text("SELECT owner, day, kind, value, n FROM register_day_values")
            )
        }
    )
    return {"daily": +daily, "tags": tags, "choices": choices, "day_values": day_values}


def _check(store: Store) -> None:
    keys = _churn(store)
    with store.engine.connect() as conn:
        expected, got = _recount(conn), _rolled_up(conn)
    assert sum(expected["daily"].values()) > 0 and len(expected["tags"]) > 3
    assert got["daily"] == +expected["daily"]
    assert got["tags"] == expected["tags"]
    assert got["choices"] == expected["choices"]
    assert got["day_values"] == expected["day_values"]
    _pages_equal_recount(store, keys)


def _pages_equal_recount(store: Store, keys: list[tuple[str, int]]) -> None:
    """Counts, charts and choices as the page shows them equal a count of the registry."""
    with store.engine.connect() as conn:
        registry = [
            dict(r)
            for r in conn.execute(
                sa.text("SELECT * FROM ai_changes WHERE ai_assisted ORDER BY repo, pr")
            ).mappings()
        ]
    assert {(r["repo"], r["pr"]) for r in registry} <= set(keys)
    q = RegisterQueries(store.engine, vendor_countries=COUNTRIES)
    scope = Scope(("ACME",))
    mine = [r for r in registry if r["repo"].split("/")[0].lower() == "acme"]
    filters = [
        RegisterFilter(),
        RegisterFilter(since="2026-01-04", until="2026-01-15"),
        RegisterFilter(tool="Claude Code"),
        RegisterFilter(vendor="Anthropic", verdict="failure"),
        RegisterFilter(country="US", sensitive="no"),
        RegisterFilter(country="CN", sensitive="yes", since="2026-01-05", until="2026-01-12"),
        RegisterFilter(repo="acme/r1", tool="Qwen Code", vendor="Anysphere"),
    ]
    for f in filters:
        chosen = [r for r in mine if _selects(f, r)]
        assert q.summary(scope, f) == {
            "pull_requests": len(chosen),
            "repositories": len({r["repo"] for r in chosen}),
            "merged": sum(1 for r in chosen if r["merged"]),
            "with_findings": sum(1 for r in chosen if _json(r["findings_by_category"])),
        }, f
        newest_first = sorted(chosen, key=lambda r: (-r["first_seen_at"], r["repo"], r["pr"]))
        listed = [(r["repo"], r["pr"]) for r in q.rows(scope, f)]
        assert listed == [(r["repo"], r["pr"]) for r in newest_first], f
        page = [(r["repo"], r["pr"]) for r in q.page(scope, f, offset=2, limit=3)]
        assert page == listed[2:5], f
        by_repo = Counter((_day_of(r), r["repo"]) for r in chosen)
        assert Counter({(d, n): c for d, n, c in q.series(scope, f, "repository")}) == by_repo
        for kind, col in (("tool", "tools"), ("vendor", "vendors")):
            expected = Counter((_day_of(r), v) for r in chosen for v in _json(r[col]))
            assert Counter({(d, n): c for d, n, c in q.series(scope, f, kind)}) == expected, f
        _charts_equal_recount(q, scope, f, chosen)
    facets = q.facets(scope)
    assert facets["repo"] == sorted({r["repo"] for r in mine})
    assert facets["tool"] == sorted({t for r in mine for t in _json(r["tools"])})
    assert facets["verdict"] == sorted({r["verdict"] for r in mine})


def _charts_equal_recount(
    q: RegisterQueries, scope: Scope, f: RegisterFilter, chosen: list[dict[str, Any]]
) -> None:
    """The charts' points, summed by the database per day, week or month, equal a count of
    the selected PRs in the buckets the page would draw for their span of days."""
    unit, key = bucketer([_day_of(r) for r in chosen])
    wanted = {
        "repository": Counter((key(_day_of(r)), r["repo"]) for r in chosen),
        "tool": Counter((key(_day_of(r)), t) for r in chosen for t in _json(r["tools"])),
        "vendor": Counter((key(_day_of(r)), v) for r in chosen for v in _json(r["vendors"])),
        "country": Counter(
            (key(_day_of(r)), COUNTRIES[v]) for r in chosen for v in _json(r["vendors"])
        ),
    }
    for kind, expected in wanted.items():
        got_unit, points = q.chart(scope, f, kind)
        assert not chosen or got_unit == unit, (f, kind)
        got: Counter[tuple[str, str]] = Counter()
        for when, name, n in points:
            got[(key(when), name)] += n
        assert got == expected, (f, kind)
        _, _, names, data = time_series(points, unit=got_unit, max_series=2)
        drawn = sum(data[n][b] for n in names for b in data[n])
        assert drawn == sum(expected.values()), (f, kind)


@pytest.mark.parametrize("span", [10, 120, 400])
def test_charts_group_by_week_or_month_and_keep_the_totals(tmp_path: Path, span: int):
    """Over a month, half a year and more, the charts come grouped per day, week or month and
    their points add up to a recount of the registry, on every filter the page offers."""
    store = Store.open(f"sqlite:///{tmp_path}/gatehouse.db")
    rnd = random.Random(span)
    keys = [(f"acme/r{rnd.randrange(4)}", n) for n in range(80)]
    for repo, pr in keys:
        _record(store, rnd, repo, pr)
    with store.engine.begin() as conn:
        for repo, pr in keys:
            conn.execute(
                sa.text("UPDATE ai_changes SET first_seen_at = :t WHERE repo = :r AND pr = :p"),
                {"t": START + rnd.randrange(span) * DAY + rnd.random() * DAY, "r": repo, "p": pr},
            )
    with store.engine.connect() as conn:
        registry = [
            dict(r)
            for r in conn.execute(sa.text("SELECT * FROM ai_changes WHERE ai_assisted")).mappings()
        ]
    q = RegisterQueries(store.engine, vendor_countries=COUNTRIES)
    units = set()
    for f in [RegisterFilter(), RegisterFilter(tool="Cursor"), RegisterFilter(since="2026-02-03")]:
        chosen = [r for r in registry if _selects(f, r)]
        _charts_equal_recount(q, Scope(("acme",)), f, chosen)
        units.add(q.chart(Scope(("acme",)), f, "tool")[0])
    assert {10: "day", 120: "week", 400: "month"}[span] in units


def _json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value


def _day_of(row: dict[str, Any]) -> dt.datetime:
    day = dt.datetime.fromtimestamp(row["first_seen_at"], tz=dt.UTC).date()
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _selects(f: RegisterFilter, r: dict[str, Any]) -> bool:
    tools, vendors = _json(r["tools"]), _json(r["vendors"])
    day = _day_of(r).date().isoformat()
    return (
        (not f.repo or r["repo"] == f.repo)
        and (not f.tool or f.tool in tools)
        and (not f.vendor or f.vendor in vendors)
        and (not f.country or any(COUNTRIES.get(v) == f.country for v in vendors))
        and (not f.verdict or r["verdict"] == f.verdict)
        and (not f.sensitive or bool(r["sensitive"]) == (f.sensitive == "yes"))
        and (not f.since or day >= f.since)
        and (not f.until or day <= f.until)
    )


def test_rollup_equals_a_recount_on_sqlite(tmp_path: Path):
    store = Store.open(f"sqlite:///{tmp_path}/gatehouse.db")
    try:
        _check(store)
    finally:
        store.close()


def test_rollup_equals_a_recount_on_postgresql(pg_database: str):  # noqa: F811
    store = Store.open(pg_database)
    try:
        _check(store)
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_rollup_counts_rows_already_there_when_the_schema_is_upgraded(tmp_path: Path, backend: str):
    """Rows recorded before the roll-up existed are counted by the upgrade itself."""
    from alembic import command

    from reviewer.service.store.engine import alembic_config

    store = Store.open(f"sqlite:///{tmp_path}/gatehouse.db")
    try:
        with store.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0010_policy_decisions")
        _churn(store)
        with store.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        with store.engine.connect() as conn:
            expected, got = _recount(conn), _rolled_up(conn)
        assert got["daily"] == +expected["daily"] and got["tags"] == expected["tags"]
        assert got["choices"] == expected["choices"]
        assert got["day_values"] == expected["day_values"]
    finally:
        store.close()
