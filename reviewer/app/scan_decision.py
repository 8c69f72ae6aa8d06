"""The scan's verdict and report, from values: policy, provenance, findings, skips.

Pure: :func:`decide` turns a scan result, the findings that count, the provenance and the
repository's policy into the check run's conclusion and wording; the helpers beside it
assemble the report's parts (dismissed findings set aside, findings of earlier commits whose
code is gone, the provenance fields). ``reviewer.service.scan_runner`` fetches, scans, stores
and publishes around them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

from reviewer.app.ai_signals import Signal
from reviewer.app.provenance import Provenance
from reviewer.app.repo_config import RepoConfig, ScanPolicy
from reviewer.app.report import Conclusion, Decision
from reviewer.core.changeset import FileChange
from reviewer.core.engine import ScanResult
from reviewer.core.findings import Finding, Severity, Skipped, normalise_code

__all__ = [
    "ProvenanceFields",
    "decide",
    "intermediate_findings",
    "invalid_config_decision",
    "not_analysed_files",
    "provenance_fields",
    "split_dismissed",
    "where_skipped",
]


def decide(
    result: ScanResult | None,
    findings: Sequence[Finding],
    provenance: Provenance,
    config: RepoConfig,
    *,
    not_fetched: Sequence[Skipped] = (),
) -> Decision:
    """The conclusion by policy (pure). ``result`` None means "not scanned by policy".

    A blocking finding fails the check. Otherwise a scan that is degraded, or that left any
    file unanalysed (``result``'s own skips, or ``not_fetched``: files the scan never got), ends
    as the policy's ``incomplete`` conclusion (action_required unless it says failure): never
    green, whatever else it found.
    """
    policy = config.describe()
    if result is None:
        which = (
            "AI-assisted pull requests only and none of the AI signatures matched"
            if config.scan is ScanPolicy.AI_ASSISTED
            else "pull requests that declare AI use or show an AI signal of medium or high "
            "confidence, and this one shows neither"
        )
        return Decision(
            Conclusion.NEUTRAL,
            "Skipped: no sign of AI assistance",
            f"the policy scans {which}; comment `/gatehouse ai` to mark it.",
            policy,
        )
    worst = max((f.severity for f in findings), default=None)
    blocking = [f for f in findings if f.severity >= config.fail_on]
    human = _human_required(provenance, config)
    if blocking:
        top = worst.label if worst is not None else config.fail_on.label
        return Decision(
            Conclusion.FAILURE,
            f"{len(blocking)} finding(s) at {config.fail_on.label} or worse (worst: {top})",
            f"{len(blocking)} finding(s) at or above the policy's threshold "
            f"({config.fail_on.label}).",
            policy,
        )
    missing = not_analysed_files([*not_fetched, *result.not_analysed])
    if result.degraded or missing:
        parts = [f"{len(missing)} file(s) not analysed"] if missing else []
        parts += [f"{len(result.errors)} analysis error(s)"] if result.errors else []
        named = "; ".join(f"{where_skipped(s)} ({s.reason.value})" for s in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        return Decision(
            Conclusion(config.incomplete),
            "Analysis incomplete",
            f"{' and '.join(parts)}"
            + (f": {named}{more}" if named else "")
            + ". A scan that did not analyse everything is never green; see "
            '"Not analysed" below.',
            policy,
        )
    if human:
        return Decision(
            Conclusion.ACTION_REQUIRED,
            "A human decision is required",
            f"the policy requires a human decision for changes from {human}.",
            policy,
        )
    egress = _egress_blocked(findings, config)
    if egress:
        return Decision(
            Conclusion.ACTION_REQUIRED,
            "AI egress to a blocked vendor",
            f"the change makes code send data to {egress}, which the policy's "
            "ai_egress does not allow; a maintainer decides (dismiss the finding, or "
            "change the policy on the default branch).",
            policy,
        )
    medium = [f for f in findings if f.severity >= Severity.MEDIUM]
    if medium:
        return Decision(
            Conclusion.NEUTRAL,
            f"{len(medium)} finding(s) to review",
            f"{len(medium)} finding(s) below the failing threshold "
            f"({config.fail_on.label}) are worth a look.",
            policy,
        )
    return Decision(
        Conclusion.SUCCESS,
        "No findings" if not findings else f"{len(findings)} low finding(s)",
        "nothing at medium or above on the added lines.",
        policy,
    )


def where_skipped(s: Skipped) -> str:
    return f"every file, for {s.analyzer or 'an analyzer'}" if s.path == "*" else s.path


def not_analysed_files(skipped: Sequence[Skipped]) -> list[Skipped]:
    """One entry per path left unanalysed (the first reason given for it), in order."""
    seen: dict[str, Skipped] = {}
    for s in skipped:
        if s.reason.not_analysed and s.path not in seen:
            seen[s.path] = s
    return list(seen.values())


def _egress_blocked(findings: Sequence[Finding], config: RepoConfig) -> str | None:
    """``vendor (country) in path line N`` for the first AI-egress finding the policy blocks."""
    for f in findings:
        if f.category != "ai-egress":
            continue
        extra = dict(f.extra)
        vendor, country = extra.get("vendor", "unknown vendor"), extra.get("country", "unknown")
        if config.egress_blocked(vendor, country, local=extra.get("local") == "yes"):
            return f"{vendor} ({country}) in {f.path} line {f.start_line}"
    return None


def _human_required(provenance: Provenance, config: RepoConfig) -> str | None:
    for tool, vendor, country in provenance.vendors_by_tool:
        if (
            tool.lower() in config.human_tools
            or vendor.lower() in config.human_vendors
            or country.upper() in config.human_countries
        ):
            return f"{tool} ({vendor}, {country})"
    for tool in provenance.tools:
        if tool.lower() in config.human_tools:
            return tool
    return None


def invalid_config_decision(diagnostics: str) -> Decision:
    """The failing verdict when the repository's policy file is invalid (``diagnostics`` names
    the file, line and key)."""
    return Decision(
        Conclusion.FAILURE,
        "Invalid .github/gatehouse.yml",
        f"the repository's Gatehouse configuration is invalid: {diagnostics}. "
        "Fix the file on the default branch, then re-scan.",
        "none (configuration invalid)",
    )


class ProvenanceFields(TypedDict):
    """The fields of a ScanReport that say who wrote the change and how that was decided."""

    provenance: str
    provenance_evidence: tuple[str, ...]
    ai_assisted: bool
    notes: tuple[str, ...]
    ai_signals: tuple[str, ...]
    signals_count: bool


def provenance_fields(
    provenance: Provenance, signals: Sequence[Signal], notes: Iterable[str], config: RepoConfig
) -> ProvenanceFields:
    """The report's provenance fields for ``provenance`` as decided under ``config``."""
    return ProvenanceFields(
        provenance=provenance.describe(),
        provenance_evidence=tuple(str(e) for e in provenance.evidence),
        ai_assisted=provenance.ai_assisted,
        notes=tuple(notes),
        ai_signals=tuple(s.describe() for s in signals),
        signals_count=config.signals_count,
    )


