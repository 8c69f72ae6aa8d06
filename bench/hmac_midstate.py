"""HMAC-SHA256 of many bodies that share one long prefix, finished cheaply per body.

The load benchmark sends a distinct body in every request (the store refuses a body it has
already accepted), yet signing 24 KB per request in the load generator would make the client
the bottleneck. Each body is ``prefix + suffix``, where the prefix is a fixed payload padded
with JSON whitespace so that ``(K ^ ipad) || prefix`` fills whole 64-byte SHA-256 blocks.

    HMAC(K, m) = SHA256((K ^ opad) || SHA256((K ^ ipad) || m))

so the inner hash's chaining state after ``(K ^ ipad) || prefix`` and the outer hash's state
after ``(K ^ opad)`` are computed once here; ``finish`` (and bench/webhook.lua, the same
arithmetic in LuaJIT) then hashes only the short suffix: one or two compressions for the
inner hash and one for the outer.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass

BLOCK = 64
_MASK = 0xFFFFFFFF
_IV = (
    0x6A09E667,
    0xBB67AE85,
    0x3C6EF372,
    0xA54FF53A,
    0x510E527F,
    0x9B05688C,
    0x1F83D9AB,
    0x5BE0CD19,
)
_K = (
    0x428A2F98,
    0x71374491,
    0xB5C0FBCF,
    0xE9B5DBA5,
    0x3956C25B,
    0x59F111F1,
    0x923F82A4,
    0xAB1C5ED5,
    0xD807AA98,
    0x12835B01,
    0x243185BE,
    0x550C7DC3,
    0x72BE5D74,
    0x80DEB1FE,
    0x9BDC06A7,
    0xC19BF174,
    0xE49B69C1,
    0xEFBE4786,
    0x0FC19DC6,
    0x240CA1CC,
    0x2DE92C6F,
    0x4A7484AA,
    0x5CB0A9DC,
    0x76F988DA,
    0x983E5152,
    0xA831C66D,
    0xB00327C8,
    0xBF597FC7,
    0xC6E00BF3,
    0xD5A79147,
    0x06CA6351,
    0x14292967,
    0x27B70A85,
    0x2E1B2138,
    0x4D2C6DFC,
    0x53380D13,
    0x650A7354,
    0x766A0ABB,
    0x81C2C92E,
    0x92722C85,
    0xA2BFE8A1,
    0xA81A664B,
    0xC24B8B70,
    0xC76C51A3,
    0xD192E819,
    0xD6990624,
    0xF40E3585,
    0x106AA070,
    0x19A4C116,
    0x1E376C08,
    0x2748774C,
    0x34B0BCB5,
    0x391C0CB3,
    0x4ED8AA4A,
    0x5B9CCA4F,
    0x682E6FF3,
    0x748F82EE,
    0x78A5636F,
    0x84C87814,
    0x8CC70208,
    0x90BEFFFA,
    0xA4506CEB,
    0xBEF9A3F7,
    0xC67178F2,
)


def _rotr(x: int, n: int) -> int:
    return ((x >> n) | (x << (32 - n))) & _MASK


def compress(state: tuple[int, ...], block: bytes) -> tuple[int, ...]:
    """SHA-256's compression function: the chaining state after one 64-byte block."""
    if len(block) != BLOCK:
        raise ValueError(f"a SHA-256 block is {BLOCK} bytes, got {len(block)}")
    w = list(struct.unpack(">16I", block))
    for t in range(16, 64):
        s0 = _rotr(w[t - 15], 7) ^ _rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
        s1 = _rotr(w[t - 2], 17) ^ _rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
        w.append((w[t - 16] + s0 + w[t - 7] + s1) & _MASK)
    a, b, c, d, e, f, g, h = state
    for t in range(64):
        t1 = (
            h + (_rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)) + ((e & f) ^ (~e & g)) + _K[t] + w[t]
        ) & _MASK
        t2 = ((_rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) & _MASK
        a, b, c, d, e, f, g, h = (t1 + t2) & _MASK, a, b, c, (d + t1) & _MASK, e, f, g
    return tuple((x + y) & _MASK for x, y in zip(state, (a, b, c, d, e, f, g, h), strict=True))


def midstate(data: bytes, state: tuple[int, ...] = _IV) -> tuple[int, ...]:
    """The chaining state after hashing ``data``, a whole number of blocks, from ``state``."""
    if len(data) % BLOCK:
        raise ValueError(f"a midstate needs whole {BLOCK}-byte blocks, got {len(data)} bytes")
    for i in range(0, len(data), BLOCK):
        state = compress(state, data[i : i + BLOCK])
    return state


def finish(state: tuple[int, ...], done: int, tail: bytes) -> bytes:
    """The SHA-256 digest of a message whose first ``done`` bytes gave ``state``, then ``tail``."""
    total = done + len(tail)
    padded = tail + b"\x80" + b"\0" * ((55 - len(tail)) % BLOCK) + struct.pack(">Q", total * 8)
    return struct.pack(">8I", *midstate(padded, state))


@dataclass(frozen=True)
class SigningPrefix:
    """Everything needed to sign ``prefix + suffix`` without hashing the prefix again."""

    prefix: bytes
    inner: tuple[int, ...]  # state after (K ^ ipad) || prefix
    outer: tuple[int, ...]  # state after (K ^ opad)

    @property
    def inner_done(self) -> int:
        return BLOCK + len(self.prefix)

    def signature(self, suffix: bytes) -> str:
        """The ``X-Hub-Signature-256`` value of ``prefix + suffix``."""
        inner = finish(self.inner, self.inner_done, suffix)
        return "sha256=" + finish(self.outer, BLOCK, inner).hex()

    def env(self) -> dict[str, str]:
        """The midstates as the wrk script reads them (8 words, 8 hex digits each)."""
        return {
            "BENCH_INNER_STATE": "".join(f"{x:08x}" for x in self.inner),
            "BENCH_OUTER_STATE": "".join(f"{x:08x}" for x in self.outer),
            "BENCH_INNER_DONE": str(self.inner_done),
        }


def padded_prefix(payload: bytes) -> bytes:
    """A JSON object's text without its closing brace, padded with spaces to whole blocks.

    Any ``,"key":"value"}`` appended to the result makes a valid JSON object again."""
    text = payload.rstrip()
    if not text.endswith(b"}") or not isinstance(json.loads(text), dict) or text == b"{}":
        raise ValueError("the payload must be a non-empty JSON object")
    head = text[:-1]
    return head + b" " * (-len(head) % BLOCK)


def signing_prefix(secret: bytes, payload: bytes) -> SigningPrefix:
    """Pad ``payload`` into a prefix and precompute both HMAC midstates for ``secret``."""
    key = hashlib.sha256(secret).digest() if len(secret) > BLOCK else secret
    key = key.ljust(BLOCK, b"\0")
    prefix = padded_prefix(payload)
    ipad = bytes(b ^ 0x36 for b in key)
    opad = bytes(b ^ 0x5C for b in key)
    return SigningPrefix(prefix=prefix, inner=midstate(ipad + prefix), outer=midstate(opad))


def nonce_suffix(nonce: str) -> bytes:
    """The variable end of a benchmark body: one more member, then the closing brace."""
    return b',"bench_nonce":' + json.dumps(nonce).encode() + b"}"
