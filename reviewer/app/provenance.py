"""AI provenance: was a pull request written with an AI tool, which one, and on what evidence.

Pure: it reads a PR's labels, body, author, head branch and commit messages,
and signatures kept as data in ``checks/data/ai-signatures.yml`` (extendable per
organisation). It never calls GitHub.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from checks import DATA_DIR
from reviewer.errors import ConfigError

__all__ = [
    "ToolSignature",
    "Signatures",
    "Evidence",
    "Provenance",
    "detect",
    "load_signatures",
    "manual_flag",
    "PRFacts",
    "parse_trailers",
]

SIGNATURES_FILE = DATA_DIR / "ai-signatures.yml"
UNKNOWN_TOOL = "unknown AI tool"
_TRAILER = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9-]{1,40}):\s*(?P<value>.+?)\s*$")


@dataclass(frozen=True)
class ToolSignature:
    """How one AI tool shows itself in a pull request."""

    name: str
    vendor: str
    country: str
    patterns: tuple[re.Pattern[str], ...] = ()
    bots: frozenset[str] = frozenset()
    branches: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # instruction and settings files the tool reads (globs)
    sessions: tuple[str, ...] = ()  # files a session of the tool leaves behind (globs)

    def names_match(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)

    def email_match(self, text: str) -> bool:
        m = re.search(r"<([^>]+)>", text)
        if not m:
            return False
        address = m.group(1).lower()
        domain = address.rsplit("@", 1)[-1]
        return any(address == e or domain == e or domain.endswith("." + e) for e in self.emails)


@dataclass(frozen=True)
class Signatures:
    """Every signature Gatehouse knows, built-in and organisation-supplied."""

    tools: tuple[ToolSignature, ...]
    trailers: frozenset[str]
    ai_trailers: frozenset[str]
    labels: frozenset[str]
    body_markers: tuple[re.Pattern[str], ...]
    sessions: tuple[str, ...] = ()  # session artefacts of AI tools no single tool owns (globs)

    def extended(
        self, extra: Sequence[Mapping[str, Any]], where: str = "ai_signatures"
    ) -> Signatures:
        if not extra:
            return self
        more = tuple(_tool(t, f"{where}[{i}]") for i, t in enumerate(extra))
        return Signatures(
            more + self.tools,
            self.trailers,
            self.ai_trailers,
            self.labels,
            self.body_markers,
            self.sessions,
        )

    def tool_named(self, text: str) -> ToolSignature | None:
        for tool in self.tools:
            if tool.name.lower() == text.strip().lower() or tool.names_match(text):
                return tool
        return None


@dataclass(frozen=True)
class Evidence:
    """One signal that a PR is AI-assisted."""

    kind: str  # label | trailer | body | author | branch | manual
    detail: str
    tool: str = UNKNOWN_TOOL

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


@dataclass(frozen=True)
class Provenance:
    """The verdict: AI-assisted or not, the tools and vendors, and why."""

    evidence: tuple[Evidence, ...] = ()
    vendors_by_tool: tuple[tuple[str, str, str], ...] = ()  # (tool, vendor, country)

    @property
    def ai_assisted(self) -> bool:
        return bool(self.evidence)

    @property
    def tools(self) -> tuple[str, ...]:
        """The tools named by the evidence; a generic marker adds no tool when one is named."""
        named = tuple(dict.fromkeys(e.tool for e in self.evidence))
        specific = tuple(t for t in named if t != UNKNOWN_TOOL)
        return specific or named

    @property
    def vendors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for _, v, _ in self.vendors_by_tool))

    def describe(self) -> str:
        if not self.ai_assisted:
            return "no sign of AI assistance"
        parts = []
        for tool in self.tools:
            info = next(((v, c) for t, v, c in self.vendors_by_tool if t == tool), None)
            parts.append(f"{tool} ({info[0]}, {info[1]})" if info else tool)
        return ", ".join(parts)


@dataclass(frozen=True)
class PRFacts:
    """What provenance looks at, taken from the PR and its commits."""

    author: str = ""
    author_type: str = "User"
    head_ref: str = ""
    body: str = ""
    labels: tuple[str, ...] = ()
    commit_messages: tuple[str, ...] = ()
    commit_authors: tuple[str, ...] = ()
    manual_tool: str | None = None
    manual_by: str | None = None


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.I)
    except re.error as exc:
        raise ConfigError(
            f"{where}: pattern {pattern!r} is not a valid regular expression ({exc})"
        ) from None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return tuple(value)


def _tool(data: Any, where: str) -> ToolSignature:
    if not isinstance(data, Mapping) or not isinstance(data.get("name"), str):
        raise ConfigError(f"{where}: each AI signature needs at least a 'name'")
    return ToolSignature(
        name=data["name"],
        vendor=str(data.get("vendor") or "unknown vendor"),
        country=str(data.get("country") or "unknown"),
        patterns=tuple(
            _compile(p, f"{where}.patterns")
            for p in _strings(data.get("patterns"), f"{where}.patterns")
        ),
        bots=frozenset(b.lower() for b in _strings(data.get("bots"), f"{where}.bots")),
        branches=tuple(b.lower() for b in _strings(data.get("branches"), f"{where}.branches")),
        emails=tuple(e.lower() for e in _strings(data.get("emails"), f"{where}.emails")),
        files=_strings(data.get("files"), f"{where}.files"),
        sessions=_strings(data.get("sessions"), f"{where}.sessions"),
    )


@functools.lru_cache(maxsize=8)
def load_signatures(path: Path = SIGNATURES_FILE) -> Signatures:
    """The signatures file, validated (ConfigError names the entry); read once per process."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path.name}: cannot read AI signatures ({exc})") from None
    where = path.name
    return Signatures(
        tools=tuple(_tool(t, f"{where}: tools[{i}]") for i, t in enumerate(doc.get("tools") or ())),
        trailers=frozenset(t.lower() for t in _strings(doc.get("trailers"), f"{where}: trailers")),
        ai_trailers=frozenset(
            t.lower() for t in _strings(doc.get("ai_trailers"), f"{where}: ai_trailers")
        ),
        labels=frozenset(t.lower() for t in _strings(doc.get("labels"), f"{where}: labels")),
        body_markers=tuple(
            _compile(p, f"{where}: body_markers")
            for p in _strings(doc.get("body_markers"), f"{where}: body_markers")
        ),
        sessions=_strings(doc.get("sessions"), f"{where}: sessions"),
    )


