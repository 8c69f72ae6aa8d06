"""Deliveries: accepting a webhook, leases on it while a worker runs it, completing it,
and what recovery and the relay pick up."""

from __future__ import annotations

import sqlalchemy as sa

from reviewer.service.store.base import StoreBase
from reviewer.service.store.compression import unpack
from reviewer.service.store.records import DeliveryState, StoredDelivery
from reviewer.service.store.schema import NEW, deliveries, scans

__all__ = ["Deliveries"]


class Deliveries(StoreBase):
    """The deliveries table (and the scan leases a worker's heartbeat renews with it)."""

    def accept_delivery(
        self, delivery_id: str, event: str, action: str | None, body: bytes
    ) -> bool:
        """Record an accepted webhook. False when this id already completed, or when the same
        raw body was already accepted under another id (a replay of a captured delivery)."""
        return self._accepts.accept(delivery_id, event, action, body)

    def complete_delivery(self, delivery_id: str, outcome: str) -> None:
        """Mark a delivery completed once; later calls keep the first outcome."""
        with self._tx() as conn:
            conn.execute(
                deliveries.update()
                .where(
                    deliveries.c.delivery_id == delivery_id,
                    deliveries.c.state != DeliveryState.COMPLETED,
                )
                .values(
                    state=DeliveryState.COMPLETED,
                    outcome=outcome[:2000],
                    completed_at=self._clock(),
                    claimed_by=None,
                    lease_until=None,
                )
            )

    def get_delivery(self, delivery_id: str) -> StoredDelivery | None:
        """The stored delivery with its raw body, or None."""
        with self._tx() as conn:
            row = (
                conn.execute(sa.select(deliveries).where(deliveries.c.delivery_id == delivery_id))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return StoredDelivery(
            delivery_id=row["delivery_id"],
            event=row["event"],
            action=row["action"],
            body=unpack(bytes(row["body"]), row["body_encoding"]),
            state=row["state"],
            attempts=row["attempts"],
            received_at=row["received_at"],
            outcome=row["outcome"],
            completed_at=row["completed_at"],
        )

    def claim_delivery(
        self, delivery_id: str, *, worker: str, lease_s: float, resume: str | None = None
    ) -> int:
        """Take a lease on a delivery before working on it; returns the attempt number.

        0 (falsy) when it is completed, unknown, or leased by another worker whose lease
        has not run out (so two workers never process one delivery at the same time).
        ``resume`` is the holder name given to :meth:`release_delivery` for a scheduled
        retry: that retry may take the delivery back before the hold runs out.
        """
        now = self._clock()
        free = [deliveries.c.lease_until.is_(None), deliveries.c.lease_until < now]
        if resume:
            free.append(deliveries.c.claimed_by == resume)
        with self._tx() as conn:
            attempts = conn.execute(
                deliveries.update()
                .where(
                    deliveries.c.delivery_id == delivery_id,
                    deliveries.c.state != DeliveryState.COMPLETED,
                    sa.or_(*free),
                )
                .values(
                    state=DeliveryState.RUNNING,
                    claimed_by=worker,
                    lease_until=now + lease_s,
                    attempts=deliveries.c.attempts + 1,
                )
                .returning(deliveries.c.attempts)
            ).scalar_one_or_none()
        return int(attempts or 0)

    def renew_leases(self, worker: str, lease_s: float) -> int:
        """Extend every lease this worker holds (its heartbeat): its deliveries, and the
        scans its threads hold (owners ``<worker>#<thread>``). Returns how many."""
        with self._tx() as conn:
            n = conn.execute(
                deliveries.update()
                .where(
                    deliveries.c.claimed_by == worker, deliveries.c.state == DeliveryState.RUNNING
                )
                .values(lease_until=self._clock() + lease_s)
            ).rowcount
            n += conn.execute(
                scans.update()
                .where(scans.c.lease_owner.startswith(worker + "#", autoescape=True))
                .values(lease_until=self._clock() + lease_s)
            ).rowcount
            return n

    def release_delivery(
        self, delivery_id: str, *, worker: str, hold_s: float = 0, holder: str | None = None
    ) -> None:
        """Give a lease back without completing. With ``hold_s`` the delivery stays held
        for ``holder`` (a scheduled retry) so recovery leaves it alone meanwhile."""
        with self._tx() as conn:
            conn.execute(
                deliveries.update()
                .where(
                    deliveries.c.delivery_id == delivery_id,
                    deliveries.c.claimed_by == worker,
                    deliveries.c.state != DeliveryState.COMPLETED,
                )
                .values(
                    state=DeliveryState.ACCEPTED,
                    claimed_by=holder if hold_s > 0 else None,
                    lease_until=(self._clock() + hold_s) if hold_s > 0 else None,
                )
            )

    def take_new_deliveries(self, limit: int = 500) -> list[str]:
        """Mark up to ``limit`` newly accepted deliveries as queued and return them, oldest
        first: the worker's relay then puts them on the queue. Safe with many relays at
        once: each delivery is taken by one (the state is checked again as it is changed)."""
        # A read first, so an idle poll takes no write lock (on SQLite, transactions through
        # the engine begin IMMEDIATE, so the read goes through a plain connection).
        ids = self._accepts.new_ids(limit)
        if not ids:
            return []
        with self._tx() as conn:
            taken = set(
                conn.execute(
                    deliveries.update()
                    .where(deliveries.c.delivery_id.in_(ids), NEW)
                    .values(state=DeliveryState.QUEUED)
                    .returning(deliveries.c.delivery_id)
                )
                .scalars()
                .all()
            )
        return [i for i in ids if i in taken]

    def unfinished_deliveries(
        self, older_than_s: float = 0, *, include_new: bool = True
    ) -> list[str]:
        """Accepted, not completed, received over ``older_than_s`` ago, and not leased
        by a live worker: what to re-enqueue after a crash. Oldest first.

        ``include_new=False`` leaves out deliveries no worker has taken yet (stored and
        never queued): those are the relay's (:meth:`take_new_deliveries`)."""
        now = self._clock()
        where = [
            deliveries.c.state != DeliveryState.COMPLETED,
            deliveries.c.received_at <= now - older_than_s,
            sa.or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < now),
        ]
        if not include_new:
            where.append(sa.not_(NEW))
        with self._tx() as conn:
            rows = (
                conn.execute(
                    sa.select(deliveries.c.delivery_id)
                    .where(*where)
                    .order_by(deliveries.c.received_at)
                )
                .scalars()
                .all()
            )
        return list(rows)

    def delivery_counts(self) -> dict[str, int]:
        """How many deliveries are in each state (for metrics and tests)."""
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(deliveries.c.state, sa.func.count()).group_by(deliveries.c.state)
            ).all()
        return {state: n for state, n in rows}
