"""The floor of this stack: a bare Flask endpoint that only verifies the webhook signature.

Served by gunicorn with the same settings as Gatehouse's web process, it answers 202 to a
correctly signed POST /webhook and 401 otherwise: no parsing, no store, no queue. The
load benchmark (bench/load_webhooks.py) measures Gatehouse's durable accept path against it.

    BENCH_WEBHOOK_SECRET=... gunicorn -c deploy/gunicorn.conf.py --chdir bench \
        'bare_app:create_app()'
"""

from __future__ import annotations

import hashlib
import hmac
import os

from flask import Flask, jsonify, request


def create_app(secret: str | None = None) -> Flask:
    """The bare endpoint; the secret comes from BENCH_WEBHOOK_SECRET when not given."""
    key = (secret or os.environ["BENCH_WEBHOOK_SECRET"]).encode()
    app = Flask("bare")

    @app.post("/webhook")
    def webhook():  # type: ignore[no-untyped-def]
        body = request.get_data(cache=False)
        expected = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
            return jsonify(error="bad signature"), 401
        return jsonify(accepted=request.headers.get("X-GitHub-Delivery", "")), 202

    return app
