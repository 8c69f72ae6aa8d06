"""Service attacks on Gatehouse itself: the queue, replays, edit storms, files, escaping, JSON.

Each test names the attack it replays; each failed on the code before the fix.
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakegithub.harness import INSTALLATION
from pg_support import pg_database  # noqa: F401 - fixture

from adversarial.adversarial_support import assert_not_green, latest_run, open_pr
from reviewer.service import jobs
from reviewer.service.settings import Settings
from reviewer.service.wiring import job_config


# --------------------------------------------------------------------------- the queue
class _CreatesFile:
    """Unpickling this calls ``open(path, "w")``: proof that a pickle was run."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.path), "w"))


@pytest.fixture
def _fresh_jobs() -> Iterator[None]:
    jobs.reset_jobs()
    yield
    jobs.reset_jobs()


def _queue(request: pytest.FixtureRequest, kind: str, tmp_path: Path) -> tuple[Any, Any]:
    """(huey, push_raw) for a real queue: push_raw writes bytes as an attacker with write access
    to the queue's storage would, without going through Gatehouse."""
    name = f"adv-{uuid.uuid4().hex[:8]}"
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'queue.db'}"
    else:
        url = request.getfixturevalue("redis_url")
    settings = Settings.from_env(
        {"GATEHOUSE_DATA_DIR": str(tmp_path), "GATEHOUSE_QUEUE_URL": url}, require_app=False
    )
    h = jobs.init_jobs(settings, config=job_config(queue_name=name))
    if kind == "sqlite":

        def push_raw(data: bytes) -> None:
            with sqlite3.connect(tmp_path / "queue.db") as conn:
                conn.execute(
                    "insert into task (queue, data, priority) values (?, ?, 0)",
                    (h.storage.name, data),
                )
    else:
        import redis

        client = redis.Redis.from_url(url)
        request.addfinalizer(lambda: [client.delete(k) for k in client.scan_iter(f"*{name}*")])

        def push_raw(data: bytes) -> None:
            client.zadd(h.storage.queue_key, {struct.pack(">Q", time.time_ns() // 1000) + data: 0})

    return h, push_raw


def _worker_step(h: Any) -> None:
    """One round of a huey consumer's worker thread, as ``gatehouse worker`` runs it."""
    from huey.consumer import Worker

    Worker(h, threading.Event(), 0.01, 0.01, 1.0).loop()


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_a_forged_pickle_on_the_queue_is_rejected_without_being_unpickled(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path, caplog: Any, _fresh_jobs: None
) -> None:
    """Attack: anyone who can write to Redis (or the queue file) pushes a pickle whose loading
    runs code in a worker that holds the App's private key (huey's default serializer)."""
    h, push_raw = _queue(request, kind, tmp_path)
    proof = tmp_path / "pwned"
    push_raw(pickle.dumps(_CreatesFile(proof)))
    with caplog.at_level(logging.ERROR):
        _worker_step(h)
    assert not proof.exists(), "the worker unpickled a message from the queue"
    assert h.pending_count() == 0, "the forged message must be dropped, not retried forever"
    assert any(
        "rejected" in r.getMessage() and "queue message" in r.getMessage() for r in caplog.records
    ), [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_the_queue_carries_only_a_delivery_id_as_json(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path, _fresh_jobs: None
) -> None:
    """Attack surface check: what Gatehouse itself puts on the queue is JSON with an id only,
    and a worker reads it back (a retry scheduled for later too)."""
    import json

    h, _ = _queue(request, kind, tmp_path)
    jobs.enqueue_delivery("d-123")
    (raw,) = h.storage.enqueued_items()
    message = json.loads(raw)
    assert message["delivery"] == "d-123" and message["format"] == "gatehouse-job/1"
    task = h.dequeue()
    assert task.args == ("d-123",)
    later = jobs._state.task.s("d-456")
    later.eta = later.eta or __import__("datetime").datetime(2030, 1, 2, 3, 4, 5)
    assert h.deserialize_task(h.serialize_task(later)).eta == later.eta


# --------------------------------------------------------------------------- replay
@pytest.fixture(params=["sqlite", "postgresql"])
def hs(request: pytest.FixtureRequest, h: Any) -> Any:
    """The App on each store it supports: SQLite (the harness's) and PostgreSQL."""
    if request.param == "postgresql":
        from reviewer.service.store import Store

        url = request.getfixturevalue("pg_database")
        h.ctx.store.close()
        h.ctx.store = Store.open(url)
    return h


def _rerequest(h: Any, head: str) -> dict[str, Any]:
    return {
        "action": "rerequested",
        "check_suite": {"head_sha": head, "pull_requests": [{"number": 1}]},
        "repository": {"full_name": h.repo.full_name, "default_branch": h.repo.default_branch},
        "installation": {"id": INSTALLATION},
    }


def test_a_captured_signed_body_replayed_under_a_new_delivery_id_is_not_processed_again(
    hs: Any,
) -> None:
    """Attack: replay a captured, validly signed delivery (here a re-scan request) under fresh
    ``X-GitHub-Delivery`` ids, to make the App scan again and again (or undo a later state)."""
    head = open_pr(hs, {})
    payload = _rerequest(hs, head)

    def check_run_writes() -> int:  # every scan writes its check run (created or re-opened)
        return len(hs.fake.calls(contains="/check-runs"))

    first = hs.deliver("check_suite", payload, delivery_id="d-original")
    assert first.status_code == 202, first.data
    writes = check_run_writes()
    for n in range(3):
        again = hs.deliver("check_suite", payload, delivery_id=f"d-replay-{n}")
        assert again.status_code in (200, 202) and b"duplicate" in again.data, again.data
    assert check_run_writes() == writes
    # GitHub's own redelivery of the same id and body is a duplicate too.
    redelivered = hs.deliver("check_suite", payload, delivery_id="d-original")
    assert b"duplicate" in redelivered.data and check_run_writes() == writes
    # A genuinely new request (another body) is still processed.
    fresh = dict(payload, sender={"login": "maintainer"})
    assert hs.deliver("check_suite", fresh).status_code == 202
    assert check_run_writes() > writes


# --------------------------------------------------------------------------- file modes
def test_the_store_queue_and_data_folder_are_private_even_under_umask_022(
    tmp_path: Path, _fresh_jobs: None
) -> None:
    """Attack: another user of the machine reads the store (webhook bodies, findings,
    dismissals) or writes the queue file, because they were created under umask 022."""
    import os
    import stat

    from reviewer.service.store import Store

    data = tmp_path / "deep" / "data"
    old = os.umask(0o022)
    try:
        settings = Settings.from_env({"GATEHOUSE_DATA_DIR": str(data)}, require_app=False)
        store = Store.open(settings.database_url)
        store.accept_delivery("d-1", "pull_request", "opened", b'{"action": "opened"}')
        h = jobs.init_jobs(settings)
        jobs.enqueue_delivery("d-1")
        assert h.pending_count() == 1
        made = sorted(p for p in data.rglob("*"))
        modes = {
            p.relative_to(tmp_path).as_posix(): oct(stat.S_IMODE(p.stat().st_mode))
            for p in [tmp_path / "deep", data, *made]
        }
        store.close()
    finally:
        os.umask(old)
    assert {"deep/data/gatehouse.db", "deep/data/queue.db"} <= set(modes), modes
    for name, mode in modes.items():
        expected = "0o700" if (tmp_path / name).is_dir() else "0o600"
        assert mode == expected, (name, mode)


# --------------------------------------------------------------------------- one JSON parser
def _deliver_raw(h: Any, event: str, body: bytes) -> Any:
    from fakegithub.harness import SECRET

    from reviewer.app.webhooks import sign

    return h.client.post(
        "/webhook",
        data=body,
        headers={
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": sign(body, SECRET),
            "Content-Type": "application/json",
        },
    )


def test_a_body_the_web_accepts_is_read_the_same_way_by_the_worker(h: Any) -> None:
    """Attack: a signed body built so the web process (orjson) accepts it and the worker (the
    json module) reads it differently or not at all: 1,000 levels of nesting (a RecursionError
    in the worker, so the accepted PR was never scanned), integers past 64 bits, and a
    duplicate key that says ``closed`` before it says ``opened``."""
    import json

    from adversarial.adversarial_support import AI_TRAILER, BACKDOOR, BACKDOOR_PATH, BASE_FILES

    base = h.repo.commit(BASE_FILES, branch="main")
    head = h.repo.commit({BACKDOOR_PATH: BACKDOOR}, parent=base, message=AI_TRAILER)
    h.repo.open_pull(1, base=base, head=head)
    plain = json.dumps(h.pr_payload("opened", 1)).encode()
    odd = (
        b'{"action": "closed", "deep": '
        + b"[" * 1000
        + b"]" * 1000
        + b', "big": 18446744073709551616, "small": -9223372036854775809, '
        + plain[1:]
    )
    resp = _deliver_raw(h, "pull_request", odd)
    assert resp.status_code == 202, resp.data
    run = latest_run(h, head)
    assert_not_green(run)
    assert run["conclusion"] == "failure"
    # What the web refuses (a lone surrogate, a non-finite number) is never stored for a worker.
    for bad in (b'{"action": "opened", "x": "\\ud800"}', b'{"action": "opened", "x": 1e400}'):
        assert _deliver_raw(h, "pull_request", bad).status_code == 400
    assert h.ctx.store.delivery_counts() == {"completed": 1}


def test_web_and_worker_share_one_parser() -> None:
    """The worker's reading of a stored body is the web's parse function, by construction."""
    from reviewer.app.webhooks import body_json
    from reviewer.service import handlers
    from reviewer.service.store import StoredDelivery

    body = b'{"a": 1, "a": 2, "n": 18446744073709551616, "d": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    stored = StoredDelivery("d", "pull_request", "opened", body, "accepted", 0, 0.0)
    worker, web = handlers._event_of(stored).payload, body_json(body)
    assert (worker["a"], worker["n"]) == (web["a"], web["n"]) == (2, 18446744073709551616.0)

    def depth(value: Any) -> int:
        n = 0
        while isinstance(value, list):
            value, n = (value[0] if value else None), n + 1
        return n

    assert depth(worker["d"]) == depth(web["d"]) == 1000


# --------------------------------------------------------------------------- escaping
_OURS = __import__("re").compile(r"</?sub>|<!-- gatehouse:fp=[0-9a-f]{8,64} -->")  # our own HTML
HOSTILE = "@org/admins [x](https:/evil.example) <img src=x> `` #12 www.evil.example"


def _live(markdown: str) -> list[str]:
    """What GitHub would make live in ``markdown``: links, images, raw HTML other than our own
    (``<sub>``, the fingerprint marker), and @mentions / #references / bare URLs in text outside
    code (CommonMark + GFM tables and linkify, as a real Markdown parser reads it)."""
    import re

    from markdown_it import MarkdownIt

    md = MarkdownIt("gfm-like")
    # GitHub autolinks URLs with a scheme, "www." hosts and e-mail addresses, not bare domains
    # ("evil.example.py" stays text there); "www." is checked on the text below.
    md.linkify.set({"fuzzy_link": False})
    live: list[str] = []
    stack = list(md.parse(markdown))
    while stack:
        tok = stack.pop()
        stack.extend(tok.children or ())
        if tok.type in ("link_open", "image"):
            live.append(f"{tok.type} {tok.attrs}")
        elif tok.type in ("html_inline", "html_block") and not _OURS.fullmatch(tok.content.strip()):
            live.append(f"html {tok.content!r}")
        elif tok.type == "text" and re.search(
            r"(?<![\w\u2060])[@#][A-Za-z0-9]|www\.", tok.content, re.IGNORECASE
        ):
            live.append(f"mention/reference/www link {tok.content!r}")
    return live


def test_pr_controlled_names_are_posted_with_no_live_mention_link_or_html(h: Any) -> None:
    """Attack: a PR adds a file named like a mention, a link and an image (and a commit trailer
    carrying the same), so that Gatehouse's own check run and review comments ping
    ``@org/admins``, show a link to evil.example and load an image."""
    path = f"app/{HOSTILE}.py"
    message = f"Add telemetry\n\nCo-authored-by: Copilot <{HOSTILE}>"
    head = open_pr(h, {path: (BACKDOOR_TEXT := _backdoor())}, message=message)
    run = latest_run(h, head)
    assert_not_green(run)
    assert any(a["path"] == path for a in run["annotations"]), "the finding must be on that file"
    posted = [run["output"]["summary"], run["output"].get("text") or ""]
    posted += [r.get("body") or "" for r in h.repo.reviews]
    posted += [c.get("body") or "" for c in h.repo.review_comments]
    posted += [c.get("body") or "" for c in getattr(h.repo, "issue_comments", [])]
    assert "app/" in run["output"]["summary"] and BACKDOOR_TEXT
    for body in posted:
        assert _live(body) == [], body
    for a in run["annotations"]:  # plain text on GitHub: only mentions/references matter
        for key in ("title", "message", "raw_details"):
            assert "@org" not in (a.get(key) or ""), a


def _backdoor() -> str:
    from adversarial.adversarial_support import BACKDOOR

    return BACKDOOR


def test_the_escaping_functions_leave_nothing_live() -> None:
    """The one escaping function, on its own: text and code spans of hostile input."""
    from reviewer.app.markdown import code_span, escape_markdown

    for text in (
        HOSTILE,
        "- # heading",
        "1. item",
        "**bold** _em_ ~~s~~ | a | b |",
        "<script>x</script>",
        "a@b.example",
        "x\n\n# not a heading",
        "```",
    ):
        assert _live(f"| a | {escape_markdown(text)} |\n| --- | --- |\n") == [], text
        assert _live(f"- {escape_markdown(text)}") == [], text
        assert _live(f"- in {code_span(text)} here") == [], text
        assert _live(f"| {code_span(text, table=True)} | b |\n| --- | --- |\n") == [], text


# --------------------------------------------------------------------------- edit storms
def test_an_edit_storm_is_coalesced_into_one_up_to_date_scan(h: Any) -> None:
    """Attack: a script edits the PR's description again and again; each edit used to re-scan
    the head at once, holding workers for every repository of the installation. Edits within
    the debounce window now wait, and only the latest one scans, reading the last body (here
    the one that discloses the AI tool, so the backdoor is scanned and the check fails)."""
    import datetime as dt

    from reviewer.service.debounce import EditDebounce

    head = open_pr(h, {}, message="Add telemetry")  # no AI sign: the policy does not scan it
    assert latest_run(h, head)["conclusion"] == "neutral"
    offset = [0.0]
    h.ctx.edit_debounce = EditDebounce(window_s=60, clock=lambda: time.time() + offset[0])
    bodies = [f"typo fix {i}" for i in range(5)] + ["Generated with Claude Code"]
    for body in bodies:
        previous = h.repo.pulls[1]["body"]
        h.repo.pulls[1]["body"] = body
        resp = h.deliver(
            "pull_request", h.pr_payload("edited", 1, changes={"body": {"from": previous}})
        )
        assert resp.status_code == 202, resp.data
    assert len(h.repo.runs_for(head)) == 1, "edits inside the window must not scan at once"

    offset[0] = 61.0  # the window has passed: the job queue runs the waiting edits
    huey = jobs.get_huey()
    waiting = huey.read_schedule(dt.datetime(2100, 1, 1))
    assert len(waiting) == len(bodies)
    for task in waiting:  # as the consumer runs each when it is due
        huey.execute(task, task.eta)
    runs = h.repo.runs_for(head)
    assert len(runs) == 2, "exactly one re-scan for the whole storm"
    assert h.ctx.store.delivery_counts() == {"completed": 1 + len(bodies)}
    assert_not_green(runs[-1])
    assert runs[-1]["conclusion"] == "failure"


def test_an_edit_long_after_the_last_scan_scans_at_once(h: Any) -> None:
    """The debounce never delays the first edit after a quiet period (an AI marker added to
    the body is acted on at once)."""
    from reviewer.service.debounce import EditDebounce

    head = open_pr(h, {}, message="Add telemetry")
    h.ctx.edit_debounce = EditDebounce(window_s=60, clock=lambda: time.time() + 3600)
    h.repo.pulls[1]["body"] = "Generated with Claude Code"
    h.deliver("pull_request", h.pr_payload("edited", 1, changes={"body": {"from": ""}}))
    runs = h.repo.runs_for(head)
    assert len(runs) == 2 and runs[-1]["conclusion"] == "failure"


# --------------------------------------------------------------------------- deployment
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _yaml_documents(path: Path) -> list[Any]:
    import yaml

    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]


def test_every_deployment_file_parses() -> None:
    """The compose files and Kubernetes manifests are valid YAML (a broken file is a deployment
    that silently falls back to whatever was running before)."""
    files = sorted([*DEPLOY.glob("docker-compose*.yml"), *(DEPLOY / "k8s").glob("*.yaml")])
    assert len(files) >= 6, files
    for path in files:
        assert _yaml_documents(path), path


def test_compose_redis_requires_auth_and_the_queue_url_carries_it() -> None:
    """Attack: anything on the compose network writes to an unauthenticated Redis."""
    (compose,) = _yaml_documents(DEPLOY / "docker-compose.yml")
    redis = compose["services"]["redis"]
    assert "--requirepass" in " ".join(redis["command"]) and "REDIS_PASSWORD" in str(redis)
    assert "ports" not in redis, "Redis must not be published on the host"
    assert "REDISCLI_AUTH" in str(redis["healthcheck"]["test"])
    queue = compose["x-gatehouse"]["environment"]["GATEHOUSE_QUEUE_URL"]
    assert queue.startswith("redis://:${REDIS_PASSWORD")
    (tls,) = _yaml_documents(DEPLOY / "docker-compose.redis-tls.yml")
    for role in ("web", "worker"):
        assert tls["services"][role]["environment"]["GATEHOUSE_QUEUE_URL"].startswith(
            "rediss://:${REDIS_PASSWORD"
        )
    assert "--tls-port" in " ".join(tls["services"]["redis"]["command"])
    assert "REDIS_PASSWORD=" in (DEPLOY / ".env.example").read_text(encoding="utf-8")


def test_kubernetes_lets_only_gatehouse_pods_reach_redis_and_postgres() -> None:
    """Attack: any pod of the cluster connects to the queue or the store."""
    kustomization = _yaml_documents(DEPLOY / "k8s" / "kustomization.yaml")[0]
    assert "network-policy.yaml" in kustomization["resources"]
    policies = {
        d["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]: d
        for d in _yaml_documents(DEPLOY / "k8s" / "network-policy.yaml")
        if d["kind"] == "NetworkPolicy"
    }
    assert set(policies) == {"redis", "postgres"}
    for policy in policies.values():
        assert policy["spec"]["policyTypes"] == ["Ingress"]
        sources = [src for rule in policy["spec"]["ingress"] for src in rule["from"]]
        assert sources == [
            {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gatehouse"}}}
        ]
    gatehouse_pods = [
        d["spec"]["template"]["metadata"]["labels"]
        for name in ("web.yaml", "worker.yaml")
        for d in _yaml_documents(DEPLOY / "k8s" / name)
        if d["kind"] == "Deployment"
    ]
    assert gatehouse_pods and all(
        p["app.kubernetes.io/name"] == "gatehouse" for p in gatehouse_pods
    )
    config = [
        d for d in _yaml_documents(DEPLOY / "k8s" / "config.yaml") if d["kind"] == "ConfigMap"
    ]
    assert "GATEHOUSE_QUEUE_URL" not in config[0]["data"], "a URL with a password is a Secret"


def test_queue_urls_take_tls_and_a_password_that_no_error_shows() -> None:
    """Attack surface: the Redis password leaking through a configuration error or a repr."""
    from reviewer.errors import ConfigError
    from reviewer.service.settings import mask_url

    url = "rediss://:s3cret-value@redis:6380/0?ssl_cert_reqs=required"
    settings = Settings.from_env({"GATEHOUSE_QUEUE_URL": url}, require_app=False)
    assert settings.queue_url == url and "s3cret" not in repr(settings)
    assert mask_url(url) == "rediss://:***@redis:6380/0?ssl_cert_reqs=required"
    for bad in (
        "http://:s3cret-value@redis:6379/0",
        "redis://:s3cret-value@redis:port/0",
        "redis://:s3cret-value@/0",
    ):
        with pytest.raises(ConfigError) as err:
            Settings.from_env({"GATEHOUSE_QUEUE_URL": bad}, require_app=False)
        assert "s3cret" not in err.value.diagnostics() and "***" in err.value.diagnostics()
