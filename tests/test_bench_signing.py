"""The load benchmark's per-request signing: distinct bodies whose HMAC is finished from midstates.

Gatehouse refuses a body it already accepted, so bench/load_webhooks.py sends each request a
body of its own, signed by bench/webhook.lua from midstates that bench/hmac_midstate.py
precomputes. A wrong signature would make the benchmark measure 401s; these tests compare
both the Python and the Lua arithmetic with Python's hmac.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import hmac_midstate as hm  # noqa: E402 - found through the sys.path entry above

PAYLOAD = json.dumps(
    {
        "action": "opened",
        "number": 7,
        "pull_request": {"title": "Ünïcode ✓", "body": "x" * 1000},
        "installation": {"id": 77},
    }
).encode()
SECRET = b"bench-secret-of-38-bytes-0123456789abc"


def _hmac(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("tail_len", [0, 1, 54, 55, 56, 63, 64, 65, 119, 120, 200])
def test_finishing_from_a_midstate_gives_sha256(tail_len: int) -> None:
    head = bytes(range(256)) * 2  # 8 blocks
    tail = bytes((i * 7) % 256 for i in range(tail_len))
    state = hm.midstate(head)
    assert hm.finish(state, len(head), tail) == hashlib.sha256(head + tail).digest()


def test_midstate_refuses_a_partial_block() -> None:
    with pytest.raises(ValueError, match="whole 64-byte blocks"):
        hm.midstate(b"x" * 65)


@pytest.mark.parametrize("secret", [SECRET, b"k", b"s" * 64, b"long" * 40])
def test_signature_from_midstates_matches_hmac(secret: bytes) -> None:
    signing = hm.signing_prefix(secret, PAYLOAD)
    assert (hm.BLOCK + len(signing.prefix)) % hm.BLOCK == 0
    for nonce in ["warm-bare-1-1", "paced-gatehouse-2-2-123456", "n" * 60]:
        suffix = hm.nonce_suffix(nonce)
        body = signing.prefix + suffix
        assert signing.signature(suffix) == _hmac(secret, body)


def test_bodies_are_the_payload_plus_a_nonce_and_differ() -> None:
    signing = hm.signing_prefix(SECRET, PAYLOAD)
    bodies = [signing.prefix + hm.nonce_suffix(f"run-1-{n}") for n in range(3)]
    assert json.loads(bodies[0]) == {**json.loads(PAYLOAD), "bench_nonce": "run-1-0"}
    assert len({hashlib.sha256(b).hexdigest() for b in bodies}) == 3


def test_a_payload_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValueError, match="non-empty JSON object"):
        hm.signing_prefix(SECRET, b"[1, 2]")


def _lua_env(signing: hm.SigningPrefix) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", **signing.env()}


def test_lua_signatures_match_hmac() -> None:
    luajit = shutil.which("luajit")
    if luajit is None:
        pytest.skip(
            "luajit is not installed (apt-get install luajit): the Lua signing is "
            "checked end to end by the wrk test below and by the benchmark itself"
        )
    signing = hm.signing_prefix(SECRET, PAYLOAD)
    # Suffix lengths either side of 55 bytes: one or two inner compressions.
    nonces = ["a", "warm-gatehouse-1-1", "x" * 39, "x" * 40, "x" * 41, "paced-bare-9-2-99999999"]
    out = subprocess.run(
        [luajit, str(BENCH / "webhook.lua"), *nonces],
        env=_lua_env(signing),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    lines = out.splitlines()
    assert len(lines) == len(nonces)
    for nonce, line in zip(nonces, lines, strict=True):
        suffix, signature = line.split("\t")
        assert suffix.encode() == hm.nonce_suffix(nonce)
        assert signature == _hmac(SECRET, signing.prefix + suffix.encode())


class _Receiver(BaseHTTPRequestHandler):
    """Answers like Gatehouse: 401 for a bad signature, duplicate for a body seen before."""

    seen: ClassVar[set[str]] = set()
    counts: ClassVar[dict[str, int]] = {}
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if not hmac.compare_digest(_hmac(SECRET, body), self.headers["X-Hub-Signature-256"]):
            status, answer = 401, b'{"error": "bad signature"}'
        else:
            json.loads(body)
            digest = hashlib.sha256(body).hexdigest()
            with self.lock:
                fresh = digest not in self.seen
                self.seen.add(digest)
            status, answer = (202, b'{"accepted": "x"}') if fresh else (200, b'{"duplicate": "x"}')
        with self.lock:
            self.counts[str(status)] = self.counts.get(str(status), 0) + 1
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    _Receiver.seen, _Receiver.counts = set(), {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/webhook"
    finally:
        server.shutdown()
        server.server_close()


def _run_wrk(url: str, tmp_path: Path, secret: bytes) -> str:
    signing = hm.signing_prefix(secret, PAYLOAD)
    prefix = tmp_path / "prefix.json"
    prefix.write_bytes(signing.prefix)
    env = {**_lua_env(signing), "BENCH_BODY": str(prefix), "BENCH_RUN": "test"}
    return subprocess.run(
        ["wrk", "-t2", "-c2", "-d1s", "-s", str(BENCH / "webhook.lua"), url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def _result(out: str) -> dict:
    line = next(x for x in out.splitlines() if x.startswith("BENCH_RESULT "))
    return json.loads(line.removeprefix("BENCH_RESULT "))


needs_wrk = pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"
)


@needs_wrk
def test_wrk_sends_distinct_correctly_signed_bodies(receiver: str, tmp_path: Path) -> None:
    result = _result(_run_wrk(receiver, tmp_path, SECRET))
    assert result["duplicates"] == 0
    assert set(result["codes"]) == {"202"}
    # The server may also have answered a request or two still in flight when wrk stopped.
    assert set(_Receiver.counts) == {"202"}
    assert len(_Receiver.seen) == _Receiver.counts["202"] >= result["codes"]["202"] > 0


@needs_wrk
def test_the_benchmark_stops_on_401s(receiver: str, tmp_path: Path) -> None:
    import load_webhooks

    result = _result(_run_wrk(receiver, tmp_path, b"another secret"))
    result["codes"] = {int(k): v for k, v in result["codes"].items()}
    assert set(result["codes"]) == {401}
    with pytest.raises(SystemExit, match="answered 401"):
        load_webhooks._refuse_unmeasurable(receiver, "test", result)


def test_the_benchmark_stops_on_duplicates() -> None:
    import load_webhooks

    with pytest.raises(SystemExit, match="3 answered duplicate"):
        load_webhooks._refuse_unmeasurable(
            "http://127.0.0.1:1/webhook", "test", {"codes": {202: 5, 200: 3}, "duplicates": 3}
        )
