"""One-off notices and the append-only history of dismissals and revocations."""

from __future__ import annotations

import sqlalchemy as sa

from reviewer.service.store.base import StoreBase
from reviewer.service.store.engine import insert_ignore
from reviewer.service.store.records import DISMISS, REVOKE
from reviewer.service.store.schema import dismissals, notices

__all__ = ["Dismissals"]


class Dismissals(StoreBase):
    """The notices and dismissals tables."""

    def claim_notice(self, kind: str, repo: str, pr: int, login: str) -> bool:
        """True the first time (kind, repo, PR, person) is claimed, across every process and
        restart: the caller then sends its one-off message."""
        with self._tx() as conn:
            return (
                conn.execute(
                    insert_ignore(conn.dialect.name, notices)
                    .values(kind=kind, repo=repo, pr=pr, login=login.lower(), at=self._clock())
                    .returning(notices.c.at)  # rowcount is not reliable here on PostgreSQL
                ).first()
                is not None
            )

    def release_notice(self, kind: str, repo: str, pr: int, login: str) -> None:
        """Undo a claim whose message could not be sent, so a retry sends it."""
        with self._tx() as conn:
            conn.execute(
                notices.delete().where(
                    notices.c.kind == kind,
                    notices.c.repo == repo,
                    notices.c.pr == pr,
                    notices.c.login == login.lower(),
                )
            )

    def add_dismissal(
        self,
        repo: str,
        pr: int,
        fingerprint: str,
        *,
        rule_id: str,
        path: str,
        who: str,
        reason: str,
        head_sha: str,
    ) -> None:
        """Append a dismissal of one finding's content on one PR (who, why, at which head)."""
        self._append_dismissal(
            repo,
            pr,
            fingerprint,
            DISMISS,
            rule_id=rule_id,
            path=path,
            who=who,
            reason=reason,
            head_sha=head_sha,
        )

    def revoke_dismissal(
        self,
        repo: str,
        pr: int,
        fingerprint: str,
        *,
        rule_id: str,
        path: str,
        who: str,
        reason: str,
        head_sha: str,
    ) -> None:
        """Append a revocation: the finding counts again from the next scan on."""
        self._append_dismissal(
            repo,
            pr,
            fingerprint,
            REVOKE,
            rule_id=rule_id,
            path=path,
            who=who,
            reason=reason,
            head_sha=head_sha,
        )

    def _append_dismissal(
        self, repo: str, pr: int, fingerprint: str, action: str, **values: str
    ) -> None:
        with self._tx() as conn:
            conn.execute(
                dismissals.insert().values(
                    repo=repo,
                    pr=int(pr),
                    fingerprint=fingerprint,
                    action=action,
                    at=self._clock(),
                    **values,
                )
            )

    def active_dismissals(self, repo: str, pr: int) -> dict[str, dict]:
        """fingerprint -> the row that dismissed it, for dismissals of ``repo#pr`` not revoked
        since."""
        with self._tx() as conn:
            rows = (
                conn.execute(
                    sa.select(dismissals)
                    .where(dismissals.c.repo == repo, dismissals.c.pr == int(pr))
                    .order_by(dismissals.c.id)
                )
                .mappings()
                .all()
            )
        latest: dict[str, dict] = {}
        for r in rows:
            latest[r["fingerprint"]] = dict(r)
        return {fp: r for fp, r in latest.items() if r["action"] == DISMISS}

    def dismissals(self) -> list[dict]:
        """Every dismissal and revocation ever recorded, oldest first (for the registry)."""
        with self._tx() as conn:
            rows = conn.execute(sa.select(dismissals).order_by(dismissals.c.id)).mappings().all()
        return [dict(r) for r in rows]
