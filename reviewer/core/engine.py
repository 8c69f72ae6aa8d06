"""The engine: run every analyzer over a ChangeSet and keep what the change added."""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewer.core.analyzers.base import (
    AnalysisFile,
    Analyzer,
    AnalyzerOutput,
    ScanContext,
    ScanOptions,
)
from reviewer.core.bounded import Breach, Limits, Outcome, Task, run_bounded, supported
from reviewer.core.changeset import ChangeSet, FileChange, FileStatus
from reviewer.core.findings import Finding, Severity, Skipped, SkipReason

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class ScanResult:
    """Findings, files not analysed, and whether the analysis was degraded."""

    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def degraded(self) -> bool:
        return bool(self.errors)

    @property
    def not_analysed(self) -> list[Skipped]:
        """The skipped entries that leave a file (or an analyzer's share of it) unanalysed: too
        large, over the scan budget, unparsable, timed out, not writable, analyzer errors. Binary
        files, ignored paths and partly parsed files are not among them."""
        return [s for s in self.skipped if s.reason.not_analysed]

    def max_severity(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "skipped": [s.to_dict() for s in self.skipped],
            "errors": list(self.errors),
            "degraded": self.degraded,
            "stats": dict(self.stats),
        }


def default_analyzers() -> list[Analyzer]:
    from reviewer.core.analyzers import default_analyzers as _defaults

    return _defaults()


def select_files(
    changeset: ChangeSet, options: ScanOptions
) -> tuple[list[AnalysisFile], list[AnalysisFile], list[Skipped]]:
    """Split a change into analysable text files, binary files, and skipped files."""
    texts: list[AnalysisFile] = []
    binaries: list[AnalysisFile] = []
    skipped: list[Skipped] = []
    budget = options.max_scan_bytes
    for n, change in enumerate(changeset.files):
        if change.status is FileStatus.DELETED:
            continue
        if any(fnmatch.fnmatch(change.path, pat) for pat in options.ignore_paths):
            skipped.append(
                Skipped(change.path, SkipReason.IGNORED, "matches a path the policy ignores")
            )
            continue
        if n >= options.max_files:
            skipped.append(
                Skipped(
                    change.path,
                    SkipReason.SCAN_BUDGET,
                    f"beyond the first {options.max_files} files",
                )
            )
            continue
        if change.binary:
            binaries.append(AnalysisFile(change, ""))
            skipped.append(
                Skipped(change.path, SkipReason.BINARY, "binary content is not analysed")
            )
            continue
        text = change.post_image()
        size = len(text.encode("utf-8", "surrogateescape"))
        if size > options.max_file_bytes:
            skipped.append(
                Skipped(
                    change.path,
                    SkipReason.TOO_LARGE,
                    f"{size} bytes, over the {options.max_file_bytes}-byte limit per file",
                )
            )
            continue
        if size > budget:
            skipped.append(
                Skipped(
                    change.path,
                    SkipReason.SCAN_BUDGET,
                    f"the scan's {options.max_scan_bytes}-byte budget was used up",
                )
            )
            continue
        if "\x00" in text:
            binaries.append(AnalysisFile(change, ""))
            skipped.append(Skipped(change.path, SkipReason.BINARY, "contains NUL bytes"))
            continue
        budget -= size
        texts.append(AnalysisFile(change, text))
    return texts, binaries, skipped


def on_added_lines(finding: Finding, change: FileChange) -> bool:
    """True when a finding touches at least one line the change added."""
    if change.status is FileStatus.ADDED and change.head_text is not None and not change.added:
        return True
    if change.binary:
        return True
    return any(change.is_added_line(n) for n in range(finding.start_line, finding.end_line + 1))


