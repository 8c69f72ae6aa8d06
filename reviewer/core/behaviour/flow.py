"""Taint flow over Python ``ast``: from sources, through transforms, to sinks.

Inside a function, values carry *tags* (where their data came from: the environment, a
credential file, the network, a decoder...). Across the functions of a file and of the files of
one change, each function gets a summary: which of its parameters reach which sinks, and what its
return value carries. Summaries are recomputed until they stop changing, at most ``MAX_ROUNDS``
times, so the work stays linear in the size of the code times a small constant.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewer.core.behaviour.capabilities import CapabilityTable
from reviewer.core.behaviour.commands import CommandFacts, read_command
from reviewer.core.behaviour.context import Context, FileContexts

__all__ = ["MAX_ROUNDS", "Flow", "FlowAnalysis", "ModuleInfo", "module_name"]

MAX_ROUNDS = 4
MAX_FLOWS_PER_FILE = 200
Taint = dict[str, int]  # tag -> the line where the tag entered the value

# Tags a value can carry. ``param:N`` marks a function's N-th parameter while it is summarised.
SOURCE_TAGS = frozenset(
    {
        "env-dump",
        "env-secret",
        "identity",
        "clipboard",
        "credential-file",
        "network-data",
        "key-material",
    }
)
_BUILTINS = frozenset(dir(builtins)) | {"execfile", "reload", "unicode", "raw_input"}
_STRIP = ("__builtins__.", "builtins.", "__builtin__.", "__builtins__.__dict__.")


@dataclass(frozen=True)
class Flow:
    """Tagged data reaching a sink, or a command line that does something on its own."""

    path: str
    sink_kind: str
    sink_name: str
    line: int
    tags: tuple[tuple[str, int], ...]
    context: Context
    function: str
    via: tuple[int, ...] = ()
    command: CommandFacts | None = None

    def tag_set(self) -> frozenset[str]:
        return frozenset(t for t, _ in self.tags)


@dataclass
class _Summary:
    param_sinks: set[tuple[int, str, str, int]] = field(
        default_factory=set
    )  # (param, kind, name, line)
    returns: dict[str, int] = field(default_factory=dict)
    passes: set[int] = field(default_factory=set)
    intact: set[int] = field(default_factory=set)  # parameters returned as they are (or encoded)
    writes_download: set[int] = field(default_factory=set)  # path parameters given a download

    def key(self) -> tuple[object, ...]:
        return (
            frozenset(self.param_sinks),
            frozenset(self.returns),
            frozenset(self.passes),
            frozenset(self.intact),
            frozenset(self.writes_download),
        )


@dataclass
class ModuleInfo:
    """One parsed file of the change, with its imports and functions."""

    path: str
    name: str
    tree: ast.Module
    contexts: FileContexts
    imports: dict[str, str] = field(default_factory=dict)
    star: list[str] = field(default_factory=list)
    functions: dict[str, list[ast.AST]] = field(default_factory=dict)
    methods: dict[int, str] = field(default_factory=dict)  # function node id -> class name
    class_methods: dict[str, dict[str, ast.AST]] = field(default_factory=dict)
    globals: dict[str, Taint] = field(default_factory=dict)
    class_env: dict[str, Taint] = field(default_factory=dict)
    downloads: set[str] = field(default_factory=set)  # keys of paths written from downloads
    aliases: dict[str, str] = field(default_factory=dict)  # module-level names of capabilities


def module_name(path: str) -> str:
    """The dotted module a path would import as (``src/`` and ``lib/`` prefixes dropped)."""
    parts = path.replace("\\", "/").split("/")
    if parts and parts[0] in ("src", "lib") and len(parts) > 1:
        parts = parts[1:]
    last = parts[-1]
    if last.endswith((".py", ".pyw")):
        last = last.rsplit(".", 1)[0]
    parts[-1] = last
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(p for p in parts if p)


def _const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, bytes):
            return node.value.decode("latin-1")
    return None


def _union(*taints: Taint) -> Taint:
    out: Taint = {}
    for t in taints:
        for tag, line in t.items():
            if tag not in out or line < out[tag]:
                out[tag] = line
    return out


def _index_module(info: ModuleInfo) -> None:
    is_pkg = info.path.endswith("__init__.py")
    package = info.name if is_pkg else info.name.rpartition(".")[0]
    for node in ast.walk(info.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    info.imports[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    info.imports[root] = root
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                mod = ".".join([*base, mod] if mod else base)
            for alias in node.names:
                if alias.name == "*":
                    info.star.append(mod)
                else:
                    info.imports[alias.asname or alias.name] = (
                        f"{mod}.{alias.name}" if mod else alias.name
                    )
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            info.functions.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.ClassDef):
            table = info.class_methods.setdefault(node.name, {})
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    table.setdefault(item.name, item)
                    info.methods[id(item)] = node.name


class FlowAnalysis:
    """Flows of one change's Python files, with summaries shared across them."""

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
            _index_module(m)
        self.summaries: dict[int, _Summary] = {}
        self.flows: dict[tuple[object, ...], Flow] = {}
        self.partial: dict[str, str] = {}

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
            _Walker(self, m, None).run(m.tree.body)
            for fns in m.functions.values():
                for fn in fns:
                    _Walker(self, m, fn).run(fn.body)  # type: ignore[attr-defined]
        except RecursionError:
            self.partial[m.path] = "nested too deeply to follow every flow"

    def credential_path(self, text: str) -> bool:
        known = self._cred_cache.get(text)
        if known is None:
            known = self._cred_cache[text] = bool(self.caps.credential_path_in(text))
        return known

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
            self.flows.setdefault(_flow_key(moved), moved)

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


