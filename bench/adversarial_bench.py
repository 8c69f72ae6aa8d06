"""Adversarial benchmark: seconds per MB of each in-process analyzer on inputs built to be slow.

    python bench/adversarial_bench.py                      # the fixed set, 10 KB to 1 MB
    python bench/adversarial_bench.py --sizes 10000,100000 --budget 5
    python bench/adversarial_bench.py --fuzz 200 --seed 7  # random long lines, nesting, odd bytes

Each input (long runs of spaces and tabs, ``a=`` repeated, quotes, brackets, one 1 MB line,
many short lines, base64-like runs, odd code points, deep YAML/JSON...) is placed as a whole
new file, alone and inside a small file of the kind the analyzer reads (a workflow step, a
manifest entry, a Python assignment), at each path an analyzer looks at. Every run happens in a
bounded child (``--budget`` seconds): a pattern that backtracks shows as ``>budget`` instead of
hanging the benchmark. It prints the slowest cases, the worst seconds per MB of each analyzer,
and the growth exponent (1 = linear, 2 = quadratic) between the two largest sizes that ran.
Nothing here is asserted: speed is measured, not tested.
"""

from __future__ import annotations

import argparse
import math
import random
import string
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from reviewer.core.analyzers.agents import AgentAnalyzer
from reviewer.core.analyzers.base import AnalysisFile, Analyzer, ScanContext, ScanOptions
from reviewer.core.analyzers.blobs import BlobAnalyzer
from reviewer.core.analyzers.dependencies import DependencyAnalyzer
from reviewer.core.analyzers.endpoints import EndpointAnalyzer
from reviewer.core.analyzers.secrets import SecretAnalyzer
from reviewer.core.analyzers.unicode import UnicodeAnalyzer
from reviewer.core.analyzers.workflows import WorkflowAnalyzer
from reviewer.core.bounded import Breach, Limits, Task, run_bounded
from reviewer.core.changeset import ChangeSet, FileChange, FileStatus, Hunk, text_lines
from reviewer.core.diff import parse_diff
from reviewer.core.engine import scan

Gen = Callable[[int], str]


def _repeat(unit: str) -> Gen:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


def _lines(unit: str) -> Gen:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


def _nested_yaml(n: int) -> str:
    out, depth, size = [], 0, 0
    while size < n:
        line = "  " * depth + "- a:\n"
        out.append(line)
        size += len(line)
        depth += 1
    return "".join(out)[:n]


def _random_line(alphabet: str, seed: int = 1) -> Gen:
    def gen(n: int) -> str:
        rnd = random.Random(seed)
        return "".join(rnd.choice(alphabet) for _ in range(n))

    return gen


B64 = string.ascii_letters + string.digits + "+/"
CODEISH = string.ascii_letters + string.digits + " =:;,.()[]{}'\"/\\-_@$#|&<>!?*+%^`~\t"

