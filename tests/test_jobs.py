"""Durable jobs: at-least-once delivery, idempotent work, retries, crash recovery.

Worker processes are real (``run_worker`` in a subprocess) on the real queues: SQLite
always, Redis (with PostgreSQL as the store) when they run on loopback.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import jobs_support
import pytest
from pg_support import pg_database  # noqa: F401 - fixture

from reviewer.service import jobs
from reviewer.service.github_client import TransientGitHubError
from reviewer.service.settings import Settings
from reviewer.service.store import Store

HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _fresh_jobs():
    """Each test configures the queue itself; none leaks its config to other tests."""
    jobs.reset_jobs()
    yield
    jobs.reset_jobs()


def _settings(tmp: Path, queue_url: str, db_url: str) -> Settings:
    return Settings.from_env(
        {
            "GATEHOUSE_DATA_DIR": str(tmp),
            "GATEHOUSE_QUEUE_URL": queue_url,
            "GATEHOUSE_DATABASE_URL": db_url,
        },
        require_app=False,
    )


def _body(n: int, **extra: object) -> bytes:
    return json.dumps({"repo": "acme/api", "pr": n, "sha": f"{n:040x}", **extra}).encode()


@pytest.fixture(params=["sqlite", "redis+postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path):
    """(queue_url, database_url, queue_name) for each supported deployment shape."""
    name = f"gh-test-{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'queue.db'}", f"sqlite:///{tmp_path / 'gatehouse.db'}", name
        return
    redis_url = request.getfixturevalue("redis_url")
    pg_url = request.getfixturevalue("pg_database")
    yield redis_url, pg_url, name
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)


class Worker:
    """A real worker process running ``run_worker`` with the test processor."""

    def __init__(
        self, tmp: Path, queue_url: str, db_url: str, queue_name: str, threads: int = 2
    ) -> None:
        self.env = dict(
            os.environ,
            GATEHOUSE_DATA_DIR=str(tmp),
            GATEHOUSE_QUEUE_URL=queue_url,
            GATEHOUSE_DATABASE_URL=db_url,
            JOBS_EFFECTS=str(tmp / "effects.log"),
            JOBS_HOLD=str(tmp / "hold"),
            JOBS_QUEUE_NAME=queue_name,
            JOBS_THREADS=str(threads),
            GATEHOUSE_LOG_LEVEL="WARNING",
        )
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "jobs_support.py")],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def _wait(predicate, timeout: float, what: str, workers=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for w in workers:
            if w.proc.poll() is not None:
                raise AssertionError(
                    f"worker exited early: {w.proc.stderr.read().decode()[-2000:]}"
                )
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _effects(tmp: Path) -> list[str]:
    path = tmp / "effects.log"
    return path.read_text().split() if path.exists() else []


@pytest.mark.services
def test_sigkill_mid_job_then_restart_completes_the_job_exactly_once(backend, tmp_path: Path):
    queue_url, db_url, name = backend
    store = Store.open(db_url)
    jobs.init_jobs(
        _settings(tmp_path, queue_url, db_url),
        config=jobs.JobConfig(
            processor=jobs_support.process, context=jobs_support.get_context, queue_name=name
        ),
    )
    (tmp_path / "hold").write_text("")
    ids = ["slow-1"] + [f"quick-{i}" for i in range(5)]
    assert store.accept_delivery("slow-1", "pull_request", "opened", _body(1, hold=True))
    for i in range(5):
        assert store.accept_delivery(f"quick-{i}", "pull_request", "opened", _body(100 + i))
    for delivery_id in ids:
        jobs.enqueue_delivery(delivery_id)

    first = Worker(tmp_path, queue_url, db_url, name)
    try:
        _wait(lambda: (tmp_path / "hold.started").exists(), 30, "the slow job to start", [first])
        # The quick jobs run on the worker's other thread; let them finish so the kill lands
        # mid-scan of the slow job only (a kill between "posted" and "recorded" of a job whose
        # post is not idempotent would post twice, which the App avoids with its markers).
        _wait(
            lambda: store.delivery_counts().get("completed") == len(ids) - 1,
            30,
            "the quick jobs to complete",
            [first],
        )
        first.kill9()  # mid-job: the scan is running, nothing posted for it yet
    finally:
        first.stop()
    assert "slow-1" not in _effects(tmp_path)
    assert store.get_delivery("slow-1").state != "completed"
    store.close()

    # Restart of everything: a new store connection, a new worker, the job is released.
    (tmp_path / "hold").unlink()
    store = Store.open(db_url)
    second = Worker(tmp_path, queue_url, db_url, name)
    try:
        _wait(
            lambda: store.delivery_counts() == {"completed": len(ids)},
            45,
            "every delivery to complete",
            [second],
        )
    finally:
        second.stop()

    effects = _effects(tmp_path)
    assert sorted(effects) == sorted(ids), "each accepted delivery posts exactly once"
    slow = store.get_delivery("slow-1")
    assert slow.outcome == "done" and slow.attempts == 2
    scan = store.get_scan("acme/api", 1, f"{1:040x}")
    assert scan.state == "completed" and scan.attempts == 2
    store.close()


@pytest.mark.services
def test_every_accepted_delivery_becomes_exactly_one_completed_record(backend, tmp_path: Path):
    """Duplicates, redeliveries, a web process that died before enqueueing, and two
    competing worker processes: each delivery is completed once and posted once."""
    queue_url, db_url, name = backend
    store = Store.open(db_url)
    jobs.init_jobs(
        _settings(tmp_path, queue_url, db_url),
        config=jobs.JobConfig(
            processor=jobs_support.process, context=jobs_support.get_context, queue_name=name
        ),
    )
    n = 60
    for i in range(n):
        delivery_id = f"d-{i}"
        assert store.accept_delivery(delivery_id, "pull_request", "synchronize", _body(i))
        if i % 10 == 0:
            continue  # the web process died between storing and enqueueing
        jobs.enqueue_delivery(delivery_id)
        if i % 7 == 0:  # GitHub redelivered it before it ran
            assert store.accept_delivery(delivery_id, "pull_request", "synchronize", _body(i))
            jobs.enqueue_delivery(delivery_id)

    workers = [Worker(tmp_path, queue_url, db_url, name, threads=3) for _ in range(2)]
    try:
        _wait(
            lambda: store.delivery_counts() == {"completed": n},
            60,
            "all deliveries to complete",
            workers,
        )
    finally:
        for w in workers:
            w.stop()
    effects = _effects(tmp_path)
    assert len(effects) == n and len(set(effects)) == n
    # A redelivery of a completed delivery is a duplicate, refused by the store.
    assert store.accept_delivery("d-3", "pull_request", "synchronize", _body(3)) is False
    store.close()


@pytest.mark.services
def test_stored_deliveries_reach_competing_workers_through_their_relays(backend, tmp_path: Path):
    """What the web process does: store, nothing else. Two worker processes, each with its
    own relay racing the other's, complete every delivery once and post it once."""
    queue_url, db_url, name = backend
    store = Store.open(db_url)
    jobs.init_jobs(
        _settings(tmp_path, queue_url, db_url),
        config=jobs.JobConfig(
            processor=jobs_support.process, context=jobs_support.get_context, queue_name=name
        ),
    )
    workers = [Worker(tmp_path, queue_url, db_url, name, threads=2) for _ in range(2)]
    n = 80
    try:
        for i in range(n):
            assert store.accept_delivery(f"s-{i}", "pull_request", "opened", _body(100 + i))
        _wait(
            lambda: store.delivery_counts() == {"completed": n},
            60,
            "all stored deliveries to complete",
            workers,
        )
    finally:
        for w in workers:
            w.stop()
    effects = _effects(tmp_path)
    assert len(effects) == n and len(set(effects)) == n
    assert jobs.get_huey().pending_count() == 0  # nothing left waiting on the queue
    store.close()


