"""The engine: run every analyzer over a ChangeSet and keep what the change added."""

from __future__ import annotations

import dataclasses
import fnmatch
import time
from collections.abc import Sequence

from reviewer.core.analyzers.base import (
    AnalysisFile,
    Analyzer,
    ScanContext,
    ScanOptions,
)
from reviewer.core.changeset import ChangeSet, FileChange, FileStatus
from reviewer.core.findings import Finding, Skipped, SkipReason
from reviewer.core.result import Progress, ScanResult
from reviewer.core.runner import run_analyzers, run_analyzers_many


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
    raws = run_analyzers_many(
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
    before = run_analyzers(analyzers, base_files, ctx, scratch, None)
    from reviewer.core.fingerprints import fingerprint_all

    old = {f.fingerprint for f in fingerprint_all(before, base_set)}
    kept = [f for f in findings if f.fingerprint not in old]
    result.stats["preexisting_dropped"] = len(findings) - len(kept)
    return kept
