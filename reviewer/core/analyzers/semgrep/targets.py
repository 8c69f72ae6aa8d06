"""Which files semgrep sees (its languages, extension-less scripts but not prose) and the text
it scans (a diff-only fragment with its brackets closed)."""

from __future__ import annotations

from reviewer.core.analyzers.base import AnalysisFile
from reviewer.core.analyzers.fragments import balance_fragment
from reviewer.core.paths import CODE_LANGS

# Files semgrep cannot parse or has no rules for still go through the other analyzers.
SEMGREP_LANGS = CODE_LANGS | {"yaml", "json"}


# Extension-less files that are prose, not programs.
_PROSE_NAMES = {
    "readme",
    "license",
    "licence",
    "copying",
    "notice",
    "authors",
    "contributors",
    "changelog",
    "changes",
    "history",
    "news",
    "todo",
    "install",
    "version",
    "owners",
    "codeowners",
    "patents",
    "makefile",
}


def semgrep_wants(f: AnalysisFile) -> bool:
    """Files semgrep should see: known languages, and extension-less scripts (generic rules)."""
    from reviewer.core.analyzers.base import language_of

    if language_of(f.path, f.text) in SEMGREP_LANGS:
        return True
    name = f.path.rsplit("/", 1)[-1]
    return "." not in name and name.lower() not in _PROSE_NAMES and bool(f.text.strip())


def target_text(f: AnalysisFile) -> str:
    """The text semgrep scans: a diff-only fragment gets its open brackets closed so it parses."""
    from reviewer.core.analyzers.base import language_of

    if f.change.head_text is not None:
        return f.text
    return balance_fragment(f.text, language_of(f.path, f.text))
