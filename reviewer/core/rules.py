"""Rule metadata (:class:`RuleMeta`, the analyzers' table constructor) and the semgrep rule
pack in ``checks/semgrep``, loaded and validated. The whole catalogue of every analyzer's
rules is :mod:`reviewer.core.catalogue`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from checks import SEMGREP_DIR
from reviewer.core.findings import CATEGORIES, Confidence, Finding, Severity
from reviewer.errors import RuleError


@dataclass(frozen=True)
class RuleMeta:
    """What Gatehouse needs to know of one rule, from any analyzer."""

    rule_id: str
    category: str
    severity: Severity
    confidence: Confidence
    languages: tuple[str, ...]
    rationale: str
    remediation: str = ""
    source: str = ""
    capabilities: tuple[str, ...] = ()

    def finding(
        self,
        *,
        analyzer: str,
        path: str,
        start_line: int,
        end_line: int,
        message: str,
        evidence: str = "",
        severity: Severity | None = None,
        capabilities: frozenset[str] | None = None,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> Finding:
        """A finding of this rule: its id, category, confidence and remediation, and its
        severity and capabilities unless the check gives its own."""
        return Finding(
            rule_id=self.rule_id,
            category=self.category,
            severity=self.severity if severity is None else severity,
            confidence=self.confidence,
            path=path,
            start_line=start_line,
            end_line=end_line,
            message=message,
            remediation=self.remediation,
            evidence=evidence,
            analyzer=analyzer,
            capabilities=frozenset(self.capabilities) if capabilities is None else capabilities,
            extra=extra,
        )


def rule_maker(
    source: str,
    *,
    languages: tuple[str, ...] = (),
    category: str | None = None,
    capabilities: tuple[str, ...] = (),
) -> Callable[..., RuleMeta]:
    """The compact constructor a Python analyzer writes its table of rules with.

    Each row reads ``meta(rule_id, [category,] severity, confidence, rationale, remediation
    [, capabilities])``; a ``category`` (or ``capabilities``) given here holds for every row
    and the rows leave it out. ``source=`` on a row overrides the table's source.
    """

    def meta(rule_id: str, *row: Any, source: str = source) -> RuleMeta:
        fields = list(row)
        cat = category if category is not None else fields.pop(0)
        severity, confidence, rationale, remediation, *rest = fields
        return RuleMeta(
            rule_id=rule_id,
            category=cat,
            severity=severity,
            confidence=confidence,
            languages=languages,
            rationale=rationale,
            remediation=remediation,
            source=source,
            capabilities=tuple(rest[0] if rest else capabilities),
        )

    return meta


def is_rule_file(path: Path) -> bool:
    """A rule file is YAML that is not a semgrep test target (``*.test.yml``)."""
    name = path.name
    return path.suffix in (".yml", ".yaml") and ".test." not in name and not name.startswith("_")


def rule_files(root: Path = SEMGREP_DIR) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and is_rule_file(p))


def load_semgrep_rules(root: Path = SEMGREP_DIR) -> list[dict[str, Any]]:
    """Every rule of the pack, validated; raises RuleError naming the file.

    Loaded once per process and pack state (the files' names and modification times).
    """
    files = rule_files(root)
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    return [dict(r) for r in _load_cached(str(root), stamp)]


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=8)
def _load_cached(root_s: str, stamp: tuple[tuple[str, int], ...]) -> tuple[dict[str, Any], ...]:
    root = Path(root_s)
    rules: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    for path_s, _ in stamp:
        path = Path(path_s)
        try:
            doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except yaml.YAMLError as exc:
            raise RuleError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
            raise RuleError(f"{path}: a rule file needs a top-level 'rules:' list")
        for rule in doc["rules"]:
            rid = rule.get("id")
            if not rid:
                raise RuleError(f"{path}: a rule has no 'id'")
            if rid in seen:
                raise RuleError(f"{path}: rule id {rid!r} is also defined in {seen[rid]}")
            seen[rid] = path
            meta_of(rule, path)  # validates
            rule = dict(rule)
            rule.setdefault("metadata", {})["source-file"] = str(path.relative_to(root))
            rules.append(rule)
    return tuple(rules)


def meta_of(rule: dict[str, Any], path: Path | str = "") -> RuleMeta:
    md = rule.get("metadata") or {}
    rid = rule.get("id", "?")
    where = f"{path}: rule {rid}"
    cat = md.get("category")
    if cat not in CATEGORIES:
        raise RuleError(
            f"{where}: metadata.category {cat!r} is not in the taxonomy ({', '.join(CATEGORIES)})"
        )
    try:
        sev = Severity.parse(str(md.get("severity", "")))
        conf = Confidence.parse(str(md.get("confidence", "medium")))
    except ValueError as exc:
        raise RuleError(f"{where}: {exc}") from None
    if not rule.get("message"):
        raise RuleError(f"{where}: needs a 'message' written for a reviewer")
    return RuleMeta(
        rule_id=rid,
        category=cat,
        severity=sev,
        confidence=conf,
        languages=tuple(rule.get("languages") or ()),
        rationale=str(md.get("rationale") or rule["message"]).strip().splitlines()[0],
        remediation=str(md.get("remediation", "")).strip(),
        source="semgrep",
        capabilities=tuple(md.get("capabilities") or ()),
    )
