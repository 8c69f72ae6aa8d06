"""The analyzers Gatehouse runs, as an explicit list."""

from __future__ import annotations

from reviewer.core.analyzers.base import Analyzer, AnalysisFile, AnalyzerOutput, ScanContext, ScanOptions
from reviewer.core.rules import RuleMeta

__all__ = ["Analyzer", "AnalysisFile", "AnalyzerOutput", "ScanContext", "ScanOptions",
           "default_analyzers", "builtin_rule_metas"]


def default_analyzers() -> list[Analyzer]:
    from reviewer.core.analyzers.semgrep import SemgrepAnalyzer

    return [SemgrepAnalyzer()]


def builtin_rule_metas() -> list[RuleMeta]:
    """Catalogue entries of the rules implemented in Python analyzers."""
    return []
