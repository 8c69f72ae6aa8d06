"""Per-repository policy: parse and merge ``.github/gatehouse.yml`` over the org defaults.

Pure: text in, :class:`RepoConfig` out. ``reviewer.service.repo_config`` reads the files
from GitHub: the repository's default branch, never the PR's head (a PR must not change its
own policy), over the organisation's ``.github`` repository (the Probot convention).
Errors say what and where.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from reviewer.core.findings import Severity
from reviewer.errors import ConfigError

__all__ = [
    "ScanPolicy",
    "EgressPolicy",
    "RepoConfig",
    "parse_config",
    "merge_config",
    "config_text",
    "ORG_REPO",
    "CONFIG_PATH",
    "DISMISS_ROLES",
]

CONFIG_PATH = ".github/gatehouse.yml"
ORG_REPO = ".github"
_KEYS = (
    "scan",
    "ignore_paths",
    "fail_on",
    "allowed_domains",
    "ai_signatures",
    "disabled_rules",
    "require_human_for",
    "dismiss_requires",
    "incomplete",
    "sensitive",
    "sensitive_topics",
    "ai_egress",
)
INCOMPLETE_CONCLUSIONS = ("action_required", "failure")  # what a scan that missed a file ends as
DISMISS_ROLES = ("write", "maintain", "admin")  # weakest first
_HUMAN_KEYS = ("tools", "vendors", "countries")
_EGRESS_KEYS = ("allowed_vendors", "blocked_vendors", "allowed_countries", "blocked_countries")
DEFAULT_SENSITIVE_TOPICS = ("sensitive",)


class ScanPolicy(enum.StrEnum):
    """Which pull requests get a full scan."""

    AI_ASSISTED = "ai-assisted"  # declared AI use only
    AI_SIGNALS = "ai-signals"  # declared AI use, or AI signals of medium or high confidence
    ALL = "all"


# Signals count by default: an author who leaves out the AI markers still gets the scan.
DEFAULT_SCAN = ScanPolicy.AI_SIGNALS


@dataclass(frozen=True)
class EgressPolicy:
    """Which AI vendors and countries code may send data to (``ai_egress:``).

    Vendors compare case-insensitively, countries as ISO codes. With an allow-list (or in a
    sensitive repository) every vendor not allowed is blocked; a local model server never leaves
    the machine and is blocked only when named.
    """

    allowed_vendors: frozenset[str] = frozenset()
    blocked_vendors: frozenset[str] = frozenset()
    allowed_countries: frozenset[str] = frozenset()
    blocked_countries: frozenset[str] = frozenset()

    def blocks(
        self, vendor: str, country: str, *, local: bool = False, allow_list: bool = False
    ) -> bool:
        """True when egress to ``vendor`` in ``country`` is not allowed."""
        v, c = vendor.strip().lower(), country.strip().upper()
        if v in self.blocked_vendors or (not local and c in self.blocked_countries):
            return True
        if local:
            return False
        if allow_list or self.allowed_vendors or self.allowed_countries:
            return not (v in self.allowed_vendors or c in self.allowed_countries)
        return False

    @property
    def active(self) -> bool:
        """True when any vendor or country is allowed or blocked."""
        return bool(
            self.allowed_vendors
            or self.blocked_vendors
            or self.allowed_countries
            or self.blocked_countries
        )

    def describe(self, *, allow_list: bool = False) -> str:
        parts = []
        if self.allowed_vendors or self.allowed_countries or allow_list:
            named = sorted(self.allowed_vendors | self.allowed_countries)
            parts.append(f"allowed only: {', '.join(named) if named else 'none'}")
        if self.blocked_vendors or self.blocked_countries:
            blocked = sorted(self.blocked_vendors | self.blocked_countries)
            parts.append(f"blocked: {', '.join(blocked)}")
        return "; ".join(parts)


@dataclass(frozen=True)
class RepoConfig:
    """The policy that decides a repository's scans."""

    scan: ScanPolicy = DEFAULT_SCAN
    ignore_paths: tuple[str, ...] = ()
    fail_on: Severity = Severity.HIGH
    allowed_domains: frozenset[str] = frozenset()
    ai_signatures: tuple[Mapping[str, Any], ...] = ()
    disabled_rules: frozenset[str] = frozenset()
    human_tools: frozenset[str] = frozenset()
    human_vendors: frozenset[str] = frozenset()
    human_countries: frozenset[str] = frozenset()
    dismiss_requires: str = (
        "write"  # the least role that may dismiss a finding (one of DISMISS_ROLES)
    )
    incomplete: str = "action_required"  # the conclusion when a file was not analysed
    sources: tuple[str, ...] = field(default=())
    sensitive: bool = False  # set by `sensitive: true`, or by a topic (see marked_sensitive)
    sensitive_topics: frozenset[str] = frozenset(DEFAULT_SENSITIVE_TOPICS)
    sensitive_reason: str = ""
    ai_egress: EgressPolicy = field(default_factory=EgressPolicy)

    @property
    def effective_scan(self) -> ScanPolicy:
        """A sensitive repository scans every pull request, and so does one with an ``ai_egress``
        rule: where code sends data does not depend on who (or what) wrote it."""
        return ScanPolicy.ALL if self.sensitive or self.ai_egress.active else self.scan

    @property
    def signals_count(self) -> bool:
        """Whether AI signals count as AI use (for scanning, ``require_human_for`` and the
        registry): under ``scan: ai-signals`` or ``all``, and always in a sensitive repository."""
        return self.sensitive or self.scan is not ScanPolicy.AI_ASSISTED

    def egress_blocked(self, vendor: str, country: str, *, local: bool = False) -> bool:
        """True when egress to this AI vendor is blocked (allow-list mode when sensitive)."""
        return self.ai_egress.blocks(vendor, country, local=local, allow_list=self.sensitive)

    def marked_sensitive(self, topics: Sequence[str]) -> RepoConfig:
        """This policy, made sensitive when the repository carries a sensitive topic."""
        if self.sensitive:
            return self
        hit = sorted({t.lower() for t in topics} & self.sensitive_topics)
        if not hit:
            return self
        return dataclasses.replace(
            self, sensitive=True, sensitive_reason=f"repository topic {hit[0]!r}"
        )

    def describe(self) -> str:
        where = " + ".join(self.sources) if self.sources else "built-in defaults"
        text = (
            f"scan: {self.effective_scan.value}, fail on: {self.fail_on.label} or worse ({where})"
        )
        if self.sensitive:
            why = self.sensitive_reason or "sensitive: true"
            text += (
                f"; sensitive repository ({why}): every PR scanned, AI signals count as AI "
                "use, AI egress to unlisted vendors blocked"
            )
        if self.human_tools or self.human_vendors or self.human_countries:
            named = sorted(self.human_tools | self.human_vendors | self.human_countries)
            text += f"; a human decides PRs from: {', '.join(named)}"
        egress = self.ai_egress.describe(allow_list=self.sensitive)
        if egress:
            text += f"; AI egress {egress}"
        return text


