"""Checks on whole files around the manifests: build scripts, ``setup.py`` hooks, lockfiles'
resolved URLs, files an install hook runs, and the names the base version already declared."""

from __future__ import annotations

import posixpath
import re

from reviewer.core.analyzers.dependencies.rules import rule_finding
from reviewer.core.changeset import ChangeSet, FileChange, FileStatus, text_lines
from reviewer.core.findings import Finding
from reviewer.core.manifests import (
    KnownLines,
    ManifestView,
    Parser,
)
from reviewer.core.manifests.names import canonical
from reviewer.core.manifests.sources import host_of, is_raw_ip, is_suspicious_host

LOCKFILES = (
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    "Gemfile.lock",
    "Cargo.lock",
    "go.sum",
)
_LOCK_RESOLVED = re.compile(
    r"""(?:"resolved"\s*:\s*"|\bresolved\s+"?|\btarball:\s*|\burl\s*=\s*")([^"\s,]+)"""
)


_SCRIPT_FILE = re.compile(
    r"""(?:^|[\s'"=])((?:\.{0,2}/)?[\w@./-]+\.(?:c?js|mjs|ts|sh|py|pl|rb|ps1|bat|cmd|exe|bin))\b"""
)


_SETUP_CMDCLASS = re.compile(r"\bcmdclass\s*[=:]")
_SETUP_CMD_CLASS = re.compile(
    r"^class\s+\w+\s*\(\s*(?:[\w.]*\.)?(install|develop|egg_info|build_py|build_ext|sdist|bdist_wheel|easy_install)\s*\)"
)
_PY_NETWORK = re.compile(
    r"\b(?:urlopen|urlretrieve|urllib\.request|requests\.(?:get|post|put)|http\.client|"
    r"socket\.(?:socket|create_connection)|httpx\.|aiohttp\.|ftplib|smtplib)\b"
)
_PY_EXEC = re.compile(
    r"\b(?:subprocess\.\w+|os\.system|os\.popen|os\.exec\w*|exec|eval|__import__)\s*\("
)


def existing_names(change: FileChange, parser: Parser) -> set[str]:
    """Canonical names declared at base or on the change's removed lines (version bumps)."""
    names: set[str] = set()
    views: list[ManifestView] = []
    if change.base_text is not None:
        lines = dict(enumerate(text_lines(change.base_text), start=1))
        views.append(parser(change.path, KnownLines(lines, frozenset(lines), True)))
    if change.removed:
        lines = {i: t for i, t in enumerate(change.removed, start=1)}
        views.append(parser(change.path, KnownLines(lines, frozenset(lines), False)))
    for view in views:
        for dep in view.dependencies:
            if dep.name:
                names.add(canonical(dep.ecosystem, dep.name))
    return names


def referenced_file_status(cmd: str, manifest: str, changeset: ChangeSet) -> FileStatus | None:
    """Status of a file the command runs, when the change touches it."""
    base = posixpath.dirname(manifest)
    statuses = {f.path: f.status for f in changeset.files}
    best: FileStatus | None = None
    for m in _SCRIPT_FILE.finditer(cmd):
        ref = posixpath.normpath(posixpath.join(base, m.group(1)))
        status = statuses.get(ref)
        if status is FileStatus.ADDED:
            return status
        if status in (FileStatus.MODIFIED, FileStatus.RENAMED):
            best = status
    return best


# Scripts a package manager runs while building a dependency: an install hook by another name.
BUILD_SCRIPTS = frozenset({"build.rs", "extconf.rb"})
_BUILD_SCRIPT_IO = re.compile(
    r"\bCommand::new\s*\(|\bTcpStream::|\breqwest::|\bureq::|\bstd::net::|\bcurl\b|\bwget\b|"
    r"\bNet::HTTP\b|\bURI\.open\b|\bopen-uri\b|\bsystem\s*\(|\bspawn\s*\(|%x[({\[]|`[^`]+`"
)


def build_script_findings(change: FileChange, known: KnownLines) -> list[Finding]:
    """Added lines of a build script that run programs or use the network."""
    return [
        rule_finding(
            "dep-build-script-io",
            change.path,
            n,
            text,
            f"`{change.path}` runs this on every build of every project that depends on the "
            "package.",
        )
        for n, text in known.ordered()
        if n in known.added and _BUILD_SCRIPT_IO.search(text.split("//", 1)[0])
    ]


def setup_py_findings(change: FileChange, known: KnownLines) -> list[Finding]:
    """Custom install commands and module-level I/O in setup.py (added lines only)."""
    findings: list[Finding] = []
    in_command = False
    prev: int | None = None
    for n, text in known.ordered():
        if prev is not None and n != prev + 1 and not text[:1].isspace():
            in_command = False
        prev = n
        code = text.split("#", 1)[0]
        if not code.strip():
            continue
        top_level = not code[:1].isspace()
        cls = _SETUP_CMD_CLASS.match(code)
        if top_level:
            in_command = bool(cls)
        if n not in known.added:
            continue
        if cls:
            findings.append(
                rule_finding(
                    "dep-setup-cmdclass",
                    change.path,
                    n,
                    text,
                    f"A custom `{cls.group(1)}` command runs code at install time.",
                )
            )
        elif _SETUP_CMDCLASS.search(code):
            findings.append(
                rule_finding(
                    "dep-setup-cmdclass",
                    change.path,
                    n,
                    text,
                    "setup.py registers custom commands (cmdclass).",
                )
            )
        elif in_command and (_PY_NETWORK.search(code) or _PY_EXEC.search(code)):
            findings.append(
                rule_finding(
                    "dep-setup-install-command-io",
                    change.path,
                    n,
                    text,
                    "A custom install command reaches the network or runs a program.",
                )
            )
        elif _PY_NETWORK.search(code):
            where = "at module level" if top_level else "while it runs"
            findings.append(
                rule_finding(
                    "dep-setup-module-network",
                    change.path,
                    n,
                    text,
                    f"setup.py uses the network {where}: it runs on every install.",
                )
            )
        elif top_level and _PY_EXEC.search(code):
            findings.append(
                rule_finding(
                    "dep-setup-module-subprocess",
                    change.path,
                    n,
                    text,
                    "setup.py runs a program at module level.",
                )
            )
    return findings


def lockfile_findings(change: FileChange, known: KnownLines) -> list[Finding]:
    findings: list[Finding] = []
    for n in sorted(known.added):
        text = known.lines.get(n, "")
        for m in _LOCK_RESOLVED.finditer(text):
            url = m.group(1)
            host = host_of(url)
            if host and is_suspicious_host(host):
                findings.append(
                    rule_finding(
                        "dep-suspicious-host-source",
                        change.path,
                        n,
                        text,
                        f"The lockfile resolves a package from `{host}`.",
                    )
                )
            elif url.lower().startswith("http://") and not is_raw_ip(host):
                findings.append(
                    rule_finding(
                        "dep-lockfile-insecure-source",
                        change.path,
                        n,
                        text,
                        f"The lockfile resolves a package from `{host}` over plain HTTP.",
                    )
                )
    return findings
