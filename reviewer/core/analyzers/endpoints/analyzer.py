"""The endpoint analyzer: new hosts a change adds, ranked by kind, and data sent to them."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reviewer.core.analyzers.added import iter_added
from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.analyzers.endpoints.extract import (
    CONNECT,
    CRED_FILE,
    ENV_DUMP,
    LAX_URL,
    SECRET_REF,
    SEND,
    SOURCE_TREE,
    URL,
    VERSIONISH,
    Endpoint,
    LazyDomains,
    LazyLines,
    clean_host,
    comment_only,
    in_prose_string,
    raw_endpoints,
)
from reviewer.core.analyzers.endpoints.hosts import (
    classify_host,
    decode_ip,
    host_data,
    host_matches,
    ip_of,
    registrable,
)
from reviewer.core.analyzers.endpoints.rules import ANALYZER, RULES
from reviewer.core.changeset import FileChange
from reviewer.core.findings import Finding, Severity
from reviewer.core.paths import (
    is_data_path,
    is_doc_path,
    is_generated_path,
    is_program_like,
    is_test_path,
)
from reviewer.core.rules import RuleMeta


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
        old_domains = LazyDomains(old_text)
        noted: set[str] = set()
        by_line = dict(lines)
        post = LazyLines(file.text)
        for n, line in lines:
            if len(line) < 7:
                continue
            low = line.lower()
            if "://" not in line and "." not in line:
                continue
            for ep in raw_endpoints(line):
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
        return any(host_matches(host, d) for d in allowed)

    def _rank(
        self,
        path: str,
        n: int,
        line: str,
        low: str,
        ep: Endpoint,
        cls: _FileClass,
        old_domains: LazyDomains,
        noted: set[str],
    ) -> Finding | None:
        data = host_data()
        host = ep.host
        if (
            host in data.inert
            or host.rsplit(".", 1)[-1] in data.inert
            or host.endswith(".example.com")
        ):
            return None
        ip = ip_of(host)
        if ip is None and ep.kind == "url":
            decoded = decode_ip(host)
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
        if host in noted or "." not in host or registrable(host) in old_domains.get():
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
        elif cls.code and (comment_only(line) or in_prose_string(line, ep.text)):
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
        if not ip.is_global or str(ip) in host_data().known_ips:
            return None
        if ep.kind == "ip" and (
            VERSIONISH.search(low)
            or max(int(o) for o in str(ip).split(".")) < 32
            and not CONNECT.search(line)
        ):
            return None
        meta = RULES["endpoint-raw-ip"]
        if cls.doc or not (cls.code or cls.config):
            severity = Severity.LOW
        elif cls.tests or comment_only(line):
            severity = Severity.LOW
        elif ep.kind == "ip" and not CONNECT.search(line):
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
        post: LazyLines,
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

        urls = [m.group(0).rstrip(",;)]}\\") for m in LAX_URL.finditer(line)]
        if not urls:
            return None
        reach = 2 if cls.config else 1  # a workflow step's env block sits below its command
        window = "\n".join(text_at(k) for k in range(n - reach, n + reach + 1))
        dests = []
        for u in urls:
            m = URL.match(u)
            host = clean_host(m.group("host")) if m else ""
            if host and (
                self._allowed(host, allowed)
                or host in host_data().inert
                or host.endswith(".example.com")
            ):
                continue
            if host and (ip := ip_of(host)) is not None and not ip.is_global:
                continue
            dests.append(
                (u, host, classify_host(host, m.group("path") or "") if m and host else None)
            )
        if not dests:
            return None
        sources = []
        if ENV_DUMP.search(window):
            sources.append(("the whole environment", "env-dump"))
        if CRED_FILE.search(window):
            sources.append(("credential files", "credential-file"))
        if SOURCE_TREE.search(window):
            sources.append(("the source tree", "source-tree-read"))
        if not sources and any(d[2] for d in dests) and SECRET_REF.search(window):
            sources.append(("secrets", "env-read"))
        if not sources or not SEND.search(window):
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
        return meta.finding(
            analyzer=ANALYZER,
            path=path,
            start_line=n,
            end_line=n,
            message=message,
            evidence=line.strip()[:160],
            severity=severity,
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
        return meta.finding(
            analyzer=ANALYZER,
            path=path,
            start_line=n,
            end_line=n,
            message=message,
            evidence=evidence,
            severity=severity,
            extra=extra,
        )
