"""JSON logs that never carry secrets, and the Prometheus metrics the service exposes."""

from __future__ import annotations

import io
import json
import logging
import socket
import urllib.request

from reviewer.service import metrics
from reviewer.service.logs import configure_logging, log_context, redact, unconfigure_logging

PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x\nabc\n-----END RSA PRIVATE KEY-----"
TOKEN = "ghs_" + "A1b2C3d4" * 5
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiI0MiJ9.c2lnbmF0dXJlLXBhcnQ"


def _records(emit) -> list[dict]:
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    try:
        emit(logging.getLogger("reviewer.service.test"))
    finally:
        unconfigure_logging()
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_log_lines_are_json_with_the_delivery_context():
    def emit(log: logging.Logger) -> None:
        with log_context(delivery_id="d-1", repo="acme/api", pr=7, head_sha="a" * 40):
            log.info("scan %s finished with %d findings", "s-1", 3)
        log.warning("outside")

    first, second = _records(emit)
    assert first["msg"] == "scan s-1 finished with 3 findings" and first["level"] == "info"
    assert (first["delivery_id"], first["repo"], first["pr"]) == ("d-1", "acme/api", 7)
    assert first["head_sha"] == "a" * 40 and first["logger"] == "reviewer.service.test"
    assert "delivery_id" not in second


def test_secrets_never_reach_the_log_even_inside_exceptions():
    def emit(log: logging.Logger) -> None:
        log.info("token %s for installation", TOKEN)
        log.info("headers: %s", {"Authorization": f"Bearer {JWT}"})
        log.info("key loaded: %s", PEM)
        log.info("db postgresql://gatehouse:hunter2pass@db/gatehouse webhook_secret=abcdef123")
        try:
            raise RuntimeError(f"GitHub said no to token {TOKEN}")
        except RuntimeError:
            log.exception("call failed")

    text = "\n".join(json.dumps(r) for r in _records(emit))
    for secret in (TOKEN, JWT, "MIIEowIBAAKCAQEA7x", "hunter2pass", "abcdef123"):
        assert secret not in text, secret
    assert "[REDACTED" in text and "call failed" in text and "RuntimeError" in text


def test_redact_leaves_ordinary_text_alone():
    text = "scanned acme/api#7 at 1f2e3d4c in 1.2s: 3 findings (exfiltration)"
    assert redact(text) == text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_metrics_endpoint_exposes_the_service_counters():
    metrics.DELIVERIES.labels(event="pull_request", outcome="accepted").inc()
    metrics.SCANS.labels(conclusion="failure").inc()
    metrics.SCAN_SECONDS.observe(2.5)
    metrics.FINDINGS.labels(severity="high", category="exfiltration").inc(2)
    metrics.GITHUB_API_ERRORS.labels(status="502").inc()
    bind = f"127.0.0.1:{_free_port()}"
    assert metrics.serve_http(bind)
    assert not metrics.serve_http(bind), "one listener per address and process"
    with urllib.request.urlopen(f"http://{bind}/metrics", timeout=5) as resp:
        assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/plain")
        body = resp.read().decode()
    for line in (
        'gatehouse_deliveries_total{event="pull_request",outcome="accepted"}',
        'gatehouse_scans_total{conclusion="failure"}',
        "gatehouse_scan_seconds_bucket",
        'gatehouse_findings_total{category="exfiltration",severity="high"}',
        'gatehouse_github_api_errors_total{status="502"}',
    ):
        assert line in body, line
