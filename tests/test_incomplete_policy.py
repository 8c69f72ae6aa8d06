"""A scan that did not analyse everything is never green: the policy's conclusion, and what the
check run says about each file that was not analysed."""

from __future__ import annotations

import pytest

from reviewer.app.provenance import Provenance
from reviewer.app.repo_config import merge_config, parse_config
from reviewer.app.report import Conclusion, ScanReport, render
from reviewer.app.scan_decision import decide
from reviewer.core.engine import ScanResult
from reviewer.core.findings import Confidence, Finding, Severity, Skipped, SkipReason
from reviewer.errors import ConfigError

NOT_ANALYSED = [
    SkipReason.TOO_LARGE,
    SkipReason.SCAN_BUDGET,
    SkipReason.UNPARSABLE,
    SkipReason.TIMED_OUT,
    SkipReason.WRITE_ERROR,
    SkipReason.NOT_LISTED,
    SkipReason.ANALYZER_ERROR,
    SkipReason.UNDECODABLE,
]
ANALYSED_ENOUGH = [
    SkipReason.BINARY,
    SkipReason.IGNORED,
    SkipReason.PARTLY_PARSED,
    SkipReason.DELETED,
]


def _finding(severity: Severity) -> Finding:
    return Finding(
        "r", "exfiltration", severity, Confidence.HIGH, "app/a.py", 1, 1, "m", evidence="x"
    )


def _config(text: str = ""):
    return merge_config([("t", parse_config(text, "t"))] if text else [])


def test_every_reason_is_classified() -> None:
    assert set(NOT_ANALYSED) | set(ANALYSED_ENOUGH) == set(SkipReason)


@pytest.mark.parametrize("reason", NOT_ANALYSED)
def test_a_file_not_analysed_for_any_reason_asks_for_a_human(reason: SkipReason) -> None:
    result = ScanResult(skipped=[Skipped("app/big.py", reason, "why")])
    d = decide(result, [], Provenance(), _config())
    assert d.conclusion is Conclusion.ACTION_REQUIRED
    assert "app/big.py" in d.reason and reason.value in d.reason


@pytest.mark.parametrize("reason", ANALYSED_ENOUGH)
def test_binary_ignored_and_partly_parsed_files_keep_their_own_rules(reason: SkipReason) -> None:
    result = ScanResult(skipped=[Skipped("assets/x.png", reason, "why")])
    assert decide(result, [], Provenance(), _config()).conclusion is Conclusion.SUCCESS


def test_files_the_scan_never_got_count_too() -> None:
    missing = Skipped("(12 more files)", SkipReason.NOT_LISTED, "beyond GitHub's listing")
    d = decide(ScanResult(), [], Provenance(), _config(), not_fetched=[missing])
    assert d.conclusion is Conclusion.ACTION_REQUIRED and "(12 more files)" in d.reason


def test_a_degraded_scan_is_never_neutral() -> None:
    d = decide(
        ScanResult(errors=["semgrep exited 2"]),
        [_finding(Severity.MEDIUM)],
        Provenance(),
        _config(),
    )
    assert d.conclusion is Conclusion.ACTION_REQUIRED and "1 analysis error" in d.reason


def test_the_policy_can_make_it_a_failure() -> None:
    result = ScanResult(skipped=[Skipped("app/big.py", SkipReason.TOO_LARGE)])
    d = decide(result, [], Provenance(), _config("incomplete: failure\n"))
    assert d.conclusion is Conclusion.FAILURE and d.title == "Analysis incomplete"


def test_a_blocking_finding_still_wins() -> None:
    result = ScanResult(skipped=[Skipped("app/big.py", SkipReason.TOO_LARGE)], errors=["boom"])
    d = decide(result, [_finding(Severity.CRITICAL)], Provenance(), _config())
    assert d.conclusion is Conclusion.FAILURE and "finding" in d.title


def test_the_policy_refuses_a_green_conclusion_for_incomplete_scans() -> None:
    for value in ("neutral", "success", "skip"):
        with pytest.raises(ConfigError, match="incomplete.*action_required, failure"):
            parse_config(f"incomplete: {value}\n", ".github/gatehouse.yml")


def test_the_summary_lists_every_file_not_analysed_before_the_others() -> None:
    skipped = tuple(
        Skipped(f"assets/{n}.png", SkipReason.BINARY, "binary") for n in range(80)
    ) + tuple(Skipped(f"src/{n}.py", SkipReason.TOO_LARGE, "3,000,000 bytes") for n in range(70))
    result = ScanResult(skipped=list(skipped))
    report = ScanReport("a" * 40, decide(result, [], Provenance(), _config()), skipped=skipped)
    summary = render(report).summary
    for n in range(70):
        assert f"`src/{n}.py`: too-large" in summary
    assert summary.index("`src/0.py`") < summary.index("`assets/0.png`")


def test_files_past_the_scan_budget_are_not_analysed_and_named() -> None:
    """Attack: many files (or a few huge ones) first, the payload after the budget."""
    from reviewer.core.analyzers.base import ScanOptions
    from reviewer.core.diff import parse_diff
    from reviewer.core.engine import scan

    def new(path: str, body: str) -> bytes:
        return (
            f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,1 @@\n+{body}\n"
        ).encode()

    cs = parse_diff(new("a.py", "x = 1") + new("b.py", "y = 2" + " " * 100) + new("c.py", "z = 3"))
    by_count = scan(cs, options=ScanOptions(max_files=2), analyzers=[])
    assert [(s.path, s.reason) for s in by_count.not_analysed] == [("c.py", SkipReason.SCAN_BUDGET)]
    by_bytes = scan(cs, options=ScanOptions(max_scan_bytes=50), analyzers=[])
    assert [s.path for s in by_bytes.not_analysed] == ["b.py"]
    d = decide(by_bytes, [], Provenance(), _config())
    assert d.conclusion is Conclusion.ACTION_REQUIRED and "b.py (scan-budget)" in d.reason
