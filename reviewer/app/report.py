"""Pure rendering of a scan into a check run: title, Markdown summary, annotations, buttons.

Everything stays within GitHub's limits: summary and text at most 65,535
characters, annotations sent in batches of at most 50, at most three action
buttons (label <= 20, description <= 40, identifier <= 20 characters).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewer.app.markdown import code_span, escape_markdown, plain_text
from reviewer.core.findings import CATEGORIES, Finding, Severity, Skipped

__all__ = [
    "Conclusion",
    "Decision",
    "ScanReport",
    "CheckRunOutput",
    "render",
    "annotation_batches",
    "RESCAN_ACTION",
    "MAX_SUMMARY",
    "MAX_ANNOTATIONS_PER_REQUEST",
    "short_fp",
]

MAX_SUMMARY = 65535
MAX_ANNOTATIONS_PER_REQUEST = 50
MAX_ANNOTATIONS = 1000  # beyond this the summary carries the rest
_MAX_TABLE_ROWS = 60
_MAX_MISSING_ROWS = 300  # files not analysed are each named, within the summary's limit
_SEV_ICON = {
    Severity.CRITICAL: "🔴",
    Severity.HIGH: "🟠",
    Severity.MEDIUM: "🟡",
    Severity.LOW: "🔵",
    Severity.INFO: "⚪",
}

RESCAN_ACTION: dict[str, str] = {
    "label": "Re-scan",
    "description": "Run Gatehouse again on this commit",
    "identifier": "rescan",
}


class Conclusion(enum.StrEnum):
    """The check-run conclusions Gatehouse uses."""

    SUCCESS = "success"
    NEUTRAL = "neutral"
    FAILURE = "failure"
    ACTION_REQUIRED = "action_required"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Decision:
    """The conclusion, a one-line title and the policy sentence that decided it."""

    conclusion: Conclusion
    title: str
    reason: str
    policy: str


@dataclass(frozen=True)
class ScanReport:
    """Everything the check run shows about one scan."""

    head_sha: str
    decision: Decision
    findings: tuple[Finding, ...] = ()
    suppressed: tuple[tuple[Finding, dict[str, Any]], ...] = ()
    intermediate: tuple[Finding, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    provenance: str = ""
    provenance_evidence: tuple[str, ...] = ()
    ai_assisted: bool = False
    ai_signals: tuple[str, ...] = ()  # each signal described (see ai_signals.Signal.describe)
    signals_count: bool = False  # whether the policy counts signals as AI use
    scanned: bool = True
    stats: tuple[tuple[str, Any], ...] = field(default=())


@dataclass(frozen=True)
class CheckRunOutput:
    """The ``output`` of a check run, plus its annotations (sent in batches)."""

    title: str
    summary: str
    annotations: tuple[dict[str, Any], ...]

    def body(self, annotations: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
        return {"title": self.title, "summary": self.summary, "annotations": list(annotations)}


def short_fp(fp: str) -> str:
    return fp[:12]


def _md(text: str) -> str:
    """Text shown literally (also in a table cell): no HTML, links, mentions or Markdown."""
    return escape_markdown(text)


def _code(text: str, *, table: bool = False) -> str:
    """Text (a path, code) as inline code that nothing inside it can close."""
    return code_span(text, limit=200, table=table)


def _counts_table(title: str, counter: Counter[str], order: Iterable[str]) -> list[str]:
    rows = [f"| {k} | {counter[k]} |" for k in order if counter.get(k)]
    if not rows:
        return []
    return [f"| {title} | findings |", "| --- | ---: |", *rows, ""]


def summary_markdown(report: ScanReport) -> str:
    """The check run's Markdown summary (may exceed the limit; :func:`render` trims)."""
    d = report.decision
    out: list[str] = [
        f"**{d.title}**",
        "",
        f"Conclusion **{d.conclusion.value}**: {d.reason}",
        "",
        f"Policy: {d.policy}",
        "",
    ]
    out += ["### AI provenance", ""]
    if report.ai_assisted:
        out.append(f"AI-assisted: **yes**, {_md(report.provenance)}.")
        out += [f"- {_md(e)}" for e in report.provenance_evidence[:20]]
    else:
        out.append(
            "AI-assisted: **no sign found** (labels, commit trailers, PR body, author, branch)."
        )
    out.append("")
    if report.ai_signals:
        counted = (
            "the policy counts those of medium or high confidence as AI use"
            if report.signals_count
            else "the policy scans declared AI use only, so these are shown, not counted"
        )
        out += [
            "### AI signals",
            "",
            f"What this pull request shows of AI tools, beyond declarations ({counted}). "
            "A signal describes the change, not the person who made it.",
            "",
        ]
        out += [f"- {_md(s)}" for s in report.ai_signals[:30]]
        if len(report.ai_signals) > 30:
            out.append(f"- …and {len(report.ai_signals) - 30} more")
        out.append("")
    if report.scanned:
        by_sev = Counter(f.severity.label for f in report.findings)
        by_cat = Counter(f.category for f in report.findings)
        if report.findings:
            out += ["### Findings", ""]
            out += _counts_table(
                "severity", by_sev, [s.label for s in sorted(Severity, reverse=True)]
            )
            out += _counts_table(
                "category", by_cat, CATEGORIES + tuple(sorted(set(by_cat) - set(CATEGORIES)))
            )
            out += [
                "| | severity | rule | where | fingerprint |",
                "| --- | --- | --- | --- | --- |",
            ]
            ordered = sorted(
                report.findings, key=lambda f: (-int(f.severity), f.path, f.start_line)
            )
            for f in ordered[:_MAX_TABLE_ROWS]:
                out.append(
                    f"| {_SEV_ICON[f.severity]} | {f.severity.label} | `{f.rule_id}` | "
                    f"{_code(f.path, table=True)} line {f.start_line} | "
                    f"`{short_fp(f.fingerprint)}` |"
                )
            if len(ordered) > _MAX_TABLE_ROWS:
                out.append(f"\n…and {len(ordered) - _MAX_TABLE_ROWS} more (see the annotations).")
            out += [
                "",
                "A reviewer other than the pull request's author and its commits' authors can "
                "dismiss a finding with `/gatehouse ignore <fingerprint> <reason>`.",
                "",
            ]
        else:
            out += ["### Findings", "", "None on the lines this pull request adds.", ""]
    if report.suppressed:
        out += ["### Dismissed by maintainers", ""]
        for f, s in report.suppressed[:_MAX_TABLE_ROWS]:
            out.append(
                f"- `{f.rule_id}` in {_code(f.path)} (`{short_fp(f.fingerprint)}`): dismissed by "
                f"@{_md(str(s.get('who', '?')))}: {_md(str(s.get('reason', '')))}"
            )
        out.append("")
    if report.intermediate:
        out += [
            "### Seen in earlier commits of this PR, removed later",
            "",
            "Code added by one commit and removed by a later one is not in the final change, "
            "but it was pushed; worth a look.",
            "",
        ]
        for f in report.intermediate[:_MAX_TABLE_ROWS]:
            out.append(
                f"- {f.severity.label} `{f.rule_id}` in {_code(f.path)}: {_md(f.message[:200])}"
            )
        out.append("")
    if report.skipped:
        out += _skipped_sections(report.skipped)
    if report.errors:
        out += [
            "### Analysis errors",
            "",
            "The analysis was degraded, so the result cannot be green:",
            "",
        ]
        out += [f"- {_md(e[:300])}" for e in report.errors[:20]]
        out.append("")
    if report.notes:
        out += ["### Limits", ""]
        out += [f"- {_md(n)}" for n in report.notes]
        out.append("")
    out.append(f"<sub>Gatehouse scanned {report.head_sha[:12]}.</sub>")
    return "\n".join(out)