class _Walker:
    """One pass over one function (or a module body) of one file."""

    def __init__(self, analysis: FlowAnalysis, module: ModuleInfo, fn: ast.AST | None) -> None:
        self.a = analysis
        self.m = module
        self.caps = analysis.caps
        self.fn = fn
        self.context = module.contexts.of(fn)
        self.env: dict[str, Taint] = {}
        self.aliases: dict[str, str] = {}
        self.handles: dict[str, str] = {}
        self.values: dict[str, list[ast.AST]] = {}
        self.local_downloads: set[str] = set()
        self.owner = module.methods.get(id(fn)) if fn is not None else None
        self.summary: _Summary | None = None
        self.fname = getattr(fn, "name", "<module>")
        if fn is not None:
            self.summary = _Summary()
            args = fn.args  # type: ignore[attr-defined]
            params = [*args.posonlyargs, *args.args]
            for i, p in enumerate(params):
                self.env[p.arg] = {f"param:{i}": fn.lineno, f"keep:{i}": fn.lineno}  # type: ignore[attr-defined]
            for p in (args.vararg, args.kwarg, *args.kwonlyargs):
                if p is not None:
                    self.env[p.arg] = {f"param:{len(params)}": fn.lineno}  # type: ignore[attr-defined]
            self.params = {p.arg: i for i, p in enumerate(params)}

    def run(self, body: list[ast.stmt]) -> None:
        for _ in range(2):  # twice: a loop's later lines can feed its earlier ones
            self._block(body)
        if self.summary is not None and self.fn is not None:
            for name, i in self.params_or_empty().items():
                if f"name:{name}" in self.local_downloads:
                    self.summary.writes_download.add(i)
            self.a.summaries[id(self.fn)] = _merge_summary(
                self.a.summaries.get(id(self.fn)), self.summary
            )
        if self.fn is None:
            self.m.aliases.update(self.aliases)
            for k, v in self.env.items():
                self.m.globals[k] = _union(self.m.globals.get(k, {}), v)

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
            self._bind(s.target, _union(self.ev(s.target), self.ev(s.value)), None)
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
            self.env[target.id] = _union(self.env.get(target.id, {}), t)
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
                    self.handles[target.id] = _key(value.args[0])
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
                self.m.class_env[target.attr] = _union(self.m.class_env.get(target.attr, {}), t)
            else:
                self.ev(target.value)
        elif isinstance(target, ast.Subscript):
            base = target.value
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                base = base.value
            if isinstance(base, ast.Name):
                self.env[base.id] = _union(self.env.get(base.id, {}), t)

    # ---- names

    def qual(self, node: ast.AST) -> str | None:
        """The dotted name an expression stands for, import aliases resolved, or None."""
        q = self._qual(node, 0)
        if q is None:
            return None
        for prefix in _STRIP:
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
            if node.id in _BUILTINS or node.id in ("__builtins__", "__builtin__"):
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
            first = _const_str(node.args[0]) if node.args else None
            if fq in ("__import__", "importlib.import_module") and first:
                return first
            if fq == "getattr" and len(node.args) >= 2:
                name = _const_str(node.args[1])
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
            key = _const_str(node.slice)
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
            text = _const_str(node)
            if text and 24 <= len(text) <= 50_000 and _looks_like_python(text):
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
                t = _union(t, {"env-dump": node.lineno})
            if self.caps.is_key_material(node.id):
                t = _union(t, {"key-material": node.lineno})
            return t
        if isinstance(node, ast.Attribute):
            q = self.qual(node)
            if q in self.caps.env_mappings:
                return {"env-dump": node.lineno}
            key_tag: Taint = (
                {"key-material": node.lineno} if self.caps.is_key_material(node.attr) else {}
            )
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                return _union(
                    self.env.get(node.value.id, {}), self.m.class_env.get(node.attr, {}), key_tag
                )
            return _union(self.ev(node.value), key_tag)
        if isinstance(node, ast.Subscript):
            q = self.qual(node.value)
            if q in self.caps.env_mappings:
                key = _const_str(node.slice)
                if key is None:
                    self.ev(node.slice)
                    return {"env-dump": node.lineno}
                return {"env-secret": node.lineno} if self.caps.is_secret_name(key) else {}
            t = _union(self.ev(node.value), self.ev(node.slice))
            if self.caps.is_key_material(_const_str(node.slice) or ""):
                t = _union(t, {"key-material": node.lineno})
            sl = node.slice
            if (
                isinstance(sl, ast.Slice)
                and isinstance(sl.step, ast.UnaryOp)
                and isinstance(sl.step.op, ast.USub)
            ):
                t = _union(t, {"decoded": node.lineno})
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
                return _union(self.ev(node.key), self.ev(node.value))
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
                out = _union(out, self.ev(child))
            elif isinstance(child, ast.keyword):
                out = _union(out, self.ev(child.value))
        return out

    def _call(self, node: ast.Call) -> Taint:
        func = node.func
        q = self.qual(func)
        meth = func.attr if isinstance(func, ast.Attribute) else None
        arg_taints = [self.ev(a) for a in node.args]
        kw_taints = {k.arg: self.ev(k.value) for k in node.keywords}
        args = _union(*arg_taints, *kw_taints.values())
        recv: Taint = {}
        if isinstance(func, ast.Attribute):
            recv = self.ev(func.value)
        elif not isinstance(func, ast.Name):
            recv = self.ev(func)
        elif q is None:
            recv = {k: v for k, v in self.ev(func).items() if k in ("decoded", "network-data")}
        line = node.lineno
        caps = self.caps
        if q in caps.env_getters:
            key = _const_str(node.args[0]) if node.args else None
            if key is None:
                return {"env-dump": line}
            return {"env-secret": line} if caps.is_secret_name(key) else {}
        result: Taint = _union(args, recv)
        if q not in caps.encoders and q not in _CARRIERS and meth not in _CARRIER_METHODS:
            # what a key computes (a signature, an address) is not the key
            result = {
                k: v for k, v in result.items() if k != "key-material" and not k.startswith("keep:")
            }
        if meth in ("get", "getenv") and self.caps.is_key_material(
            (_const_str(node.args[-1]) if node.args else "") or ""
        ):
            result = _union(result, {"key-material": line})
        if q is not None and q in caps.sources:
            result = _union(result, {caps.sources[q]: line})
        mapped = self.qual(node.args[0]) if q == "map" and node.args else None
        if (
            q in caps.decoders
            or mapped in caps.decoders
            or meth in caps.decode_methods
            or (
                meth == "decode"
                and node.args
                and (_const_str(node.args[0]) or "").lower() in caps.decode_codecs
            )
        ):
            result = _union(result, {"decoded": line})
        elif (
            q in caps.encoders
            or meth in caps.encode_methods
            or (
                meth == "encode"
                and node.args
                and (_const_str(node.args[0]) or "").lower() in caps.decode_codecs
            )
        ):
            if result:
                result = _union(result, {"encoded": line})
        elif q in ("socket.socket", "socket.create_connection", "socket.fromfd"):
            result = _union(result, {"socket": line})
        if q in _PATH_JOINS and len(node.args) > 1:
            joined = "/".join(_const_str(a) or "x" for a in node.args)
            if self.a.credential_path(joined):
                result = _union(result, {"credential-file": line})
        if q in ("open", "io.open", "codecs.open"):
            result = _union(
                {k: v for k, v in result.items() if k != "identity"}, {"file-data": line}
            )
        if q in ("urllib.request.urlretrieve", "urllib.urlretrieve") and len(node.args) >= 2:
            self._mark_download(_key(node.args[1]))
        if meth in ("write", "writelines") and ("network-data" in args or "decoded" in args):
            target = func.value if isinstance(func, ast.Attribute) else None
            if isinstance(target, ast.Name) and target.id in self.handles:
                self._mark_download(self.handles[target.id])
            elif (
                isinstance(target, ast.Call)
                and target.args
                and self.qual(target.func) in ("open", "io.open")
            ):
                self._mark_download(_key(target.args[0]))
        if (
            isinstance(func, ast.Attribute)
            and meth in ("write_bytes", "write_text")
            and ("network-data" in args or "decoded" in args)
        ):
            self._mark_download(_key(func.value))
        kind = caps.sinks.get(q) if q is not None else None
        if kind is None and meth in _SOCKET_SENDS and "socket" in recv:
            kind, q = "network", f"socket.socket.{meth}"  # a wrapped socket (TLS, a helper's)
        if (
            kind == "code"
            and isinstance(func, ast.Name)
            and func.id != q
            and q in ("exec", "eval")
            and node.args
            and not isinstance(node.args[0], ast.Constant)
        ):
            self._emit(Flow(self.m.path, "renamed-exec", q, line, (), self.context, self.fname))
        if kind is not None:
            self._sink(node, kind, q or "", args, recv, kw_taints)
        resolved = None
        if kind is None and (isinstance(func, (ast.Name, ast.Attribute))):
            name = func.id if isinstance(func, ast.Name) else func.attr
            owner = (
                self.owner
                if isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in ("self", "cls")
                else None
            )
            resolved = self.a.resolve_function(
                self.m, q, name, owner, isinstance(func, ast.Attribute)
            )
        if resolved is not None:
            result = self._apply_summary(node, resolved, arg_taints, kw_taints, recv)
        return result

    def _apply_summary(
        self,
        node: ast.Call,
        resolved: tuple[ModuleInfo, ast.AST, bool],
        arg_taints: list[Taint],
        kw_taints: dict[str | None, Taint],
        recv: Taint,
    ) -> Taint:
        target_m, fn, bound = resolved
        summary = self.a.summaries.get(id(fn))
        if summary is None:  # not summarised yet: an unknown call, which keeps no key as it is
            return {
                k: v
                for k, v in _union(*arg_taints, *kw_taints.values()).items()
                if k != "key-material" and not k.startswith("keep:")
            }
        offset = 1 if bound else 0
        params = [p.arg for p in (*fn.args.posonlyargs, *fn.args.args)]  # type: ignore[attr-defined]
        by_index: dict[int, Taint] = {}
        for i, t in enumerate(arg_taints):
            by_index[i + offset] = _union(by_index.get(i + offset, {}), t)
        for name, t in kw_taints.items():
            if name in params:
                by_index[params.index(name)] = _union(by_index.get(params.index(name), {}), t)
        if bound and offset:
            by_index[0] = recv
        for pi in summary.writes_download:
            if 0 <= pi - offset < len(node.args):
                self._mark_download(_key(node.args[pi - offset]))
        for pi, kind, sink_name, sink_line in summary.param_sinks:
            if kind == "command":
                self._command_argument(node, pi - offset, sink_name)
            if (
                kind in ("command", "code", "native")
                and 0 <= pi - offset < len(node.args)
                and _key(node.args[pi - offset]) in self._downloads()
            ):
                self._record(
                    kind,
                    sink_name,
                    sink_line,
                    {"downloaded-file": node.lineno},
                    via=(sink_line,),
                    path_line=node.lineno,
                )
            arg_t = by_index.get(pi)
            if arg_t:
                self._record(
                    kind, sink_name, sink_line, arg_t, via=(sink_line,), path_line=node.lineno
                )
        out: Taint = dict(summary.returns)
        for pi in summary.passes:
            t = by_index.get(pi, {})
            if pi not in summary.intact and "key-material" in t:
                t = {k: v for k, v in t.items() if k != "key-material"}
            out = _union(out, t)
        return out

    # ---- sinks

    def _sink(
        self,
        node: ast.Call,
        kind: str,
        name: str,
        args: Taint,
        recv: Taint,
        kw: dict[str | None, Taint],
    ) -> None:
        line = node.lineno
        if kind == "command":
            facts = self._command_facts(node)
            for code in facts.python_code if facts is not None else ():
                self.a.embedded(self.m, code, line, self.context)
            if facts is not None and (
                facts.runs_fetched or facts.encoded or facts.shell_over_network or facts.uploads
            ):
                self._emit(
                    Flow(
                        self.m.path,
                        "command-line",
                        name,
                        line,
                        (),
                        self.context,
                        self.fname,
                        command=facts,
                    )
                )
            elif (
                facts is not None
                and self.context.unasked
                and (facts.fetches and facts.has_url or facts.resolves or facts.opens_url)
            ):
                self._emit(Flow(self.m.path, "beacon", name, line, (), self.context, self.fname))
            if facts is not None and (facts.sends or facts.resolves):
                data = {
                    k: v
                    for k, v in args.items()
                    if k in SOURCE_TAGS or k.startswith("param:") or k == "encoded"
                }
                if data:
                    self._record(
                        "dns" if facts.resolves and not facts.sends else "network", name, line, data
                    )
            for stream in ("stdin", "stdout", "stderr"):
                if "socket" in kw.get(stream, {}):
                    self._record("descriptor", name, line, kw[stream])
            dl = self._downloaded_in(node) or self._downloaded_named(node)
            if dl:
                self._record("command", name, line, {"downloaded-file": line})
        if kind == "native" and self._downloaded_in(node):
            self._record("native", name, line, {"downloaded-file": line})
        if kind == "code" and self._downloaded_in(node):
            self._record("code", name, line, {"downloaded-file": line})
        if kind == "dns" and self.context.unasked and "identity" not in args:
            self._emit(Flow(self.m.path, "beacon", name, line, (), self.context, self.fname))
        if kind == "network" and "decoded" in args:
            self._emit(
                Flow(self.m.path, "hidden-endpoint", name, line, (), self.context, self.fname)
            )
        if kind == "network" and self.context.unasked:
            self._emit(Flow(self.m.path, "beacon", name, line, (), self.context, self.fname))
        if kind == "dns" and node.args and not _built_name(node.args[0]) and "encoded" not in args:
            args = {k: v for k, v in args.items() if k != "identity"}  # resolving its own host name
        if kind in ("network", "mail", "dns") and name.startswith("socket.socket."):
            args = _union(args, {k: v for k, v in recv.items() if k != "socket"})
        self._record(kind, name, line, args)

    def _command_argument(self, node: ast.Call, index: int, sink_name: str) -> None:
        """A helper that runs its parameter as a command, called with a command line."""
        if not 0 <= index < len(node.args):
            return
        facts = self._command_facts(node, [node.args[index]])
        if facts is not None and (facts.runs_fetched or facts.encoded or facts.shell_over_network):
            self._emit(
                Flow(
                    self.m.path,
                    "command-line",
                    sink_name,
                    node.lineno,
                    (),
                    self.context,
                    self.fname,
                    via=(node.lineno,),
                    command=facts,
                )
            )

    def _command_facts(
        self, node: ast.Call, exprs: list[ast.expr] | None = None
    ) -> CommandFacts | None:
        parts: list[str] = []
        if exprs is None:
            exprs = [
                *node.args[:2],
                *(k.value for k in node.keywords if k.arg in ("args", "cmd", "command")),
            ]
        for a in exprs:
            parts.extend(self._strings_in(a))
        if not parts:
            return None
        return read_command(" ".join(parts), self.caps)

    def _mark_download(self, key: str) -> None:
        """A path written from a download: a variable is known in its function (and, at module
        level, in every function), a literal path in the whole file."""
        if key.startswith("name:"):
            self.local_downloads.add(key)
            if self.fn is None:
                self.m.downloads.add(key)
        else:
            self.m.downloads.add(key)

    def _downloads(self) -> set[str]:
        return self.m.downloads | self.local_downloads

    def _downloaded_named(self, node: ast.Call) -> bool:
        """A command line that names a file written from a download (``python x.py``)."""
        names = {
            k[4:].replace("\\", "/").rsplit("/", 1)[-1]
            for k in self._downloads()
            if k.startswith("str:")
        }
        names.discard("")
        if not names:
            return False
        words = {
            w.strip("\"'").replace("\\", "/").rsplit("/", 1)[-1]
            for text in self._strings_in(node)
            for w in text.split()
        }
        return bool(names & words)

    def _strings_in(self, node: ast.AST, depth: int = 0) -> list[str]:
        """String constants of an expression, and those of the variables it uses (two levels)."""
        parts: list[str] = []
        for sub in ast.walk(node):
            text = _const_str(sub)
            if text:
                parts.append(text)
            elif isinstance(sub, ast.Name) and sub.id in self.values and depth < 2:
                for value in self.values[sub.id]:
                    parts.extend(self._strings_in(value, depth + 1))
            if len(parts) > 64:
                break
        return parts

    def _downloaded_in(self, node: ast.Call) -> bool:
        all_dl = self._downloads()
        if not all_dl:
            return False
        for a in [*node.args, *(k.value for k in node.keywords)]:
            for sub in ast.walk(a):
                if (
                    isinstance(
                        sub,
                        (ast.Name, ast.Constant, ast.Call, ast.Attribute, ast.JoinedStr, ast.BinOp),
                    )
                    and _key(sub) in all_dl
                ):
                    return True
        return False

    def _record(
        self,
        kind: str,
        name: str,
        line: int,
        taint: Taint,
        *,
        via: tuple[int, ...] = (),
        path_line: int | None = None,
    ) -> None:
        if not taint:
            return
        if self.summary is not None:
            for tag in taint:
                if tag.startswith("param:"):
                    self.summary.param_sinks.add((int(tag[6:]), kind, name, line))
        real = {k: v for k, v in taint.items() if not k.startswith(("param:", "keep:"))}
        if kind in ("network", "mail", "dns"):
            keep = SOURCE_TAGS | {"file-data"} if self.context.unasked else SOURCE_TAGS
            real = {k: v for k, v in real.items() if k in keep or k == "encoded"}
            if "file-data" in real and kind == "network":
                real.pop("network-data", None)
            if not (real.keys() & (SOURCE_TAGS | {"file-data"})) or set(real) == {"network-data"}:
                return
        elif kind in ("code", "command", "module", "native"):
            real = {
                k: v for k, v in real.items() if k in ("network-data", "decoded", "downloaded-file")
            }
        elif kind == "descriptor":
            real = {k: v for k, v in real.items() if k == "socket"}
        if not real:
            return
        at = path_line if path_line is not None else line
        self._emit(
            Flow(
                self.m.path,
                kind,
                name,
                at,
                tuple(sorted(real.items(), key=lambda kv: kv[1])),
                self.context,
                self.fname,
                via=via,
            )
        )

    def _emit(self, flow: Flow) -> None:
        if len(self.a.flows) >= MAX_FLOWS_PER_FILE * max(1, len(self.a.modules)):
            return
        key = _flow_key(flow)
        known = self.a.flows.get(key)
        if known is None or flow.context.weight > known.context.weight:
            self.a.flows[key] = flow


