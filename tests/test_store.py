"""The store on SQLite (always) and PostgreSQL (the real server on loopback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from pg_support import pg_database  # noqa: F401 - fixture

from reviewer.errors import ConfigError
from reviewer.service.store import Store, StoreError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'gatehouse.db'}"
    return request.getfixturevalue("pg_database")


class FakeClock:
    """A clock the test moves by hand: leases and ages run out without waiting."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_url: str, clock: FakeClock):
    s = Store.open(db_url, clock=clock)
    yield s
    s.close()


def test_accepted_delivery_keeps_its_exact_body_and_duplicates_are_refused_once_done(store: Store):
    body = bytes(range(256)) * 4096  # 1 MiB, every byte value
    assert store.accept_delivery("d1", "pull_request", "opened", body) is True
    got = store.get_delivery("d1")
    assert got.body == body and got.event == "pull_request" and got.action == "opened"
    assert got.state == "accepted" and got.attempts == 0
    # A redelivery before completion is let through (the first attempt may have died).
    assert store.accept_delivery("d1", "pull_request", "opened", body) is True
    store.complete_delivery("d1", "done")
    assert store.accept_delivery("d1", "pull_request", "opened", body) is False
    store.complete_delivery("d1", "failed: late duplicate")  # keeps the first outcome
    assert store.get_delivery("d1").outcome == "done"
    assert store.get_delivery("missing") is None


def test_a_claimed_delivery_is_not_handed_to_a_second_worker_until_its_lease_ends(
    store: Store, clock: FakeClock
):
    store.accept_delivery("d2", "pull_request", "synchronize", b"{}")
    assert store.claim_delivery("d2", worker="a", lease_s=30)
    assert not store.claim_delivery("d2", worker="b", lease_s=10)
    clock.advance(29)
    assert store.unfinished_deliveries() == []  # held by a live worker
    assert not store.claim_delivery("d2", worker="b", lease_s=10)
    clock.advance(2)
    assert store.unfinished_deliveries() == ["d2"]  # worker a died: recover it
    assert store.claim_delivery("d2", worker="b", lease_s=10)
    assert store.get_delivery("d2").attempts == 2
    assert store.renew_leases("b", 10) == 1
    store.complete_delivery("d2", "done")
    assert not store.claim_delivery("d2", worker="c", lease_s=10)
    assert store.unfinished_deliveries() == []


def test_unfinished_deliveries_waits_for_the_age_given(store: Store, clock: FakeClock):
    store.accept_delivery("new", "pull_request", "opened", b"{}")
    assert store.unfinished_deliveries(older_than_s=60) == []
    assert store.unfinished_deliveries(older_than_s=0) == ["new"]
    clock.advance(61)
    assert store.unfinished_deliveries(older_than_s=60) == ["new"]


def test_a_scan_is_one_record_per_head_and_keeps_its_check_run(store: Store):
    first = store.begin_scan("acme/api", 7, "a" * 40, installation_id=3, trigger="opened")
    assert first.state == "queued" and first.attempts == 1 and first.check_run_id is None
    store.update_scan(first.id, state="running", check_run_id=991, started_at=1.0)
    again = store.begin_scan("acme/api", 7, "a" * 40, installation_id=3, trigger="rerun")
    assert again.id == first.id and again.attempts == 2
    assert again.check_run_id == 991 and again.state == "queued"
    store.update_scan(first.id, state="completed", conclusion="failure", findings_count=2)
    done = store.begin_scan("acme/api", 7, "a" * 40, installation_id=3, trigger="redelivery")
    assert done.state == "completed" and done.conclusion == "failure"
    other = store.begin_scan("acme/api", 7, "b" * 40, installation_id=3, trigger="synchronize")
    assert other.id != first.id
    with pytest.raises(TypeError, match="bogus"):
        store.update_scan(first.id, bogus=1)
    with pytest.raises(ValueError):
        store.update_scan(first.id, state="exploded")


