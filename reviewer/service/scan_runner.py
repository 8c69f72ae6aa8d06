"""One scan of one PR head: check run in, analysis, policy, check run out, inline review.

The check run is created ``in_progress`` on the head SHA when the scan starts and
is always completed: with the policy's conclusion, with ``cancelled`` when a newer
push superseded the head (and then no stale comment is posted), or with the reason
when the scan itself failed. Transient GitHub errors propagate to the job, which
retries; when it gives up, :func:`end_check_run` ends the run with the reason.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from reviewer.app.ai_signals import CommitFacts, extract_signals, with_signals
from reviewer.app.provenance import PRFacts, detect, load_signatures, manual_flag
from reviewer.app.repo_config import ScanPolicy
from reviewer.app.report import (
    ScanReport,
)
from reviewer.app.scan_decision import (
    decide,
    intermediate_findings,
    invalid_config_decision,
    provenance_fields,
    split_dismissed,
)
from reviewer.app.scan_request import ScanOutcome, ScanRequest, ScanState
from reviewer.core.analyzers.base import ScanOptions
from reviewer.core.engine import scan_many
from reviewer.errors import ConfigError, GatehouseError
from reviewer.service.fetch import fetch_change
from reviewer.service.github_client import (
    GitHubError,
    InstallationClient,
    PullRequest,
    TransientGitHubError,
)
from reviewer.service.handler_context import HandlerContext
from reviewer.service.leases import Heartbeat
from reviewer.service.publish import fail_run, publish, scan_metric, superseded
from reviewer.service.repo_config import load_repo_config
from reviewer.service.retry import TransientError
from reviewer.service.store import worker_identity

__all__ = ["ScanBusy", "end_check_run", "run_scan"]

logger = logging.getLogger(__name__)


def _manual_flag(store: Any, repo: str, pr: int) -> tuple[str | None, str | None]:
    """A maintainer's earlier ``/gatehouse ai [tool]`` for this PR, from the registry."""
    try:
        rows = store.registry()
    except Exception:
        return None, None
    return manual_flag(rows, repo, pr)


class ScanBusy(TransientError):
    """Another worker holds this head's scan right now: retry once it is done."""


SCAN_LEASE_S = 60.0  # renewed by the worker's heartbeat; a dead worker's scan frees up after this


def _lease_owner() -> str:
    """``<worker identity>#<thread>``: the worker's heartbeat renews the leases of its threads."""
    return f"{worker_identity()}#{threading.get_ident()}"


def run_scan(ctx: HandlerContext, req: ScanRequest) -> ScanOutcome:
    """Scan one head of one PR and publish the result. See the module docstring."""
    store = ctx.store
    client = ctx.require_github().installation(req.installation_id)
    record = store.begin_scan(
        req.repo, req.pr, req.head_sha, installation_id=req.installation_id, trigger=req.trigger
    )
    if record.state == ScanState.COMPLETED and not req.forced:
        return ScanOutcome(
            ScanState.COMPLETED, record.conclusion, record.check_run_id, detail="already scanned"
        )
    owner = _lease_owner()
    Heartbeat.ensure(store, worker_identity(), SCAN_LEASE_S)
    if not store.claim_scan(record.id, owner=owner, lease_s=SCAN_LEASE_S):
        raise ScanBusy(
            f"{req.repo}#{req.pr} at {req.head_sha[:12]} is being scanned by another worker",
            retry_after=15.0,
        )
    try:
        return _run_claimed(ctx, client, req, record)
    finally:
        store.release_scan(record.id, owner=owner)


def _run_claimed(
    ctx: HandlerContext, client: InstallationClient, req: ScanRequest, record: Any
) -> ScanOutcome:
    store = ctx.store
    try:
        pr = client.get_pull(req.repo, req.pr)
    except GitHubError as exc:
        if not isinstance(exc, TransientGitHubError):
            store.update_scan(
                record.id,
                state=ScanState.FAILED,
                error=exc.diagnostics()[:500],
                finished_at=time.time(),
            )
        raise
    if pr.head_sha and pr.head_sha != store.latest_head(req.repo, req.pr):
        store.set_latest_head(req.repo, req.pr, pr.head_sha)
    if pr.head_sha != req.head_sha:
        return superseded(ctx, client, record, req, pr.head_sha, None)
    if pr.state != "open":
        store.update_scan(record.id, state=ScanState.SUPERSEDED, error="pull request is closed")
        return ScanOutcome(ScanState.SUPERSEDED, detail="closed")

    started = time.monotonic()
    check_run_id = (
        record.check_run_id if record.check_run_id and record.state != ScanState.COMPLETED else None
    )
    body = {
        "status": "in_progress",
        "output": {"title": "Scanning…", "summary": "Gatehouse is scanning this commit."},
    }
    if check_run_id is None:
        check_run_id = client.create_check_run(
            req.repo,
            {
                "name": ctx.settings.check_name,
                "head_sha": req.head_sha,
                "external_id": f"{req.pr}",
                **body,
            },
        )
    else:
        client.update_check_run(req.repo, check_run_id, body)
    store.update_scan(
        record.id, state=ScanState.RUNNING, check_run_id=check_run_id, started_at=time.time()
    )
    try:
        return _scan_and_publish(ctx, client, req, pr, record, check_run_id, started)
    except TransientGitHubError:
        raise  # the job retries; when it gives up, end_check_run() ends the run
    except Exception as exc:  # noqa: BLE001 - never leave a check run in progress
        reason = (
            exc.diagnostics()
            if isinstance(exc, GatehouseError)
            else f"internal error ({type(exc).__name__})"
        )
        logger.exception("scan of %s#%s at %s failed", req.repo, req.pr, req.head_sha[:12])
        fail_run(client, req.repo, check_run_id, reason)
        store.update_scan(
            record.id,
            state=ScanState.FAILED,
            conclusion="failure",
            error=reason[:500],
            finished_at=time.time(),
            duration_s=round(time.monotonic() - started, 3),
        )
        scan_metric("SCANS", "error")
        return ScanOutcome(ScanState.FAILED, "failure", check_run_id, detail=reason)


