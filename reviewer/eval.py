"""`gatehouse eval`: measure detection on a corpus laid out as ../shared/corpus/README.md says."""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    whole_case: bool = False  # labelled per package: a medium+ finding anywhere in it counts
    family_size: int = 1


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
    size_bytes: int = 0
    analyzer_errors: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()


def load_corpus(root: Path) -> list[Case]:
    """Every case under ``root/malicious`` and ``root/benign``; raises naming what is wrong."""
    root = Path(root)
    if not (root / "malicious").is_dir() and not (root / "benign").is_dir():
        raise GatehouseError(
            f"{root}: not a corpus (expected malicious/ and benign/ folders; see its README)"
        )
    cases: list[Case] = []
    for d in sorted((root / "malicious").glob("*/")):
        meta_p, diff_p = d / "meta.json", d / "change.diff"
        if not meta_p.is_file() or not diff_p.is_file():
            continue
        meta = json.loads(meta_p.read_text(encoding="utf-8"))
        marked = {p: list(v or []) for p, v in (meta.get("malicious_lines") or {}).items()}
        cases.append(
            Case(
                meta.get("id", d.name),
                diff_p,
                True,
                tuple(meta.get("categories", ())),
                marked,
                added_lines=int(meta.get("added_lines", 0)),
                whole_case=not marked,
                family_size=int(meta.get("family_size", 1) or 1),
            )
        )
    for meta_p in sorted((root / "benign").glob("*/*.json")):
        diff_p = meta_p.with_suffix(".diff")
        if not diff_p.is_file():
            continue
        meta = json.loads(meta_p.read_text(encoding="utf-8"))
        cases.append(
            Case(
                f"{meta_p.parent.name}/{meta_p.stem}",
                diff_p,
                False,
                added_lines=int(meta.get("added_lines", 0)),
                hard_negative=bool(meta.get("hard_negative")),
            )
        )
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


class _Clock:
    """Seconds spent on each change, per analyzer call; a batched call is shared by size."""

    def __init__(self) -> None:
        self.seconds: dict[int, float] = defaultdict(float)

    def wrap(self, analyzer: Any) -> Any:
        return (
            _TimedBatch(analyzer, self)
            if hasattr(analyzer, "analyze_many")
            else _Timed(analyzer, self)
        )


class _Timed:
    def __init__(self, inner: Any, clock: _Clock) -> None:
        self._inner, self._clock = inner, clock
        self.name = inner.name

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._inner, attr)

    def analyze(self, files: Any, ctx: Any) -> Any:
        t0 = time.monotonic()
        try:
            return self._inner.analyze(files, ctx)
        finally:
            self._clock.seconds[id(ctx.changeset)] += time.monotonic() - t0


class _TimedBatch(_Timed):
    def analyze_many(self, groups: Any) -> Any:
        t0 = time.monotonic()
        try:
            return self._inner.analyze_many(groups)
        finally:
            spent = time.monotonic() - t0
            sizes = [sum(len(f.text) for f in files) + 1 for files, _ in groups]
            total = sum(sizes)
            for (_, ctx), size in zip(groups, sizes, strict=True):
                self._clock.seconds[id(ctx.changeset)] += spent * size / total


def run_cases(cases: list[Case]) -> list[CaseResult]:
    """Scan a batch of cases, each on its own, with one start of each external tool.

    A case's seconds are what the analyzers spent on it; the time of a tool run once for the
    whole batch is shared out by the size of each case's files.
    """
    from reviewer.core.analyzers import default_analyzers

    results = [CaseResult(c) for c in cases]
    ok: list[tuple[CaseResult, Any]] = []
    for res in results:
        try:
            raw = res.case.diff_path.read_bytes()
            res.size_bytes = len(raw)
            ok.append((res, parse_diff(raw, source=str(res.case.diff_path))))
        except GatehouseError as exc:
            res.error = exc.diagnostics()
    clock = _Clock()
    analyzers = [clock.wrap(a) for a in default_analyzers()]
    scans: list[ScanResult] = scan_many([cs for _, cs in ok], analyzers=analyzers) if ok else []
    for (res, cs), result in zip(ok, scans, strict=True):
        _score(res, cs, result)
        # Analyzers run in a bounded child are timed there (the clock's wrappers run there too).
        res.seconds = round(
            clock.seconds.get(id(cs), 0.0) + result.stats.get("bounded_seconds", 0.0), 3
        )
    return results


