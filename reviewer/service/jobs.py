"""Durable jobs on huey: SQLite by default (no extra service), Redis for many machines.

The queue carries only delivery ids; the store's deliveries table is the source of
truth. Delivery is at-least-once and the work is idempotent:

* the web process only stores the delivery (``Store.accept_delivery``: one INSERT) and
  answers; a relay thread in every worker (:func:`relay`) moves new deliveries from the
  store onto the queue, so an accepted delivery is on its way even if the web process
  dies the next instant;
* a worker takes a lease on the delivery (``Store.claim_delivery``) before processing,
  renews it while it works (a heartbeat thread), and the delivery is completed once;
* a worker killed mid-job (even by SIGKILL) leaves a lease that runs out;
  :func:`recover` (run when a worker starts and every ``recover_interval_s``)
  re-enqueues every delivery a worker took that never completed and is not leased.

Transient GitHub errors are retried with exponential backoff that honours
``retry_after``; anything else completes the delivery as failed.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import huey
from huey.exceptions import RetryTask
from huey.storage import SqliteStorage

from reviewer.app.outcome import DONE, failed
from reviewer.errors import ConfigError, GatehouseError
from reviewer.service.github_client import TransientGitHubError
from reviewer.service.leases import Heartbeat
from reviewer.service.private_files import private_dir, private_file
from reviewer.service.queue_messages import IdOnlySerializer
from reviewer.service.retry import TransientError
from reviewer.service.settings import check_queue_url
from reviewer.service.store import Store, worker_identity

__all__ = [
    "init_jobs",
    "reset_jobs",
    "current_config",
    "enqueue_delivery",
    "enqueue_deliveries",
    "delivery_accepted",
    "relay",
    "start_relay_loop",
    "recover",
    "recover_when_idle",
    "start_recovery_loop",
    "backoff_delay",
    "get_huey",
    "JobConfig",
    "TransientError",
    "Heartbeat",
    "make_huey",
]

logger = logging.getLogger(__name__)

_TASK_NAME = "gatehouse.process_delivery"


@dataclass(frozen=True)
class JobConfig:
    """How the delivery job runs. ``reviewer.service.wiring.job_config()`` fills in production's
    processor, failure hook and context; the numbers' defaults suit production."""

    processor: Callable[[Any, str], None] | None = None  # (context, delivery id)
    context: Callable[[], Any] | None = None  # the App's context
    give_up: Callable[[Any, str, str], None] | None = None  # (context, delivery id, reason)
    lease_s: float = 60.0  # a dead worker's delivery is picked up after this
    queue_name: str = "gatehouse"  # the huey queue (one per deployment)
    retries: int = 8  # transient failures retried this many times
    max_attempts: int = 20  # a delivery that keeps killing its worker is failed after this
    backoff_base_s: float = 2.0
    backoff_cap_s: float = 600.0


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.huey: huey.Huey | None = None
        self.key: tuple[str, JobConfig] | None = None
        self.task: Any = None
        self.config = JobConfig()


_state = _State()


# --------------------------------------------------------------------------- huey
class _NormalSyncSqliteStorage(SqliteStorage):
    """huey's SQLite storage with synchronous=NORMAL (WAL): durable across process
    crashes without an fsync per enqueue. The queue is not the source of truth anyway:
    a delivery lost from it is re-enqueued from the store by :func:`recover`."""

    def _create_connection(self) -> Any:
        conn = super()._create_connection()
        conn.execute("pragma synchronous=1")
        return conn

    def enqueue_many(self, datas: list[bytes]) -> None:
        """Several messages in one write transaction."""
        with self.db(commit=True) as curs:
            curs.executemany(
                "insert into task (queue, data, priority) values (?, ?, 0)",
                [(self.name, self.to_blob(d)) for d in datas],
            )


class _SqliteHuey(huey.Huey):
    storage_class = _NormalSyncSqliteStorage


def make_huey(queue_url: str, *, name: str = "gatehouse") -> huey.Huey:
    """A huey instance for ``sqlite:///path``, ``redis[s]://[:password@]host:port/db`` or
    ``memory:``. Messages are JSON carrying a delivery id (:class:`IdOnlySerializer`), never
    pickles: a message anyone else wrote to the queue is rejected unread."""
    queue_url = check_queue_url(queue_url)  # an unsupported URL: an error naming the fix
    options: dict[str, Any] = {"results": False, "utc": True, "serializer": IdOnlySerializer()}
    if queue_url.startswith("sqlite:///"):
        path = Path(queue_url[len("sqlite:///") :]).expanduser()
        if not path.is_absolute():
            path = path.resolve()
        private_dir(path.parent)
        private_file(path)  # before SQLite creates it with the umask's mode
        return _SqliteHuey(name, filename=str(path), **options)
    if queue_url.startswith("memory:"):
        return huey.MemoryHuey(name, **options)
    return huey.PriorityRedisHuey(name, url=queue_url, **options)  # redis:// or rediss://


