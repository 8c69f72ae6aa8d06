"""Check-run rendering: what the summary says, and GitHub's size and count limits."""

from __future__ import annotations

from reviewer.app.report import (
    MAX_SUMMARY,
    RESCAN_ACTION,
    Conclusion,
    Decision,
    ScanReport,
    annotation_batches,
    render,
)
from reviewer.core.findings import Confidence, Finding, Severity, Skipped, SkipReason


def _finding(i: int, sev: Severity = Severity.HIGH, cat: str = "exfiltration") -> Finding:
    return Finding(
        f"rule-{i % 7}",
        cat,
        sev,
        Confidence.HIGH,
        f"src/file_{i}.py",
        i + 1,
        i + 2,
        f"message {i} | with a pipe <b>and html</b>",
        "remove it",
        "code",
        f"{i:032x}",
    )


DECISION = Decision(
    Conclusion.FAILURE,
    "2 finding(s) at high or worse",
    "2 findings at or above high.",
    "scan: ai-assisted, fail on: high or worse (built-in defaults)",
)


def test_summary_has_counts_provenance_skips_and_policy() -> None:
    report = ScanReport(
        "a" * 40,
        DECISION,
        findings=(
            _finding(1),
            _finding(2, Severity.CRITICAL, "reverse-shell"),
            _finding(3, Severity.MEDIUM),
        ),
        skipped=(Skipped("assets/logo.png", SkipReason.BINARY, "binary content is not analysed"),),
        errors=("semgrep timeout on big.py",),
        notes=("GitHub lists at most 3,000 files",),
        provenance="Claude Code (Anthropic, US)",
        provenance_evidence=("trailer: Co-Authored-By: Claude",),
        ai_assisted=True,
    )
    out = render(report)
    s = out.summary
    assert "Conclusion **failure**" in s and "fail on: high or worse" in s
    assert "| critical | 1 |" in s and "| high | 1 |" in s and "| medium | 1 |" in s
    assert "| reverse-shell | 1 |" in s and "| exfiltration | 2 |" in s
    assert "Claude Code (Anthropic, US)" in s
    assert "`assets/logo.png`: binary" in s
    assert "semgrep timeout" in s and "3,000 files" in s
    assert "<b>" not in s
    assert out.title == DECISION.title


def test_annotations_levels_and_required_fields() -> None:
    out = render(
        ScanReport(
            "a" * 40,
            DECISION,
            findings=(
                _finding(1, Severity.CRITICAL),
                _finding(2, Severity.MEDIUM),
                _finding(3, Severity.LOW),
            ),
        )
    )
    levels = [a["annotation_level"] for a in out.annotations]
    assert levels == ["failure", "warning", "notice"]
    for a in out.annotations:
        assert {"path", "start_line", "end_line", "annotation_level", "message"} <= set(a)
        assert a["end_line"] >= a["start_line"] >= 1 and len(a["title"]) <= 255


def test_huge_reports_stay_within_githubs_limits() -> None:
    findings = tuple(_finding(i) for i in range(3000))
    skipped = tuple(Skipped(f"big/{i}.bin", SkipReason.BINARY, "x" * 300) for i in range(3000))
    out = render(
        ScanReport(
            "a" * 40,
            DECISION,
            findings=findings,
            skipped=skipped,
            errors=tuple("e" * 500 for _ in range(100)),
        )
    )
    assert len(out.summary) <= MAX_SUMMARY
    batches = annotation_batches(out.annotations)
    assert all(len(b) <= 50 for b in batches) and sum(map(len, batches)) == len(out.annotations)
    assert annotation_batches(()) == [[]]


def test_rescan_button_fits_githubs_limits() -> None:
    assert len(RESCAN_ACTION["label"]) <= 20
    assert len(RESCAN_ACTION["description"]) <= 40
    assert len(RESCAN_ACTION["identifier"]) <= 20


def test_not_scanned_report_says_why() -> None:
    d = Decision(
        Conclusion.NEUTRAL,
        "Skipped: no sign of AI assistance",
        "the policy scans AI-assisted PRs only",
        "scan: ai-assisted",
    )
    s = render(ScanReport("b" * 40, d, scanned=False)).summary
    assert "no sign found" in s and "Findings" not in s and "neutral" in s
