"""The dependency analyzer's rule table and the one way its findings are built."""

from __future__ import annotations

from reviewer.core.findings import Confidence, Finding, Severity
from reviewer.core.manifests import (
    DeclaredDependency,
)
from reviewer.core.rules import RuleMeta, rule_maker

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


def rule_finding(
    rule_id: str,
    path: str,
    line: int,
    evidence: str,
    message: str,
    extra: tuple[tuple[str, str], ...] = (),
) -> Finding:
    return RULES[rule_id].finding(
        analyzer=ANALYZER,
        path=path,
        start_line=line,
        end_line=line,
        message=message,
        evidence=evidence.strip()[:500],
        extra=extra,
    )


def evidence_of(dep: DeclaredDependency) -> str:
    return f"{dep.alias_of or dep.name} {dep.spec}".strip()


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())
