"""go.mod: required modules and ``replace`` directives."""

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

_REQUIRE_ONE = re.compile(r"^\s*require\s+(\S+)\s+(v\S+)(.*)$")
_BLOCK_START = re.compile(r"^\s*(require|replace|exclude|retract|tool)\s*\(\s*$")
_BLOCK_ITEM = re.compile(r"^\s*(\S+)\s+(v\S+)(.*)$")
_REPLACE_ONE = re.compile(r"^\s*replace\s+(.+?=>.+)$")
_REPLACE_BODY = re.compile(r"^\s*(\S+)(?:\s+v\S+)?\s*=>\s*(\S+)(?:\s+(v\S+))?")


def is_go_mod(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "go.mod"


def parse_go_mod(path: str, known: KnownLines) -> ManifestView:
    deps: list[DeclaredDependency] = []
    settings: list[RegistrySetting] = []
    block: str | None = None
    prev: int | None = None
    for n, text in known.ordered():
        if is_gap(prev, n) and block is not None:
            block = "?"
        prev = n
        code = text.split("//", 1)[0]
        indirect = "// indirect" in text
        start = _BLOCK_START.match(code)
        if start:
            block = start.group(1)
            continue
        if code.strip() == ")":
            block = None
            continue
        one = _REQUIRE_ONE.match(code)
        if one:
            deps.append(_dep(path, n, one.group(1), one.group(2), indirect))
            continue
        rep = _REPLACE_ONE.match(code)
        if rep or (block in ("replace", "?") and "=>" in code):
            body = _REPLACE_BODY.match(rep.group(1) if rep else code)
            if body:
                settings.append(
                    RegistrySetting(
                        path, n, "replace", f"{body.group(1)} => {body.group(2)}", text.strip()
                    )
                )
            continue
        if block in ("require", "?"):
            item = _BLOCK_ITEM.match(code)
            if item and "." in item.group(1).split("/")[0]:
                deps.append(_dep(path, n, item.group(1), item.group(2), indirect))
    return ManifestView(dependencies=tuple(deps), settings=tuple(settings))


def _dep(path: str, n: int, module: str, version: str, indirect: bool) -> DeclaredDependency:
    return DeclaredDependency(
        Ecosystem.GO, module, version, path, n, "require", SourceKind.REGISTRY, "", "", indirect
    )