def _score(res: CaseResult, cs: Any, result: ScanResult) -> None:
    case = res.case
    res.added_lines = cs.added_lines
    res.paths = tuple(f.path for f in cs.files)
    res.degraded = result.degraded
    res.analyzer_errors = tuple(e[:160] for e in result.errors)
    res.partly_analysed = sum(
        1 for sk in result.skipped if sk.reason in (SkipReason.PARTLY_PARSED, SkipReason.UNPARSABLE)
    )
    for f in result.findings:
        if f.severity >= Severity.MEDIUM:
            res.medium_plus += 1
        if f.severity >= Severity.HIGH:
            res.high_plus += 1
        if (
            case.malicious
            and f.severity >= Severity.MEDIUM
            and (case.whole_case or hits_marked(f, case.marked))
        ):
            res.detected = True
            if f.severity >= Severity.HIGH:
                res.detected_high = True
        res.findings.append(f.to_dict())


def execution_context(path: str) -> str:
    """When a Python package's file runs without being called: install, import, or not by itself."""
    name = path.rsplit("/", 1)[-1].lower()
    if name in ("setup.py", "setup.cfg", "pyproject.toml"):
        return "install"
    if name.endswith(".pth"):
        return "startup (.pth)"
    if name == "__init__.py":
        return "import"
    if name.endswith((".sh", ".ps1", ".bat", ".js")):
        return "script"
    return "module"


def evaluate(root: Path, *, jobs: int | None = None, batch: int = 25) -> list[CaseResult]:
    """Score every case of a corpus; cases are scanned in batches across ``jobs`` processes."""
    cases = load_corpus(root)
    jobs = jobs or min(2, os.cpu_count() or 1)
    chunks = [cases[i : i + batch] for i in range(0, len(cases), max(1, batch))]
    if jobs <= 1:
        return [r for chunk in chunks for r in run_cases(chunk)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [r for chunk_results in pool.map(run_cases, chunks) for r in chunk_results]


_CONTEXT_ORDER = ("install", "startup (.pth)", "import", "script", "module")


def _medium_plus(r: CaseResult) -> list[dict[str, Any]]:
    return [f for f in r.findings if Severity.parse(f["severity"]) >= Severity.MEDIUM]


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
        "recall_family_weighted": _ratio(
            sum(r.case.family_size * r.detected for r in mal), sum(r.case.family_size for r in mal)
        ),
        "per_category": {
            c: {
                "cases": v[0],
                "detected": v[1],
                "detected_high": v[2],
                "recall": _ratio(v[1], v[0]),
            }
            for c, v in sorted(per_cat.items())
        },
        "per_context": _per_context(mal),
        "detected_by_category": _detected_by_category(mal),
        "benign_commits": len(ben),
        "benign_added_lines": added,
        "benign_medium_plus": noise,
        "noise_per_10k_lines": round(noise * 10000 / added, 2) if added else 0.0,
        "noise_per_analyzer": _noise_per(ben, "analyzer"),
        "noise_per_rule": _noise_per(ben, "rule_id"),
        "false_alarm_commits": alarms,
        "false_alarm_rate": _ratio(alarms, len(ben)),
        "slowest": [
            {
                "case": r.case.case_id,
                "seconds": r.seconds,
                "bytes": r.size_bytes,
                "seconds_per_mb": round(r.seconds / max(r.size_bytes, 1) * 1e6, 2),
            }
            for r in sorted(results, key=lambda r: -r.seconds)[:10]
        ],
        "degraded_scans": sum(1 for r in results if r.degraded),
        "degraded_by_analyzer": _degraded_by_analyzer(results),
        "partly_analysed_files": sum(r.partly_analysed for r in results),
        "errors": [f"{r.case.case_id}: {r.error}" for r in results if r.error],
    }


def _entry_context(r: CaseResult) -> str:
    """The earliest a case's code runs unasked: a package with a setup.py runs at install."""
    present = {execution_context(p) for p in r.paths}
    return next((c for c in _CONTEXT_ORDER if c in present), "module")


def _per_context(mal: list[CaseResult]) -> dict[str, dict[str, Any]]:
    """Recall by the earliest execution context of the case, and where the detections lay."""
    out: dict[str, dict[str, Any]] = {}
    for r in mal:
        row = out.setdefault(_entry_context(r), {"cases": 0, "detected": 0, "detected_high": 0})
        row["cases"] += 1
        row["detected"] += r.detected
        row["detected_high"] += r.detected_high
    for row in out.values():
        row["recall"] = _ratio(row["detected"], row["cases"])
    return dict(sorted(out.items(), key=lambda kv: _CONTEXT_ORDER.index(kv[0])))


