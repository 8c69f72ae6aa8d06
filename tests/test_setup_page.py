"""First run: the setup page (drawn by a real Chromium), the manifest flow, and
``gatehouse serve`` going from setup mode to a working web + worker pair."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask

from browser_support import chromium, measure, run_chromium  # noqa: F401 - fixture
from reviewer.service import ops_web
from reviewer.service.settings import Settings
from reviewer.service.store import Store

REPO = Path(__file__).resolve().parents[1]
SECRET = "s3cret-" + "x" * 32


def _pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


class FakeGitHub:
    """GitHub's manifest conversion endpoint on loopback: one valid code, used once."""

    def __init__(self) -> None:
        self.pem = _pem()
        self.calls: list[str] = []
        self.used = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                fake.calls.append(self.path)
                if self.path == "/app-manifests/good-code/conversions" and not fake.used:
                    fake.used = True
                    body = json.dumps({"id": 4242, "slug": "gatehouse-acme", "pem": fake.pem,
                                       "webhook_secret": SECRET, "client_id": "Iv1.abc",
                                       "client_secret": "cs-" + "y" * 30,
                                       "html_url": "https://github.com/apps/gatehouse-acme"})
                    self.send_response(201)
                else:
                    body = json.dumps({"message": "Not Found"})
                    self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    yield fake
    fake.close()


def _setup_settings(tmp: Path, api_url: str = "https://api.github.com") -> Settings:
    return Settings.from_env({"GATEHOUSE_DATA_DIR": str(tmp), "GATEHOUSE_GITHUB_API_URL": api_url},
                             require_app=False)


def _form(page: str) -> tuple[str, dict]:
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', page).group(1))
    manifest = json.loads(unescape(re.search(r'name="manifest" value="([^"]+)"', page).group(1)))
    return action, manifest


def test_the_manifest_asks_for_least_privilege_and_matches_the_shipped_file():
    shipped = yaml.safe_load((REPO / "deploy" / "app-manifest.yml").read_text())
    built = ops_web.app_manifest("https://gatehouse.example.com")
    assert shipped["default_permissions"] == built["default_permissions"] == {
        "checks": "write", "pull_requests": "write", "contents": "read", "issues": "write",
        "metadata": "read"}
    assert set(shipped["default_events"]) == set(built["default_events"]) == {
        "pull_request", "issue_comment", "check_run", "check_suite"}
    assert shipped["hook_attributes"] == built["hook_attributes"]
    assert shipped["redirect_url"] == built["redirect_url"]


def test_manifest_flow_saves_the_credentials_privately(tmp_path: Path, fake_github: FakeGitHub):
    app = Flask("t")
    app.register_blueprint(ops_web.create_blueprint(_setup_settings(tmp_path, fake_github.url)))
    client = app.test_client()
    page = client.get("/?url=https://gate.acme.test&org=acme-corp").get_data(as_text=True)
    action, manifest = _form(page)
    assert action.startswith(f"{fake_github.url}/organizations/acme-corp/settings/apps/new?state=")
    assert manifest["hook_attributes"]["url"] == "https://gate.acme.test/webhook"
    assert manifest["redirect_url"] == "https://gate.acme.test/setup/callback"
    state = action.split("state=", 1)[1]

    forged = client.get("/setup/callback?code=good-code&state=forged")
    assert forged.status_code == 400 and fake_github.calls == []
    bad_code = client.get(f"/setup/callback?code=other-code&state={state}")
    assert bad_code.status_code == 502 and "register again" in bad_code.get_data(as_text=True)

    done = client.get(f"/setup/callback?code=good-code&state={state}")
    text = done.get_data(as_text=True)
    assert done.status_code == 200, text
    assert "https://github.com/apps/gatehouse-acme/installations/new" in text
    assert SECRET not in text and "PRIVATE KEY" not in text
    env_file, key_file = tmp_path / "gatehouse.env", tmp_path / "github-app.pem"
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert key_file.stat().st_mode & 0o777 == 0o600
    env = {"GATEHOUSE_DATA_DIR": str(tmp_path)}
    assert ops_web.load_saved_settings(tmp_path, env)
    settings = Settings.from_env(env)
    assert settings.configured and settings.app_id == 4242
    assert settings.webhook_secret == SECRET and settings.private_key == fake_github.pem.strip() + "\n"
    # The one-time state is spent: replaying the callback does nothing.
    assert client.get(f"/setup/callback?code=good-code&state={state}").status_code == 400


