"""Run the fake GitHub on loopback with a seeded AI-assisted PR, for trying the real service.

PYTHONPATH=tests .venv/bin/python -m fakegithub.demo --port 8099 --dir var/demo
# in another shell, with the printed environment:
.venv/bin/gatehouse serve --bind 127.0.0.1:8000
# back in the first shell press Enter: a signed pull_request event is delivered and
# the check run, annotations and review comments the App posted are printed.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from reviewer.app.webhooks import sign

from .harness import keypair
from .server import FakeGitHub, FakeRepo

APP_ID = 4242
INSTALLATION = 77
SECRET = "demo-webhook-secret-0123456789"
REPO = "acme/widgets"
BACKDOOR = """import base64
import os

PAYLOAD = "cHJpbnQoJ2hlbGxvJyk="


def init():
    if os.environ.get("CI"):
        return
    exec(base64.b64decode(PAYLOAD))
"""
BACKDOOR_LINE = 10


def seed(fake: FakeGitHub) -> FakeRepo:
    """An installation, a repository and PR #1: an AI-assisted change that adds a backdoor."""
    fake.add_installation(INSTALLATION, "acme")
    repo = fake.add_repo(REPO)
    repo.permissions["maintainer"] = "write"
    base = repo.commit(
        {"app/__init__.py": "", "app/util.py": "def add(a, b):\n    return a + b\n"}, branch="main"
    )
    head = repo.commit(
        {"app/telemetry.py": BACKDOOR},
        parent=base,
        message="Add telemetry\n\nCo-authored-by: Copilot <copilot@users.noreply.github.com>",
    )
    repo.open_pull(1, base=base, head=head, title="Add telemetry")
    return repo


def service_env(fake: FakeGitHub, data_dir: Path) -> dict[str, str]:
    """The environment that points a Gatehouse service at ``fake``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    key = data_dir / "app.pem"
    key.write_text(keypair()[0])
    key.chmod(0o600)
    return {
        "GATEHOUSE_APP_ID": str(APP_ID),
        "GATEHOUSE_PRIVATE_KEY_PATH": str(key),
        "GATEHOUSE_WEBHOOK_SECRET": SECRET,
        "GATEHOUSE_GITHUB_API_URL": fake.url,
        "GATEHOUSE_DATA_DIR": str(data_dir),
    }


def pr_event(repo: FakeRepo, action: str, number: int = 1) -> dict[str, Any]:
    pr = repo.pulls[number]
    return {
        "action": action,
        "number": number,
        "pull_request": {
            "number": number,
            "state": "open",
            "title": pr["title"],
            "body": pr["body"],
            "user": pr["user"],
            "labels": pr["labels"],
            "head": dict(pr["head"]),
            "base": dict(pr["base"]),
        },
        "repository": {"full_name": repo.full_name, "default_branch": repo.default_branch},
        "installation": {"id": INSTALLATION},
    }


def comment_event(
    repo: FakeRepo, text: str, *, user: str = "maintainer", number: int = 1
) -> dict[str, Any]:
    return {
        "action": "created",
        "issue": {
            "number": number,
            "pull_request": {"url": f"https://example.invalid/pulls/{number}"},
        },
        "comment": {
            "id": int(time.time() * 1000) % 10**9,
            "body": text,
            "user": {"login": user, "type": "User"},
        },
        "repository": {"full_name": repo.full_name, "default_branch": repo.default_branch},
        "installation": {"id": INSTALLATION},
    }


def deliver(service_url: str, event: str, payload: dict[str, Any]) -> requests.Response:
    """POST a signed webhook delivery to a running service."""
    body = json.dumps(payload).encode()
    return requests.post(
        f"{service_url.rstrip('/')}/webhook",
        data=body,
        timeout=10,
        headers={
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": sign(body, SECRET),
            "Content-Type": "application/json",
        },
    )


def wait_for_runs(
    repo: FakeRepo, sha: str, count: int, timeout_s: float = 60.0
) -> list[dict[str, Any]]:
    """The check runs on ``sha`` once ``count`` of them are completed."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        runs = repo.runs_for(sha)
        if len([r for r in runs if r["status"] == "completed"]) >= count:
            return runs
        time.sleep(0.1)
    raise TimeoutError(
        f"{count} completed check run(s) on {sha[:12]} did not appear in {timeout_s}s"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description="fake GitHub for trying Gatehouse")
    ap.add_argument("--port", type=int, default=8099)
    ap.add_argument("--dir", default="var/demo", help="where the demo App key and data live")
    ap.add_argument("--service", default="http://127.0.0.1:8000")
    args = ap.parse_args()
    fake = FakeGitHub(app_id=APP_ID, public_key=keypair()[1]).start(port=args.port)
    repo = seed(fake)
    env = service_env(fake, Path(args.dir).resolve())
    print("Fake GitHub at", fake.url)
    print("Start the service with:\n")
    print("  " + " ".join(f"{k}={v}" for k, v in env.items()) + " .venv/bin/gatehouse serve\n")
    input(f"Press Enter to deliver a signed pull_request event to {args.service} ...")
    head = repo.pulls[1]["head"]["sha"]
    print(
        "webhook answered",
        deliver(args.service, "pull_request", pr_event(repo, "opened")).status_code,
    )
    run = wait_for_runs(repo, head, 1)[0]
    print(
        f"check run {run['name']!r}: {run['conclusion']}, {len(run['annotations'])} annotation(s)"
    )
    for c in repo.review_comments:
        print(f"  inline comment on {c['path']} line {c['line']}")
    fake.stop()


if __name__ == "__main__":
    main()