def _detected_by_category(mal: list[CaseResult]) -> dict[str, int]:
    """How many malicious cases carry a medium+ finding of each category."""
    counts: dict[str, int] = defaultdict(int)
    for r in mal:
        for cat in {f["category"] for f in _medium_plus(r)}:
            counts[cat] += 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _noise_per(ben: list[CaseResult], key: str) -> dict[str, dict[str, int]]:
    """Medium+ findings and high+ commits on benign cases, per analyzer or per rule."""
    out: dict[str, dict[str, int]] = {}
    for r in ben:
        high_keys = set()
        for f in _medium_plus(r):
            row = out.setdefault(str(f.get(key) or "?"), {"medium_plus": 0, "high_commits": 0})
            row["medium_plus"] += 1
            if Severity.parse(f["severity"]) >= Severity.HIGH:
                high_keys.add(str(f.get(key) or "?"))
        for k in high_keys:
            out[k]["high_commits"] += 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["medium_plus"]))


def _degraded_by_analyzer(results: list[CaseResult]) -> dict[str, int]:
    """Cases whose scan an analyzer failed or gave up on, per analyzer (from its error text)."""
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        for name in {
            e.split(":", 1)[0].removeprefix("analyzer ").split(" ", 1)[0] for e in r.analyzer_errors
        }:
            counts[name] += 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def render(
    results: list[CaseResult], summary: dict[str, Any], *, verbose: bool = False
) -> Iterator[str]:
    yield "Malicious cases"
    for r in results:
        if not r.case.malicious:
            continue
        mark = "DETECTED-HIGH" if r.detected_high else "detected" if r.detected else "MISSED"
        if r.case.whole_case and not verbose and r.detected:
            continue
        label = ", ".join(r.case.categories) or _entry_context(r)
        yield f"  {mark:<14} {r.case.case_id}  [{label}]"
    yield ""
    yield (
        f"Recall: {summary['detected']}/{summary['malicious_cases']} = {summary['recall']:.1%}"
        f"   detected high: {summary['detected_high']}/{summary['malicious_cases']}"
        f" = {summary['recall_high']:.1%}"
        f"   weighted by family size: {summary['recall_family_weighted']:.1%}"
    )
    if summary["per_category"]:
        yield "Per category (detected / cases, detected high):"
        for c, v in summary["per_category"].items():
            yield f"  {c:<28} {v['detected']}/{v['cases']}  high {v['detected_high']}/{v['cases']}"
    yield "Per execution context (earliest a case's code runs unasked):"
    for c, v in summary["per_context"].items():
        yield f"  {c:<28} {v['detected']}/{v['cases']}  high {v['detected_high']}/{v['cases']}"
    yield "Malicious cases with a medium+ finding of each category:"
    for c, n in summary["detected_by_category"].items():
        yield f"  {c:<28} {n}"
    yield ""
    noisy = [r for r in results if not r.case.malicious and r.medium_plus]
    if verbose and noisy:
        yield "Benign commits with medium+ findings"
        for r in noisy:
            rules = sorted({f["rule_id"] for f in _medium_plus(r)})
            yield (f"  {r.case.case_id}: {r.medium_plus} medium+ ({r.high_plus} high+): "
                   f"{', '.join(rules)}")
        yield ""
    yield (
        f"Benign: {summary['benign_commits']} commits, "
        f"{summary['benign_added_lines']} added lines, "
        f"{summary['benign_medium_plus']} medium+ findings = "
        f"{summary['noise_per_10k_lines']} per 10,000 lines"
    )
    yield (
        f"False alarms (benign commits with high+): "
        f"{summary['false_alarm_commits']}/{summary['benign_commits']}"
        f" = {summary['false_alarm_rate']:.2%}"
    )
    if summary["noise_per_analyzer"]:
        yield "Benign noise per analyzer (medium+ findings, commits with high+):"
        for a, v in summary["noise_per_analyzer"].items():
            yield f"  {a:<28} {v['medium_plus']:>5}  {v['high_commits']:>4}"
        yield "Benign noise per rule:"
        for a, v in list(summary["noise_per_rule"].items())[:15]:
            yield f"  {a:<40} {v['medium_plus']:>5}  {v['high_commits']:>4}"
    yield "Slowest cases (analyzer seconds; a batched tool's time shared by size):"
    for row in summary["slowest"]:
        yield f"  {row['seconds']:>8.2f} s  {row['seconds_per_mb']:>8.2f} s/MB  {row['case']}"
    yield (
        f"Degraded scans (an analyzer failed): {summary['degraded_scans']}/{len(results)}; "
        f"files analysed only in part: {summary['partly_analysed_files']}"
    )
    for name, n in summary["degraded_by_analyzer"].items():
        yield f"  {name:<28} {n}"
    for e in summary["errors"]:
        yield f"error: {e}"
