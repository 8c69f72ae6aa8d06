"""The behaviour analyzer: runs the flow analysis over a change's Python files and keeps the
findings its verdicts support."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.behaviour.capabilities import CapabilityTable, table
from reviewer.core.behaviour.context import FileContexts, contexts_of, file_context
from reviewer.core.behaviour.flow import FlowAnalysis
from reviewer.core.behaviour.flow_model import ModuleInfo, module_name
from reviewer.core.behaviour.parse import parse_python, pth_source
from reviewer.core.behaviour.report import build_finding
from reviewer.core.behaviour.verdicts import ANALYZER, judge
from reviewer.core.findings import Severity, Skipped, SkipReason
from reviewer.core.paths import is_generated_path

__all__ = ["BehaviourAnalyzer"]

_MAX_FINDINGS_PER_FILE = 12
_BEACON = "py-behaviour-unasked-request"


class BehaviourAnalyzer:
    """What the change's Python code can reach, where it sends it, what it runs, and when."""

    name = ANALYZER

    def __init__(self, caps: CapabilityTable | None = None) -> None:
        self._caps = caps

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        caps = self._caps or table()
        parsed: list[tuple[AnalysisFile, ModuleInfo]] = []
        for file in files:
            if not _is_python(file) or is_generated_path(file.path):
                continue
            source = pth_source(file.text) if file.path.lower().endswith(".pth") else file.text
            result = parse_python(source, file.path)
            if result.tree is None:
                if file.change.whole_post_image:
                    out.skipped.append(
                        Skipped(
                            file.path,
                            SkipReason.UNPARSABLE,
                            f"not Python 2 or 3: {result.error}",
                            ANALYZER,
                        )
                    )
                continue
            if result.note.startswith(tuple("0123456789")):
                # Lines left out of a whole file are code nobody analysed (fail closed); in a
                # post-image rebuilt from hunks, gaps and cut statements are expected.
                reason = (
                    SkipReason.UNPARSABLE
                    if file.change.whole_post_image
                    else SkipReason.PARTLY_PARSED
                )
                out.skipped.append(Skipped(file.path, reason, result.note[:200], ANALYZER))
            parsed.append(
                (
                    file,
                    ModuleInfo(
                        file.path,
                        module_name(file.path),
                        result.tree,
                        FileContexts(module=file_context(file.path)),
                    ),
                )
            )
        if not parsed:
            return out
        _link_contexts([m for _, m in parsed])
        analysis = FlowAnalysis([m for _, m in parsed], caps)
        flows = analysis.run()
        for path, why in analysis.partial.items():
            out.skipped.append(Skipped(path, SkipReason.PARTLY_PARSED, why, ANALYZER))
        by_path = {f.path: f for f, _ in parsed}
        per_file: dict[str, int] = {}
        verdicts = [(flow, judge(flow)) for flow in sorted(flows, key=lambda f: (f.path, f.line))]
        stronger = {(f.path, f.line) for f, v in verdicts if v and v.rule_id != _BEACON}
        for flow, verdict in verdicts:
            if verdict is None or verdict.severity < Severity.LOW:
                continue
            if verdict.rule_id == _BEACON and (flow.path, flow.line) in stronger:
                continue  # the line already says more than "a request is made"
            if per_file.get(flow.path, 0) >= _MAX_FINDINGS_PER_FILE:
                continue
            per_file[flow.path] = per_file.get(flow.path, 0) + 1
            out.findings.append(build_finding(flow, verdict, by_path[flow.path], caps))
        return out


def _is_python(file: AnalysisFile) -> bool:
    from reviewer.core.analyzers.base import language_of

    return file.path.lower().endswith(".pth") or language_of(file.path, file.text[:200]) == "python"


def _link_contexts(modules: list[ModuleInfo]) -> None:
    """Settle when each file's code runs: a module imported at module level of code that runs
    unasked runs unasked too; a function another file of the change uses counts as called."""
    used: dict[str, set[str]] = {}
    for m in modules:
        names: set[str] = set()
        for n in ast.walk(m.tree):
            if isinstance(n, ast.Name):
                names.add(n.id)
            elif isinstance(n, ast.Attribute):
                names.add(n.attr)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                names.update(a.name.rsplit(".", 1)[-1] for a in n.names)
        used[m.path] = names
    everyone: dict[str, int] = {}
    for names in used.values():
        for name in names:
            everyone[name] = everyone.get(name, 0) + 1
    for m in modules:
        own = used[m.path]
        external = frozenset(n for n, count in everyone.items() if count > (1 if n in own else 0))
        ctx = m.contexts.module
        for other in modules:
            if other is m or not other.contexts.module.unasked:
                continue
            if _imports_module(other, m.name) and ctx.weight < other.contexts.module.weight:
                ctx = other.contexts.module
        m.contexts = contexts_of(m.tree, m.path, ctx, external)


def _imports_module(m: ModuleInfo, name: str) -> bool:
    if not name:
        return False
    leaf = name.rsplit(".", 1)[-1]
    for node in m.tree.body:
        if isinstance(node, ast.Import) and any(
            a.name == name or a.name.endswith("." + leaf) for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if mod == name or mod.endswith(leaf) or any(a.name == leaf for a in node.names):
                return True
    return False
