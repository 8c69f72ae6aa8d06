"""Our own red-team corpus: the product's quality bar, measured on attacks written for it.

``tests/attack_corpus/malicious`` holds synthetic samples of every kind in the taxonomy (each
``meta.json`` says which kind of public incident it imitates); ``tests/attack_corpus/benign``
holds near-misses, ordinary code that looks risky. The corpus is scanned once; the tests check
the figures a user relies on: recall, how much of it is high, and silence on the near-misses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.cli.eval import CaseResult, evaluate
from reviewer.cli.eval_report import summarise
from reviewer.core.findings import CATEGORIES, Severity

CORPUS = Path(__file__).resolve().parent / "attack_corpus"
RECALL_FLOOR = 0.95
HIGH_FLOOR = 0.80


@pytest.fixture(scope="module")
def results() -> list[CaseResult]:
    return evaluate(CORPUS)


def _misses(results: list[CaseResult], high: bool = False) -> list[str]:
    return [
        r.case.case_id
        for r in results
        if r.case.malicious and not (r.detected_high if high else r.detected)
    ]


def test_the_corpus_covers_every_category_and_scans_without_errors(
    results: list[CaseResult],
) -> None:
    summary = summarise(results)
    assert summary["errors"] == []
    assert set(summary["per_category"]) == set(CATEGORIES)
    assert summary["benign_commits"] >= 10


def test_every_case_marks_lines_in_a_file_its_diff_touches() -> None:
    for meta_path in sorted((CORPUS / "malicious").glob("*/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        diff = (meta_path.parent / "change.diff").read_text(encoding="utf-8")
        assert meta["id"] == meta_path.parent.name
        assert meta["malicious_lines"], meta["id"]
        for path in meta["malicious_lines"]:
            assert f" b/{path}\n" in diff, (meta["id"], path)


def test_recall_on_our_attacks_meets_the_bar(results: list[CaseResult]) -> None:
    summary = summarise(results)
    assert summary["recall"] >= RECALL_FLOOR, f"missed: {_misses(results)}"


def test_most_detections_are_high(results: list[CaseResult]) -> None:
    summary = summarise(results)
    assert summary["recall_high"] >= HIGH_FLOOR, f"not high: {_misses(results, high=True)}"


def test_near_misses_raise_nothing_at_medium_or_above(results: list[CaseResult]) -> None:
    noisy = {
        r.case.case_id: [
            (f["rule_id"], f["start_line"])
            for f in r.findings
            if Severity.parse(f["severity"]) >= Severity.MEDIUM
        ]
        for r in results
        if not r.case.malicious and r.medium_plus
    }
    assert noisy == {}
