"""Summarising and rendering eval results: rates per category and context, noise, timings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from reviewer.cli.eval import CaseResult, execution_context
from reviewer.core.findings import Severity

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
            yield (
                f"  {r.case.case_id}: {r.medium_plus} medium+ ({r.high_plus} high+): "
                f"{', '.join(rules)}"
            )
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
