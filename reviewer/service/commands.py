"""Comment commands on pull requests: ``/gatehouse rescan | ai [tool] | ignore <fp> <reason> | help``.

Acted on only for users with write access (the collaborator-permission API) and
acknowledged with a reaction. Commands from others get one short reply; bots are
ignored silently.
"""

from __future__ import annotations

import logging
import re
import shlex
from dataclasses import dataclass
from typing import Any, Mapping

from reviewer.service.scan_runner import ScanRequest, run_scan

__all__ = ["Command", "parse_command", "handle_comment", "HELP", "WRITE_ROLES"]

logger = logging.getLogger(__name__)

WRITE_ROLES = frozenset({"admin", "maintain", "write"})
_PREFIX = re.compile(r"^\s*/gatehouse\b(?P<rest>.*)$", re.I | re.M)
_FP = re.compile(r"^[0-9a-f]{6,64}$")

HELP = """**Gatehouse commands** (for people with write access):

- `/gatehouse rescan`: scan the pull request's current head again
- `/gatehouse ai [tool]`: mark this pull request as AI-assisted (optionally naming the tool) and scan it
- `/gatehouse ignore <fingerprint> <reason>`: dismiss one finding (recorded with who, when and why)
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
    return Command(name, tuple(words[1:]), rest[len(words[0]):].strip())


def _is_bot(user: Mapping[str, Any]) -> bool:
    return str(user.get("type") or "") == "Bot" or str(user.get("login") or "").endswith("[bot]")


def handle_comment(ctx: Any, payload: Mapping[str, Any]) -> str:
    """Act on an ``issue_comment`` ``created`` event; returns the outcome."""
    issue = payload.get("issue") or {}
    comment = payload.get("comment") or {}
    user = comment.get("user") or {}
    if not issue.get("pull_request"):
        return "ignored"
    command = parse_command(str(comment.get("body") or ""))
    if command is None or _is_bot(user):
        return "ignored"
    installation_id = int((payload.get("installation") or {}).get("id") or 0)
    repo = str((payload.get("repository") or {}).get("full_name") or "")
    default_branch = (payload.get("repository") or {}).get("default_branch")
    if not installation_id or not repo:
        return "ignored"
    number = int(issue["number"])
    login = str(user.get("login") or "")
    client = ctx.require_github().installation(installation_id)
    role = client.collaborator_permission(repo, login)
    if role not in WRITE_ROLES:
        # One short reply per person and PR, never more (recorded in the store, so it holds
        # across worker processes and restarts).
        if ctx.store.claim_notice("needs-write-access", repo, number, login):
            try:
                client.create_issue_comment(repo, number, f"@{login} Gatehouse commands need write "
                                                          "access to this repository; this one was ignored.")
            except Exception:
                ctx.store.release_notice("needs-write-access", repo, number, login)
                raise
        return "ignored"
    client.add_reaction(repo, int(comment["id"]), "+1")
    logger.info("command %s from @%s on %s#%s", command.name, login, repo, number)

    def rescan(trigger: str, **kw: Any) -> str:
        pr = client.get_pull(repo, number)
        if pr.state != "open":
            client.create_issue_comment(repo, number, "Gatehouse only scans open pull requests.")
            return "ignored"
        outcome = run_scan(ctx, ScanRequest(installation_id, repo, number, pr.head_sha, trigger,
                                            default_branch=default_branch, **kw))
        return "done" if outcome.state in ("completed", "superseded") else f"failed: {outcome.detail}"

    if command.name == "rescan":
        return rescan("rescan")
    if command.name == "ai":
        tool = " ".join(command.args).strip()
        return rescan("ai", manual_tool=tool, manual_by=login)
    if command.name in ("ignore", "dismiss"):
        return _ignore(ctx, client, repo, number, login, command, rescan)
    client.create_issue_comment(repo, number, HELP)
    return "done"


def _ignore(ctx: Any, client: Any, repo: str, number: int, login: str, command: Command, rescan: Any) -> str:
    if len(command.args) < 2 or not _FP.match(command.args[0].lower()):
        client.create_issue_comment(repo, number, "Usage: `/gatehouse ignore <fingerprint> <reason>`: the "
                                                  "fingerprint (at least 6 hex characters) is shown with each "
                                                  "finding, and a reason is required.")
        return "ignored"
    prefix = command.args[0].lower()
    reason = command.text[len(command.args[0]):].strip().strip('"')
    pr = client.get_pull(repo, number)
    record = ctx.store.get_scan(repo, number, pr.head_sha)
    saved = ctx.store.findings_for(record.id) if record is not None else []
    matches = {f["fingerprint"]: f for f in saved if str(f.get("fingerprint", "")).startswith(prefix)}
    if len(matches) != 1:
        what = "no finding" if not matches else f"{len(matches)} findings"
        client.create_issue_comment(repo, number, f"`{prefix}` matches {what} of the latest scan; "
                                                  "give a longer fingerprint.")
        return "ignored"
    fp, finding = next(iter(matches.items()))
    ctx.store.add_suppression(repo, fp, rule_id=str(finding.get("rule_id", "")), path=str(finding.get("path", "")),
                              who=login, reason=reason[:500])
    logger.info("finding %s on %s dismissed by @%s", fp[:12], repo, login)
    return rescan("ignore")