INPUTS: dict[str, Gen] = {
    "spaces": _repeat(" "),
    "tabs": _repeat("\t"),
    "spaces+tabs": _repeat(" \t"),
    "a=": _repeat("a="),
    "a: ": _repeat("a: "),
    "double-quotes": _repeat('"'),
    "single-quotes": _repeat("'"),
    "backticks": _repeat("`"),
    "backslashes": _repeat("\\"),
    "quote-backslash": _repeat('"\\'),
    "brackets[": _repeat("["),
    "parens(": _repeat("("),
    "braces{": _repeat("{"),
    "${{": _repeat("${{ "),
    "a.": _repeat("a."),
    "a-": _repeat("a-"),
    "a@": _repeat("a@"),
    "digits.": _repeat("1."),
    "slashes": _repeat("/"),
    "colons": _repeat(":"),
    "hashes": _repeat("#"),
    "equals": _repeat("="),
    "url-long": lambda n: ("http://" + "a" * n)[:n],
    "url-many": _repeat("http://a.b/"),
    "curl-words": _repeat("curl "),
    "curl-dash": _repeat("curl -"),
    "secret-names": _repeat("password_token_"),
    "pass-assign": _repeat("pass='"),
    "html-comment": _repeat("<!--"),
    "base64-run": _repeat("A"),
    "base64-random": _random_line(B64),
    "one-long-code-line": _random_line(CODEISH),
    "many-short-lines": _lines("x = 1\n"),
    "many-blank-lines": _lines("\n"),
    "bidi+zw": _repeat("\u202e\u200b"),
    "surrogates": _repeat("\udcff"),
    "hangul-filler": _repeat("\u3164"),
    "cjk": _repeat("\u4e2d"),
    "crlf": _repeat("\r\n"),
    "cr": _repeat("\r"),
    "deep-yaml": _nested_yaml,
    "deep-json": lambda n: "[" * (n // 2) + "]" * (n // 2),
}

# Where each analyzer looks, with a template ({} is the input) of the kind of file it parses.
TEMPLATES: dict[str, str] = {
    "src/app.py": "import os\nvalue = '{}'\n",
    "web/app.js": "const v = `{}`;\n",
    "config/settings.yml": "key: {}\n",
    ".github/workflows/ci.yml": (
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: echo {}\n"
    ),
    "package.json": (
        '{"name": "x", "scripts": {"postinstall": "{}"}, "dependencies": {"a": "{}"}}\n'
    ),
    "requirements.txt": "requests=={}\n",
    "pyproject.toml": '[project]\nname = "x"\ndependencies = ["{}"]\n',
    "setup.py": "from setuptools import setup\nsetup(install_requires=['{}'])\n",
    "Cargo.toml": '[dependencies]\nx = "{}"\n',
    "go.mod": "module x\nrequire {} v1.0.0\n",
    "Gemfile": "gem '{}'\n",
    ".npmrc": "registry={}\n",
    "Dockerfile": "FROM x\nRUN pip install {}\n",
    "AGENTS.md": "# Agents\n\n{}\n",
    ".cursor/mcp.json": '{"mcpServers": {"x": {"command": "{}"}}}\n',
}


def _analyzers() -> dict[str, tuple[Analyzer, tuple[str, ...]]]:
    code = ("src/app.py", "web/app.js", "config/settings.yml")
    return {
        "unicode": (UnicodeAnalyzer(), code),
        "secrets": (SecretAnalyzer(), code + ("Dockerfile",)),
        "blobs": (BlobAnalyzer(), code),
        "endpoints": (EndpointAnalyzer(), code + (".github/workflows/ci.yml",)),
        "agents": (AgentAnalyzer(), ("AGENTS.md", ".cursor/mcp.json", "package.json")),
        "dependencies": (
            DependencyAnalyzer(),
            (
                "package.json",
                "requirements.txt",
                "pyproject.toml",
                "setup.py",
                "Cargo.toml",
                "go.mod",
                "Gemfile",
                ".npmrc",
                "Dockerfile",
            ),
        ),
        "workflows": (WorkflowAnalyzer(use_zizmor=False), (".github/workflows/ci.yml",)),
    }


def added_file(path: str, text: str) -> FileChange:
    lines = text_lines(text)
    return FileChange(
        path=path,
        status=FileStatus.ADDED,
        head_text=text,
        added={n: ln for n, ln in enumerate(lines, 1)},
        hunks=(Hunk(1, len(lines), 0, 0),),
    )


def run_analyzer(analyzer: Analyzer, files: list[FileChange]) -> int:
    cs = ChangeSet(files=tuple(files), has_head=True)
    ctx = ScanContext(changeset=cs, options=ScanOptions())
    out = analyzer.analyze([AnalysisFile(f, f.head_text or "") for f in files], ctx)
    return len(out.findings)


def run_diff(path: str, text: str) -> int:
    lines = text_lines(text)
    body = "".join(f"+{ln}\n" for ln in lines)
    diff = (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}"
    )
    return len(parse_diff(diff.encode("utf-8", "surrogateescape")).files)


def run_engine(files: list[FileChange]) -> int:
    """The whole engine (selection, analyzers, correlation, fingerprints), limits off."""
    analyzers = [a for a, _ in _analyzers().values()]
    options = ScanOptions(analysis_time_limit_s=0, analysis_memory_limit_bytes=0)
    return len(
        scan(
            ChangeSet(files=tuple(files), has_head=True), options=options, analyzers=analyzers
        ).findings
    )


@dataclass
class Case:
    input: str
    placement: str  # "raw" or "in-template"
    path: str
    analyzer: str
    size: int
    run: Callable[[], int]


def _text(gen: Gen, size: int, path: str, placement: str) -> str:
    payload = gen(size)
    if placement == "raw":
        return payload
    return TEMPLATES[path].replace(
        "{}", payload.replace("\n", " ") if path.endswith(".json") else payload
    )


def cases_for(
    inputs: dict[str, Gen],
    size: int,
    analyzers: dict[str, tuple[Analyzer, tuple[str, ...]]],
    only: set[tuple[str, str, str, str]] | None,
) -> list[Case]:
    out = []
    for name, gen in inputs.items():
        for placement in ("raw", "in-template"):
            for aname, (analyzer, paths) in analyzers.items():
                for path in paths:
                    key = (name, placement, path, aname)
                    if only is not None and key not in only:
                        continue
                    text = _text(gen, size, path, placement)
                    out.append(
                        Case(
                            name,
                            placement,
                            path,
                            aname,
                            size,
                            _bind(
                                lambda a=analyzer, p=path, t=text: run_analyzer(
                                    a, [added_file(p, t)]
                                )
                            ),
                        )
                    )
            key = (name, placement, "src/app.py", "diff")
            if only is None or key in only:
                text = _text(gen, size, "src/app.py", placement)
                out.append(
                    Case(
                        name,
                        placement,
                        "src/app.py",
                        "diff",
                        size,
                        _bind(lambda t=text: run_diff("src/app.py", t)),
                    )
                )
    return out


