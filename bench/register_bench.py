"""Measure the live register's answer times on a store of 100,000 pull requests.

Fills a store (SQLite in a temporary folder, and PostgreSQL when one answers on loopback, in a
database of its own that is dropped afterwards) with PRs across organisations, repositories,
tools and vendors, through the registry table so the triggers build the register's facts as
in service. Then signs a member in (a sealed session cookie, as the callback sets it) and
times the pages through the Flask app: the main page, filtered pages, a deep page of the
listing, and the exports. Prints p50/p95 per page; the target is 200 ms a page. Counts and
charts are cached until the registry changes, so each page is measured twice: as it is
usually answered, and "just after a write" (a PR recorded before every request: all
aggregates computed afresh, from the daily roll-up and per-day counts the triggers keep).

The member belongs to the largest organisation (60% of the PRs): the worst case for a page.

Usage: ``.venv/bin/python bench/register_bench.py [--prs 100000] [--runs 15] [--pg URL|off]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

from reviewer.service.context import AppContext  # noqa: E402
from reviewer.service.register_auth import Member, SessionSealer  # noqa: E402
from reviewer.service.settings import Settings  # noqa: E402
from reviewer.service.store import Store  # noqa: E402

SECRET = "bench-client-secret-" + "b" * 24
TOOLS = [
    ("GitHub Copilot", "GitHub (Microsoft)"),
    ("Claude Code", "Anthropic"),
    ("OpenAI Codex", "OpenAI"),
    ("Qwen Code", "Alibaba Cloud"),
    ("Cursor", "Anysphere"),
    ("Gemini CLI", "Google"),
    ("Aider", "Aider"),
    ("Devin", "Cognition"),
    ("DeepSeek", "DeepSeek"),
    ("Kimi", "Moonshot AI"),
]
VERDICTS = ["success", "success", "neutral", "failure", "action_required"]
PAGES = {
    "main page": "/register",
    "page 2": "/register?page=2",
    "deep page (200)": "/register?page=200",
    "tool filter": "/register?tool=Claude+Code",
    "country + verdict": "/register?country=CN&verdict=failure",
    "repository + period": "/register?repo=bigco%2Frepo-7&since=2025-03-01&until=2025-09-30",
    "vendor + period": "/register?vendor=Anthropic&since=2025-06-01&until=2025-06-30",
}
EXPORTS = {
    "export.csv (filtered: 1 repo)": "/register/export.csv?repo=bigco%2Frepo-7",
    "export.json (filtered: tool+period)": (
        "/register/export.json?tool=Qwen+Code&since=2025-06-01&until=2025-06-30"
    ),
    "audit.json": "/register/audit.json",
    "export.csv (everything of the org)": "/register/export.csv",
}


def fill(store: Any, n: int) -> float:
    """``n`` registry rows over two years; returns the seconds it took."""
    rnd = random.Random(12)
    start = 1_735_689_600.0  # 2025-01-01
    span = 2 * 365 * 86400
    rows = []
    for i in range(n):
        org = "bigco" if rnd.random() < 0.6 else f"org{rnd.randrange(19)}"
        picked = rnd.sample(TOOLS, rnd.choice([1, 1, 1, 2]))
        when = start + span * i / n
        rows.append(
            {
                "repo": f"{org}/repo-{rnd.randrange(40)}",
                "pr": i + 1,
                "head_sha": f"{i:040x}",
                "author": f"dev{rnd.randrange(400)}",
                "title": f"Change number {i}",
                "tools": json.dumps([t for t, _ in picked]),
                "vendors": json.dumps([v for _, v in picked]),
                "evidence": json.dumps(["label: ai-assisted"]),
                "ai_assisted": rnd.random() < 0.85,
                "verdict": rnd.choice(VERDICTS),
                "findings_by_category": json.dumps(
                    {"exfiltration": 1} if rnd.random() < 0.2 else {}
                ),
                "merged": rnd.random() < 0.6,
                "first_seen_at": when,
                "updated_at": when,
            }
        )
    insert = sa.text(
        "INSERT INTO ai_changes (repo, pr, head_sha, author, title, tools, vendors, evidence, "
        "ai_assisted, verdict, findings_by_category, merged, first_seen_at, updated_at) VALUES "
        "(:repo, :pr, :head_sha, :author, :title, :tools, :vendors, :evidence, :ai_assisted, "
        ":verdict, :findings_by_category, :merged, :first_seen_at, :updated_at)"
    )
    began = time.perf_counter()
    for chunk in range(0, n, 5000):
        with store.engine.begin() as conn:
            conn.execute(insert, rows[chunk : chunk + 5000])
    for i in range(300):  # dismissals and decisions for the audit trail
        store.add_dismissal(
            f"bigco/repo-{i % 40}",
            i + 1,
            f"{i:064x}",
            rule_id="exfil-post",
            path="app.py",
            who=f"maint{i % 7}",
            reason="reviewed: test stub",
            head_sha=f"{i:040x}",
        )
    with store.engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))  # as autovacuum / a periodic ANALYZE would
    return time.perf_counter() - began


def measure(store: Any, tmp: Path, runs: int) -> list[tuple[str, float, float, int]]:
    from reviewer.service import jobs
    from reviewer.service.web import create_app

    settings = Settings.from_env(
        {
            "GATEHOUSE_DATA_DIR": str(tmp),
            "GATEHOUSE_QUEUE_URL": "memory:",
            "GATEHOUSE_OAUTH_CLIENT_ID": "Iv1.bench",
            "GATEHOUSE_OAUTH_CLIENT_SECRET": SECRET,
            "GATEHOUSE_METRICS_BIND": "off",
        },
        require_app=False,
    )
    ctx = AppContext.create(settings, store=store)
    app = create_app(context=ctx)
    client = app.test_client()
    client.set_cookie(
        "gatehouse_register",
        SessionSealer(SECRET).seal_member(Member("bench", ("bigco",))),
        path="/register",
    )
    out = []
    touch = sa.text(
        "UPDATE ai_changes SET updated_at = (SELECT max(updated_at) + 1 FROM "
        "ai_changes) WHERE repo = 'bigco/repo-1' AND pr = (SELECT min(pr) FROM "
        "ai_changes WHERE repo = 'bigco/repo-1')"
    )
    cases = [(name, url, False) for name, url in PAGES.items()]
    cases += [(f"{name}, just after a write", url, True) for name, url in PAGES.items()]
    cases += [(name, url, False) for name, url in EXPORTS.items()]
    for name, url, cold in cases:
        times, size = [], 0
        n = runs if url.startswith("/register?") or url == "/register" else max(3, runs // 3)
        for _ in range(n + 1):
            if cold:  # a PR was just recorded: the cached aggregates are stale
                with store.engine.begin() as conn:
                    conn.execute(touch)
            began = time.perf_counter()
            resp = client.get(url)
            body = resp.get_data()
            times.append(time.perf_counter() - began)
            assert resp.status_code == 200, (name, resp.status_code)
            size = len(body)
        times = times[1:]  # the first run warms the connection pool and statement cache
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        out.append((name, statistics.median(times) * 1000, p95 * 1000, size))
    jobs.reset_jobs()
    return out


def report(label: str, fill_s: float, n: int, results: list[tuple[str, float, float, int]]) -> None:
    print(f"\n{label}: {n} PRs filled in {fill_s:.1f} s (triggers build the register's facts)")
    print(f"{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>10}")
    for name, p50, p95, size in results:
        flag = "" if p95 <= 200 or "export" in name or "audit" in name else "  over 200 ms"
        print(f"{name:40} {p50:8.1f} {p95:8.1f} {size:10d}{flag}")


def _pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def run_postgres(base_url: str, n: int, runs: int) -> None:
    name = f"gatehouse_register_bench_{os.getpid()}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        store = Store.open(url)
        try:
            fill_s = fill(store, n)
            with tempfile.TemporaryDirectory() as tmp:
                report("PostgreSQL", fill_s, n, measure(store, Path(tmp), runs))
        finally:
            store.close()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--pg",
        default=os.environ.get(
            "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="a PostgreSQL URL to create a scratch database from, or 'off'",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o700)
        store = Store.open(f"sqlite:///{tmp}/bench.db")
        try:
            fill_s = fill(store, args.prs)
            report("SQLite", fill_s, args.prs, measure(store, Path(tmp), args.runs))
        finally:
            store.close()
    if args.pg != "off" and _pg_reachable():
        run_postgres(args.pg, args.prs, args.runs)
    elif args.pg != "off":
        print("\nPostgreSQL: not reachable on 127.0.0.1:5432, skipped")


if __name__ == "__main__":
    main()
