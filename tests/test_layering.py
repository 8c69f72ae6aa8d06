"""The layers hold: core and app are sans-I/O, and each imports only the layers below it.

reviewer/core (analysis) imports neither the app nor the service layer; reviewer/app (pure
decisions) imports the core but never the service layer nor any I/O library.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "reviewer" / "core"
FORBIDDEN = {
    "flask",
    "github",
    "jwt",
    "huey",
    "sqlalchemy",
    "alembic",
    "redis",
    "psycopg",
    "requests",
    "urllib3",
    "httpx",
    "socket",
    "http.client",
    "http.server",
    "urllib.request",
    "reviewer.service",
    "smtplib",
    "ftplib",
    "prometheus_client",
    "gunicorn",
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


APP = CORE.parent / "app"
# What the core may not import: the I/O stack, and the layers above it.
CORE_FORBIDDEN = FORBIDDEN | {"reviewer.app"}
# What the app layer may not import: the I/O stack, processes, and the service layer.
APP_FORBIDDEN = FORBIDDEN | {"subprocess", "shutil", "tempfile", "sqlite3", "multiprocessing"}


def offenders(root: Path, forbidden: set[str]) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for name in imports_of(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(CORE.parent.parent)} imports {name}")
    return found


def test_core_imports_no_io_stack():
    found = offenders(CORE, CORE_FORBIDDEN)
    assert not found, "\n".join(found)


def test_app_imports_no_io_stack_nor_service():
    assert sorted(p.name for p in APP.glob("*.py")) != ["__init__.py"]
    found = offenders(APP, APP_FORBIDDEN)
    assert not found, "\n".join(found)


# -- import cycles ------------------------------------------------------------------

REVIEWER = CORE.parent

# Cycles that remain in the service layer, each named by its modules (sorted). This list may
# only shrink: a cycle not listed fails the test, and so does a listed one that is gone.
KNOWN_CYCLES: set[frozenset[str]] = set()  # none left: keep it that way


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


_NAMED_MODULE = re.compile(r"(reviewer(?:\.\w+)+)(?::\w+)?")


def import_graph(root: Path = REVIEWER) -> dict[str, set[str]]:
    """module -> the Gatehouse modules it imports, at module level or inside functions.

    ``from pkg import name`` points at ``pkg.name`` when that is a module, else at ``pkg``. A
    module named in a string (``importlib.import_module("reviewer.x")``, a ``"reviewer.x:attr"``
    processor) counts as imported: it closes a cycle at run time all the same. A module started
    as a new interpreter (``[sys.executable, "-m", "reviewer.cli"]``) is a process, not an import.
    """
    files = {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    graph: dict[str, set[str]] = {m: set() for m in files}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        spawned = {
            id(b)
            for seq in ast.walk(tree)
            if isinstance(seq, (ast.List, ast.Tuple))
            for a, b in zip(seq.elts, seq.elts[1:], strict=False)
            if isinstance(a, ast.Constant) and a.value == "-m"
        }
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names
                ]
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in spawned
            ):
                named = _NAMED_MODULE.fullmatch(node.value)
                targets = [named.group(1)] if named and named.group(1) in files else []
            for target in targets:
                while target and target not in files:  # `import a.b.c` of a non-module name
                    target = target.rpartition(".")[0]
                if target and target != module:
                    graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[frozenset[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path: Path):
    pkg = tmp_path / "reviewer"
    (pkg / "core").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "core" / "__init__.py").write_text("")
    (pkg / "core" / "a.py").write_text("from reviewer.core import b\n")
    (pkg / "core" / "b.py").write_text("def f():\n    from . import c\n")
    (pkg / "core" / "c.py").write_text("import reviewer.core.a\n")
    (pkg / "core" / "d.py").write_text("from reviewer.core.a import thing\n")
    (pkg / "core" / "e.py").write_text(
        "import importlib\nimportlib.import_module('reviewer.core.f')\n"
    )
    (pkg / "core" / "f.py").write_text("PROCESSOR = 'reviewer.core.e:run'\n")
    (pkg / "core" / "g.py").write_text(
        "import sys\nCMD = [sys.executable, '-m', 'reviewer.core.h']\n"
    )
    (pkg / "core" / "h.py").write_text("import reviewer.core.g\n")
    assert sorted(map(sorted, cycles(import_graph(pkg)))) == [
        ["reviewer.core.a", "reviewer.core.b", "reviewer.core.c"],
        ["reviewer.core.e", "reviewer.core.f"],
    ]


def test_no_import_cycles_in_reviewer():
    found = set(cycles(import_graph()))
    new = [sorted(c) for c in found - KNOWN_CYCLES]
    gone = [sorted(c) for c in KNOWN_CYCLES - found]
    assert not new, f"new import cycles (break them; never add to KNOWN_CYCLES): {new}"
    assert not gone, f"these cycles are gone: remove them from KNOWN_CYCLES: {gone}"
    assert not [c for c in found if any(m.startswith("reviewer.core") for m in c)]
