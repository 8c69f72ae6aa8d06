"""Python manifests: requirements files, setup.py, setup.cfg, pyproject.toml, Pipfile, pip.conf."""

from __future__ import annotations

import re

from reviewer.core.manifests.lines import KnownLines, is_gap
from reviewer.core.manifests.model import (
    DeclaredDependency,
    Ecosystem,
    ManifestView,
    RegistrySetting,
    SourceKind,
)
from reviewer.core.manifests.sources import classify_url

_REQ = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*"
    r"(?P<rest>(?:@\s*\S+|[<>=!~(;].*)?)\s*$"
)
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_URLISH = re.compile(
    r"^(?:-e\s+|--editable[\s=]+)?((?:git\+|hg\+|svn\+|bzr\+)?[a-z]+://\S+|git@\S+|file:\S+|\.{1,2}/\S*|/\S+)",
    re.I,
)
_OPTION = re.compile(
    r"^\s*(-i|--index-url|--extra-index-url|--trusted-host|-f|--find-links)(?:\s+|=)(\S+)", re.I
)
_OPTION_KIND = {
    "-i": "index",
    "--index-url": "index",
    "--extra-index-url": "extra-index",
    "--trusted-host": "trusted-host",
    "-f": "find-links",
    "--find-links": "find-links",
}
_QUOTED = re.compile(r"""(['"])((?:(?!\1).)+)\1""")
_TOML_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*$")
_TOML_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_.-]+))\s*=\s*(.*)$""")
_SETUP_LISTS = re.compile(
    r"\b(install_requires|setup_requires|tests_require|extras_require|requires)\b"
)


def is_requirements(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return (
        (
            name.endswith((".txt", ".in"))
            and ("requirements" in name or name.startswith(("constraints", "requires")))
        )
        or "/requirements/" in f"/{path.lower()}"
        and name.endswith((".txt", ".in"))
    )


def is_python_manifest(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return is_requirements(path) or name in (
        "setup.py",
        "setup.cfg",
        "pyproject.toml",
        "pipfile",
        "pip.conf",
        "pip.ini",
    )


def requirement(path: str, line: int, text: str, section: str = "") -> DeclaredDependency | None:
    """A dependency from one PEP 508 string or requirements-file line, or None."""
    text = text.split(" #", 1)[0].strip()
    if not text or text.startswith("#"):
        return None
    url = _URLISH.match(text)
    if url:
        target = url.group(1)
        egg = _EGG.search(target)
        kind = classify_url(target)
        return DeclaredDependency(
            Ecosystem.PYPI, egg.group(1) if egg else "", target, path, line, section, kind, target
        )
    if text.startswith("-"):
        return None
    m = _REQ.match(text)
    if not m:
        return None
    rest = m.group("rest").strip()
    if rest.startswith("@"):
        target = rest[1:].strip().split(";")[0].strip()
        return DeclaredDependency(
            Ecosystem.PYPI, m.group("name"), rest, path, line, section, classify_url(target), target
        )
    return DeclaredDependency(Ecosystem.PYPI, m.group("name"), rest, path, line, section)


def _option(path: str, n: int, text: str) -> RegistrySetting | None:
    m = _OPTION.match(text)
    if not m:
        return None
    return RegistrySetting(path, n, _OPTION_KIND[m.group(1).lower()], m.group(2), text.strip())


def parse_requirements(path: str, known: KnownLines) -> ManifestView:
    deps: list[DeclaredDependency] = []
    settings: list[RegistrySetting] = []
    for n, text in known.ordered():
        opt = _option(path, n, text)
        if opt is not None:
            settings.append(opt)
            continue
        dep = requirement(path, n, text, "requirements")
        if dep is not None:
            deps.append(dep)
    return ManifestView(dependencies=tuple(deps), settings=tuple(settings))


def parse_setup_py(path: str, known: KnownLines) -> ManifestView:
    """Requirement strings inside install_requires/extras_require/... lists."""
    deps: list[DeclaredDependency] = []
    inside: str | None = None
    depth = 0
    prev: int | None = None
    for n, text in known.ordered():
        if is_gap(prev, n):
            inside, depth = None, 0
        prev = n
        code = text.split("#", 1)[0]
        m = _SETUP_LISTS.search(code)
        if m:
            inside, depth = m.group(1), 0
            code = code[m.end() :]
        if inside is None:
            continue
        for q in _QUOTED.finditer(code):
            value = q.group(2)
            if re.match(r"\s*:", code[q.end() :]):
                continue  # a dict key, such as an extras_require group name
            if _looks_like_requirement(value):
                dep = requirement(path, n, value, inside)
                if dep is not None:
                    deps.append(dep)
        depth += (
            code.count("[")
            + code.count("{")
            + code.count("(")
            - code.count("]")
            - code.count("}")
            - code.count(")")
        )
        if depth <= 0 and ("]" in code or "}" in code or ")" in code):
            inside = None
    return ManifestView(dependencies=tuple(deps))


def _looks_like_requirement(value: str) -> bool:
    return (
        bool(_REQ.match(value) or _URLISH.match(value))
        and " " not in value.split(";")[0].strip(" <>=!~")
        or bool(re.match(r"^[A-Za-z0-9._-]+\s*[<>=!~]", value))
    )


def parse_setup_cfg(path: str, known: KnownLines) -> ManifestView:
    deps: list[DeclaredDependency] = []
    settings: list[RegistrySetting] = []
    section = ""
    in_list = False
    prev: int | None = None
    for n, text in known.ordered():
        if is_gap(prev, n):
            in_list = False
        prev = n
        header = _TOML_HEADER.match(text)
        if header:
            section, in_list = header.group(1).strip().lower(), False
            continue
        key = re.match(r"^([A-Za-z0-9_.-]+)\s*[=:]\s*(.*)$", text)
        if key:
            name = key.group(1).lower()
            value = key.group(2).strip()
            if section in ("global", "install") and name in (
                "index-url",
                "extra-index-url",
                "trusted-host",
            ):
                kind = {"index-url": "index", "extra-index-url": "extra-index"}.get(name, name)
                settings.append(RegistrySetting(path, n, kind, value, text.strip()))
                continue
            in_list = (
                name in ("install_requires", "setup_requires", "tests_require")
                or section == "options.extras_require"
            )
            if in_list and value:
                dep = requirement(path, n, value, name)
                if dep is not None:
                    deps.append(dep)
            continue
        if in_list and text[:1] in (" ", "\t"):
            dep = requirement(path, n, text.strip(), section)
            if dep is not None:
                deps.append(dep)
    return ManifestView(dependencies=tuple(deps), settings=tuple(settings))


parse_pip_conf = parse_setup_cfg


def parse_pyproject(path: str, known: KnownLines) -> ManifestView:
    """[project] dependencies and optional-dependencies, poetry/pipenv tables, index sources."""
    deps: list[DeclaredDependency] = []
    settings: list[RegistrySetting] = []
    table = "?"
    in_array: str | None = None
    prev: int | None = None
    for n, text in known.ordered():
        if is_gap(prev, n):
            in_array = None if table != "?" else in_array
        prev = n
        stripped = text.split(" #", 1)[0].strip()
        header = _TOML_HEADER.match(stripped)
        if header and not stripped.startswith(('["', "['")):
            table, in_array = header.group(1).strip().lower(), None
            continue
        if in_array is not None:
            for q in _QUOTED.finditer(stripped):
                dep = requirement(path, n, q.group(2), in_array)
                if dep is not None:
                    deps.append(dep)
            if "]" in _QUOTED.sub("", stripped):
                in_array = None
            continue
        key = _TOML_KEY.match(stripped)
        if not key:
            continue
        name = key.group(1) or key.group(2) or key.group(3)
        value = key.group(4).strip()
        if table in ("tool.poetry.source", "tool.uv.index", "tool.pdm.source") and name == "url":
            settings.append(RegistrySetting(path, n, "index", value.strip("'\""), text.strip()))
            continue
        if table.startswith("tool.uv") and name in ("index-url", "extra-index-url"):
            kind = "index" if name == "index-url" else "extra-index"
            for q in _QUOTED.finditer(value):
                settings.append(RegistrySetting(path, n, kind, q.group(2), text.strip()))
            continue
        if table == "tool.pipenv" or (table == "source" and name == "url"):
            if name == "url":
                settings.append(RegistrySetting(path, n, "index", value.strip("'\""), text.strip()))
            continue
        arrays = (
            (table == "project" and name == "dependencies")
            or table == "project.optional-dependencies"
            or table == "dependency-groups"
            or (table == "build-system" and name == "requires")
            or (table == "?" and name in ("dependencies", "requires"))
        )
        if arrays and value.startswith("["):
            section = f"{table}.{name}"
            for q in _QUOTED.finditer(value):
                dep = requirement(path, n, q.group(2), section)
                if dep is not None:
                    deps.append(dep)
            if "]" not in _QUOTED.sub("", value):
                in_array = section
            continue
        if _is_poetry_table(table) and name.lower() != "python":
            deps.append(_poetry_dep(path, n, table, name, value))
    return ManifestView(dependencies=tuple(deps), settings=tuple(settings))


def _is_poetry_table(table: str) -> bool:
    return table in (
        "tool.poetry.dependencies",
        "tool.poetry.dev-dependencies",
        "packages",
        "dev-packages",
    ) or (table.startswith("tool.poetry.group.") and table.endswith(".dependencies"))


def _poetry_dep(path: str, n: int, table: str, name: str, value: str) -> DeclaredDependency:
    for field, kind in (
        ("git", SourceKind.GIT),
        ("url", SourceKind.URL),
        ("path", SourceKind.PATH),
    ):
        m = re.search(field + r"""\s*=\s*(['"])(.+?)\1""", value)
        if m:
            return DeclaredDependency(Ecosystem.PYPI, name, value, path, n, table, kind, m.group(2))
    return DeclaredDependency(Ecosystem.PYPI, name, value.strip("'\""), path, n, table)
