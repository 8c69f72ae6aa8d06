"""Scan benchmark: throughput and latency of `gatehouse scan` over a corpus, against bare semgrep.

    python bench/scan_bench.py ../shared/corpus [--limit N]

Prints added lines per second, per-scan latency (median, p95), and the ratio of Gatehouse's
whole scan time to one bare semgrep run with the same rules over the same files (the floor).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from reviewer.cli.eval import load_corpus
from reviewer.core.analyzers.base import ScanOptions
from reviewer.core.analyzers.semgrep import (
    OFFLINE_FLAGS,
    SemgrepAnalyzer,
    semgrep_binary,
    semgrep_env,
)
from reviewer.core.analyzers.semgrep.targets import semgrep_wants
from reviewer.core.diff import parse_diff
from reviewer.core.engine import scan, select_files
from reviewer.core.scan_tree import write_targets


def bare_semgrep(files: dict[str, str], rules: list[dict]) -> float:
    """Seconds for one bare semgrep run with the same rules over the same files."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cfg = root / "rules.yml"
        cfg.write_text(yaml.safe_dump({"rules": rules}, sort_keys=False))
        tree = root / "src"
        tree.mkdir()
        write_targets(tree, files, analyzer="semgrep")
        (tree / ".semgrepignore").write_text("\n")
        t0 = time.perf_counter()
        subprocess.run(
            [
                semgrep_binary(),
                "--experimental",
                "--config",
                str(cfg),
                "--json",
                *OFFLINE_FLAGS,
                "--disable-nosem",
                "--no-git-ignore",
                "--quiet",
                str(tree),
            ],
            capture_output=True,
            env=semgrep_env(),
            check=False,
        )
        return time.perf_counter() - t0


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="only the first N cases (0: all)")
    args = ap.parse_args()
    cases = load_corpus(args.corpus)
    if args.limit:
        cases = cases[: args.limit]
    rules = SemgrepAnalyzer().rules
    gate, bare, lines = [], [], 0
    for case in cases:
        cs = parse_diff(case.diff_path.read_bytes())
        t0 = time.perf_counter()
        scan(cs)
        gate.append(time.perf_counter() - t0)
        lines += cs.added_lines
        texts, _, _ = select_files(cs, ScanOptions())
        targets = {f.path: f.text for f in texts if semgrep_wants(f)}
        bare.append(bare_semgrep(targets, rules) if targets else 0.0)
    total, floor = sum(gate), sum(bare)
    print(f"cases scanned              {len(cases)}")
    print(f"semgrep rules              {len(rules)}")
    print(f"added lines                {lines}")
    print(f"added lines per second     {lines / total:,.0f}")
    print(f"scan latency median        {statistics.median(gate) * 1000:.0f} ms")
    print(f"scan latency p95           {pct(gate, 0.95) * 1000:.0f} ms")
    print(f"bare semgrep median        {statistics.median(bare) * 1000:.0f} ms")
    print(
        f"gatehouse / bare semgrep   {total / floor:.2f}x"
        if floor
        else "bare semgrep: nothing to scan"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
