"""Obfuscation and blobs: encoded payloads, minified lines and binaries added to source.

People do not write base64, long hex or ``\\x..`` escapes by hand in source files;
packers and payload droppers do. This analyzer flags the payload itself (its
decoding and execution is a pattern rule's job) and binary files that a change
slips in next to code. The path classes it reads live in :mod:`reviewer.core.paths`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import posixpath
import re
from collections.abc import Callable, Iterator, Sequence

from reviewer.core.analyzers.added import iter_added, iter_added_whole, shannon_entropy
from reviewer.core.analyzers.base import (
    MAX_LINE_CHARS,
    AnalysisFile,
    AnalyzerOutput,
    ScanContext,
)
from reviewer.core.changeset import FileChange, FileStatus
from reviewer.core.findings import Confidence, Finding, Severity
from reviewer.core.paths import (
    ASSET_EXT,
    is_generated_path,
    is_program_like,
    is_test_path,
    path_parts,
)
from reviewer.core.rules import RuleMeta, rule_maker

__all__ = ["BlobAnalyzer", "RULES", "rule_metas"]

ANALYZER = "blobs"

# ---------------------------------------------------------------- rules

_meta = rule_maker(f"python:{ANALYZER}")


RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        _meta(
            "blob-encoded-payload",
            "obfuscated-exec",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            "A long base64, hex, escaped or numeric-array payload added to source code.",
            "Ask what the payload is and where it came from; ship data as a reviewed file with a "
            "documented origin, never as an opaque literal in code.",
            ("obfuscated", "decode"),
        ),
        _meta(
            "blob-encoded-text",
            "obfuscated-exec",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            "A string literal hides readable text (names, paths, URLs, commands) behind hex, "
            "base64, escapes or character codes.",
            "Replace the encoded literal by the plain text, or explain why it must be hidden.",
            ("obfuscated", "decode"),
        ),
        _meta(
            "blob-minified-line",
            "obfuscated-exec",
            Severity.LOW,
            Confidence.LOW,
            "A very long or minified line added to a hand-written source file.",
            "Check that the line is generated from reviewed sources; commit the source, not the "
            "packed output, or move it under a generated/vendored path.",
            ("obfuscated",),
        ),
        _meta(
            "overlong-line",
            "obfuscated-exec",
            Severity.MEDIUM,
            Confidence.LOW,
            f"A line longer than {MAX_LINE_CHARS} characters: it cannot be reviewed, and the line "
            "checks read no further than that; hidden code often hides there.",
            "Break the line up, or move generated or minified output under a generated/vendored "
            "path and commit the sources it is built from.",
            ("obfuscated",),
        ),
        _meta(
            "blob-binary-executable",
            "binary-blob",
            Severity.HIGH,
            Confidence.MEDIUM,
            "An executable, library, bytecode or archive file added next to source code.",
            "Build binaries from reviewed sources in CI instead of committing them; if it must "
            "stay, document its origin and a checksum.",
            ("obfuscated",),
        ),
        _meta(
            "blob-binary-file",
            "binary-blob",
            Severity.MEDIUM,
            Confidence.LOW,
            "A binary file that is not an image, font or document added to the repository.",
            "Check what the file is and why it is needed; reviewers cannot read it in the diff.",
            ("obfuscated",),
        ),
    )
}


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())


# ---------------------------------------------------------------- binaries

_ASSET_DIRS = frozenset(
    {
        "assets",
        "asset",
        "images",
        "image",
        "img",
        "imgs",
        "icons",
        "fonts",
        "static",
        "media",
        "screenshots",
        "docs",
        "doc",
        "resources",
        "res",
        "public",
        "artwork",
        "logos",
        "branding",
    }
)
_EXEC_EXT = frozenset(
    {
        ".so",
        ".dll",
        ".exe",
        ".o",
        ".obj",
        ".a",
        ".lib",
        ".dylib",
        ".jar",
        ".war",
        ".ear",
        ".class",
        ".pyc",
        ".pyo",
        ".pyd",
        ".node",
        ".wasm",
        ".bin",
        ".elf",
        ".msi",
        ".com",
        ".scr",
        ".deb",
        ".rpm",
        ".apk",
        ".dmg",
        ".whl",
        ".egg",
        ".zip",
        ".tar",
        ".gz",
        ".tgz",
        ".bz2",
        ".xz",
        ".7z",
        ".rar",
        ".zst",
        ".lz4",
        ".cab",
        ".iso",
        ".img",
        ".ko",
        ".sys",
        ".drv",
        ".cpl",
        ".ocx",
        ".appimage",
        ".run",
        ".out",
        ".crx",
        ".xpi",
        ".vsix",
        ".nupkg",
        ".gem",
        ".pkg",
        ".lzma",
        ".z",
    }
)


def _binary_finding(change: FileChange) -> Finding | None:
    if change.status is FileStatus.DELETED:
        return None
    path = change.path
    parts = path_parts(path)
    name = parts[-1]
    ext = posixpath.splitext(name)[1]
    if ext in ASSET_EXT:
        return None
    is_exec = ext in _EXEC_EXT or ext == "" or name.endswith((".tar.gz", ".tar.xz", ".tar.bz2"))
    in_assets = any(p in _ASSET_DIRS for p in parts[:-1])
    in_tests = is_test_path(path)
    verb = "adds" if change.status is FileStatus.ADDED else "changes"
    if is_exec:
        meta = RULES["blob-binary-executable"]
        severity = meta.severity
        if in_tests or in_assets:
            severity = Severity.MEDIUM
        kind = "a file with no extension" if ext == "" else f"a {ext} file"
        message = (
            f"This change {verb} binary {kind} ({path}). Executables, libraries, bytecode and "
            "archives cannot be reviewed in a diff and are a classic way to ship a backdoor "
            "beside innocent-looking code. Check where it was built, whether anything loads "
            "or runs it, and whether it can be built from source instead."
        )
    else:
        if in_assets:
            return None
        meta = RULES["blob-binary-file"]
        severity = Severity.LOW if in_tests else meta.severity
        message = (
            f"This change {verb} a binary file ({path}) outside the usual asset folders. "
            "Its contents are invisible in the diff; check what it is and what reads it."
        )
    return Finding(
        rule_id=meta.rule_id,
        category=meta.category,
        severity=severity,
        confidence=meta.confidence,
        path=path,
        start_line=1,
        end_line=1,
        message=message,
        remediation=meta.remediation,
        evidence=f"binary file {path}",
        analyzer=ANALYZER,
        capabilities=frozenset(meta.capabilities),
    )


# ---------------------------------------------------------------- encoded payloads

_B64_RUN = re.compile(r"[A-Za-z0-9+/]{200,}={0,2}|[A-Za-z0-9_\-]{200,}={0,2}")
_HEX_RUN = re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{2}){100,}(?![0-9A-Za-z])")
_ESC_RUN = re.compile(r"(?:\\x[0-9a-fA-F]{2}|\\u00[0-9a-fA-F]{2}|\\[0-7]{3}){50,}")
_NUM_ARRAY = re.compile(
    r"(?:(?:0x[0-9a-fA-F]{1,2}|\d{1,3})\s*,\s*){100,}(?:0x[0-9a-fA-F]{1,2}|\d{1,3})"
)
_DATA_URI = re.compile(
    r"data:(?:image|font|audio|video|application/(?:font|x-font|json|octet-stream)"
    r")[^;,\s]*;base64,[A-Za-z0-9+/=]*",
    re.I,
)
_SOURCEMAP = re.compile(r"sourceMappingURL=|sourceURL=", re.I)

# Short literals that hide readable text.
_HEX_STR = re.compile(r"""(["'`])((?:[0-9a-fA-F]{2}){8,})\1""")
_B64_STR = re.compile(r"""(["'`])([A-Za-z0-9+/]{16,}={0,2})\1""")
_ESC_STR = re.compile(r"(?:\\x[0-9a-fA-F]{2}|\\u00[0-9a-fA-F]{2}){6,}")
_CHARCODES = re.compile(
    r"(?:fromCharCode|\bchr|\bchar)\s*\(\s*((?:\d{2,3}\s*,\s*){5,}\d{2,3})\s*\)"
)
_DANGER_TEXT = re.compile(
    r"https?://|/bin/|\bsh\b|\bbash\b|cmd\.exe|powershell|\beval\b|\bexec|require|import|"
    r"child_process|subprocess|\bcurl\b|\bwget\b|\.ssh|id_rsa|process\.env|environ|passw|token|"
    r"secret|wallet|\bsocket\b|/tmp/|\.sh\b|\.py\b|\.js\b|\.exe\b|\./",
    re.I,
)
_DECODE_EXEC = re.compile(
    r"\beval\b|\bexec\b|Function\s*\(|fromCharCode|atob\s*\(|b64decode|"
    r"base64_decode|Buffer\.from|unhexlify|decodeURIComponent|unescape\s*\(|"
    r"createDecipher|\bsystem\s*\(|child_process|marshal\.loads|"
    r"zlib\.(?:decompress|inflate|gunzip)|inflateSync|gunzipSync|gzinflate|"
    r"str_rot13|\bcompile\s*\(",
    re.I,
)


# A file that both decodes strings at run time and loads or evaluates code.
_DECODER = re.compile(
    r"Buffer\.from\([^)]*[\"'](?:hex|base64)[\"']|\batob\s*\(|b64decode|unhexlify|"
    r"bytes\.fromhex|fromCharCode|base64_decode|hex2bin|pack\s*\(\s*[\"']H|"
    r"\.decode\(\s*[\"'](?:hex|base64)"
)
_SINK = re.compile(
    r"\beval\s*\(|\bFunction\s*\(|\brequire\s*\(|\b(?:var|let|const)\s+\w+\s*=\s*require\b|"
    r"_compile\b|\bexec\s*\(|\bcompile\s*\(|__import__|importlib|vm\.run|child_process|"
    r"\bsystem\s*\(|\bpopen|new\s+module\.constructor|\bassert\s*\(\s*\$"
)


def _printable_ratio(data: bytes) -> float:
    if not data:
        return 0.0
    good = sum(1 for b in data if 32 <= b < 127 or b in (9, 10, 13))
    return good / len(data)


def _readable(data: bytes, min_letters: int = 4) -> str | None:
    """The decoded text when it is mostly printable ASCII with real letters."""
    if len(data) < 6 or _printable_ratio(data) < 0.95:
        return None
    text = data.decode("ascii", "replace")
    if sum(ch.isalpha() for ch in text) < min_letters:
        return None
    if sum(b == a + 1 for a, b in zip(data, data[1:], strict=False)) > 0.6 * len(data):
        return None  # a run of consecutive codes ("@ABCDEFG..."): a lookup table, not hidden text
    return text


def _b64_readable(token: str) -> str | None:
    if len(token) % 4 or token.isalpha() or token.isdigit() or token.islower() or token.isupper():
        return None
    try:
        data = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        return None
    text = _readable(data, min_letters=6)
    if text is None or not _DANGER_TEXT.search(text):
        return None
    return text


def _escape_text(run: str) -> str:
    out = []
    for m in re.finditer(r"\\x([0-9a-fA-F]{2})|\\u00([0-9a-fA-F]{2})", run):
        out.append(chr(int(m.group(1) or m.group(2), 16)))
    return "".join(out)


def _overlong_line(file: AnalysisFile) -> Finding | None:
    """One finding for the first added line past MAX_LINE_CHARS, whatever the kind of file.

    Once per file, never per line: a minified bundle is one finding. Generated and minified
    files (by path, or whose lines are nearly all long) are expected to have such lines: low.
    """
    change = file.change
    first: tuple[int, str] | None = None
    count = long_lines = total = 0
    for n, line in iter_added_whole(file):
        total += 1
        if len(line) >= 500:
            long_lines += 1
        if len(line) > MAX_LINE_CHARS:
            count += 1
            if first is None:
                first = (n, line)
    if first is None:
        return None
    n, line = first
    path = change.path
    minified = is_generated_path(path) or long_lines * 2 >= total
    meta = RULES["overlong-line"]
    severity = Severity.LOW if minified or is_test_path(path) else meta.severity
    more = f" ({count} such lines in this file)" if count > 1 else ""
    message = (
        f"A line of {len(line)} characters cannot be reviewed; hidden code often hides "
        f"there{more}. Gatehouse's line checks read only its first {MAX_LINE_CHARS} characters."
    )
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
        evidence=_clip(line.strip(), 120),
        analyzer=ANALYZER,
        capabilities=frozenset(meta.capabilities),
        extra=(("length", str(len(line))), ("lines", str(count))),
    )


