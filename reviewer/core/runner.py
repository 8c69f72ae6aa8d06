"""Running the analyzers over groups of files: the in-process ones inside one bounded child
(time and memory limits), the ones with a tool of their own directly; a failure or a breach
becomes a degraded result, never an exception."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Sequence
from typing import Any

from reviewer.core.analyzers.base import (
    AnalysisFile,
    Analyzer,
    AnalyzerOutput,
    ScanContext,
    ScanOptions,
)
from reviewer.core.bounded import Breach, Limits, Outcome, Task, run_bounded, supported
from reviewer.core.findings import Finding, Skipped, SkipReason
from reviewer.core.result import Progress, ScanResult

logger = logging.getLogger(__name__)


def run_analyzers_many(
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


def run_analyzers(
    analyzers: Sequence[Analyzer],
    files: list[AnalysisFile],
    ctx: ScanContext,
    result: ScanResult,
    progress: Progress | None,
) -> list[Finding]:
    return run_analyzers_many(analyzers, [(files, ctx)], [result], progress)[0]
