"""`gatehouse eval`: measure detection on a corpus laid out as ../shared/corpus/README.md says."""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
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
