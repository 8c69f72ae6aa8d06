"""Parse ``/gatehouse`` comment commands (pure: a comment body in, a :class:`Command` out).

Who may run a command, and what it does, is decided in ``reviewer.service.commands``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HELP",
    "MIN_FP",
    "WRITE_ROLES",
    "Command",
    "fingerprint_arg",
    "is_bot",
    "parse_command",
]

WRITE_ROLES = frozenset({"admin", "maintain", "write"})
# One line, spaces or tabs before the command: linear on any comment body.
_PREFIX = re.compile(r"^[ \t]*/gatehouse\b(?P<rest>[^\n]*)", re.IGNORECASE | re.MULTILINE)
MIN_FP = 12  # hex characters of a fingerprint a command must give (as the check run shows them)
_FP = re.compile(rf"[0-9a-f]{{{MIN_FP},64}}")

HELP = """**Gatehouse commands** (for people with write access):

- `/gatehouse rescan`: scan the pull request's current head again
- `/gatehouse ai [tool]`: mark this pull request as AI-assisted (optionally naming the tool) \
and scan it
- `/gatehouse ignore <fingerprint> <reason>`: dismiss one finding of this pull request \
(recorded with who, when, why and the head commit); not by the pull request's author nor by \
the authors or committers of its commits
- `/gatehouse unignore <fingerprint> [reason]`: revoke a dismissal; the finding counts again
- `/gatehouse help`: this message"""


@dataclass(frozen=True)
class Command:
    """One parsed command."""

    name: str
    args: tuple[str, ...]
    text: str  # the rest of the line, for reasons


def parse_command(body: str) -> Command | None:
    """The first ``/gatehouse`` line of a comment, or None."""
    m = _PREFIX.search(body or "")
    if not m:
        return None
    rest = m.group("rest").strip()
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    if not words:
        return Command("help", (), "")
    name = words[0].lower()
    return Command(name, tuple(words[1:]), rest[len(words[0]) :].strip())


def is_bot(user: Mapping[str, Any]) -> bool:
    """True for a GitHub App or other bot account (their commands are ignored silently)."""
    return str(user.get("type") or "") == "Bot" or str(user.get("login") or "").endswith("[bot]")


def fingerprint_arg(command: Command) -> str | None:
    """The fingerprint a command names (hex, at least MIN_FP characters), or None."""
    first = command.args[0].lower() if command.args else ""
    return first if _FP.fullmatch(first) else None
