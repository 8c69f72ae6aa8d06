"""First run: the setup page (drawn by a real Chromium), the manifest flow against the fake
GitHub, and ``gatehouse serve`` going from setup mode to a working web + worker pair.

The setup page is open only to the holder of the one-time setup token the web process logs at
start; the attacks on it are replayed in tests/adversarial/test_adv_service_setup.py."""

from __future__ import annotations

import hashlib
import hmac
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser_support import chromium, measure, run_chromium  # noqa: F401 - fixture
from fakegithub import FakeGitHub
from fakegithub.harness import keypair
from flask import Flask

from reviewer.service import ops_web, setup_access, setup_app
from reviewer.service.settings import Settings, with_saved_settings
from reviewer.service.settings_help import SETTINGS_HELP
from reviewer.service.store import Store

REPO = Path(__file__).resolve().parents[1]
SECRET = "s3cret-" + "x" * 32
NEW_APP_ID = 4242


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """The fake GitHub, with one manifest code (``good-code``) that converts once."""
    private, public = keypair()
    with FakeGitHub(app_id=NEW_APP_ID, public_key=public) as fake:
        fake.add_manifest_code("good-code", app_id=NEW_APP_ID, pem=private, webhook_secret=SECRET)
        yield fake


def _setup_settings(tmp: Path, api_url: str = "https://api.github.com", **env: str) -> Settings:
    return Settings.from_env(
        {"GATEHOUSE_DATA_DIR": str(tmp), "GATEHOUSE_GITHUB_API_URL": api_url, **env},
        require_app=False,
    )


def _form(page: str) -> tuple[str, dict]:
    action = unescape(re.search(r'<form method="post" action="(http[^"]+)"', page).group(1))
    manifest = json.loads(unescape(re.search(r'name="manifest" value="([^"]+)"', page).group(1)))
    return action, manifest


def _csrf(page: str) -> str:
    return unescape(re.search(r'name="csrf" value="([^"]+)"', page).group(1))


def _conversions(fake: FakeGitHub) -> list[Any]:
    return fake.calls("POST", "/app-manifests/")


def open_setup(client: Any, data_dir: Path, *, url: str = "", org: str = "") -> str:
    """Be the token holder: redeem a fresh token, confirm the address, return the page."""
    token = setup_access.issue_token(data_dir)
    first = client.get(f"/setup?setup_token={token}")
    assert first.status_code == 303 and first.headers["Location"].endswith("/setup")
    page = client.get("/setup").get_data(as_text=True)
    if url or org:
        done = client.post("/setup", data={"csrf": _csrf(page), "url": url, "org": org})
        assert done.status_code == 303, done.get_data(as_text=True)
        page = client.get("/setup").get_data(as_text=True)
    return page


def test_the_manifest_asks_for_least_privilege_and_matches_the_shipped_file():
    shipped = yaml.safe_load((REPO / "deploy" / "app-manifest.yml").read_text())
    built = setup_app.app_manifest("https://gatehouse.example.com")
    assert (
        shipped["default_permissions"]
        == built["default_permissions"]
        == {
            "checks": "write",
            "pull_requests": "write",
            "contents": "read",
            "issues": "write",
            "metadata": "read",
        }
    )
    assert (
        set(shipped["default_events"])
        == set(built["default_events"])
        == {"pull_request", "issue_comment", "check_run", "check_suite"}
    )
    assert shipped["hook_attributes"] == built["hook_attributes"]
    assert shipped["redirect_url"] == built["redirect_url"]


def test_the_setup_session_is_a_private_cookie(tmp_path: Path):
    app = Flask("t")
    app.register_blueprint(ops_web.create_blueprint(_setup_settings(tmp_path)))
    token = setup_access.issue_token(tmp_path)
    resp = app.test_client().get(f"/setup?setup_token={token}")
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith(f"{setup_access.SESSION_COOKIE}=") and token not in cookie
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/setup", "Max-Age=3600"):
        assert attribute in cookie, attribute
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert token not in (tmp_path / "setup" / "token.spent").read_text(), "only a hash is kept"
    assert (tmp_path / "setup").stat().st_mode & 0o777 == 0o700


