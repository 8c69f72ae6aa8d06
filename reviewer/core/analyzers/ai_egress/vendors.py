"""The AI vendors (``checks/data/ai-vendors.yml``) and how a host, module or package maps to one."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import yaml

from checks import DATA_DIR

_DATA_FILE = "ai-vendors.yml"


@dataclass(frozen=True)
class Vendor:
    """An AI service code can send data to."""

    name: str
    country: str
    hosts: tuple[str, ...] = ()
    python: tuple[str, ...] = ()
    packages: frozenset[str] = frozenset()
    clis: tuple[tuple[str, str], ...] = ()
    actions: frozenset[str] = frozenset()
    local: bool = False
    ports: frozenset[int] = frozenset()
    paths: tuple[str, ...] = ()


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


@functools.lru_cache(maxsize=1)
def vendors() -> tuple[Vendor, ...]:
    """Every vendor and local model server of the data file."""
    path = DATA_DIR / _DATA_FILE
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        out = [
            Vendor(
                str(v["name"]),
                str(v.get("country") or "unknown"),
                hosts=tuple(h.lower() for h in _strs(v.get("hosts"))),
                python=_strs(v.get("python")),
                packages=frozenset(p.lower() for p in _strs(v.get("packages"))),
                clis=tuple((str(c[0]), str(c[1])) for c in v.get("clis") or ()),
                actions=frozenset(a.lower() for a in _strs(v.get("actions"))),
            )
            for v in doc["vendors"]
        ]
        out += [
            Vendor(
                str(v["name"]),
                "local",
                python=_strs(v.get("python")),
                packages=frozenset(p.lower() for p in _strs(v.get("packages"))),
                local=True,
                ports=frozenset(int(p) for p in v.get("ports") or ()),
                paths=_strs(v.get("paths")),
            )
            for v in doc.get("local") or ()
        ]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(
            f"{path}: cannot load AI vendors ({exc}); fix the file or reinstall the checks pack"
        ) from None
    return tuple(out)


_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "host.docker.internal"})


def vendor_for_host(host: str, *, port: int | None = None, path: str = "") -> Vendor | None:
    """The vendor whose API ``host`` is (a subdomain counts), or the local model server on
    ``port`` of this machine."""
    host = host.lower().rstrip(".")
    if host in _LOCAL_HOSTS:
        return next(
            (
                v
                for v in vendors()
                if v.local
                and port in v.ports
                and (not v.paths or any(path.startswith(p) for p in v.paths))
            ),
            None,
        )
    for v in vendors():
        if any(host == h or host.endswith("." + h) for h in v.hosts):
            return v
    return None


def vendor_for_module(dotted: str) -> Vendor | None:
    for v in vendors():
        if any(dotted == m or dotted.startswith(m + ".") for m in v.python):
            return v
    return None


def vendor_for_package(name: str) -> Vendor | None:
    low = name.lower()
    return next((v for v in vendors() if low in v.packages), None)