def init_jobs(settings: Any, *, config: JobConfig | None = None) -> huey.Huey:
    """Configure the process's huey instance from ``settings.queue_url`` (idempotent:
    the same URL and config return the same instance)."""
    with _state.lock:
        cfg = config or _state.config
        key = (settings.queue_url, cfg)
        if _state.huey is not None and _state.key == key:
            return _state.huey
        h = make_huey(settings.queue_url, name=cfg.queue_name)
        task = h.task(retries=cfg.retries, context=True, name=_TASK_NAME)(_process_delivery_task)
        h.serializer.allow(h._registry.task_to_string(task.task_class))
        _state.huey, _state.key, _state.config, _state.task = h, key, cfg, task
        return h


def current_config() -> JobConfig:
    """The job config in force in this process."""
    return _state.config


def reset_jobs() -> None:
    """Forget the configured queue and job config (tests, and tools that reconfigure)."""
    with _state.lock:
        _state.huey, _state.key, _state.task, _state.config = None, None, None, JobConfig()


def get_huey() -> huey.Huey:
    """The configured huey instance; :func:`init_jobs` must have run."""
    if _state.huey is None:
        raise ConfigError("the job queue is not configured: call init_jobs(settings) at start")
    return _state.huey


def enqueue_delivery(delivery_id: str) -> None:
    """Queue the processing of a stored delivery."""
    get_huey().enqueue(_state.task.s(delivery_id))


def enqueue_deliveries(ids: list[str]) -> None:
    """Queue several stored deliveries (one queue transaction on SQLite)."""
    h = get_huey()
    tasks = [_state.task.s(i) for i in ids]
    if isinstance(h.storage, _NormalSyncSqliteStorage) and len(tasks) > 1 and not h.immediate:
        h.storage.enqueue_many([h.serialize_task(t) for t in tasks])
        return
    for t in tasks:
        h.enqueue(t)


def delivery_accepted(delivery_id: str) -> None:
    """The web process stored a delivery. Workers' relays take it from the store onto the
    queue (:func:`relay`), so the web process writes nothing else; only when the queue runs
    tasks in-process (huey's immediate mode: development and tests) does it run here."""
    h = get_huey()
    if h.immediate:
        h.enqueue(_state.task.s(delivery_id))


def relay(store: Store, limit: int = 500) -> int:
    """Move newly accepted deliveries from the store onto the queue; returns how many.

    Each is marked queued before it is enqueued, so concurrent relays never queue one
    twice; one marked but not enqueued (a crash in between) is re-queued by :func:`recover`.
    """
    ids = store.take_new_deliveries(limit)
    if ids:
        enqueue_deliveries(ids)
    return len(ids)


def start_relay_loop(
    store: Store, *, interval_s: float = 0.1, stop: threading.Event | None = None
) -> threading.Thread:
    """Run :func:`relay` in a daemon thread: every ``interval_s`` while idle, back to back
    while a backlog lasts."""
    stop = stop or threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                busy = relay(store) > 0
            except Exception:  # noqa: BLE001 - the store or queue blinked: next round
                logger.warning("relay round failed; retrying in %.1fs", max(interval_s, 1.0))
                busy = False
                stop.wait(max(interval_s, 1.0))
            if not busy:
                stop.wait(interval_s)

    t = threading.Thread(target=loop, name="gatehouse-relay", daemon=True)
    t.start()
    return t


def recover(store: Store, older_than_s: float = 60) -> int:
    """Re-enqueue accepted deliveries that never completed and that no live worker holds.

    Scans left ``running`` by a dead worker are re-run through their delivery, which
    stays unfinished until the scan ends. Deliveries no worker has taken yet are left to
    the relay, so they are not queued twice. Returns how many deliveries were queued.
    """
    ids = store.unfinished_deliveries(older_than_s=older_than_s, include_new=False)
    if ids:
        enqueue_deliveries(ids)
    stale = store.stale_running_scans(older_than_s=max(older_than_s, _state.config.lease_s) * 5)
    if ids or stale:
        logger.info(
            "recovery: re-enqueued %d unfinished deliveries; %d scans look abandoned",
            len(ids),
            len(stale),
        )
    return len(ids)


