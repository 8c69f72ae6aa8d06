"""Values the manifest parsers produce: declared dependencies, install hooks, registry settings."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Ecosystem(enum.StrEnum):
    """A package ecosystem whose manifests Gatehouse reads."""

    PYPI = "pypi"
    NPM = "npm"
    GO = "go"
    RUBYGEMS = "rubygems"
    CARGO = "cargo"


class SourceKind(enum.StrEnum):
    """Where a dependency is fetched from."""

    REGISTRY = "registry"
    URL = "url"
    GIT = "git"
    PATH = "path"


@dataclass(frozen=True)
class DeclaredDependency:
    """One dependency as a manifest line declares it.

    ``name`` is the package name the registry would resolve (for an npm alias,
    the aliased target); ``source`` is set when the dependency bypasses the registry.
    """

    ecosystem: Ecosystem
    name: str
    spec: str
    path: str
    line: int
    section: str = ""
    kind: SourceKind = SourceKind.REGISTRY
    source: str = ""
    alias_of: str = ""
    indirect: bool = False


@dataclass(frozen=True)
class InstallHook:
    """A command the package manager runs at install time (npm lifecycle script)."""

    path: str
    line: int
    hook: str
    command: str


@dataclass(frozen=True)
class RegistrySetting:
    """A line that changes where packages come from, or how they are verified."""

    path: str
    line: int
    # "index", "extra-index", "scoped-index", "trusted-host", "no-verify", "replace", "proxy"
    kind: str
    value: str
    text: str


@dataclass(frozen=True)
class ManifestView:
    """What one manifest file's known lines declare."""

    dependencies: tuple[DeclaredDependency, ...] = ()
    hooks: tuple[InstallHook, ...] = ()
    settings: tuple[RegistrySetting, ...] = ()
