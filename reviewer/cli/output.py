"""Render a ScanResult for people (text) and for tools (JSON, SARIF 2.1.0)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from reviewer import __version__
from reviewer.core.engine import ScanResult
from reviewer.core.findings import Severity

_COLOURS = {
    Severity.CRITICAL: "\033[1;35m",
    Severity.HIGH: "\033[1;31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
_RESET = "\033[0m"
# GitHub code scanning reads `security-severity` as a CVSS-like score.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
_SARIF_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def render_json(result: ScanResult, *, ai_signals: list[dict[str, Any]] | None = None) -> str:
    doc = result.to_dict()
    if ai_signals is not None:
        doc["ai_signals"] = ai_signals
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_text(
    result: ScanResult, *, colour: bool = False, min_severity: Severity = Severity.INFO
) -> str:
    def paint(sev: Severity, text: str) -> str:
        return f"{_COLOURS[sev]}{text}{_RESET}" if colour else text

    by_file: dict[str, list] = defaultdict(list)
    for f in result.findings:
        if f.severity >= min_severity:
            by_file[f.path].append(f)
    out: list[str] = []
    for path in sorted(by_file):
        out.append(path)
        for f in by_file[path]:
            lines = (
                f"{f.start_line}" if f.start_line == f.end_line else f"{f.start_line}-{f.end_line}"
            )
            out.append(
                f"  {lines:>9}  {paint(f.severity, f.severity.label.upper()):<8}  {f.rule_id} "
                f"[{f.category}]"
            )
            out.append(f"             {f.message}")
            if f.remediation:
                out.append(f"             fix: {f.remediation}")
        out.append("")
    if result.skipped:
        out.append("Not analysed, or only in part:")
        for s in result.skipped:
            who = f" ({s.analyzer})" if s.analyzer else ""
            out.append(
                f"  {s.path}: {s.reason.value}{who}" + (f" - {s.detail}" if s.detail else "")
            )
        out.append("")
    if result.errors:
        out.append("Analysis degraded:")
        for e in result.errors[:50]:
            out.append(f"  {e}")
        if len(result.errors) > 50:
            out.append(f"  ... and {len(result.errors) - 50} more")
        out.append("")
    counts: defaultdict[Severity, int] = defaultdict(int)
    for f in result.findings:
        counts[f.severity] += 1
    summary = (
        ", ".join(f"{counts[s]} {s.label}" for s in sorted(counts, reverse=True)) or "no findings"
    )
    st = result.stats
    out.append(
        f"{summary} in {st.get('files_analysed', 0)} files ({st.get('added_lines', 0)} added "
        f"lines, {st.get('seconds', 0)}s)"
    )
    return "\n".join(out) + "\n"


def render_sarif(result: ScanResult) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in result.findings:
        if f.rule_id not in rules:
            rules[f.rule_id] = {
                "id": f.rule_id,
                "name": f.rule_id,
                "shortDescription": {"text": f.message[:200]},
                "fullDescription": {"text": f.message},
                "help": {"text": f.remediation or f.message},
                "defaultConfiguration": {"level": _SARIF_LEVEL[f.severity]},
                "properties": {
                    "tags": ["security", f.category],
                    "security-severity": _SECURITY_SEVERITY[f.severity],
                    "precision": {0: "low", 1: "medium", 2: "high"}[int(f.confidence)],
                },
            }
        results.append(
            {
                "ruleId": f.rule_id,
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": f.path},
                            "region": {
                                "startLine": max(1, f.start_line),
                                "endLine": max(1, f.end_line),
                            },
                        }
                    }
                ],
                "partialFingerprints": {"gatehouse/v1": f.fingerprint},
                "properties": {"severity": f.severity.label, "category": f.category},
            }
        )
    notifications = [{"level": "warning", "message": {"text": e}} for e in result.errors]
    notifications += [
        {
            "level": "note",
            "message": {"text": f"{s.path} not analysed: {s.reason.value} {s.detail}".strip()},
        }
        for s in result.skipped
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "Gatehouse",
                        "version": __version__,
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": not result.degraded,
                        "toolExecutionNotifications": notifications,
                    }
                ],
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