def split_dismissed(
    findings: Sequence[Finding], dismissed: Mapping[str, Any]
) -> tuple[list[Finding], tuple[tuple[Finding, Any], ...]]:
    """(findings that count, (finding, dismissal) pairs): a dismissal matches by fingerprint,
    which hashes rule, path and the whole matched code, so it covers that content only."""
    active = [f for f in findings if f.fingerprint not in dismissed]
    suppressed = tuple(
        (f, dismissed[f.fingerprint]) for f in findings if f.fingerprint in dismissed
    )
    return active, suppressed


def intermediate_findings(
    final_files: Sequence[FileChange],
    earlier: Sequence[tuple[str, ScanResult]],
    final: Sequence[Finding],
) -> list[Finding]:
    """Medium+ findings in earlier commits (``(sha, result)`` each) whose code is gone from the
    final change (``final_files``, whose findings are ``final``)."""
    final_keys = {(f.rule_id, f.path) for f in final}
    heads = {f.path: normalise_code(f.post_image()) for f in final_files}
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for sha, result in earlier:
        for f in result.findings:
            if f.severity < Severity.MEDIUM or (f.rule_id, f.path) in final_keys:
                continue
            if f.evidence and normalise_code(f.evidence) in heads.get(f.path, ""):
                continue
            if (f.fingerprint, f.path) in seen:  # the same code in several commits: the first
                continue
            seen.add((f.fingerprint, f.path))
            out.append(dataclasses.replace(f, message=f"(commit {sha[:7]}) {f.message}"))
    return out