_PATH_JOINS = frozenset(
    {"os.path.join", "pathlib.Path", "pathlib.PurePath", "posixpath.join", "ntpath.join"}
)
_CARRIERS = frozenset(
    {
        "str",
        "repr",
        "bytes",
        "bytearray",
        "list",
        "dict",
        "tuple",
        "format",
        "json.dumps",
        "urllib.parse.urlencode",
        "urllib.parse.quote",
    }
)
_CARRIER_METHODS = frozenset(
    {
        "encode",
        "decode",
        "format",
        "join",
        "hex",
        "strip",
        "append",
        "update",
        "copy",
        "items",
        "values",
        "replace",
        "read",
        "lower",
        "upper",
    }
)
_SOCKET_SENDS = frozenset({"send", "sendall", "sendto", "connect", "connect_ex"})


def _flow_key(flow: Flow) -> tuple[object, ...]:
    return (flow.path, flow.line, flow.sink_kind, flow.tag_set(), flow.command)


def _looks_like_python(text: str) -> bool:
    head = text[:4000]
    return (
        ("import " in head or "exec(" in head or "eval(" in head)
        and ("(" in head)
        and not head.lstrip().startswith(">>>")
    )


def _built_name(node: ast.AST) -> bool:
    """True for a host name assembled from parts (f-string, concatenation, format, join)."""
    if isinstance(node, (ast.JoinedStr, ast.BinOp)):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("format", "join")
    )


def _key(node: ast.AST) -> str:
    """A stable key for a path expression, so a downloaded file is known where it is run."""
    if isinstance(node, ast.Name):
        return f"name:{node.id}"
    text = _const_str(node)
    if (
        text is None
        and isinstance(node, ast.JoinedStr)
        and all(isinstance(v, ast.Constant) for v in node.values)
    ):
        text = "".join(str(v.value) for v in node.values)  # type: ignore[attr-defined]
    if text is not None:
        return f"str:{text}"
    try:
        dumped = ast.dump(node)
    except (RecursionError, ValueError):
        return "?"
    return dumped[:300]


def _merge_summary(old: _Summary | None, new: _Summary) -> _Summary:
    if old is None:
        return new
    return _Summary(
        writes_download=old.writes_download | new.writes_download,
        intact=old.intact | new.intact,
        param_sinks=old.param_sinks | new.param_sinks,
        returns=_union(old.returns, new.returns),
        passes=old.passes | new.passes,
    )