def scan(
    changeset: ChangeSet,
    *,
    options: ScanOptions | None = None,
    analyzers: Sequence[Analyzer] | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Analyse a change: findings on added lines, with fingerprints, sorted.

    Findings that already existed at base (same rule, same fingerprint) are
    dropped when the change carries base contents.
    """
    return scan_many([changeset], options=options, analyzers=analyzers, progress=progress)[0]


def scan_many(
    changesets: Sequence[ChangeSet],
    *,
    options: ScanOptions | None = None,
    analyzers: Sequence[Analyzer] | None = None,
    progress: Progress | None = None,
) -> list[ScanResult]:
    """Analyse several changes at once (the commits of a PR, a corpus).

    Each result is what :func:`scan` gives for that change alone; analyzers that
    can batch (``analyze_many``) start their tool once for all of them.
    """
    options = options or ScanOptions()
    analyzers = list(analyzers) if analyzers is not None else default_analyzers()
    started = time.monotonic()
    prepared = []
    results = []
    for cs in changesets:
        texts, binaries, skipped = select_files(cs, options)
        prepared.append((texts + binaries, ScanContext(changeset=cs, options=options), len(texts)))
        results.append(ScanResult(skipped=skipped))
    raws = _run_analyzers_many(
        analyzers, [(files, ctx) for files, ctx, _ in prepared], results, progress
    )
    for cs, (_, _, n_texts), result, raw in zip(changesets, prepared, results, raws, strict=True):
        _finish(cs, raw, result, analyzers, options)
        result.stats.update(
            {
                "files": len(cs.files),
                "files_analysed": n_texts,
                "added_lines": cs.added_lines,
                "findings": len(result.findings),
                "seconds": round(time.monotonic() - started, 3),
            }
        )
    return results


def _finish(
    changeset: ChangeSet,
    raw: list[Finding],
    result: ScanResult,
    analyzers: Sequence[Analyzer],
    options: ScanOptions,
) -> None:
    by_path = {f.path: f for f in changeset.files}
    kept: dict[tuple[str, str, int], Finding] = {}
    for f in raw:
        change = by_path.get(f.path)
        if change is None or f.rule_id in options.disabled_rules:
            continue
        if not on_added_lines(f, change):
            continue
        key = (f.rule_id, f.path, f.start_line)
        if key not in kept or kept[key].severity < f.severity:
            kept[key] = f
    findings = list(kept.values())
    from reviewer.core.correlate import correlate
    from reviewer.core.fingerprints import fingerprint_all

    findings = correlate(findings, changeset)
    # Fingerprints hash the whole matched code (never the clipped evidence), chains included.
    findings = fingerprint_all(
        (f for f in findings if f.rule_id not in options.disabled_rules), changeset
    )
    if changeset.has_base:
        findings = _drop_preexisting(findings, changeset, analyzers, options, result)
    result.findings = sorted(findings, key=Finding.sort_key)


def _run_analyzers_many(
    analyzers: Sequence[Analyzer],
    groups: list[tuple[list[AnalysisFile], ScanContext]],
    results: list[ScanResult],
    progress: Progress | None,
) -> list[list[Finding]]:
    """Run every analyzer over every group: those that work in this process inside one bounded
    child (time and memory limits of ``ScanOptions``), those that start a tool of their own
    (``runs_in_subprocess``) here, each bounded by its tool's own timeout."""
    raws: list[list[Finding]] = [[] for _ in groups]
    timings: dict[str, float] = {}
    options = groups[0][1].options if groups else ScanOptions()
    limits = Limits(
        time_s=options.analysis_time_limit_s, memory_bytes=options.analysis_memory_limit_bytes
    )
    isolate = supported() and bool(limits.time_s or limits.memory_bytes)
    inside = [a for a in analyzers if isolate and not getattr(a, "runs_in_subprocess", False)]
    outputs: dict[int, list[AnalyzerOutput]] = {}
    if inside and groups:
        outputs.update(_run_bounded(inside, groups, results, limits, timings, progress))
    for analyzer in analyzers:
        if id(analyzer) in outputs:
            continue
        if progress:
            progress(f"{analyzer.name}: {sum(len(g[0]) for g in groups)} files")
        t0 = time.monotonic()
        batch = getattr(analyzer, "analyze_many", None)
        try:
            if batch is not None and len(groups) > 1:
                outs = batch(groups)
            else:
                outs = []
                for files, ctx in groups:
                    outs.append(_one(analyzer, files, ctx))
        except Exception as exc:  # one broken analyzer never stops the scan
            logger.exception("analyzer %s failed", analyzer.name)
            outs = [_failed(analyzer, exc) for _ in groups]
        finally:
            timings[analyzer.name] = round(time.monotonic() - t0, 4)
        outputs[id(analyzer)] = outs
    for analyzer in analyzers:
        for raw, result, out in zip(raws, results, outputs[id(analyzer)], strict=True):
            raw.extend(out.findings)
            result.skipped.extend(out.skipped)
            result.errors.extend(out.errors)
    for result in results:
        result.stats["analyzer_seconds"] = dict(timings)
    return raws


def _run_bounded(
    analyzers: Sequence[Analyzer],
    groups: list[tuple[list[AnalysisFile], ScanContext]],
    results: list[ScanResult],
    limits: Limits,
    timings: dict[str, float],
    progress: Progress | None,
) -> dict[int, list[AnalyzerOutput]]:
    """One child for the whole batch; each group (a scan) has its own time budget."""
    if progress:
        names = ", ".join(a.name for a in analyzers)
        progress(f"{names}: {sum(len(g[0]) for g in groups)} files, in a bounded process")
    tasks = [
        Task(run=functools.partial(_analyze_reporting_state, analyzer, files, ctx), group=g)
        for analyzer in analyzers
        for g, (files, ctx) in enumerate(groups)
    ]
    outcomes = iter(run_bounded(tasks, limits=limits))
    outputs: dict[int, list[AnalyzerOutput]] = {}
    for analyzer in analyzers:
        outs = []
        for g, (files, _) in enumerate(groups):
            outcome = next(outcomes)
            timings[analyzer.name] = round(timings.get(analyzer.name, 0.0) + outcome.seconds, 4)
            stats = results[g].stats
            stats["bounded_seconds"] = round(stats.get("bounded_seconds", 0.0) + outcome.seconds, 4)
            value, state = outcome.value if outcome.ok and outcome.value is not None else (None, {})
            for attr, measured in state.items():
                setattr(analyzer, attr, measured)
            if isinstance(value, AnalyzerOutput):
                outs.append(value)
            elif outcome.ok:
                outs.append(
                    _failed(
                        analyzer,
                        TypeError(f"returned {type(value).__name__}, not an AnalyzerOutput"),
                    )
                )
            else:
                outs.append(_breached(analyzer, files, outcome))
        outputs[id(analyzer)] = outs
    return outputs


def _analyze_reporting_state(
    analyzer: Analyzer, files: list[AnalysisFile], ctx: ScanContext
) -> tuple[AnalyzerOutput, dict[str, Any]]:
    """In the child: the output, plus the analyzer's ``last_*`` measurements (numbers, text) so
    that the parent's object shows them as if it had run there."""
    out = analyzer.analyze(files, ctx)
    state = {
        k: v
        for k, v in getattr(analyzer, "__dict__", {}).items()
        if k.startswith("last_") and isinstance(v, (int, float, str))
    }
    return out, state


def _breached(
    analyzer: Analyzer, files: list[AnalysisFile], outcome: Outcome[Any]
) -> AnalyzerOutput:
    """A breach of the scan's limits: an error (degraded scan) and every file it had, skipped."""
    if outcome.breach is Breach.ERROR:
        logger.error("analyzer %s failed: %s", analyzer.name, outcome.detail)
        last = outcome.detail.strip().splitlines()[-1:] or ["unknown error"]
        return _failed(analyzer, RuntimeError(last[0]), text=last[0])
    breach = outcome.breach.value if outcome.breach else "failed"
    logger.warning(
        "analyzer %s %s on %d files: %s", analyzer.name, breach, len(files), outcome.detail
    )
    reason = (
        SkipReason.TIMED_OUT
        if outcome.breach in (Breach.TIMED_OUT, Breach.NOT_RUN)
        else SkipReason.ANALYZER_ERROR
    )
    paths = [f.path for f in files] or ["*"]
    return AnalyzerOutput(
        errors=[
            f"analyzer {analyzer.name} {breach}: {outcome.detail}; "
            f"{len(files)} files not analysed by it"
        ],
        skipped=[Skipped(p, reason, f"{breach}: {outcome.detail}", analyzer.name) for p in paths],
    )


def _one(analyzer: Analyzer, files: list[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
    try:
        return analyzer.analyze(files, ctx)
    except Exception as exc:  # one broken analyzer never stops the scan
        logger.exception("analyzer %s failed", analyzer.name)
        return _failed(analyzer, exc)


def _failed(analyzer: Analyzer, exc: Exception, *, text: str | None = None) -> AnalyzerOutput:
    said = text if text is not None else f"{type(exc).__name__}: {exc}"
    return AnalyzerOutput(
        errors=[f"analyzer {analyzer.name} failed: {said}"],
        skipped=[
            Skipped(
                "*",
                SkipReason.ANALYZER_ERROR,
                said[:200] if text else str(exc)[:200],
                analyzer.name,
            )
        ],
    )


def _run_analyzers(
    analyzers: Sequence[Analyzer],
    files: list[AnalysisFile],
    ctx: ScanContext,
    result: ScanResult,
    progress: Progress | None,
) -> list[Finding]:
    return _run_analyzers_many(analyzers, [(files, ctx)], [result], progress)[0]


def _drop_preexisting(
    findings: list[Finding],
    changeset: ChangeSet,
    analyzers: Sequence[Analyzer],
    options: ScanOptions,
    result: ScanResult,
) -> list[Finding]:
    """Re-run the analyzers on the base version of files with findings; drop what was there."""
    paths = {f.path for f in findings}
    base_files: list[AnalysisFile] = []
    for change in changeset.files:
        if change.path in paths and change.base_text is not None:
            base_change = dataclasses.replace(
                change,
                head_text=change.base_text,
                base_text=None,
                added={},
                context={},
                status=FileStatus.MODIFIED,
            )
            base_files.append(AnalysisFile(base_change, change.base_text))
    if not base_files:
        return findings
    base_set = ChangeSet(files=tuple(f.change for f in base_files), source="base")
    ctx = ScanContext(changeset=base_set, options=options)
    scratch = ScanResult()
    before = _run_analyzers(analyzers, base_files, ctx, scratch, None)
    from reviewer.core.fingerprints import fingerprint_all

    old = {f.fingerprint for f in fingerprint_all(before, base_set)}
    kept = [f for f in findings if f.fingerprint not in old]
    result.stats["preexisting_dropped"] = len(findings) - len(kept)
    return kept