# ----------------------------------------------------------------------------- in-process
@pytest.fixture
def local(tmp_path: Path):
    """An in-process queue whose tasks the test runs one at a time (no consumer)."""
    db_url = f"sqlite:///{tmp_path / 'gatehouse.db'}"
    settings = _settings(tmp_path, f"sqlite:///{tmp_path / 'queue.db'}", db_url)
    os.environ["JOBS_EFFECTS"] = str(tmp_path / "effects.log")
    calls: list[str] = []
    failures: dict[str, list[BaseException]] = {}
    store = Store.open(db_url)

    def processor(ctx: jobs_support.Ctx, delivery_id: str) -> None:
        calls.append(delivery_id)
        queued = failures.get(delivery_id)
        if queued:
            raise queued.pop(0)
        jobs_support.process(ctx, delivery_id)

    ctx = jobs_support.Ctx(store)
    h = jobs.init_jobs(
        settings,
        config=jobs.JobConfig(
            processor=processor,
            context=lambda: ctx,
            retries=3,
            backoff_base_s=0.5,
            lease_s=30,
            queue_name="local",
        ),
    )
    yield h, store, calls, failures
    store.close()
    os.environ.pop("JOBS_EFFECTS", None)


def _run_next(h) -> bool:
    task = h.dequeue()
    if task is None:
        return False
    h.execute(task)
    return True


