"""The blob analyzer: binaries, encoded payloads and minified lines on added lines."""

import functools
import re
from collections.abc import Callable, Iterator, Sequence

from reviewer.core.analyzers.added import iter_added, shannon_entropy
from reviewer.core.analyzers.base import (
    MAX_LINE_CHARS,
    AnalysisFile,
    AnalyzerOutput,
    ScanContext,
)
from reviewer.core.analyzers.blobs.binaries import binary_finding
from reviewer.core.analyzers.blobs.payloads import (
    B64_RUN,
    B64_STR,
    CHARCODES,
    DANGER_TEXT,
    DATA_URI,
    DECODE_EXEC,
    DECODER,
    ESC_RUN,
    ESC_STR,
    HEX_RUN,
    HEX_STR,
    NUM_ARRAY,
    SINK,
    SOURCEMAP,
    b64_readable,
    clip,
    escape_text,
    overlong_line,
    readable,
)
from reviewer.core.analyzers.blobs.rules import ANALYZER, RULES
from reviewer.core.findings import Confidence, Finding, Severity
from reviewer.core.paths import (
    is_generated_path,
    is_program_like,
    is_test_path,
)


class BlobAnalyzer:
    """Encoded payloads, minified lines and binary files added next to code."""

    name = ANALYZER

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        for file in files:
            change = file.change
            if change.binary:
                finding = binary_finding(change)
                if finding:
                    out.findings.append(finding)
                continue
            out.findings.extend(self._text_findings(file))
            overlong = overlong_line(file)
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
        loader = functools.partial(lambda t: bool(DECODER.search(t) and SINK.search(t)), text)
        for n, line in iter_added(file):
            if len(line) < 24:
                continue
            found = self._payload(path, n, line, generated, tests)
            if found is None:
                found = self._encoded_text(path, n, line, generated, tests, loader)
            if found is None and not generated and len(line) < MAX_LINE_CHARS:
                found = self._long_line(path, n, DATA_URI.sub("data:", line), tests)
            if found is not None:
                yield found

    def _payload(
        self, path: str, n: int, line: str, generated: bool, tests: bool
    ) -> Finding | None:
        if len(line) < 200:
            return None
        scrubbed = DATA_URI.sub("", line) if DATA_URI.search(line) else line
        if SOURCEMAP.search(scrubbed):
            return None
        kind, run = None, ""
        m = ESC_RUN.search(scrubbed)
        if m:
            kind, run = "escaped bytes", m.group(0)
        if kind is None:
            m = HEX_RUN.search(scrubbed)
            if m:
                kind, run = "hex", m.group(0)
        if kind is None:
            m = NUM_ARRAY.search(scrubbed)
            if m:
                kind, run = "numeric byte array", m.group(0)
        if kind is None:
            for m in B64_RUN.finditer(scrubbed):
                tok = m.group(0)
                if self._looks_b64(tok):
                    kind, run = "base64", tok
                    break
        if kind is None:
            return None
        meta = RULES["blob-encoded-payload"]
        combined = bool(DECODE_EXEC.search(line))
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
            evidence=clip(line.strip(), 120),
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
        for m in HEX_STR.finditer(line):
            try:
                text = readable(bytes.fromhex(m.group(2)))
            except ValueError:
                text = None
            if text:
                decoded, kind = text, "hex"
                break
        if decoded is None:
            m2 = ESC_STR.search(line)
            if m2:
                text = readable(escape_text(m2.group(0)).encode("latin-1", "replace"))
                if text:
                    decoded, kind = text, "escape sequences"
        if decoded is None:
            m3 = CHARCODES.search(line)
            if m3:
                codes = [int(x) for x in re.findall(r"\d+", m3.group(1))]
                text = readable(bytes(c for c in codes if c < 256))
                if text:
                    decoded, kind = text, "character codes"
        if decoded is None:
            for m in B64_STR.finditer(line):
                text = b64_readable(m.group(2))
                if text:
                    decoded, kind = text, "base64"
                    break
        if decoded is None:
            return None
        meta = RULES["blob-encoded-text"]
        danger = bool(DANGER_TEXT.search(decoded))
        if tests:
            severity = Severity.LOW
        elif danger and (DECODE_EXEC.search(line) or loader()):
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
            f'"{clip(decoded)}". Hand-written code has no reason to hide plain words, '
            "paths or URLs; obfuscators and droppers do this to slip module names, hosts and "
            f"commands past reviewers and scanners.{hint}"
        )
        return meta.finding(
            analyzer=ANALYZER,
            path=path,
            start_line=n,
            end_line=n,
            message=message,
            evidence=clip(line.strip(), 120),
            severity=severity,
            extra=(("encoding", kind), ("decoded", clip(decoded))),
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
        combined = bool(DECODE_EXEC.search(line))
        severity = Severity.MEDIUM if combined and not tests else meta.severity
        if tests:
            severity = Severity.INFO
        hint = " It also decodes or evaluates something." if combined else ""
        message = (
            f"A {size}-character line with almost no whitespace is added to a hand-written "
            f"source file.{hint} Minified or packed code cannot be reviewed line by line and is "
            "a common place to tuck a payload; check it is generated from sources in the change."
        )
        return meta.finding(
            analyzer=ANALYZER,
            path=path,
            start_line=n,
            end_line=n,
            message=message,
            evidence=clip(line.strip(), 120),
            severity=severity,
            extra=(("length", str(size)),),
        )
