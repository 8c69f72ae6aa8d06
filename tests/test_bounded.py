"""The bounded child: an analyzer that loops or allocates without end is stopped and reported."""

from __future__ import annotations

import time

import pytest

from reviewer.core.analyzers.base import AnalyzerOutput, ScanOptions
from reviewer.core.analyzers.secrets import SecretAnalyzer
from reviewer.core.bounded import Breach, Limits, Task, run_bounded, supported
from reviewer.core.diff import parse_diff
from reviewer.core.engine import scan, scan_many
from reviewer.core.findings import SkipReason

pytestmark = pytest.mark.skipif(not supported(), reason="needs fork and resource limits (POSIX)")


def new_file(path: str, body: str) -> bytes:
    lines = body.split("\n")[:-1] if body.endswith("\n") else body.split("\n")
    hunk = "".join(f"+{ln}\n" for ln in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{hunk}"
    ).encode()


SECRET = 'API_KEY = "Zx81Qm0pLr7TvW2nKs9d"\n'


class Runaway:
    """An analyzer that never returns (a backtracking pattern, in the small)."""

    name = "runaway"

    def analyze(self, files, ctx) -> AnalyzerOutput:
        while True:
            time.sleep(0.01)


class Hog:
    """An analyzer that allocates until something stops it."""

    name = "hog"

    def analyze(self, files, ctx) -> AnalyzerOutput:
        chunks = []
        while True:
            chunks.append(bytearray(64 << 20))


class Burner:
    """An analyzer that spins the CPU on a pattern that backtracks (the real thing, made small)."""

    name = "burner"

    def analyze(self, files, ctx) -> AnalyzerOutput:
        import re

        re.match(r"(a*)*b", "a" * 40)
        return AnalyzerOutput()


def test_an_analyzer_that_never_returns_is_reported_timed_out_and_what_it_left_unrun_too():
    options = ScanOptions(analysis_time_limit_s=1)
    result = scan(
        parse_diff(new_file("app/settings.py", SECRET)),
        options=options,
        analyzers=[SecretAnalyzer(), Runaway(), Burner()],
    )
    assert result.degraded
    assert any("runaway timed out" in e for e in result.errors), result.errors
    assert any("burner not run" in e for e in result.errors), result.errors
    assert {(s.path, s.reason, s.analyzer) for s in result.skipped} == {
        ("app/settings.py", SkipReason.TIMED_OUT, "runaway"),
        ("app/settings.py", SkipReason.TIMED_OUT, "burner"),
    }
    assert [f.rule_id for f in result.findings] == ["secret-generic-assignment"]


def test_a_backtracking_pattern_is_stopped_by_the_time_limit():
    result = scan(
        parse_diff(new_file("a.py", "x = 1\n")),
        options=ScanOptions(analysis_time_limit_s=1),
        analyzers=[Burner()],
    )
    assert result.degraded and "burner timed out" in result.errors[0]
    assert [(s.path, s.reason) for s in result.skipped] == [("a.py", SkipReason.TIMED_OUT)]


def test_an_analyzer_that_allocates_without_end_hits_the_memory_limit():
    options = ScanOptions(analysis_time_limit_s=30, analysis_memory_limit_bytes=256 << 20)
    result = scan(
        parse_diff(new_file("app/settings.py", SECRET)),
        options=options,
        analyzers=[Hog(), SecretAnalyzer()],
    )
    # A memory breach leaves the scan's time: the next analyzer runs in a new child.
    assert any("hog memory limit" in e for e in result.errors), result.errors
    assert any(s.path == "app/settings.py" and s.analyzer == "hog" for s in result.skipped)
    assert [f.rule_id for f in result.findings] == ["secret-generic-assignment"]


def test_each_change_of_a_batch_has_its_own_time_budget():
    class SlowOnOne:
        name = "slow-on-one"

        def analyze(self, files, ctx) -> AnalyzerOutput:
            if any(f.path == "slow.py" for f in files):
                while True:
                    time.sleep(0.01)
            return AnalyzerOutput()

    changes = [
        parse_diff(new_file("slow.py", "x = 1\n")),
        parse_diff(new_file("app/settings.py", SECRET)),
    ]
    slow, fine = scan_many(
        changes,
        options=ScanOptions(analysis_time_limit_s=1),
        analyzers=[SlowOnOne(), SecretAnalyzer()],
    )
    assert slow.degraded and not fine.degraded
    assert [f.rule_id for f in fine.findings] == ["secret-generic-assignment"]


def test_an_exception_in_the_child_is_an_analyzer_error_with_its_message():
    class Broken:
        name = "broken"

        def analyze(self, files, ctx) -> AnalyzerOutput:
            raise RuntimeError("boom")

    result = scan(parse_diff(new_file("a.py", "x = 1\n")), analyzers=[Broken()])
    assert result.errors == ["analyzer broken failed: RuntimeError: boom"]
    assert [(s.path, s.reason) for s in result.skipped] == [("*", SkipReason.ANALYZER_ERROR)]


def test_run_bounded_gives_values_in_order_and_marks_what_a_used_up_budget_left_unrun():
    def forever() -> int:
        while True:
            time.sleep(0.01)

    tasks = [
        Task(run=lambda: 1, group="a"),
        Task(run=forever, group="a"),
        Task(run=lambda: 3, group="a"),
        Task(run=lambda: 4, group="b"),
    ]
    first, hung, after, other = run_bounded(tasks, limits=Limits(time_s=0.5, memory_bytes=0))
    assert (first.value, other.value) == (1, 4)
    assert hung.breach is Breach.TIMED_OUT
    assert after.breach is Breach.NOT_RUN
