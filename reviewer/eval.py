"""`gatehouse eval`: measure detection on a corpus laid out as ../shared/corpus/README.md says."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from reviewer.core.diff import parse_diff
from reviewer.core.engine import ScanResult, scan_many
from reviewer.core.findings import Finding, Severity, SkipReason
from reviewer.errors import GatehouseError

NEAR = 2  # a finding within this many lines of a marked line counts


@dataclass(frozen=True)
class Case:
    """One corpus entry: a diff, and for malicious cases the marked lines."""

    case_id: str
    diff_path: Path
    malicious: bool
    categories: tuple[str, ...] = ()
    marked: dict[str, list[int]] = field(default_factory=dict)
    added_lines: int = 0
    hard_negative: bool = False


@dataclass
class CaseResult:
    case: Case
    detected: bool = False
    detected_high: bool = False
    medium_plus: int = 0
    high_plus: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    added_lines: int = 0
    degraded: bool = False  # an analyzer failed on this change (the App could not pass it)
    partly_analysed: int = 0  # files analysed only in part (fragments semgrep could not parse)


def load_corpus(root: Path) -> list[Case]:
    """Every case under ``root/malicious`` and ``root/benign``; raises naming what is wrong."""
    root = Path(root)
    if not (root / "malicious").is_dir() and not (root / "benign").is_dir():
        raise GatehouseError(f"{root}: not a corpus (expected malicious/ and benign/ folders; see its README)")
    cases: list[Case] = []
    for d in sorted((root / "malicious").glob("*/")):
        meta_p, diff_p = d / "meta.json", d / "change.diff"
        if not meta_p.is_file() or not diff_p.is_file():
            continue
        meta = json.loads(meta_p.read_text(encoding="utf-8"))
        marked = {p: list(v or []) for p, v in (meta.get("malicious_lines") or {}).items()}
        cases.append(Case(meta.get("id", d.name), diff_p, True, tuple(meta.get("categories", ())), marked))
    for meta_p in sorted((root / "benign").glob("*/*.json")):
        diff_p = meta_p.with_suffix(".diff")
        if not diff_p.is_file():
            continue
        meta = json.loads(meta_p.read_text(encoding="utf-8"))
        cases.append(Case(f"{meta_p.parent.name}/{meta_p.stem}", diff_p, False,
                          added_lines=int(meta.get("added_lines", 0)),
                          hard_negative=bool(meta.get("hard_negative"))))
    return cases


def hits_marked(f: Finding | dict[str, Any], marked: dict[str, list[int]]) -> bool:
    """True when a finding lies on (or within NEAR lines of) a marked malicious line."""
    path = f["path"] if isinstance(f, dict) else f.path
    start = f["start_line"] if isinstance(f, dict) else f.start_line
    end = f["end_line"] if isinstance(f, dict) else f.end_line
    if path not in marked:
        return False
    lines = marked[path]
    if not lines:
        return True
    return any(start - NEAR <= n <= end + NEAR for n in lines)


def run_case(case: Case) -> CaseResult:
    return run_cases([case])[0]


def run_cases(cases: list[Case]) -> list[CaseResult]:
    """Scan a batch of cases, each on its own, with one start of each external tool."""
    import time

    results = [CaseResult(c) for c in cases]
    ok: list[tuple[CaseResult, Any]] = []
    for res in results:
        try:
            ok.append((res, parse_diff(res.case.diff_path.read_bytes(), source=str(res.case.diff_path))))
        except GatehouseError as exc:
            res.error = exc.diagnostics()
    t0 = time.monotonic()
    scans: list[ScanResult] = scan_many([cs for _, cs in ok]) if ok else []
    per = (time.monotonic() - t0) / max(1, len(ok))
    for (res, cs), result in zip(ok, scans):
        _score(res, cs, result)
        res.seconds = per
    return results


def _score(res: CaseResult, cs: Any, result: ScanResult) -> None:
    case = res.case
    res.added_lines = cs.added_lines
    res.degraded = result.degraded
    res.partly_analysed = sum(1 for sk in result.skipped
                              if sk.reason in (SkipReason.PARTLY_PARSED, SkipReason.UNPARSABLE))
    for f in result.findings:
        if f.severity >= Severity.MEDIUM:
            res.medium_plus += 1
        if f.severity >= Severity.HIGH:
            res.high_plus += 1
        if case.malicious and f.severity >= Severity.MEDIUM and hits_marked(f, case.marked):
            res.detected = True
            if f.severity >= Severity.HIGH:
                res.detected_high = True
        res.findings.append(f.to_dict())


def evaluate(root: Path, *, jobs: int | None = None, batch: int = 25) -> list[CaseResult]:
    """Score every case of a corpus; cases are scanned in batches across ``jobs`` processes."""
    cases = load_corpus(root)
    jobs = jobs or min(2, os.cpu_count() or 1)
    chunks = [cases[i:i + batch] for i in range(0, len(cases), max(1, batch))]
    if jobs <= 1:
        return [r for chunk in chunks for r in run_cases(chunk)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [r for chunk_results in pool.map(run_cases, chunks) for r in chunk_results]


def summarise(results: list[CaseResult]) -> dict[str, Any]:
    mal = [r for r in results if r.case.malicious]
    ben = [r for r in results if not r.case.malicious]
    per_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in mal:
        for c in r.case.categories:
            per_cat[c][0] += 1
            per_cat[c][1] += r.detected
            per_cat[c][2] += r.detected_high
    added = sum(r.case.added_lines or r.added_lines for r in ben)
    noise = sum(r.medium_plus for r in ben)
    alarms = sum(1 for r in ben if r.high_plus)
    return {
        "malicious_cases": len(mal),
        "detected": sum(r.detected for r in mal),
        "detected_high": sum(r.detected_high for r in mal),
        "recall": _ratio(sum(r.detected for r in mal), len(mal)),
        "recall_high": _ratio(sum(r.detected_high for r in mal), len(mal)),
        "per_category": {c: {"cases": v[0], "detected": v[1], "detected_high": v[2],
                             "recall": _ratio(v[1], v[0])} for c, v in sorted(per_cat.items())},
        "benign_commits": len(ben),
        "benign_added_lines": added,
        "benign_medium_plus": noise,
        "noise_per_10k_lines": round(noise * 10000 / added, 2) if added else 0.0,
        "false_alarm_commits": alarms,
        "false_alarm_rate": _ratio(alarms, len(ben)),
        "degraded_scans": sum(1 for r in results if r.degraded),
        "partly_analysed_files": sum(r.partly_analysed for r in results),
        "errors": [f"{r.case.case_id}: {r.error}" for r in results if r.error],
    }


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def render(results: list[CaseResult], summary: dict[str, Any], *, verbose: bool = False) -> Iterator[str]:
    yield "Malicious cases"
    for r in results:
        if not r.case.malicious:
            continue
        mark = "DETECTED-HIGH" if r.detected_high else "detected" if r.detected else "MISSED"
        yield f"  {mark:<14} {r.case.case_id}  [{', '.join(r.case.categories)}]"
    yield ""
    yield (f"Recall: {summary['detected']}/{summary['malicious_cases']} = {summary['recall']:.1%}"
           f"   detected high: {summary['detected_high']}/{summary['malicious_cases']} = {summary['recall_high']:.1%}")
    yield "Per category (detected / cases, detected high):"
    for c, v in summary["per_category"].items():
        yield f"  {c:<28} {v['detected']}/{v['cases']}  high {v['detected_high']}/{v['cases']}"
    yield ""
    noisy = [r for r in results if not r.case.malicious and r.medium_plus]
    if verbose and noisy:
        yield "Benign commits with medium+ findings"
        for r in noisy:
            rules = sorted({f["rule_id"] for f in r.findings if Severity.parse(f["severity"]) >= Severity.MEDIUM})
            yield f"  {r.case.case_id}: {r.medium_plus} medium+ ({r.high_plus} high+): {', '.join(rules)}"
        yield ""
    yield (f"Benign: {summary['benign_commits']} commits, {summary['benign_added_lines']} added lines, "
           f"{summary['benign_medium_plus']} medium+ findings = {summary['noise_per_10k_lines']} per 10,000 lines")
    yield (f"False alarms (benign commits with high+): {summary['false_alarm_commits']}/{summary['benign_commits']}"
           f" = {summary['false_alarm_rate']:.2%}")
    yield (f"Degraded scans (an analyzer failed): {summary['degraded_scans']}/{len(results)}; "
           f"files analysed only in part: {summary['partly_analysed_files']}")
    for e in summary["errors"]:
        yield f"error: {e}"