def test_latest_head_and_stale_running_scans(store: Store, clock: FakeClock):
    assert store.latest_head("acme/api", 1) is None
    store.set_latest_head("acme/api", 1, "c" * 40)
    store.set_latest_head("acme/api", 1, "d" * 40)
    assert store.latest_head("acme/api", 1) == "d" * 40
    scan = store.begin_scan("acme/api", 1, "d" * 40, installation_id=3, trigger="opened")
    store.update_scan(scan.id, state="running")
    assert store.stale_running_scans(older_than_s=60) == []
    clock.advance(59)
    assert store.stale_running_scans(older_than_s=60) == []
    clock.advance(2)
    assert [s.id for s in store.stale_running_scans(older_than_s=60)] == [scan.id]


def test_saving_findings_twice_never_doubles_them(store: Store):
    scan = store.begin_scan("acme/api", 2, "e" * 40, installation_id=3, trigger="opened")
    found = [
        {
            "rule_id": "exfil.env-to-network",
            "category": "exfiltration",
            "severity": "high",
            "path": "src/app.py",
            "start_line": 12,
            "fingerprint": "f1",
            "message": "m",
        },
        {
            "rule_id": "backdoor.magic-auth",
            "category": "backdoor",
            "severity": "critical",
            "path": "src/auth.py",
            "start_line": 3,
            "fingerprint": "f2",
            "message": "m",
        },
    ]
    store.save_findings(scan.id, found)
    store.save_findings(scan.id, found)
    assert store.findings_for(scan.id) == found


def test_dismissals_are_per_pr_history_with_who_when_why_and_head(store: Store, clock: FakeClock):
    before = clock()
    store.add_dismissal(
        "acme/api",
        7,
        "f1",
        rule_id="exfil.env-to-network",
        path="src/app.py",
        who="maintainer-a",
        reason="telemetry endpoint we own",
        head_sha="a" * 40,
    )
    store.add_dismissal(
        "acme/web", 7, "f9", rule_id="x", path="p", who="b", reason="r", head_sha="b" * 40
    )
    got = store.active_dismissals("acme/api", 7)
    assert list(got) == ["f1"]
    assert got["f1"]["who"] == "maintainer-a" and got["f1"]["at"] == before
    assert got["f1"]["head_sha"] == "a" * 40 and got["f1"]["pr"] == 7
    assert store.active_dismissals("acme/api", 8) == {}  # another PR of the same repository
    assert [d["repo"] for d in store.dismissals()] == ["acme/api", "acme/web"]


def test_a_revocation_is_a_new_row_and_history_is_never_overwritten(store: Store):
    common = dict(rule_id="r", path="p", head_sha="c" * 40)
    store.add_dismissal("acme/api", 1, "f1", who="alice", reason="ours", **common)
    store.revoke_dismissal("acme/api", 1, "f1", who="bob", reason="not ours after all", **common)
    assert store.active_dismissals("acme/api", 1) == {}
    store.add_dismissal("acme/api", 1, "f1", who="carol", reason="checked again", **common)
    assert store.active_dismissals("acme/api", 1)["f1"]["who"] == "carol"
    history = [(d["action"], d["who"]) for d in store.dismissals()]
    assert history == [("dismiss", "alice"), ("revoke", "bob"), ("dismiss", "carol")]


