"""Endpoints and sent data as a line names them: URLs, quoted hosts, connections, the
environment, credential files or the source tree, and where in the line they stand."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.core.analyzers.endpoints.hosts import registrable
from reviewer.core.changeset import text_lines

# ---------------------------------------------------------------- extraction

URL = re.compile(
    r"(?i)\b(?P<scheme>https?|wss?|ftps?|sftp|tcp|udp)://(?:[^\s/@\"'`<>]*@)?"
    r"(?P<host>\[[0-9a-f:.]+\]|[^\s/\"'`<>()\[\]{}\\|^,?#:;*]+)(?::\d{1,5})?"
    r"(?P<path>/[^\s\"'`<>()\[\]{}\\|^,]*)?"
)
_QUOTED_HOST = re.compile(
    r"(?i)[\"'`@](?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,23})(?::\d{1,5})?"
    r"(?P<path>/[^\"'`\s]*)?[\"'`]"
)
_IPV4 = re.compile(r"(?<![\w.\-/:])(\d{1,3}(?:\.\d{1,3}){3})(?![\w\-]|\.\d)")
VERSIONISH = re.compile(
    r"(?i)version|release|\bv\d|==|>=|<=|~=|\^|semver|tag|build|sdk|api[_-]?level|"
    r"oid|mib|snmp|\bgo\d|python\d|node\d"
)
CONNECT = re.compile(
    r"(?i)connect|socket|\bdial|urlopen|request|\bcurl\b|\bwget\b|\bnc\b|\bncat\b|"
    r"fetch|\bhttp|popen|/dev/(?:tcp|udp)/|\bssh\b|\bping\b|\btelnet\b|\bsend"
)
LAX_URL = re.compile(r"""(?i)\bhttps?://[^\s"'`]+""")

ENV_DUMP = re.compile(
    r"\$\(\s*(?:env|printenv|set|export -p)\s*\)|`(?:env|printenv)`|\bprintenv\b(?!\s+[A-Z_])|"
    r"(?:^|[;&|]\s*)env\s*\|(?!\|)|os\.environ(?!\s*(?:\.get|\[|\.setdefault|\.pop|\.update|\s*=))|"
    r"process\.env(?![.\[]|\s*=)|toJSON\(\s*secrets\s*\)|System\.getenv\(\s*\)|ENV\.to_h|%ENV\b(?!\{)|"
    r"Get-ChildItem\s+env:|\bos\.Environ\(\)|\benviron\b(?!\s*[\[.(])|getenv\(\s*\)"
)
SECRET_REF = re.compile(r"\$\{\{\s*secrets\.\w+\s*\}\}|\$[A-Z_]*(?:TOKEN|SECRET|PASSWORD|KEY)\b")
CRED_FILE = re.compile(
    r"~/\.ssh|\.ssh/id_|\bid_rsa\b|\bid_ed25519\b|\.aws/credentials|\.npmrc\b|\.pypirc\b|\.netrc\b|"
    r"\.git-credentials|\.docker/config\.json|\.kube/config|/etc/shadow|/etc/passwd|wallet\.dat|"
    r"Login Data|\.gnupg|\.config/gh/hosts|\.config/gcloud|"
    r"[\"']\.(?:aws|ssh|kube|docker)[\"']\s*,\s*[\"'](?:credentials|config|config\.json|id_\w+)[\"']"
)
SOURCE_TREE = re.compile(
    r"git\s+ls-files|git\s+bundle|git\s+archive|git\s+remote\s+-v|"
    r"\btar\s+-?c[a-z]*\s|\bzip\s+-r|shutil\.make_archive|\bos\.walk\("
)
SEND = re.compile(
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


def clean_host(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def raw_endpoints(line: str) -> Iterator[Endpoint]:
    spans: list[tuple[int, int]] = []
    for m in URL.finditer(line):
        spans.append(m.span())
        yield Endpoint(
            clean_host(m.group("host")),
            (m.group("path") or "").rstrip(".,;:!?"),
            m.group(0).rstrip(".,;:!?"),
            "url",
        )
    for m in _QUOTED_HOST.finditer(line):
        if any(a <= m.start() < b for a, b in spans):
            continue
        yield Endpoint(
            clean_host(m.group("host")), m.group("path") or "", m.group(0).strip("\"'`@"), "host"
        )
    for m in _IPV4.finditer(line):
        if any(a <= m.start() < b for a, b in spans):
            continue
        yield Endpoint(m.group(1), "", m.group(1), "ip")


def endpoints_in(line: str) -> Iterator[Endpoint]:
    """The URLs, quoted host names and IPv4 literals one line names."""
    return raw_endpoints(line)


def data_named(text: str) -> list[tuple[str, str]]:
    """``(what, capability)`` for the whole environment, credential files and the source tree
    that ``text`` reads (the sources :class:`EndpointAnalyzer` calls exfiltration)."""
    found = []
    if ENV_DUMP.search(text):
        found.append(("the whole environment", "env-dump"))
    if CRED_FILE.search(text):
        found.append(("credential files", "credential-file"))
    if SOURCE_TREE.search(text):
        found.append(("the source tree", "source-tree-read"))
    return found


class LazyDomains:
    """Registrable domains named in the pre-change text, computed on first use."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._domains: set[str] | None = None

    def get(self) -> set[str]:
        if self._domains is None:
            self._domains = {
                registrable(clean_host(m.group("host"))) for m in URL.finditer(self._text)
            }
        return self._domains


class LazyLines:
    """The post-image split into lines, on first use."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None

    def get(self) -> list[str]:
        if self._lines is None:
            self._lines = text_lines(self._text)
        return self._lines


_STRING_LITERAL = re.compile(r"""(["'`])((?:(?!\1)[^\\\n]|\\.)*)\1""")


def in_prose_string(line: str, url: str) -> bool:
    """True when ``url`` is quoted inside a sentence ("see https://... for details") on a line that
    itself calls nothing: a link shown to people, not an address the code talks to."""
    for m in _STRING_LITERAL.finditer(line):
        body = m.group(2)
        if url not in body:
            continue
        words = re.findall(r"[A-Za-z]{2,}", body.replace(url, " "))
        rest = line[: m.start()] + line[m.end() :]
        return len(words) >= 2 and not CONNECT.search(rest)
    return False


def comment_only(line: str) -> bool:
    return bool(re.match(r"^\s*(?:#|//|/\*|\*|<!--|--|;)", line))
