"""Shared fixtures: the corpus beside the checkout, and the real services on loopback."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
API_DESCRIPTION = SHARED / "github" / "openapi" / "github-subset.json"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _need(reason_ok: bool, what: str, fix: str = "start it on loopback to run this test") -> None:
    """Skip when ``what`` is missing, but fail under CI=true: CI must run every test."""
    if reason_ok:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available ({fix})")
    pytest.skip(f"{what} is not available; {fix}")


def need_api_description(checked: bool) -> None:
    """Requests to the fake GitHub are checked against GitHub's REST description only when
    ``../shared/github/openapi`` is beside the checkout: without it, skip (fail in CI) rather
    than pass a check that checked nothing."""
    _need(
        checked and API_DESCRIPTION.is_file(),
        "GitHub's REST description",
        "put ../shared/github/openapi/github-subset.json beside the checkout",
    )


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout; tests that need it skip when it is absent (and fail
    under CI=true)."""
    _need((SHARED / "corpus").is_dir(), "../shared/corpus", "put it beside the checkout")
    return SHARED


@pytest.fixture(scope="session")
def zizmor_exe() -> str:
    """The zizmor executable; tests that need it skip without it (and fail under CI=true)."""
    from reviewer.core.analyzers.workflows import zizmor_binary

    exe = zizmor_binary()
    _need(exe is not None, "zizmor", "install it with `pip install -e '.[test]'`")
    assert exe is not None
    return exe


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL URL on loopback (env GATEHOUSE_TEST_POSTGRES_URL overrides)."""
    url = os.environ.get(
        "GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    _need(_port_open("127.0.0.1", 5432), "PostgreSQL (127.0.0.1:5432)")
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis URL on loopback (env GATEHOUSE_TEST_REDIS_URL overrides)."""
    url = os.environ.get("GATEHOUSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    _need(_port_open("127.0.0.1", 6379), "Redis (127.0.0.1:6379)")
    return url


def benign_noise(corpus: Path, analyzers, min_severity=None) -> list[tuple[str, str, str]]:
    """(commit, path, rule) of every finding at ``min_severity`` or worse on the benign corpus.

    Scans in batches (one start of each external tool per batch), as ``gatehouse eval`` does.
    """
    from reviewer.cli.eval import load_corpus
    from reviewer.core.diff import parse_diff
    from reviewer.core.engine import scan_many
    from reviewer.core.findings import Severity

    floor = Severity.MEDIUM if min_severity is None else min_severity
    cases = [c for c in load_corpus(corpus) if not c.malicious]
    noisy: list[tuple[str, str, str]] = []
    for i in range(0, len(cases), 50):
        batch = cases[i : i + 50]
        results = scan_many(
            [parse_diff(c.diff_path.read_bytes()) for c in batch], analyzers=analyzers
        )
        noisy += [
            (c.case_id, f.path, f.rule_id)
            for c, r in zip(batch, results, strict=True)
            for f in r.findings
            if f.severity >= floor
        ]
    return noisy


def missed_cases(corpus: Path, category: str, analyzers, min_severity=None) -> list[str]:
    """Malicious cases of ``category`` with no finding at ``min_severity`` on a marked line,
    scored as the corpus README (and ``gatehouse eval``) says."""
    from reviewer.cli.eval import hits_marked, load_corpus
    from reviewer.core.diff import parse_diff
    from reviewer.core.engine import scan_many
    from reviewer.core.findings import Severity

    floor = Severity.MEDIUM if min_severity is None else min_severity
    cases = [c for c in load_corpus(corpus) if c.malicious and category in c.categories]
    assert cases, f"the corpus has no {category} case"
    results = scan_many([parse_diff(c.diff_path.read_bytes()) for c in cases], analyzers=analyzers)
    return [
        c.case_id
        for c, r in zip(cases, results, strict=True)
        if not any(f.severity >= floor and hits_marked(f, c.marked) for f in r.findings)
    ]
