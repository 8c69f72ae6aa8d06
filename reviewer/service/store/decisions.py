"""The audit trail: every policy decision, append-only, beside the scan it concludes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from reviewer.service.store.base import StoreBase
from reviewer.service.store.schema import policy_decisions

__all__ = ["Decisions"]


class Decisions(StoreBase):
    """The policy_decisions table (triggers refuse UPDATE and DELETE)."""

    def record_decision(
        self,
        *,
        scan_id: int,
        repo: str,
        pr: int,
        head_sha: str,
        trigger: str,
        conclusion: str,
        title: str,
        reason: str,
        policy: str,
        sensitive: bool,
        signals_counted: bool,
        signals: list[dict[str, Any]],
    ) -> None:
        """Append one decision: its conclusion, why, the policy in force and the signals used."""
        with self._tx() as conn:
            conn.execute(
                policy_decisions.insert().values(
                    scan_id=scan_id,
                    repo=repo,
                    pr=pr,
                    head_sha=head_sha,
                    trigger=trigger,
                    conclusion=conclusion,
                    title=title,
                    reason=reason,
                    policy=policy,
                    sensitive=sensitive,
                    signals_counted=signals_counted,
                    signals=list(signals),
                    at=self._clock(),
                )
            )

    def decisions(self, repo: str | None = None, pr: int | None = None) -> list[dict]:
        """Every decision (of one repository, or one PR), oldest first."""
        query = sa.select(policy_decisions).order_by(policy_decisions.c.id)
        if repo is not None:
            query = query.where(policy_decisions.c.repo == repo)
        if pr is not None:
            query = query.where(policy_decisions.c.pr == pr)
        with self._tx() as conn:
            return [dict(r) for r in conn.execute(query).mappings().all()]
