"""Correlate, don't count: severity from chains of capabilities within a file or a change.

Rules and analyzers tag findings with ``capabilities`` (``reviewer/core/capabilities.py``). One
capability alone is everyday code and stays low. The chains in ``checks/data/chains.yml`` say
which combinations are dangerous; a chain that holds adds one finding on its anchor's lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from checks import DATA_DIR
from reviewer.core.capabilities import CAPABILITIES
from reviewer.core.changeset import ChangeSet
from reviewer.core.findings import CATEGORIES, Confidence, Finding, Severity
from reviewer.errors import RuleError

if TYPE_CHECKING:  # imported lazily at run time, to avoid a cycle
    from reviewer.core.rules import RuleMeta

CHAINS_FILE = DATA_DIR / "chains.yml"


@dataclass(frozen=True)
class Chain:
    """One dangerous combination of capabilities."""

    chain_id: str
    category: str
    severity: Severity
    confidence: Confidence
    groups: tuple[tuple[str, frozenset[str]], ...]
    anchor: str
    window: int
    scope: str
    message: str
    remediation: str
    rationale: str


@lru_cache(maxsize=4)
def load_chains(path: Path = CHAINS_FILE) -> tuple[Chain, ...]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    chains = []
    for raw in doc.get("chains", []):
        cid = raw.get("id", "?")
        where = f"{path.name}: chain {cid}"
        groups = tuple((name, frozenset(caps)) for name, caps in (raw.get("groups") or {}).items())
        unknown = {c for _, caps in groups for c in caps} - set(CAPABILITIES)
        if unknown:
            raise RuleError(
                f"{where}: unknown capabilities {sorted(unknown)} (see "
                "reviewer/core/capabilities.py)"
            )
        if raw.get("category") not in CATEGORIES:
            raise RuleError(f"{where}: category {raw.get('category')!r} is not in the taxonomy")
        if raw.get("anchor") not in dict(groups):
            raise RuleError(f"{where}: anchor {raw.get('anchor')!r} must name one of its groups")
        chains.append(
            Chain(
                chain_id=cid,
                category=raw["category"],
                severity=Severity.parse(raw["severity"]),
                confidence=Confidence.parse(raw.get("confidence", "medium")),
                groups=groups,
                anchor=raw["anchor"],
                window=int(raw.get("window", 40)),
                scope=raw.get("scope", "file"),
                message=" ".join(str(raw["message"]).split()),
                remediation=raw.get("remediation", ""),
                rationale=raw.get("rationale", ""),
            )
        )
    return tuple(chains)


def _with(findings: Iterable[Finding], caps: frozenset[str]) -> list[Finding]:
    return [f for f in findings if f.capabilities & caps]


def correlate(
    findings: list[Finding], changeset: ChangeSet, chains: tuple[Chain, ...] | None = None
) -> list[Finding]:
    """Return the findings plus one chain finding per chain that holds, on its anchor's lines."""
    chains = load_chains() if chains is None else chains
    tagged = [f for f in findings if f.capabilities]
    if not tagged:
        return findings
    by_path: dict[str, list[Finding]] = {}
    for f in tagged:
        by_path.setdefault(f.path, []).append(f)
    added: dict[tuple[str, str, int], Finding] = {}
    for chain in chains:
        groups = dict(chain.groups)
        anchor_caps = groups[chain.anchor]
        others = [(name, caps) for name, caps in chain.groups if name != chain.anchor]
        for path, in_file in by_path.items():
            pool_all = tagged if chain.scope == "change" else in_file
            for anchor in _with(in_file, anchor_caps):
                support: list[Finding] = []
                for _name, caps in others:
                    near = [
                        f
                        for f in _with(pool_all, caps)
                        if f is not anchor
                        and (
                            f.path != anchor.path
                            or abs(f.start_line - anchor.start_line) <= chain.window
                        )
                    ]
                    if not near:
                        break
                    support.append(
                        min(
                            near,
                            key=lambda f: (
                                f.path != anchor.path,
                                abs(f.start_line - anchor.start_line),
                            ),
                        )
                    )
                else:
                    key = (chain.chain_id, path, anchor.start_line)
                    if key in added:
                        continue
                    parts = "; ".join(f"{s.rule_id} at {s.path}:{s.start_line}" for s in support)
                    added[key] = Finding(
                        rule_id=chain.chain_id,
                        category=chain.category,
                        severity=chain.severity,
                        confidence=chain.confidence,
                        path=anchor.path,
                        start_line=anchor.start_line,
                        end_line=anchor.end_line,
                        message=f"{chain.message} (Linked evidence: {parts}.)",
                        remediation=chain.remediation,
                        evidence=anchor.evidence,
                        analyzer="correlate",
                        capabilities=anchor.capabilities,
                        extra=(
                            (
                                "chain",
                                ",".join(sorted({s.rule_id for s in support} | {anchor.rule_id})),
                            ),
                        ),
                    ).with_fingerprint()
    return findings + list(added.values())


def chain_rule_metas() -> list[RuleMeta]:
    from reviewer.core.rules import RuleMeta

    return [
        RuleMeta(
            rule_id=c.chain_id,
            category=c.category,
            severity=c.severity,
            confidence=c.confidence,
            languages=(),
            rationale=c.rationale or c.message[:120],
            remediation=c.remediation,
            source="correlate",
        )
        for c in load_chains()
    ]
