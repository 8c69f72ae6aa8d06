"""Per-repository policy: ``.github/gatehouse.yml`` on the default branch, over org defaults.

The file is read from the repository's default branch, never from the PR's head
(a PR must not change its own policy), merged over the organisation's defaults
in its ``.github`` repository (the Probot convention). Errors say what and where.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol

import yaml

from reviewer.core.findings import Severity
from reviewer.errors import ConfigError
from reviewer.service.github_client import GitHubError, TransientGitHubError

__all__ = ["ScanPolicy", "RepoConfig", "parse_config", "merge_config", "load_repo_config", "CONFIG_PATH",
           "DISMISS_ROLES"]

CONFIG_PATH = ".github/gatehouse.yml"
ORG_REPO = ".github"
_KEYS = ("scan", "ignore_paths", "fail_on", "allowed_domains", "ai_signatures", "disabled_rules",
         "require_human_for", "dismiss_requires", "incomplete")
INCOMPLETE_CONCLUSIONS = ("action_required", "failure")  # what a scan that missed a file ends as
DISMISS_ROLES = ("write", "maintain", "admin")  # weakest first
_HUMAN_KEYS = ("tools", "vendors", "countries")


class ScanPolicy(str, enum.Enum):
    """Which pull requests get a full scan."""

    AI_ASSISTED = "ai-assisted"
    ALL = "all"


@dataclass(frozen=True)
class RepoConfig:
    """The policy that decides a repository's scans."""

    scan: ScanPolicy = ScanPolicy.AI_ASSISTED
    ignore_paths: tuple[str, ...] = ()
    fail_on: Severity = Severity.HIGH
    allowed_domains: frozenset[str] = frozenset()
    ai_signatures: tuple[Mapping[str, Any], ...] = ()
    disabled_rules: frozenset[str] = frozenset()
    human_tools: frozenset[str] = frozenset()
    human_vendors: frozenset[str] = frozenset()
    human_countries: frozenset[str] = frozenset()
    dismiss_requires: str = "write"  # the least role that may dismiss a finding (one of DISMISS_ROLES)
    incomplete: str = "action_required"  # the conclusion when a file was not analysed
    sources: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        where = " + ".join(self.sources) if self.sources else "built-in defaults"
        text = f"scan: {self.scan.value}, fail on: {self.fail_on.label} or worse ({where})"
        if self.human_tools or self.human_vendors or self.human_countries:
            named = sorted(self.human_tools | self.human_vendors | self.human_countries)
            text += f"; a human decides PRs from: {', '.join(named)}"
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
        raise ConfigError(f"{source}{at}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the file must be a mapping of settings (scan:, fail_on:, ...)")
    lines = _lines(text)

    def where(key: str) -> str:
        return f"{source} line {lines[key]}, {key}" if key in lines else f"{source}, {key}"

    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _KEYS:
            raise ConfigError(f"{where(str(key))}: unknown setting; known settings are {', '.join(_KEYS)}")
        if key == "scan":
            try:
                out[key] = ScanPolicy(str(value))
            except ValueError:
                raise ConfigError(f"{where(key)}: {value!r} is not a scan policy; use 'ai-assisted' or 'all'") from None
        elif key == "fail_on":
            try:
                out[key] = Severity.parse(str(value))
            except ValueError as exc:
                raise ConfigError(f"{where(key)}: {exc}") from None
        elif key == "dismiss_requires":
            if str(value) not in DISMISS_ROLES:
                raise ConfigError(f"{where(key)}: {value!r} is not a role; use one of {', '.join(DISMISS_ROLES)}")
            out[key] = str(value)
        elif key == "incomplete":
            if str(value) not in INCOMPLETE_CONCLUSIONS:
                raise ConfigError(f"{where(key)}: {value!r} is not allowed; use one of "
                                  f"{', '.join(INCOMPLETE_CONCLUSIONS)} (a scan that missed a file is "
                                  "never green)")
            out[key] = str(value)
        elif key in ("ignore_paths", "allowed_domains", "disabled_rules"):
            out[key] = _string_list(value, where(key))
        elif key == "ai_signatures":
            if not isinstance(value, list) or not all(isinstance(v, dict) and v.get("name") for v in value):
                raise ConfigError(f"{where(key)}: expected a list of signatures, each with a 'name' "
                                  "(and patterns, bots, branches, vendor, country)")
            from reviewer.service.provenance import load_signatures
            load_signatures().extended(value, where(key))  # validates the patterns
            out[key] = tuple(value)
        elif key == "require_human_for":
            if not isinstance(value, dict) or set(value) - set(_HUMAN_KEYS):
                raise ConfigError(f"{where(key)}: expected a mapping with tools:, vendors: and/or countries: lists")
            out[key] = {k: _string_list(v, f"{where(key)}.{k}") for k, v in value.items()}
    return out


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def merge_config(layers: list[tuple[str, dict[str, Any]]]) -> RepoConfig:
    """Later layers override earlier ones key by key (``require_human_for`` merges its lists)."""
    merged: dict[str, Any] = {}
    human: dict[str, tuple[str, ...]] = {}
    for _, layer in layers:
        for key, value in layer.items():
            if key == "require_human_for":
                human.update(value)
            else:
                merged[key] = value
    return RepoConfig(
        scan=merged.get("scan", ScanPolicy.AI_ASSISTED),
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
    )


class _Contents(Protocol):
    def get_content(self, repo: str, path: str, *, ref: str | None = None) -> bytes | None: ...


def load_repo_config(client: _Contents, repo: str, *, default_branch: str | None) -> RepoConfig:
    """Org defaults from ``<owner>/.github`` then the repo's own file, both on default branches.

    Raises :class:`ConfigError` naming the file, line and key when a file is invalid.
    """
    owner = repo.split("/", 1)[0]
    layers: list[tuple[str, dict[str, Any]]] = []
    org_repo = f"{owner}/{ORG_REPO}"
    if org_repo != repo:
        try:
            raw = client.get_content(org_repo, CONFIG_PATH)
        except GitHubError as exc:  # the App may not be installed on the org's .github repo
            if isinstance(exc, TransientGitHubError) or exc.status not in (403, 404):
                raise
            raw = None
        if raw is not None:
            name = f"{org_repo}:{CONFIG_PATH}"
            layers.append((name, parse_config(_text(raw, name), name)))
    raw = client.get_content(repo, CONFIG_PATH, ref=default_branch)
    if raw is not None:
        layers.append((CONFIG_PATH, parse_config(_text(raw, CONFIG_PATH), CONFIG_PATH)))
    return merge_config(layers)


def _text(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not UTF-8 text") from None
