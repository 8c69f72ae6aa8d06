"""The live register's reads: AI-assisted pull requests by filter, counts over time, the audit
trail, always within the organisations a signed-in person belongs to.

Every query takes a :class:`Scope` (the owners whose repositories may be read) and a
:class:`RegisterFilter`; an empty scope reads nothing. Counts and charts are aggregated by the
database (per day, per series), never by reading every row into Python; the listing is paged.
Tools and vendors are read from ``ai_change_tags``, which triggers keep equal to the
registry's JSON lists (migration 0009). The filter and scope are in :mod:`register_filter`.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from reviewer.report_html import bucket_unit
from reviewer.service import register_tables as tables
from reviewer.service.register_filter import RegisterFilter, Scope

__all__ = ["RegisterQueries", "SERIES_KINDS"]

SERIES_KINDS = ("tool", "repository", "vendor", "country")
T = TypeVar("T")
_DAY = 86400
_UNKNOWN_COUNTRY = "unknown"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class RegisterQueries:
    """The register's reads over one database (an engine shared with the store)."""

    def __init__(
        self, engine: Engine, *, vendor_countries: Mapping[str, str], cache_size: int = 256
    ) -> None:
        self._engine = engine
        self._countries = {v: c.upper() for v, c in vendor_countries.items()}
        self._cache: OrderedDict[tuple[Any, ...], tuple[Any, Any]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    # -- aggregates are cached until the registry changes --------------------------------
    def version(self) -> Any:
        """What changes whenever the registry does: its latest update time (every write of a
        registry row sets it; one lookup in its index)."""
        c = tables.changes.c
        with self._engine.connect() as conn:
            return conn.execute(sa.select(sa.func.max(c.updated_at))).scalar_one()

    def cached(self, key: tuple[Any, ...], version: Any, compute: Callable[[], T]) -> T:
        """``compute()``, or its value kept from an earlier call at the same ``version``."""
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] == version:
                self._cache.move_to_end(key)
                return cast(T, hit[1])
        value = compute()
        with self._lock:
            self._cache[key] = (version, value)
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return value

    # -- what the schema offers ---------------------------------------------------------
    @functools.cached_property
    def columns(self) -> frozenset[str]:
        """The registry's columns, so fields added later (``sensitive``) are used when there."""
        return frozenset(c["name"] for c in sa.inspect(self._engine).get_columns("ai_changes"))

    @property
    def has_sensitive(self) -> bool:
        """True when the registry records which repositories are sensitive."""
        return "sensitive" in self.columns

    def country_of(self, vendor: str) -> str:
        """A vendor's home country (ISO code), or 'unknown'."""
        return self._countries.get(vendor, _UNKNOWN_COUNTRY)

    # -- filters --------------------------------------------------------------------------
    def _where(self, fact: Any, scope: Scope, f: RegisterFilter) -> list[Any]:
        """Conditions on one facts alias: every fact carries the PR's owner, day, verdict and
        flags. The alias reads the PR's fact of the filter's tool, else of its vendor, else
        its ``pr`` fact (one per PR each), so an index gives the listing in time order."""
        c = fact.c
        if not scope.owners:
            return [sa.false()]
        kind, value = (
            ("tool", f.tool) if f.tool else ("vendor", f.vendor) if f.vendor else ("pr", "")
        )
        where: list[Any] = [
            c.owner.in_(scope.lowered()),
            c.kind == kind,
            c.value == value,
            c.ai_assisted == sa.true(),
        ]
        if f.repo:
            where.append(c.repo == f.repo)
        if f.verdict:
            where.append(c.verdict == f.verdict)
        if f.since:
            where.append(c.day >= _day(f.since))
        if f.until:
            where.append(c.day <= _day(f.until))
        if f.tool and f.vendor:
            where.append(self._tagged(fact, "vendor", [f.vendor]))
        if f.country:
            vendors = sorted(v for v, k in self._countries.items() if k == f.country)
            where.append(self._tagged(fact, "vendor", vendors) if vendors else sa.false())
        if f.sensitive and self.has_sensitive:
            flag = sa.column("sensitive", sa.Boolean)
            wanted = (
                flag == sa.true()
                if f.sensitive == "yes"
                else sa.or_(flag.is_(None), flag == sa.false())
            )
            where.append(
                sa.exists().where(
                    tables.changes.c.repo == c.repo, tables.changes.c.pr == c.pr, wanted
                )
            )
        return where

    def _daily_where(self, scope: Scope, f: RegisterFilter) -> list[Any]:
        """The same selection over the daily roll-up (migration 0011): days are its unit, as
        they are the filter's; a tool, vendor or country selects the tag sets naming it."""
        r = tables.daily.c
        if not scope.owners:
            return [sa.false()]
        where: list[Any] = [r.owner.in_(scope.lowered())]
        if f.repo:
            where.append(r.repo == f.repo)
        if f.verdict:
            where.append(r.verdict == f.verdict)
        if f.since:
            where.append(r.day >= _day(f.since))
        if f.until:
            where.append(r.day <= _day(f.until))
        if f.tool:
            where.append(r.tags.in_(_tag_sets("tool", [f.tool])))
        if f.vendor:
            where.append(r.tags.in_(_tag_sets("vendor", [f.vendor])))
        if f.country:
            vendors = sorted(v for v, k in self._countries.items() if k == f.country)
            where.append(r.tags.in_(_tag_sets("vendor", vendors)) if vendors else sa.false())
        if f.sensitive and self.has_sensitive:
            where.append(r.sensitive == (1 if f.sensitive == "yes" else 0))
        return where

    @staticmethod
    def _tagged(fact: Any, kind: str, values: list[str]) -> Any:
        t = tables.facts("t")
        return (
            sa.exists()
            .where(
                t.c.repo == fact.c.repo,
                t.c.pr == fact.c.pr,
                t.c.kind == kind,
                t.c.value.in_(values),
            )
            .correlate(fact)
        )

    # -- reads ----------------------------------------------------------------------------
    def count(self, scope: Scope, f: RegisterFilter) -> int:
        """How many AI-assisted PRs the filter selects."""
        return self.summary(scope, f)["pull_requests"]

    def summary(self, scope: Scope, f: RegisterFilter, *, version: Any = None) -> dict[str, int]:
        """The tiles: PRs, repositories, merged, with findings (one pass in SQL)."""
        if version is not None:
            return self.cached(("summary", scope, f), version, lambda: self.summary(scope, f))
        r = tables.daily.c
        stmt = sa.select(
            sa.func.sum(r.n),
            sa.func.count(sa.distinct(r.repo)),
            sa.func.sum(r.merged),
            sa.func.sum(r.with_findings),
        ).where(*self._daily_where(scope, f))
        with self._engine.connect() as conn:
            total, repos, merged, with_findings = conn.execute(stmt).one()
        return {
            "pull_requests": int(total or 0),
            "repositories": int(repos or 0),
            "merged": int(merged or 0),
            "with_findings": int(with_findings or 0),
        }

    def page(
        self, scope: Scope, f: RegisterFilter, *, offset: int = 0, limit: int = 50
    ) -> list[dict[str, Any]]:
        """One page of the listing, newest first."""
        return self.rows(scope, f, offset=offset, limit=limit)

    def rows(
        self, scope: Scope, f: RegisterFilter, *, offset: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The selected PRs, newest first (every one when ``limit`` is None: the export)."""
        p = tables.facts("p")
        keys = (
            sa.select(p.c.repo, p.c.pr, p.c.at)
            .where(*self._where(p, scope, f))
            .order_by(p.c.at.desc(), p.c.repo, p.c.pr)
            .offset(offset)
        )
        if limit is not None:
            keys = keys.limit(limit)
        k = keys.subquery("k")
        cols = [c for c in tables.changes.c if c.name not in ("sensitive", "signals")]
        if self.has_sensitive:
            cols.append(tables.changes.c.sensitive)
        stmt = (
            sa.select(*cols)
            .select_from(
                k.join(
                    tables.changes,
                    sa.and_(tables.changes.c.repo == k.c.repo, tables.changes.c.pr == k.c.pr),
                )
            )
            .order_by(k.c.at.desc(), k.c.repo, k.c.pr)
        )
        with self._engine.connect() as conn:
            out = [dict(r) for r in conn.execute(stmt).mappings()]
        for row in out:
            row["countries"] = sorted({self.country_of(v) for v in row.get("vendors") or ()})
        return out

    def series(
        self, scope: Scope, f: RegisterFilter, kind: str, *, version: Any = None
    ) -> list[tuple[dt.datetime, str, int]]:
        """(day, series name, PRs) for a chart over time; grouped per day by the database."""
        if version is not None:
            return self.cached(
                ("series", kind, scope, f), version, lambda: self.series(scope, f, kind)
            )
        if kind == "country":
            return [(d, self.country_of(n), c) for d, n, c in self.series(scope, f, "vendor")]
        points = self._points(self._series_stmt(scope, f, kind))
        days: dict[int, dt.datetime] = {}
        return [(days.get(d) or days.setdefault(d, _date_of(d)), n, int(c)) for d, n, c in points]

    def chart(
        self, scope: Scope, f: RegisterFilter, kind: str, *, version: Any = None
    ) -> tuple[str, list[tuple[dt.datetime, str, int]]]:
        """(unit, (bucket start, series name, PRs)) for a chart over time: the unit is chosen
        from the span of days as ``bucketer`` chooses it, and the database sums the days of
        each week or month, so a chart fetches a few hundred points, not one per day."""
        if kind == "country":
            unit, pts = self.chart(scope, f, "vendor", version=version)
            return unit, [(d, self.country_of(n), c) for d, n, c in pts]
        if version is not None:
            return self.cached(
                ("chart-points", kind, scope, f), version, lambda: self.chart(scope, f, kind)
            )
        per_day = self._series_stmt(scope, f, kind)
        day_col = per_day.selected_columns.day.element
        span = per_day.group_by(None).with_only_columns(
            sa.func.min(day_col), sa.func.max(day_col), maintain_column_froms=True
        )
        days = per_day.subquery()
        with self._engine.connect() as conn:
            first, last = conn.execute(span).one()
        if first is None:
            return "month", []
        unit = bucket_unit(int(last) - int(first))
        bucket = _bucket_expr(days.c.day, unit, int(first), int(last)).label("bucket")
        stmt = sa.select(bucket, days.c.name, sa.func.sum(days.c.n)).group_by(bucket, days.c.name)
        starts: dict[int, dt.datetime] = {}
        return unit, [
            (starts.get(b) or starts.setdefault(b, _date_of(b)), n, int(c))
            for b, n, c in self._points(stmt)
        ]

    def _series_stmt(self, scope: Scope, f: RegisterFilter, kind: str) -> Any:
        """The (day, name, n) statement of a chart's points, one row per day and name."""
        if kind not in SERIES_KINDS or kind == "country":
            raise ValueError(f"unknown series {kind!r}: use one of {', '.join(SERIES_KINDS)}")
        if not (f.repo or f.verdict or f.tool or f.vendor or f.country or f.sensitive):
            return self._period_stmt(scope, f, "repo" if kind == "repository" else kind)
        r = tables.daily.c
        total = sa.func.sum(r.n).label("n")
        if kind == "repository":
            stmt = sa.select(r.day.label("day"), r.repo.label("name"), total)
            stmt = stmt.group_by(r.day, r.repo)
        else:
            t = tables.tagsets.c
            stmt = (
                sa.select(r.day.label("day"), t.value.label("name"), total)
                .select_from(
                    tables.daily.join(tables.tagsets, sa.and_(t.tags == r.tags, t.kind == kind))
                )
                .group_by(r.day, t.value)
            )
        return stmt.where(*self._daily_where(scope, f))

    def _period_stmt(self, scope: Scope, f: RegisterFilter, kind: str) -> Any:
        """A chart of a selection limited only by its period, from the per-day counts."""
        v = tables.day_values.c
        where: list[Any] = [sa.false()]
        if scope.owners:
            where = [v.owner.in_(scope.lowered()), v.kind == kind]
        if f.since:
            where.append(v.day >= _day(f.since))
        if f.until:
            where.append(v.day <= _day(f.until))
        stmt = sa.select(v.day.label("day"), v.value.label("name"), sa.func.sum(v.n).label("n"))
        return stmt.where(*where).group_by(v.day, v.value)

    def _points(self, stmt: Any) -> list[Any]:
        """(day, name, count) rows of a chart, tens of thousands of them: fetched at once by
        the driver's cursor, without building a result row object for each."""
        with self._engine.connect() as conn:
            compiled = stmt.compile(
                dialect=conn.dialect, compile_kwargs={"render_postcompile": True}
            )
            params = compiled.construct_params()
            bound = (
                tuple(params[k] for k in compiled.positiontup or ())
                if compiled.positional
                else params
            )
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(str(compiled), bound)
                return list(cursor.fetchall())
            finally:
                cursor.close()

    @staticmethod
    def totals(points: list[tuple[dt.datetime, str, int]]) -> list[tuple[str, int]]:
        """(name, PRs) summed over a series' points, largest first."""
        summed: dict[str, int] = {}
        for _, name, n in points:
            summed[name] = summed.get(name, 0) + n
        return sorted(summed.items(), key=lambda kv: (-kv[1], kv[0]))

    def facets(self, scope: Scope, *, version: Any = None) -> dict[str, list[str]]:
        """The values each filter can take within the scope (for the form's choices)."""
        if version is not None:
            return self.cached(("facets", scope), version, lambda: self.facets(scope))
        if not scope.owners:
            return {"repo": [], "tool": [], "vendor": [], "verdict": [], "country": []}
        c = tables.choices.c
        with self._engine.connect() as conn:
            chosen = conn.execute(
                sa.select(c.kind, c.value)
                .where(c.owner.in_(scope.lowered()), c.n > 0)
                .group_by(c.kind, c.value)
                .order_by(c.kind, c.value)
            ).all()
        by_kind: dict[str, list[str]] = {"repo": [], "tool": [], "vendor": [], "verdict": []}
        for kind, value in chosen:
            by_kind.setdefault(kind, []).append(value)
        repos, verdicts = by_kind["repo"], by_kind["verdict"]  # in the database's order
        tools, vendors = sorted(by_kind["tool"]), sorted(by_kind["vendor"])
        return {
            "repo": repos,
            "tool": tools,
            "vendor": vendors,
            "verdict": verdicts,
            "country": sorted({self.country_of(v) for v in vendors}),
        }

    def dismissals(
        self, scope: Scope, f: RegisterFilter, *, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The dismissals history (append-only) in scope, newest first; the repository and
        period filters apply."""
        d = tables.dismissals.c
        where = [scope.clause(d.repo)] + self._audit_filters(f, d.repo, d.at)
        stmt = sa.select(tables.dismissals).where(*where).order_by(d.id.desc())
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    @functools.cached_property
    def has_policy_decisions(self) -> bool:
        """True when the store keeps every policy decision (else scans' conclusions are read)."""
        return sa.inspect(self._engine).has_table("policy_decisions")

    def decisions(
        self, scope: Scope, f: RegisterFilter, *, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Every policy decision in scope, newest first: the append-only decisions when the
        store keeps them, else each concluded scan's conclusion."""
        if self.has_policy_decisions:
            d = tables.policy.c
            where = [scope.clause(d.repo)] + self._audit_filters(f, d.repo, d.at)
            if f.verdict:
                where.append(d.conclusion == f.verdict)
            stmt = (
                sa.select(
                    d.repo,
                    d.pr,
                    d.head_sha,
                    d.trigger,
                    d.conclusion,
                    d.reason,
                    d.at.label("finished_at"),
                )
                .where(*where)
                .order_by(d.id.desc())
            )
            if limit is not None:
                stmt = stmt.limit(limit)
            with self._engine.connect() as conn:
                return [dict(r, findings_count=None) for r in conn.execute(stmt).mappings()]
        s = tables.scans.c
        where = [scope.clause(s.repo), s.conclusion.is_not(None)]
        where += self._audit_filters(f, s.repo, s.finished_at)
        if f.verdict:
            where.append(s.conclusion == f.verdict)
        scan_stmt = (
            sa.select(
                s.repo,
                s.pr,
                s.head_sha,
                s.trigger,
                s.state,
                s.conclusion,
                s.findings_count,
                s.finished_at,
            )
            .where(*where)
            .order_by(s.finished_at.desc(), s.id.desc())
        )
        if limit is not None:
            scan_stmt = scan_stmt.limit(limit)
        with self._engine.connect() as conn:
            return [dict(r, reason="") for r in conn.execute(scan_stmt).mappings()]

    @staticmethod
    def _audit_filters(f: RegisterFilter, repo: Any, at: Any) -> list[Any]:
        where = []
        if f.repo:
            where.append(repo == f.repo)
        start, end = f.bounds()
        if start is not None:
            where.append(at >= start)
        if end is not None:
            where.append(at < end)
        return where


def _tag_sets(kind: str, values: list[str]) -> Any:
    t = tables.tagsets.c
    return sa.select(t.tags).where(t.kind == kind, t.value.in_(values))


def _bucket_expr(day: Any, unit: str, first: int, last: int) -> Any:
    """The first day of the week (Monday) or month holding ``day``, as an SQL expression."""
    if unit == "day":
        return day
    if unit == "week":
        return day - (day + 3) % 7  # day 0 was a Thursday
    starts: list[int] = []
    cur = _date_of(first).date().replace(day=1)
    while (cur - _EPOCH.date()).days <= last:
        starts.append((cur - _EPOCH.date()).days)
        cur = (cur + dt.timedelta(days=32)).replace(day=1)
    return sa.case(*[(day >= s, s) for s in reversed(starts[1:])], else_=starts[0])


def _date_of(day: Any) -> dt.datetime:
    return _EPOCH + dt.timedelta(days=int(day))


def _day(iso: str) -> int:
    return (dt.date.fromisoformat(iso) - dt.date(1970, 1, 1)).days