def parse_trailers(message: str) -> list[tuple[str, str]]:
    """``(key, value)`` trailers of a commit message (its last paragraph)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", message.strip()) if p.strip()]
    if len(paragraphs) < 2:
        return []
    out = []
    for line in paragraphs[-1].splitlines():
        m = _TRAILER.match(line.strip())
        if m:
            out.append((m.group("key").lower(), m.group("value")))
    return out


def detect(facts: PRFacts, signatures: Signatures) -> Provenance:
    """Decide whether a PR is AI-assisted, from its facts and the signatures."""
    found: list[Evidence] = []

    def add(kind: str, detail: str, tool: ToolSignature | None) -> None:
        ev = Evidence(kind, detail[:200], tool.name if tool else UNKNOWN_TOOL)
        if ev not in found:
            found.append(ev)

    for label in facts.labels:
        tool = signatures.tool_named(label) if label.lower() not in signatures.labels else None
        if label.lower() in signatures.labels or tool is not None:
            add("label", f"label {label!r}", tool)

    for message in facts.commit_messages:
        for key, value in parse_trailers(message):
            if key not in signatures.trailers:
                continue
            tool = next(
                (t for t in signatures.tools if t.names_match(value) or t.email_match(value)), None
            )
            if tool is not None or key in signatures.ai_trailers:
                add("trailer", f"{key.title()}: {_no_email(value)}", tool)

    for marker in signatures.body_markers:
        for m in marker.finditer(facts.body):
            named = m.groupdict().get("tool")
            tool = signatures.tool_named(named) if named else None
            if named and tool is None:
                continue  # "generated with care" is not a tool
            add("body", m.group(0).strip(), tool)

    authors = [(facts.author, facts.author_type)] + [(a, "") for a in facts.commit_authors]
    for login, kind in authors:
        if not login:
            continue
        tool = next((t for t in signatures.tools if login.lower() in t.bots), None)
        if tool is not None:
            add("author", f"{'PR' if kind else 'commit'} author {login}", tool)

    ref = facts.head_ref.lower()
    for tool in signatures.tools:
        if any(ref.startswith(prefix) for prefix in tool.branches):
            add("branch", f"head branch {facts.head_ref}", tool)

    if facts.manual_tool is not None:
        tool = signatures.tool_named(facts.manual_tool) if facts.manual_tool else None
        who = f" by @{facts.manual_by}" if facts.manual_by else ""
        add(
            "manual",
            f"marked AI-assisted{who}" + (f" ({facts.manual_tool})" if facts.manual_tool else ""),
            tool,
        )

    vendors = []
    for ev in found:
        tool = next((t for t in signatures.tools if t.name == ev.tool), None)
        if tool is not None and (tool.name, tool.vendor, tool.country) not in vendors:
            vendors.append((tool.name, tool.vendor, tool.country))
    return Provenance(evidence=tuple(found), vendors_by_tool=tuple(vendors))


def _no_email(value: str) -> str:
    """A trailer value without its e-mail address (kept out of reports and logs)."""
    return re.sub(r"\s*<[^>]*>", "", value).strip()


def tool_names(signatures: Signatures) -> Iterable[str]:
    return (t.name for t in signatures.tools)


def manual_flag(
    registry_rows: Iterable[Mapping[str, Any]], repo: str, pr: int
) -> tuple[str | None, str | None]:
    """(tool, who) of a maintainer's earlier ``/gatehouse ai [tool]`` on this PR, as the AI
    registry's rows record it (tool ``""`` when none was named); (None, None) when there is
    none."""
    for row in registry_rows:
        if row.get("repo") == repo and int(row.get("pr", 0)) == pr:
            for ev in row.get("evidence") or ():
                if str(ev).startswith("manual:"):
                    tools = [t for t in row.get("tools") or () if t != "unknown AI tool"]
                    who = (
                        str(ev).split(" by @", 1)[1].split(" ", 1)[0]
                        if " by @" in str(ev)
                        else None
                    )
                    return (tools[0] if tools else ""), who
    return None, None