def _run_scheduled(h) -> int:
    far_future = h._get_timestamp() + __import__("datetime").timedelta(hours=2)
    ran = 0
    for task in h.read_schedule(far_future):
        h.execute(task, timestamp=far_future)
        ran += 1
    return ran


def test_transient_github_error_is_retried_after_retry_after(local):
    h, store, calls, failures = local
    store.accept_delivery("t-1", "pull_request", "opened", _body(7))
    failures["t-1"] = [
        TransientGitHubError(
            "GET", "/repos/acme/api/pulls/7/files", 403, "secondary rate limit", retry_after=40
        )
    ]
    jobs.enqueue_delivery("t-1")
    assert _run_next(h)
    # Not completed; scheduled no sooner than the server asked; the lease holds it
    # back from recovery meanwhile.
    assert store.get_delivery("t-1").state == "accepted"
    scheduled = h.scheduled()
    assert len(scheduled) == 1
    wait = (scheduled[0].eta - h._get_timestamp()).total_seconds()
    assert 40 <= wait <= 42
    assert store.unfinished_deliveries(older_than_s=0) == []
    assert _run_scheduled(h) == 1
    delivery = store.get_delivery("t-1")
    assert delivery.state == "completed" and delivery.outcome == "done"
    assert calls == ["t-1", "t-1"]


def test_transient_errors_give_up_after_the_retry_budget(local):
    h, store, calls, failures = local
    store.accept_delivery("t-2", "pull_request", "opened", _body(8))
    failures["t-2"] = [TransientGitHubError("POST", "/x", 502, "bad gateway") for _ in range(10)]
    jobs.enqueue_delivery("t-2")
    assert _run_next(h)
    delays = []
    while h.scheduled():
        delays.append((h.scheduled()[0].eta - h._get_timestamp()).total_seconds())
        _run_scheduled(h)
    assert len(calls) == 4  # the first try and three retries
    assert delays[0] < delays[1] < delays[2], "exponential backoff"
    delivery = store.get_delivery("t-2")
    assert delivery.state == "completed"
    assert delivery.outcome.startswith("failed:") and "502" in delivery.outcome


def test_a_bug_fails_the_delivery_at_once_without_retry(local):
    h, store, calls, _ = local
    store.accept_delivery("b-1", "pull_request", "opened", _body(9, fail=True))
    jobs.enqueue_delivery("b-1")
    assert _run_next(h)
    assert h.scheduled() == [] and calls == ["b-1"]
    assert store.get_delivery("b-1").outcome == "failed: Flaky"


def test_a_completed_delivery_enqueued_again_does_no_work(local):
    h, store, calls, _ = local
    store.accept_delivery("c-1", "pull_request", "opened", _body(10))
    jobs.enqueue_delivery("c-1")
    jobs.enqueue_delivery("c-1")
    assert _run_next(h) and _run_next(h)
    assert calls == ["c-1"]
    assert _effects(Path(os.environ["JOBS_EFFECTS"]).parent) == ["c-1"]


def test_recover_requeues_only_what_no_worker_holds(local):
    h, store, _, _ = local
    for d in ("r-1", "r-2", "r-3", "r-4"):
        store.accept_delivery(d, "pull_request", "opened", _body(int(d[-1])))
    assert store.claim_delivery("r-2", worker="elsewhere:1:x", lease_s=60)  # a live worker's
    store.complete_delivery("r-3", "done")
    assert store.claim_delivery("r-4", worker="dead:1:x", lease_s=0.05)  # its worker died
    time.sleep(0.1)
    assert jobs.recover(store, older_than_s=0) == 1  # r-4; r-1 is new: the relay's
    assert jobs.relay(store) == 1
    assert h.pending_count() == 2
    # While that backlog waits, idle-time recovery adds nothing.
    assert jobs.recover_when_idle(store, settle_s=0) == 0


def test_backoff_honours_retry_after_and_grows():
    cfg = jobs.JobConfig(backoff_base_s=2, backoff_cap_s=60)
    assert jobs.backoff_delay(1, 120, cfg) >= 121
    assert jobs.backoff_delay(10, None, cfg) <= 60 * 1.25
    assert jobs.backoff_delay(1, None, cfg) < jobs.backoff_delay(4, None, cfg)


