"""The analyzers Gatehouse runs, as an explicit list."""

from __future__ import annotations

from reviewer.core.analyzers.base import (
    AnalysisFile,
    Analyzer,
    AnalyzerOutput,
    ScanContext,
    ScanOptions,
)
from reviewer.core.rules import RuleMeta

__all__ = [
    "Analyzer",
    "AnalysisFile",
    "AnalyzerOutput",
    "ScanContext",
    "ScanOptions",
    "default_analyzers",
    "builtin_rule_metas",
]


def default_analyzers() -> list[Analyzer]:
    from reviewer.core.analyzers.agents import AgentAnalyzer
    from reviewer.core.analyzers.ai_egress import AIEgressAnalyzer
    from reviewer.core.analyzers.blobs import BlobAnalyzer
    from reviewer.core.analyzers.dependencies import DependencyAnalyzer
    from reviewer.core.analyzers.endpoints import EndpointAnalyzer
    from reviewer.core.analyzers.secrets import SecretAnalyzer
    from reviewer.core.analyzers.semgrep import SemgrepAnalyzer
    from reviewer.core.analyzers.unicode import UnicodeAnalyzer
    from reviewer.core.analyzers.workflows import WorkflowAnalyzer
    from reviewer.core.behaviour import BehaviourAnalyzer

    return [
        SemgrepAnalyzer(),
        BehaviourAnalyzer(),
        UnicodeAnalyzer(),
        SecretAnalyzer(),
        BlobAnalyzer(),
        AgentAnalyzer(),
        EndpointAnalyzer(),
        DependencyAnalyzer(),
        WorkflowAnalyzer(),
        AIEgressAnalyzer(),
    ]


def builtin_rule_metas() -> list[RuleMeta]:
    """Catalogue entries of the rules implemented in Python analyzers."""
    from reviewer.core.analyzers import agents, ai_egress, blobs, endpoints, secrets, unicode

    metas: list[RuleMeta] = []
    for module in (unicode, secrets, blobs, agents, endpoints, ai_egress):
        metas.extend(module.rule_metas())
    from reviewer.core.analyzers import dependencies, workflows

    metas.extend(dependencies.rule_metas())
    metas.extend(workflows.rule_metas())
    from reviewer.core import behaviour

    metas.extend(behaviour.rule_metas())
    return metas