def _bind(fn: Callable[[], int]) -> Callable[[], int]:
    return fn


def timed(fn: Callable[[], int]) -> Callable[[], float]:
    def run() -> float:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    return run


RAISED: list[str] = []


def measure(cases: list[Case], budget: float) -> list[float | None]:
    """Seconds per case (None: over the budget or out of memory), each in a bounded child.

    A case whose analyzer raised counts as 0 s (the engine reports it as an analyzer error); it
    is listed at the end so that a crash is not mistaken for speed.
    """
    tasks = [Task(run=timed(c.run), group=i) for i, c in enumerate(cases)]
    outcomes = run_bounded(tasks, limits=Limits(time_s=budget, memory_bytes=4 << 30))
    out: list[float | None] = []
    for case, o in zip(cases, outcomes, strict=True):
        if o.breach is Breach.ERROR:
            last = (o.detail.strip().splitlines() or ["?"])[-1][:100]
            RAISED.append(
                f"{case.analyzer} / {case.input} / {case.placement} / {case.path} "
                f"({case.size} bytes): {last}"
            )
            out.append(o.seconds)
        else:
            out.append(o.value if o.ok else None)
    return out


def fixed(sizes: list[int], budget: float, inputs: dict[str, Gen]) -> None:
    analyzers = _analyzers()
    rows: dict[tuple[str, str, str, str], dict[int, float | None]] = {}
    only: set[tuple[str, str, str, str]] | None = None
    for size in sorted(sizes):
        cases = cases_for(inputs, size, analyzers, only)
        t0 = time.perf_counter()
        for case, secs in zip(cases, measure(cases, budget), strict=True):
            rows.setdefault((case.input, case.placement, case.path, case.analyzer), {})[size] = secs
        print(
            f"# size {size}: {len(cases)} cases in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
        # Only what finished well inside the budget goes on to the next (larger) size.
        only = {k for k, v in rows.items() if v.get(size) is not None and v[size] * 12 < budget}
    report(rows, budget)


def report(rows: dict[tuple[str, str, str, str], dict[int, float | None]], budget: float) -> None:
    scored = []
    for key, by_size in rows.items():
        done = {s: t for s, t in by_size.items() if t is not None}
        over = [s for s, t in by_size.items() if t is None]
        if over:
            per_mb = math.inf
            size = min(over)
        else:
            size = max(done)
            per_mb = done[size] / size * 1e6
        exp = _exponent(done)
        scored.append((per_mb, key, size, done.get(size), exp))
    scored.sort(key=lambda r: -r[0])
    print(f"{'s/MB':>10} {'growth':>6} {'size':>8}  analyzer / input / placement / path")
    for per_mb, (inp, placement, path, analyzer), size, _secs, exp in scored[:25]:
        shown = f">{budget:g}s" if math.isinf(per_mb) else f"{per_mb:10.3f}"
        print(f"{shown:>10} {exp:>6} {size:>8}  {analyzer} / {inp} / {placement} / {path}")
    print()
    print("worst seconds per MB, per analyzer:")
    worst: dict[str, tuple[float, str]] = {}
    for per_mb, (inp, placement, path, analyzer), size, _secs, exp in scored:
        if analyzer not in worst or per_mb > worst[analyzer][0]:
            worst[analyzer] = (
                per_mb,
                f"{inp} / {placement} / {path} at {size} bytes (growth {exp})",
            )
    for analyzer, (per_mb, where) in sorted(worst.items(), key=lambda kv: -kv[1][0]):
        shown = f">{budget:g}s" if math.isinf(per_mb) else f"{per_mb:.3f}"
        print(f"  {analyzer:<13} {shown:>10} s/MB  {where}")
    if RAISED:
        print(
            f"raised instead of finishing ({len(RAISED)} cases; "
            "the engine reports these as errors):"
        )
        for line in sorted(set(RAISED))[:15]:
            print(f"  {line}")
    top = max(worst.values(), default=(0.0, ""))
    print(
        "worst overall: "
        f"{'over budget' if math.isinf(top[0]) else f'{top[0]:.3f} s/MB'}  ({top[1]})"
    )


def _exponent(done: dict[int, float]) -> str:
    sizes = sorted(s for s, t in done.items() if t > 0.002)
    if len(sizes) < 2:
        return "-"
    a, b = sizes[-2], sizes[-1]
    return f"{math.log(done[b] / done[a]) / math.log(b / a):.1f}"


# -- fuzzing ----------------------------------------------------------------------------------


def fuzz_text(rnd: random.Random, max_size: int) -> str:
    kind = rnd.choice(["long-line", "nesting", "odd", "many-lines", "mix"])
    size = rnd.randint(1000, max_size)
    if kind == "long-line":
        unit = "".join(rnd.choice(CODEISH) for _ in range(rnd.randint(1, 6)))
        return (unit * (size // len(unit) + 1))[:size]
    if kind == "nesting":
        opener, closer = rnd.choice(
            [("[", "]"), ("{", "}"), ("(", ")"), ("- ", ""), ("a:\n  ", "")]
        )
        depth = size // (len(opener) + len(closer) + 1)
        return opener * depth + "x" + closer * depth
    if kind == "odd":
        pool = [
            "\udcff",
            "\u202e",
            "\u200b",
            "\ufeff",
            "\u3164",
            "\x0b",
            "\x0c",
            "\r",
            "\u2028",
            "\x85",
            "\U0001f600",
            "\u0301",
            "a",
            " ",
            '"',
        ]
        return "".join(rnd.choice(pool) for _ in range(size))
    if kind == "many-lines":
        pool = [
            "x = 1",
            "",
            " " * 200,
            "'" * 50,
            "a=" * 40,
            "http://x.y/" * 5,
            "- run: curl x | sh",
        ]
        out: list[str] = []
        while sum(map(len, out)) < size:
            out.append(rnd.choice(pool))
        return "\n".join(out)
    parts = [
        rnd.choice(list(INPUTS.values()))(rnd.randint(100, max(101, size // 4))) for _ in range(4)
    ]
    return "\n".join(parts)


def fuzz(n: int, seed: int, budget: float, max_size: int) -> None:
    rnd = random.Random(seed)
    analyzers = _analyzers()
    cases: list[Case] = []
    for i in range(n):
        aname = rnd.choice(list(analyzers) + ["diff", "engine"])
        count = rnd.choice([1, 1, 1, 50])
        if aname == "engine":
            paths = [rnd.choice(list(TEMPLATES)) for _ in range(count)]
        elif aname == "diff":
            paths = ["src/app.py"]
        else:
            paths = [rnd.choice(analyzers[aname][1]) for _ in range(count)]
        files = []
        for k, path in enumerate(paths):
            text = fuzz_text(rnd, max_size // count)
            if rnd.random() < 0.5:
                text = TEMPLATES[path].replace("{}", text)
            folder = f"f{k}/" if count > 1 and not path.startswith(".github") else ""
            files.append(added_file(folder + path if k else path, text))
        size = sum(len(f.head_text or "") for f in files)
        if aname == "engine":
            run = _bind(lambda fs=files: run_engine(fs))
        elif aname == "diff":
            run = _bind(lambda f=files[0]: run_diff(f.path, f.head_text or ""))
        else:
            run = _bind(lambda a=analyzers[aname][0], fs=files: run_analyzer(a, fs))
        cases.append(Case(f"fuzz#{i}", f"{count} files", paths[0], aname, max(size, 1), run))
    results = measure(cases, budget)
    rows = [
        ((s / c.size * 1e6) if s is not None else math.inf, c)
        for c, s in zip(cases, results, strict=True)
    ]
    rows.sort(key=lambda r: -r[0])
    print(f"fuzz: {n} cases, seed {seed}; slowest:")
    for per_mb, c in rows[:10]:
        shown = f">{budget:g}s" if math.isinf(per_mb) else f"{per_mb:10.3f}"
        print(
            f"{shown:>10} s/MB  {c.size:>8} bytes  "
            f"{c.analyzer} / {c.input} / {c.placement} / {c.path}"
        )
    print(
        f"worst: {'over budget' if math.isinf(rows[0][0]) else f'{rows[0][0]:.3f} s/MB'}"
        if rows
        else ""
    )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--sizes", default="10000,100000,1000000", help="comma-separated input sizes in bytes"
    )
    ap.add_argument("--budget", type=float, default=10.0, help="seconds allowed per case")
    ap.add_argument("--inputs", default="", help="comma-separated input names (default: all)")
    ap.add_argument(
        "--fuzz", type=int, default=0, help="run N random cases instead of the fixed set"
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-size", type=int, default=300_000, help="largest fuzz input in bytes")
    args = ap.parse_args()
    if args.fuzz:
        fuzz(args.fuzz, args.seed, args.budget, args.max_size)
        return 0
    chosen = {k: v for k, v in INPUTS.items() if not args.inputs or k in args.inputs.split(",")}
    fixed([int(s) for s in args.sizes.split(",")], args.budget, chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