def test_the_database_refuses_to_update_or_delete_a_dismissal(store: Store):
    store.add_dismissal(
        "acme/api", 1, "f1", rule_id="r", path="p", who="alice", reason="ours", head_sha="c" * 40
    )
    for statement in ("UPDATE dismissals SET who = 'mallory'", "DELETE FROM dismissals"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert [d["who"] for d in store.dismissals()] == ["alice"]


def test_old_repo_wide_suppressions_are_kept_as_history_and_no_longer_applied(db_url: str):
    from alembic import command

    from reviewer.service.store.engine import alembic_config, make_engine

    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0005_notices")
        conn.execute(
            sa.text(
                "INSERT INTO suppressions (repo, fingerprint, rule_id, path, who, reason, at) "
                "VALUES ('acme/api', 'f1', 'r', 'src/app.py', 'old-admin', 'legacy', 5.0)"
            )
        )
    engine.dispose()
    store = Store.open(db_url)
    try:
        (row,) = store.dismissals()
        assert (row["repo"], row["fingerprint"], row["who"], row["reason"], row["at"]) == (
            "acme/api",
            "f1",
            "old-admin",
            "legacy",
            5.0,
        )
        assert row["pr"] is None and row["action"] == "dismiss" and row["head_sha"] == ""
        assert store.active_dismissals("acme/api", 1) == {}
    finally:
        store.close()


def test_installations_keep_their_repositories_unless_told(store: Store):
    store.upsert_installation(11, "acme", repos=["acme/web", "acme/api"])
    store.upsert_installation(11, "acme")
    (row,) = store.installations()
    assert row["repos"] == ["acme/api", "acme/web"] and row["deleted"] is False
    store.upsert_installation(11, "acme", deleted=True)
    assert store.installations()[0]["deleted"] is True


def test_the_ai_registry_is_one_row_per_pull_request(store: Store):
    common = dict(
        author="dev1",
        title="Add cache",
        vendors=["Anthropic"],
        evidence=["Co-authored-by trailer"],
        findings_by_category={"exfiltration": 1},
    )
    store.record_ai_change(
        repo="acme/api",
        pr=5,
        head_sha="1" * 40,
        tools=["Claude Code"],
        ai_assisted=True,
        verdict="failure",
        **common,
    )
    first_seen = store.registry()[0]["first_seen_at"]
    store.record_ai_change(
        repo="acme/api",
        pr=5,
        head_sha="2" * 40,
        tools=["Claude Code", "Claude Code", "Copilot"],
        ai_assisted=True,
        verdict="success",
        **common,
    )
    store.mark_merged("acme/api", 5, True)
    (row,) = store.registry()
    assert row["head_sha"] == "2" * 40 and row["verdict"] == "success"
    assert row["tools"] == ["Claude Code", "Copilot"] and row["merged"] is True
    assert row["first_seen_at"] == first_seen


def test_ping_and_close(store: Store):
    assert store.ping() is True
    store.close()
    store.close()  # idempotent


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    migrations = REPO / "reviewer" / "service" / "migrations"
    return ScriptDirectory(str(migrations)).get_current_head()


@pytest.mark.slow  # starts several Python processes
def test_open_migrates_once_when_many_processes_start_together(db_url: str):
    code = (
        "import sys; sys.path.insert(0, sys.argv[2])\n"
        "from reviewer.service.store import Store\n"
        "s = Store.open(sys.argv[1]); assert s.ping(); s.close()\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, db_url, str(REPO)], stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()[-2000:]
    store = Store.open(db_url)
    with store.engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
        tables = set(sa.inspect(conn).get_table_names())
    assert versions == [_head_revision()]
    assert {
        "deliveries",
        "scans",
        "findings",
        "dismissals",
        "installations",
        "ai_changes",
        "pull_requests",
    } <= tables
    store.close()


def test_bad_urls_name_the_setting_and_the_fix(tmp_path: Path):
    with pytest.raises(ConfigError, match="GATEHOUSE_DATABASE_URL"):
        Store.open("mysql://localhost/db")
    with pytest.raises(ConfigError, match="GATEHOUSE_DATABASE_URL"):
        Store.open("not a url")


@pytest.mark.services
def test_an_unreachable_server_is_a_clear_error(postgres_url: str):
    url = sa.engine.make_url(postgres_url).set(port=1, host="127.0.0.1")
    with pytest.raises(StoreError, match="GATEHOUSE_DATABASE_URL"):
        Store.open(url.render_as_string(hide_password=False))


def test_upgrading_keeps_deliveries_written_by_the_first_schema(db_url: str):
    from alembic import command

    from reviewer.service.store.engine import alembic_config, make_engine

    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001_initial")
        conn.execute(
            sa.text(
                "INSERT INTO deliveries (delivery_id, event, action, body, state, attempts, "
                "received_at) VALUES ('old-1', 'pull_request', 'opened', :body, 'accepted', 0, 1.0)"
            ),
            {"body": b'{"old": true}' * 100},
        )
    engine.dispose()
    store = Store.open(db_url)
    assert store.get_delivery("old-1").body == b'{"old": true}' * 100
    assert store.unfinished_deliveries() == ["old-1"]
    store.close()


def test_a_scan_lease_keeps_a_second_worker_out_until_released_or_expired(db_url: str):
    clock = FakeClock()
    store = Store.open(db_url, clock=clock)
    try:
        rec = store.begin_scan("o/r", 7, "a" * 40, installation_id=1, trigger="opened")
        assert store.claim_scan(rec.id, owner="w1#1", lease_s=60)
        assert not store.claim_scan(rec.id, owner="w2#1", lease_s=60)
        assert store.get_scan("o/r", 7, "a" * 40).leased_by_other("w2#1", now=clock())
        assert store.renew_leases("w1", 60) >= 1
        store.release_scan(rec.id, owner="w2#1")  # not the holder: nothing happens
        assert not store.claim_scan(rec.id, owner="w2#1", lease_s=60)
        store.release_scan(rec.id, owner="w1#1")
        assert store.claim_scan(rec.id, owner="w2#1", lease_s=60)
        clock.advance(59)
        assert not store.claim_scan(rec.id, owner="w3#1", lease_s=60)
        clock.advance(2)  # a dead holder's lease runs out
        assert store.claim_scan(rec.id, owner="w3#1", lease_s=60)
    finally:
        store.close()


@pytest.mark.slow  # starts several Python processes
def test_concurrent_accepts_from_threads_in_several_processes_all_land_once(db_url: str):
    """Web processes write the same database at once: every delivery is stored exactly once,
    and a redelivery racing its first copy is never refused."""
    Store.open(db_url).close()  # migrate before the writers start
    code = (
        "import sys, threading; sys.path.insert(0, sys.argv[3])\n"
        "from reviewer.service.store import Store\n"
        "s = Store.open(sys.argv[1], migrate=False); tag = sys.argv[2]; refused = []\n"
        "def run(t):\n"
        "  try:\n"
        "    for i in range(60):\n"
        "        body = (b'{\"n\": %d}' % i) * 100\n"
        "        own = body + f' {tag}-{t}'.encode()  # each delivery's own body (no replay)\n"
        "        if not s.accept_delivery(f'{tag}-{t}-{i}', 'pull_request', 'opened', own):\n"
        "            refused.append(i)\n"
        "        if not s.accept_delivery(f'shared-{i}', 'pull_request', 'opened', body):\n"
        "            refused.append(i)\n"
        "  except Exception as exc: refused.append(repr(exc))\n"
        "ts = [threading.Thread(target=run, args=(t,)) for t in range(4)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "assert not refused, refused; s.close()\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, db_url, f"p{n}", str(REPO)], stderr=subprocess.PIPE
        )
        for n in range(3)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()[-2000:]
    store = Store.open(db_url)
    counts = store.delivery_counts()
    assert counts == {"accepted": 3 * 4 * 60 + 60}
    assert store.get_delivery("p2-3-59").body == b'{"n": 59}' * 100 + b" p2-3"
    store.close()


def test_deliveries_stored_by_an_earlier_version_are_still_read(store: Store):
    import zlib

    body = b'{"action": "opened"}' * 50
    with store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO deliveries (delivery_id, event, action, body, body_encoding, state, "
                "attempts, received_at) VALUES ('old', 'pull_request', 'opened', :body, 'zlib', "
                "'accepted', 0, 0)"
            ),
            {"body": zlib.compress(body)},
        )
    assert store.get_delivery("old").body == body
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE deliveries SET body_encoding = 'brotli' WHERE delivery_id = 'old'")
        )
    with pytest.raises(StoreError, match="unknown body encoding 'brotli'"):
        store.get_delivery("old")


def test_a_one_off_notice_is_claimed_once_across_store_instances(db_url: str):
    first, second = (
        Store.open(db_url),
        Store.open(db_url),
    )  # two processes, or before/after a restart
    try:
        assert first.claim_notice("needs-write-access", "acme/api", 4, "Visitor") is True
        assert second.claim_notice("needs-write-access", "acme/api", 4, "visitor") is False
        assert second.claim_notice("needs-write-access", "acme/api", 5, "visitor") is True
        first.release_notice("needs-write-access", "acme/api", 4, "VISITOR")  # the post failed
        assert second.claim_notice("needs-write-access", "acme/api", 4, "visitor") is True
    finally:
        first.close()
        second.close()
