"""The heartbeat that keeps a worker's delivery leases alive while it works."""

from __future__ import annotations

import logging
import threading
import time

from reviewer.service.store import Store

__all__ = ["Heartbeat"]

logger = logging.getLogger(__name__)


class Heartbeat:
    """One daemon thread per process that renews this worker's leases."""

    _lock = threading.Lock()
    _thread: threading.Thread | None = None

    @classmethod
    def ensure(cls, store: Store, worker: str, lease_s: float) -> None:
        """Start the heartbeat once per process."""
        with cls._lock:
            if cls._thread is not None and cls._thread.is_alive():
                return
            t = threading.Thread(
                target=cls._run,
                args=(store, worker, lease_s),
                name="gatehouse-heartbeat",
                daemon=True,
            )
            t.start()
            cls._thread = t

    @staticmethod
    def _run(store: Store, worker: str, lease_s: float) -> None:
        interval = max(lease_s / 3, 0.2)
        while True:
            time.sleep(interval)
            try:
                store.renew_leases(worker, lease_s)
            except Exception:  # noqa: BLE001 - a database blip must not kill the heartbeat
                logger.warning("could not renew job leases; retrying in %.1fs", interval)
