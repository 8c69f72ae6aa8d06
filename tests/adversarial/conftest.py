"""Fixtures of the adversarial suite (see adversarial_support for what it checks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakegithub import FakeGitHub
from fakegithub.harness import APP_ID, Harness, build, keypair


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    _, public = keypair()
    with FakeGitHub(app_id=APP_ID, public_key=public) as gh:
        yield gh


@pytest.fixture
def h(tmp_path: Path, fake: FakeGitHub) -> Iterator[Harness]:
    """The App with the shipped rule pack and every default analyzer, as an organisation runs it."""
    harness = build(tmp_path, fake, analyzers=[])
    harness.ctx.analyzers = None
    harness.repo.permissions.update(
        {"maintainer": "write", "reviewer2": "write", "visitor": "read"}
    )
    yield harness
    harness.close()
