"""Python files read with ``ast``: clients and calls to a vendor, and what flows into each call
within its function (a label per name, propagated through assignments and helpers' returns)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Sequence

from reviewer.core.analyzers.ai_egress.python_names import (
    CONFIG_KWARGS,
    CRED_PATH,
    HTTP_METHODS,
    READ_METHODS,
    SECRET_NAME,
    SEND_METHODS,
    SUBPROCESS,
    TREE_CALLS,
    TREE_METHODS,
    USER_ATTRS,
    USER_CALLS,
)
from reviewer.core.analyzers.ai_egress.rules import Site, clip
from reviewer.core.analyzers.ai_egress.text import cli_vendor, url_vendor
from reviewer.core.analyzers.ai_egress.vendors import Vendor, vendor_for_module
from reviewer.core.analyzers.base import clip_line


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(_dotted(node.func) + "()")
    else:
        return ""
    return ".".join(reversed(parts))


def _const_strings(node: ast.AST) -> Iterator[str]:
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            yield n.value


class PythonFile:
    """One Python file: where it reaches AI services and what it sends them."""

    def __init__(self, tree: ast.Module, lines: Sequence[str]) -> None:
        self.tree = tree
        self.lines = lines
        self.aliases: dict[str, str] = {}  # local name -> dotted module or object
        self.bound: dict[str, Vendor] = {}  # names bound to clients and API URLs
        self.imports: list[tuple[int, Vendor, str]] = []
        # function name -> what its return value carries (a helper that gathers the source
        # tree or the environment is a source where it is called)
        self.returns: dict[str, set[str]] = {}
        self._bind()
        self._summarise_returns()

    # -- names ------------------------------------------------------------
    def _bind(self) -> None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    self.aliases[a.asname or a.name.split(".")[0]] = (
                        a.name if a.asname else a.name.split(".")[0]
                    )
                    v = vendor_for_module(a.name)
                    if v is not None:
                        self.imports.append((node.lineno, v, a.name))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    self.aliases[a.asname or a.name] = full
                    v = vendor_for_module(full) or vendor_for_module(node.module)
                    if v is not None:
                        self.imports.append((node.lineno, v, full))
        for _ in range(2):  # a client built from a URL constant bound earlier
            for node in ast.walk(self.tree):
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    v = self.vendor_of(node.value)
                    if v is not None:
                        for t in targets:
                            name = _dotted(t)
                            if name:
                                self.bound[name] = v

    def _resolve(self, dotted: str) -> str:
        root, _, rest = dotted.partition(".")
        full = self.aliases.get(root)
        return f"{full}.{rest}" if full and rest else full or dotted

    def vendor_of(self, node: ast.AST) -> Vendor | None:
        """The AI vendor an expression stands for: a client, an SDK object, an API URL."""
        if isinstance(node, ast.Call):
            over = self._base_url(node)
            if over is not None:
                return over
            return self.vendor_of(node.func)
        if isinstance(node, (ast.Name, ast.Attribute)):
            dotted = _dotted(node)
            for name in self._prefixes(dotted):
                if name in self.bound:
                    return self.bound[name]
            if isinstance(node, ast.Attribute) and not dotted:
                return self.vendor_of(node.value)
            if "()" in dotted and isinstance(node, ast.Attribute):
                return self.vendor_of(node.value)
            return vendor_for_module(self._resolve(dotted)) if dotted else None
        if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp)):
            for text in _const_strings(node):
                v = url_vendor(text)
                if v is not None:
                    return v
        return None

    @staticmethod
    def _prefixes(dotted: str) -> Iterator[str]:
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            yield ".".join(parts[:i])

    def _base_url(self, call: ast.Call) -> Vendor | None:
        for kw in call.keywords:
            if kw.arg in ("base_url", "api_base", "host", "endpoint"):
                for text in _const_strings(kw.value):
                    v = url_vendor(text)
                    if v is not None:
                        return v
                if (
                    isinstance(kw.value, (ast.Name, ast.Attribute))
                    and _dotted(kw.value) in self.bound
                ):
                    return self.bound[_dotted(kw.value)]
        return None

    # -- sites -------------------------------------------------------------
    def _summarise_returns(self) -> None:
        """Label each function of the file by what it returns, to a fixed point (bounded: a
        label is only ever added, and there are few labels)."""
        functions = [
            n for n in ast.walk(self.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        for _ in range(4):
            changed = False
            for fn in functions:
                taint = _Taint(fn, self)
                labels: set[str] = set()
                for node in _walk_scope(fn):
                    if isinstance(node, ast.Return) and node.value is not None:
                        labels |= taint.labels(node.value)
                known = self.returns.setdefault(fn.name, set())
                if not labels <= known:
                    known |= labels
                    changed = True
            if not changed:
                return

    def sites(self) -> Iterator[Site]:
        for scope in self._scopes():
            taint = _Taint(scope, self)
            for node in _walk_scope(scope):
                if isinstance(node, ast.Call):
                    site = self._site(node, taint)
                    if site is not None:
                        yield site

    def _scopes(self) -> Iterator[ast.AST]:
        yield self.tree
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield node

    def _site(self, call: ast.Call, taint: _Taint) -> Site | None:
        func = _dotted(call.func)
        resolved = self._resolve(func) if func else ""
        method = func.rsplit(".", 1)[-1] if func else ""
        if resolved in SUBPROCESS:
            return self._cli_site(call, taint)
        if method in HTTP_METHODS and call.args or any(k.arg == "url" for k in call.keywords):
            target = (
                call.args[0]
                if call.args
                else next(k.value for k in call.keywords if k.arg == "url")
            )
            v = self.vendor_of(target)
            if v is not None:
                sends = taint.flowing([*call.args[1:], *call.keywords])
                host = next(
                    (h for h in v.hosts if any(h in s for s in _const_strings(target))), v.name
                )
                return self._make(v, call, f"sends a request to {host}", sends)
        if not isinstance(call.func, ast.Attribute):
            return None
        v = self.vendor_of(call.func.value)
        if v is None or method[:1].isupper():
            return None  # not an AI client, or a constructor (configuration, not data)
        sends = taint.flowing([*call.args, *call.keywords])
        if not sends and method not in SEND_METHODS:
            return None
        return self._make(v, call, f"calls the {v.name} API (`{clip(func, 60)}`)", sends)

    def _cli_site(self, call: ast.Call, taint: _Taint) -> Site | None:
        if not call.args:
            return None
        argv = call.args[0]
        words: list[str] = []
        if isinstance(argv, (ast.List, ast.Tuple)):
            words = [
                e.value if isinstance(e, ast.Constant) and isinstance(e.value, str) else "?"
                for e in argv.elts
            ]
        else:
            words = " ".join(_const_strings(argv)).split()
        hit = cli_vendor(words)
        if hit is None:
            return None
        v, command = hit
        sends = taint.flowing([argv, *call.args[1:], *call.keywords]) | {"agent"}
        return self._make(v, call, f"runs `{command}`", sends)

    def _make(self, v: Vendor, call: ast.Call, how: str, sends: Iterable[str]) -> Site:
        end = getattr(call, "end_lineno", None) or call.lineno
        text = self.lines[call.lineno - 1] if 0 < call.lineno <= len(self.lines) else ""
        return Site(v, call.lineno, end, how, frozenset(sends), clip(text.strip(), 160))


def _walk_scope(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of one function (or the module) without descending into nested functions."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            if isinstance(node, ast.ClassDef):
                stack.extend(
                    n
                    for n in node.body
                    if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                )
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


class _Taint:
    """What each name of one scope holds: labels from SENDS, propagated through assignments."""

    def __init__(self, scope: ast.AST, py: PythonFile) -> None:
        self.py = py
        self.names: dict[str, set[str]] = {}
        nodes = list(_walk_scope(scope))
        for _ in range(3):
            for node in nodes:
                self._assign(node)

    def _add(self, target: ast.AST, labels: set[str]) -> None:
        if not labels:
            return
        for t in ast.walk(target):
            name = _dotted(t) if isinstance(t, (ast.Name, ast.Attribute)) else ""
            if name:
                self.names.setdefault(name, set()).update(labels)

    def _assign(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            labels = self.labels(node.value)
            for t in node.targets:
                self._add(t, labels)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            self._add(node.target, self.labels(node.value))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            self._add(node.target, self.labels(node.iter))
        elif isinstance(node, ast.NamedExpr):
            self._add(node.target, self.labels(node.value))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            self._add(node.optional_vars, self.labels(node.context_expr))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "extend", "write", "update", "add", "insert", "join")
        ):
            self._add(node.func.value, self.labels_of_all(node.args))

    def labels_of_all(self, nodes: Iterable[ast.AST]) -> set[str]:
        out: set[str] = set()
        for n in nodes:
            out |= self.labels(n)
        return out

    def flowing(self, args: Sequence[ast.AST]) -> set[str]:
        """Labels of what the arguments carry, leaving out configuration and credentials kwargs."""
        out: set[str] = set()
        for a in args:
            if isinstance(a, ast.keyword):
                if a.arg in CONFIG_KWARGS:
                    continue
                a = a.value
            out |= self.labels(a)
        return out

    def labels(self, node: ast.AST) -> set[str]:  # noqa: C901 - one case per kind of source
        if isinstance(node, ast.Name):
            return set(self.names.get(node.id, ()))
        if isinstance(node, ast.Constant):
            return (
                {"credential"}
                if isinstance(node.value, str) and CRED_PATH.search(node.value)
                else set()
            )
        if isinstance(node, ast.Subscript):
            base = self.py._resolve(_dotted(node.value))
            if base == "os.environ":
                key = node.slice
                named = (
                    key.value
                    if isinstance(key, ast.Constant) and isinstance(key.value, str)
                    else ""
                )
                return {"secret"} if SECRET_NAME.search(named) else set()
            return self.labels(node.value) | self.labels(node.slice)
        if isinstance(node, ast.Attribute):
            dotted = self.py._resolve(_dotted(node))
            if dotted == "os.environ":
                return {"env"}
            raw = _dotted(node)
            if any(
                d == u or d.startswith(u + ".") or d.endswith("." + u)
                for u in USER_ATTRS
                for d in (raw, dotted)
            ):
                return {"user"}
            return set(self.names.get(_dotted(node), ())) | self.labels(node.value)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            return set()
        return self.labels_of_all(ast.iter_child_nodes(node))

    def _call(self, node: ast.Call) -> set[str]:
        raw = _dotted(node.func)
        dotted = self.py._resolve(raw) if raw else ""
        method = raw.rsplit(".", 1)[-1] if raw else ""
        args = [*node.args, *(k.value for k in node.keywords)]
        if dotted.startswith("os.environ.") or dotted == "os.getenv":
            if method in ("copy", "items", "keys", "values") or (
                dotted == "os.getenv" and not node.args
            ):
                return {"env"}
            named = next(
                (
                    a.value
                    for a in node.args[:1]
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ),
                "",
            )
            return {"secret"} if SECRET_NAME.search(named) else set()
        if dotted in SUBPROCESS or dotted == "subprocess.getoutput":
            words = clip_line(" ".join(_const_strings(node)))
            out = set()
            if re.search(r"\bgit\b.*\b(?:ls-files|diff|show|archive|log)\b", words):
                out.add("tree")
            if re.search(r"(?:^|\s)(?:env|printenv)(?:\s|$)", words):
                out.add("env")
            return out | self.labels_of_all(args)
        out = self.labels_of_all(args)
        if isinstance(node.func, ast.Attribute):
            out |= self.labels(node.func.value)
        if dotted in TREE_CALLS or method in TREE_METHODS:
            out.add("tree")
        if dotted in ("open", "io.open", "builtins.open") or method in READ_METHODS:
            out.add("file")
        if dotted in USER_CALLS or raw in USER_CALLS:
            out.add("user")
        if isinstance(node.func, ast.Name) or (
            isinstance(node.func, ast.Attribute) and _dotted(node.func.value) in ("self", "cls")
        ):
            out |= self.py.returns.get(method, set())  # a helper of this file
        return out
