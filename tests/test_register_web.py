"""The live register through Flask's client: sign-in through the fake GitHub's OAuth, who sees
what, filters, exports and the audit trail (the browser test drives the same pages in Chromium)."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakegithub import FakeGitHub
from fakegithub.harness import keypair
from register_support import (
    ACME_PRS,
    APP_ID,
    CLIENT_SECRET,
    authorize_at_fake,
    make_app,
    people,
    settings_for,
    sign_in,
)

from reviewer.errors import ConfigError
from reviewer.service import setup_app
from reviewer.service.register_auth import SessionSealer
from reviewer.service.settings import ENV_FILE, Settings

PUBLIC = "https://gate.acme.test"


@pytest.fixture()
def fake() -> Iterator[FakeGitHub]:
    _, public = keypair()
    with FakeGitHub(app_id=APP_ID, public_key=public) as gh:
        people(gh, PUBLIC)
        yield gh


@pytest.fixture()
def app(tmp_path: Path, fake: FakeGitHub) -> Iterator[Any]:
    from reviewer.service import jobs

    flask_app, store = make_app(tmp_path, fake, PUBLIC)
    yield flask_app
    jobs.reset_jobs()
    store.close()


def _rows(page: str) -> list[tuple[str, str]]:
    body = page.split('id="prs"', 1)[1].split("</table>", 1)[0] if 'id="prs"' in page else ""
    return re.findall(r"<tr><td>([^<]+)</td><td>#(\d+)</td>", body)


def test_anonymous_visitor_is_sent_to_sign_in(app: Any):
    resp = app.test_client().get("/register?tool=Claude+Code")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/register/login?next=")
    for path in ("/register/export.csv", "/register/export.json", "/register/audit.json"):
        assert app.test_client().get(path).status_code == 302, path


def test_member_signs_in_and_sees_only_their_organisation(app: Any, fake: FakeGitHub):
    client = app.test_client()
    done = sign_in(client, "alice", "/register?tool=Claude+Code")
    assert done.status_code == 302 and done.headers["Location"] == "/register?tool=Claude+Code"
    cookie = done.headers.getlist("Set-Cookie")
    session = next(c for c in cookie if c.startswith("gatehouse_register="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Secure" in session
    assert "Path=/register" in session
    page = client.get("/register").get_data(as_text=True)
    shown = set(_rows(page))
    assert shown == {(r, str(n)) for r, n, *_ in ACME_PRS}
    assert "globex" not in page and "secret-plans" not in page and "globex internal" not in page
    assert "Not AI" not in page, "only AI-assisted PRs are listed"
    assert "Signed in as @alice" in page
    assert "test fixture sending to a stub host" in page and ">maint<" in page
    assert "default-src 'none'" in client.get("/register").headers["Content-Security-Policy"]
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert fake.oauth.exchanged == ["alice"]
    calls = [r.path for r in fake.requests]
    assert "/user/installations" in calls and "/user/memberships/orgs/acme" in calls


def test_filters_narrow_the_listing_and_the_exports_match_it(app: Any):
    client = app.test_client()
    sign_in(client, "alice")
    cases = {
        "tool=Claude+Code": {("acme/widgets", "1"), ("acme/api", "7")},
        "vendor=Alibaba+Cloud": {("acme/widgets", "3"), ("acme/api", "8")},
        "repo=acme%2Fapi&verdict=failure": {("acme/api", "8")},
        "since=2026-03-03&until=2026-03-07": {
            ("acme/widgets", "2"),
            ("acme/widgets", "3"),
            ("acme/api", "7"),
        },
        "repo=globex%2Fsecret-plans": set(),  # another org's repository: nothing, not an error
    }
    for qs, expected in cases.items():
        page = client.get(f"/register?{qs}").get_data(as_text=True)
        assert set(_rows(page)) == expected, qs
        csv_rows = list(
            csv.DictReader(
                io.StringIO(client.get(f"/register/export.csv?{qs}").get_data(as_text=True))
            )
        )
        assert {(r["repository"], r["pull_request"]) for r in csv_rows} == expected, qs
        doc = json.loads(client.get(f"/register/export.json?{qs}").get_data(as_text=True))
        assert {
            (p["repository"], str(p["pull_request"])) for p in doc["pull_requests"]
        } == expected, qs
        assert doc["signed_in_as"] == "alice" and doc["organisations"] == ["acme"]
        assert f'href="/register/export.csv?{qs.replace("&", "&amp;")}"' in page, qs


def test_country_filter_uses_the_vendors_home_country(app: Any):
    client = app.test_client()
    sign_in(client, "alice")
    us = client.get("/register/export.json?country=US").get_json()
    assert {p["pull_request"] for p in us["pull_requests"]} == {1, 2, 7}
    assert all("US" in p["countries"] for p in us["pull_requests"])
    page = client.get("/register").get_data(as_text=True)
    assert 'id="chart-countries"' in page and 'id="chart-tool"' in page


def test_charts_count_tools_per_day_bucket(app: Any):
    client = app.test_client()
    sign_in(client, "alice")
    page = client.get("/register").get_data(as_text=True)
    chart = page.split('id="chart-tool"', 1)[1].split("</svg>", 1)[0]
    counts: dict[str, int] = {}
    for series, count in re.findall(
        r'data-series="([^"]+)" data-bucket="[^"]+" '
        r'data-count="(\d+)"',
        chart,
    ):
        counts[series] = counts.get(series, 0) + int(count)
    assert counts == {"Claude Code": 2, "GitHub Copilot": 2, "Qwen Code": 2}


def test_audit_trail_exports_dismissals_and_decisions_of_the_members_org_only(app: Any):
    client = app.test_client()
    sign_in(client, "alice")
    doc = client.get("/register/audit.json").get_json()
    assert [(d["repository"], d["who"], d["why"], d["action"]) for d in doc["dismissals"]] == [
        ("acme/widgets", "maint", "test fixture sending to a stub host", "dismiss")
    ]
    assert [(d["repository"], d["conclusion"]) for d in doc["decisions"]] == [
        ("acme/widgets", "failure")
    ]
    rows = list(
        csv.DictReader(io.StringIO(client.get("/register/audit.csv").get_data(as_text=True)))
    )
    assert [(r["record"], r["repository"]) for r in rows] == [
        ("dismissal", "acme/widgets"),
        ("decision", "acme/widgets"),
    ]


def test_outside_collaborator_and_stranger_are_refused(app: Any):
    for login in ("mallory", "carol"):
        client = app.test_client()
        resp = sign_in(client, login)
        assert resp.status_code == 403, login
        assert "Not a member" in resp.get_data(as_text=True)
        assert not any(
            c.startswith("gatehouse_register=") for c in resp.headers.getlist("Set-Cookie")
        )
        assert client.get("/register").status_code == 302, "no session was opened"


def test_other_org_member_sees_their_own_data_only(app: Any):
    client = app.test_client()
    sign_in(client, "bob")
    page = client.get("/register").get_data(as_text=True)
    assert set(_rows(page)) == {("globex/secret-plans", "4")}
    assert "acme/" not in page


def test_forged_or_replayed_state_is_refused(app: Any, fake: FakeGitHub):
    client = app.test_client()
    to_github = client.get("/register/login")
    back = authorize_at_fake(to_github.headers["Location"], "alice")
    parsed = urllib.parse.urlsplit(back)
    query = urllib.parse.parse_qs(parsed.query)
    forged = client.get(f"/register/callback?code={query['code'][0]}&state=forged")
    assert forged.status_code == 400
    other_browser = app.test_client()
    assert other_browser.get(f"{parsed.path}?{parsed.query}").status_code == 400, (
        "the state is bound to the browser that started the sign-in"
    )
    assert fake.oauth.exchanged == [], "no code is exchanged for a refused callback"


def test_tampered_session_cookie_is_not_a_session(app: Any):
    client = app.test_client()
    sign_in(client, "alice")
    forged = SessionSealer("another-secret-entirely-000000").seal_member(
        __import__("reviewer.service.register_auth", fromlist=["Member"]).Member(
            "eve", ("acme", "globex")
        )
    )
    client.set_cookie("gatehouse_register", forged, path="/register")
    assert client.get("/register").status_code == 302


def test_sign_out_needs_the_pages_token_and_ends_the_session(app: Any):
    client = app.test_client()
    sign_in(client, "alice")
    page = client.get("/register").get_data(as_text=True)
    assert client.post("/register/logout", data={"csrf": "nope"}).status_code == 400
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    out = client.post("/register/logout", data={"csrf": csrf})
    assert out.status_code == 200 and "Signed out" in out.get_data(as_text=True)
    assert client.get("/register").status_code == 302


def test_bad_filter_names_the_value_and_the_fix(app: Any):
    client = app.test_client()
    sign_in(client, "alice")
    resp = client.get("/register?since=yesterday")
    assert resp.status_code == 400
    assert "since=&#x27;yesterday&#x27;" in resp.get_data(
        as_text=True
    ) or "since='yesterday'" in resp.get_data(as_text=True)
    assert "YYYY-MM-DD" in resp.get_data(as_text=True)


def test_listing_is_paged(app: Any, monkeypatch: pytest.MonkeyPatch):
    from reviewer.service import register_web

    monkeypatch.setattr(register_web, "PER_PAGE", 2)
    client = app.test_client()
    sign_in(client, "alice")
    seen: list[tuple[str, str]] = []
    url = "/register"
    for _ in range(5):
        page = client.get(url).get_data(as_text=True)
        seen += _rows(page)
        found = re.search(r'id="next" href="([^"]+)"', page)
        if not found:
            break
        url = found.group(1).replace("&amp;", "&")
    assert len(seen) == len(ACME_PRS) and len(set(seen)) == len(ACME_PRS)
    assert seen[0] == ("acme/api", "8"), "newest first"


def test_register_is_off_without_the_oauth_client(tmp_path: Path, fake: FakeGitHub):
    from reviewer.service import jobs
    from reviewer.service.context import AppContext
    from reviewer.service.web import create_app

    settings = settings_for(
        tmp_path, fake, PUBLIC, GATEHOUSE_OAUTH_CLIENT_ID="", GATEHOUSE_OAUTH_CLIENT_SECRET=""
    )
    ctx = AppContext.create(settings)
    try:
        resp = create_app(context=ctx).test_client().get("/register")
        assert resp.status_code == 404 and "GATEHOUSE_OAUTH_CLIENT_ID" in resp.get_data(True)
    finally:
        jobs.reset_jobs()
        ctx.store.close()


def test_oauth_settings_come_in_pairs():
    with pytest.raises(ConfigError, match="GATEHOUSE_OAUTH_CLIENT_SECRET is not set"):
        Settings.from_env({"GATEHOUSE_OAUTH_CLIENT_ID": "Iv1.x"}, require_app=False)
    with pytest.raises(ConfigError, match="shorter than 20"):
        Settings.from_env(
            {"GATEHOUSE_OAUTH_CLIENT_ID": "Iv1.x", "GATEHOUSE_OAUTH_CLIENT_SECRET": "short"},
            require_app=False,
        )
    s = Settings.from_env(
        {"GATEHOUSE_OAUTH_CLIENT_ID": "Iv1.x", "GATEHOUSE_OAUTH_CLIENT_SECRET": CLIENT_SECRET},
        require_app=False,
    )
    assert CLIENT_SECRET not in repr(s)


def test_manifest_registers_the_callback_and_setup_saves_the_client(tmp_path: Path):
    manifest = setup_app.app_manifest("https://gate.acme.test")
    assert manifest["callback_urls"] == ["https://gate.acme.test/register/callback"]
    setup_app.save_app(
        tmp_path,
        {
            "id": 5,
            "pem": keypair()[0],
            "webhook_secret": "w" * 20,
            "client_id": "Iv1.saved",
            "client_secret": CLIENT_SECRET,
        },
    )
    saved = (tmp_path / ENV_FILE).read_text()
    assert "GATEHOUSE_OAUTH_CLIENT_ID=Iv1.saved" in saved
    assert f"GATEHOUSE_OAUTH_CLIENT_SECRET={CLIENT_SECRET}" in saved


def test_counts_and_charts_follow_a_new_pr_at_once(app: Any):
    """Aggregates are cached per selection; a PR recorded since shows on the next view."""
    client = app.test_client()
    sign_in(client, "alice")
    before = client.get("/register").get_data(as_text=True)
    assert "<b>5</b><span>AI-assisted pull requests" in before
    store = app.extensions["gatehouse"].store
    store.record_ai_change(
        repo="acme/widgets",
        pr=50,
        head_sha="5" * 40,
        author="dev50",
        title="Change 50",
        tools=["Cursor"],
        vendors=["Anysphere"],
        evidence=["label: ai-assisted"],
        ai_assisted=True,
        verdict="success",
        findings_by_category={},
    )
    after = client.get("/register").get_data(as_text=True)
    assert "<b>6</b><span>AI-assisted pull requests" in after
    assert 'data-series="Cursor"' in after and ("acme/widgets", "50") in _rows(after)
