"""Registry settings a change adds: package indexes and registries in config files, trusted
hosts, TLS checks turned off, and go.mod replace directives that point at a local path or a
look-alike fork. A host on the allow-list is quiet."""

from __future__ import annotations

import dataclasses

from reviewer.core.analyzers.dependencies.rules import rule_finding
from reviewer.core.analyzers.dependencies.sources import host_allowed, impersonating_fork
from reviewer.core.changeset import FileChange
from reviewer.core.findings import Finding, Severity
from reviewer.core.manifests import (
    RegistrySetting,
)
from reviewer.core.manifests.sources import host_of, is_suspicious_host


def registry_setting_finding(
    s: RegistrySetting, change: FileChange, allowed_domains: frozenset[str]
) -> Finding | None:
    """A finding on a registry setting the change adds (index, trusted host, replace), or
    None when its host is allowed."""
    value = s.value.strip("'\"")
    host = host_of(value) or (
        value.split("/")[0].split(":")[0].lower() if s.kind == "trusted-host" else ""
    )
    if s.kind == "replace":
        old, _, new = value.partition(" => ")
        if new.startswith((".", "/")):
            return rule_finding(
                "dep-go-replace-local",
                s.path,
                s.line,
                s.text,
                f"`{old}` is replaced by the local directory `{new}`.",
            )
        if new.split("/")[0] == old.split("/")[0] and new.rstrip("/") == old.rstrip("/"):
            return None
        if impersonating_fork(
            old.split()[0] if old.split() else old, new.split()[0] if new.split() else new
        ):
            return dataclasses.replace(
                rule_finding(
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
        return rule_finding(
            "dep-go-replace-fork",
            s.path,
            s.line,
            s.text,
            f"`{old}` is replaced by a different module, `{new}`.",
        )
    if host and is_suspicious_host(host) and s.kind != "no-verify":
        return rule_finding(
            "dep-suspicious-host-source",
            s.path,
            s.line,
            s.text,
            f"Packages would come from `{host}`, a raw IP, tunnel, paste or file-drop host.",
        )
    if s.kind in ("no-verify", "trusted-host"):
        return rule_finding(
            "dep-registry-no-verify",
            s.path,
            s.line,
            s.text,
            "This turns off TLS or checksum verification of downloaded packages.",
        )
    if s.kind == "find-links":
        if value.lower().startswith("http://"):
            return rule_finding(
                "dep-registry-no-verify",
                s.path,
                s.line,
                s.text,
                "Packages are found over plain HTTP.",
            )
        return None
    if host_allowed(host, allowed_domains):
        return None
    if not host and not value.lower().startswith(("http:", "https:")):
        return None  # a variable or placeholder: nothing to judge
    if s.kind == "extra-index":
        return rule_finding(
            "dep-extra-index",
            s.path,
            s.line,
            s.text,
            f"`{host or value}` is searched as well as the default index: a public "
            "package with an internal package's name can win (dependency confusion).",
        )
    if value.lower().startswith("http://"):
        return rule_finding(
            "dep-registry-no-verify",
            s.path,
            s.line,
            s.text,
            f"Packages would be fetched from `{host}` over plain HTTP.",
        )
    return rule_finding(
        "dep-index-override",
        s.path,
        s.line,
        s.text,
        f"Packages would be fetched from `{host or value}` instead of the default registry.",
    )