def _skipped_line(s: Skipped) -> str:
    where = f"every file, by {_md(s.analyzer) or 'an analyzer'}" if s.path == "*" else _code(s.path)
    return f"- {where}: {s.reason.value}" + (f" ({_md(s.detail)[:150]})" if s.detail else "")


def _skipped_sections(skipped: Sequence[Skipped]) -> list[str]:
    """Files not analysed (each named: they keep the check from being green) first, then the
    binary, ignored and partly parsed ones."""
    unique = list(dict.fromkeys(skipped))
    missing = [s for s in unique if s.reason.not_analysed]
    other = [s for s in unique if not s.reason.not_analysed]
    out: list[str] = []
    for title, items, cap in (
        ("### Not analysed: this check cannot be green", missing, _MAX_MISSING_ROWS),
        ("### Not analysed, or only in part", other, _MAX_TABLE_ROWS),
    ):
        if not items:
            continue
        out += [title, ""]
        out += [_skipped_line(s) for s in items[:cap]]
        if len(items) > cap:
            out.append(f"- …and {len(items) - cap} more")
        out.append("")
    return out


def _trim(text: str, limit: int = MAX_SUMMARY) -> str:
    if len(text) <= limit:
        return text
    tail = "\n\n…(truncated to fit GitHub's limit; see the annotations)"
    return text[: limit - len(tail)] + tail


def annotation(f: Finding) -> dict[str, Any]:
    level = (
        "failure"
        if f.severity >= Severity.HIGH
        else "warning"
        if f.severity == Severity.MEDIUM
        else "notice"
    )
    details = []
    if f.remediation:
        details.append(f"Fix: {f.remediation}")
    details.append(f"Fingerprint: {f.fingerprint}")
    return {
        "path": f.path,
        "start_line": max(1, f.start_line),
        "end_line": max(1, f.end_line, f.start_line),
        "annotation_level": level,
        "title": plain_text(f"[{f.severity.label}] {f.category}: {f.rule_id}")[:255],
        "message": plain_text(f.message or f.rule_id)[:4000],
        "raw_details": plain_text("\n".join(details))[:4000],
    }


def render(report: ScanReport) -> CheckRunOutput:
    """The check run output for a scan report, within GitHub's limits."""
    ordered = sorted(report.findings, key=lambda f: (-int(f.severity), f.path, f.start_line))
    return CheckRunOutput(
        title=report.decision.title[:200],
        summary=_trim(summary_markdown(report)),
        annotations=tuple(annotation(f) for f in ordered[:MAX_ANNOTATIONS]),
    )


def annotation_batches(annotations: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """At most 50 per request; always at least one (possibly empty) batch."""
    step = MAX_ANNOTATIONS_PER_REQUEST
    return [list(annotations[i : i + step]) for i in range(0, len(annotations), step)] or [[]]
