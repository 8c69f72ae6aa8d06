"""A small real delivery processor for the job tests, and a worker process entry point.

The processor behaves like the GitHub side's ``process_delivery`` in the ways that matter
for durability: it loads the delivery from the store, keeps one scan record per head SHA,
"posts" its result once (appending a line to an effects file stands in for the check run),
and completes the delivery. It is idempotent: a repeated run after a crash never posts twice.

Run as a script it is a worker process: ``python tests/jobs_support.py`` with the
GATEHOUSE_* variables and JOBS_EFFECTS / JOBS_HOLD set.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from reviewer.service.store import ScanState, Store  # noqa: E402


@dataclass
class Ctx:
    """What the processor needs: the store (the real AppContext also has GitHub)."""

    store: Store


_ctx: Ctx | None = None


def get_context() -> Ctx:
    """The process's context, opened lazily from the environment (like the real one)."""
    global _ctx
    if _ctx is None:
        _ctx = Ctx(Store.open(os.environ["GATEHOUSE_DATABASE_URL"]))
    return _ctx


class Flaky(Exception):
    """Stands for a bug in the processor (not transient)."""


def process(ctx: Ctx, delivery_id: str) -> None:
    """Scan-and-post, idempotently."""
    store = ctx.store
    delivery = store.get_delivery(delivery_id)
    assert delivery is not None, delivery_id
    payload = json.loads(delivery.body)
    repo, pr, sha = payload["repo"], payload["pr"], payload["sha"]
    scan = store.begin_scan(repo, pr, sha, installation_id=1, trigger=delivery.event)
    if scan.state == ScanState.COMPLETED:
        store.complete_delivery(delivery_id, "done")
        return
    store.update_scan(scan.id, state=ScanState.RUNNING, started_at=time.time())
    hold = os.environ.get("JOBS_HOLD")
    if payload.get("hold") and hold:
        Path(hold + ".started").write_text(str(os.getpid()))
        while Path(hold).exists():
            time.sleep(0.05)
    if payload.get("fail"):
        raise Flaky("processor bug")
    with open(os.environ["JOBS_EFFECTS"], "a", encoding="utf-8") as fh:
        fh.write(f"{delivery_id}\n")
    store.update_scan(
        scan.id, state=ScanState.COMPLETED, conclusion="success", finished_at=time.time()
    )
    store.complete_delivery(delivery_id, "done")


def _worker_main() -> int:
    from reviewer.service import jobs
    from reviewer.service.processes import run_worker
    from reviewer.service.settings import Settings

    settings = Settings.from_env(require_app=False)
    config = jobs.JobConfig(
        processor=process,
        context=get_context,
        lease_s=float(os.environ.get("JOBS_LEASE", "1.5")),
        queue_name=os.environ.get("JOBS_QUEUE_NAME", "gatehouse"),
    )
    return run_worker(
        settings,
        threads=int(os.environ.get("JOBS_THREADS", "2")),
        config=config,
        recover_interval_s=0.5,
        recover_settle_s=0.5,
    )


if __name__ == "__main__":
    sys.exit(_worker_main())
