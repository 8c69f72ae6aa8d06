"""What the registry shows: installations and one row per AI-assisted pull request."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from reviewer.service.store.base import StoreBase
from reviewer.service.store.engine import upsert
from reviewer.service.store.schema import ai_changes, installations

__all__ = ["Registry"]


class Registry(StoreBase):
    """The installations and ai_changes tables."""

    def upsert_installation(
        self,
        installation_id: int,
        account: str,
        *,
        repos: list[str] | None = None,
        deleted: bool = False,
    ) -> None:
        """Record an installation (``repos=None`` keeps the known repository list)."""
        now = self._clock()
        update: dict[str, Any] = {"account": account, "deleted": deleted, "updated_at": now}
        if repos is not None:
            update["repos"] = sorted(repos)
        with self._tx() as conn:
            upsert(
                conn,
                installations,
                dict(
                    installation_id=installation_id,
                    account=account,
                    repos=sorted(repos) if repos is not None else None,
                    deleted=deleted,
                    updated_at=now,
                ),
                ["installation_id"],
                update,
            )

    def installations(self) -> list[dict]:
        """Every known installation."""
        with self._tx() as conn:
            rows = (
                conn.execute(sa.select(installations).order_by(installations.c.installation_id))
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def record_ai_change(
        self,
        *,
        repo: str,
        pr: int,
        head_sha: str,
        author: str,
        title: str,
        tools: list[str],
        vendors: list[str],
        evidence: list[str],
        ai_assisted: bool,
        verdict: str,
        findings_by_category: dict[str, int],
        merged: bool | None = None,
        sensitive: bool | None = None,
        signals: list[dict[str, Any]] | None = None,
    ) -> None:
        """Upsert the registry row of a PR (first_seen_at is kept from the first record)."""
        now = self._clock()
        values: dict[str, Any] = dict(
            head_sha=head_sha,
            author=author,
            title=title,
            tools=sorted(set(tools)),
            vendors=sorted(set(vendors)),
            evidence=list(evidence),
            ai_assisted=ai_assisted,
            verdict=verdict,
            findings_by_category=dict(findings_by_category),
            updated_at=now,
        )
        if sensitive is not None:
            values["sensitive"] = sensitive
        if signals is not None:
            values["signals"] = list(signals)
        update = dict(values)
        if merged is not None:
            values["merged"] = update["merged"] = merged
        with self._tx() as conn:
            upsert(
                conn,
                ai_changes,
                dict(repo=repo, pr=pr, first_seen_at=now, **values),
                ["repo", "pr"],
                update,
            )

    def mark_merged(self, repo: str, pr: int, merged: bool) -> None:
        """Record whether a registered PR was merged when it closed."""
        with self._tx() as conn:
            conn.execute(
                ai_changes.update()
                .where(ai_changes.c.repo == repo, ai_changes.c.pr == pr)
                .values(merged=merged, updated_at=self._clock())
            )

    def registry(self) -> list[dict]:
        """Every registry row, oldest first."""
        with self._tx() as conn:
            rows = (
                conn.execute(
                    sa.select(ai_changes).order_by(
                        ai_changes.c.first_seen_at, ai_changes.c.repo, ai_changes.c.pr
                    )
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]
