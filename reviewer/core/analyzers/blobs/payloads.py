"""What an encoded payload or a packed line looks like: long hex, base64, escape and
character-code runs, data URIs, and text that decodes to something dangerous."""

import base64
import binascii
import re

from reviewer.core.analyzers.added import iter_added_whole
from reviewer.core.analyzers.base import (
    MAX_LINE_CHARS,
    AnalysisFile,
)
from reviewer.core.analyzers.blobs.rules import ANALYZER, RULES
from reviewer.core.findings import Finding, Severity
from reviewer.core.paths import (
    is_generated_path,
    is_test_path,
)

# ---------------------------------------------------------------- encoded payloads

B64_RUN = re.compile(r"[A-Za-z0-9+/]{200,}={0,2}|[A-Za-z0-9_\-]{200,}={0,2}")
HEX_RUN = re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{2}){100,}(?![0-9A-Za-z])")
ESC_RUN = re.compile(r"(?:\\x[0-9a-fA-F]{2}|\\u00[0-9a-fA-F]{2}|\\[0-7]{3}){50,}")
NUM_ARRAY = re.compile(
    r"(?:(?:0x[0-9a-fA-F]{1,2}|\d{1,3})\s*,\s*){100,}(?:0x[0-9a-fA-F]{1,2}|\d{1,3})"
)
DATA_URI = re.compile(
    r"data:(?:image|font|audio|video|application/(?:font|x-font|json|octet-stream)"
    r")[^;,\s]*;base64,[A-Za-z0-9+/=]*",
    re.I,
)
SOURCEMAP = re.compile(r"sourceMappingURL=|sourceURL=", re.I)

# Short literals that hide readable text.
HEX_STR = re.compile(r"""(["'`])((?:[0-9a-fA-F]{2}){8,})\1""")
B64_STR = re.compile(r"""(["'`])([A-Za-z0-9+/]{16,}={0,2})\1""")
ESC_STR = re.compile(r"(?:\\x[0-9a-fA-F]{2}|\\u00[0-9a-fA-F]{2}){6,}")
CHARCODES = re.compile(r"(?:fromCharCode|\bchr|\bchar)\s*\(\s*((?:\d{2,3}\s*,\s*){5,}\d{2,3})\s*\)")
DANGER_TEXT = re.compile(
    r"https?://|/bin/|\bsh\b|\bbash\b|cmd\.exe|powershell|\beval\b|\bexec|require|import|"
    r"child_process|subprocess|\bcurl\b|\bwget\b|\.ssh|id_rsa|process\.env|environ|passw|token|"
    r"secret|wallet|\bsocket\b|/tmp/|\.sh\b|\.py\b|\.js\b|\.exe\b|\./",
    re.I,
)
DECODE_EXEC = re.compile(
    r"\beval\b|\bexec\b|Function\s*\(|fromCharCode|atob\s*\(|b64decode|"
    r"base64_decode|Buffer\.from|unhexlify|decodeURIComponent|unescape\s*\(|"
    r"createDecipher|\bsystem\s*\(|child_process|marshal\.loads|"
    r"zlib\.(?:decompress|inflate|gunzip)|inflateSync|gunzipSync|gzinflate|"
    r"str_rot13|\bcompile\s*\(",
    re.I,
)


# A file that both decodes strings at run time and loads or evaluates code.
DECODER = re.compile(
    r"Buffer\.from\([^)]*[\"'](?:hex|base64)[\"']|\batob\s*\(|b64decode|unhexlify|"
    r"bytes\.fromhex|fromCharCode|base64_decode|hex2bin|pack\s*\(\s*[\"']H|"
    r"\.decode\(\s*[\"'](?:hex|base64)"
)
SINK = re.compile(
    r"\beval\s*\(|\bFunction\s*\(|\brequire\s*\(|\b(?:var|let|const)\s+\w+\s*=\s*require\b|"
    r"_compile\b|\bexec\s*\(|\bcompile\s*\(|__import__|importlib|vm\.run|child_process|"
    r"\bsystem\s*\(|\bpopen|new\s+module\.constructor|\bassert\s*\(\s*\$"
)


def _printable_ratio(data: bytes) -> float:
    if not data:
        return 0.0
    good = sum(1 for b in data if 32 <= b < 127 or b in (9, 10, 13))
    return good / len(data)


def readable(data: bytes, min_letters: int = 4) -> str | None:
    """The decoded text when it is mostly printable ASCII with real letters."""
    if len(data) < 6 or _printable_ratio(data) < 0.95:
        return None
    text = data.decode("ascii", "replace")
    if sum(ch.isalpha() for ch in text) < min_letters:
        return None
    if sum(b == a + 1 for a, b in zip(data, data[1:], strict=False)) > 0.6 * len(data):
        return None  # a run of consecutive codes ("@ABCDEFG..."): a lookup table, not hidden text
    return text


def b64_readable(token: str) -> str | None:
    if len(token) % 4 or token.isalpha() or token.isdigit() or token.islower() or token.isupper():
        return None
    try:
        data = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        return None
    text = readable(data, min_letters=6)
    if text is None or not DANGER_TEXT.search(text):
        return None
    return text


def escape_text(run: str) -> str:
    out = []
    for m in re.finditer(r"\\x([0-9a-fA-F]{2})|\\u00([0-9a-fA-F]{2})", run):
        out.append(chr(int(m.group(1) or m.group(2), 16)))
    return "".join(out)


def overlong_line(file: AnalysisFile) -> Finding | None:
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
    return meta.finding(
        analyzer=ANALYZER,
        path=path,
        start_line=n,
        end_line=n,
        message=message,
        evidence=clip(line.strip(), 120),
        severity=severity,
        extra=(("length", str(len(line))), ("lines", str(count))),
    )


def clip(text: str, limit: int = 80) -> str:
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= limit else text[:limit] + "..."
