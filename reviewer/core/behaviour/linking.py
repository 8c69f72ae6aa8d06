"""Linking the files of one change: which module and function a call lands on.

``ChangeIndex`` holds what every walk over the change shares: the modules by name, the
capability table, the function summaries and the flows found so far.
"""

from __future__ import annotations

import ast

from reviewer.core.behaviour.capabilities import CapabilityTable
from reviewer.core.behaviour.context import Context
from reviewer.core.behaviour.flow_model import Flow, ModuleInfo, Summary, index_module


class ChangeIndex:
    """The Python files of one change, indexed, with the summaries and flows shared across them."""

    def __init__(self, modules: list[ModuleInfo], caps: CapabilityTable, *, depth: int = 0) -> None:
        self.modules = modules
        self.depth = depth
        self.embedded_seen: set[tuple[str, int, int]] = set()
        self._cred_cache: dict[str, bool] = {}
        names = [
            *caps.sources,
            *caps.sinks,
            *caps.decoders,
            *caps.encoders,
            *caps.env_mappings,
            *caps.env_getters,
        ]
        # Module names a fragment of a file may use without its import being in view.
        self.module_roots = frozenset(n.split(".")[0] for n in names if "." in n)
        self.caps = caps
        self.by_name = {m.name: m for m in modules}
        for m in modules:
            index_module(m)
        self.summaries: dict[int, Summary] = {}
        self.flows: dict[tuple[object, ...], Flow] = {}
        self.partial: dict[str, str] = {}

    def credential_path(self, text: str) -> bool:
        known = self._cred_cache.get(text)
        if known is None:
            known = self._cred_cache[text] = bool(self.caps.credential_path_in(text))
        return known

    def embedded(self, m: ModuleInfo, text: str, line: int, context: Context) -> None:
        """Python code held in a string, analysed as a module that runs in the same context."""
        raise NotImplementedError

    # ---- resolution across the change

    def resolve_function(
        self, m: ModuleInfo, qual: str | None, name: str, owner: str | None, via_attr: bool
    ) -> tuple[ModuleInfo, ast.AST, bool] | None:
        """The function a call lands on, its module, and whether it is a bound method."""
        if via_attr and owner and name in m.class_methods.get(owner, {}):
            return m, m.class_methods[owner][name], True
        if not via_attr:
            if name in m.functions and name not in m.imports:
                fn = m.functions[name][0]
                return m, fn, id(fn) in m.methods
            if name in m.class_methods:
                init = m.class_methods[name].get("__init__")
                return (m, init, True) if init is not None else None
            for star in m.star:
                target = self.by_name.get(star)
                if target is not None and name in target.functions:
                    return target, target.functions[name][0], False
        if qual and "." in qual:
            mod, _, fname = qual.rpartition(".")
            target = self.by_name.get(mod)
            if target is not None and fname in target.functions:
                fn = target.functions[fname][0]
                return target, fn, id(fn) in target.methods
            if target is not None and fname in target.class_methods:
                init = target.class_methods[fname].get("__init__")
                return (target, init, True) if init is not None else None
        if via_attr:
            owners = [c for c, ms in m.class_methods.items() if name in ms]
            if len(owners) == 1:
                return m, m.class_methods[owners[0]][name], True
        return None
