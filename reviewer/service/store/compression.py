"""How a delivery's raw body is stored: zstd above 512 bytes, zlib still read, and its digest."""

from __future__ import annotations

import hashlib
import threading
import zlib

import zstandard

from reviewer.service.store.records import StoreError

__all__ = ["body_digest", "pack", "unpack"]

_ZSTD = "zstd"
_ZLIB = "zlib"  # written by earlier versions; still read
_zstd_local = threading.local()


def body_digest(body: bytes) -> str:
    """The key a delivery's raw body is de-duplicated on (GitHub signs these exact bytes)."""
    return hashlib.sha256(body).hexdigest()


def pack(body: bytes) -> tuple[bytes, str | None]:
    """Webhook JSON compresses about 7:1 (zstd level 1: a 24 kB pull_request delivery
    becomes one 3 kB database page in ~30 us); small bodies are kept as they are."""
    if len(body) < 512:
        return body, None
    compressor = getattr(_zstd_local, "c", None)
    if compressor is None:  # a ZstdCompressor is not safe to share between threads
        compressor = _zstd_local.c = zstandard.ZstdCompressor(level=1)
    packed: bytes = compressor.compress(body)
    return packed, _ZSTD


def unpack(data: bytes, encoding: str | None) -> bytes:
    """The raw body back from what :func:`pack` stored under ``encoding``."""
    if encoding is None:
        return data
    if encoding == _ZSTD:
        raw: bytes = zstandard.ZstdDecompressor().decompress(data)
        return raw
    if encoding == _ZLIB:
        return zlib.decompress(data)
    raise StoreError(
        f"a stored delivery uses the unknown body encoding {encoding!r}; "
        "upgrade Gatehouse to the version that wrote it"
    )
