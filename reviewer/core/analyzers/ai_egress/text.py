"""Files other than Python, read line by line: vendor hosts, agent CLIs, CI actions and SDK
dependencies."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from reviewer.core.analyzers.added import iter_added
from reviewer.core.analyzers.ai_egress.rules import Site, clip
from reviewer.core.analyzers.ai_egress.vendors import (
    Vendor,
    vendor_for_host,
    vendor_for_package,
    vendors,
)
from reviewer.core.analyzers.base import AnalysisFile, clip_line
from reviewer.core.analyzers.endpoints.extract import data_named, endpoints_in

# ---------------------------------------------------------------- text files


def url_vendor(text: str) -> Vendor | None:
    if "." not in text and "localhost" not in text:
        return None
    for ep in endpoints_in(clip_line(text)):
        port = None
        if ep.kind == "url":
            try:
                port = urlsplit(ep.text).port
            except ValueError:
                port = None
        v = vendor_for_host(ep.host, port=port, path=ep.path)
        if v is not None:
            return v
    return None


def cli_vendor(words: Sequence[str]) -> tuple[Vendor, str] | None:
    """The vendor of an agent CLI run non-interactively in ``words`` (argv or a shell line)."""
    for i, word in enumerate(words):
        base = posixpath.basename(word.strip("\"'`("))
        for v in vendors():
            for command, flag in v.clis:
                if base != command:
                    continue
                rest = words[i + 1 : i + 12]
                if (
                    flag == rest[0]
                    if rest and not flag.startswith("-")
                    else flag in rest or any(r.startswith(flag + "=") for r in rest)
                ):
                    return v, f"{command} {flag}"
    return None


_IMPORT_JS = re.compile(
    r"""(?:\bfrom|\brequire\s*\(|\bimport\s*\(|^\s*import)\s*["']([^"'\n]{1,100})["']"""
)
_USES = re.compile(r"\buses:\s*[\"']?([\w.-]{1,100}/[\w.-]{1,100})")
_PACKAGE_TOKEN = re.compile(r"@?[A-Za-z0-9][\w.-]{0,100}(?:/[\w.-]{1,100})?")
CONFIG_SUFFIXES = (".yml", ".yaml", ".json", ".toml", ".env", ".cfg", ".ini", ".py", ".pyw")
MANIFESTS = re.compile(
    r"(?i)(?:^|/)(?:requirements[\w.-]*\.txt|pyproject\.toml|setup\.py|setup\.cfg|"
    r"package\.json|pipfile|environment\.ya?ml)$"
)
_SHELL_SOURCES = re.compile(
    r"\bgit\s+(?:diff|show|ls-files|archive|log\s+-p)\b|\$\(\s*cat\s"
    r"|<\s*[\w/.-]{1,100}\.\w{1,10}\b"
)


def text_sites(file: AnalysisFile) -> Iterator[Site]:
    lines = dict(iter_added(file))
    v: Vendor | None
    for n, raw in lines.items():
        line = clip_line(raw)
        if not line.strip():
            continue
        window = "\n".join(clip_line(lines.get(k, "")) for k in range(n - 2, n + 3))
        sends = {
            "env" if "env" in c else "credential" if "credential" in c else "tree"
            for _, c in data_named(window)
        }
        words = line.replace("|", " | ").replace(";", " ; ").split()
        hit = cli_vendor(words)
        if hit is not None:
            v, command = hit
            extra = {"tree"} if _SHELL_SOURCES.search(window) else set()
            yield Site(
                v,
                n,
                n,
                f"runs `{command}`",
                frozenset(sends | extra | {"agent"}),
                clip(line.strip(), 160),
            )
            continue
        m = _USES.search(line)
        if m:
            v = next((x for x in vendors() if m.group(1).lower() in x.actions), None)
            if v is not None:
                yield Site(
                    v,
                    n,
                    n,
                    f"runs the CI action {m.group(1)}",
                    frozenset(sends | {"agent"}),
                    clip(line.strip(), 160),
                )
                continue
        v = url_vendor(line)
        if v is not None:
            yield Site(
                v, n, n, f"talks to the {v.name} API", frozenset(sends), clip(line.strip(), 160)
            )


def sdk_lines(file: AnalysisFile) -> Iterator[tuple[int, Vendor, str]]:
    manifest = bool(MANIFESTS.search(file.path))
    for n, raw in iter_added(file):
        line = clip_line(raw)
        if manifest:
            for tok in _PACKAGE_TOKEN.findall(line):
                v = vendor_for_package(tok)
                if v is not None:
                    yield n, v, f"dependency {tok}"
                    break
        else:
            m = _IMPORT_JS.search(line)
            if m:
                v = vendor_for_package(m.group(1))
                if v is not None:
                    yield n, v, f"import of {m.group(1)}"
