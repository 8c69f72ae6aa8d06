"""The live register in a real headless Chromium: a member signs in through the fake GitHub's
OAuth pages, sees their organisation's PRs and not another's, filters, downloads the exports
(their rows equal what is shown), and a screenshot is saved; a non-member gets 403 and an
anonymous visitor is sent to sign in."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import chromium  # noqa: F401 - fixture
from cdp_browser import CdpBrowser
from fakegithub import FakeGitHub
from fakegithub.harness import keypair
from register_support import ACME_PRS, APP_ID, make_app, people
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

_ROWS_JS = (
    "Array.from(document.querySelectorAll('#prs tbody tr')).map(tr => "
    "Array.from(tr.cells).map(td => td.textContent))"
)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, FakeGitHub]]:
    """Gatehouse over real HTTP on loopback, beside the fake GitHub."""
    from reviewer.service import jobs

    _, public = keypair()
    port = _port()
    base = f"http://127.0.0.1:{port}"
    with FakeGitHub(app_id=APP_ID, public_key=public) as fake:
        people(fake, base)
        app, store = make_app(tmp_path / "var", fake, base)
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield base, fake
        finally:
            server.shutdown()
            server.server_close()
            jobs.reset_jobs()
            store.close()


@pytest.fixture()
def browser(chromium: str, tmp_path: Path) -> Iterator[CdpBrowser]:  # noqa: F811
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    b = CdpBrowser(chromium, downloads=downloads)
    try:
        yield b
    finally:
        b.close()


def _sign_in(b: CdpBrowser, base: str, fake: FakeGitHub, login: str) -> None:
    b.goto(f"{base}/register")
    assert b.url().startswith(f"{fake.url}/login/oauth/authorize?"), b.url()
    b.fill("#login_field", login)
    b.click_and_load("#authorize")


def _shown(b: CdpBrowser) -> list[tuple[str, str]]:
    return [(cells[0], cells[1].lstrip("#")) for cells in b.js(_ROWS_JS)]


def test_member_signs_in_filters_exports_and_the_page_is_drawn(
    served: tuple[str, FakeGitHub], browser: CdpBrowser, tmp_path: Path
) -> None:
    base, fake = served
    _sign_in(browser, base, fake, "alice")
    assert browser.url() == f"{base}/register"
    assert browser.js("document.querySelector('h1').textContent") == "AI-usage register"
    assert set(_shown(browser)) == {(r, str(n)) for r, n, *_ in ACME_PRS}
    text = browser.js("document.body.innerText")
    assert "globex" not in text and "secret-plans" not in text
    assert "@alice" in text
    # The charts are laid out: bars with a size, inside the viewport's width.
    bars = browser.js(
        "Array.from(document.querySelectorAll('#chart-tool rect.bar'))"
        ".map(r => r.getBoundingClientRect().width)"
    )
    assert bars and all(w > 0 for w in bars)
    assert browser.js("document.documentElement.scrollWidth") <= 1280
    assert browser.js(
        "getComputedStyle(document.querySelector('#apply')).backgroundColor"
    ) != browser.js("getComputedStyle(document.querySelector('#apply')).color")

    # Filters: choose a tool in the form and apply.
    browser.js("document.querySelector('#f-tool').value = 'Claude Code'")
    browser.click_and_load("#apply")
    assert "tool=Claude+Code" in browser.url()
    shown = _shown(browser)
    assert set(shown) == {("acme/widgets", "1"), ("acme/api", "7")}

    # The exports hold exactly the rows shown.
    rows = list(csv.DictReader(io.StringIO(browser.download("#export-csv").decode())))
    assert [(r["repository"], r["pull_request"]) for r in rows] == shown
    doc = json.loads(browser.download("#export-json"))
    assert [(p["repository"], str(p["pull_request"])) for p in doc["pull_requests"]] == shown
    assert doc["filters"] == {"tool": "Claude Code"}
    audit = json.loads(browser.download("#audit-json"))
    assert {d["repository"] for d in audit["dismissals"] + audit["decisions"]} == {"acme/widgets"}

    browser.js("document.querySelector('#f-tool').value = ''")
    browser.click_and_load("#apply")
    shot = browser.screenshot(tmp_path / "register.png")
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")

    browser.click_and_load("#logout")
    assert "Signed out" in browser.js("document.body.innerText")


def test_non_member_is_refused_and_anonymous_is_sent_to_sign_in(
    served: tuple[str, FakeGitHub], browser: CdpBrowser
) -> None:
    base, fake = served
    mark = len(browser.events)
    browser.call("Network.enable", session=True)
    browser.goto(f"{base}/register/export.csv")
    assert browser.url().startswith(f"{fake.url}/login/oauth/authorize?"), (
        "an anonymous visitor is sent to sign in, even for an export"
    )
    browser.fill("#login_field", "carol")
    browser.click_and_load("#authorize")
    assert "Not a member" in browser.js("document.body.innerText")
    statuses = [
        e["params"]["response"]["status"]
        for e in browser.events[mark:]
        if e.get("method") == "Network.responseReceived"
        and "/register/callback" in e["params"]["response"]["url"]
    ]
    assert statuses == [403]
