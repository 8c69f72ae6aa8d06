"""How often each AI signal (and each ai-egress rule) fires on ordinary commits: the false-positive
risk of counting signals as AI use.

    .venv/bin/python bench/ai_signal_rates.py [CORPUS_DIR]

CORPUS_DIR defaults to ``../shared/corpus`` beside the checkout; its ``benign/<repo>/<sha>.diff``
files are commits of well-known projects, none written with the AI tools named here (the
corpus's commit subjects stand in for commit messages; PR bodies are not part of it). Prints, per
signal kind and confidence, how many commits show it, and which tools were named. Exits 0 and
says so when the corpus is absent.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from reviewer.app.ai_signals import CommitFacts, counting, extract_signals
from reviewer.app.provenance import load_signatures
from reviewer.core.analyzers.ai_egress import AIEgressAnalyzer
from reviewer.core.analyzers.base import AnalysisFile, ScanContext, ScanOptions
from reviewer.core.diff import parse_diff
from reviewer.errors import GatehouseError

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else DEFAULT
    benign = root / "benign"
    if not benign.is_dir():
        print(f"no benign corpus at {benign}: nothing to measure (give CORPUS_DIR)")
        return 0
    signatures = load_signatures()
    analyzer = AIEgressAnalyzer()
    by_signal: Counter[str] = Counter()
    by_tool: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    counted = unreadable = 0
    diffs = sorted(benign.glob("*/*.diff"))
    for diff in diffs:
        meta_path = diff.with_suffix(".json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        try:
            cs = parse_diff(diff.read_bytes(), source=diff.name)
        except GatehouseError:
            unreadable += 1
            continue
        commit = CommitFacts(str(meta.get("sha") or diff.stem), str(meta.get("subject") or ""))
        signals = extract_signals(files=cs.files, commits=[commit], signatures=signatures)
        for key in {f"{s.kind} ({s.confidence.label})" for s in signals}:
            by_signal[key] += 1
        for tool in {s.tool for s in signals}:
            by_tool[tool] += 1
        counted += bool(counting(signals))
        files = [
            AnalysisFile(f, "\n".join(f.added[n] for n in sorted(f.added)))
            for f in cs.files
            if not f.binary
        ]
        out = analyzer.analyze(files, ScanContext(cs, ScanOptions()))
        for rule in {f"{f.rule_id} ({f.severity.label})" for f in out.findings}:
            by_rule[rule] += 1
    total = len(diffs) - unreadable
    print(f"benign commits: {total} (unreadable: {unreadable})")
    print()
    print(f"| {'AI signal (confidence)':<34} | commits | share |")
    print(f"| {'-' * 34} | ------: | ----: |")
    for key, n in sorted(by_signal.items()) or [("(none)", 0)]:
        print(f"| {key:<34} | {n:>7} | {n / max(total, 1):>5.1%} |")
    share = counted / max(total, 1)
    print(f"| {'counted as AI use (medium+)':<34} | {counted:>7} | {share:>5.1%} |")
    print()
    print("tools named:", ", ".join(f"{t} ({n})" for t, n in by_tool.most_common()) or "none")
    print()
    print(f"| {'ai-egress rule (severity)':<34} | commits | share |")
    print(f"| {'-' * 34} | ------: | ----: |")
    for key, n in sorted(by_rule.items()) or [("(none)", 0)]:
        print(f"| {key:<34} | {n:>7} | {n / max(total, 1):>5.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
