"""Routed handlers: a stored delivery in, scans and replies out.

``process_delivery(ctx, delivery_id)`` is what the job queue runs: it loads the
delivery from the store, routes it, and completes it. Transient GitHub errors
propagate so the job retries; anything else completes the delivery as failed
(a scan's check run has already been ended with the reason by then).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from reviewer.app.outcome import DONE, IGNORED, Outcome, failed, merge
from reviewer.app.provenance import load_signatures
from reviewer.app.scan_request import ScanRequest, ScanState
from reviewer.app.webhooks import Event, Router, WebhookRejected, body_json
from reviewer.errors import GatehouseError
from reviewer.service import commands
from reviewer.service.debounce import EditDebounce, EditWait
from reviewer.service.github_client import TransientGitHubError
from reviewer.service.handler_context import HandlerContext
from reviewer.service.retry import TransientError
from reviewer.service.scan_runner import end_check_run, run_scan

__all__ = ["router", "process_delivery", "give_up", "PR_ACTIONS"]

logger = logging.getLogger(__name__)

router = Router()
PR_ACTIONS = (
    "opened",
    "synchronize",
    "reopened",
    "ready_for_review",
    "labeled",
    "unlabeled",
    "edited",
)


@contextlib.contextmanager
def _log_context(**fields: Any) -> Iterator[None]:
    try:
        from reviewer.service.logs import log_context
    except ImportError:
        yield
        return
    with log_context(**fields):
        yield


def _count(event: str, outcome: Outcome) -> None:
    try:
        from reviewer.service import metrics

        metrics.DELIVERIES.labels(event=event, outcome=outcome.kind.value).inc()
    except Exception:
        pass


def _event_of(delivery: Any) -> Event:
    """The stored delivery as an event, parsed by the web process's own parser (one parser:
    the worker never reads a body differently from the process that verified it)."""
    payload = body_json(delivery.body)
    return Event(
        name=delivery.event,
        action=delivery.action,
        delivery_id=delivery.delivery_id,
        payload=payload,
    )


def process_delivery(ctx: HandlerContext, delivery_id: str) -> None:
    """Process one stored delivery to completion (see the module docstring)."""
    delivery = ctx.store.get_delivery(delivery_id)
    if delivery is None:
        logger.warning("delivery %s is not in the store; nothing to do", delivery_id)
        return
    try:
        event = _event_of(delivery)
    except WebhookRejected as exc:
        ctx.store.complete_delivery(delivery_id, str(failed(f"stored body: {exc.reason}")))
        return
    pr = _pr_number(event)
    with _log_context(delivery_id=delivery_id, repo=event.repo, pr=pr):
        try:
            results = router.dispatch(event, ctx)
        except (TransientGitHubError, TransientError):
            raise  # the job retries it (GitHub blinked, a scan is busy, an edit waits)
        except Exception as exc:  # noqa: BLE001 - the delivery must complete
            reason = exc.diagnostics() if isinstance(exc, GatehouseError) else type(exc).__name__
            logger.exception("delivery %s (%s.%s) failed", delivery_id, event.name, event.action)
            outcome = failed(reason[:300])
        else:
            outcome = merge(results)
        ctx.store.complete_delivery(delivery_id, str(outcome))
        _count(event.name, outcome)
        logger.info("delivery %s (%s.%s): %s", delivery_id, event.name, event.action, outcome)


def give_up(ctx: HandlerContext, delivery_id: str, reason: str) -> None:
    """The job gave up on a delivery: end any check run it left in progress, with the reason."""
    delivery = ctx.store.get_delivery(delivery_id)
    if delivery is None:
        return
    event = _event_of(delivery)
    targets = _scan_targets(event, ctx, resolve=False)
    number = _pr_number(event)
    if event.name == "issue_comment" and event.repo and event.installation_id and number:
        head = ctx.store.latest_head(event.repo, number)  # a command's scan runs on the latest head
        if head:
            targets.append(ScanRequest(event.installation_id, event.repo, number, head, "command"))
    for req in targets:
        end_check_run(
            ctx,
            req.installation_id,
            req.repo,
            req.pr,
            req.head_sha,
            f"GitHub kept failing, so the scan was abandoned: {reason}",
        )


def _pr_number(event: Event) -> int | None:
    for key in ("pull_request", "issue"):
        obj = event.payload.get(key)
        if isinstance(obj, Mapping) and isinstance(obj.get("number"), int):
            return int(obj["number"])
    return None


def _scan_targets(event: Event, ctx: HandlerContext, *, resolve: bool = True) -> list[ScanRequest]:
    """The (PR, head) pairs an event asks to scan."""
    p = event.payload
    inst = event.installation_id
    repo = event.repo
    if inst is None or repo is None:
        return []
    default_branch = (p.get("repository") or {}).get("default_branch")
    if event.name == "pull_request":
        pr = p.get("pull_request") or {}
        head = str((pr.get("head") or {}).get("sha") or "")
        return [
            ScanRequest(inst, repo, int(pr["number"]), head, event.action or "", default_branch)
        ]
    if event.name in ("check_run", "check_suite"):
        obj = p.get(event.name) or {}
        head = str(obj.get("head_sha") or "")
        numbers = [int(x["number"]) for x in obj.get("pull_requests") or () if x.get("number")]
        if not numbers and resolve and head:
            # events for PRs from forks list no pull requests: find them by head SHA
            numbers = ctx.require_github().installation(inst).open_pulls_for_sha(repo, head)
        trigger = "requested_action" if event.action == "requested_action" else "rerequested"
        return [ScanRequest(inst, repo, n, head, trigger, default_branch) for n in numbers]
    return []


@router.register("pull_request")
def on_pull_request(event: Event, ctx: HandlerContext) -> Outcome:
    p = event.payload
    pr = p.get("pull_request") or {}
    repo = event.repo
    if event.action == "closed":
        if repo and isinstance(pr.get("number"), int):
            ctx.store.mark_merged(repo, int(pr["number"]), bool(pr.get("merged")))
        return IGNORED
    if event.action not in PR_ACTIONS or pr.get("state", "open") != "open":
        return IGNORED
    outcomes: list[Outcome] = []
    for req in _scan_targets(event, ctx):
        if event.action in ("labeled", "unlabeled") and not _ai_label(p.get("label")):
            req = ScanRequest(
                req.installation_id,
                req.repo,
                req.pr,
                req.head_sha,
                "label-other",
                req.default_branch,
            )
        if event.action == "edited" and not set(p.get("changes") or {}) & {"body", "title", "base"}:
            req = ScanRequest(
                req.installation_id,
                req.repo,
                req.pr,
                req.head_sha,
                "edited-other",
                req.default_branch,
            )
        if req.trigger == "edited" and _debounce_edit(ctx, event, req) == "coalesced":
            outcomes.append(IGNORED)
            continue
        outcomes.append(_run(ctx, req))
    return merge(outcomes)


def _debounce_edit(ctx: HandlerContext, event: Event, req: ScanRequest) -> str:
    """``"scan"`` or ``"coalesced"`` for an edit; raises :class:`EditWait` (the job retries
    when the window ends) while a scan of this head finished less than a window ago."""
    policy: EditDebounce = ctx.edit_debounce or EditDebounce()
    delivery = ctx.store.get_delivery(event.delivery_id)
    received = delivery.received_at if delivery is not None else policy.clock()
    latest = ctx.store.note_edit(req.repo, req.pr, received)
    scan = ctx.store.get_scan(req.repo, req.pr, req.head_sha)
    finished = scan.finished_at if scan is not None and scan.state == ScanState.COMPLETED else None
    verdict = policy.decide(
        received_at=received, latest_edit_at=latest, last_scan_finished_at=finished
    )
    if isinstance(verdict, str):
        return verdict
    logger.info(
        "edit of %s#%s within %.0fs of its last scan: re-scanning in %.0fs",
        req.repo,
        req.pr,
        policy.window_s,
        verdict,
    )
    raise EditWait(
        f"{req.repo}#{req.pr} was scanned less than {policy.window_s:.0f}s ago", retry_after=verdict
    )


def _ai_label(label: Any) -> bool:
    if not isinstance(label, Mapping) or not label.get("name"):
        return False
    name = str(label["name"])
    sigs = load_signatures()
    return name.lower() in sigs.labels or sigs.tool_named(name) is not None


@router.register("check_run", action="rerequested")
@router.register("check_suite", action="rerequested")
def on_rerequested(event: Event, ctx: HandlerContext) -> Outcome:
    if event.name == "check_run" and not _ours(event, ctx):
        return IGNORED
    return merge([_run(ctx, req) for req in _scan_targets(event, ctx)])


@router.register("check_run", action="requested_action")
def on_requested_action(event: Event, ctx: HandlerContext) -> Outcome:
    action = event.payload.get("requested_action") or {}
    if action.get("identifier") != "rescan" or not _ours(event, ctx):
        return IGNORED
    return merge([_run(ctx, req) for req in _scan_targets(event, ctx)])


def _ours(event: Event, ctx: HandlerContext) -> bool:
    run = event.payload.get("check_run") or {}
    app = run.get("app") or {}
    if (
        app.get("id") is not None
        and ctx.settings.app_id is not None
        and int(app["id"]) != ctx.settings.app_id
    ):
        return False
    return run.get("name") in (None, ctx.settings.check_name)


@router.register("issue_comment", action="created")
def on_comment(event: Event, ctx: HandlerContext) -> Outcome:
    return commands.handle_comment(ctx, event.payload)


@router.register("installation")
@router.register("installation_repositories")
def on_installation(event: Event, ctx: HandlerContext) -> Outcome:
    inst = event.payload.get("installation") or {}
    if not isinstance(inst.get("id"), int):
        return IGNORED
    account = str((inst.get("account") or {}).get("login") or "")
    repos = [
        r.get("full_name")
        for r in event.payload.get("repositories") or ()
        if isinstance(r, Mapping) and r.get("full_name")
    ]
    if event.name == "installation_repositories":
        repos = [
            r.get("full_name")
            for r in event.payload.get("repositories_added") or ()
            if isinstance(r, Mapping) and r.get("full_name")
        ]
    ctx.store.upsert_installation(
        int(inst["id"]),
        account,
        repos=repos or None,
        deleted=event.name == "installation" and event.action == "deleted",
    )
    if ctx.github is not None and event.action in ("deleted", "suspend"):
        ctx.github.forget_token(int(inst["id"]))
    return DONE


def _run(ctx: HandlerContext, req: ScanRequest) -> Outcome:
    if not req.head_sha:
        return IGNORED
    with _log_context(repo=req.repo, pr=req.pr, head_sha=req.head_sha[:12]):
        outcome = run_scan(ctx, req)
    if outcome.state is ScanState.FAILED:
        return failed(outcome.detail)
    return DONE
