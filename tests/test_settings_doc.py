"""Every environment variable is documented once, in the same words everywhere it is listed:
the variables the code reads, the settings help shown on the setup page, and the README's
table are the same set."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from reviewer.service.settings import Settings
from reviewer.service.settings_help import SETTINGS_HELP

ROOT = Path(__file__).resolve().parent.parent
_NAME = re.compile(r"GATEHOUSE_[A-Z0-9_]+")


def _read_by_code() -> set[str]:
    """``GATEHOUSE_*`` names the service reads: string constants passed to an environment
    look-up (``environ.get``, ``env.get``, ``get``, ``os.environ[...]``) in the package and in
    the shipped gunicorn config."""
    files = [*sorted((ROOT / "reviewer").rglob("*.py")), ROOT / "deploy" / "gunicorn.conf.py"]
    names: set[str] = set()
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            key: ast.expr | None = None
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                if isinstance(func, ast.Attribute):
                    is_env = "env" in ast.unparse(func.value).lower()
                    if func.attr in ("get", "getenv", "setdefault") and is_env:
                        key = node.args[0]
                elif isinstance(func, ast.Name) and func.id == "get":
                    key = node.args[0]  # settings' own get() over the environment
            elif isinstance(node, ast.Subscript) and "env" in ast.unparse(node.value).lower():
                key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if _NAME.fullmatch(key.value):
                    names.add(key.value)
    return names


def _readme_table() -> list[str]:
    names = []
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `GATEHOUSE_") and cells:
            names.append(cells[0].strip("`"))
    return names


def test_readme_table_settings_help_and_code_name_the_same_variables() -> None:
    documented = [h.name for h in SETTINGS_HELP]
    readme = _readme_table()
    assert len(documented) == len(set(documented)), "a variable is described twice"
    assert len(readme) == len(set(readme)), "a variable has two rows in the README"
    code = _read_by_code()
    assert code - set(documented) == set(), "read by the code but not in settings_help"
    assert set(documented) - code == set(), "in settings_help but read nowhere"
    assert set(readme) == set(documented), "README table and settings_help differ"


def test_readme_defaults_match_the_settings_help() -> None:
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `GATEHOUSE_"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[cells[0].strip("`")] = cells[2].strip("`").removeprefix("./")
    for h in SETTINGS_HELP:
        if h.default.replace(".", "").isdigit() or ":" in h.default:
            assert rows[h.name] == h.default.removeprefix("./"), h.name


def test_registry_lookup_is_off_by_default_and_read_with_the_other_settings() -> None:
    base = {"GATEHOUSE_DATA_DIR": "var"}
    assert Settings.from_env(base, require_app=False).registry.enabled is False
    on = Settings.from_env(
        {**base, "GATEHOUSE_REGISTRY_LOOKUP": "on", "GATEHOUSE_PYPI_URL": "https://pypi.test"},
        require_app=False,
    )
    assert on.registry.enabled and on.registry.pypi_url == "https://pypi.test"


def test_registry_lookup_on_gives_the_dependency_analyzer_an_oracle(tmp_path: Path) -> None:
    from reviewer.core.analyzers.dependencies import DependencyAnalyzer
    from reviewer.service.context import AppContext

    env = {"GATEHOUSE_DATA_DIR": str(tmp_path)}
    off = AppContext.create(Settings.from_env(env, require_app=False), store=object())
    assert off.analyzers is None, "off: the core's default analyzers, no look-up"
    env |= {"GATEHOUSE_REGISTRY_LOOKUP": "on", "GATEHOUSE_NPM_URL": "https://npm.test"}
    on = AppContext.create(Settings.from_env(env, require_app=False), store=object())
    assert on.analyzers is not None
    deps = [a for a in on.analyzers if isinstance(a, DependencyAnalyzer)]
    assert len(deps) == 1 and deps[0].oracle is not None


def test_docs_and_deploy_files_name_only_variables_that_exist() -> None:
    """A variable renamed or removed in the code must not live on in a deploy file or a doc."""
    documented = {h.name for h in SETTINGS_HELP}
    places = [ROOT / "README.md", *ROOT.glob("*.md"), *(ROOT / "deploy").rglob("*")]
    places += [p for p in (ROOT / "docs").rglob("*.md")] if (ROOT / "docs").is_dir() else []
    stale: dict[str, set[str]] = {}
    for path in places:
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        unknown = set(_NAME.findall(text)) - documented
        if unknown:
            stale[str(path.relative_to(ROOT))] = unknown
    assert stale == {}
