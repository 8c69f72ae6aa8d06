"""The Analyzer seam: what every analyzer takes and returns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from reviewer.core.changeset import ChangeSet, FileChange, text_lines
from reviewer.core.findings import Finding, Skipped


@dataclass(frozen=True)
class ScanOptions:
    """Knobs of one scan. Every field has a safe default."""

    max_file_bytes: int = 2_000_000
    max_scan_bytes: int = 50_000_000
    max_files: int = 3000
    file_timeout_s: int = 10
    scan_timeout_s: int = 300
    disabled_rules: frozenset[str] = frozenset()
    allowed_domains: frozenset[str] = frozenset()
    ignore_paths: tuple[str, ...] = ()
    jobs: int = 2
    # The in-process analyzers of one scan run in a child process under these limits (0: off);
    # a breach reports the files concerned as not analysed.
    analysis_time_limit_s: float = 60.0
    analysis_memory_limit_bytes: int = 1 << 30


# The longest line the line heuristics read. Text past it is not analysed line by line (semgrep
# still reads the whole file); the line itself is reported (``overlong-line``), once per file.
MAX_LINE_CHARS = 2000


def clip_line(line: str) -> str:
    """``line`` cut at MAX_LINE_CHARS characters."""
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS]


@dataclass(frozen=True)
class AnalysisFile:
    """A file as analyzers see it: its change and the text to analyse."""

    change: FileChange
    text: str

    @property
    def path(self) -> str:
        return self.change.path

    def lines(self) -> list[str]:
        return text_lines(self.text)


@dataclass
class AnalyzerOutput:
    """What one analyzer returns. ``errors`` make the scan degraded."""

    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScanContext:
    """The whole change and the scan's options, for analyzers that correlate."""

    changeset: ChangeSet
    options: ScanOptions


class Analyzer(Protocol):
    """An analyzer looks at the eligible files of a change and returns findings."""

    name: str

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        """Findings on the given files (the engine keeps those on added lines)."""
        ...


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1


_EXT_LANG = {
    ".py": "python",
    ".pyw": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".go": "go",
    ".java": "java",
    ".rb": "ruby",
    ".php": "php",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".sh": "bash",
    ".bash": "bash",
    ".zsh": "bash",
    ".pl": "perl",
    ".pm": "perl",
    ".cgi": "perl",
    ".cs": "csharp",
    ".rs": "rust",
    ".kt": "kotlin",
    ".swift": "swift",
    ".ps1": "powershell",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".md": "markdown",
    ".cmake": "cmake",
    ".rake": "ruby",
    ".gemspec": "ruby",
    ".ru": "ruby",
    ".mts": "typescript",
    ".cts": "typescript",
    ".phtml": "php",
}
_SHEBANG = re.compile(r"^#!\s*\S*?(?:/env\s+)?(python|node|bash|sh|perl|ruby|php)")


def language_of(path: str, text: str = "") -> str:
    """A best guess at a file's language from its name and shebang."""
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower == "dockerfile" or lower.startswith("dockerfile.") or lower.endswith(".dockerfile"):
        return "dockerfile"
    if lower == "cmakelists.txt":
        return "cmake"
    dot = lower.rfind(".")
    if dot > 0 and lower[dot:] in _EXT_LANG:
        return _EXT_LANG[lower[dot:]]
    m = _SHEBANG.match(text[:200]) if text else None
    if m:
        return {"sh": "bash", "node": "javascript"}.get(m.group(1), m.group(1))
    return "text"
