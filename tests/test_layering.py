"""The analysis core is sans-I/O: nothing under reviewer/core imports the service stack."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "reviewer" / "core"
FORBIDDEN = {"flask", "github", "jwt", "huey", "sqlalchemy", "alembic", "redis", "psycopg",
             "requests", "urllib3", "httpx", "socket", "http.client", "http.server", "urllib.request",
             "reviewer.service", "smtplib", "ftplib",
             "prometheus_client", "gunicorn"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_imports_no_io_stack():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for name in imports_of(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                offenders.append(f"{path.relative_to(CORE.parent.parent)} imports {name}")
    assert not offenders, "\n".join(offenders)
