"""Taint flow over Python ``ast``: from sources, through transforms, to sinks.

Across the functions of a file and of the files of one change, each function gets a summary:
which of its parameters reach which sinks, and what its return value carries. Summaries are
recomputed until they stop changing (the fixed point), at most ``MAX_ROUNDS`` times, so the work
stays linear in the size of the code times a small constant.
"""

from __future__ import annotations

import ast

from reviewer.core.behaviour.calls import Walker
from reviewer.core.behaviour.context import Context
from reviewer.core.behaviour.flow_model import MAX_ROUNDS, Flow, ModuleInfo, flow_key
from reviewer.core.behaviour.linking import ChangeIndex

__all__ = ["FlowAnalysis"]


class FlowAnalysis(ChangeIndex):
    """Flows of one change's Python files, with summaries shared across them."""

    def run(self) -> list[Flow]:
        for _ in range(MAX_ROUNDS):
            before = {k: s.key() for k, s in self.summaries.items()}
            for m in self.modules:
                self._module(m)
            after = {k: s.key() for k, s in self.summaries.items()}
            if before == after:
                break
        return list(self.flows.values())

    def _module(self, m: ModuleInfo) -> None:
        try:
            Walker(self, m, None).run(m.tree.body)
            for fns in m.functions.values():
                for fn in fns:
                    Walker(self, m, fn).run(fn.body)  # type: ignore[attr-defined]
        except RecursionError:
            self.partial[m.path] = "nested too deeply to follow every flow"

    def embedded(self, m: ModuleInfo, text: str, line: int, context: Context) -> None:
        """Python code held in a string (``python -c``, a dropper's file body): analysed as a
        module that runs in the same context, its flows reported on the string's line."""
        key = (m.path, line, hash(text))
        if self.depth > 0 or key in self.embedded_seen or len(self.embedded_seen) > 32:
            return
        self.embedded_seen.add(key)
        from reviewer.core.behaviour.context import FileContexts, contexts_of

        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        if not any(isinstance(n, ast.Call) for n in ast.walk(tree)):
            return
        ctx = contexts_of(tree, m.path, context)
        sub = ModuleInfo(
            m.path, m.name, tree, FileContexts(module=context, functions=ctx.functions)
        )
        inner = FlowAnalysis([sub], self.caps, depth=self.depth + 1)
        for flow in inner.run():
            moved = Flow(
                m.path,
                flow.sink_kind,
                flow.sink_name,
                line,
                tuple((t, line) for t, _ in flow.tags),
                flow.context,
                flow.function,
                flow.via,
                flow.command,
            )
            self.flows.setdefault(flow_key(moved), moved)
