"""Manifest parsers: what a change's dependency files declare, from whole files or diff hunks."""

from __future__ import annotations

from collections.abc import Callable

from reviewer.core.manifests.cargo import is_cargo_manifest, parse_cargo
from reviewer.core.manifests.golang import is_go_mod, parse_go_mod
from reviewer.core.manifests.lines import KnownLines, known_lines
from reviewer.core.manifests.model import (
    DeclaredDependency,
    Ecosystem,
    InstallHook,
    ManifestView,
    RegistrySetting,
    SourceKind,
)
from reviewer.core.manifests.npm import is_package_json, parse_package_json
from reviewer.core.manifests.oracle import Existence, PackageInfo, PackageOracle
from reviewer.core.manifests.python import (
    is_requirements,
    parse_pip_conf,
    parse_pyproject,
    parse_requirements,
    parse_setup_cfg,
    parse_setup_py,
)
from reviewer.core.manifests.registry_config import config_kind, parse_registry_config
from reviewer.core.manifests.ruby import is_ruby_manifest, parse_gemfile

__all__ = [
    "DeclaredDependency",
    "Ecosystem",
    "Existence",
    "InstallHook",
    "KnownLines",
    "ManifestView",
    "PackageInfo",
    "PackageOracle",
    "Parser",
    "RegistrySetting",
    "SourceKind",
    "known_lines",
    "parse_manifest",
    "parser_for",
]

Parser = Callable[[str, KnownLines], ManifestView]


def parser_for(path: str) -> Parser | None:
    """The parser for a manifest path, or None when the file is not one Gatehouse reads."""
    name = path.rsplit("/", 1)[-1]
    low = name.lower()
    if is_package_json(path):
        return parse_package_json
    if is_requirements(path):
        return parse_requirements
    if low == "setup.py":
        return parse_setup_py
    if low == "setup.cfg":
        return parse_setup_cfg
    if low in ("pip.conf", "pip.ini"):
        return parse_pip_conf
    if low in ("pyproject.toml", "pipfile"):
        return parse_pyproject
    if is_go_mod(path):
        return parse_go_mod
    if is_ruby_manifest(path):
        return parse_gemfile
    if is_cargo_manifest(path):
        return parse_cargo
    if config_kind(path):
        return parse_registry_config
    return None


def parse_manifest(path: str, known: KnownLines) -> ManifestView | None:
    parser = parser_for(path)
    return parser(path, known) if parser is not None else None
