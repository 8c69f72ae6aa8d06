"""What every part of the store shares: the engine, the clock, a transaction per call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine

from reviewer.service.store.accept import AcceptPath
from reviewer.service.store.records import Clock

__all__ = ["StoreBase"]


class StoreBase:
    """The state the store's parts (deliveries, scans, dismissals, registry) work on."""

    _engine: Engine
    _clock: Clock
    _accepts: AcceptPath

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._engine.begin() as conn:
            yield conn