def _clip(text: str, limit: int = 80) -> str:
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= limit else text[:limit] + "..."


class BlobAnalyzer:
    """Encoded payloads, minified lines and binary files added next to code."""

    name = ANALYZER

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        for file in files:
            change = file.change
            if change.binary:
                finding = _binary_finding(change)
                if finding:
                    out.findings.append(finding)
                continue
            out.findings.extend(self._text_findings(file))
            overlong = _overlong_line(file)
            if overlong is not None:
                out.findings.append(overlong)
        return out

    def _text_findings(self, file: AnalysisFile) -> Iterator[Finding]:
        path = file.path
        generated = is_generated_path(path)
        if not is_program_like(path, file.text[:200]):
            return
        tests = is_test_path(path)
        text = file.text
        loader = functools.partial(lambda t: bool(_DECODER.search(t) and _SINK.search(t)), text)
        for n, line in iter_added(file):
            if len(line) < 24:
                continue
            found = self._payload(path, n, line, generated, tests)
            if found is None:
                found = self._encoded_text(path, n, line, generated, tests, loader)
            if found is None and not generated and len(line) < MAX_LINE_CHARS:
                found = self._long_line(path, n, _DATA_URI.sub("data:", line), tests)
            if found is not None:
                yield found

    def _payload(
        self, path: str, n: int, line: str, generated: bool, tests: bool
    ) -> Finding | None:
        if len(line) < 200:
            return None
        scrubbed = _DATA_URI.sub("", line) if _DATA_URI.search(line) else line
        if _SOURCEMAP.search(scrubbed):
            return None
        kind, run = None, ""
        m = _ESC_RUN.search(scrubbed)
        if m:
            kind, run = "escaped bytes", m.group(0)
        if kind is None:
            m = _HEX_RUN.search(scrubbed)
            if m:
                kind, run = "hex", m.group(0)
        if kind is None:
            m = _NUM_ARRAY.search(scrubbed)
            if m:
                kind, run = "numeric byte array", m.group(0)
        if kind is None:
            for m in _B64_RUN.finditer(scrubbed):
                tok = m.group(0)
                if self._looks_b64(tok):
                    kind, run = "base64", tok
                    break
        if kind is None:
            return None
        meta = RULES["blob-encoded-payload"]
        combined = bool(_DECODE_EXEC.search(line))
        if tests or generated:
            severity = Severity.MEDIUM if combined and generated else Severity.LOW
        else:
            severity = Severity.HIGH if combined else meta.severity
        hint = (
            " The same line decodes or evaluates something, which is how packed payloads run."
            if combined
            else ""
        )
        message = (
            f"A {len(run)}-character {kind} payload is added to source code.{hint} Encoded blobs "
            "hide what a program really contains from the reviewer; decode it and check what it "
            "is, where it came from, and what reads it."
        )
        return Finding(
            rule_id=meta.rule_id,
            category=meta.category,
            severity=severity,
            confidence=Confidence.HIGH if combined else meta.confidence,
            path=path,
            start_line=n,
            end_line=n,
            message=message,
            remediation=meta.remediation,
            evidence=_clip(line.strip(), 120),
            analyzer=ANALYZER,
            capabilities=frozenset(meta.capabilities),
            extra=(("encoding", kind), ("length", str(len(run)))),
        )

    @staticmethod
    def _looks_b64(tok: str) -> bool:
        has_upper = any(c.isupper() for c in tok)
        has_lower = any(c.islower() for c in tok)
        has_digit = any(c.isdigit() for c in tok)
        if not (has_upper and has_lower and has_digit):
            return False
        return shannon_entropy(tok[:400]) > 4.5

    def _encoded_text(
        self, path: str, n: int, line: str, generated: bool, tests: bool, loader: Callable[[], bool]
    ) -> Finding | None:
        decoded, kind = None, ""
        for m in _HEX_STR.finditer(line):
            try:
                text = _readable(bytes.fromhex(m.group(2)))
            except ValueError:
                text = None
            if text:
                decoded, kind = text, "hex"
                break
        if decoded is None:
            m2 = _ESC_STR.search(line)
            if m2:
                text = _readable(_escape_text(m2.group(0)).encode("latin-1", "replace"))
                if text:
                    decoded, kind = text, "escape sequences"
        if decoded is None:
            m3 = _CHARCODES.search(line)
            if m3:
                codes = [int(x) for x in re.findall(r"\d+", m3.group(1))]
                text = _readable(bytes(c for c in codes if c < 256))
                if text:
                    decoded, kind = text, "character codes"
        if decoded is None:
            for m in _B64_STR.finditer(line):
                text = _b64_readable(m.group(2))
                if text:
                    decoded, kind = text, "base64"
                    break
        if decoded is None:
            return None
        meta = RULES["blob-encoded-text"]
        danger = bool(_DANGER_TEXT.search(decoded))
        if tests:
            severity = Severity.LOW
        elif danger and (_DECODE_EXEC.search(line) or loader()):
            severity = Severity.HIGH
        elif generated:
            severity = Severity.MEDIUM if danger else Severity.LOW
        else:
            severity = meta.severity
        hint = (
            " The file also decodes strings and loads or evaluates code, which is how a hidden "
            "loader works."
            if severity == Severity.HIGH
            else ""
        )
        message = (
            f"A string literal spells readable text in {kind}; it decodes to "
            f'"{_clip(decoded)}". Hand-written code has no reason to hide plain words, '
            "paths or URLs; obfuscators and droppers do this to slip module names, hosts and "
            f"commands past reviewers and scanners.{hint}"
        )
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
            evidence=_clip(line.strip(), 120),
            analyzer=ANALYZER,
            capabilities=frozenset(meta.capabilities),
            extra=(("encoding", kind), ("decoded", _clip(decoded))),
        )

    def _long_line(self, path: str, n: int, line: str, tests: bool) -> Finding | None:
        size = len(line)
        if size < 500:
            return None
        spaces = line.count(" ") / size
        if size < 1000 and spaces > 0.08:
            return None
        if spaces > 0.12 and size < 3000:
            return None  # long prose-like line (a string table, a long comment)
        meta = RULES["blob-minified-line"]
        combined = bool(_DECODE_EXEC.search(line))
        severity = Severity.MEDIUM if combined and not tests else meta.severity
        if tests:
            severity = Severity.INFO
        hint = " It also decodes or evaluates something." if combined else ""
        message = (
            f"A {size}-character line with almost no whitespace is added to a hand-written "
            f"source file.{hint} Minified or packed code cannot be reviewed line by line and is "
            "a common place to tuck a payload; check it is generated from sources in the change."
        )
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
            evidence=_clip(line.strip(), 120),
            analyzer=ANALYZER,
            capabilities=frozenset(meta.capabilities),
            extra=(("length", str(size)),),
        )
