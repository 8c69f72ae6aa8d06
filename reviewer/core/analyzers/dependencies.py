"""Dependency changes: new packages, look-alike names, install hooks, sources and registries.

Reads the manifests of every ecosystem Gatehouse knows (package.json, requirements files,
setup.py/setup.cfg, pyproject.toml, Pipfile, go.mod, Gemfile, Cargo.toml, registry config
files) from the whole post-image when it is known and from the diff's hunks otherwise, and
looks only at what the change adds. A name is "new" when neither the base file nor the
change's removed lines declare it.

Severity follows "correlate, don't count": an unfamiliar name or an install hook alone is
low; a near-miss of a popular name, a hook that fetches or decodes a payload, or a package
served from a tunnel or paste host is high.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.changeset import ChangeSet, FileChange, FileStatus, text_lines
from reviewer.core.findings import Confidence, Finding, Severity, Skipped, SkipReason
from reviewer.core.manifests import (
    DeclaredDependency,
    Ecosystem,
    Existence,
    InstallHook,
    KnownLines,
    ManifestView,
    PackageOracle,
    Parser,
    RegistrySetting,
    SourceKind,
    known_lines,
    parser_for,
)
from reviewer.core.manifests.commands import install_commands, reads_commands
from reviewer.core.manifests.names import canonical
from reviewer.core.manifests.registry_config import settings_in_line
from reviewer.core.manifests.sources import host_of, is_raw_ip, is_suspicious_host
from reviewer.core.manifests.toplists import top_list
from reviewer.core.manifests.typosquat import index_for
from reviewer.core.rules import RuleMeta, rule_maker

__all__ = ["DependencyAnalyzer", "RULES", "NEW_PACKAGE_DAYS"]

NEW_PACKAGE_DAYS = 30
ANALYZER = "dependencies"


_meta = rule_maker(ANALYZER, languages=("manifest",))


_S, _C = Severity, Confidence
RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        _meta(
            "dep-typosquat",
            "dependency-risk",
            _S.HIGH,
            _C.MEDIUM,
            "A new dependency's name is one slip away from a popular package (typosquatting).",
            "Check the spelling against the package you meant; install that one instead.",
        ),
        _meta(
            "dep-unknown-package",
            "dependency-risk",
            _S.INFO,
            _C.LOW,
            "A new dependency is not among the most-used packages of its ecosystem.",
            "Check that the package exists, is maintained and is the one you meant: assistants "
            "sometimes suggest names that do not exist, which attackers then register.",
        ),
        _meta(
            "dep-unknown-early-release",
            "dependency-risk",
            _S.MEDIUM,
            _C.LOW,
            "A new dependency is little known and pinned to a first, pre-1.0 release.",
            "Look at who publishes the package, since when, and what its install scripts do "
            "before depending on it.",
        ),
        _meta(
            "dep-registry-missing",
            "dependency-risk",
            _S.HIGH,
            _C.HIGH,
            "The package registry has no package of this name (a hallucinated or squattable name).",
            "Remove the dependency or correct its name; anyone could register this name.",
        ),
        _meta(
            "dep-registry-new-package",
            "dependency-risk",
            _S.MEDIUM,
            _C.MEDIUM,
            f"The package was first published less than {NEW_PACKAGE_DAYS} days ago.",
            "Prefer an established package, or review this one's code and maintainers first.",
        ),
        _meta(
            "dep-npm-alias",
            "dependency-risk",
            _S.MEDIUM,
            _C.MEDIUM,
            "An npm alias installs a different package under a familiar name.",
            "Depend on the real package under its own name.",
        ),
        _meta(
            "dep-url-source",
            "dependency-risk",
            _S.MEDIUM,
            _C.MEDIUM,
            "A dependency is fetched from a URL or git repository instead of the registry.",
            "Publish or pin the dependency through the registry, or pin the URL to a reviewed "
            "commit.",
        ),
        _meta(
            "dep-suspicious-host-source",
            "dependency-risk",
            _S.HIGH,
            _C.HIGH,
            "A dependency or package index is served from a raw IP, tunnel, paste or file-drop "
            "host.",
            "Remove it: real packages are not distributed from such hosts.",
        ),
        _meta(
            "dep-local-path-source",
            "dependency-risk",
            _S.LOW,
            _C.LOW,
            "A dependency is installed from a local path.",
            "Check that the path is part of this repository and reviewed.",
        ),
        _meta(
            "dep-install-hook",
            "install-hook",
            _S.LOW,
            _C.LOW,
            "An npm lifecycle script runs on every install of the package.",
            "Avoid install scripts; if needed, keep them short and free of network access.",
            ("install-hook",),
        ),
        _meta(
            "dep-install-hook-network",
            "install-hook",
            _S.HIGH,
            _C.HIGH,
            "An install script downloads or sends data over the network.",
            "Remove network access from install scripts; ship what is needed in the package.",
            ("install-hook", "network-fetch"),
        ),
        _meta(
            "dep-install-hook-payload",
            "install-hook",
            _S.HIGH,
            _C.HIGH,
            "An install script decodes or evaluates an inline payload.",
            "Remove the hook; install scripts must not run encoded or inline code.",
            ("install-hook", "decode", "exec"),
        ),
        _meta(
            "dep-install-hook-new-file",
            "install-hook",
            _S.HIGH,
            _C.MEDIUM,
            "An install script runs a file that the same change adds.",
            "Review the added file line by line, or drop the hook.",
            ("install-hook",),
        ),
        _meta(
            "dep-install-hook-changed-file",
            "install-hook",
            _S.MEDIUM,
            _C.MEDIUM,
            "An install script runs a file that the same change edits.",
            "Review the edited file as code that runs on every developer's machine.",
            ("install-hook",),
        ),
        _meta(
            "dep-setup-cmdclass",
            "install-hook",
            _S.LOW,
            _C.LOW,
            "setup.py replaces an install, develop or egg_info command with custom code.",
            "Prefer declarative packaging; keep custom commands free of network and subprocess "
            "calls.",
            ("install-hook",),
        ),
        _meta(
            "dep-setup-install-command-io",
            "install-hook",
            _S.HIGH,
            _C.MEDIUM,
            "A custom setup.py install command touches the network or runs programs.",
            "Remove network and subprocess calls from install commands.",
            ("install-hook", "exec"),
        ),
        _meta(
            "dep-setup-module-network",
            "install-hook",
            _S.HIGH,
            _C.MEDIUM,
            "setup.py reaches the network when it is run (every install from source runs it).",
            "setup.py must not download or upload anything.",
            ("install-hook", "network-send"),
        ),
        _meta(
            "dep-setup-module-subprocess",
            "install-hook",
            _S.LOW,
            _C.LOW,
            "setup.py runs a program at module level.",
            "Keep setup.py declarative; compute versions with a build backend plugin instead.",
            ("install-hook", "exec"),
        ),
        _meta(
            "dep-build-script-io",
            "install-hook",
            _S.LOW,
            _C.LOW,
            "A package build script (Cargo build.rs, RubyGems extconf.rb) runs a program or "
            "reaches the network; it runs on every build of every project that depends on the "
            "package.",
            "Keep build scripts to compiling bundled sources; no downloads, no shells.",
            ("install-hook",),
        ),
        _meta(
            "dep-extra-index",
            "dependency-risk",
            _S.MEDIUM,
            _C.MEDIUM,
            "An extra package index is searched next to the default one (dependency confusion).",
            "Use a single index that proxies both, or pin internal packages to their index.",
        ),
        _meta(
            "dep-index-override",
            "dependency-risk",
            _S.MEDIUM,
            _C.MEDIUM,
            "Packages are fetched from a different registry or proxy.",
            "Check that the registry is the organisation's own; allow it in the policy if so.",
        ),
        _meta(
            "dep-registry-no-verify",
            "security-control-disabled",
            _S.MEDIUM,
            _C.HIGH,
            "Package downloads lose TLS or checksum verification.",
            "Keep TLS and checksum database checks on.",
            ("security-off",),
        ),
        _meta(
            "dep-go-replace-fork",
            "dependency-risk",
            _S.MEDIUM,
            _C.MEDIUM,
            "go.mod replaces a module with a different module (a fork).",
            "Check who controls the fork and why the upstream module cannot be used.",
        ),
        _meta(
            "dep-go-replace-local",
            "dependency-risk",
            _S.LOW,
            _C.LOW,
            "go.mod replaces a module with a local directory.",
            "Check that the directory is part of this repository.",
        ),
        _meta(
            "dep-lockfile-insecure-source",
            "dependency-risk",
            _S.MEDIUM,
            _C.MEDIUM,
            "A lockfile resolves a package over plain HTTP.",
            "Regenerate the lockfile against an HTTPS registry.",
        ),
    )
}

_LOCKFILES = (
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
_NETWORK = re.compile(
    r"\b(?:curl|wget|Invoke-WebRequest|Invoke-RestMethod|iwr|irm|nc|ncat|netcat|socat|ftp|scp)\b|"
    r"https?://|\bfetch\s*\(|require\(\s*['\"]https?['\"]\)|\burllib\b|\brequests\.\w+\(|/dev/tcp/",
    re.I,
)
_PAYLOAD = re.compile(
    r"base64\s+(?:-d|--decode|-D)\b|\batob\s*\(|Buffer\.from\([^)]*['\"](?:base64|hex)['\"]|"
    r"\beval\s*\(|new\s+Function\s*\(|\|\s*(?:ba|z|da)?sh\b|\bpython[\d.]*\s+-c\b|\bnode\s+-e\b|"
    r"\bperl\s+-e\b|\bpowershell\b.*-e(?:nc|ncodedcommand)?\b|\\x[0-9a-f]{2}",
    re.I,
)
_SCRIPT_FILE = re.compile(
    r"""(?:^|[\s'"=])((?:\.{0,2}/)?[\w@./-]+\.(?:c?js|mjs|ts|sh|py|pl|rb|ps1|bat|cmd|exe|bin))\b"""
)
_VERSION_LOW = re.compile(r"^\s*[\^~=v]*\s*0\.[01](?:\.\d+)?(?:[-+][\w.]+)?\s*$")
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


@dataclass(frozen=True)
class _Context:
    """What a check may need besides the file: the whole change, options, time."""

    changeset: ChangeSet
    allowed_domains: frozenset[str]
    now: _dt.datetime


class DependencyAnalyzer:
    """Findings on dependency manifests and registry settings a change adds."""

    name = ANALYZER

    def __init__(
        self,
        *,
        oracle: PackageOracle | None = None,
        clock: Callable[[], _dt.datetime] | None = None,
    ) -> None:
        """``oracle`` (default None = off) asks a registry about new names; it reveals them."""
        self.oracle = oracle
        self._clock = clock or (lambda: _dt.datetime.now(_dt.UTC))

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        c = _Context(
            ctx.changeset, frozenset(d.lower() for d in ctx.options.allowed_domains), self._clock()
        )
        for f in files:
            change = f.change
            if change.binary or not (change.added or change.head_text is not None):
                continue
            try:
                self._file(change, c, out)
            except Exception as exc:  # one bad file never stops the others
                out.skipped.append(
                    Skipped(
                        change.path,
                        SkipReason.UNPARSABLE,
                        f"{type(exc).__name__}: {exc}"[:200],
                        ANALYZER,
                    )
                )
        return out

    # -- per file -------------------------------------------------------------------

    def _file(self, change: FileChange, c: _Context, out: AnalyzerOutput) -> None:
        path = change.path
        known = known_lines(change)
        parser = parser_for(path)
        view: ManifestView | None = parser(path, known) if parser is not None else None
        config_settings: set[int] = set()
        if view is not None and parser is not None:  # a view comes only from a parser
            existing = _existing_names(change, parser)
            for dep in view.dependencies:
                if dep.line in known.added:
                    out.findings.extend(self._dependency(dep, existing, c, out))
            for hook in view.hooks:
                if hook.line in known.added:
                    out.findings.append(self._hook(hook, change, c))
            for s in view.settings:
                if s.line in known.added:
                    config_settings.add(s.line)
                    f = self._setting(s, change, c)
                    if f is not None:
                        out.findings.append(f)
        name = path.rsplit("/", 1)[-1]
        if name == "setup.py":
            out.findings.extend(_setup_py(change, known))
        if name in _BUILD_SCRIPTS:
            out.findings.extend(_build_script(change, known))
        if name in _LOCKFILES:
            out.findings.extend(_lockfile(change, known))
            return
        commands = reads_commands(path)
        for n in sorted(known.added):
            text = known.lines.get(n, "")
            if commands:
                for dep in install_commands(path, n, text):
                    out.findings.extend(self._dependency(dep, set(), c, out))
            if n in config_settings:
                continue
            for s in settings_in_line(path, n, text):
                f = self._setting(s, change, c)
                if f is not None:
                    out.findings.append(f)

    # -- dependencies ---------------------------------------------------------------

    def _dependency(
        self, dep: DeclaredDependency, existing: set[str], c: _Context, out: AnalyzerOutput
    ) -> Iterable[Finding]:
        findings: list[Finding] = []
        source = _source_finding(dep)
        if source is not None:
            findings.append(source)
        if not dep.name or dep.indirect or dep.kind is not SourceKind.REGISTRY:
            return findings
        if dep.alias_of and canonical(dep.ecosystem, dep.alias_of) != canonical(
            dep.ecosystem, dep.name
        ):
            findings.append(
                _finding(
                    "dep-npm-alias",
                    dep.path,
                    dep.line,
                    _evidence(dep),
                    f"`{dep.alias_of}` is an alias that installs `{dep.name}`.",
                )
            )
        if canonical(dep.ecosystem, dep.name) in existing:
            return findings
        findings.extend(self._new_name(dep, c, out))
        return findings

    def _new_name(self, dep: DeclaredDependency, c: _Context, out: AnalyzerOutput) -> list[Finding]:
        top = top_list(dep.ecosystem)
        if top is not None and dep.name in top:
            return []
        index = index_for(dep.ecosystem)
        miss = index.near_miss(dep.name) if index is not None else None
        if miss is not None:
            return [
                _finding(
                    "dep-typosquat",
                    dep.path,
                    dep.line,
                    _evidence(dep),
                    f"`{dep.name}` is not a well-known {dep.ecosystem.value} package, but it "
                    f"differs by {miss.how} from `{miss.target}` (#{miss.target_rank + 1} most "
                    "used). Typosquatted names carry malware.",
                    extra=(("target", miss.target), ("how", miss.how)),
                )
            ]
        info = None
        if self.oracle is not None and dep.ecosystem in self.oracle.ecosystems:
            info = self.oracle.lookup(dep.ecosystem, dep.name)
            if info.existence is Existence.MISSING:
                return [
                    _finding(
                        "dep-registry-missing",
                        dep.path,
                        dep.line,
                        _evidence(dep),
                        f"The {dep.ecosystem.value} registry has no package `{dep.name}`: "
                        "it may be a hallucinated name that anyone could register.",
                    )
                ]
            if info.existence is Existence.UNKNOWN:
                out.skipped.append(
                    Skipped(
                        dep.path,
                        SkipReason.ANALYZER_ERROR,
                        f"registry look-up of a dependency failed: {info.detail}"[:200],
                        ANALYZER,
                    )
                )
            age = info.age_days(c.now)
            if age is not None and age < NEW_PACKAGE_DAYS:
                return [
                    _finding(
                        "dep-registry-new-package",
                        dep.path,
                        dep.line,
                        _evidence(dep),
                        f"`{dep.name}` was first published {max(age, 0):.0f} days ago.",
                    )
                ]
        if top is None:
            return []
        established = (
            info is not None
            and info.existence is Existence.EXISTS
            and info.first_published is not None
        )
        if (
            dep.ecosystem is not Ecosystem.GO
            and dep.section != "command"
            and _VERSION_LOW.match(dep.spec)
            and not established
        ):
            return [
                _finding(
                    "dep-unknown-early-release",
                    dep.path,
                    dep.line,
                    _evidence(dep),
                    f"`{dep.name}` is not among the {len(top)} most-used {dep.ecosystem.value} "
                    f"packages and is pinned to an early release ({dep.spec.strip()}): check who "
                    "publishes it and what it runs on install.",
                )
            ]
        since = (
            f" (published {info.first_published.date().isoformat()})"
            if established and info and info.first_published
            else ""
        )
        return [
            _finding(
                "dep-unknown-package",
                dep.path,
                dep.line,
                _evidence(dep),
                f"`{dep.name}` is not among the {len(top)} most-used {dep.ecosystem.value} "
                f"packages{since}: check it exists and is the one you meant.",
            )
        ]

    # -- install hooks --------------------------------------------------------------

    def _hook(self, hook: InstallHook, change: FileChange, c: _Context) -> Finding:
        cmd = hook.command
        where = f"`{hook.hook}` script"
        if _NETWORK.search(cmd):
            return _finding(
                "dep-install-hook-network",
                hook.path,
                hook.line,
                cmd,
                f"The {where} reaches the network on every install.",
            )
        if _PAYLOAD.search(cmd):
            return _finding(
                "dep-install-hook-payload",
                hook.path,
                hook.line,
                cmd,
                f"The {where} runs inline or encoded code on every install.",
            )
        status = _referenced_file_status(cmd, hook.path, c.changeset)
        if status is FileStatus.ADDED:
            return _finding(
                "dep-install-hook-new-file",
                hook.path,
                hook.line,
                cmd,
                f"The {where} runs a file this change adds; it will run on every install.",
            )
        if status is not None:
            return _finding(
                "dep-install-hook-changed-file",
                hook.path,
                hook.line,
                cmd,
                f"The {where} runs a file this change edits.",
            )
        return _finding(
            "dep-install-hook",
            hook.path,
            hook.line,
            cmd,
            f"A `{hook.hook}` script runs on every install of this package.",
        )

    # -- registry settings ----------------------------------------------------------

    def _setting(self, s: RegistrySetting, change: FileChange, c: _Context) -> Finding | None:
        value = s.value.strip("'\"")
        host = host_of(value) or (
            value.split("/")[0].split(":")[0].lower() if s.kind == "trusted-host" else ""
        )
        if s.kind == "replace":
            old, _, new = value.partition(" => ")
            if new.startswith((".", "/")):
                return _finding(
                    "dep-go-replace-local",
                    s.path,
                    s.line,
                    s.text,
                    f"`{old}` is replaced by the local directory `{new}`.",
                )
            if new.split("/")[0] == old.split("/")[0] and new.rstrip("/") == old.rstrip("/"):
                return None
            if _impersonating_fork(
                old.split()[0] if old.split() else old, new.split()[0] if new.split() else new
            ):
                return dataclasses.replace(
                    _finding(
                        "dep-go-replace-fork",
                        s.path,
                        s.line,
                        s.text,
                        f"`{old}` is replaced by `{new}`: the same module name under an owner "
                        "whose name imitates the original one. A look-alike fork is how a "
                        "trojaned copy of a popular module gets into a build.",
                    ),
                    severity=Severity.HIGH,
                )
            return _finding(
                "dep-go-replace-fork",
                s.path,
                s.line,
                s.text,
                f"`{old}` is replaced by a different module, `{new}`.",
            )
        if host and is_suspicious_host(host) and s.kind != "no-verify":
            return _finding(
                "dep-suspicious-host-source",
                s.path,
                s.line,
                s.text,
                f"Packages would come from `{host}`, a raw IP, tunnel, paste or file-drop host.",
            )
        if s.kind in ("no-verify", "trusted-host"):
            return _finding(
                "dep-registry-no-verify",
                s.path,
                s.line,
                s.text,
                "This turns off TLS or checksum verification of downloaded packages.",
            )
        if s.kind == "find-links":
            if value.lower().startswith("http://"):
                return _finding(
                    "dep-registry-no-verify",
                    s.path,
                    s.line,
                    s.text,
                    "Packages are found over plain HTTP.",
                )
            return None
        if _allowed(host, c.allowed_domains):
            return None
        if not host and not value.lower().startswith(("http:", "https:")):
            return None  # a variable or placeholder: nothing to judge
        if s.kind == "extra-index":
            return _finding(
                "dep-extra-index",
                s.path,
                s.line,
                s.text,
                f"`{host or value}` is searched as well as the default index: a public "
                "package with an internal package's name can win (dependency confusion).",
            )
        if value.lower().startswith("http://"):
            return _finding(
                "dep-registry-no-verify",
                s.path,
                s.line,
                s.text,
                f"Packages would be fetched from `{host}` over plain HTTP.",
            )
        return _finding(
            "dep-index-override",
            s.path,
            s.line,
            s.text,
            f"Packages would be fetched from `{host or value}` instead of the default registry.",
        )


# -- helpers ------------------------------------------------------------------------


def _impersonating_fork(old: str, new: str) -> bool:
    """True when ``new`` keeps ``old``'s repository name under a look-alike owner.

    The case of a go.mod ``replace``.
    """
    a, b = old.strip("/").split("/"), new.strip("/").split("/")
    if len(a) < 3 or len(b) < 3 or a[0] != b[0] or a[2:] != b[2:]:
        return False
    o, n = a[1].lower(), b[1].lower()
    if o == n or len(o) < 3:
        return False
    squash = re.sub(r"[-_.]", "", n)
    return o in n or squash == re.sub(r"[-_.]", "", o) or _edit_distance(o, n) <= 2


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _finding(
    rule_id: str,
    path: str,
    line: int,
    evidence: str,
    message: str,
    extra: tuple[tuple[str, str], ...] = (),
) -> Finding:
    meta = RULES[rule_id]
    return Finding(
        rule_id=rule_id,
        category=meta.category,
        severity=meta.severity,
        confidence=meta.confidence,
        path=path,
        start_line=line,
        end_line=line,
        message=message,
        remediation=meta.remediation,
        evidence=evidence.strip()[:500],
        analyzer=ANALYZER,
        capabilities=frozenset(meta.capabilities),
        extra=extra,
    )


def _evidence(dep: DeclaredDependency) -> str:
    return f"{dep.alias_of or dep.name} {dep.spec}".strip()


def _source_finding(dep: DeclaredDependency) -> Finding | None:
    if dep.kind is SourceKind.REGISTRY:
        return None
    label = dep.name or dep.source
    if dep.kind is SourceKind.PATH:
        return _finding(
            "dep-local-path-source",
            dep.path,
            dep.line,
            _evidence(dep),
            f"`{label}` is installed from the local path `{dep.source}`.",
        )
    host = host_of(dep.source)
    if host and is_suspicious_host(host):
        return _finding(
            "dep-suspicious-host-source",
            dep.path,
            dep.line,
            _evidence(dep),
            f"`{label}` is downloaded from `{host}`, a raw IP, tunnel, paste or file-drop host.",
        )
    what = "a git repository" if dep.kind is SourceKind.GIT else "a URL"
    insecure = " over plain HTTP" if dep.source.lower().startswith(("http://", "git://")) else ""
    return _finding(
        "dep-url-source",
        dep.path,
        dep.line,
        _evidence(dep),
        f"`{label}` is fetched from {what}{insecure} (`{dep.source[:120]}`), bypassing the "
        "registry's immutability and review.",
    )


def _allowed(host: str, allowed: frozenset[str]) -> bool:
    return bool(host) and any(host == d or host.endswith("." + d) for d in allowed)


def _existing_names(change: FileChange, parser: Parser) -> set[str]:
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


def _referenced_file_status(cmd: str, manifest: str, changeset: ChangeSet) -> FileStatus | None:
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
_BUILD_SCRIPTS = frozenset({"build.rs", "extconf.rb"})
_BUILD_SCRIPT_IO = re.compile(
    r"\bCommand::new\s*\(|\bTcpStream::|\breqwest::|\bureq::|\bstd::net::|\bcurl\b|\bwget\b|"
    r"\bNet::HTTP\b|\bURI\.open\b|\bopen-uri\b|\bsystem\s*\(|\bspawn\s*\(|%x[({\[]|`[^`]+`"
)


def _build_script(change: FileChange, known: KnownLines) -> list[Finding]:
    """Added lines of a build script that run programs or use the network."""
    return [
        _finding(
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


def _setup_py(change: FileChange, known: KnownLines) -> list[Finding]:
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
                _finding(
                    "dep-setup-cmdclass",
                    change.path,
                    n,
                    text,
                    f"A custom `{cls.group(1)}` command runs code at install time.",
                )
            )
        elif _SETUP_CMDCLASS.search(code):
            findings.append(
                _finding(
                    "dep-setup-cmdclass",
                    change.path,
                    n,
                    text,
                    "setup.py registers custom commands (cmdclass).",
                )
            )
        elif in_command and (_PY_NETWORK.search(code) or _PY_EXEC.search(code)):
            findings.append(
                _finding(
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
                _finding(
                    "dep-setup-module-network",
                    change.path,
                    n,
                    text,
                    f"setup.py uses the network {where}: it runs on every install.",
                )
            )
        elif top_level and _PY_EXEC.search(code):
            findings.append(
                _finding(
                    "dep-setup-module-subprocess",
                    change.path,
                    n,
                    text,
                    "setup.py runs a program at module level.",
                )
            )
    return findings


def _lockfile(change: FileChange, known: KnownLines) -> list[Finding]:
    findings: list[Finding] = []
    for n in sorted(known.added):
        text = known.lines.get(n, "")
        for m in _LOCK_RESOLVED.finditer(text):
            url = m.group(1)
            host = host_of(url)
            if host and is_suspicious_host(host):
                findings.append(
                    _finding(
                        "dep-suspicious-host-source",
                        change.path,
                        n,
                        text,
                        f"The lockfile resolves a package from `{host}`.",
                    )
                )
            elif url.lower().startswith("http://") and not is_raw_ip(host):
                findings.append(
                    _finding(
                        "dep-lockfile-insecure-source",
                        change.path,
                        n,
                        text,
                        f"The lockfile resolves a package from `{host}` over plain HTTP.",
                    )
                )
    return findings


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())