@pytest.mark.browser
def test_setup_page_renders_in_chromium(tmp_path: Path, chromium: str):
    from reviewer.service import jobs
    from reviewer.service.web import create_app

    app = create_app(_setup_settings(tmp_path))
    resp = app.test_client().get("/")
    jobs.reset_jobs()
    assert resp.status_code == 200
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    page = resp.get_data(as_text=True)
    m = measure(chromium, page, tmp_path, selectors=(
        "h1", "#create-app", "#settings tbody tr", "#permissions li", "input#url"))
    (title,) = m["select"]["h1"]
    assert title["text"] == "Set up Gatehouse" and title["h"] > 0
    (button,) = m["select"]["#create-app"]
    assert button["w"] > 100 and button["h"] > 20 and button["visibility"] == "visible"
    assert 0 <= button["y"] < 1600, "the main action is visible without scrolling"
    assert button["bg"] != button["color"]
    rows = m["select"]["#settings tbody tr"]
    assert len(rows) == len(ops_web.SETTINGS_HELP) and all(r["h"] > 0 for r in rows)
    assert any("GATEHOUSE_WEBHOOK_SECRET" in r["text"] for r in rows)
    assert {li["text"] for li in m["select"]["#permissions li"]} == {
        f"{k}: {v}" for k, v in ops_web.PERMISSIONS.items()}
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
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GATEHOUSE_", "PROMETHEUS_"))}
    environ.update(GATEHOUSE_DATA_DIR=str(tmp / "var"), **env)
    log = open(tmp / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "reviewer.service.processes", "serve",
                             "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                            cwd=tmp, env=environ, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
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
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-GitHub-Event": event,
        "X-GitHub-Delivery": str(uuid.uuid4()), "X-Hub-Signature-256": sig})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_serve_from_nothing_to_a_working_service(tmp_path: Path, fake_github: FakeGitHub):
    """No credentials: the setup page. Register through it: serve restarts with a worker,
    and a signed delivery is accepted, processed by the worker, and counted in /metrics."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with serve_process(tmp_path, port, GATEHOUSE_GITHUB_API_URL=fake_github.url) as proc:
        _wait_for(lambda: _get(f"{base}/healthz")[0] == 200, 60, "the web process", proc)
        status, page = _get(f"{base}/")
        assert status == 200 and "Create the GitHub App" in page
        assert _signed(f"{base}/webhook", "ping", {}, SECRET)[0] == 503  # nothing to verify with
        action, _ = _form(page)
        state = action.split("state=", 1)[1]
        status, text = _get(f"{base}/setup/callback?code=good-code&state={state}")
        assert status == 200, text

        def running() -> bool:
            return "<h1>Gatehouse is running</h1>" in _get(f"{base}/")[1]

        _wait_for(running, 60, "serve to restart with the saved App", proc)
        payload = {"action": "created", "installation": {"id": 77, "account": {"login": "acme"}},
                   "repositories": [{"full_name": "acme/api"}], "sender": {"login": "admin"}}
        status, text = _signed(f"{base}/webhook", "installation", payload, SECRET)
        assert status == 202, text
        store = Store.open(f"sqlite:///{tmp_path / 'var' / 'gatehouse.db'}")
        try:
            _wait_for(lambda: store.delivery_counts() == {"completed": 1}, 60,
                      "the worker to complete the delivery", proc)
            assert store.installations()[0]["repos"] == ["acme/api"]
        finally:
            store.close()
        metrics = _get(f"{base}/metrics")[1]
        assert re.search(r'gatehouse_deliveries_total\{event="installation",outcome="done"\} 1\.0',
                         metrics), "the worker's counter reaches the web process's /metrics"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(40) == 0
    log = (tmp_path / "serve.log").read_text()
    assert SECRET not in log and "PRIVATE KEY" not in log


@pytest.mark.browser
def test_setup_page_over_http_in_chromium(tmp_path: Path, chromium: str):
    port = _free_port()
    with serve_process(tmp_path, port) as proc:
        _wait_for(lambda: _get(f"http://127.0.0.1:{port}/healthz")[0] == 200, 60, "web", proc)
        dom = run_chromium(chromium, f"http://127.0.0.1:{port}/", "--dump-dom")
    assert "<h1>Set up Gatehouse</h1>" in dom
    assert 'id="create-app"' in dom and "https://github.com/settings/apps/new?state=" in dom
