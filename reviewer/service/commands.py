"""Comment commands on pull requests: ``/gatehouse rescan | ai [tool] | ignore <fp> <reason> |
unignore <fp> [reason] | help``.

Acted on only for users with write access (the collaborator-permission API) and
acknowledged with a reaction. Commands from others get one short reply; bots are
ignored silently. Dismissals follow :mod:`reviewer.app.dismissal_policy`: never by the
PR's author or its commits' authors and committers, and each one (or its revocation) is a
new row of the store's history, for this PR and this finding's content only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from reviewer.app.commands import (
    HELP,
    MIN_FP,
    WRITE_ROLES,
    Command,
    fingerprint_arg,
    is_bot,
    parse_command,
)
from reviewer.app.dismissal_policy import Refusal, may_dismiss, may_revoke
from reviewer.app.markdown import escape_markdown
from reviewer.app.outcome import DONE, IGNORED, Outcome, failed
from reviewer.app.scan_request import ScanRequest, ScanState
from reviewer.errors import ConfigError
from reviewer.service.github_client import MAX_PR_COMMITS
from reviewer.service.handler_context import HandlerContext
from reviewer.service.repo_config import load_repo_config
from reviewer.service.scan_runner import run_scan

__all__ = ["handle_comment"]

logger = logging.getLogger(__name__)


def handle_comment(ctx: HandlerContext, payload: Mapping[str, Any]) -> Outcome:
    """Act on an ``issue_comment`` ``created`` event; returns the outcome."""
    issue = payload.get("issue") or {}
    comment = payload.get("comment") or {}
    user = comment.get("user") or {}
    if not issue.get("pull_request"):
        return IGNORED
    command = parse_command(str(comment.get("body") or ""))
    if command is None or is_bot(user):
        return IGNORED
    installation_id = int((payload.get("installation") or {}).get("id") or 0)
    repo = str((payload.get("repository") or {}).get("full_name") or "")
    default_branch = (payload.get("repository") or {}).get("default_branch")
    if not installation_id or not repo:
        return IGNORED
    number = int(issue["number"])
    login = str(user.get("login") or "")
    client = ctx.require_github().installation(installation_id)
    role = client.collaborator_permission(repo, login)
    if role not in WRITE_ROLES:
        # One short reply per person and PR, never more (recorded in the store, so it holds
        # across worker processes and restarts).
        if ctx.store.claim_notice("needs-write-access", repo, number, login):
            try:
                client.create_issue_comment(
                    repo,
                    number,
                    f"@{login} Gatehouse commands need write "
                    "access to this repository; this one was ignored.",
                )
            except Exception:
                ctx.store.release_notice("needs-write-access", repo, number, login)
                raise
        return IGNORED
    client.add_reaction(repo, int(comment["id"]), "+1")
    logger.info("command %s from @%s on %s#%s", command.name, login, repo, number)

    def rescan(trigger: str, **kw: Any) -> Outcome:
        pr = client.get_pull(repo, number)
        if pr.state != "open":
            client.create_issue_comment(repo, number, "Gatehouse only scans open pull requests.")
            return IGNORED
        outcome = run_scan(
            ctx,
            ScanRequest(
                installation_id,
                repo,
                number,
                pr.head_sha,
                trigger,
                default_branch=default_branch,
                **kw,
            ),
        )
        if outcome.state in (ScanState.COMPLETED, ScanState.SUPERSEDED):
            return DONE
        return failed(outcome.detail)

    if command.name == "rescan":
        return rescan("rescan")
    if command.name == "ai":
        tool = " ".join(command.args).strip()
        return rescan("ai", manual_tool=tool, manual_by=login)
    if command.name in ("ignore", "dismiss"):
        return _ignore(ctx, client, repo, number, login, role, command, rescan, default_branch)
    if command.name in ("unignore", "undismiss", "revoke"):
        return _unignore(ctx, client, repo, number, login, role, command, rescan, default_branch)
    client.create_issue_comment(repo, number, HELP)
    return DONE


def _required_role(
    client: Any, repo: str, number: int, login: str, default_branch: str | None
) -> str | None:
    """The policy's ``dismiss_requires``; None (after a reply) when the policy is invalid."""
    try:
        return load_repo_config(client, repo, default_branch=default_branch).dismiss_requires
    except ConfigError as exc:
        client.create_issue_comment(
            repo,
            number,
            f"@{login} No dismissal is recorded while the repository's "
            f"Gatehouse policy is invalid: {escape_markdown(exc.diagnostics())}",
        )
        return None