def test_queue_url_must_be_supported(tmp_path: Path):
    from reviewer.errors import ConfigError

    with pytest.raises(ConfigError, match="GATEHOUSE_QUEUE_URL"):
        jobs.make_huey("amqp://localhost")


# ----------------------------------------------------------------------------- scale-out
@pytest.mark.services
def test_separate_web_and_worker_processes_on_redis_and_postgres(
    tmp_path: Path,
    redis_url: str,
    pg_database: str,  # noqa: F811 - the imported fixture
):
    """`gatehouse web` and `gatehouse worker` as separate processes sharing PostgreSQL and
    Redis: a signed delivery accepted by the web process is completed by the worker."""
    import hashlib
    import hmac
    import socket
    import urllib.request

    import redis
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    secret = "scale-out-" + uuid.uuid4().hex
    queue_url = redis_url.rsplit("/", 1)[0] + "/14"
    redis.Redis.from_url(queue_url).flushdb()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEHOUSE_", "PROMETHEUS_"))}
    env.update(
        GATEHOUSE_APP_ID="4242",
        GATEHOUSE_PRIVATE_KEY=key,
        GATEHOUSE_WEBHOOK_SECRET=secret,
        GATEHOUSE_DATABASE_URL=pg_database,
        GATEHOUSE_QUEUE_URL=queue_url,
        GATEHOUSE_DATA_DIR=str(tmp_path),
        GATEHOUSE_LOG_LEVEL="WARNING",
    )
    base = [sys.executable, "-m", "reviewer.cli"]
    web = subprocess.Popen(
        base + ["web", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        base + ["worker", "--threads", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = Store.open(pg_database)
    try:

        def up() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        _wait(up, 60, "the web process")
        body = json.dumps(
            {
                "action": "created",
                "installation": {"id": 9, "account": {"login": "acme"}},
                "repositories": [{"full_name": "acme/api"}],
            }
        ).encode()
        sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/webhook",
            data=body,
            method="POST",
            headers={
                "X-GitHub-Event": "installation",
                "X-GitHub-Delivery": "scale-out-1",
                "X-Hub-Signature-256": sig,
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 202
        _wait(lambda: store.delivery_counts() == {"completed": 1}, 60, "the worker")
        assert store.get_delivery("scale-out-1").outcome == "done"
        assert store.installations()[0]["repos"] == ["acme/api"]
    finally:
        store.close()
        for proc in (web, worker):
            proc.send_signal(signal.SIGTERM)
        for proc in (web, worker):
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_a_delivery_that_keeps_killing_its_worker_is_failed_not_retried_forever(local):
    h, store, calls, _ = local
    store.accept_delivery("p-1", "pull_request", "opened", _body(11))
    for attempt in range(20):  # twenty workers died holding it
        assert store.claim_delivery("p-1", worker=f"dead:{attempt}:x", lease_s=0) == attempt + 1
    jobs.enqueue_delivery("p-1")
    assert _run_next(h)
    assert calls == []
    delivery = store.get_delivery("p-1")
    assert delivery.state == "completed" and delivery.outcome.startswith(
        "failed: abandoned after 20"
    )


def test_the_relay_moves_new_deliveries_onto_the_queue_once(local):
    """The web process only stores; relays take new deliveries from the store onto the
    queue, each exactly once however many relays run, and leave retried ones alone."""
    h, store, calls, _ = local
    for i in range(5):
        store.accept_delivery(f"n-{i}", "pull_request", "opened", _body(40 + i))
    store.accept_delivery("retried", "pull_request", "opened", _body(50))
    assert store.claim_delivery("retried", worker="w:1:x", lease_s=60)
    store.release_delivery("retried", worker="w:1:x")  # back to accepted, attempts 1
    moved: list[int] = []
    relays = [
        threading.Thread(target=lambda: moved.append(jobs.relay(store, limit=3))) for _ in range(4)
    ]
    for t in relays:
        t.start()
    for t in relays:
        t.join()
    moved.append(jobs.relay(store))
    assert sum(moved) == 5 and h.pending_count() == 5
    assert store.delivery_counts() == {"queued": 5, "accepted": 1}
    while _run_next(h):
        pass
    assert sorted(calls) == [f"n-{i}" for i in range(5)]
    assert jobs.relay(store) == 0


def _wait_for(condition, what: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)
