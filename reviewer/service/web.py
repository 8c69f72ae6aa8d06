"""The Flask app: ``POST /webhook`` (verify, store, enqueue, answer 202), health endpoints.

Views stay thin: the sans-I/O work is in :mod:`reviewer.app.webhooks`, the
processing happens in a background job (GitHub gives up on a webhook after 10 s).
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from reviewer.app.webhooks import WebhookRejected, parse_event, verify_signature
from reviewer.service import metrics, ops_web, register_web
from reviewer.service.context import AppContext, set_context
from reviewer.service.settings import Settings

__all__ = ["create_app", "webhook_bp", "health_bp"]

logger = logging.getLogger(__name__)

webhook_bp = Blueprint("webhook", __name__)
health_bp = Blueprint("health", __name__)


@functools.cache
def handled_events() -> frozenset[str]:
    """Events Gatehouse acts on: those the handlers' router has handlers for (one list).
    Anything else is acknowledged and not stored."""
    from reviewer.service.handlers import router

    return router.event_names()


def _ctx() -> AppContext:
    return current_app.extensions["gatehouse"]


def _observe(seconds: float, event: str | None, outcome: str) -> None:
    """Answer time; deliveries that never reach a job are counted here, the others by the job.

    ``event`` is the name of a delivery whose signature was verified, or None: unverified
    requests all share one series, and unknown names are labelled ``other``, so no request
    can create a series of its own."""
    metrics.ACCEPT_SECONDS.observe(seconds)
    if outcome != "accepted":
        label = (
            metrics.UNVERIFIED
            if event is None
            else metrics.event_label(event, handled_events() | {"ping"})
        )
        metrics.DELIVERIES.labels(event=label, outcome=outcome).inc()


@webhook_bp.post("/webhook")
def webhook() -> Any:
    started = time.perf_counter()
    ctx = _ctx()
    settings = ctx.settings
    if not settings.webhook_secret:
        return jsonify(error="the App is not configured yet (no webhook secret)"), 503
    if request.content_length is not None and request.content_length > settings.max_body_bytes:
        _observe(time.perf_counter() - started, None, "too-large")
        return jsonify(error=f"body over {settings.max_body_bytes} bytes"), 413
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        return jsonify(error=f"body over {settings.max_body_bytes} bytes"), 413
    if len(body) > settings.max_body_bytes:
        return jsonify(error=f"body over {settings.max_body_bytes} bytes"), 413
    try:
        verify_signature(
            body, header=request.headers.get("X-Hub-Signature-256"), secret=settings.webhook_secret
        )
        event = parse_event(request.headers, body)
    except WebhookRejected as exc:
        logger.warning("webhook rejected (%s): %s", exc.status, exc.reason)
        _observe(time.perf_counter() - started, None, "rejected")
        return jsonify(error=exc.reason), exc.status
    if event.name == "ping":
        _observe(time.perf_counter() - started, "ping", "pong")
        return jsonify(ok=True, zen="pong"), 200
    if event.name not in handled_events():
        _observe(time.perf_counter() - started, event.name, "ignored")
        return jsonify(ignored=event.name), 200
    if not ctx.store.accept_delivery(event.delivery_id, event.name, event.action, body):
        _observe(time.perf_counter() - started, event.name, "duplicate")
        return jsonify(duplicate=event.delivery_id), 200
    try:
        from reviewer.service import jobs

        jobs.delivery_accepted(event.delivery_id)  # workers relay it from the store
    except Exception:  # stored: a worker's relay or recovery takes it from the store
        logger.exception("delivery %s stored; processing it in-process failed", event.delivery_id)
    _observe(time.perf_counter() - started, event.name, "accepted")
    return jsonify(accepted=event.delivery_id), 202


@health_bp.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok"), 200


@health_bp.get("/readyz")
def readyz() -> Any:
    try:
        ok = bool(_ctx().store.ping())
    except Exception:
        ok = False
    return (jsonify(status="ready"), 200) if ok else (jsonify(status="store unavailable"), 503)


def create_app(settings: Settings | None = None, *, context: AppContext | None = None) -> Flask:
    """The app factory (``gunicorn app:app``). Reads the environment only when given nothing."""
    if context is None:
        settings = settings or Settings.from_env(require_app=False)
        context = AppContext.create(settings)
    settings = context.settings
    set_context(context)
    from reviewer.service import jobs
    from reviewer.service.wiring import job_config

    # keep a job config the caller already set up (a test's context); else production's
    jobs.init_jobs(settings, config=None if jobs.current_config().processor else job_config())
    app = Flask("gatehouse")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["gatehouse"] = context
    app.register_blueprint(webhook_bp)
    app.register_blueprint(health_bp)
    ops_web.register(app, context)  # the landing and setup pages
    register_web.register(app, context)  # /register: the live AI-usage register
    return app
