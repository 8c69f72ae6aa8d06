"""Inline review planning: exact lines inside hunks, at most 25, never duplicated."""

from __future__ import annotations

from reviewer.app.review_plan import MAX_COMMENTS, fingerprints_posted, marker, plan_comments
from reviewer.core.diff import parse_file_patch
from reviewer.core.findings import Confidence, Finding, Severity
from reviewer.service.github_client import ReviewComment

PATCH = (
    "@@ -1,3 +1,6 @@\n a = 1\n+b = 2\n+c = 3\n+d = 4\n b0 = 0\n c0 = 0\n"
    "@@ -20,2 +23,3 @@\n x = 1\n+y = 2\n z = 3"
)
CHANGE = parse_file_patch("m.py", PATCH, status="modified")


def _f(start: int, end: int | None = None, sev: Severity = Severity.HIGH, fp: str = "") -> Finding:
    return Finding(
        "r",
        "exfiltration",
        sev,
        Confidence.HIGH,
        "m.py",
        start,
        end or start,
        "msg",
        fingerprint=fp or f"{start:08x}{(end or start):08x}",
    )


def test_comment_on_the_exact_added_line_and_ranges() -> None:
    plan = plan_comments([_f(3), _f(2, 4)], {"m.py": CHANGE}, posted=set())
    by_line = {c["line"]: c for c in plan.comments}
    assert by_line[3]["side"] == "RIGHT" and "start_line" not in by_line[3]
    assert by_line[4]["start_line"] == 2
    assert all(
        marker(f.fingerprint) in c["body"] for f, c in zip([_f(3)], [by_line[3]], strict=True)
    )


def test_lines_outside_hunks_and_low_findings_get_no_comment() -> None:
    plan = plan_comments([_f(15), _f(3, sev=Severity.LOW), _f(24)], {"m.py": CHANGE}, posted=set())
    assert [c["line"] for c in plan.comments] == [24]
    assert [f.start_line for f in plan.not_placed] == [15]


def test_at_most_25_comments() -> None:
    many = parse_file_patch(
        "m.py", "@@ -0,0 +1,60 @@\n" + "".join(f"+l{i}\n" for i in range(60)), status="added"
    )
    plan = plan_comments([_f(i) for i in range(1, 61)], {"m.py": many}, posted=set())
    assert len(plan.comments) == MAX_COMMENTS and len(plan.not_placed) == 60 - MAX_COMMENTS


def test_already_posted_by_the_app_is_not_posted_again_but_others_markers_do_not_count() -> None:
    f = _f(3)
    mine = ReviewComment(1, "x " + marker(f.fingerprint), "m.py", 3, "gatehouse[bot]")
    theirs = ReviewComment(2, "copied " + marker(_f(24).fingerprint), "m.py", 24, "mallory")
    posted = fingerprints_posted([mine, theirs], "gatehouse[bot]")
    plan = plan_comments([f, _f(24)], {"m.py": CHANGE}, posted=posted)
    assert [c["line"] for c in plan.comments] == [24] and plan.already_posted == 1


def test_files_github_shows_no_diff_for_get_no_inline_comment() -> None:
    plan = plan_comments([_f(3)], {"m.py": CHANGE}, posted=set(), no_diff={"m.py"})
    assert plan.comments == () and len(plan.not_placed) == 1


def test_findings_on_the_same_line_share_one_comment_and_none_is_repeated_later() -> None:
    a = Finding(
        "rule-a",
        "obfuscated-exec",
        Severity.CRITICAL,
        Confidence.HIGH,
        "m.py",
        3,
        3,
        "decoded exec",
        fingerprint="a" * 64,
    )
    b = Finding(
        "rule-b",
        "remote-code-exec",
        Severity.HIGH,
        Confidence.HIGH,
        "m.py",
        3,
        3,
        "runs code",
        fingerprint="b" * 64,
    )
    plan = plan_comments([a, b, _f(24)], {"m.py": CHANGE}, posted=set())
    assert sorted(c["line"] for c in plan.comments) == [3, 24]
    on3 = next(c for c in plan.comments if c["line"] == 3)
    assert "rule-a" in on3["body"] and "rule-b" in on3["body"]
    assert marker(a.fingerprint) in on3["body"] and marker(b.fingerprint) in on3["body"]
    mine = ReviewComment(1, on3["body"], "m.py", 3, "gatehouse[bot]")
    again = plan_comments(
        [a, b], {"m.py": CHANGE}, posted=fingerprints_posted([mine], "gatehouse[bot]")
    )
    assert again.comments == () and again.already_posted == 2
