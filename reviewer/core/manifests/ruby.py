"""Gemfile and *.gemspec: gems, their git/path/URL sources, and extra gem sources."""

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

_GEM = re.compile(
    r"""^\s*(?:gem|spec\.add(?:_runtime|_development)?_dependency|s\.add(?:_runtime|_development)?_dependency)\s*\(?\s*(['"])([\w.-]+)\1(.*)$"""
)
_OPT = re.compile(r"""\b(git|github|path|source)\s*(?::|=>)\s*(['"])(.+?)\2""")
_SOURCE = re.compile(r"""^\s*source\s*\(?\s*(['"])(.+?)\1""")


def is_ruby_manifest(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in ("Gemfile", "gems.rb") or name.endswith(".gemspec")


def parse_gemfile(path: str, known: KnownLines) -> ManifestView:
    deps: list[DeclaredDependency] = []
    settings: list[RegistrySetting] = []
    for n, text in known.ordered():
        code = text.split(" #", 1)[0]
        src = _SOURCE.match(code)
        if src:
            settings.append(RegistrySetting(path, n, "index", src.group(2), text.strip()))
            continue
        gem = _GEM.match(code)
        if not gem:
            continue
        kind, source = SourceKind.REGISTRY, ""
        for opt in _OPT.finditer(gem.group(3)):
            key, value = opt.group(1), opt.group(3)
            if key in ("git", "github"):
                kind, source = SourceKind.GIT, value
            elif key == "path":
                kind, source = SourceKind.PATH, value
            elif key == "source":
                kind, source = SourceKind.URL, value
        deps.append(
            DeclaredDependency(
                Ecosystem.RUBYGEMS,
                gem.group(2),
                gem.group(3).strip(" ,)"),
                path,
                n,
                "gem",
                kind,
                source,
            )
        )
    return ManifestView(dependencies=tuple(deps), settings=tuple(settings))
