"""The behaviour model's annotated fixtures: every `# ruleid:` line fires, every `# ok:` line stays
quiet, and every rule has both kinds of case."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks import CHECKS_DIR
from reviewer.core.behaviour import RULES, BehaviourAnalyzer
from reviewer.core.diff import parse_diff
from reviewer.core.engine import scan
from reviewer.core.findings import Finding, Severity

FIXTURES = sorted((CHECKS_DIR / "behaviour").glob("*.py"))


def new_file_diff(path: str, text: str) -> bytes:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"
    ).encode()


def behaviour_findings(path: str, text: str) -> list[Finding]:
    return scan(parse_diff(new_file_diff(path, text)), analyzers=[BehaviourAnalyzer()]).findings


def annotations(text: str) -> list[tuple[str, str, int]]:
    """(kind, rule, line of the code the comment annotates) for every annotation."""
    lines = text.split("\n")
    out = []
    for n, line in enumerate(lines, start=1):
        stripped = line.strip()
        for kind in ("ruleid", "ok"):
            if stripped.startswith(f"# {kind}:"):
                target = n + 1
                while target <= len(lines) and lines[target - 1].strip().startswith("#"):
                    target += 1
                out.append((kind, stripped.split(":", 1)[1].strip(), target))
    return out


def fixture_path(text: str, fixture: Path) -> str:
    first = text.split("\n", 1)[0]
    assert first.startswith("# path: "), (
        f"{fixture.name}: first line must be '# path: <analysed path>'"
    )
    return first[len("# path: ") :].strip()


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_every_annotated_line_holds(fixture: Path) -> None:
    text = fixture.read_text(encoding="utf-8")
    found = {
        (f.rule_id, f.start_line)
        for f in behaviour_findings(fixture_path(text, fixture), text)
        if f.severity >= Severity.MEDIUM
    }
    problems = []
    for kind, rule, line in annotations(text):
        assert rule in RULES, f"{fixture.name}:{line}: unknown rule {rule}"
        fired = (rule, line) in found
        if kind == "ruleid" and not fired:
            problems.append(f"{fixture.name}:{line}: {rule} should fire")
        if kind == "ok" and fired:
            problems.append(f"{fixture.name}:{line}: {rule} should stay quiet")
    assert not problems, "\n".join(problems)


def test_every_rule_has_a_firing_case_and_a_near_miss() -> None:
    seen: dict[str, set[str]] = {rule: set() for rule in RULES}
    for fixture in FIXTURES:
        for kind, rule, _ in annotations(fixture.read_text(encoding="utf-8")):
            seen.setdefault(rule, set()).add(kind)
    missing = sorted(r for r, kinds in seen.items() if kinds != {"ruleid", "ok"})
    assert not missing, f"rules without both a ruleid: and an ok: case: {missing}"
