"""Service attacks on the setup page and on the metrics, replayed over HTTP.

Setup: before an App is registered, whoever completes the manifest flow chooses the App
(id, private key, webhook secret) Gatehouse trusts, and whoever chooses the public address
chooses where GitHub sends the admin's new App. Metrics: unsigned requests must not create
Prometheus series, and ``/metrics`` must not be served on the webhook port.
"""

from __future__ import annotations

import os
import random
import re
import runpy
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fakegithub import FakeGitHub
from fakegithub.harness import Harness, keypair
from flask import Flask

from reviewer.service import metrics, ops_web, setup_access
from reviewer.service.settings import ENV_FILE, KEY_FILE, Settings

REPO = Path(__file__).resolve().parents[2]
ATTACKER_SECRET = "attacker-webhook-secret-" + "z" * 20


@pytest.fixture
def setup_fake(fake: FakeGitHub) -> FakeGitHub:
    """The fake GitHub with the attacker's manifest code and the admin's."""
    private, _ = keypair()
    fake.add_manifest_code(
        "attacker-code", app_id=666, pem=private, webhook_secret=ATTACKER_SECRET, slug="evil"
    )
    fake.add_manifest_code("admin-code", app_id=4242, pem=private, webhook_secret="a" * 40)
    return fake


def _app(tmp: Path, api_url: str, **env: str) -> Flask:
    settings = Settings.from_env(
        {"GATEHOUSE_DATA_DIR": str(tmp), "GATEHOUSE_GITHUB_API_URL": api_url, **env},
        require_app=False,
    )
    app = Flask("setup")
    app.register_blueprint(ops_web.create_blueprint(settings))
    return app


def _admin(app: Flask, tmp: Path, *, url: str = "https://gate.acme.test") -> tuple[Any, str]:
    """The token holder's browser with a confirmed address; returns it and the page's state."""
    client = app.test_client()
    token = setup_access.issue_token(tmp)
    assert client.get(f"/setup?setup_token={token}").status_code == 303
    page = client.get("/setup").get_data(as_text=True)
    if url:
        client.post("/setup", data={"csrf": _field(page, "csrf"), "url": url})
        page = client.get("/setup").get_data(as_text=True)
    return client, _state(page)


def _field(page: str, name: str) -> str:
    return unescape(re.search(rf'name="{name}" value="([^"]*)"', page).group(1))


def _state(page: str) -> str:
    found = re.search(r"[?&]state=([A-Za-z0-9_-]+)", page)
    return found.group(1) if found else ""


def _evil_get(app: Flask, admin: Any, path: str) -> Any:
    """The admin's own request (their session cookie) reaching the server with a forged Host."""
    cookie = admin.get_cookie(setup_access.SESSION_COOKIE, path="/setup")
    return app.test_client(use_cookies=False).get(
        path,
        headers={
            "Host": "evil.example",
            "X-Forwarded-Host": "evil.example",
            "Cookie": f"{setup_access.SESSION_COOKIE}={cookie.value}",
        },
    )


def _manifest_targets(page: str) -> set[str]:
    raw = unescape(re.search(r'name="manifest" value="([^"]+)"', page).group(1))
    return set(re.findall(r'https?://[^/"]+', raw))


def _nothing_saved(tmp: Path, fake: FakeGitHub) -> None:
    assert not (tmp / ENV_FILE).exists() and not (tmp / KEY_FILE).exists()


def test_a_visitor_without_the_token_cannot_read_the_state(tmp_path: Path, setup_fake: FakeGitHub):
    """Setup takeover, step 1: any visitor of the setup page read the manifest state."""
    app = _app(tmp_path, setup_fake.url)
    setup_access.issue_token(tmp_path)  # the service started and printed its link elsewhere
    visitor = app.test_client()
    for path in (
        "/",
        "/setup",
        "/setup?setup_token=guess",
        "/setup?setup_token=",
        "/setup/manifest.json",
        "/?url=https://evil.example",
    ):
        resp = visitor.get(path, headers={"Host": "evil.example"})
        body = resp.get_data(as_text=True)
        assert "state=" not in body and 'name="manifest"' not in body, path
        assert "Set-Cookie" not in resp.headers, path
        if path != "/" and not path.startswith("/?"):
            assert resp.status_code == 403, (path, resp.status_code)


def test_the_setup_token_works_once(tmp_path: Path, setup_fake: FakeGitHub):
    """Setup takeover via a leaked link (proxy log, shoulder): the token opens one session only."""
    app = _app(tmp_path, setup_fake.url)
    token = setup_access.issue_token(tmp_path)
    assert app.test_client().get(f"/setup?setup_token={token}").status_code == 303
    late = app.test_client()
    assert late.get(f"/setup?setup_token={token}").status_code == 403
    assert late.get("/setup").status_code == 403


