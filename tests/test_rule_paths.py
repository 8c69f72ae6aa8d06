"""Rules scoped by path: the same code is a finding in a library, quiet where nothing loads it."""

from __future__ import annotations

from reviewer.core.analyzers.semgrep import SemgrepAnalyzer
from reviewer.core.diff import parse_diff
from reviewer.core.engine import scan_many

ENDLESS_PRINT = (
    "let n = 0;\n"
    "while (true) {\n"
    "  const t0 = Date.now();\n"
    "  n += work();\n"
    "  console.log('ops/ms', n / (Date.now() - t0));\n"
    "}\n"
)


def new_file_diff(path: str, text: str) -> str:
    lines = text.splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def test_endless_printing_loop_fires_in_a_library_but_not_in_a_benchmark() -> None:
    paths = ["lib/index.js", "bench/parse.js", "bench.js", "examples/stream.js"]
    results = scan_many(
        [parse_diff(new_file_diff(p, ENDLESS_PRINT)) for p in paths], analyzers=[SemgrepAnalyzer()]
    )
    fired = {p: [f.rule_id for f in r.findings] for p, r in zip(paths, results, strict=True)}
    assert fired == {
        "lib/index.js": ["js-unbounded-output-loop"],
        "bench/parse.js": [],
        "bench.js": [],
        "examples/stream.js": [],
    }
