"""Binary files a change adds: assets where assets live are quiet, executables and binaries
next to source are not."""

import posixpath

from reviewer.core.analyzers.blobs.rules import ANALYZER, RULES
from reviewer.core.changeset import FileChange, FileStatus
from reviewer.core.findings import Finding, Severity
from reviewer.core.paths import (
    ASSET_EXT,
    is_test_path,
    path_parts,
)

# ---------------------------------------------------------------- binaries

_ASSET_DIRS = frozenset(
    {
        "assets",
        "asset",
        "images",
        "image",
        "img",
        "imgs",
        "icons",
        "fonts",
        "static",
        "media",
        "screenshots",
        "docs",
        "doc",
        "resources",
        "res",
        "public",
        "artwork",
        "logos",
        "branding",
    }
)
_EXEC_EXT = frozenset(
    {
        ".so",
        ".dll",
        ".exe",
        ".o",
        ".obj",
        ".a",
        ".lib",
        ".dylib",
        ".jar",
        ".war",
        ".ear",
        ".class",
        ".pyc",
        ".pyo",
        ".pyd",
        ".node",
        ".wasm",
        ".bin",
        ".elf",
        ".msi",
        ".com",
        ".scr",
        ".deb",
        ".rpm",
        ".apk",
        ".dmg",
        ".whl",
        ".egg",
        ".zip",
        ".tar",
        ".gz",
        ".tgz",
        ".bz2",
        ".xz",
        ".7z",
        ".rar",
        ".zst",
        ".lz4",
        ".cab",
        ".iso",
        ".img",
        ".ko",
        ".sys",
        ".drv",
        ".cpl",
        ".ocx",
        ".appimage",
        ".run",
        ".out",
        ".crx",
        ".xpi",
        ".vsix",
        ".nupkg",
        ".gem",
        ".pkg",
        ".lzma",
        ".z",
    }
)


def binary_finding(change: FileChange) -> Finding | None:
    if change.status is FileStatus.DELETED:
        return None
    path = change.path
    parts = path_parts(path)
    name = parts[-1]
    ext = posixpath.splitext(name)[1]
    if ext in ASSET_EXT:
        return None
    is_exec = ext in _EXEC_EXT or ext == "" or name.endswith((".tar.gz", ".tar.xz", ".tar.bz2"))
    in_assets = any(p in _ASSET_DIRS for p in parts[:-1])
    in_tests = is_test_path(path)
    verb = "adds" if change.status is FileStatus.ADDED else "changes"
    if is_exec:
        meta = RULES["blob-binary-executable"]
        severity = meta.severity
        if in_tests or in_assets:
            severity = Severity.MEDIUM
        kind = "a file with no extension" if ext == "" else f"a {ext} file"
        message = (
            f"This change {verb} binary {kind} ({path}). Executables, libraries, bytecode and "
            "archives cannot be reviewed in a diff and are a classic way to ship a backdoor "
            "beside innocent-looking code. Check where it was built, whether anything loads "
            "or runs it, and whether it can be built from source instead."
        )
    else:
        if in_assets:
            return None
        meta = RULES["blob-binary-file"]
        severity = Severity.LOW if in_tests else meta.severity
        message = (
            f"This change {verb} a binary file ({path}) outside the usual asset folders. "
            "Its contents are invisible in the diff; check what it is and what reads it."
        )
    return meta.finding(
        analyzer=ANALYZER,
        path=path,
        start_line=1,
        end_line=1,
        message=message,
        evidence=f"binary file {path}",
        severity=severity,
    )