def test_a_callback_without_the_bound_session_saves_nothing(tmp_path: Path, setup_fake: FakeGitHub):
    """Setup takeover, step 2: completing /setup/callback with the attacker's own App code."""
    app = _app(tmp_path, setup_fake.url)
    admin, state = _admin(app, tmp_path)
    assert state
    attacker = app.test_client()
    for query in (
        f"code=attacker-code&state={state}",
        "code=attacker-code&state=",
        "code=attacker-code",
    ):
        assert attacker.get(f"/setup/callback?{query}").status_code == 400, query
    # A forged cookie, and the admin's cookie with a state it was not given, fare no better.
    attacker.set_cookie(setup_access.SESSION_COOKIE, "eyJzaWQiOiJ4In0.forged.sig", path="/setup")
    assert attacker.get(f"/setup/callback?code=attacker-code&state={state}").status_code == 400
    assert admin.get("/setup/callback?code=attacker-code&state=" + "A" * 32).status_code == 400
    assert setup_fake.calls("POST", "/app-manifests/") == [], "no code was ever converted"
    _nothing_saved(tmp_path, setup_fake)
    # The real admin still completes the registration with the state bound to their session.
    done = admin.get(f"/setup/callback?code=admin-code&state={state}")
    assert done.status_code == 200, done.get_data(as_text=True)
    saved = (tmp_path / ENV_FILE).read_text()
    assert "GATEHOUSE_APP_ID=4242" in saved and ATTACKER_SECRET not in saved


def test_a_state_expires_and_is_used_once(tmp_path: Path, setup_fake: FakeGitHub):
    """Setup takeover by replaying an old callback URL (history, logs) within or after an hour."""
    app = _app(tmp_path, setup_fake.url)
    admin, state = _admin(app, tmp_path)
    assert admin.get(f"/setup/callback?code=no-such-code&state={state}").status_code == 502
    assert admin.get(f"/setup/callback?code=admin-code&state={state}").status_code == 400
    _nothing_saved(tmp_path, setup_fake)
    session = setup_access.SetupSession(sid="someone")
    old = setup_access.new_state(
        tmp_path, session, now=time.time() - 2 * setup_access.STATE_MAX_AGE_S
    )
    assert not setup_access.claim_state(tmp_path, session, old), "an expired state is refused"
    fresh = setup_access.new_state(tmp_path, session)
    assert setup_access.claim_state(tmp_path, session, fresh)
    assert not setup_access.claim_state(tmp_path, session, fresh), "a state is claimed once"
    assert not setup_access.claim_state(tmp_path, setup_access.SetupSession(sid="other"), fresh)


def test_query_string_and_host_header_cannot_choose_where_the_key_goes(
    tmp_path: Path, setup_fake: FakeGitHub
):
    """Setup takeover: /?url=https://elsewhere (or the Host header) sent the admin's new App
    (its redirect with the code, and every webhook) to another host."""
    app = _app(tmp_path, setup_fake.url)
    admin, _ = _admin(app, tmp_path, url="")
    lured = _evil_get(app, admin, "/setup?url=https://evil.example&org=evil-org")
    page = lured.get_data(as_text=True)
    assert lured.status_code == 200 and "evil" not in page and 'name="manifest"' not in page, (
        "nothing to register yet"
    )
    # A cross-site form post (no CSRF value of the session) cannot confirm an address either.
    forged = admin.post("/setup", data={"url": "https://evil.example", "org": "evil-org"})
    assert forged.status_code == 403
    # Confirmed by the token holder: that address is used, whatever Host and query say.
    admin.post("/setup", data={"csrf": _field(page, "csrf"), "url": "https://gate.acme.test"})
    page = _evil_get(app, admin, "/setup?url=https://evil.example").get_data(as_text=True)
    assert _manifest_targets(page) == {"https://gate.acme.test"}
    manifest = _evil_get(app, admin, "/setup/manifest.json?url=https://evil.example").get_data(
        as_text=True
    )
    assert "evil" not in manifest and "https://gate.acme.test/setup/callback" in manifest
    # With GATEHOUSE_PUBLIC_URL set, the page cannot change it at all.
    pinned = _app(
        tmp_path / "pinned", setup_fake.url, GATEHOUSE_PUBLIC_URL="https://gate.acme.test"
    )
    admin, _ = _admin(pinned, tmp_path / "pinned", url="https://evil.example")
    page = _evil_get(pinned, admin, "/setup").get_data(as_text=True)
    assert _manifest_targets(page) == {"https://gate.acme.test"}


