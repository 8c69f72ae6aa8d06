"""AI governance end to end: undeclared AI signals, AI egress policy, sensitive repositories,
and the audit trail of decisions, through the fake GitHub over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fakegithub import FakeGitHub
from fakegithub.harness import APP_ID, Harness, build, keypair, rule_analyzers

from reviewer.core.analyzers.ai_egress import AIEgressAnalyzer
from reviewer.registry_report import build_report, render

BASE = {"app/__init__.py": "", "app/util.py": "def add(a, b):\n    return a + b\n"}
CONFIG = ".github/gatehouse.yml"
UPLOADER = """import pathlib

import requests

API = "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions"


def review(root):
    chunks = [p.read_text() for p in pathlib.Path(root).rglob("*.py")]
    body = {"model": "qwen-max", "messages": [{"role": "user", "content": "\\n".join(chunks)}]}
    return requests.post(API, json=body, timeout=30)
"""
OPENAI_REVIEW = """import pathlib

from openai import OpenAI

client = OpenAI()


def review(root):
    code = "\\n".join(p.read_text() for p in pathlib.Path(root).rglob("*.py"))
    msgs = [{"role": "user", "content": code}]
    return client.chat.completions.create(model="gpt-4o", messages=msgs)
"""


@pytest.fixture
def fake() -> Any:
    _, public = keypair()
    with FakeGitHub(app_id=APP_ID, public_key=public) as gh:
        yield gh


@pytest.fixture
def h(tmp_path: Path, fake: FakeGitHub) -> Any:
    harness = build(tmp_path, fake, analyzers=[*rule_analyzers(tmp_path), AIEgressAnalyzer()])
    yield harness
    harness.close()


def _open(
    h: Harness,
    commits: list[tuple[dict[str, str], str]],
    *,
    config: str | None = None,
    body: str = "",
) -> str:
    base_files = dict(BASE, **({CONFIG: config} if config is not None else {}))
    parent = h.repo.commit(base_files, branch="main")
    base = parent
    for files, message in commits:
        parent = h.repo.commit(files, parent=parent, message=message)
    h.repo.open_pull(1, base=base, head=parent, body=body)
    assert h.deliver("pull_request", h.pr_payload("opened", 1)).status_code == 202
    return parent


def _run(h: Harness, sha: str) -> dict[str, Any]:
    runs = h.repo.runs_for(sha)
    assert len(runs) == 1 and runs[0]["status"] == "completed", runs
    assert h.fake.violations == [], h.fake.violations
    return runs[0]


def test_undeclared_qwen_use_shows_as_a_signal_and_puts_the_pr_under_scan(h: Harness) -> None:
    """No label, no trailer in the head commit, no body marker: QWEN.md and a Qwen co-author
    trailer in an earlier commit are signals; under the default `ai-signals` the PR is scanned."""
    head = _open(
        h,
        [
            (
                {"QWEN.md": "# Project notes\nRun `make test`.\n"},
                "Add notes\n\nCo-authored-by: Qwen-Coder <qwen-coder@alibabacloud.com>",
            ),
            ({"app/util.py": "def add(a, b):\n    return b + a\n"}, "Tidy"),
        ],
    )
    run = _run(h, head)
    summary = run["output"]["summary"]
    assert not run["output"]["title"].startswith("Skipped")
    assert run["conclusion"] == "success", summary
    assert "### AI signals" in summary
    assert "Qwen Code (Alibaba Cloud, CN), medium" in summary and "QWEN.md" in summary
    first = h.repo.history(head, h.repo.branches["main"])[0]
    assert f"commit {first[:7]}" in summary  # the trailer of the non-head commit
    assert "describes the change, not the person" in summary


def test_signals_are_shown_but_not_counted_under_ai_assisted(h: Harness) -> None:
    head = _open(h, [({"QWEN.md": "notes\n"}, "Add notes")], config="scan: ai-assisted\n")
    run = _run(h, head)
    assert run["conclusion"] == "neutral" and run["output"]["title"].startswith("Skipped")
    assert (
        "shown, not counted" in run["output"]["summary"] and "Qwen Code" in run["output"]["summary"]
    )


def test_signals_count_for_require_human_for(h: Harness) -> None:
    head = _open(
        h, [({"QWEN.md": "notes\n"}, "Add notes")], config="require_human_for:\n  countries: [CN]\n"
    )
    run = _run(h, head)
    assert run["conclusion"] == "action_required"
    assert "Qwen Code (Alibaba Cloud, CN)" in run["output"]["summary"]


def test_source_files_posted_to_an_llm_api_abroad_is_medium_egress(h: Harness) -> None:
    head = _open(h, [({"tools/review.py": UPLOADER}, "Add review helper\n\nAssisted-by: Copilot")])
    run = _run(h, head)
    notes = [a for a in run["annotations"] if a["path"] == "tools/review.py"]
    assert [a["title"] for a in notes] == ["[medium] ai-egress: ai-egress-source"]
    assert "Alibaba Cloud (CN)" in notes[0]["message"] and "source files" in notes[0]["message"]
    assert run["conclusion"] == "neutral"  # medium, below the default fail_on: high


def test_egress_to_a_blocked_country_needs_a_human(h: Harness) -> None:
    head = _open(
        h,
        [({"tools/review.py": UPLOADER}, "Add review helper\n\nAssisted-by: Copilot")],
        config="ai_egress:\n  blocked_countries: [CN]\n",
    )
    run = _run(h, head)
    assert run["conclusion"] == "action_required", run["output"]["summary"]
    assert run["output"]["title"] == "AI egress to a blocked vendor"
    assert "Alibaba Cloud (CN) in tools/review.py" in run["output"]["summary"]


def test_sensitive_repository_by_topic_scans_undeclared_prs_and_blocks_unlisted_vendors(
    h: Harness,
) -> None:
    h.repo.topics = ["payments", "sensitive"]
    head = _open(h, [({"tools/review.py": OPENAI_REVIEW}, "Add review helper")])
    run = _run(h, head)
    summary = run["output"]["summary"]
    assert run["conclusion"] == "action_required", summary
    assert (
        "OpenAI (US)" in summary
        and "sensitive repository (repository topic 'sensitive')" in summary
    )
    assert "scan: all" in summary


def test_sensitive_repository_allows_listed_vendors(h: Harness) -> None:
    config = "sensitive: true\nai_egress:\n  allowed_vendors: [OpenAI]\n"
    head = _open(h, [({"tools/review.py": OPENAI_REVIEW}, "Add review helper")], config=config)
    run = _run(h, head)
    assert run["conclusion"] == "neutral", run["output"][
        "summary"
    ]  # the medium finding, not a block
    assert "sensitive: true" in run["output"]["summary"]


def test_every_decision_is_in_the_audit_trail_and_the_registry_export(h: Harness) -> None:
    h.repo.topics = ["sensitive"]
    head = _open(h, [({"QWEN.md": "notes\n", "tools/review.py": UPLOADER}, "Add helper")])
    assert _run(h, head)["conclusion"] == "action_required"
    assert (
        h.deliver(
            "check_run",
            {
                "action": "rerequested",
                "check_run": {
                    "name": "Gatehouse",
                    "head_sha": head,
                    "pull_requests": [{"number": 1}],
                },
                "repository": {"full_name": h.repo.full_name},
                "installation": {"id": 77},
            },
        ).status_code
        == 202
    )
    decisions = h.ctx.store.decisions(h.repo.full_name, 1)
    assert [d["conclusion"] for d in decisions] == ["action_required", "action_required"]
    assert [d["trigger"] for d in decisions] == ["opened", "rerequested"]
    d = decisions[0]
    assert d["sensitive"] and d["signals_counted"] and "sensitive repository" in d["policy"]
    assert "Alibaba Cloud (CN)" in d["reason"]
    assert [(s["tool"], s["country"], s["kind"]) for s in d["signals"]] == [
        ("Qwen Code", "CN", "agent-file")
    ]

    report = build_report(
        h.ctx.store.registry(), h.ctx.store.dismissals(), decisions=h.ctx.store.decisions()
    )
    doc = json.loads(render(report, "json"))
    assert doc["pull_requests"][0]["sensitive"] is True
    assert doc["pull_requests"][0]["signals"][0]["tool"] == "Qwen Code"
    assert len(doc["decisions"]) == 2 and doc["decisions"][0]["policy"] == d["policy"]
    csv_text = render(report, "csv").decode()
    header, row = csv_text.splitlines()[:2]
    assert header.endswith("sensitive,ai_signals,decisions")
    assert (
        "agent-file: Qwen Code (Alibaba Cloud, CN), medium" in row
        and row.count("action_required:") == 2
    )


def test_decisions_cannot_be_rewritten(h: Harness) -> None:
    import sqlalchemy as sa

    head = _open(h, [({"QWEN.md": "notes\n"}, "Add notes")])
    _run(h, head)
    with pytest.raises(sa.exc.SQLAlchemyError):
        with h.ctx.store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE policy_decisions SET conclusion = 'success'"))
    with pytest.raises(sa.exc.SQLAlchemyError):
        with h.ctx.store.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM policy_decisions"))
    assert len(h.ctx.store.decisions()) == 1
