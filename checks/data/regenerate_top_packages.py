"""Regenerate ``checks/data/top-packages/*.txt``, the most-used package names per ecosystem.

Source: the ``guarddog`` distribution on PyPI (DataDog, Apache-2.0). Its wheel ships
ranked JSON lists of the most-downloaded packages of PyPI, npm, Go and RubyGems under
``guarddog/analyzer/metadata/resources/top_<ecosystem>_packages.json`` (each an object
``{"downloaded_timestamp": <epoch>, "packages": [name, ...]}``, most used first).

This script downloads that wheel with the ordinary pip client (``pip download --no-deps``),
reads the lists out of the archive without installing or importing it, and writes one
name per line, most used first, under a header that names the source, its version and
licence, and when the list was taken.

Usage::

    python checks/data/regenerate_top_packages.py            # latest guarddog
    python checks/data/regenerate_top_packages.py --version 3.2.0
    python checks/data/regenerate_top_packages.py --wheel path/to/guarddog-*.whl
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent / "top-packages"
RESOURCE_DIR = "guarddog/analyzer/metadata/resources/"
ECOSYSTEMS = {"pypi": "top_pypi_packages.json", "npm": "top_npm_packages.json",
              "go": "top_go_packages.json", "rubygems": "top_rubygems_packages.json"}


def download_wheel(dest: Path, version: str | None) -> Path:
    """Fetch the guarddog wheel (no dependencies) into ``dest``; returns its path."""
    spec = f"guarddog=={version}" if version else "guarddog"
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-d", str(dest), spec]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wheels = sorted(dest.glob("guarddog-*.whl"))
    if not wheels:
        raise SystemExit(f"pip downloaded no guarddog wheel into {dest}: check the package index")
    return wheels[-1]


def extract_lists(wheel: Path) -> tuple[str, dict[str, tuple[int, list[str]]]]:
    """The wheel's version and ``{ecosystem: (timestamp, names)}``."""
    version = wheel.name.split("-")[1]
    lists: dict[str, tuple[int, list[str]]] = {}
    with zipfile.ZipFile(wheel) as zf:
        for eco, member in ECOSYSTEMS.items():
            try:
                raw = zf.read(RESOURCE_DIR + member)
            except KeyError:
                print(
                    f"warning: {wheel.name} has no "
                    f"{member}; {eco} is left unchanged", file=sys.stderr)
                continue
            doc = json.loads(raw)
            names = [str(n).strip() for n in doc.get("packages", []) if str(n).strip()]
            lists[eco] = (int(doc.get("downloaded_timestamp", 0)), names)
    return version, lists


def write_list(eco: str, version: str, member: str, taken: int, names: list[str],
               out_dir: Path = OUT_DIR) -> tuple[Path, int]:
    """Write one ecosystem's list with its provenance header."""
    seen: set[str] = set()
    unique = [n for n in names if not (n in seen or seen.add(n))]
    when = _dt.datetime.fromtimestamp(taken, _dt.UTC).date().isoformat() if taken else "unknown"
    header = [
        f"# source: guarddog {version} (PyPI distribution, Apache-2.0), file "
        f"{RESOURCE_DIR}{member}",
        f"# list taken: {when}; {len(unique)} names, most used first",
        "# regenerate with: python checks/data/regenerate_top_packages.py",
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{eco}.txt"
    path.write_text("\n".join(header + unique) + "\n", encoding="utf-8")
    return path, len(unique)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--version", help="guarddog version to take the lists from (default: latest)"
    )
    parser.add_argument("--wheel", type=Path, help="use this already-downloaded guarddog wheel")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="top-packages-") as tmp:
        wheel = args.wheel or download_wheel(Path(tmp), args.version)
        version, lists = extract_lists(wheel)
        for eco, (taken, names) in lists.items():
            path, count = write_list(eco, version, ECOSYSTEMS[eco], taken, names)
            print(f"{path.name}: {count} names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
