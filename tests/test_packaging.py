"""A non-editable install ships the rule pack: the wheel holds checks/ and its data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_ships_the_rule_pack(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("gatehouse-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "checks/data/chains.yml" in names
    repo_rules = {p.relative_to(REPO).as_posix() for p in (REPO / "checks").rglob("*.yml")}
    assert repo_rules <= names, sorted(repo_rules - names)[:5]
    assert "reviewer/cli/__main__.py" in names
    assert not any(n.startswith("tests/") for n in names)
