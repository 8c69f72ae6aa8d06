"""Cargo.toml: crates fetched from git, paths or alternative registries."""

from __future__ import annotations

import re

from reviewer.core.manifests.lines import KnownLines
from reviewer.core.manifests.model import (
    DeclaredDependency,
    Ecosystem,
    ManifestView,
    RegistrySetting,
    SourceKind,
)

_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*$")
_KEY = re.compile(r"""^\s*([A-Za-z0-9_-]+)\s*=\s*(.*)$""")


def is_cargo_manifest(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "Cargo.toml"


def parse_cargo(path: str, known: KnownLines) -> ManifestView:
    deps: list[DeclaredDependency] = []
    settings: list[RegistrySetting] = []
    table = "?"
    for n, text in known.ordered():
        code = text.split(" #", 1)[0]
        header = _HEADER.match(code)
        if header:
            table = header.group(1).lower()
            continue
        key = _KEY.match(code)
        if not key:
            continue
        name, value = key.group(1), key.group(2).strip()
        if not (table.endswith("dependencies") or table == "?"):
            continue
        kind, source = SourceKind.REGISTRY, ""
        for field, k in (
            ("git", SourceKind.GIT),
            ("path", SourceKind.PATH),
            ("registry-index", SourceKind.URL),
        ):
            m = re.search(r"\b" + field + r"""\s*=\s*(['"])(.+?)\1""", value)
            if m:
                kind, source = k, m.group(2)
                break
        if table == "?" and kind is SourceKind.REGISTRY:
            continue  # without its table, `name = "1.0"` could be any key
        deps.append(DeclaredDependency(Ecosystem.CARGO, name, value, path, n, table, kind, source))
    return ManifestView(dependencies=tuple(deps), settings=tuple(settings))