def test_manifest_flow_saves_the_credentials_privately(tmp_path: Path, fake_github: FakeGitHub):
    app = Flask("t")
    app.register_blueprint(ops_web.create_blueprint(_setup_settings(tmp_path, fake_github.url)))
    client = app.test_client()
    page = open_setup(client, tmp_path)
    assert 'id="create-app"' not in page, "no App is registered before the address is confirmed"
    page = open_setup(client, tmp_path, url="https://gate.acme.test/", org="acme-corp")
    action, manifest = _form(page)
    assert action.startswith(f"{fake_github.url}/organizations/acme-corp/settings/apps/new?state=")
    assert manifest["hook_attributes"]["url"] == "https://gate.acme.test/webhook"
    assert manifest["redirect_url"] == "https://gate.acme.test/setup/callback"
    state = action.split("state=", 1)[1]

    forged = client.get("/setup/callback?code=good-code&state=forged")
    assert forged.status_code == 400 and _conversions(fake_github) == []
    bad_code = client.get(f"/setup/callback?code=other-code&state={state}")
    assert bad_code.status_code == 502 and "register again" in bad_code.get_data(as_text=True)
    spent = client.get(f"/setup/callback?code=good-code&state={state}")
    assert spent.status_code == 400, "a state is used once, even when GitHub refused the code"

    state = _form(client.get("/setup").get_data(as_text=True))[0].split("state=", 1)[1]
    done = client.get(f"/setup/callback?code=good-code&state={state}")
    text = done.get_data(as_text=True)
    assert done.status_code == 200, text
    assert "https://github.com/apps/gatehouse-acme/installations/new" in text
    assert SECRET not in text and "PRIVATE KEY" not in text
    env_file, key_file = tmp_path / "gatehouse.env", tmp_path / "github-app.pem"
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / "setup").exists(), "token, key and state are gone"
    env = with_saved_settings({"GATEHOUSE_DATA_DIR": str(tmp_path)})
    settings = Settings.from_env(env)
    assert settings.configured and settings.app_id == NEW_APP_ID
    assert settings.webhook_secret == SECRET and settings.private_key == keypair()[0].strip() + "\n"
    # Setup is over: replaying the callback, or opening the page, is answered 410 Gone.
    assert client.get(f"/setup/callback?code=good-code&state={state}").status_code == 410
    assert client.get("/setup").status_code == 410


def test_gatehouse_public_url_is_the_address_and_cannot_be_changed_on_the_page(tmp_path: Path):
    app = Flask("t")
    app.register_blueprint(
        ops_web.create_blueprint(
            _setup_settings(tmp_path, GATEHOUSE_PUBLIC_URL="https://gate.acme.test")
        )
    )
    client = app.test_client()
    page = open_setup(client, tmp_path)
    assert _form(page)[1]["hook_attributes"]["url"] == "https://gate.acme.test/webhook"
    page = open_setup(client, tmp_path, url="https://elsewhere.example", org="acme")
    manifest = _form(page)[1]
    assert manifest["redirect_url"] == "https://gate.acme.test/setup/callback"


@pytest.mark.browser
def test_setup_page_renders_in_chromium(tmp_path: Path, chromium: str):  # noqa: F811 - fixture
    from reviewer.service import jobs
    from reviewer.service.web import create_app

    app = create_app(_setup_settings(tmp_path))
    client = app.test_client()
    page = open_setup(client, tmp_path, url="https://gate.acme.test")
    resp = client.get("/setup")
    jobs.reset_jobs()
    assert resp.status_code == 200
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    m = measure(
        chromium,
        page,
        tmp_path,
        selectors=("h1", "#create-app", "#settings tbody tr", "#permissions li", "input#url"),
    )
    (title,) = m["select"]["h1"]
    assert title["text"] == "Set up Gatehouse" and title["h"] > 0
    (button,) = m["select"]["#create-app"]
    assert button["w"] > 100 and button["h"] > 20 and button["visibility"] == "visible"
    assert 0 <= button["y"] < 1600, "the main action is visible without scrolling"
    assert button["bg"] != button["color"]
    rows = m["select"]["#settings tbody tr"]
    assert len(rows) == len(SETTINGS_HELP) and all(r["h"] > 0 for r in rows)
    assert any("GATEHOUSE_WEBHOOK_SECRET" in r["text"] for r in rows)
    assert {li["text"] for li in m["select"]["#permissions li"]} == {
        f"{k}: {v}" for k, v in setup_app.PERMISSIONS.items()
    }
    assert m["scrollWidth"] <= 1200


