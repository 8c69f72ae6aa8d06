"""Scans and their leases, the latest head and latest edit of each pull request, and the
findings saved per scan."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from reviewer.service.store.base import StoreBase
from reviewer.service.store.engine import upsert, upsert_newer
from reviewer.service.store.records import ScanRecord, ScanState
from reviewer.service.store.schema import SCAN_FIELDS, findings, pr_edits, pull_requests, scans

__all__ = ["Scans", "scan_record"]


def scan_record(row: Any) -> ScanRecord:
    """A :class:`ScanRecord` from a row of the scans table."""
    return ScanRecord(**{f: row[f] for f in ScanRecord.__dataclass_fields__})


class Scans(StoreBase):
    """The scans, findings, pull_requests and pr_edits tables."""

    def note_edit(self, repo: str, pr: int, received_at: float) -> float:
        """Record an edit delivery of ``repo#pr`` received at ``received_at``; returns the
        latest edit received so far for that PR (this one or a later one)."""
        with self._tx() as conn:
            upsert_newer(
                conn,
                pr_edits,
                {"repo": repo, "pr": pr, "received_at": received_at},
                ["repo", "pr"],
                "received_at",
            )
            return float(
                conn.execute(
                    sa.select(pr_edits.c.received_at).where(
                        pr_edits.c.repo == repo, pr_edits.c.pr == pr
                    )
                ).scalar_one()
            )

    def begin_scan(
        self, repo: str, pr: int, head_sha: str, *, installation_id: int, trigger: str
    ) -> ScanRecord:
        """Create the scan for (repo, pr, head_sha), or count another attempt at it.

        A completed scan keeps its state (the caller decides whether to re-run); any
        other state goes back to ``queued``. ``check_run_id`` is kept so a retry updates
        the same check run instead of posting a second one.
        """
        now = self._clock()
        with self._tx() as conn:
            existing = conn.execute(
                sa.select(scans.c.id, scans.c.state).where(
                    scans.c.repo == repo, scans.c.pr == pr, scans.c.head_sha == head_sha
                )
            ).first()
            if existing is None:
                upsert(
                    conn,
                    scans,
                    dict(
                        repo=repo,
                        pr=pr,
                        head_sha=head_sha,
                        installation_id=installation_id,
                        trigger=trigger,
                        state=ScanState.QUEUED.value,
                        attempts=1,
                        created_at=now,
                        updated_at=now,
                    ),
                    ["repo", "pr", "head_sha"],
                    {"attempts": scans.c.attempts + 1, "updated_at": now},
                )
            else:
                values: dict[str, Any] = {
                    "attempts": scans.c.attempts + 1,
                    "updated_at": now,
                    "trigger": trigger,
                    "installation_id": installation_id,
                }
                if existing.state != ScanState.COMPLETED:
                    values["state"] = ScanState.QUEUED.value
                conn.execute(scans.update().where(scans.c.id == existing.id).values(**values))
            row = (
                conn.execute(
                    sa.select(scans).where(
                        scans.c.repo == repo, scans.c.pr == pr, scans.c.head_sha == head_sha
                    )
                )
                .mappings()
                .one()
            )
        return scan_record(row)

    def claim_scan(self, scan_id: int, *, owner: str, lease_s: float) -> bool:
        """Take the lease on a scan; False while another owner's lease has not run out.

        Two deliveries for one head (``opened`` and ``labeled`` together, a re-run while a
        scan runs) can reach two workers at once: only the holder scans and posts, the other
        retries later and then finds the scan completed.
        """
        now = self._clock()
        with self._tx() as conn:
            taken = conn.execute(
                scans.update()
                .where(
                    scans.c.id == scan_id,
                    sa.or_(
                        scans.c.lease_until.is_(None),
                        scans.c.lease_until < now,
                        scans.c.lease_owner == owner,
                    ),
                )
                .values(lease_owner=owner, lease_until=now + lease_s)
            ).rowcount
        return bool(taken)

    def release_scan(self, scan_id: int, *, owner: str) -> None:
        """Give the lease back (only the holder can)."""
        with self._tx() as conn:
            conn.execute(
                scans.update()
                .where(scans.c.id == scan_id, scans.c.lease_owner == owner)
                .values(lease_owner=None, lease_until=None)
            )

    def update_scan(self, scan_id: int, **fields: Any) -> None:
        """Set some of: state, check_run_id, conclusion, error, started_at, finished_at,
        duration_s, findings_count."""
        unknown = set(fields) - SCAN_FIELDS
        if unknown:
            raise TypeError(f"update_scan() got unknown fields: {', '.join(sorted(unknown))}")
        if "state" in fields:
            if fields["state"] not in tuple(ScanState):
                raise ValueError(f"unknown scan state {fields['state']!r}")
            fields["state"] = str(fields["state"])  # stored as its text
        fields["updated_at"] = self._clock()
        with self._tx() as conn:
            conn.execute(scans.update().where(scans.c.id == scan_id).values(**fields))

    def get_scan(self, repo: str, pr: int, head_sha: str) -> ScanRecord | None:
        """The scan for one head SHA, or None."""
        with self._tx() as conn:
            row = (
                conn.execute(
                    sa.select(scans).where(
                        scans.c.repo == repo, scans.c.pr == pr, scans.c.head_sha == head_sha
                    )
                )
                .mappings()
                .first()
            )
        return scan_record(row) if row else None

    def latest_head(self, repo: str, pr: int) -> str | None:
        """The newest head SHA seen for the PR (to coalesce superseded pushes)."""
        with self._tx() as conn:
            return conn.execute(
                sa.select(pull_requests.c.latest_head).where(
                    pull_requests.c.repo == repo, pull_requests.c.pr == pr
                )
            ).scalar_one_or_none()

    def set_latest_head(self, repo: str, pr: int, head_sha: str) -> None:
        """Record the newest head SHA of a PR."""
        now = self._clock()
        with self._tx() as conn:
            upsert(
                conn,
                pull_requests,
                dict(repo=repo, pr=pr, latest_head=head_sha, updated_at=now),
                ["repo", "pr"],
                {"latest_head": head_sha, "updated_at": now},
            )

    def stale_running_scans(self, older_than_s: float) -> list[ScanRecord]:
        """Scans still ``running`` whose last update is older than ``older_than_s``."""
        cutoff = self._clock() - older_than_s
        with self._tx() as conn:
            rows = (
                conn.execute(
                    sa.select(scans)
                    .where(scans.c.state == ScanState.RUNNING.value, scans.c.updated_at <= cutoff)
                    .order_by(scans.c.id)
                )
                .mappings()
                .all()
            )
        return [scan_record(r) for r in rows]

    def save_findings(self, scan_id: int, findings_: list[dict]) -> None:
        """Replace the findings of a scan (idempotent: saving twice never doubles them)."""
        with self._tx() as conn:
            conn.execute(findings.delete().where(findings.c.scan_id == scan_id))
            if findings_:
                conn.execute(
                    findings.insert(),
                    [
                        dict(
                            scan_id=scan_id,
                            fingerprint=str(f.get("fingerprint", "")),
                            rule_id=str(f.get("rule_id", "")),
                            category=str(f.get("category", "")),
                            severity=str(f.get("severity", "")),
                            path=str(f.get("path", "")),
                            start_line=f.get("start_line"),
                            data=f,
                        )
                        for f in findings_
                    ],
                )

    def findings_for(self, scan_id: int) -> list[dict]:
        """The saved findings of a scan, as given to :meth:`save_findings`."""
        with self._tx() as conn:
            return list(
                conn.execute(
                    sa.select(findings.c.data)
                    .where(findings.c.scan_id == scan_id)
                    .order_by(findings.c.id)
                ).scalars()
            )
