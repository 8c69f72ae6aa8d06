"""Shared fixtures: the corpus beside the checkout, and the real services on loopback."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _need(reason_ok: bool, what: str) -> None:
    if reason_ok:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not reachable")
    pytest.skip(f"{what} is not reachable on loopback; start it to run this test")


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout; tests that need it skip when it is absent."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    return SHARED


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL URL on loopback (env GATEHOUSE_TEST_POSTGRES_URL overrides)."""
    url = os.environ.get("GATEHOUSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    _need(_port_open("127.0.0.1", 5432), "PostgreSQL (127.0.0.1:5432)")
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis URL on loopback (env GATEHOUSE_TEST_REDIS_URL overrides)."""
    url = os.environ.get("GATEHOUSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    _need(_port_open("127.0.0.1", 6379), "Redis (127.0.0.1:6379)")
    return url
