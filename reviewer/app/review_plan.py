"""Plan the inline review of a scan: a comment on the exact added line of each medium+ finding.

Pure: findings and the diff in, the comments to post out (``reviewer.service.review`` posts
them). Comments go only on lines inside the diff's hunks (checked before sending: one
misplaced comment makes GitHub reject the whole review with 422), at most about
25 a scan, and never twice: each carries a hidden fingerprint marker, matched
together with the App's own bot login.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from reviewer.app.markdown import code_span, escape_markdown
from reviewer.app.report import short_fp
from reviewer.core.changeset import FileChange
from reviewer.core.findings import Finding, Severity

__all__ = [
    "MAX_COMMENTS",
    "marker",
    "fingerprints_posted",
    "plan_comments",
    "comment_body",
    "PostedComment",
    "ReviewPlan",
]

MAX_COMMENTS = 25
_MARKER = re.compile(r"<!-- gatehouse:fp=([0-9a-f]{8,64}) -->")


def marker(fp: str) -> str:
    return f"<!-- gatehouse:fp={fp} -->"


class PostedComment(Protocol):
    """A review comment already on the pull request (the GitHub client's ``ReviewComment``)."""

    @property
    def author(self) -> str: ...
    @property
    def body(self) -> str: ...


def fingerprints_posted(comments: Iterable[PostedComment], bot_login: str) -> set[str]:
    """Fingerprints already commented by the App itself (others' copies of a marker don't count)."""
    out: set[str] = set()
    for c in comments:
        if c.author.lower() != bot_login.lower():
            continue
        out.update(_MARKER.findall(c.body))
    return out


@dataclass(frozen=True)
class ReviewPlan:
    """The comments to post, and the findings that stay in the annotations only."""

    comments: tuple[dict[str, Any], ...]
    not_placed: tuple[Finding, ...]
    already_posted: int


def _place(f: Finding, change: FileChange) -> tuple[int, int | None] | None:
    """``(line, start_line)`` inside one hunk, preferring the finding's exact added lines."""
    span = range(f.start_line, max(f.end_line, f.start_line) + 1)
    for hunk in change.hunks:
        inside = [n for n in span if hunk.contains(n)]
        if not inside:
            continue
        added = [n for n in inside if change.is_added_line(n)] or inside
        first, last = added[0], added[-1]
        return (last, first if first < last else None)
    return None


def _finding_text(f: Finding) -> list[str]:
    lines = [
        f"**Gatehouse · {escape_markdown(f.severity.label)} · {escape_markdown(f.category)}** "
        f"· {code_span(f.rule_id)}",
        "",
        escape_markdown(f.message),
    ]
    if f.remediation:
        lines += ["", f"**How to fix:** {escape_markdown(f.remediation)}"]
    return lines


def comment_body(findings: Finding | Sequence[Finding]) -> str:
    """One inline comment for the findings on one line (the text may quote the PR: escaped)."""
    group = [findings] if isinstance(findings, Finding) else list(findings)
    lines: list[str] = []
    for i, f in enumerate(group):
        if i:
            lines += ["", "---", ""]
        lines += _finding_text(f)
    fps = ", ".join(f"`{short_fp(f.fingerprint)}`" for f in group)
    example = short_fp(group[0].fingerprint)
    lines += [
        "",
        f"<sub>Fingerprint{'s' if len(group) > 1 else ''} {fps}. A reviewer who wrote none of "
        f"this PR can dismiss a finding with `/gatehouse ignore {example} <reason>`.</sub>",
    ]
    lines += [marker(f.fingerprint) for f in group]
    return "\n".join(lines)


def plan_comments(
    findings: Sequence[Finding],
    changes: Mapping[str, FileChange],
    *,
    posted: set[str],
    no_diff: set[str] = frozenset(),  # type: ignore[assignment]
    limit: int = MAX_COMMENTS,
) -> ReviewPlan:
    """Choose the inline comments for a scan (pure).

    Findings placed on the same lines share one comment (a backdoor line that several
    rules flag gets one comment listing each), so the PR is not flooded.
    """
    groups: dict[tuple[str, int, int | None], list[Finding]] = {}
    not_placed: list[Finding] = []
    seen: set[str] = set()
    already = 0
    ordered = sorted(findings, key=lambda f: (-int(f.severity), f.path, f.start_line))
    for f in ordered:
        if f.severity < Severity.MEDIUM or f.fingerprint in seen:
            continue
        seen.add(f.fingerprint)
        if f.fingerprint in posted:
            already += 1
            continue
        change = changes.get(f.path)
        where = _place(f, change) if change is not None and f.path not in no_diff else None
        if where is None:
            not_placed.append(f)
            continue
        key = (f.path, where[0], where[1])
        if key not in groups and len(groups) >= limit:
            not_placed.append(f)
            continue
        groups.setdefault(key, []).append(f)
    comments: list[dict[str, Any]] = []
    for (path, line, start), group in groups.items():
        c: dict[str, Any] = {
            "path": path,
            "line": line,
            "side": "RIGHT",
            "body": comment_body(group),
        }
        if start is not None:
            c.update(start_line=start, start_side="RIGHT")
        comments.append(c)
    return ReviewPlan(tuple(comments), tuple(not_placed), already)
