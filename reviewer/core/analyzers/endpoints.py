"""New outbound endpoints: URLs, host names and raw IPs that the change adds.

An endpoint is *new* when the pre-change text (base contents, removed and context
lines) did not already name it, so moving a URL is not news. Ordinary new hosts
are noted at info level for the correlator; kinds of services attackers favour
(paste sites, request collectors, tunnels, anonymous file drops, chat webhooks,
dynamic DNS, free hosting, raw or encoded IPs) are ranked from
``checks/data/endpoints.yml``. Sending the environment, credential files or the
source tree to an endpoint on the same or an adjacent line is exfiltration.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from checks import DATA_DIR
from reviewer.core.analyzers.added import iter_added
from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.changeset import FileChange, text_lines
from reviewer.core.findings import Confidence, Finding, Severity
from reviewer.core.paths import (
    is_data_path,
    is_doc_path,
    is_generated_path,
    is_program_like,
    is_test_path,
)
from reviewer.core.rules import RuleMeta, rule_maker

__all__ = [
    "EndpointAnalyzer",
    "RULES",
    "rule_metas",
    "classify_host",
    "Endpoint",
    "endpoints_in",
    "data_named",
]

ANALYZER = "endpoints"
_DATA_FILE = "endpoints.yml"


@dataclass(frozen=True)
class _HostEntry:
    host: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class _Category:
    name: str
    label: str
    severity: Severity
    hosts: tuple[_HostEntry, ...]


@dataclass(frozen=True)
class _Data:
    categories: tuple[_Category, ...]
    inert: frozenset[str]
    known_ips: frozenset[str]


@functools.lru_cache(maxsize=1)
def _data() -> _Data:
    path = DATA_DIR / _DATA_FILE
    try:
        doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        cats = []
        for name, body in doc["categories"].items():
            hosts = []
            for h in body["hosts"]:
                if isinstance(h, dict):
                    hosts.append(_HostEntry(str(h["host"]).lower(), tuple(h.get("paths", ()))))
                else:
                    hosts.append(_HostEntry(str(h).lower(), ()))
            cats.append(
                _Category(
                    name,
                    str(body.get("label", name)),
                    Severity.parse(str(body.get("severity", "medium"))),
                    tuple(hosts),
                )
            )
        return _Data(
            tuple(cats),
            frozenset(str(h).lower() for h in doc.get("inert_hosts", ())),
            frozenset(str(i) for i in doc.get("known_public_ips", ())),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(
            f"{path}: cannot load endpoint categories ({exc}); fix the file or reinstall "
            "the checks pack"
        ) from None


_meta = rule_maker(f"python:{ANALYZER}")


RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        _meta(
            "endpoint-new-host",
            "new-outbound-endpoint",
            Severity.INFO,
            Confidence.HIGH,
            "Code or configuration names a host the project did not name before.",
            "Check that the host belongs to a service the project means to talk to.",
            ("new-endpoint",),
        ),
        _meta(
            "endpoint-suspicious-host",
            "new-outbound-endpoint",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            "A new URL points at a kind of service attackers use to receive data or serve "
            "payloads (paste site, request collector, tunnel, file drop, chat webhook, dynamic "
            "DNS, free hosting).",
            "Replace it with an endpoint the organisation controls, or explain why the product "
            "must talk to it; add trusted domains to the allow-list.",
            ("new-endpoint", "suspicious-endpoint"),
        ),
        _meta(
            "endpoint-raw-ip",
            "new-outbound-endpoint",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            "A new public IP address literal: a destination no DNS name, certificate or review "
            "explains.",
            "Use a named host the organisation controls; check who owns the address.",
            ("new-endpoint", "suspicious-endpoint"),
        ),
        _meta(
            "endpoint-encoded-ip",
            "new-outbound-endpoint",
            Severity.HIGH,
            Confidence.HIGH,
            "A URL spells its IP address in decimal, hex or octal to hide where it goes.",
            "Write the address plainly and check who owns it; nobody encodes an address by "
            "accident.",
            ("new-endpoint", "suspicious-endpoint", "obfuscated"),
        ),
        _meta(
            "endpoint-exfiltration",
            "exfiltration",
            Severity.HIGH,
            Confidence.MEDIUM,
            "Environment variables, credential files or the source tree are sent to a URL on the "
            "same or an adjacent line.",
            "Remove the upload; if telemetry is intended, send an explicit allow-list of fields "
            "to an endpoint the organisation controls.",
            ("network-send", "new-endpoint"),
        ),
    )
}


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())


# ---------------------------------------------------------------- extraction

_URL = re.compile(
    r"(?i)\b(?P<scheme>https?|wss?|ftps?|sftp|tcp|udp)://(?:[^\s/@\"'`<>]*@)?"
    r"(?P<host>\[[0-9a-f:.]+\]|[^\s/\"'`<>()\[\]{}\\|^,?#:;*]+)(?::\d{1,5})?"
    r"(?P<path>/[^\s\"'`<>()\[\]{}\\|^,]*)?"
)
_QUOTED_HOST = re.compile(
    r"(?i)[\"'`@](?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,23})(?::\d{1,5})?"
    r"(?P<path>/[^\"'`\s]*)?[\"'`]"
)
_IPV4 = re.compile(r"(?<![\w.\-/:])(\d{1,3}(?:\.\d{1,3}){3})(?![\w\-]|\.\d)")
_VERSIONISH = re.compile(
    r"(?i)version|release|\bv\d|==|>=|<=|~=|\^|semver|tag|build|sdk|api[_-]?level|"
    r"oid|mib|snmp|\bgo\d|python\d|node\d"
)
_CONNECT = re.compile(
    r"(?i)connect|socket|\bdial|urlopen|request|\bcurl\b|\bwget\b|\bnc\b|\bncat\b|"
    r"fetch|\bhttp|popen|/dev/(?:tcp|udp)/|\bssh\b|\bping\b|\btelnet\b|\bsend"
)
_LAX_URL = re.compile(r"""(?i)\bhttps?://[^\s"'`]+""")

