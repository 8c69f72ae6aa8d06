"""Escaping of text that Gatehouse posts to GitHub (pure functions, no I/O).

Everything posted (check-run summaries, annotations, review comments, command replies) may
quote text the pull request controls: file paths, matched code, commit trailers, domain names.
Posted raw, a path named ``@org/admins [x](https://evil.example) <img src=x>`` pings a team,
renders a link and an image in a message that carries Gatehouse's authority.

* :func:`escape_markdown` makes text render literally in Markdown: HTML is entity-encoded,
  Markdown punctuation is backslash-escaped, line breaks become spaces, and what GitHub links
  *after* rendering (``@mentions``, ``#123`` references, bare URLs) is broken with a word joiner
  (U+2060, invisible).
* :func:`code_span` shows text as inline code, with a backtick fence longer than any run of
  backticks inside it, so nothing inside can close it.
* :func:`plain_text` is for fields GitHub shows as plain text (annotations): only the
  mention/reference/URL neutralisation applies.

Every regex here is a single pass over the input (linear on any input).
"""

from __future__ import annotations

import re

__all__ = ["WORD_JOINER", "code_span", "escape_markdown", "plain_text"]

WORD_JOINER = "\u2060"

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# CommonMark lets any ASCII punctuation be backslash-escaped; these mean something anywhere in
# a line: emphasis, code, links and images (no "[", no link: "(" and "!" stay), tables,
# strikethrough, headings. List and heading markers matter only at the start (see _LEAD).
_MD_PUNCT = frozenset("\\`*_[]|~#")
_LEAD = re.compile(r"([+=-])|([0-9]{1,9})([.)])")
# What GitHub turns into a notification or a link after rendering, wherever the text is shown:
# "@name" / "@org/team", "#123" / "GH-123", URL schemes and "www." hosts.
_LINKERS = re.compile(
    r"(@)(?=[A-Za-z0-9_])|(#)(?=[0-9])|(GH-)(?=[0-9])|(://)|(www\.)", re.IGNORECASE
)
_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
# C0 controls but tab, DEL, and the bidirectional overrides that reorder what a reader sees.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _neutralise(text: str) -> str:
    def cut(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "://":
            return ":" + WORD_JOINER + "//"
        if token.lower() == "www.":
            return token[:3] + WORD_JOINER + "."
        return token + WORD_JOINER

    return _LINKERS.sub(cut, text)


def plain_text(text: str) -> str:
    """Text for plain-text fields: control characters dropped, mentions, issue references and
    bare URLs broken with an invisible word joiner."""
    return _neutralise(_CONTROL.sub("", text))


def escape_markdown(text: str) -> str:
    """``text`` rendered literally, on one line, inside GitHub Markdown (also in table cells)."""
    text = _BREAKS.sub(" ", plain_text(text)).strip()
    out = "".join(_HTML.get(ch) or ("\\" + ch if ch in _MD_PUNCT else ch) for ch in text)
    lead = _LEAD.match(out)
    if lead:  # "- x", "+ x", "1. x", "1) x", "=" (a setext underline) at the start of a line
        marker = lead.group(1) or lead.group(3)
        out = (lead.group(2) or "") + "\\" + marker + out[lead.end() :]
    return out


def code_span(text: str, *, limit: int = 200, table: bool = False) -> str:
    """``text`` as inline code: a fence of backticks longer than any run inside it, padded
    when the text starts or ends with a backtick; line breaks become spaces; at most ``limit``
    characters (an ellipsis marks a cut). ``table=True`` escapes ``|`` so a table cell holds."""
    text = _BREAKS.sub(" ", _CONTROL.sub("", text))
    if len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    if table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"
