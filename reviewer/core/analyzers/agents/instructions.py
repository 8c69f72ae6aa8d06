"""Reading instruction text: which dangers a sentence orders, whether it is negated or
addressed to nobody, and where comments hide it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewer.core.analyzers.agents.patterns import (
    BUILD_TOOL,
    COMMENT,
    CONCEAL,
    DESTRUCTIVE,
    EXFIL_DEST,
    EXFIL_OBJECT,
    EXFIL_VERB,
    NEGATION,
    OVERRIDE,
    PERSUADE,
    PLANT_BYPASS,
    PLANT_EXEC,
    REMOTE_EXEC,
    RUN_COMMAND,
    SETUP_FIRST,
    STANDING,
)


def _negated_before(text: str, start: int) -> bool:
    """True when the sentence before ``start`` negates the action ("never run ...")."""
    head = text[:start]
    cut = max(head.rfind("."), head.rfind(";"), head.rfind("!"), head.rfind("?"))
    sentence = head[cut + 1 :] if cut >= 0 else head
    return bool(NEGATION.search(sentence[-80:]))


def comment_text_of(line: str) -> str | None:
    m = COMMENT.match(line) or COMMENT.search(line)
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


@dataclass(frozen=True)
class _Danger:
    kind: str
    text: str


def dangers_in(text: str) -> list[_Danger]:
    """Dangerous things a sentence asks for, each with its matched text."""
    found: list[_Danger] = []
    for kind, pattern in (
        ("destructive command", DESTRUCTIVE),
        ("remote code piped into a shell", REMOTE_EXEC),
    ):
        for hit in pattern.finditer(text):
            if not _negated_before(text, hit.start()):
                found.append(_Danger(kind, hit.group(0)))
                break
    m = CONCEAL.search(text)
    if m:
        found.append(_Danger("concealment from the user", m.group(0)))
    m = OVERRIDE.search(text)
    if m:
        found.append(_Danger("override of earlier instructions", m.group(0)))
    m = PERSUADE.search(text)
    if m:
        found.append(_Danger("a cover story for the user", m.group(0)))
    m = PLANT_BYPASS.search(text)
    if m and not _negated_before(text, m.start()):
        found.append(_Danger("a hidden credential or access bypass", m.group(0)))
    m = PLANT_EXEC.search(text)
    if m and not _negated_before(text, m.start()):
        found.append(_Danger("code that runs request input", m.group(0)))
    verb = EXFIL_VERB.search(text)
    if (
        verb
        and EXFIL_OBJECT.search(text)
        and EXFIL_DEST.search(text)
        and not _negated_before(text, verb.start())
    ):
        found.append(_Danger("sending data out", verb.group(0)))
    strong = STANDING.search(text)
    if strong or SETUP_FIRST.search(text):
        run = RUN_COMMAND.search(text)
        if (
            run
            and not _negated_before(text, run.start())
            and (strong or not _is_build_step(run.group(0)))
        ):
            found.append(_Danger("a command to run before every task", run.group(0)))
    return found


# "Silently remove it" and "hide this from indexers" are how code comments describe code; hiding
# counts in a comment that speaks to no one only when a person is kept in the dark or the thing
# done silently reaches outside (runs, installs, sends).
_KEPT_IN_THE_DARK = re.compile(
    r"\b(?:users?|humans?|developers?|reviewers?|reviews?|maintainers?|anyone|nobody|them|logs?|output)\b"
    r"|\bsilently\s+(?:run|execute|install|download|send|upload|source|invoke|call|fetch|push|commit)\b",
    re.I,
)


def unaddressed_order(text: str, danger: _Danger) -> bool:
    """True when a danger found in a comment addressed to no one still reads as an order."""
    if danger.kind != "concealment from the user":
        return True
    if danger.text.lower().startswith("without"):
        return (
            False  # "works without asking the user to ..." describes behaviour; it orders nothing
        )
    at = max(0, text.find(danger.text))
    return bool(_KEPT_IN_THE_DARK.search(text, at, at + len(danger.text) + 40))


def _is_build_step(run: str) -> bool:
    """True when the command a setup-first sentence names is an ordinary build or test tool."""
    m = re.search(r"`([^`]+)`", run)
    command = m.group(1).strip() if m else re.sub(r"^\W*\w+\s+", "", run).strip()
    return bool(BUILD_TOOL.match(command))


_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)


def html_comment_lines(text: str) -> frozenset[int]:
    """1-based numbers of lines that lie inside ``<!-- ... -->`` (hidden when Markdown renders)."""
    if "<!--" not in text:
        return frozenset()
    lines: set[int] = set()
    for m in _HTML_COMMENT.finditer(text):
        first = text.count("\n", 0, m.start()) + 1
        lines.update(range(first, first + m.group(0).count("\n") + 1))
    return frozenset(lines)


def clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."