_ENV_DUMP = re.compile(
    r"\$\(\s*(?:env|printenv|set|export -p)\s*\)|`(?:env|printenv)`|\bprintenv\b(?!\s+[A-Z_])|"
    r"(?:^|[;&|]\s*)env\s*\|(?!\|)|os\.environ(?!\s*(?:\.get|\[|\.setdefault|\.pop|\.update|\s*=))|"
    r"process\.env(?![.\[]|\s*=)|toJSON\(\s*secrets\s*\)|System\.getenv\(\s*\)|ENV\.to_h|%ENV\b(?!\{)|"
    r"Get-ChildItem\s+env:|\bos\.Environ\(\)|\benviron\b(?!\s*[\[.(])|getenv\(\s*\)"
)
_SECRET_REF = re.compile(r"\$\{\{\s*secrets\.\w+\s*\}\}|\$[A-Z_]*(?:TOKEN|SECRET|PASSWORD|KEY)\b")
_CRED_FILE = re.compile(
    r"~/\.ssh|\.ssh/id_|\bid_rsa\b|\bid_ed25519\b|\.aws/credentials|\.npmrc\b|\.pypirc\b|\.netrc\b|"
    r"\.git-credentials|\.docker/config\.json|\.kube/config|/etc/shadow|/etc/passwd|wallet\.dat|"
    r"Login Data|\.gnupg|\.config/gh/hosts|\.config/gcloud|"
    r"[\"']\.(?:aws|ssh|kube|docker)[\"']\s*,\s*[\"'](?:credentials|config|config\.json|id_\w+)[\"']"
)
_SOURCE_TREE = re.compile(
    r"git\s+ls-files|git\s+bundle|git\s+archive|git\s+remote\s+-v|"
    r"\btar\s+-?c[a-z]*\s|\bzip\s+-r|shutil\.make_archive|\bos\.walk\("
)
_SEND = re.compile(
    r"(?i)\bcurl\b|\bwget\b|requests\.(?:post|put|get|patch)|httpx\.|urllib|urlopen|\bfetch\s*\(|"
    r"\baxios\b|\.post\s*\(|\.put\s*\(|https?\.request|http\.get|XMLHttpRequest|sendBeacon|Net::HTTP|"
    r"Invoke-WebRequest|Invoke-RestMethod|WebClient|HttpClient|\bnc\s|socket|\.send\s*\(|"
    r"\bhttp\.(?:Post|Get|NewRequest)|LWP::|HTTP::Tiny|file_get_contents\s*\(\s*[\"']https?|"
    r"\.openConnection\s*\(|HttpURLConnection"
)


