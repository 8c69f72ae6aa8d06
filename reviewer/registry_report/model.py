"""The registry report's values: one row per pull request, the dismissals and the policy
decisions, built from what the store returns (``Store.registry()``, ``Store.dismissals()``,
``Store.decisions()``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reviewer.report_html import iso_utc as _iso

__all__ = ["Dismissal", "RegistryReport", "RegistryRow", "build_report"]


@dataclass(frozen=True)
class RegistryRow:
    """One pull request in the registry."""

    repo: str
    pr: int
    author: str
    title: str
    head_sha: str
    ai_assisted: bool
    tools: tuple[str, ...]
    vendors: tuple[str, ...]
    evidence: tuple[str, ...]
    verdict: str
    findings_by_category: Mapping[str, int]
    merged: bool | None
    first_seen: dt.datetime
    updated: dt.datetime
    sensitive: bool = False  # the repository is marked sensitive (topic or config)
    signals: tuple[Mapping[str, Any], ...] = ()  # AI signals the PR shows (kind, tool, ...)

    @property
    def findings_total(self) -> int:
        """All findings on the PR, any category."""
        return sum(self.findings_by_category.values())


@dataclass(frozen=True)
class Dismissal:
    """One row of the dismissals history: a finding dismissed on a PR, or that dismissal revoked.

    ``pr`` is None for repository-wide dismissals recorded before dismissals were scoped to a
    pull request and a finding's content: kept as history, no longer applied.
    """

    repo: str
    fingerprint: str
    rule_id: str
    path: str
    who: str
    reason: str
    at: dt.datetime
    pr: int | None = None
    head_sha: str = ""
    action: str = "dismiss"  # or "revoke"

    @property
    def revoked(self) -> bool:
        """True for a revocation row."""
        return self.action == "revoke"


@dataclass(frozen=True)
class RegistryReport:
    """Everything the report shows."""

    rows: tuple[RegistryRow, ...]
    dismissals: tuple[Dismissal, ...]
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    # The audit trail: every policy decision (conclusion, why, policy, signals), oldest first.
    decisions: tuple[Mapping[str, Any], ...] = ()

    @property
    def ai_rows(self) -> tuple[RegistryRow, ...]:
        """Only the PRs found to be AI-assisted."""
        return tuple(r for r in self.rows if r.ai_assisted)


def _when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromtimestamp(float(value or 0), dt.UTC)


def build_report(
    registry: Iterable[Mapping[str, Any]],
    dismissals: Iterable[Mapping[str, Any]],
    *,
    now: dt.datetime | None = None,
    decisions: Iterable[Mapping[str, Any]] = (),
) -> RegistryReport:
    """Typed report values from the store's rows."""
    rows = tuple(
        RegistryRow(
            repo=str(r["repo"]),
            pr=int(r["pr"]),
            author=str(r.get("author") or ""),
            title=str(r.get("title") or ""),
            head_sha=str(r.get("head_sha") or ""),
            ai_assisted=bool(r.get("ai_assisted")),
            tools=tuple(r.get("tools") or ()),
            vendors=tuple(r.get("vendors") or ()),
            evidence=tuple(r.get("evidence") or ()),
            verdict=str(r.get("verdict") or ""),
            findings_by_category={
                str(k): int(v) for k, v in (r.get("findings_by_category") or {}).items() if int(v)
            },
            merged=r.get("merged"),
            first_seen=_when(r.get("first_seen_at")),
            updated=_when(r.get("updated_at") or r.get("first_seen_at")),
            sensitive=bool(r.get("sensitive")),
            signals=tuple(r.get("signals") or ()),
        )
        for r in registry
    )
    dis = tuple(
        Dismissal(
            repo=str(d["repo"]),
            fingerprint=str(d.get("fingerprint") or ""),
            rule_id=str(d.get("rule_id") or ""),
            path=str(d.get("path") or ""),
            who=str(d.get("who") or ""),
            reason=str(d.get("reason") or ""),
            at=_when(d.get("at")),
            pr=int(d["pr"]) if d.get("pr") is not None else None,
            head_sha=str(d.get("head_sha") or ""),
            action=str(d.get("action") or "dismiss"),
        )
        for d in dismissals
    )
    report = RegistryReport(
        rows=tuple(sorted(rows, key=lambda r: (r.first_seen, r.repo, r.pr))),
        dismissals=tuple(sorted(dis, key=lambda d: d.at)),
    )
    if now is not None:
        report = RegistryReport(report.rows, report.dismissals, now)
    trail = tuple(
        {**{k: v for k, v in d.items() if k != "at"}, "at": _iso(_when(d.get("at")))}
        for d in decisions
    )
    return dataclasses.replace(report, decisions=trail) if trail else report
