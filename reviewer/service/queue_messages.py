"""The job queue's wire format: plain JSON carrying one delivery id, never a pickle.

huey's default serializer pickles each message, so anything that can write to the queue
(a Redis reachable from elsewhere, a writable queue file) could run code in a worker that
holds the App's private key. :class:`IdOnlySerializer` writes and reads one fixed JSON shape
(the task name, the message id, the delivery id and huey's scheduling numbers) and rejects
every other message before anything in it is acted on: a forged message is logged (its size
and why it was refused, never its content) and dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import orjson
from huey.registry import Message
from huey.serializer import Serializer

from reviewer.errors import GatehouseError

__all__ = ["FORMAT", "MAX_MESSAGE_BYTES", "IdOnlySerializer", "QueueMessageRejected"]

logger = logging.getLogger(__name__)

FORMAT = "gatehouse-job/1"
MAX_MESSAGE_BYTES = 4096  # an id and a few numbers; anything bigger is not ours
_MAX_ID = 100  # the longest delivery id the store accepts
_FIELDS = frozenset(
    {
        "format",
        "id",
        "task",
        "delivery",
        "eta",
        "retries",
        "retry_delay",
        "retry_backoff",
        "priority",
        "expires_resolved",
    }
)


class QueueMessageRejected(GatehouseError):
    """A queue message that is not a Gatehouse job; it is dropped without being run."""

    def __init__(self, reason: str, *, size: int) -> None:
        self.reason = reason
        self.size = size
        super().__init__(
            f"rejected a {size}-byte job queue message: {reason}. Only Gatehouse "
            "workers and web processes may write to the queue: check who can reach "
            "it (Redis AUTH, network policy, file permissions)"
        )


class IdOnlySerializer(Serializer):
    """huey serializer for messages of one task whose only argument is a delivery id.

    Only the huey task names given to :meth:`allow` are written or read; any other is rejected.
    """

    def __init__(self) -> None:
        super().__init__()
        self.task_names: frozenset[str] = frozenset()

    def allow(self, task_name: str) -> None:
        """Accept messages of this huey task (its registry name)."""
        self.task_names = self.task_names | {task_name}

    # -- writing -----------------------------------------------------------------
    def serialize(self, data: Any) -> bytes:
        if not isinstance(data, Message):
            raise QueueMessageRejected(
                f"only job messages are queued, not {type(data).__name__}", size=0
            )
        if data.name not in self.task_names:
            raise QueueMessageRejected(f"task {data.name!r} is not a Gatehouse task", size=0)
        args = tuple(data.args or ())
        if len(args) != 1 or not isinstance(args[0], str) or data.kwargs:
            raise QueueMessageRejected("a job carries exactly one delivery id", size=0)
        if data.on_complete or data.on_error or data.chord_config or data.expires:
            raise QueueMessageRejected("pipelines, chords and expiry are not used", size=0)
        return orjson.dumps(
            {
                "format": FORMAT,
                "id": str(data.id),
                "task": data.name,
                "delivery": args[0],
                "eta": _time_out(data.eta),
                "retries": int(data.retries or 0),
                "retry_delay": data.retry_delay or 0,
                "retry_backoff": data.retry_backoff or 0,
                "priority": data.priority,
                "expires_resolved": _time_out(data.expires_resolved),
            }
        )

    # -- reading -----------------------------------------------------------------
    def deserialize(self, data: Any) -> Message:
        raw = bytes(data) if isinstance(data, (bytes, bytearray, memoryview)) else b""
        try:
            return self._read(raw)
        except QueueMessageRejected as exc:
            logger.error("job queue: %s", exc.diagnostics())
            raise

    def _read(self, raw: bytes) -> Message:
        size = len(raw)
        if not raw or size > MAX_MESSAGE_BYTES:
            raise QueueMessageRejected("empty or oversized", size=size)
        if raw[:1] != b"{":  # a pickle starts with 0x80; it is never handed to pickle
            raise QueueMessageRejected(f"not JSON (first byte 0x{raw[0]:02x})", size=size)
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise QueueMessageRejected("not valid JSON", size=size) from None
        if not isinstance(obj, dict) or set(obj) != _FIELDS or obj.get("format") != FORMAT:
            raise QueueMessageRejected(f"not a {FORMAT} message", size=size)
        task, delivery, ident = obj["task"], obj["delivery"], obj["id"]
        if task not in self.task_names:
            raise QueueMessageRejected("names a task Gatehouse does not run", size=size)
        if not (isinstance(delivery, str) and 0 < len(delivery) <= _MAX_ID):
            raise QueueMessageRejected("its delivery id is not a short string", size=size)
        if not (isinstance(ident, str) and 0 < len(ident) <= _MAX_ID):
            raise QueueMessageRejected("its message id is not a short string", size=size)
        retries, delay, priority = obj["retries"], obj["retry_delay"], obj["priority"]
        backoff = obj["retry_backoff"]
        if not (
            _is_int(retries)
            and _is_number(delay)
            and _is_number(backoff)
            and (priority is None or _is_int(priority))
        ):
            raise QueueMessageRejected("its retry numbers are not numbers", size=size)
        return Message(
            ident,
            task,
            _time_in(obj["eta"], size),
            retries,
            delay,
            priority,
            (delivery,),
            {},
            None,
            None,
            None,
            _time_in(obj["expires_resolved"], size),
            None,
            None,
            backoff,
        )


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**31


def _is_number(v: Any) -> bool:
    return (_is_int(v) or isinstance(v, float)) and 0 <= v < 2**31


def _time_out(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise QueueMessageRejected(f"a time of type {type(value).__name__}", size=0)
    return value.isoformat()


def _time_in(value: Any, size: int) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise QueueMessageRejected("a time that is not an ISO 8601 string", size=size)
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise QueueMessageRejected("a time that is not an ISO 8601 string", size=size) from None
