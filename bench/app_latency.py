"""Measure the App's latency against the fake GitHub (loopback HTTP).

1. Webhook answer time: signed ``pull_request`` deliveries posted to ``/webhook``
   (verify, store, enqueue on the default SQLite queue; answer 202), through the
   Flask test client and over real HTTP. Median and p95.
2. Delivery to completed check run for a typical PR (several files, a few hundred
   added lines, the real rule pack), processing the queue synchronously.

Usage: ``.venv/bin/python bench/app_latency.py [--deliveries 200] [--prs 5]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import requests  # noqa: E402
from fakegithub import FakeGitHub  # noqa: E402
from fakegithub.harness import APP_ID, SECRET, build, keypair  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from reviewer.app.webhooks import sign  # noqa: E402
from reviewer.service.wiring import job_config  # noqa: E402


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _typical_pr(h, number: int) -> str:  # type: ignore[no-untyped-def]
    base_files = {
        f"svc/mod{i}.py": "".join(f"def f{j}(x):\n    return x + {j}\n\n" for j in range(40))
        for i in range(6)
    }
    base = h.repo.commit(base_files, branch="main")
    changed = {}
    for i in range(6):
        body = base_files[f"svc/mod{i}.py"] + "".join(
            f"def g{j}(items):\n    total = 0\n    for it in items:\n        total += it * {j}\n"
            "    return total\n\n"
            for j in range(8)
        )
        changed[f"svc/mod{i}.py"] = body
    changed["svc/telemetry.py"] = (
        "import base64\nimport os\n\nBLOB = 'cHJpbnQoMSk='\n\n\ndef init():\n"
        "    exec(base64.b64decode(BLOB))\n"
    )
    changed["tests/test_mod.py"] = "".join(
        f"def test_{j}():\n    assert {j} == {j}\n\n" for j in range(20)
    )
    head = h.repo.commit(
        changed,
        parent=base,
        message="Add helpers\n\nCo-authored-by: Claude <noreply@anthropic.com>",
    )
    h.repo.open_pull(number, base=base, head=head)
    return head


def bench_webhook(n: int) -> dict[str, float]:
    from reviewer.service import jobs

    _, public = keypair()
    with FakeGitHub(app_id=APP_ID, public_key=public) as fake, tempfile.TemporaryDirectory() as tmp:
        h = build(Path(tmp), fake)
        # answer time is measured with a real persistent queue, not immediate mode
        settings = h.ctx.settings
        import dataclasses

        settings = dataclasses.replace(settings, queue_url=f"sqlite:///{tmp}/queue.db")
        h.ctx.settings = settings
        jobs.init_jobs(settings, config=job_config())
        jobs.get_huey().immediate = False
        _typical_pr(h, 1)
        payload = h.pr_payload("opened", 1)
        shared = REPO.parent / "shared" / "github" / "payloads" / "pull_request.opened.json"
        if shared.is_file():  # GitHub's own example: a realistic ~28 KB body
            payload = json.loads(shared.read_text())
            payload["installation"] = {"id": 77}
        body = json.dumps(payload).encode()
        sig = sign(body, SECRET)

        def headers() -> dict[str, str]:
            return {
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": str(uuid.uuid4()),
                "X-Hub-Signature-256": sig,
                "Content-Type": "application/json",
            }

        for _ in range(10):  # warm-up
            h.client.post("/webhook", data=body, headers=headers())
        client_times = []
        for _ in range(n):
            t0 = time.perf_counter()
            resp = h.client.post("/webhook", data=body, headers=headers())
            client_times.append(time.perf_counter() - t0)
            assert resp.status_code == 202, resp.status_code
        server = make_server("127.0.0.1", 0, h.app, threaded=True, request_handler=_Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/webhook"
        http_times = []
        with requests.Session() as s:
            for _ in range(10):
                s.post(url, data=body, headers=headers())
            for _ in range(n):
                t0 = time.perf_counter()
                resp = s.post(url, data=body, headers=headers())
                http_times.append(time.perf_counter() - t0)
                assert resp.status_code == 202, resp.status_code
        server.shutdown()
        jobs.get_huey().flush()
    return {
        "body_bytes": len(body),
        "test_client_median_ms": statistics.median(client_times) * 1000,
        "test_client_p95_ms": _pct(client_times, 0.95) * 1000,
        "http_median_ms": statistics.median(http_times) * 1000,
        "http_p95_ms": _pct(http_times, 0.95) * 1000,
    }


def bench_scan(prs: int) -> dict[str, float]:
    from reviewer.service import jobs

    _, public = keypair()
    times = []
    with FakeGitHub(app_id=APP_ID, public_key=public) as fake, tempfile.TemporaryDirectory() as tmp:
        h = build(Path(tmp), fake, analyzers=[])
        h.ctx.analyzers = None  # the real rule pack
        jobs.get_huey().immediate = True
        for n in range(1, prs + 1):
            head = _typical_pr(h, n)
            t0 = time.perf_counter()
            resp = h.deliver("pull_request", h.pr_payload("opened", n))
            runs = h.repo.runs_for(head)
            times.append(time.perf_counter() - t0)
            assert resp.status_code == 202 and runs and runs[0]["status"] == "completed", runs
        requests_per_scan = len(fake.requests) / prs
        added = sum(
            1
            for f in h.repo.diff_files(
                h.repo.pulls[1]["_merge_base"], h.repo.pulls[1]["head"]["sha"]
            )
        )
        conclusion = h.repo.runs_for(h.repo.pulls[1]["head"]["sha"])[0]["conclusion"]
    return {
        "files": added,
        "median_s": statistics.median(times),
        "max_s": max(times),
        "github_requests_per_scan": requests_per_scan,
        "conclusion": conclusion,
    }  # type: ignore[dict-item]


def bench_serve(rounds: int) -> dict[str, float]:
    """The real processes (`gatehouse serve`: gunicorn web + huey worker, SQLite store, queue)."""
    import os
    import signal
    import socket
    import subprocess

    from fakegithub import demo

    _, public = keypair()
    with (
        FakeGitHub(app_id=demo.APP_ID, public_key=public) as fake,
        tempfile.TemporaryDirectory() as tmp,
    ):
        repo = demo.seed(fake)
        env = dict(os.environ, **demo.service_env(fake, Path(tmp) / "data"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        started = time.monotonic()
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gatehouse")),
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        answers, completions = [], []
        try:
            while True:
                try:
                    if requests.get(f"{url}/readyz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if proc.poll() is not None or time.monotonic() - started > 120:
                    raise RuntimeError("gatehouse serve did not start")
                time.sleep(0.1)
            ready = time.monotonic() - started
            head = repo.pulls[1]["head"]["sha"]
            for i in range(rounds):
                t0 = time.perf_counter()
                if i == 0:
                    resp = demo.deliver(url, "pull_request", demo.pr_event(repo, "opened"))
                else:
                    resp = demo.deliver(
                        url, "issue_comment", demo.comment_event(repo, "/gatehouse rescan")
                    )
                answers.append(time.perf_counter() - t0)
                assert resp.status_code == 202, resp.status_code
                demo.wait_for_runs(repo, head, i + 1)
                completions.append(time.perf_counter() - t0)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    return {
        "ready_s": ready,
        "first_s": completions[0],
        "median_s": statistics.median(completions[1:] or completions),
        "answer_median_ms": statistics.median(answers) * 1000,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deliveries", type=int, default=200)
    ap.add_argument("--prs", type=int, default=5)
    ap.add_argument(
        "--serve-rounds", type=int, default=6, help="0 skips the real-process measurement"
    )
    args = ap.parse_args()
    web = bench_webhook(args.deliveries)
    print(
        f"webhook answer ({args.deliveries} signed deliveries, {web['body_bytes']} bytes each, "
        "SQLite store+queue):"
    )
    print(
        f"  Flask test client: median {web['test_client_median_ms']:.2f} ms, p95 "
        f"{web['test_client_p95_ms']:.2f} ms"
    )
    print(
        f"  real HTTP:         median {web['http_median_ms']:.2f} ms, "
        f"p95 {web['http_p95_ms']:.2f} ms"
    )
    scan = bench_scan(args.prs)
    print(
        f"delivery -> completed check run, typical PR ({scan['files']} files, real rule pack, "
        f"{args.prs} runs):"
    )
    print(
        f"  median {scan['median_s']:.2f} s, max {scan['max_s']:.2f} s, "
        f"{scan['github_requests_per_scan']:.0f} GitHub requests per scan, conclusion "
        f"{scan['conclusion']}"
    )
    if args.serve_rounds:
        real = bench_serve(args.serve_rounds)
        print(
            "gatehouse serve (real web + worker processes), "
            f"{args.serve_rounds} scans of the demo PR:"
        )
        print(
            f"  ready after {real['ready_s']:.1f} s; webhook answer median "
            f"{real['answer_median_ms']:.1f} ms; delivery -> completed check run: first "
            f"{real['first_s']:.2f} s (cold), then median {real['median_s']:.2f} s"
        )


if __name__ == "__main__":
    main()
