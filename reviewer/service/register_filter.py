"""What one request asks the register for: the filter selected on the page (parsed and checked
from the query string) and the scope of organisations the signed-in member may read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from reviewer.errors import GatehouseError

__all__ = ["FilterError", "RegisterFilter", "Scope"]


class FilterError(GatehouseError):
    """A filter value in the page's address is not valid."""

    def __init__(self, name: str, value: str, fix: str) -> None:
        super().__init__(f"filter {name}={value!r} is not valid: {fix}")
        self.name, self.value, self.fix = name, value, fix

    def diagnostics(self) -> str:
        """The message shown on the page."""
        return str(self)


@dataclass(frozen=True)
class Scope:
    """The repository owners (organisations or users) whose rows may be read."""

    owners: tuple[str, ...]

    def lowered(self) -> list[str]:
        """The owners in lower case (GitHub logins ignore case), as the facts store them."""
        return sorted({o.lower() for o in self.owners})

    def clause(self, repo: Any) -> Any:
        """SQL: ``repo`` (owner/name) belongs to one of the owners."""
        if not self.owners:
            return sa.false()
        lowered = sa.func.lower(repo)
        return sa.or_(*(lowered.like(_like_prefix(o + "/"), escape="\\") for o in self.lowered()))


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class RegisterFilter:
    """What the page's filter form selects; empty means any."""

    repo: str = ""
    tool: str = ""
    vendor: str = ""
    country: str = ""
    sensitive: str = ""  # "", "yes" or "no"
    since: str = ""  # YYYY-MM-DD, inclusive (UTC)
    until: str = ""  # YYYY-MM-DD, inclusive (UTC)
    verdict: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RegisterFilter:
        """The filter from a query string; raises :class:`FilterError` naming a bad value."""
        values = {f.name: (args.get(f.name) or "").strip()[:200] for f in fields(cls)}
        if values["sensitive"] not in ("", "yes", "no"):
            raise FilterError("sensitive", values["sensitive"], "use yes, no or leave it empty")
        for name in ("since", "until"):
            if values[name]:
                try:
                    dt.date.fromisoformat(values[name])
                except ValueError:
                    raise FilterError(name, values[name], "use a date as YYYY-MM-DD") from None
        if values["country"]:
            values["country"] = values["country"].upper()
        return cls(**values)

    def items(self) -> Iterator[tuple[str, str]]:
        """The (name, value) pairs that are set."""
        for f in fields(self):
            value = getattr(self, f.name)
            if value:
                yield f.name, value

    def query_string(self, **extra: Any) -> str:
        """The filter (and ``extra`` parameters) as a URL query string."""
        return urlencode([*self.items(), *((k, str(v)) for k, v in extra.items() if v)])

    def bounds(self) -> tuple[float | None, float | None]:
        """(start, end) seconds of the period: since's midnight, the midnight after until."""
        start = end = None
        if self.since:
            start = _midnight(dt.date.fromisoformat(self.since))
        if self.until:
            end = _midnight(dt.date.fromisoformat(self.until) + dt.timedelta(days=1))
        return start, end


def _midnight(day: dt.date) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
