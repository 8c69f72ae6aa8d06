"""Taint propagation through statements and expressions: which tags each value carries."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from reviewer.core.behaviour.flow_model import (
    BUILTIN_PREFIXES,
    BUILTINS,
    Taint,
    const_str,
    looks_like_python,
    merge_summary,
    path_key,
    union_taint,
)
from reviewer.core.behaviour.sinks import SinkRecorder


class TaintWalker(SinkRecorder):
    """Statements bind tagged values to names; expressions combine their tags."""

    def run(self, body: list[ast.stmt]) -> None:
        for _ in range(2):  # twice: a loop's later lines can feed its earlier ones
            self._block(body)
        if self.summary is not None and self.fn is not None:
            for name, i in self.params_or_empty().items():
                if f"name:{name}" in self.local_downloads:
                    self.summary.writes_download.add(i)
            self.a.summaries[id(self.fn)] = merge_summary(
                self.a.summaries.get(id(self.fn)), self.summary
            )
        if self.fn is None:
            self.m.aliases.update(self.aliases)
            for k, v in self.env.items():
                self.m.globals[k] = union_taint(self.m.globals.get(k, {}), v)

    # ---- statements

    def _block(self, body: Iterable[ast.stmt]) -> None:
        for stmt in body:
            self._stmt(stmt)

    def _stmt(self, s: ast.stmt) -> None:
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if isinstance(s, ast.ClassDef):
                for item in s.body:
                    if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self._stmt(item)
            return
        if isinstance(s, ast.Assign):
            t = self.ev(s.value)
            for target in s.targets:
                self._bind(target, t, s.value)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self._bind(s.target, self.ev(s.value), s.value)
        elif isinstance(s, ast.AugAssign):
            self._bind(s.target, union_taint(self.ev(s.target), self.ev(s.value)), None)
        elif isinstance(s, ast.Expr):
            self.ev(s.value)
        elif isinstance(s, ast.Return):
            if s.value is not None and self.summary is not None:
                t = self.ev(s.value)
                for tag, line in t.items():
                    if tag.startswith("param:"):
                        self.summary.passes.add(int(tag[6:]))
                    elif tag.startswith("keep:"):
                        self.summary.intact.add(int(tag[5:]))
                    elif tag not in self.summary.returns:
                        self.summary.returns[tag] = line
        elif isinstance(s, (ast.For, ast.AsyncFor)):
            self._bind(s.target, self.ev(s.iter), None)
            self._block(s.body)
            self._block(s.orelse)
        elif isinstance(s, (ast.If, ast.While)):
            self.ev(s.test)
            self._block(s.body)
            self._block(s.orelse)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for witem in s.items:
                t = self.ev(witem.context_expr)
                if witem.optional_vars is not None:
                    self._bind(witem.optional_vars, t, witem.context_expr)
            self._block(s.body)
        elif isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
            self._block(s.body)  # type: ignore[attr-defined]
            for h in s.handlers:  # type: ignore[attr-defined]
                self._block(h.body)
            self._block(s.orelse)  # type: ignore[attr-defined]
            self._block(s.finalbody)  # type: ignore[attr-defined]
        elif isinstance(s, ast.Match):
            self.ev(s.subject)
            for case in s.cases:
                self._block(case.body)
        elif isinstance(s, ast.Raise):
            if s.exc is not None:
                self.ev(s.exc)
        else:
            for child in ast.iter_child_nodes(s):
                if isinstance(child, ast.expr):
                    self.ev(child)

    def _bind(self, target: ast.AST, t: Taint, value: ast.AST | None) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = union_taint(self.env.get(target.id, {}), t)
            if value is not None:
                known = self.values.setdefault(target.id, [])
                if len(known) < 8:
                    known.append(value)
                q = self.qual(value.func) if isinstance(value, ast.Call) else self.qual(value)
                if q:
                    self.aliases[target.id] = q
                if (
                    isinstance(value, ast.Call)
                    and value.args
                    and self.qual(value.func) in ("open", "io.open", "codecs.open")
                ):
                    self.handles[target.id] = path_key(value.args[0])
        elif isinstance(target, (ast.Tuple, ast.List)):
            pairs = isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts)
            for i, elt in enumerate(target.elts):
                if pairs:
                    self._bind(elt, self.ev(value.elts[i]), value.elts[i])  # type: ignore[union-attr]
                else:
                    self._bind(elt, t, None)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, t, None)
        elif isinstance(target, ast.Attribute):
            if isinstance(target.value, ast.Name) and target.value.id in ("self", "cls"):
                self.m.class_env[target.attr] = union_taint(
                    self.m.class_env.get(target.attr, {}), t
                )
            else:
                self.ev(target.value)
        elif isinstance(target, ast.Subscript):
            base = target.value
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                base = base.value
            if isinstance(base, ast.Name):
                self.env[base.id] = union_taint(self.env.get(base.id, {}), t)

    # ---- names

    def qual(self, node: ast.AST) -> str | None:
        """The dotted name an expression stands for, import aliases resolved, or None."""
        q = self._qual(node, 0)
        if q is None:
            return None
        for prefix in BUILTIN_PREFIXES:
            if q.startswith(prefix):
                return q[len(prefix) :]
        return q

    def _qual(self, node: ast.AST, depth: int) -> str | None:
        if depth > 12:
            return None
        if isinstance(node, ast.Name):
            if node.id in self.aliases and node.id not in self.params_or_empty():
                return self.aliases[node.id]
            if (
                node.id in self.m.aliases
                and node.id not in self.params_or_empty()
                and node.id not in self.env
            ):
                return self.m.aliases[node.id]
            if node.id in self.m.imports:
                return self.m.imports[node.id]
            if node.id in BUILTINS or node.id in ("__builtins__", "__builtin__"):
                return node.id
            if (
                node.id in self.a.module_roots
                and node.id not in self.env
                and node.id not in self.m.globals
            ):
                return node.id
            return None
        if isinstance(node, ast.Attribute):
            base = self._qual(node.value, depth + 1)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):
            fq = self._qual(node.func, depth + 1)
            first = const_str(node.args[0]) if node.args else None
            if fq in ("__import__", "importlib.import_module") and first:
                return first
            if fq == "getattr" and len(node.args) >= 2:
                name = const_str(node.args[1])
                base = self._qual(node.args[0], depth + 1)
                if name and base:
                    return f"{base}.{name}"
                if name and isinstance(node.args[0], ast.Call):
                    return None
            if fq in ("vars", "globals", "locals") and fq is not None:
                return (
                    "__builtins__"
                    if fq != "vars"
                    else self._qual(node.args[0], depth + 1)
                    if node.args
                    else None
                )
            return fq
        if isinstance(node, ast.Subscript):
            key = const_str(node.slice)
            base = self._qual(node.value, depth + 1)
            if key and base in ("__builtins__", "__builtins__.__dict__", "builtins.__dict__"):
                return key
            if key and base == "sys.modules":
                return key
            return None
        return None

    def params_or_empty(self) -> dict[str, int]:
        return getattr(self, "params", {})

    # ---- expressions

    def ev(self, node: ast.AST | None) -> Taint:
        """The tags of an expression's value; visits every call inside it."""
        if node is None:
            return {}
        if isinstance(node, ast.Constant):
            text = const_str(node)
            if text and 24 <= len(text) <= 50_000 and looks_like_python(text):
                self.a.embedded(self.m, text, node.lineno, self.context)
            if text and self.a.credential_path(text):
                return {"credential-file": node.lineno}
            return {}
        if isinstance(node, ast.Name):
            t = self.env.get(node.id)
            if t is None:
                t = self.m.globals.get(node.id, {})
            alias = self.aliases.get(node.id) or self.m.imports.get(node.id)
            if alias in self.caps.env_mappings:
                t = union_taint(t, {"env-dump": node.lineno})
            if self.caps.is_key_material(node.id):
                t = union_taint(t, {"key-material": node.lineno})
            return t
        if isinstance(node, ast.Attribute):
            q = self.qual(node)
            if q in self.caps.env_mappings:
                return {"env-dump": node.lineno}
            key_tag: Taint = (
                {"key-material": node.lineno} if self.caps.is_key_material(node.attr) else {}
            )
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                return union_taint(
                    self.env.get(node.value.id, {}), self.m.class_env.get(node.attr, {}), key_tag
                )
            return union_taint(self.ev(node.value), key_tag)
        if isinstance(node, ast.Subscript):
            q = self.qual(node.value)
            if q in self.caps.env_mappings:
                key = const_str(node.slice)
                if key is None:
                    self.ev(node.slice)
                    return {"env-dump": node.lineno}
                return {"env-secret": node.lineno} if self.caps.is_secret_name(key) else {}
            t = union_taint(self.ev(node.value), self.ev(node.slice))
            if self.caps.is_key_material(const_str(node.slice) or ""):
                t = union_taint(t, {"key-material": node.lineno})
            sl = node.slice
            if (
                isinstance(sl, ast.Slice)
                and isinstance(sl.step, ast.UnaryOp)
                and isinstance(sl.step.op, ast.USub)
            ):
                t = union_taint(t, {"decoded": node.lineno})
            return t
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.NamedExpr):
            t = self.ev(node.value)
            self._bind(node.target, t, node.value)
            return t
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for gen in node.generators:
                self._bind(gen.target, self.ev(gen.iter), None)
                for cond in gen.ifs:
                    self.ev(cond)
            if isinstance(node, ast.DictComp):
                return union_taint(self.ev(node.key), self.ev(node.value))
            return self.ev(node.elt)
        if isinstance(node, (ast.Compare,)):
            for child in ast.iter_child_nodes(node):
                self.ev(child)
            return {}
        if isinstance(node, ast.Lambda):
            return {k: v for k, v in self.ev(node.body).items() if k in ("decoded", "network-data")}
        out: Taint = {}
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                out = union_taint(out, self.ev(child))
            elif isinstance(child, ast.keyword):
                out = union_taint(out, self.ev(child.value))
        return out

    def _call(self, node: ast.Call) -> Taint:
        """The tags of a call's result (a sink met on the way is recorded)."""
        raise NotImplementedError