def test_setup_is_closed_once_an_app_is_registered(tmp_path: Path, h: Harness):
    """Setup takeover after the fact: re-running the manifest flow to swap the App's key."""
    client = h.client
    for path in (
        "/setup",
        f"/setup?setup_token={'x' * 43}",
        "/setup/callback?code=c&state=s",
        "/setup/manifest.json",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post("/setup", data={"url": "https://evil.example"}).status_code == 404


def _delivery_series() -> set[tuple[str, str]]:
    text = metrics.render()[0].decode()
    return set(re.findall(r'gatehouse_deliveries_total\{event="([^"]*)",outcome="([^"]*)"\}', text))


def test_unsigned_posts_with_random_event_names_create_no_series(h: Harness):
    """Metrics from unsigned requests: any X-GitHub-Event value created a Prometheus series."""
    rng = random.Random(9)
    names = {"".join(rng.choices(string.ascii_lowercase + "_", k=12)) for _ in range(1000)}
    before = _delivery_series()
    for i, name in enumerate(sorted(names)):
        resp = h.client.post(
            "/webhook",
            data=b"{}",
            headers={
                "X-GitHub-Event": name,
                "X-GitHub-Delivery": f"d-{i}",
                "X-Hub-Signature-256": "sha256=" + "0" * 64 if i % 2 else "",
            },
        )
        assert resp.status_code == 401
    new = _delivery_series() - before
    assert new <= {(metrics.UNVERIFIED, "rejected")}, sorted(new)[:5]
    assert not any(name in {e for e, _ in _delivery_series()} for name in names)
    # Signed deliveries of events no handler knows share the "other" series.
    for i, name in enumerate(sorted(names)[:50]):
        assert h.deliver(name, {"zen": "x"}, delivery_id=f"s-{i}").status_code == 200
    new = _delivery_series() - before
    assert new <= {(metrics.UNVERIFIED, "rejected"), (metrics.OTHER_EVENT, "ignored")}, new


def test_metrics_are_not_served_on_the_webhook_port(h: Harness):
    """/metrics was open on the webhook port to anyone who can reach the webhook."""
    assert h.client.get("/metrics").status_code == 404
    assert Settings.from_env({}, require_app=False).metrics_bind == "127.0.0.1:9100"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def web_process(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`gatehouse web` with the shipped gunicorn configuration, on loopback, no App yet."""
    port, metrics_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEHOUSE_", "PROMETHEUS_"))}
    env.update(
        GATEHOUSE_DATA_DIR=str(tmp_path / "var"),
        GATEHOUSE_BIND=f"127.0.0.1:{port}",
        GATEHOUSE_METRICS_BIND=f"127.0.0.1:{metrics_port}",
    )
    log = open(tmp_path / "web.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reviewer.cli",
            "web",
            "--config",
            str(REPO / "deploy" / "gunicorn.conf.py"),
            "--workers",
            "2",
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if _status(f"http://127.0.0.1:{port}/healthz") == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}"
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_a_real_web_process_keeps_metrics_and_the_setup_state_off_the_webhook_port(
    web_process: tuple[str, str], tmp_path: Path
):
    """Both service attacks against `gatehouse web` under the shipped gunicorn configuration:
    no /metrics on the webhook port, no state for a visitor, one setup link on the console."""
    web, metrics_url = web_process
    assert _status(f"{web}/metrics") == 404
    assert _status(f"{metrics_url}/metrics") == 200
    assert _status(f"{web}/setup") == 403
    with urllib.request.urlopen(f"{web}/", timeout=10) as r:
        assert "state=" not in r.read().decode()
    log = (tmp_path / "web.log").read_text(errors="replace")
    assert len(re.findall(r"setup_token=[A-Za-z0-9_-]{20,}", log)) == 1, log[-2000:]


def test_default_binds_stay_on_loopback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The image listened on 0.0.0.0 by default; outside an explicit choice, nothing does."""
    for name in ("GATEHOUSE_BIND", "GATEHOUSE_METRICS_BIND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # as under `gatehouse web`
    conf = runpy.run_path(str(REPO / "deploy" / "gunicorn.conf.py"))
    assert conf["bind"] == "127.0.0.1:8000"
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    env_block = dockerfile.split("\nENV ", 1)[1].split("\nUSER", 1)[0]
    assert "0.0.0.0" not in env_block, "the image sets no public bind of its own"