# ----------------------------------------------------------------------------- gatehouse serve
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"serve exited early ({proc.returncode})")
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def serve_process(tmp: Path, port: int, **env: str) -> Iterator[subprocess.Popen]:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("GATEHOUSE_", "PROMETHEUS_"))
    }
    environ.update(GATEHOUSE_DATA_DIR=str(tmp / "var"), **env)
    log = open(tmp / "serve.log", "wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reviewer.cli",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=tmp,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def _signed(url: str, event: str, payload: dict, secret: str) -> tuple[int, str]:
    body = json.dumps(payload).encode()
    sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": sig,
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def setup_link(log: Path, timeout: float = 60) -> str:
    """The one-time setup link the web process printed on its console."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.findall(r"(/setup\?setup_token=[A-Za-z0-9_-]+)", log.read_text(errors="replace"))
        if found:
            return found[-1]
        time.sleep(0.2)
    raise AssertionError("no setup link on the console")


class Browser:
    """An HTTP client with cookies, as the admin's browser."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, url: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, form: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode()
        return self._open(urllib.request.Request(url, data=data, method="POST"))

    def _open(self, req: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(req, timeout=20) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


def test_serve_from_nothing_to_a_working_service(tmp_path: Path, fake_github: FakeGitHub):
    """No credentials: the setup page, for the holder of the console's link. Register through
    it: serve restarts with a worker, and a signed delivery is accepted, processed by the
    worker, and counted on the separate metrics port (not on the webhook port)."""
    port, metrics_port = _free_port(), _free_port()
    base = f"http://127.0.0.1:{port}"
    with serve_process(
        tmp_path,
        port,
        GATEHOUSE_GITHUB_API_URL=fake_github.url,
        GATEHOUSE_METRICS_BIND=f"127.0.0.1:{metrics_port}",
    ) as proc:
        _wait_for(lambda: _get(f"{base}/healthz")[0] == 200, 60, "the web process", proc)
        status, page = _get(f"{base}/")
        assert status == 200 and "setup_token=…" in page and "state=" not in page
        assert _get(f"{base}/setup")[0] == 403
        assert _signed(f"{base}/webhook", "ping", {}, SECRET)[0] == 503  # nothing to verify with
        admin = Browser()
        status, page = admin.get(base + setup_link(tmp_path / "serve.log"))
        assert status == 200 and 'name="csrf"' in page, page
        status, page = admin.post(
            f"{base}/setup", {"csrf": _csrf(page), "url": "https://gate.test"}
        )
        assert status == 200 and "Create the GitHub App" in page
        state = _form(page)[0].split("state=", 1)[1]
        status, text = admin.get(f"{base}/setup/callback?code=good-code&state={state}")
        assert status == 200, text

        def running() -> bool:
            return "<h1>Gatehouse is running</h1>" in _get(f"{base}/")[1]

        _wait_for(running, 60, "serve to restart with the saved App", proc)
        assert _get(f"{base}/setup")[0] == 404, "setup is closed once the App is registered"
        payload = {
            "action": "created",
            "installation": {"id": 77, "account": {"login": "acme"}},
            "repositories": [{"full_name": "acme/api"}],
            "sender": {"login": "admin"},
        }
        status, text = _signed(f"{base}/webhook", "installation", payload, SECRET)
        assert status == 202, text
        store = Store.open(f"sqlite:///{tmp_path / 'var' / 'gatehouse.db'}")
        try:
            _wait_for(
                lambda: store.delivery_counts() == {"completed": 1},
                60,
                "the worker to complete the delivery",
                proc,
            )
            assert store.installations()[0]["repos"] == ["acme/api"]
        finally:
            store.close()
        assert _get(f"{base}/metrics")[0] == 404, "/metrics is not on the webhook port"
        metrics = _get(f"http://127.0.0.1:{metrics_port}/metrics")[1]
        assert re.search(
            r'gatehouse_deliveries_total\{event="installation",outcome="done"\} 1\.0', metrics
        ), "the worker's counter reaches the web process's /metrics"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(40) == 0
    log = (tmp_path / "serve.log").read_text()
    assert SECRET not in log and "PRIVATE KEY" not in log
    assert len(re.findall(r"setup_token=", log)) == 1, "the link is printed once, nowhere else"


@pytest.mark.browser
def test_setup_page_over_http_in_chromium(tmp_path: Path, chromium: str):  # noqa: F811 - fixture
    port = _free_port()
    with serve_process(tmp_path, port) as proc:
        _wait_for(lambda: _get(f"http://127.0.0.1:{port}/healthz")[0] == 200, 60, "web", proc)
        locked = run_chromium(chromium, f"http://127.0.0.1:{port}/", "--dump-dom")
        link = setup_link(tmp_path / "serve.log")
        dom = run_chromium(chromium, f"http://127.0.0.1:{port}{link}", "--dump-dom")
    assert "<h1>Set up Gatehouse</h1>" in locked and "state=" not in locked
    assert "<h1>Set up Gatehouse</h1>" in dom and 'name="csrf"' in dom
