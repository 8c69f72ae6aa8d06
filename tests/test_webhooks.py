"""Sans-I/O webhooks: signatures, parsing, routing; and the /webhook endpoint's answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fakegithub import FakeGitHub
from fakegithub.harness import APP_ID, SECRET, build, keypair

from reviewer.app.webhooks import (
    Event,
    Router,
    WebhookRejected,
    parse_event,
    sign,
    verify_signature,
)

BODY = b'{"action": "opened", "number": 1}'


def test_a_correct_signature_passes() -> None:
    verify_signature(BODY, header=sign(BODY, SECRET), secret=SECRET)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha1=abc",
        "sha256=",
        "sha256=" + "0" * 64,
        sign(BODY + b" ", SECRET),
        sign(BODY, SECRET + "x"),
        "sha256=zz\u00e9",
    ],
)
def test_missing_or_wrong_signatures_are_401(header: str | None) -> None:
    with pytest.raises(WebhookRejected) as err:
        verify_signature(BODY, header=header, secret=SECRET)
    assert err.value.status == 401


def test_no_secret_configured_never_verifies() -> None:
    with pytest.raises(WebhookRejected):
        verify_signature(BODY, header=sign(BODY, ""), secret="")


def test_parse_event_reads_name_action_delivery() -> None:
    ev = parse_event({"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "abc"}, BODY)
    assert (ev.name, ev.action, ev.delivery_id) == ("pull_request", "opened", "abc")


@pytest.mark.parametrize(
    "headers,body",
    [
        ({"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "a"}, b"{not json"),
        ({"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "a"}, b"[1, 2]"),
        ({"X-GitHub-Delivery": "a"}, BODY),
        ({"X-GitHub-Event": "pull_request"}, BODY),
    ],
)
def test_malformed_deliveries_are_400(headers: dict[str, str], body: bytes) -> None:
    with pytest.raises(WebhookRejected) as err:
        parse_event(headers, body)
    assert err.value.status == 400


def test_router_sends_events_to_the_handlers_registered_for_them() -> None:
    a, b = Router(), Router()
    seen: list[str] = []

    @a.register("pull_request", action="opened")
    def opened(event: Event) -> str:
        seen.append("opened")
        return "o"

    @b.register("pull_request")
    def any_pr(event: Event) -> str:
        seen.append("any")
        return "a"

    router = Router(a, b)
    ev = Event("pull_request", "opened", "d", {})
    assert router.dispatch(ev) == ["a", "o"]
    assert router.dispatch(Event("pull_request", "closed", "d", {})) == ["a"]
    assert router.dispatch(Event("issues", "opened", "d", {})) == []


def test_shared_payloads_parse_and_route(shared_dir: Path) -> None:
    from reviewer.service.handlers import router

    payloads = shared_dir / "github" / "payloads"
    for path in sorted(payloads.glob("*.json")):
        name = path.name.split(".")[0]
        ev = parse_event(
            {"X-GitHub-Event": name, "X-GitHub-Delivery": path.name}, path.read_bytes()
        )
        assert ev.name == name
        if name != "ping":
            assert router.knows(ev), path.name
        if name.startswith(("pull_request", "installation", "issue_comment.created.with")):
            assert ev.installation_id is not None, path.name


# ---------------------------------------------------------------- the endpoint


@pytest.fixture
def web(tmp_path: Path) -> Any:
    _, public = keypair()
    with FakeGitHub(app_id=APP_ID, public_key=public) as fake:
        harness = build(tmp_path, fake)
        yield harness
        harness.close()


def _post(web: Any, event: str, body: bytes, **headers: str) -> Any:
    h = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": headers.pop("delivery", "id-1"),
        "X-Hub-Signature-256": sign(body, SECRET),
        **headers,
    }
    return web.client.post("/webhook", data=body, headers=h)


def test_ping_is_answered(web: Any) -> None:
    resp = _post(web, "ping", b'{"zen": "Keep it logically awesome.", "hook_id": 1}')
    assert resp.status_code == 200


def test_unknown_events_are_acknowledged_and_ignored(web: Any) -> None:
    resp = _post(web, "star", b'{"action": "created"}')
    assert resp.status_code == 200 and resp.get_json() == {"ignored": "star"}
    assert web.ctx.store.get_delivery("id-1") is None


def test_malformed_json_with_a_good_signature_is_400(web: Any) -> None:
    assert _post(web, "pull_request", b"{oops").status_code == 400


def test_oversized_body_is_413(tmp_path: Path) -> None:
    import dataclasses

    from reviewer.service.web import create_app

    _, public = keypair()
    with FakeGitHub(app_id=APP_ID, public_key=public) as fake:
        h = build(tmp_path, fake)
        h.ctx.settings = dataclasses.replace(h.ctx.settings, max_body_bytes=1000)
        client = create_app(context=h.ctx).test_client()
        body = json.dumps({"action": "opened", "pad": "x" * 2000}).encode()
        resp = client.post(
            "/webhook",
            data=body,
            headers={
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": "big",
                "X-Hub-Signature-256": sign(body, SECRET),
            },
        )
        assert resp.status_code == 413
        assert h.ctx.store.get_delivery("big") is None
        h.close()


def test_accepted_delivery_is_stored_then_processed(web: Any) -> None:
    body = json.dumps(
        {
            "action": "created",
            "installation": {"id": 77, "account": {"login": "acme"}},
            "repositories": [{"full_name": "acme/widgets"}],
        }
    ).encode()
    resp = _post(web, "installation", body, delivery="inst-1")
    assert resp.status_code == 202
    stored = web.ctx.store.get_delivery("inst-1")
    assert stored is not None and stored.body == body and stored.state == "completed"
    assert _post(web, "installation", body, delivery="inst-1").status_code == 200


def test_health_endpoints(web: Any) -> None:
    assert web.client.get("/healthz").status_code == 200
    assert web.client.get("/readyz").status_code == 200
