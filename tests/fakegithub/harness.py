"""The App wired to a FakeGitHub: real store, real queue (immediate mode), real HTTP to the fake."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from reviewer.app.webhooks import sign
from reviewer.core.analyzers.semgrep import SemgrepAnalyzer
from reviewer.core.rules import load_semgrep_rules
from reviewer.service.context import AppContext, set_context
from reviewer.service.github_client import RetryPolicy
from reviewer.service.settings import Settings
from reviewer.service.wiring import job_config

from .server import FakeGitHub, FakeRepo

APP_ID = 4242
INSTALLATION = 77
SECRET = "a-webhook-secret-for-tests-only"

# A rule of the tests' own, so the end-to-end tests do not depend on the evolving rule pack.
TEST_RULE = """
rules:
  - id: test-exec-decoded-payload
    languages: [python]
    severity: ERROR
    message: Executes a payload decoded at run time; a classic way to hide a backdoor.
    pattern-either:
      - pattern: exec(base64.b64decode(...))
      - pattern: eval(base64.b64decode(...))
    metadata:
      category: obfuscated-exec
      severity: critical
      confidence: high
      remediation: Remove the decoded execution and ship the code in clear text.
"""


@lru_cache(maxsize=1)
def keypair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def rule_analyzers(tmp: Path) -> list[Any]:
    rules_dir = tmp / "rules"
    rules_dir.mkdir(parents=True, exist_ok=True)
    (rules_dir / "test-exec-decoded-payload.yml").write_text(TEST_RULE, encoding="utf-8")
    analyzer = SemgrepAnalyzer()
    analyzer._rules = load_semgrep_rules(rules_dir)
    return [analyzer]


@dataclass
class Harness:
    fake: FakeGitHub
    ctx: AppContext
    app: Any
    client: Any
    repo: FakeRepo

    def close(self) -> None:
        """Leave the process's queue and context as other tests expect them."""
        from reviewer.service import jobs

        jobs.get_huey().immediate = False
        jobs.init_jobs(self.ctx.settings, config=job_config())
        set_context(None)
        self.ctx.store.close()

    def deliver(
        self,
        event: str,
        payload: dict[str, Any],
        *,
        delivery_id: str | None = None,
        secret: str = SECRET,
        signature: str | None = None,
    ) -> Any:
        body = json.dumps(payload).encode()
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
            "X-Hub-Signature-256": signature if signature is not None else sign(body, secret),
            "Content-Type": "application/json",
        }
        return self.client.post("/webhook", data=body, headers=headers)

    def pr_payload(self, action: str, number: int, **extra: Any) -> dict[str, Any]:
        pr = self.repo.pulls[number]
        payload = {
            "action": action,
            "number": number,
            "pull_request": {
                "number": number,
                "state": pr["state"],
                "title": pr["title"],
                "body": pr["body"],
                "user": pr["user"],
                "labels": pr["labels"],
                "draft": False,
                "head": dict(pr["head"]),
                "base": dict(pr["base"]),
            },
            "repository": {
                "full_name": self.repo.full_name,
                "name": self.repo.full_name.split("/")[1],
                "default_branch": self.repo.default_branch,
                "owner": {"login": self.repo.full_name.split("/")[0]},
            },
            "installation": {"id": INSTALLATION},
            "sender": pr["user"],
        }
        payload.update(extra)
        return payload

    def comment_payload(
        self,
        number: int,
        body: str,
        *,
        user: str = "maintainer",
        user_type: str = "User",
        comment_id: int = 555,
    ) -> dict[str, Any]:
        return {
            "action": "created",
            "issue": {
                "number": number,
                "pull_request": {"url": f"https://example.invalid/pulls/{number}"},
            },
            "comment": {"id": comment_id, "body": body, "user": {"login": user, "type": user_type}},
            "repository": {
                "full_name": self.repo.full_name,
                "default_branch": self.repo.default_branch,
            },
            "installation": {"id": INSTALLATION},
            "sender": {"login": user, "type": user_type},
        }


def build(tmp: Path, fake: FakeGitHub, *, analyzers: list[Any] | None = None) -> Harness:
    """Store in ``tmp``, huey in immediate mode, the App's context and Flask test client."""
    from reviewer.service import jobs
    from reviewer.service.store import Store
    from reviewer.service.web import create_app

    private, _ = keypair()
    settings = Settings.from_env(
        {
            "GATEHOUSE_APP_ID": str(APP_ID),
            "GATEHOUSE_PRIVATE_KEY": private,
            "GATEHOUSE_WEBHOOK_SECRET": SECRET,
            "GATEHOUSE_GITHUB_API_URL": fake.url,
            "GATEHOUSE_DATA_DIR": str(tmp),
            "GATEHOUSE_QUEUE_URL": "memory:",
        }
    )
    store = Store.open(settings.database_url)
    policy = RetryPolicy(write_interval_s=0, backoff_base_s=0.01, max_backoff_s=0.05)
    ctx = AppContext.create(
        settings,
        store=store,
        policy=policy,
        analyzers=analyzers if analyzers is not None else rule_analyzers(tmp),
    )
    jobs.init_jobs(settings, config=job_config(context=lambda: ctx))
    jobs.get_huey().immediate = True
    set_context(ctx)
    app = create_app(context=ctx)
    fake.add_installation(INSTALLATION, "acme")
    repo = fake.repos.get("acme/widgets") or fake.add_repo("acme/widgets")
    return Harness(fake=fake, ctx=ctx, app=app, client=app.test_client(), repo=repo)
