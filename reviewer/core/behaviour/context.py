"""When Python code runs: at install, at interpreter start, at import, as a script, or on call."""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass, field

__all__ = ["Context", "FileContexts", "contexts_of", "file_context"]


class Context(enum.Enum):
    """The moment code runs, and how that weighs on a finding's severity."""

    INSTALL = ("at install time (setup.py)", 1)
    STARTUP = ("at every interpreter start (.pth)", 1)
    IMPORT = ("when the package is imported (__init__.py)", 1)
    MODULE = ("when this module is imported", 0)
    SCRIPT = ("when the script is run", 0)
    CALLED = ("in a function this file calls", 0)
    UNCALLED = ("in a function nothing in this change calls", -1)

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def weight(self) -> int:
        return self.value[1]

    @property
    def unasked(self) -> bool:
        """True when the code runs without anyone calling it."""
        return self.weight > 0


def file_context(path: str) -> Context:
    """The context of a file's module-level code, from its name."""
    name = path.rsplit("/", 1)[-1].lower()
    if name == "setup.py":
        return Context.INSTALL
    if name.endswith(".pth"):
        return Context.STARTUP
    if name == "__init__.py":
        return Context.IMPORT
    return Context.MODULE


_INSTALL_BASES = ("install", "develop", "egg_info", "build", "sdist", "bdist")


@dataclass
class FileContexts:
    """The context of the module body and of each function (by node id) of one file."""

    module: Context
    functions: dict[int, Context] = field(default_factory=dict)

    def of(self, fn: ast.AST | None) -> Context:
        if fn is None:
            return self.module
        return self.functions.get(id(fn), Context.UNCALLED)


def _install_like(cls: ast.ClassDef) -> bool:
    """A setuptools command class that pip runs: it extends install, develop, egg_info, build..."""
    bases = {
        (b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "")).lower()
        for b in cls.bases
    }
    return not cls.bases or any(word in b for b in bases for word in _INSTALL_BASES)


def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    names = [n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)]
    return "__name__" in names


def _referenced(nodes: list[ast.stmt]) -> set[str]:
    """Names and attribute names used by statements, outside nested function and class bodies."""
    out: set[str] = set()
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            out.update(_decorator_names(node))
            continue
        if isinstance(node, ast.ClassDef):
            out.update(_decorator_names(node))
            stack.extend(node.bases)
            stack.extend(
                s for s in node.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
            )
            continue
        if isinstance(node, ast.Name):
            out.add(node.id)
        elif isinstance(node, ast.Attribute):
            out.add(node.attr)
        stack.extend(ast.iter_child_nodes(node))
    return out


def _decorator_names(node: ast.AST) -> set[str]:
    decos = getattr(node, "decorator_list", [])
    return {n.id for d in decos for n in ast.walk(d) if isinstance(n, ast.Name)}


def contexts_of(
    tree: ast.Module,
    path: str,
    module_context: Context | None = None,
    external_names: frozenset[str] = frozenset(),
) -> FileContexts:
    """Which functions run, and when: reachable from the module body by the names it uses.

    ``external_names`` are names other files of the change use: a function of that name counts
    as called.
    """
    base = module_context or file_context(path)
    result = FileContexts(module=base)
    defs: dict[str, list[ast.AST]] = {}
    classes: dict[str, ast.ClassDef] = {}
    methods_of: dict[int, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.ClassDef):
            classes.setdefault(node.name, node)
            methods_of[id(node)] = [
                s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
            ]
    top = [s for s in tree.body if not _is_main_guard(s)]
    main = [s for s in tree.body if _is_main_guard(s)]
    main_ctx = base if base is not Context.MODULE else Context.SCRIPT
    queue: list[tuple[ast.AST, Context]] = []

    def reach(names: set[str], ctx: Context) -> None:
        for name in names:
            for fn in defs.get(name, ()):
                queue.append((fn, ctx))
            cls = classes.get(name)
            if cls is not None:
                # A setup command of its own name runs only when someone asks for it.
                cls_ctx = (
                    ctx if ctx is not Context.INSTALL or _install_like(cls) else Context.SCRIPT
                )
                for fn in methods_of.get(id(cls), ()):
                    queue.append((fn, cls_ctx))

    reach(_referenced(top), base)
    reach(_referenced(main), main_ctx)
    reach(set(external_names) & set(defs), Context.CALLED)
    if base is Context.INSTALL:
        for cls in classes.values():
            if _install_like(cls):
                queue.extend((fn, Context.INSTALL) for fn in methods_of.get(id(cls), ()))
    steps = 0
    while queue and steps < 20_000:
        steps += 1
        fn, ctx = queue.pop()
        inherited = ctx if ctx.unasked or ctx is Context.SCRIPT else Context.CALLED
        known = result.functions.get(id(fn))
        if known is not None and known.weight >= inherited.weight:
            continue
        result.functions[id(fn)] = inherited
        body = getattr(fn, "body", [])
        reach(_referenced(body), inherited)
    return result
