"""Publish a finished scan: inline review, store records, check run; or end the run early.

:func:`publish` posts the review first (so a completed check run means everything is
posted), records the findings, the AI registry row and the decision, then completes the
check run. :func:`superseded` ends a run whose head moved on; :func:`fail_run` ends one the
scan could not finish, never green.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from reviewer.app.ai_signals import Signal
from reviewer.app.provenance import Provenance
from reviewer.app.repo_config import RepoConfig
from reviewer.app.report import RESCAN_ACTION, Conclusion, ScanReport, annotation_batches, render
from reviewer.app.review_plan import fingerprints_posted, plan_comments
from reviewer.app.scan_request import ScanOutcome, ScanRequest, ScanState
from reviewer.core.findings import Finding, Severity
from reviewer.service.fetch import FetchedChange
from reviewer.service.github_client import GitHubError, InstallationClient, TransientGitHubError
from reviewer.service.handler_context import HandlerContext
from reviewer.service.review import post_review

__all__ = ["fail_run", "publish", "scan_metric", "superseded"]

logger = logging.getLogger(__name__)


def scan_metric(name: str, *labels: str, value: float | None = None) -> None:
    try:
        from reviewer.service import metrics

        m = getattr(metrics, name)
        m = m.labels(*labels) if labels else m
        m.observe(value) if value is not None else m.inc()
    except Exception:  # metrics never break a scan
        pass


def fail_run(client: InstallationClient, repo: str, check_run_id: int, reason: str) -> None:
    client.update_check_run(
        repo,
        check_run_id,
        {
            "status": "completed",
            "conclusion": "failure",
            "output": {
                "title": "Gatehouse could not finish the scan",
                "summary": "The scan did not complete, so this commit is not cleared.\n\n"
                f"Reason: {reason[:2000]}\n\n"
                "Use the Re-scan button or comment `/gatehouse rescan` to try again.",
            },
            "actions": [RESCAN_ACTION],
        },
    )


def superseded(
    ctx: HandlerContext,
    client: InstallationClient,
    record: Any,
    req: ScanRequest,
    newer: str,
    check_run_id: int | None,
) -> ScanOutcome:
    run_id = check_run_id or (record.check_run_id if record.state != ScanState.COMPLETED else None)
    if run_id:
        client.update_check_run(
            req.repo,
            run_id,
            {
                "status": "completed",
                "conclusion": Conclusion.CANCELLED.value,
                "output": {
                    "title": "Superseded by a newer push",
                    "summary": f"The pull request's head moved to {newer[:12]} while this "
                    "commit was being scanned; the newer commit gets its own Gatehouse check run. "
                    "No comments were posted for this one.",
                },
            },
        )
    ctx.store.update_scan(
        record.id,
        state=ScanState.SUPERSEDED,
        conclusion="cancelled" if run_id else None,
        check_run_id=run_id,
        finished_at=time.time(),
    )
    scan_metric("SCANS", "cancelled")
    return ScanOutcome(
        ScanState.SUPERSEDED,
        "cancelled" if run_id else None,
        run_id,
        detail=f"superseded by {newer[:12]}",
    )


def publish(
    ctx: HandlerContext,
    client: InstallationClient,
    req: ScanRequest,
    record: Any,
    check_run_id: int,
    started: float,
    report: ScanReport,
    *,
    findings: Sequence[Finding],
    fetched: FetchedChange | None,
    provenance: Provenance | None = None,
    all_findings: Sequence[Finding] = (),
    signals: Sequence[Signal] = (),
    config: RepoConfig | None = None,
) -> ScanOutcome:
    store = ctx.store
    # Coalescing: if a newer push arrived while scanning, end this run and post nothing stale.
    current = client.get_pull(req.repo, req.pr)
    if current.head_sha != req.head_sha:
        store.set_latest_head(req.repo, req.pr, current.head_sha)
        return superseded(ctx, client, record, req, current.head_sha, check_run_id)

    # The review goes first, so a completed check run means everything is posted.
    comments = 0
    if findings and fetched is not None:
        try:
            posted = fingerprints_posted(
                client.list_review_comments(req.repo, req.pr), ctx.bot_login(req.installation_id)
            )
            plan = plan_comments(
                findings, fetched.hunks_by_path, posted=posted, no_diff=fetched.patchless
            )
            medium = sum(1 for f in findings if f.severity >= Severity.MEDIUM)
            if post_review(client, req.repo, req.pr, req.head_sha, plan, total_medium=medium):
                comments = len(plan.comments)
        except TransientGitHubError:
            raise
        except GitHubError as exc:  # the check run still carries every finding
            logger.warning("inline review on %s#%s not posted: %s", req.repo, req.pr, exc)
            report = dataclasses.replace(
                report,
                notes=report.notes
                + (
                    f"The inline review could not be posted ({exc.status}); every finding is in "
                    "the annotations.",
                ),
            )

    store.save_findings(record.id, [f.to_dict() for f in all_findings or findings])
    if provenance is not None and fetched is not None:
        by_cat = Counter(f.category for f in findings)
        store.record_ai_change(
            repo=req.repo,
            pr=req.pr,
            head_sha=req.head_sha,
            author=fetched.pr.author,
            title=fetched.pr.title,
            tools=list(provenance.tools),
            vendors=list(provenance.vendors),
            evidence=[str(e) for e in provenance.evidence],
            ai_assisted=provenance.ai_assisted,
            verdict=report.decision.conclusion.value,
            findings_by_category=dict(by_cat),
            sensitive=bool(config and config.sensitive),
            signals=[s.to_dict() for s in signals],
        )
    # The audit trail: every decision, append-only, with the policy and the signals it used.
    d = report.decision
    store.record_decision(
        scan_id=record.id,
        repo=req.repo,
        pr=req.pr,
        head_sha=req.head_sha,
        trigger=req.trigger,
        conclusion=d.conclusion.value,
        title=d.title,
        reason=d.reason,
        policy=d.policy,
        sensitive=bool(config and config.sensitive),
        signals_counted=bool(config and config.signals_count),
        signals=[s.to_dict() for s in signals],
    )

    output = render(report)
    batches = annotation_batches(output.annotations)
    for batch in batches[:-1]:
        client.update_check_run(req.repo, check_run_id, {"output": output.body(batch)})
    client.update_check_run(
        req.repo,
        check_run_id,
        {
            "status": "completed",
            "conclusion": report.decision.conclusion.value,
            "output": output.body(batches[-1]),
            "actions": [RESCAN_ACTION],
        },
    )
    duration = round(time.monotonic() - started, 3)
    conclusion = report.decision.conclusion.value
    store.update_scan(
        record.id,
        state=ScanState.COMPLETED,
        conclusion=conclusion,
        finished_at=time.time(),
        duration_s=duration,
        findings_count=len(findings),
    )
    scan_metric("SCANS", conclusion)
    scan_metric("SCAN_SECONDS", value=duration)
    for f in findings:
        scan_metric("FINDINGS", f.severity.label, f.category)
    logger.info(
        "scan of %s#%s at %s: %s, %d findings, %d new comments, %.2fs",
        req.repo,
        req.pr,
        req.head_sha[:12],
        conclusion,
        len(findings),
        comments,
        duration,
    )
    return ScanOutcome(ScanState.COMPLETED, conclusion, check_run_id, len(findings), comments)
