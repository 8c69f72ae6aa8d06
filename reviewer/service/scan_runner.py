"""One scan of one PR head: check run in, analysis, policy, check run out, inline review.

The check run is created ``in_progress`` on the head SHA when the scan starts and
is always completed: with the policy's conclusion, with ``cancelled`` when a newer
push superseded the head (and then no stale comment is posted), or with the reason
when the scan itself failed. Transient GitHub errors propagate to the job, which
retries; when it gives up, :func:`end_check_run` ends the run with the reason.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from reviewer.app.ai_signals import CommitFacts, Signal, extract_signals, with_signals
from reviewer.app.provenance import PRFacts, Provenance, detect, load_signatures
from reviewer.app.repo_config import RepoConfig, ScanPolicy
from reviewer.app.report import (
    RESCAN_ACTION,
    Conclusion,
    Decision,
    ScanReport,
    annotation_batches,
    render,
)
from reviewer.core.analyzers.base import ScanOptions
from reviewer.core.engine import ScanResult, scan_many
from reviewer.core.findings import Finding, Severity, Skipped, normalise_code
from reviewer.errors import ConfigError, GatehouseError
from reviewer.service.fetch import FetchedChange, fetch_change
from reviewer.service.github_client import (
    GitHubError,
    InstallationClient,
    PullRequest,
    TransientGitHubError,
)
from reviewer.service.leases import Heartbeat
from reviewer.service.repo_config import load_repo_config
from reviewer.service.retry import TransientError
from reviewer.service.review import fingerprints_posted, plan_comments, post_review
from reviewer.service.store import worker_identity

__all__ = ["ScanRequest", "ScanOutcome", "run_scan", "decide", "end_check_run", "FORCED_TRIGGERS"]

logger = logging.getLogger(__name__)

# Triggers that scan again even when this head was already scanned.
FORCED_TRIGGERS = frozenset(
    {
        "rescan",
        "rerequested",
        "requested_action",
        "labeled",
        "unlabeled",
        "edited",
        "ai",
        "ignore",
        "unignore",
    }
)


@dataclass(frozen=True)
class ScanRequest:
    """What to scan and why."""

    installation_id: int
    repo: str
    pr: int
    head_sha: str
    trigger: str
    default_branch: str | None = None
    manual_tool: str | None = None
    manual_by: str | None = None

    @property
    def forced(self) -> bool:
        return self.trigger in FORCED_TRIGGERS


@dataclass(frozen=True)
class ScanOutcome:
    """How a scan ended (``state`` is the store's scan state)."""

    state: str
    conclusion: str | None = None
    check_run_id: int | None = None
    findings: int = 0
    comments: int = 0
    detail: str = ""


def _metric(name: str, *labels: str, value: float | None = None) -> None:
    try:
        from reviewer.service import metrics

        m = getattr(metrics, name)
        m = m.labels(*labels) if labels else m
        m.observe(value) if value is not None else m.inc()
    except Exception:  # metrics never break a scan
        pass


def decide(
    result: ScanResult | None,
    findings: Sequence[Finding],
    provenance: Provenance,
    config: RepoConfig,
    *,
    not_fetched: Sequence[Skipped] = (),
) -> Decision:
    """The conclusion by policy (pure). ``result`` None means "not scanned by policy".

    A blocking finding fails the check. Otherwise a scan that is degraded, or that left any
    file unanalysed (``result``'s own skips, or ``not_fetched``: files the scan never got), ends
    as the policy's ``incomplete`` conclusion (action_required unless it says failure): never
    green, whatever else it found.
    """
    policy = config.describe()
    if result is None:
        which = (
            "AI-assisted pull requests only and none of the AI signatures matched"
            if config.scan is ScanPolicy.AI_ASSISTED
            else "pull requests that declare AI use or show an AI signal of medium or high "
            "confidence, and this one shows neither"
        )
        return Decision(
            Conclusion.NEUTRAL,
            "Skipped: no sign of AI assistance",
            f"the policy scans {which}; comment `/gatehouse ai` to mark it.",
            policy,
        )
    worst = max((f.severity for f in findings), default=None)
    blocking = [f for f in findings if f.severity >= config.fail_on]
    human = _human_required(provenance, config)
    if blocking:
        top = worst.label if worst is not None else config.fail_on.label
        return Decision(
            Conclusion.FAILURE,
            f"{len(blocking)} finding(s) at {config.fail_on.label} or worse (worst: {top})",
            f"{len(blocking)} finding(s) at or above the policy's threshold "
            f"({config.fail_on.label}).",
            policy,
        )
    missing = not_analysed_files([*not_fetched, *result.not_analysed])
    if result.degraded or missing:
        parts = [f"{len(missing)} file(s) not analysed"] if missing else []
        parts += [f"{len(result.errors)} analysis error(s)"] if result.errors else []
        named = "; ".join(f"{_where(s)} ({s.reason.value})" for s in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        return Decision(
            Conclusion(config.incomplete),
            "Analysis incomplete",
            f"{' and '.join(parts)}"
            + (f": {named}{more}" if named else "")
            + ". A scan that did not analyse everything is never green; see "
            '"Not analysed" below.',
            policy,
        )
    if human:
        return Decision(
            Conclusion.ACTION_REQUIRED,
            "A human decision is required",
            f"the policy requires a human decision for changes from {human}.",
            policy,
        )
    egress = _egress_blocked(findings, config)
    if egress:
        return Decision(
            Conclusion.ACTION_REQUIRED,
            "AI egress to a blocked vendor",
            f"the change makes code send data to {egress}, which the policy's "
            "ai_egress does not allow; a maintainer decides (dismiss the finding, or "
            "change the policy on the default branch).",
            policy,
        )
    medium = [f for f in findings if f.severity >= Severity.MEDIUM]
    if medium:
        return Decision(
            Conclusion.NEUTRAL,
            f"{len(medium)} finding(s) to review",
            f"{len(medium)} finding(s) below the failing threshold "
            f"({config.fail_on.label}) are worth a look.",
            policy,
        )
    return Decision(
        Conclusion.SUCCESS,
        "No findings" if not findings else f"{len(findings)} low finding(s)",
        "nothing at medium or above on the added lines.",
        policy,
    )


def _where(s: Skipped) -> str:
    return f"every file, for {s.analyzer or 'an analyzer'}" if s.path == "*" else s.path


def not_analysed_files(skipped: Sequence[Skipped]) -> list[Skipped]:
    """One entry per path left unanalysed (the first reason given for it), in order."""
    seen: dict[str, Skipped] = {}
    for s in skipped:
        if s.reason.not_analysed and s.path not in seen:
            seen[s.path] = s
    return list(seen.values())


def _egress_blocked(findings: Sequence[Finding], config: RepoConfig) -> str | None:
    """``vendor (country) in path line N`` for the first AI-egress finding the policy blocks."""
    for f in findings:
        if f.category != "ai-egress":
            continue
        extra = dict(f.extra)
        vendor, country = extra.get("vendor", "unknown vendor"), extra.get("country", "unknown")
        if config.egress_blocked(vendor, country, local=extra.get("local") == "yes"):
            return f"{vendor} ({country}) in {f.path} line {f.start_line}"
    return None


def _human_required(provenance: Provenance, config: RepoConfig) -> str | None:
    for tool, vendor, country in provenance.vendors_by_tool:
        if (
            tool.lower() in config.human_tools
            or vendor.lower() in config.human_vendors
            or country.upper() in config.human_countries
        ):
            return f"{tool} ({vendor}, {country})"
    for tool in provenance.tools:
        if tool.lower() in config.human_tools:
            return tool
    return None


def _manual_flag(store: Any, repo: str, pr: int) -> tuple[str | None, str | None]:
    """A maintainer's earlier ``/gatehouse ai [tool]`` for this PR, from the registry."""
    try:
        rows = store.registry()
    except Exception:
        return None, None
    for row in rows:
        if row.get("repo") == repo and int(row.get("pr", 0)) == pr:
            for ev in row.get("evidence") or ():
                if str(ev).startswith("manual:"):
                    tools = [t for t in row.get("tools") or () if t != "unknown AI tool"]
                    who = (
                        str(ev).split(" by @", 1)[1].split(" ", 1)[0]
                        if " by @" in str(ev)
                        else None
                    )
                    return (tools[0] if tools else ""), who
    return None, None


class ScanBusy(TransientError):
    """Another worker holds this head's scan right now: retry once it is done."""


SCAN_LEASE_S = 60.0  # renewed by the worker's heartbeat; a dead worker's scan frees up after this


def _lease_owner() -> str:
    """``<worker identity>#<thread>``: the worker's heartbeat renews the leases of its threads."""
    return f"{worker_identity()}#{threading.get_ident()}"


def run_scan(ctx: Any, req: ScanRequest) -> ScanOutcome:
    """Scan one head of one PR and publish the result. See the module docstring."""
    store = ctx.store
    client = ctx.require_github().installation(req.installation_id)
    record = store.begin_scan(
        req.repo, req.pr, req.head_sha, installation_id=req.installation_id, trigger=req.trigger
    )
    if record.state == "completed" and not req.forced:
        return ScanOutcome(
            "completed", record.conclusion, record.check_run_id, detail="already scanned"
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
    ctx: Any, client: InstallationClient, req: ScanRequest, record: Any
) -> ScanOutcome:
    store = ctx.store
    try:
        pr = client.get_pull(req.repo, req.pr)
    except GitHubError as exc:
        if not isinstance(exc, TransientGitHubError):
            store.update_scan(
                record.id, state="failed", error=exc.diagnostics()[:500], finished_at=time.time()
            )
        raise
    if pr.head_sha and pr.head_sha != store.latest_head(req.repo, req.pr):
        store.set_latest_head(req.repo, req.pr, pr.head_sha)
    if pr.head_sha != req.head_sha:
        return _superseded(ctx, client, record, req, pr.head_sha, None)
    if pr.state != "open":
        store.update_scan(record.id, state="superseded", error="pull request is closed")
        return ScanOutcome("superseded", detail="closed")

    started = time.monotonic()
    check_run_id = (
        record.check_run_id if record.check_run_id and record.state != "completed" else None
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
    store.update_scan(record.id, state="running", check_run_id=check_run_id, started_at=time.time())
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
        _fail_run(client, req.repo, check_run_id, reason)
        store.update_scan(
            record.id,
            state="failed",
            conclusion="failure",
            error=reason[:500],
            finished_at=time.time(),
            duration_s=round(time.monotonic() - started, 3),
        )
        _metric("SCANS", "error")
        return ScanOutcome("failed", "failure", check_run_id, detail=reason)


def _fail_run(client: InstallationClient, repo: str, check_run_id: int, reason: str) -> None:
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


def end_check_run(
    ctx: Any, installation_id: int, repo: str, pr: int, head_sha: str, reason: str
) -> bool:
    """End a scan's check run left in progress (the job gave up). True when one was ended."""
    record = ctx.store.get_scan(repo, pr, head_sha)
    if (
        record is None
        or not record.check_run_id
        or record.state in ("completed", "failed", "superseded")
    ):
        return False
    if record.leased_by_other():
        return False  # another worker is scanning this head right now and will end its run
    client = ctx.require_github().installation(installation_id)
    _fail_run(client, repo, record.check_run_id, reason)
    ctx.store.update_scan(
        record.id, state="failed", conclusion="failure", error=reason[:500], finished_at=time.time()
    )
    return True


def _superseded(
    ctx: Any,
    client: InstallationClient,
    record: Any,
    req: ScanRequest,
    newer: str,
    check_run_id: int | None,
) -> ScanOutcome:
    run_id = check_run_id or (record.check_run_id if record.state != "completed" else None)
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
        state="superseded",
        conclusion="cancelled" if run_id else None,
        check_run_id=run_id,
        finished_at=time.time(),
    )
    _metric("SCANS", "cancelled")
    return ScanOutcome(
        "superseded", "cancelled" if run_id else None, run_id, detail=f"superseded by {newer[:12]}"
    )


def _scan_and_publish(
    ctx: Any,
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
        decision = Decision(
            Conclusion.FAILURE,
            "Invalid .github/gatehouse.yml",
            f"the repository's Gatehouse configuration is invalid: {exc.diagnostics()}. "
            "Fix the file on the default branch, then re-scan.",
            "none (configuration invalid)",
        )
        return _publish(
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
    prov_fields = _ProvenanceFields(
        provenance=provenance.describe(),
        provenance_evidence=tuple(str(e) for e in provenance.evidence),
        ai_assisted=provenance.ai_assisted,
        notes=tuple(fetched.notes),
        ai_signals=tuple(s.describe() for s in signals),
        signals_count=config.signals_count,
    )
    if config.effective_scan is not ScanPolicy.ALL and not provenance.ai_assisted:
        decision = decide(None, [], provenance, config)
        report = ScanReport(req.head_sha, decision, scanned=False, **prov_fields)
        return _publish(
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
    dismissed = store.active_dismissals(req.repo, req.pr)
    active = [f for f in result.findings if f.fingerprint not in dismissed]
    suppressed = tuple(
        (f, dismissed[f.fingerprint]) for f in result.findings if f.fingerprint in dismissed
    )
    intermediate = _intermediate_findings(fetched, by_commit, result.findings)
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
    return _publish(
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


class _ProvenanceFields(TypedDict):
    """The fields of a ScanReport that say who wrote the change and how that was decided."""

    provenance: str
    provenance_evidence: tuple[str, ...]
    ai_assisted: bool
    notes: tuple[str, ...]
    ai_signals: tuple[str, ...]
    signals_count: bool


def _analyzers(ctx: Any) -> Sequence[Any] | None:
    return ctx.analyzers


def _intermediate_findings(
    fetched: FetchedChange, by_commit: Sequence[Any], final: Sequence[Finding]
) -> list[Finding]:
    """Medium+ findings in earlier commits whose code is gone from the final change."""
    final_keys = {(f.rule_id, f.path) for f in final}
    heads = {f.path: normalise_code(f.post_image()) for f in fetched.changeset.files}
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for commit, result in zip(fetched.intermediate, by_commit, strict=True):
        for f in result.findings:
            if f.severity < Severity.MEDIUM or (f.rule_id, f.path) in final_keys:
                continue
            if f.evidence and normalise_code(f.evidence) in heads.get(f.path, ""):
                continue
            if (f.fingerprint, f.path) in seen:  # the same code in several commits: the first
                continue
            seen.add((f.fingerprint, f.path))
            out.append(dataclasses.replace(f, message=f"(commit {commit.sha[:7]}) {f.message}"))
    return out


def _publish(
    ctx: Any,
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
        return _superseded(ctx, client, record, req, current.head_sha, check_run_id)

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
        state="completed",
        conclusion=conclusion,
        finished_at=time.time(),
        duration_s=duration,
        findings_count=len(findings),
    )
    _metric("SCANS", conclusion)
    _metric("SCAN_SECONDS", value=duration)
    for f in findings:
        _metric("FINDINGS", f.severity.label, f.category)
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
    return ScanOutcome("completed", conclusion, check_run_id, len(findings), comments)
