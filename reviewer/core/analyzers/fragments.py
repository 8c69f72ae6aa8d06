"""Make a diff-only post-image parseable: close the brackets its hunks leave open.

Without the head checkout a changed file is known only through its hunks, so the text that
pattern rules see often starts inside a function and stops before its closing brace. Parsers of
brace languages reject such a fragment outright and every rule goes blind on that file. Closing
what the hunks leave open (after the last line) and opening what they close (on the blank first
line) keeps every line where it was, so findings still point at the true lines.
"""

from __future__ import annotations

__all__ = ["balance_fragment", "BRACE_LANGUAGES"]

BRACE_LANGUAGES = frozenset(
    {
        "javascript",
        "typescript",
        "go",
        "java",
        "c",
        "cpp",
        "csharp",
        "php",
        "rust",
        "kotlin",
        "swift",
    }
)

_PAIRS = {"{": "}", "(": ")", "[": "]"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
# What opens an enclosing scope on line 1, per language, when a fragment closes more than it opens.
_OUTER_OPEN = {
    "go": "func _() {",
    "c": "void _gh(void) {",
    "cpp": "void _gh() {",
    "rust": "fn _gh() {",
    "java": "class _Gh { void _gh() {",
    "csharp": "class _Gh { void _gh() {",
    "kotlin": "fun _gh() {",
    "swift": "func _gh() {",
}


def _scan(text: str, language: str) -> tuple[list[str], list[str]]:
    """Unmatched openers (in order) and closers met before any opener of their kind."""
    stack: list[str] = []
    orphans: list[str] = []
    i, n = 0, len(text)
    quotes = "'\"`" if language in ("javascript", "typescript", "go") else "'\""
    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c == "#" and language == "php":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in quotes:
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n" and c != "`":
                    break
                j += 1
            i = j + 1
            continue
        if c in _PAIRS:
            stack.append(c)
        elif c in _CLOSERS:
            if stack and stack[-1] == _CLOSERS[c]:
                stack.pop()
            elif _CLOSERS[c] in stack:
                while stack and stack[-1] != _CLOSERS[c]:
                    stack.pop()
                stack.pop()
            elif not stack:
                orphans.append(c)
        i += 1
    return stack, orphans


def balance_fragment(text: str, language: str) -> str:
    """``text`` with the brackets its hunks leave open closed, line numbers unchanged.

    Texts that are already balanced, and languages without braces, come back as they are.
    """
    if language not in BRACE_LANGUAGES or not text:
        return text
    open_, orphans = _scan(text, language)
    if not open_ and not orphans:
        return text
    out = text
    braces = orphans.count("}")
    if braces and out.startswith("\n"):
        head = _OUTER_OPEN.get(language)
        prefix = "{" * braces if head is None else head + " {" * max(0, braces - head.count("{"))
        if language == "php" and "<?php" not in out[:200]:
            prefix = "<?php " + prefix
        out = prefix + out
    elif language == "php" and "<?php" not in out[:200] and out.startswith("\n"):
        out = "<?php" + out
    if out != text:
        open_, _ = _scan(out, language)
    if open_:
        if not out.endswith("\n"):
            out += "\n"
        out += "".join(_PAIRS[c] for c in reversed(open_)) + "\n"
    return out