@dataclass(frozen=True)
class Endpoint:
    """One destination found on a line: host, optional path and how it was written."""

    host: str
    path: str
    text: str
    kind: str  # "url" | "host" | "ip"


def _clean_host(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def _endpoints(line: str) -> Iterator[Endpoint]:
    spans: list[tuple[int, int]] = []
    for m in _URL.finditer(line):
        spans.append(m.span())
        yield Endpoint(
            _clean_host(m.group("host")),
            (m.group("path") or "").rstrip(".,;:!?"),
            m.group(0).rstrip(".,;:!?"),
            "url",
        )
    for m in _QUOTED_HOST.finditer(line):
        if any(a <= m.start() < b for a, b in spans):
            continue
        yield Endpoint(
            _clean_host(m.group("host")), m.group("path") or "", m.group(0).strip("\"'`@"), "host"
        )
    for m in _IPV4.finditer(line):
        if any(a <= m.start() < b for a, b in spans):
            continue
        yield Endpoint(m.group(1), "", m.group(1), "ip")


def endpoints_in(line: str) -> Iterator[Endpoint]:
    """The URLs, quoted host names and IPv4 literals one line names."""
    return _endpoints(line)


def data_named(text: str) -> list[tuple[str, str]]:
    """``(what, capability)`` for the whole environment, credential files and the source tree
    that ``text`` reads (the sources :class:`EndpointAnalyzer` calls exfiltration)."""
    found = []
    if _ENV_DUMP.search(text):
        found.append(("the whole environment", "env-dump"))
    if _CRED_FILE.search(text):
        found.append(("credential files", "credential-file"))
    if _SOURCE_TREE.search(text):
        found.append(("the source tree", "source-tree-read"))
    return found


def _host_matches(host: str, entry: str) -> bool:
    return host == entry or host.endswith("." + entry)


@functools.lru_cache(maxsize=1)
def _host_index() -> dict[str, list[tuple[_Category, _HostEntry]]]:
    index: dict[str, list[tuple[_Category, _HostEntry]]] = {}
    for cat in _data().categories:
        for entry in cat.hosts:
            index.setdefault(entry.host, []).append((cat, entry))
    return index


def classify_host(host: str, path: str = "") -> tuple[str, str, Severity] | None:
    """(category, label, severity) of a host from the endpoint data, or None."""
    index = _host_index()
    labels = host.lower().split(".")
    for i in range(len(labels)):
        for cat, entry in index.get(".".join(labels[i:]), ()):
            if entry.paths and not any(path.startswith(p) for p in entry.paths):
                continue
            return cat.name, cat.label, cat.severity
    return None


def _decode_ip(host: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address written as one decimal or hex number, or with octal/hex parts."""
    parts = host.split(".")
    if not all(re.fullmatch(r"0x[0-9a-f]+|\d+", p) for p in parts) or len(parts) > 4:
        return None
    if len(parts) == 4 and all(re.fullmatch(r"(?:0|[1-9]\d{0,2})", p) for p in parts):
        return None  # plain dotted quad
    try:
        values = [
            int(p, 16)
            if p.startswith("0x")
            else int(p, 8)
            if len(p) > 1 and p.startswith("0")
            else int(p)
            for p in parts
        ]
    except ValueError:
        return None
    if len(parts) == 1:
        if values[0] < 2**24 or values[0] >= 2**32:
            return None
        return ipaddress.IPv4Address(values[0])
    try:
        number = 0
        for v in values[:-1]:
            if v > 255:
                return None
            number = number * 256 + v
        number = number * (256 ** (4 - len(values) + 1)) + values[-1]
        return ipaddress.IPv4Address(number)
    except ipaddress.AddressValueError:
        return None


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu"})


def _registrable(host: str) -> str:
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


@dataclass(frozen=True)
class _FileClass:
    code: bool
    config: bool
    doc: bool
    tests: bool


class EndpointAnalyzer:
    """New URLs, hosts and IPs, ranked by the kind of service behind them."""

    name = ANALYZER

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        allowed = frozenset(d.lower().lstrip(".") for d in ctx.options.allowed_domains)
        for file in files:
            if file.change.binary or is_generated_path(file.path):
                continue
            out.findings.extend(self._file(file, allowed))
        return out

    def _file(self, file: AnalysisFile, allowed: frozenset[str]) -> Iterator[Finding]:
        lines = list(iter_added(file))
        if not lines:
            return
        cls = _FileClass(
            code=is_program_like(file.path, file.text[:200]),
            config=is_data_path(file.path) and not is_doc_path(file.path),
            doc=is_doc_path(file.path),
            tests=is_test_path(file.path),
        )
        old_text = self._old_text(file.change)
        old_domains = _LazyDomains(old_text)
        noted: set[str] = set()
        by_line = dict(lines)
        post = _LazyLines(file.text)
        for n, line in lines:
            if len(line) < 7:
                continue
            low = line.lower()
            if "://" not in line and "." not in line:
                continue
            for ep in _endpoints(line):
                if not ep.host or self._allowed(ep.host, allowed):
                    continue
                if ep.text in old_text or (ep.kind != "url" and ep.host in old_text):
                    continue
                finding = self._rank(file.path, n, line, low, ep, cls, old_domains, noted)
                if finding is not None:
                    yield finding
            exfil = self._exfil(file.path, n, line, by_line, post, cls, allowed)
            if exfil is not None:
                yield exfil

    @staticmethod
    def _old_text(change: FileChange) -> str:
        parts = [
            change.base_text or "",
            "\n".join(change.removed),
            "\n".join(change.context.values()),
        ]
        return "\n".join(parts)

    @staticmethod
    def _allowed(host: str, allowed: frozenset[str]) -> bool:
        return any(_host_matches(host, d) for d in allowed)

    def _rank(
        self,
        path: str,
        n: int,
        line: str,
        low: str,
        ep: Endpoint,
        cls: _FileClass,
        old_domains: _LazyDomains,
        noted: set[str],
    ) -> Finding | None:
        data = _data()
        host = ep.host
        if (
            host in data.inert
            or host.rsplit(".", 1)[-1] in data.inert
            or host.endswith(".example.com")
        ):
            return None
        ip = _ip(host)
        if ip is None and ep.kind == "url":
            decoded = _decode_ip(host)
            if decoded is not None:
                return self._encoded_ip(path, n, line, ep, decoded, cls)
        if ip is not None:
            return self._raw_ip(path, n, line, low, ep, ip, cls)
        if ep.kind == "ip":
            return None
        kind = classify_host(host, ep.path)
        if kind is not None:
            return self._suspicious(path, n, line, ep, kind, cls)
        if ep.kind != "url" or not (cls.code or cls.config) or cls.tests:
            return None
        if host in noted or "." not in host or _registrable(host) in old_domains.get():
            return None
        noted.add(host)
        meta = RULES["endpoint-new-host"]
        message = (
            f"The change adds a URL to `{host}`, a host this file did not name before. On its "
            "own this is ordinary; it matters when the same file also reads secrets or the "
            "environment."
        )
        return self._finding(meta, path, n, message, ep.text, Severity.INFO, (("host", host),))

    def _suspicious(
        self,
        path: str,
        n: int,
        line: str,
        ep: Endpoint,
        kind: tuple[str, str, Severity],
        cls: _FileClass,
    ) -> Finding:
        name, label, severity = kind
        meta = RULES["endpoint-suspicious-host"]
        if cls.doc:
            severity = Severity.LOW
        elif cls.tests:
            severity = Severity(max(int(Severity.LOW), int(severity) - 1))
        elif cls.code and (_comment_only(line) or _in_prose_string(line, ep.text)):
            severity = Severity(max(int(Severity.LOW), int(severity) - 1))
        message = (
            f"The change adds `{ep.host}`, {label}. Such services let anyone receive data or "
            "serve files without an account the organisation controls, which is why stolen "
            "secrets and second-stage payloads travel through them. Check what is sent there "
            "or fetched from there."
        )
        return self._finding(
            meta, path, n, message, ep.text[:160], severity, (("host", ep.host), ("service", name))
        )

    def _raw_ip(
        self,
        path: str,
        n: int,
        line: str,
        low: str,
        ep: Endpoint,
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
        cls: _FileClass,
    ) -> Finding | None:
        if not ip.is_global or str(ip) in _data().known_ips:
            return None
        if ep.kind == "ip" and (
            _VERSIONISH.search(low)
            or max(int(o) for o in str(ip).split(".")) < 32
            and not _CONNECT.search(line)
        ):
            return None
        meta = RULES["endpoint-raw-ip"]
        if cls.doc or not (cls.code or cls.config):
            severity = Severity.LOW
        elif cls.tests or _comment_only(line):
            severity = Severity.LOW
        elif ep.kind == "ip" and not _CONNECT.search(line):
            severity = (
                Severity.LOW
            )  # an address in data or docs strings; the connecting line is elsewhere
        else:
            severity = meta.severity
        message = (
            f"The change adds the public IP address {ip}. Legitimate services are reached by name "
            "(with TLS certificates that say who they are); a hard-coded address is typical of "
            "command-and-control servers and data drops. Check who owns it and what is sent there."
        )
        return self._finding(meta, path, n, message, ep.text[:160], severity, (("host", str(ip)),))

    def _encoded_ip(
        self, path: str, n: int, line: str, ep: Endpoint, ip: ipaddress.IPv4Address, cls: _FileClass
    ) -> Finding:
        meta = RULES["endpoint-encoded-ip"]
        severity = Severity.LOW if cls.doc else Severity.MEDIUM if cls.tests else meta.severity
        message = (
            f"The URL host `{ep.host}` is the IP address {ip} written as a number. Encoding an "
            "address this way hides the destination from reviewers and from URL filters; nothing "
            "legitimate needs it."
        )
        return self._finding(meta, path, n, message, ep.text[:160], severity, (("host", str(ip)),))

    def _exfil(
        self,
        path: str,
        n: int,
        line: str,
        by_line: dict[int, str],
        post: _LazyLines,
        cls: _FileClass,
        allowed: frozenset[str],
    ) -> Finding | None:
        if cls.doc or not (cls.code or cls.config):
            return None

        def text_at(k: int) -> str:
            if k in by_line:
                return by_line[k]
            lines = post.get()
            return lines[k - 1] if 0 < k <= len(lines) else ""

        urls = [m.group(0).rstrip(",;)]}\\") for m in _LAX_URL.finditer(line)]
        if not urls:
            return None
        reach = 2 if cls.config else 1  # a workflow step's env block sits below its command
        window = "\n".join(text_at(k) for k in range(n - reach, n + reach + 1))
        dests = []
        for u in urls:
            m = _URL.match(u)
            host = _clean_host(m.group("host")) if m else ""
            if host and (
                self._allowed(host, allowed)
                or host in _data().inert
                or host.endswith(".example.com")
            ):
                continue
            if host and (ip := _ip(host)) is not None and not ip.is_global:
                continue
            dests.append(
                (u, host, classify_host(host, m.group("path") or "") if m and host else None)
            )
        if not dests:
            return None
        sources = []
        if _ENV_DUMP.search(window):
            sources.append(("the whole environment", "env-dump"))
        if _CRED_FILE.search(window):
            sources.append(("credential files", "credential-file"))
        if _SOURCE_TREE.search(window):
            sources.append(("the source tree", "source-tree-read"))
        if not sources and any(d[2] for d in dests) and _SECRET_REF.search(window):
            sources.append(("secrets", "env-read"))
        if not sources or not _SEND.search(window):
            return None
        meta = RULES["endpoint-exfiltration"]
        what = " and ".join(s[0] for s in sources)
        severity = Severity.MEDIUM if cls.tests else meta.severity
        if any(d[2] for d in dests) and not cls.tests:
            severity = Severity.CRITICAL
        message = (
            f"This line sends {what} to `{dests[0][0][:80]}`. Environment variables and "
            "credential files hold CI tokens, cloud keys and publish credentials; once posted to "
            "an outside URL they are the attacker's. Check what exactly is sent and to whom."
        )
        caps = frozenset(meta.capabilities) | {s[1] for s in sources}
        return Finding(
            rule_id=meta.rule_id,
            category=meta.category,
            severity=severity,
            confidence=meta.confidence,
            path=path,
            start_line=n,
            end_line=n,
            message=message,
            remediation=meta.remediation,
            evidence=line.strip()[:160],
            analyzer=ANALYZER,
            capabilities=caps,
        )

    @staticmethod
    def _finding(
        meta: RuleMeta,
        path: str,
        n: int,
        message: str,
        evidence: str,
        severity: Severity,
        extra: tuple[tuple[str, str], ...],
    ) -> Finding:
        return Finding(
            rule_id=meta.rule_id,
            category=meta.category,
            severity=severity,
            confidence=meta.confidence,
            path=path,
            start_line=n,
            end_line=n,
            message=message,
            remediation=meta.remediation,
            evidence=evidence,
            analyzer=ANALYZER,
            capabilities=frozenset(meta.capabilities),
            extra=extra,
        )


class _LazyDomains:
    """Registrable domains named in the pre-change text, computed on first use."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._domains: set[str] | None = None

    def get(self) -> set[str]:
        if self._domains is None:
            self._domains = {
                _registrable(_clean_host(m.group("host"))) for m in _URL.finditer(self._text)
            }
        return self._domains


class _LazyLines:
    """The post-image split into lines, on first use."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None

    def get(self) -> list[str]:
        if self._lines is None:
            self._lines = text_lines(self._text)
        return self._lines


_STRING_LITERAL = re.compile(r"""(["'`])((?:(?!\1)[^\\\n]|\\.)*)\1""")


def _in_prose_string(line: str, url: str) -> bool:
    """True when ``url`` is quoted inside a sentence ("see https://... for details") on a line that
    itself calls nothing: a link shown to people, not an address the code talks to."""
    for m in _STRING_LITERAL.finditer(line):
        body = m.group(2)
        if url not in body:
            continue
        words = re.findall(r"[A-Za-z]{2,}", body.replace(url, " "))
        rest = line[: m.start()] + line[m.end() :]
        return len(words) >= 2 and not _CONNECT.search(rest)
    return False


def _comment_only(line: str) -> bool:
    return bool(re.match(r"^\s*(?:#|//|/\*|\*|<!--|--|;)", line))
