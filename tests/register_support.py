"""The live register wired to a fake GitHub: settings with the App's OAuth client, a store with
PRs of two organisations, and sign-in through the fake's OAuth pages."""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fakegithub.harness import keypair
from fakegithub.server import FakeGitHub

from reviewer.service.context import AppContext
from reviewer.service.settings import Settings
from reviewer.service.store import Store
from reviewer.service.wiring import job_config

CLIENT_ID = "Iv1.register0test"
CLIENT_SECRET = "register-client-secret-" + "z" * 20
APP_ID = 4343
DAY = 86400.0
BASE_TIME = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC).timestamp()  # a Monday

# (repo, pr, tools, vendors, verdict, days after BASE_TIME, merged)
ACME_PRS = [
    ("acme/widgets", 1, ["Claude Code"], ["Anthropic"], "failure", 0, True),
    ("acme/widgets", 2, ["GitHub Copilot"], ["GitHub (Microsoft)"], "success", 1, True),
    ("acme/widgets", 3, ["Qwen Code"], ["Alibaba Cloud"], "action_required", 3, None),
    (
        "acme/api",
        7,
        ["Claude Code", "GitHub Copilot"],
        ["Anthropic", "GitHub (Microsoft)"],
        "success",
        5,
        False,
    ),
    ("acme/api", 8, ["Qwen Code"], ["Alibaba Cloud"], "failure", 9, None),
]
OTHER_PRS = [("globex/secret-plans", 4, ["Claude Code"], ["Anthropic"], "success", 2, True)]


def settings_for(tmp: Path, fake: FakeGitHub, public_url: str, **extra: str) -> Settings:
    private, _ = keypair()
    return Settings.from_env(
        {
            "GATEHOUSE_APP_ID": str(APP_ID),
            "GATEHOUSE_PRIVATE_KEY": private,
            "GATEHOUSE_WEBHOOK_SECRET": "a-webhook-secret-for-tests-only",
            "GATEHOUSE_GITHUB_API_URL": fake.url,
            "GATEHOUSE_DATA_DIR": str(tmp),
            "GATEHOUSE_QUEUE_URL": "memory:",
            "GATEHOUSE_PUBLIC_URL": public_url,
            "GATEHOUSE_OAUTH_CLIENT_ID": CLIENT_ID,
            "GATEHOUSE_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
            "GATEHOUSE_METRICS_BIND": "off",
            **extra,
        }
    )


def people(fake: FakeGitHub, public_url: str) -> None:
    """acme and globex installed the App; alice is in acme, bob in globex, mallory is an
    outside collaborator of acme (pending invitation, no membership), carol is in no org."""
    fake.add_installation(101, "acme")
    fake.add_installation(102, "globex")
    fake.oauth.set_client(CLIENT_ID, CLIENT_SECRET, f"{public_url}/register/callback")
    fake.oauth.add_user("alice", orgs={"acme": "active"})
    fake.oauth.add_user("bob", orgs={"globex": "active"})
    fake.oauth.add_user("mallory", orgs={"acme": "pending"})
    fake.oauth.add_user("carol")


def seed(store: Any) -> None:
    """The PRs of both organisations, two dismissals and a decision for each org."""
    for repo, pr, tools, vendors, verdict, _day, merged in ACME_PRS + OTHER_PRS:
        store.record_ai_change(
            repo=repo,
            pr=pr,
            head_sha=f"{pr:040x}",
            author=f"dev{pr}",
            title=f"Change {pr}",
            tools=tools,
            vendors=vendors,
            evidence=["label: ai-assisted"],
            ai_assisted=True,
            verdict=verdict,
            findings_by_category={"exfiltration": 1} if verdict == "failure" else {},
            merged=merged,
        )
    store.record_ai_change(
        repo="acme/widgets",
        pr=99,
        head_sha="9" * 40,
        author="human",
        title="Not AI",
        tools=[],
        vendors=[],
        evidence=[],
        ai_assisted=False,
        verdict="neutral",
        findings_by_category={},
    )
    with store.engine.begin() as conn:
        for repo, pr, *_rest in ACME_PRS + OTHER_PRS:
            day = _rest[3]
            conn.execute(
                sa.text("UPDATE ai_changes SET first_seen_at = :t WHERE repo = :r AND pr = :p"),
                {"t": BASE_TIME + day * DAY, "r": repo, "p": pr},
            )
    store.add_dismissal(
        "acme/widgets",
        1,
        "f" * 64,
        rule_id="exfil-post",
        path="app.py",
        who="maint",
        reason="test fixture sending to a stub host",
        head_sha=f"{1:040x}",
    )
    store.add_dismissal(
        "globex/secret-plans",
        4,
        "e" * 64,
        rule_id="exfil-post",
        path="plans.py",
        who="globex-lead",
        reason="globex internal reason",
        head_sha=f"{4:040x}",
    )
    for repo, pr, conclusion in (
        ("acme/widgets", 1, "failure"),
        ("globex/secret-plans", 4, "success"),
    ):
        scan = store.begin_scan(repo, pr, f"{pr:040x}", installation_id=101, trigger="opened")
        store.update_scan(
            scan.id,
            state="completed",
            conclusion=conclusion,
            finished_at=BASE_TIME + DAY,
            findings_count=1,
        )
        if hasattr(store, "record_decision"):  # the store keeps the decisions themselves
            store.record_decision(
                scan_id=scan.id,
                repo=repo,
                pr=pr,
                head_sha=f"{pr:040x}",
                trigger="opened",
                conclusion=conclusion,
                title=conclusion,
                reason=f"{repo} decided {conclusion}",
                policy="fail_on: high",
                sensitive=False,
                signals_counted=False,
                signals=[],
            )


def make_app(tmp: Path, fake: FakeGitHub, public_url: str) -> tuple[Any, Any]:
    """(Flask app, store) with the register on, seeded."""
    from reviewer.service import jobs
    from reviewer.service.web import create_app

    settings = settings_for(tmp, fake, public_url)
    store = Store.open(settings.database_url)
    ctx = AppContext.create(settings, store=store)
    jobs.init_jobs(settings, config=job_config(context=lambda: ctx))
    seed(store)
    return create_app(context=ctx), store


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def authorize_at_fake(authorize_url: str, login: str) -> str:
    """What a person does on GitHub's page: sign in as ``login`` and authorize. Returns the
    callback URL GitHub sends the browser to."""
    with urllib.request.urlopen(authorize_url, timeout=10) as resp:
        page = resp.read().decode()
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    fields["login"] = login
    base = authorize_url.split("/login/oauth/authorize", 1)[0]
    opener = urllib.request.build_opener(_NoRedirect)
    req = urllib.request.Request(
        f"{base}/login/oauth/authorize", method="POST", data=urllib.parse.urlencode(fields).encode()
    )
    try:
        opener.open(req, timeout=10)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302, exc.code
        return str(exc.headers["Location"])
    raise AssertionError("the fake's authorize page did not redirect")


def sign_in(client: Any, login: str, path: str = "/register") -> Any:
    """Sign in through the register's own redirects and the fake's OAuth page; returns the
    callback's response."""
    first = client.get(path)
    assert first.status_code == 302 and "/register/login" in first.headers["Location"]
    to_github = client.get(first.headers["Location"])
    assert to_github.status_code == 302
    back = authorize_at_fake(to_github.headers["Location"], login)
    parsed = urllib.parse.urlsplit(back)
    return client.get(f"{parsed.path}?{parsed.query}")