def recover_when_idle(store: Store, *, settle_s: float = 5.0) -> int:
    """Periodic recovery: when the queue is empty, anything accepted, unfinished and
    unleased was lost (a killed worker, a web process that died before enqueueing) and is
    re-enqueued. While a backlog drains this waits, so it never duplicates the backlog."""
    if get_huey().pending_count() > 0:
        return 0
    return recover(store, older_than_s=settle_s)


def start_recovery_loop(
    store: Store,
    *,
    interval_s: float = 15.0,
    settle_s: float = 5.0,
    stop: threading.Event | None = None,
) -> threading.Thread:
    """Run :func:`recover_when_idle` every ``interval_s`` in a daemon thread."""
    stop = stop or threading.Event()

    def loop() -> None:
        while not stop.wait(interval_s):
            try:
                recover_when_idle(store, settle_s=settle_s)
            except Exception:  # noqa: BLE001 - try again next round
                logger.warning("recovery round failed; retrying in %.0fs", interval_s)

    t = threading.Thread(target=loop, name="gatehouse-recovery", daemon=True)
    t.start()
    return t


# --------------------------------------------------------------------------- the task
def _configured(cfg: JobConfig) -> tuple[Callable[[Any, str], None], Callable[[], Any]]:
    if cfg.processor is None or cfg.context is None:
        raise GatehouseError(
            "the job queue has no processor or context configured",
            "build the job config with reviewer.service.wiring.job_config()",
        )
    return cfg.processor, cfg.context


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, (TransientError, TransientGitHubError))


def backoff_delay(attempt: int, retry_after: float | None, cfg: JobConfig) -> float:
    """Exponential backoff with jitter, never shorter than the server's ``retry_after``."""
    delay = min(cfg.backoff_cap_s, cfg.backoff_base_s * (2 ** max(attempt - 1, 0)))
    delay *= 0.75 + random.random() / 2
    if retry_after is not None:
        delay = max(delay, float(retry_after) + 1.0)
    return round(delay, 2)


def _process_delivery_task(delivery_id: str, task: Any = None) -> None:
    cfg = _state.config
    processor, context = _configured(cfg)
    ctx = context()
    store: Store = ctx.store
    me = worker_identity()
    holder = f"retry:{getattr(task, 'id', '')}" if task is not None else None
    attempt = store.claim_delivery(delivery_id, worker=me, lease_s=cfg.lease_s, resume=holder)
    if not attempt:
        logger.info("delivery %s is completed or held by another worker; skipped", delivery_id)
        return
    if attempt > cfg.max_attempts:
        reason = (
            f"abandoned after {attempt - 1} attempts that never finished "
            "(the worker died each time)"
        )
        logger.error("delivery %s %s", delivery_id, reason)
        _give_up(cfg, ctx, delivery_id, reason)
        store.complete_delivery(delivery_id, str(failed(reason)))
        return
    Heartbeat.ensure(store, me, cfg.lease_s)
    try:
        processor(ctx, delivery_id)
    except Exception as exc:  # noqa: BLE001 - every failure is classified below
        remaining = getattr(task, "retries", 0) or 0
        if _is_transient(exc) and remaining > 0:
            attempt = cfg.retries - remaining + 1
            delay = backoff_delay(attempt, getattr(exc, "retry_after", None), cfg)
            logger.warning(
                "delivery %s: transient %s, retry %d/%d in %.1fs",
                delivery_id,
                type(exc).__name__,
                attempt,
                cfg.retries,
                delay,
            )
            store.release_delivery(
                delivery_id, worker=me, hold_s=delay + cfg.lease_s, holder=holder
            )
            task.retries -= 1  # RetryTask adds one back; the requeue takes one off
            raise RetryTask(delay=delay) from None
        reason = _reason(exc)
        logger.error("delivery %s failed: %s", delivery_id, reason)
        _give_up(cfg, ctx, delivery_id, reason)
        store.complete_delivery(delivery_id, str(failed(reason)))
        return
    # The processor completes the delivery itself; this is a no-op then, and makes sure
    # a processor that forgot does not leave it to be recovered forever.
    store.complete_delivery(delivery_id, str(DONE))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, GatehouseError):
        text = exc.diagnostics()
    else:
        text = type(exc).__name__
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _give_up(cfg: JobConfig, ctx: Any, delivery_id: str, reason: str) -> None:
    """Let the configured hook end the check run with the reason (best effort)."""
    if cfg.give_up is None:
        return
    try:
        cfg.give_up(ctx, delivery_id, reason)
    except Exception:  # noqa: BLE001 - best effort; the delivery is completed regardless
        logger.exception("delivery %s: could not report the failure to GitHub", delivery_id)
