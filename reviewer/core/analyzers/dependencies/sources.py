"""Where a declared package comes from: URL, git and path sources, suspicious hosts,
the allow-list of hosts and look-alike forks."""

from __future__ import annotations

import re

from reviewer.core.analyzers.dependencies.rules import evidence_of, rule_finding
from reviewer.core.findings import Finding
from reviewer.core.manifests import (
    DeclaredDependency,
    SourceKind,
)
from reviewer.core.manifests.sources import host_of, is_suspicious_host


def impersonating_fork(old: str, new: str) -> bool:
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


def source_finding(dep: DeclaredDependency) -> Finding | None:
    if dep.kind is SourceKind.REGISTRY:
        return None
    label = dep.name or dep.source
    if dep.kind is SourceKind.PATH:
        return rule_finding(
            "dep-local-path-source",
            dep.path,
            dep.line,
            evidence_of(dep),
            f"`{label}` is installed from the local path `{dep.source}`.",
        )
    host = host_of(dep.source)
    if host and is_suspicious_host(host):
        return rule_finding(
            "dep-suspicious-host-source",
            dep.path,
            dep.line,
            evidence_of(dep),
            f"`{label}` is downloaded from `{host}`, a raw IP, tunnel, paste or file-drop host.",
        )
    what = "a git repository" if dep.kind is SourceKind.GIT else "a URL"
    insecure = " over plain HTTP" if dep.source.lower().startswith(("http://", "git://")) else ""
    return rule_finding(
        "dep-url-source",
        dep.path,
        dep.line,
        evidence_of(dep),
        f"`{label}` is fetched from {what}{insecure} (`{dep.source[:120]}`), bypassing the "
        "registry's immutability and review.",
    )


def host_allowed(host: str, allowed: frozenset[str]) -> bool:
    return bool(host) and any(host == d or host.endswith("." + d) for d in allowed)