def end_check_run(
    ctx: HandlerContext, installation_id: int, repo: str, pr: int, head_sha: str, reason: str
) -> bool:
    """End a scan's check run left in progress (the job gave up). True when one was ended."""
    record = ctx.store.get_scan(repo, pr, head_sha)
    if record is None or not record.check_run_id or ScanState(record.state).finished:
        return False
    if record.leased_by_other():
        return False  # another worker is scanning this head right now and will end its run
    client = ctx.require_github().installation(installation_id)
    fail_run(client, repo, record.check_run_id, reason)
    ctx.store.update_scan(
        record.id,
        state=ScanState.FAILED,
        conclusion="failure",
        error=reason[:500],
        finished_at=time.time(),
    )
    return True


def _scan_and_publish(
    ctx: HandlerContext,
    client: InstallationClient,
    req: ScanRequest,
    pr: PullRequest,
    record: Any,
    check_run_id: int,
    started: float,
) -> ScanOutcome:
    store = ctx.store
    try:
        config = load_repo_config(client, req.repo, default_branch=req.default_branch)
    except ConfigError as exc:
        decision = invalid_config_decision(exc.diagnostics())
        return publish(
            ctx,
            client,
            req,
            record,
            check_run_id,
            started,
            ScanReport(req.head_sha, decision, scanned=False),
            findings=[],
            fetched=None,
        )
    signatures = load_signatures().extended(config.ai_signatures)
    config = config.marked_sensitive(pr.base_topics)
    fetched = fetch_change(
        client,
        pr,
        ignore_paths=config.ignore_paths,
        client_factory=lambda: ctx.require_github().installation(req.installation_id),
    )
    manual_tool, manual_by = (req.manual_tool, req.manual_by)
    if manual_tool is None:
        manual_tool, manual_by = _manual_flag(store, req.repo, req.pr)
    facts = PRFacts(
        author=pr.author,
        author_type=pr.author_type,
        head_ref=pr.head_ref,
        body=pr.body,
        labels=pr.labels,
        commit_messages=tuple(c.message for c in fetched.commits),
        commit_authors=tuple(c.author_login for c in fetched.commits),
        manual_tool=manual_tool,
        manual_by=manual_by,
    )
    declared = detect(facts, signatures)
    signals = extract_signals(
        files=fetched.changeset.files,
        body=pr.body,
        signatures=signatures,
        commits=[
            CommitFacts(c.sha, c.message, c.author_login, c.committer_login)
            for c in fetched.commits
        ],
    )
    # Under `ai-signals` (and in sensitive repositories) signals of medium or high confidence
    # count as AI use: for scanning, for require_human_for and for the registry.
    provenance = with_signals(declared, signals) if config.signals_count else declared
    prov_fields = provenance_fields(provenance, signals, fetched.notes, config)
    if config.effective_scan is not ScanPolicy.ALL and not provenance.ai_assisted:
        decision = decide(None, [], provenance, config)
        report = ScanReport(req.head_sha, decision, scanned=False, **prov_fields)
        return publish(
            ctx,
            client,
            req,
            record,
            check_run_id,
            started,
            report,
            findings=[],
            fetched=fetched,
            provenance=provenance,
            signals=signals,
            config=config,
        )

    options = ScanOptions(
        disabled_rules=config.disabled_rules,
        allowed_domains=config.allowed_domains,
        ignore_paths=config.ignore_paths,
    )
    # The final change and each earlier commit in one run of the analyzers.
    result, *by_commit = scan_many(
        [fetched.changeset, *(c.changeset for c in fetched.intermediate)],
        options=options,
        analyzers=_analyzers(ctx),
    )
    # Dismissals apply to this PR only, and only to the very content dismissed (the fingerprint
    # hashes rule, path and the whole matched code, or a binary's bytes).
    active, suppressed = split_dismissed(result.findings, store.active_dismissals(req.repo, req.pr))
    intermediate = intermediate_findings(
        fetched.changeset.files,
        [(c.sha, r) for c, r in zip(fetched.intermediate, by_commit, strict=True)],
        result.findings,
    )
    decision = decide(result, active, provenance, config, not_fetched=fetched.not_analysed)
    report = ScanReport(
        req.head_sha,
        decision,
        findings=tuple(active),
        suppressed=suppressed,
        intermediate=tuple(intermediate),
        skipped=tuple(fetched.not_analysed) + tuple(result.skipped),
        errors=tuple(result.errors),
        **prov_fields,
    )
    return publish(
        ctx,
        client,
        req,
        record,
        check_run_id,
        started,
        report,
        findings=active,
        fetched=fetched,
        provenance=provenance,
        all_findings=result.findings,
        signals=signals,
        config=config,
    )


def _analyzers(ctx: HandlerContext) -> Sequence[Any] | None:
    return ctx.analyzers