def _refuse(
    client: Any, repo: str, number: int, login: str, refusal: Refusal, what: str
) -> Outcome:
    logger.info("%s on %s#%s refused for @%s: %s", what, repo, number, login, refusal.reason)
    client.create_issue_comment(repo, number, f"@{login} {refusal.text}")
    return IGNORED


def _ignore(
    ctx: HandlerContext,
    client: Any,
    repo: str,
    number: int,
    login: str,
    role: str,
    command: Command,
    rescan: Callable[..., Outcome],
    default_branch: str | None,
) -> Outcome:
    prefix = fingerprint_arg(command)
    if prefix is None or len(command.args) < 2:
        client.create_issue_comment(
            repo,
            number,
            "Usage: `/gatehouse ignore <fingerprint> <reason>`: the "
            f"fingerprint (at least {MIN_FP} hex characters) is shown with "
            "each finding, and a reason is required.",
        )
        return IGNORED
    reason = command.text[len(command.args[0]) :].strip().strip('"')
    required = _required_role(client, repo, number, login, default_branch)
    if required is None:
        return IGNORED
    pr = client.get_pull(repo, number)
    commits = client.list_pull_commits(repo, number)
    listed_all = len(commits) >= pr.commits or len(commits) < MAX_PR_COMMITS
    refusal = may_dismiss(
        login,
        role=role,
        required=required,
        pr_author=pr.author,
        commits=commits,
        all_commits_listed=listed_all,
    )
    if refusal is not None:
        return _refuse(client, repo, number, login, refusal, "dismissal")
    record = ctx.store.get_scan(repo, number, pr.head_sha)
    saved = ctx.store.findings_for(record.id) if record is not None else []
    matches = {
        f["fingerprint"]: f for f in saved if str(f.get("fingerprint", "")).startswith(prefix)
    }
    if len(matches) != 1:
        what = "no finding" if not matches else f"{len(matches)} findings"
        client.create_issue_comment(
            repo,
            number,
            f"`{prefix}` matches {what} of the scan of the current head "
            f"({pr.head_sha[:7]}); give a longer fingerprint.",
        )
        return IGNORED
    fp, finding = next(iter(matches.items()))
    ctx.store.add_dismissal(
        repo,
        number,
        fp,
        rule_id=str(finding.get("rule_id", "")),
        path=str(finding.get("path", "")),
        who=login,
        reason=reason[:500],
        head_sha=pr.head_sha,
    )
    logger.info(
        "finding %s on %s#%s dismissed by @%s at %s", fp[:12], repo, number, login, pr.head_sha[:12]
    )
    return rescan("ignore")


def _unignore(
    ctx: HandlerContext,
    client: Any,
    repo: str,
    number: int,
    login: str,
    role: str,
    command: Command,
    rescan: Callable[..., Outcome],
    default_branch: str | None,
) -> Outcome:
    prefix = fingerprint_arg(command)
    if prefix is None:
        client.create_issue_comment(
            repo,
            number,
            "Usage: `/gatehouse unignore <fingerprint> [reason]`, with "
            f"at least {MIN_FP} hex characters of a dismissed finding's "
            "fingerprint.",
        )
        return IGNORED
    required = _required_role(client, repo, number, login, default_branch)
    if required is None:
        return IGNORED
    refusal = may_revoke(role=role, required=required)
    if refusal is not None:
        return _refuse(client, repo, number, login, refusal, "revocation")
    active = ctx.store.active_dismissals(repo, number)
    matches = {fp: row for fp, row in active.items() if fp.startswith(prefix)}
    if len(matches) != 1:
        what = "no dismissal" if not matches else f"{len(matches)} dismissals"
        client.create_issue_comment(
            repo, number, f"`{prefix}` matches {what} in force on this pull request."
        )
        return IGNORED
    fp, row = next(iter(matches.items()))
    pr = client.get_pull(repo, number)
    reason = command.text[len(command.args[0]) :].strip().strip('"')
    ctx.store.revoke_dismissal(
        repo,
        number,
        fp,
        rule_id=str(row["rule_id"]),
        path=str(row["path"]),
        who=login,
        reason=reason[:500],
        head_sha=pr.head_sha,
    )
    logger.info("dismissal of %s on %s#%s revoked by @%s", fp[:12], repo, number, login)
    return rescan("unignore")
