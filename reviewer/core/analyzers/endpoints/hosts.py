"""The host catalogue (``checks/data/endpoints.yml``) and what a host is: its category,
an IP written plainly or encoded, its registrable domain."""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

import yaml

from checks import DATA_DIR
from reviewer.core.findings import Severity

_DATA_FILE = "endpoints.yml"


@dataclass(frozen=True)
class _HostEntry:
    host: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class _Category:
    name: str
    label: str
    severity: Severity
    hosts: tuple[_HostEntry, ...]


@dataclass(frozen=True)
class _Data:
    categories: tuple[_Category, ...]
    inert: frozenset[str]
    known_ips: frozenset[str]


@functools.lru_cache(maxsize=1)
def host_data() -> _Data:
    path = DATA_DIR / _DATA_FILE
    try:
        doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        cats = []
        for name, body in doc["categories"].items():
            hosts = []
            for h in body["hosts"]:
                if isinstance(h, dict):
                    hosts.append(_HostEntry(str(h["host"]).lower(), tuple(h.get("paths", ()))))
                else:
                    hosts.append(_HostEntry(str(h).lower(), ()))
            cats.append(
                _Category(
                    name,
                    str(body.get("label", name)),
                    Severity.parse(str(body.get("severity", "medium"))),
                    tuple(hosts),
                )
            )
        return _Data(
            tuple(cats),
            frozenset(str(h).lower() for h in doc.get("inert_hosts", ())),
            frozenset(str(i) for i in doc.get("known_public_ips", ())),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(
            f"{path}: cannot load endpoint categories ({exc}); fix the file or reinstall "
            "the checks pack"
        ) from None


def host_matches(host: str, entry: str) -> bool:
    return host == entry or host.endswith("." + entry)


@functools.lru_cache(maxsize=1)
def _host_index() -> dict[str, list[tuple[_Category, _HostEntry]]]:
    index: dict[str, list[tuple[_Category, _HostEntry]]] = {}
    for cat in host_data().categories:
        for entry in cat.hosts:
            index.setdefault(entry.host, []).append((cat, entry))
    return index


def classify_host(host: str, path: str = "") -> tuple[str, str, Severity] | None:
    """(category, label, severity) of a host from the endpoint data, or None."""
    index = _host_index()
    labels = host.lower().split(".")
    for i in range(len(labels)):
        for cat, entry in index.get(".".join(labels[i:]), ()):
            if entry.paths and not any(path.startswith(p) for p in entry.paths):
                continue
            return cat.name, cat.label, cat.severity
    return None


def decode_ip(host: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address written as one decimal or hex number, or with octal/hex parts."""
    parts = host.split(".")
    if not all(re.fullmatch(r"0x[0-9a-f]+|\d+", p) for p in parts) or len(parts) > 4:
        return None
    if len(parts) == 4 and all(re.fullmatch(r"(?:0|[1-9]\d{0,2})", p) for p in parts):
        return None  # plain dotted quad
    try:
        values = [
            int(p, 16)
            if p.startswith("0x")
            else int(p, 8)
            if len(p) > 1 and p.startswith("0")
            else int(p)
            for p in parts
        ]
    except ValueError:
        return None
    if len(parts) == 1:
        if values[0] < 2**24 or values[0] >= 2**32:
            return None
        return ipaddress.IPv4Address(values[0])
    try:
        number = 0
        for v in values[:-1]:
            if v > 255:
                return None
            number = number * 256 + v
        number = number * (256 ** (4 - len(values) + 1)) + values[-1]
        return ipaddress.IPv4Address(number)
    except ipaddress.AddressValueError:
        return None


def ip_of(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu"})


def registrable(host: str) -> str:
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
