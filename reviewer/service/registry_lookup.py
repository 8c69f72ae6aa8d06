"""Optional registry look-up: does a new dependency exist, and since when?

This module is in the service layer because it talks to the network. It is off by
default: asking a registry about a name tells the registry (and anyone watching) which
dependencies a private change adds. Turn it on with ``GATEHOUSE_REGISTRY_LOOKUP=on`` and point
it at the JSON APIs to use (the variables are described in :mod:`reviewer.service.settings_help`);
the service then gives the oracle to the dependency analyzer.

Answers are cached on disk as JSON with a time-to-live; failed look-ups are never cached and
come back as ``Existence.UNKNOWN``, which the analyzer reports as skipped, never as "missing".
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.core.manifests.model import Ecosystem
from reviewer.core.manifests.oracle import Existence, PackageInfo, PackageOracle
from reviewer.errors import ConfigError

__all__ = [
    "PackageOracle",
    "PackageInfo",
    "Existence",
    "RegistrySettings",
    "RegistryOracle",
    "build_oracle",
]

logger = logging.getLogger(__name__)
_ON = {"1", "true", "yes", "on"}
_MAX_BODY = 64 * 1024 * 1024


@dataclass(frozen=True)
class RegistrySettings:
    """How (and whether) to look dependency names up. Off unless ``enabled``."""

    enabled: bool = False
    pypi_url: str = ""
    npm_url: str = ""
    cache_dir: Path | None = None
    ttl_s: int = 86_400
    timeout_s: float = 5.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> RegistrySettings:
        """Read the settings once; raises ConfigError naming the variable to fix."""
        enabled = environ.get("GATEHOUSE_REGISTRY_LOOKUP", "").strip().lower() in _ON
        pypi = environ.get("GATEHOUSE_PYPI_URL", "").strip().rstrip("/")
        npm = environ.get("GATEHOUSE_NPM_URL", "").strip().rstrip("/")
        for var, url in (("GATEHOUSE_PYPI_URL", pypi), ("GATEHOUSE_NPM_URL", npm)):
            if url and urllib.parse.urlsplit(url).scheme not in ("https", "http"):
                raise ConfigError(f"{var} must be an http(s) URL, got {url!r}")
        if enabled and not (pypi or npm):
            raise ConfigError(
                "GATEHOUSE_REGISTRY_LOOKUP is on but neither GATEHOUSE_PYPI_URL nor "
                "GATEHOUSE_NPM_URL is set: set the registry API roots or turn the look-up off"
            )
        ttl_text = environ.get("GATEHOUSE_REGISTRY_CACHE_TTL", "86400").strip()
        try:
            ttl = int(ttl_text)
        except ValueError:
            raise ConfigError(
                f"GATEHOUSE_REGISTRY_CACHE_TTL must be whole seconds, got {ttl_text!r}"
            ) from None
        cache = environ.get("GATEHOUSE_REGISTRY_CACHE_DIR", "").strip()
        return cls(
            enabled=enabled,
            pypi_url=pypi,
            npm_url=npm,
            cache_dir=Path(cache) if cache else None,
            ttl_s=ttl,
        )


class RegistryOracle:
    """A PackageOracle over PyPI- and npm-style JSON APIs, with an on-disk TTL cache."""

    def __init__(self, settings: RegistrySettings) -> None:
        self.settings = settings
        eco = set()
        if settings.pypi_url:
            eco.add(Ecosystem.PYPI)
        if settings.npm_url:
            eco.add(Ecosystem.NPM)
        self.ecosystems: frozenset[Ecosystem] = frozenset(eco)
        self._lock = threading.Lock()
        self._cache: dict[str, dict[str, Any]] | None = None

    # -- the protocol ---------------------------------------------------------------

    def lookup(self, ecosystem: Ecosystem, name: str) -> PackageInfo:
        if ecosystem not in self.ecosystems:
            return PackageInfo(
                ecosystem, name, Existence.UNKNOWN, detail=f"no registry set for {ecosystem.value}"
            )
        key = f"{ecosystem.value}:{name.lower()}"
        cached = self._cached(key)
        if cached is not None:
            return _from_record(ecosystem, name, cached)
        info = self._fetch(ecosystem, name)
        if info.existence is not Existence.UNKNOWN:
            self._store(key, info)
        return info

    # -- HTTP -----------------------------------------------------------------------

    def _url(self, ecosystem: Ecosystem, name: str) -> str:
        if ecosystem is Ecosystem.PYPI:
            return f"{self.settings.pypi_url}/pypi/{urllib.parse.quote(name, safe='')}/json"
        return f"{self.settings.npm_url}/{urllib.parse.quote(name, safe='@')}"

    def _fetch(self, ecosystem: Ecosystem, name: str) -> PackageInfo:
        url = self._url(ecosystem, name)
        req = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": "gatehouse"}
        )
        try:
            with urllib.request.urlopen(req, timeout=self.settings.timeout_s) as resp:  # noqa: S310
                body = resp.read(_MAX_BODY)
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 410):
                return PackageInfo(ecosystem, name, Existence.MISSING)
            logger.warning("registry look-up for %s answered HTTP %s", ecosystem.value, exc.code)
            return PackageInfo(ecosystem, name, Existence.UNKNOWN, detail=f"HTTP {exc.code}")
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            logger.warning(
                "registry look-up for %s failed: %s", ecosystem.value, type(exc).__name__
            )
            return PackageInfo(ecosystem, name, Existence.UNKNOWN, detail=type(exc).__name__)
        try:
            doc = json.loads(body)
        except ValueError:
            return PackageInfo(ecosystem, name, Existence.UNKNOWN, detail="answer is not JSON")
        first = _first_pypi(doc) if ecosystem is Ecosystem.PYPI else _first_npm(doc)
        return PackageInfo(ecosystem, name, Existence.EXISTS, first_published=first)

    # -- cache ----------------------------------------------------------------------

    def _cache_path(self) -> Path | None:
        d = self.settings.cache_dir
        return d / "registry-lookups.json" if d is not None else None

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._cache is None:
            self._cache = {}
            path = self._cache_path()
            if path is not None and path.is_file():
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                    if isinstance(data, dict):
                        self._cache = data
                except (OSError, ValueError):
                    logger.warning("registry cache %s is unreadable; starting afresh", path)
        return self._cache

    def _cached(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            rec = self._load().get(key)
        if rec is None or time.time() - float(rec.get("fetched_at", 0)) > self.settings.ttl_s:
            return None
        return rec

    def _store(self, key: str, info: PackageInfo) -> None:
        rec = {
            "existence": info.existence.value,
            "fetched_at": time.time(),
            "first_published": info.first_published.isoformat() if info.first_published else None,
        }
        with self._lock:
            cache = self._load()
            cache[key] = rec
            path = self._cache_path()
            if path is None:
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".registry-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(cache, fh)
            os.replace(tmp, path)


def _from_record(ecosystem: Ecosystem, name: str, rec: dict[str, Any]) -> PackageInfo:
    first = rec.get("first_published")
    return PackageInfo(
        ecosystem,
        name,
        Existence(rec["existence"]),
        first_published=_dt.datetime.fromisoformat(first) if first else None,
    )


def _parse_time(text: Any) -> _dt.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        t = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=_dt.UTC)


def _first_pypi(doc: Any) -> _dt.datetime | None:
    """Earliest upload time over every release file of a PyPI JSON answer."""
    times: list[_dt.datetime] = []
    releases = doc.get("releases") if isinstance(doc, dict) else None
    for files in (releases or {}).values():
        for f in files or ():
            t = _parse_time(f.get("upload_time_iso_8601") or f.get("upload_time"))
            if t:
                times.append(t)
    for f in (doc.get("urls") or ()) if isinstance(doc, dict) else ():
        t = _parse_time(f.get("upload_time_iso_8601") or f.get("upload_time"))
        if t:
            times.append(t)
    return min(times, default=None)


def _first_npm(doc: Any) -> _dt.datetime | None:
    """``time.created`` of an npm packument, else its earliest version time."""
    times = doc.get("time") if isinstance(doc, dict) else None
    if not isinstance(times, dict):
        return None
    created = _parse_time(times.get("created"))
    if created:
        return created
    parsed = [_parse_time(v) for k, v in times.items() if k != "modified"]
    return min((t for t in parsed if t), default=None)


def build_oracle(settings: RegistrySettings) -> PackageOracle | None:
    """The oracle to give ``DependencyAnalyzer``, or None when the look-up is off."""
    return RegistryOracle(settings) if settings.enabled else None