def _lines(text: str) -> dict[str, int]:
    """Line numbers of the top-level keys, for error messages."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def parse_config(text: str, source: str) -> dict[str, Any]:
    """Validate one file; returns the checked mapping (only the keys it sets)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{source}{at}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: the file must be a mapping of settings (scan:, fail_on:, ...)"
        )
    lines = _lines(text)

    def where(key: str) -> str:
        return f"{source} line {lines[key]}, {key}" if key in lines else f"{source}, {key}"

    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _KEYS:
            raise ConfigError(
                f"{where(str(key))}: unknown setting; known settings are {', '.join(_KEYS)}"
            )
        if key == "scan":
            try:
                out[key] = ScanPolicy(str(value))
            except ValueError:
                raise ConfigError(
                    f"{where(key)}: {value!r} is not a scan policy; use "
                    "'ai-assisted', 'ai-signals' or 'all'"
                ) from None
        elif key == "fail_on":
            try:
                out[key] = Severity.parse(str(value))
            except ValueError as exc:
                raise ConfigError(f"{where(key)}: {exc}") from None
        elif key == "dismiss_requires":
            if str(value) not in DISMISS_ROLES:
                raise ConfigError(
                    f"{where(key)}: {value!r} is not a role; use one of {', '.join(DISMISS_ROLES)}"
                )
            out[key] = str(value)
        elif key == "incomplete":
            if str(value) not in INCOMPLETE_CONCLUSIONS:
                raise ConfigError(
                    f"{where(key)}: {value!r} is not allowed; use one of "
                    f"{', '.join(INCOMPLETE_CONCLUSIONS)} (a scan that missed a file is "
                    "never green)"
                )
            out[key] = str(value)
        elif key == "sensitive":
            if not isinstance(value, bool):
                raise ConfigError(f"{where(key)}: expected true or false")
            out[key] = value
        elif key == "ai_egress":
            if not isinstance(value, dict) or set(value) - set(_EGRESS_KEYS):
                raise ConfigError(
                    f"{where(key)}: expected a mapping with {', '.join(_EGRESS_KEYS)} lists"
                )
            out[key] = {k: _string_list(v, f"{where(key)}.{k}") for k, v in value.items()}
        elif key in ("ignore_paths", "allowed_domains", "disabled_rules", "sensitive_topics"):
            out[key] = _string_list(value, where(key))
        elif key == "ai_signatures":
            if not isinstance(value, list) or not all(
                isinstance(v, dict) and v.get("name") for v in value
            ):
                raise ConfigError(
                    f"{where(key)}: expected a list of signatures, each with a 'name' "
                    "(and patterns, bots, branches, vendor, country)"
                )
            from reviewer.app.provenance import load_signatures

            load_signatures().extended(value, where(key))  # validates the patterns
            out[key] = tuple(value)
        elif key == "require_human_for":
            if not isinstance(value, dict) or set(value) - set(_HUMAN_KEYS):
                raise ConfigError(
                    f"{where(key)}: expected a mapping with tools:, vendors: and/or countries: "
                    "lists"
                )
            out[key] = {k: _string_list(v, f"{where(key)}.{k}") for k, v in value.items()}
    return out


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def merge_config(layers: list[tuple[str, dict[str, Any]]]) -> RepoConfig:
    """Later layers override earlier ones key by key (``require_human_for`` and ``ai_egress``
    merge their lists key by key)."""
    merged: dict[str, Any] = {}
    human: dict[str, tuple[str, ...]] = {}
    egress: dict[str, tuple[str, ...]] = {}
    for _, layer in layers:
        for key, value in layer.items():
            if key == "require_human_for":
                human.update(value)
            elif key == "ai_egress":
                egress.update(value)
            else:
                merged[key] = value
    return RepoConfig(
        scan=merged.get("scan", DEFAULT_SCAN),
        ignore_paths=tuple(merged.get("ignore_paths", ())),
        fail_on=merged.get("fail_on", Severity.HIGH),
        allowed_domains=frozenset(d.lower() for d in merged.get("allowed_domains", ())),
        ai_signatures=tuple(merged.get("ai_signatures", ())),
        disabled_rules=frozenset(merged.get("disabled_rules", ())),
        human_tools=frozenset(t.lower() for t in human.get("tools", ())),
        human_vendors=frozenset(v.lower() for v in human.get("vendors", ())),
        human_countries=frozenset(c.upper() for c in human.get("countries", ())),
        dismiss_requires=merged.get("dismiss_requires", "write"),
        incomplete=merged.get("incomplete", "action_required"),
        sources=tuple(name for name, layer in layers if layer is not None),
        sensitive=bool(merged.get("sensitive", False)),
        sensitive_reason="sensitive: true" if merged.get("sensitive") else "",
        sensitive_topics=frozenset(
            t.lower() for t in merged.get("sensitive_topics", DEFAULT_SENSITIVE_TOPICS)
        ),
        ai_egress=EgressPolicy(
            allowed_vendors=frozenset(v.lower() for v in egress.get("allowed_vendors", ())),
            blocked_vendors=frozenset(v.lower() for v in egress.get("blocked_vendors", ())),
            allowed_countries=frozenset(c.upper() for c in egress.get("allowed_countries", ())),
            blocked_countries=frozenset(c.upper() for c in egress.get("blocked_countries", ())),
        ),
    )


def config_text(raw: bytes, name: str) -> str:
    """A policy file's bytes as text (ConfigError names the file when it is not UTF-8)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not UTF-8 text") from None
