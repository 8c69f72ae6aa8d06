"""The dependency analyzer: reads each manifest the change touches and runs the checks on
what it adds (new and look-alike names, install hooks, sources, registry settings)."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.analyzers.dependencies.files import (
    BUILD_SCRIPTS,
    LOCKFILES,
    build_script_findings,
    existing_names,
    lockfile_findings,
    referenced_file_status,
    setup_py_findings,
)
from reviewer.core.analyzers.dependencies.registries import registry_setting_finding
from reviewer.core.analyzers.dependencies.rules import (
    ANALYZER,
    NEW_PACKAGE_DAYS,
    evidence_of,
    rule_finding,
)
from reviewer.core.analyzers.dependencies.sources import (
    source_finding,
)
from reviewer.core.changeset import ChangeSet, FileChange, FileStatus
from reviewer.core.findings import Finding, Skipped, SkipReason
from reviewer.core.manifests import (
    DeclaredDependency,
    Ecosystem,
    Existence,
    InstallHook,
    ManifestView,
    PackageOracle,
    SourceKind,
    known_lines,
    parser_for,
)
from reviewer.core.manifests.commands import install_commands, reads_commands
from reviewer.core.manifests.names import canonical
from reviewer.core.manifests.registry_config import settings_in_line
from reviewer.core.manifests.toplists import top_list
from reviewer.core.manifests.typosquat import index_for

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


_VERSION_LOW = re.compile(r"^\s*[\^~=v]*\s*0\.[01](?:\.\d+)?(?:[-+][\w.]+)?\s*$")


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
            existing = existing_names(change, parser)
            for dep in view.dependencies:
                if dep.line in known.added:
                    out.findings.extend(self._dependency(dep, existing, c, out))
            for hook in view.hooks:
                if hook.line in known.added:
                    out.findings.append(self._hook(hook, change, c))
            for s in view.settings:
                if s.line in known.added:
                    config_settings.add(s.line)
                    f = registry_setting_finding(s, change, c.allowed_domains)
                    if f is not None:
                        out.findings.append(f)
        name = path.rsplit("/", 1)[-1]
        if name == "setup.py":
            out.findings.extend(setup_py_findings(change, known))
        if name in BUILD_SCRIPTS:
            out.findings.extend(build_script_findings(change, known))
        if name in LOCKFILES:
            out.findings.extend(lockfile_findings(change, known))
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
                f = registry_setting_finding(s, change, c.allowed_domains)
                if f is not None:
                    out.findings.append(f)

    # -- dependencies ---------------------------------------------------------------

    def _dependency(
        self, dep: DeclaredDependency, existing: set[str], c: _Context, out: AnalyzerOutput
    ) -> Iterable[Finding]:
        findings: list[Finding] = []
        source = source_finding(dep)
        if source is not None:
            findings.append(source)
        if not dep.name or dep.indirect or dep.kind is not SourceKind.REGISTRY:
            return findings
        if dep.alias_of and canonical(dep.ecosystem, dep.alias_of) != canonical(
            dep.ecosystem, dep.name
        ):
            findings.append(
                rule_finding(
                    "dep-npm-alias",
                    dep.path,
                    dep.line,
                    evidence_of(dep),
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
                rule_finding(
                    "dep-typosquat",
                    dep.path,
                    dep.line,
                    evidence_of(dep),
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
                    rule_finding(
                        "dep-registry-missing",
                        dep.path,
                        dep.line,
                        evidence_of(dep),
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
                    rule_finding(
                        "dep-registry-new-package",
                        dep.path,
                        dep.line,
                        evidence_of(dep),
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
                rule_finding(
                    "dep-unknown-early-release",
                    dep.path,
                    dep.line,
                    evidence_of(dep),
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
            rule_finding(
                "dep-unknown-package",
                dep.path,
                dep.line,
                evidence_of(dep),
                f"`{dep.name}` is not among the {len(top)} most-used {dep.ecosystem.value} "
                f"packages{since}: check it exists and is the one you meant.",
            )
        ]

    # -- install hooks --------------------------------------------------------------

    def _hook(self, hook: InstallHook, change: FileChange, c: _Context) -> Finding:
        cmd = hook.command
        where = f"`{hook.hook}` script"
        if _NETWORK.search(cmd):
            return rule_finding(
                "dep-install-hook-network",
                hook.path,
                hook.line,
                cmd,
                f"The {where} reaches the network on every install.",
            )
        if _PAYLOAD.search(cmd):
            return rule_finding(
                "dep-install-hook-payload",
                hook.path,
                hook.line,
                cmd,
                f"The {where} runs inline or encoded code on every install.",
            )
        status = referenced_file_status(cmd, hook.path, c.changeset)
        if status is FileStatus.ADDED:
            return rule_finding(
                "dep-install-hook-new-file",
                hook.path,
                hook.line,
                cmd,
                f"The {where} runs a file this change adds; it will run on every install.",
            )
        if status is not None:
            return rule_finding(
                "dep-install-hook-changed-file",
                hook.path,
                hook.line,
                cmd,
                f"The {where} runs a file this change edits.",
            )
        return rule_finding(
            "dep-install-hook",
            hook.path,
            hook.line,
            cmd,
            f"A `{hook.hook}` script runs on every install of this package.",
        )
