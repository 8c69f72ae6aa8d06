"""package.json: dependencies of every kind, and the lifecycle scripts npm runs at install."""

from __future__ import annotations

import json
import re

from reviewer.core.manifests.lines import KnownLines, is_gap
from reviewer.core.manifests.model import (
    DeclaredDependency,
    Ecosystem,
    InstallHook,
    ManifestView,
    SourceKind,
)
from reviewer.core.manifests.sources import classify_npm_spec

DEP_SECTIONS = frozenset(
    {
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
        "overrides",
        "resolutions",
    }
)
# Scripts npm (or yarn/pnpm) runs on ``npm install`` of the package or of a git checkout of it.
INSTALL_HOOKS = frozenset(
    {
        "preinstall",
        "install",
        "postinstall",
        "prepare",
        "preprepare",
        "postprepare",
        "prepublish",
    }
)
_NOT_DEPENDENCIES = frozenset(
    {
        "name",
        "version",
        "description",
        "main",
        "module",
        "types",
        "typings",
        "license",
        "author",
        "homepage",
        "bugs",
        "repository",
        "type",
        "private",
        "bin",
        "browser",
        "node",
        "npm",
        "yarn",
        "pnpm",
        "packageManager",
        "workspaces",
        "files",
        "keywords",
        "sideEffects",
        "funding",
        "exports",
        "imports",
        "url",
        "email",
        "directory",
        "access",
        "tag",
        "registry",
        "engines",
        "vscode",
        "unpkg",
        "jsdelivr",
        "style",
        "react-native",
        "source",
        "umd:main",
        "jsnext:main",
    }
)
_HEADER = re.compile(r'^(\s*)"([^"]+)"\s*:\s*\{\s*(\})?\s*,?\s*$')
_CLOSE = re.compile(r"^(\s*)\}")
_ENTRY = re.compile(r'^\s*"((?:[^"\\]|\\.)+)"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,?\s*$')
_PKG_NAME = re.compile(r"^(?:@[a-z0-9~][\w.~-]*/)?[a-z0-9~][\w.~-]*$", re.I)
_VERSIONISH = re.compile(
    r"^(?:[\^~<>=v ]*\d[\w.+\- |<>=^~*x]*|\*|x|latest|next|beta|canary|"
    r"npm:.+|workspace:.+|catalog:.*|file:.+|link:.+|git(?:\+|:|@).+|(?:github|gitlab|bitbucket):.+|https?://.+)$",
    re.I,
)
_UNKNOWN = "?"


def is_package_json(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "package.json" and "node_modules/" not in path


def dependency_of(
    path: str, line: int, section: str, key: str, value: str
) -> DeclaredDependency | None:
    """A dependency from one ``"key": "value"`` entry, or None when it is not one."""
    if not _PKG_NAME.match(key):
        return None
    name, alias_of = key, ""
    kind = classify_npm_spec(value)
    if value.startswith("npm:"):
        target = value[4:]
        at = target.rfind("@")
        name = target[:at] if at > 0 else target
        alias_of = key
    return DeclaredDependency(
        ecosystem=Ecosystem.NPM,
        name=name,
        spec=value,
        path=path,
        line=line,
        section=section,
        kind=kind,
        source=value if kind is not SourceKind.REGISTRY else "",
        alias_of=alias_of,
    )


def parse_package_json(path: str, known: KnownLines) -> ManifestView:
    """Dependencies and install hooks of a package.json, from whole text or hunks."""
    if known.whole:
        view = _parse_whole(path, known)
        if view is not None:
            return view
    return _parse_lines(path, known)


def _parse_lines(path: str, known: KnownLines) -> ManifestView:
    deps: list[DeclaredDependency] = []
    hooks: list[InstallHook] = []
    section: str | None = _UNKNOWN
    depth_indent = -1
    prev: int | None = None
    for n, text in known.ordered():
        if is_gap(prev, n):
            section = _UNKNOWN
        prev = n
        header = _HEADER.match(text)
        if header:
            if header.group(3):  # "key": {} on one line
                continue
            indent = len(header.group(1))
            if section in (None, _UNKNOWN) or indent <= depth_indent:
                section, depth_indent = header.group(2), indent
            continue
        close = _CLOSE.match(text)
        if close and section not in (None, _UNKNOWN) and len(close.group(1)) <= depth_indent:
            section = None
            continue
        entry = _ENTRY.match(text)
        if not entry:
            continue
        key, value = entry.group(1), entry.group(2)
        if section == "scripts" or (
            section == _UNKNOWN and key in INSTALL_HOOKS and not _VERSIONISH.match(value)
        ):
            if key in INSTALL_HOOKS:
                hooks.append(InstallHook(path, n, key, value))
            continue
        if section in DEP_SECTIONS or (
            section == _UNKNOWN and key not in _NOT_DEPENDENCIES and _VERSIONISH.match(value)
        ):
            dep = dependency_of(path, n, section or "", key, value)
            if dep is not None:
                deps.append(dep)
    return ManifestView(dependencies=tuple(deps), hooks=tuple(hooks))


def _parse_whole(path: str, known: KnownLines) -> ManifestView | None:
    try:
        doc = json.loads(known.text())
    except (ValueError, RecursionError):  # nesting deeper than the parser's stack: line checks only
        return None
    if not isinstance(doc, dict):
        return None
    ordered = known.ordered()
    deps: list[DeclaredDependency] = []
    hooks: list[InstallHook] = []
    for section, body in doc.items():
        if not isinstance(body, dict) or (section not in DEP_SECTIONS and section != "scripts"):
            continue
        start = _line_of_key(ordered, section, 1)
        for key, value in body.items():
            if not isinstance(value, str):
                continue
            n = _line_of_key(ordered, key, start)
            if section == "scripts":
                if key in INSTALL_HOOKS:
                    hooks.append(InstallHook(path, n, key, value))
                continue
            dep = dependency_of(path, n, section, key, value)
            if dep is not None:
                deps.append(dep)
    return ManifestView(dependencies=tuple(deps), hooks=tuple(hooks))


def _line_of_key(ordered: list[tuple[int, str]], key: str, start: int) -> int:
    needle = re.compile(r'"' + re.escape(json.dumps(key)[1:-1]) + r'"\s*:')
    for n, text in ordered:
        if n >= start and needle.search(text):
            return n
    return start
