"""The seam for an optional package-registry look-up (does a package exist, since when).

The core only knows this Protocol; ``reviewer.service.registry_lookup`` implements it over HTTP
with a cache. Off by default: asking a registry reveals the names of a change's dependencies.
"""

from __future__ import annotations

import datetime as _dt
import enum
from dataclasses import dataclass
from typing import Protocol

from reviewer.core.manifests.model import Ecosystem


class Existence(enum.StrEnum):
    """What the registry said about a name."""

    EXISTS = "exists"
    MISSING = "missing"
    UNKNOWN = "unknown"  # the look-up failed; never read as "missing"


@dataclass(frozen=True)
class PackageInfo:
    """A registry's answer for one package name."""

    ecosystem: Ecosystem
    name: str
    existence: Existence
    first_published: _dt.datetime | None = None
    detail: str = ""

    def age_days(self, now: _dt.datetime) -> float | None:
        if self.first_published is None:
            return None
        return (now - self.first_published).total_seconds() / 86400


class PackageOracle(Protocol):
    """Answers whether a package exists and when it was first published."""

    ecosystems: frozenset[Ecosystem]

    def lookup(self, ecosystem: Ecosystem, name: str) -> PackageInfo:
        """Never raises for network trouble: returns ``Existence.UNKNOWN`` with a detail."""
        ...
