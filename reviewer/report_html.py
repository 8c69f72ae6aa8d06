"""Pure HTML pieces shared by the registry export and the live register: inline SVG charts,
the page style, tables, and the defusing of spreadsheet formulas.

Everything here returns text and escapes whatever it is given; nothing loads from the network.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "PALETTE",
    "REPORT_CSS",
    "bucket_unit",
    "bucketer",
    "colour",
    "csv_cell",
    "hbars",
    "iso_utc",
    "nice_scale",
    "short_utc",
    "stacked_bars",
    "table",
    "time_series",
]

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_OTHER = "#9AA3AE"


def _svg_open(chart_id: str, title: str, width: int, height: int) -> str:
    return (
        f'<svg id="{chart_id}" class="chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{chart_id}-t" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-t">{html.escape(title)}'
        "</title>"
    )


def bucketer(times: Sequence[dt.datetime]) -> tuple[str, Callable[[dt.datetime], str]]:
    """(unit, label of a time) for a span of times: days up to a month, weeks up to half a
    year, months beyond."""
    if not times:
        return "month", _KEYS["month"]
    unit = bucket_unit((max(times) - min(times)).days)
    return unit, _KEYS[unit]


def bucket_unit(span_days: int) -> str:
    """The unit of a chart spanning ``span_days``: day up to a month, week up to half a year,
    month beyond."""
    return "day" if span_days <= 31 else "week" if span_days <= 182 else "month"


_KEYS: dict[str, Callable[[dt.datetime], str]] = {
    "day": lambda d: d.strftime("%Y-%m-%d"),
    "week": lambda d: (d - dt.timedelta(days=d.weekday())).strftime("%Y-%m-%d"),
    "month": lambda d: d.strftime("%Y-%m"),
}


def _buckets_between(
    start: dt.datetime, end: dt.datetime, unit: str, key: Callable[[dt.datetime], str]
) -> list[str]:
    out: list[str] = []
    cur = start
    step = {"day": dt.timedelta(days=1), "week": dt.timedelta(days=7)}.get(unit)
    while cur <= end + dt.timedelta(days=1):
        label = key(cur)
        if not out or out[-1] != label:
            out.append(label)
        if step is not None:
            cur += step
        else:
            cur = (cur.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    if key(end) not in out:
        out.append(key(end))
    return out


def time_series(
    points: Iterable[tuple[dt.datetime, str, int]],
    *,
    max_series: int = 7,
    unit: str | None = None,
) -> tuple[str, list[str], list[str], dict[str, Counter[str]]]:
    """(unit, buckets, series names, {series: {bucket: count}}) from (time, series, count)
    points; every bucket of the span is present, and series beyond the largest
    ``max_series`` are summed as 'other'. ``unit`` is given when the points are already
    grouped by it (their span no longer tells it)."""
    pts = list(points)
    unit, key = bucketer([t for t, _, _ in pts]) if unit is None else (unit, _KEYS[unit])
    totals: Counter[str] = Counter()
    for _, name, count in pts:
        totals[name] += count
    top = [n for n, _ in totals.most_common(max_series)]
    data: dict[str, Counter[str]] = defaultdict(Counter)
    for when, name, count in pts:
        data[name if name in top else "other"][key(when)] += count
    names = top + (["other"] if "other" in data else [])
    if not pts:
        return unit, [], names, data
    times = [t for t, _, _ in pts]
    return unit, _buckets_between(min(times), max(times), unit, key), names, data


def colour(i: int, name: str) -> str:
    """The palette colour of series ``i`` (grey for 'other')."""
    return _OTHER if name == "other" else PALETTE[i % len(PALETTE)]


def nice_scale(value: int) -> tuple[int, int]:
    """(axis maximum, tick step): 1-2-5 steps, at most five ticks."""
    value = max(value, 1)
    magnitude = 1
    while True:
        for m in (1, 2, 5):
            step = m * magnitude
            if value <= step * 5:
                return -(-value // step) * step, step
        magnitude *= 10


def stacked_bars(
    chart_id: str, title: str, buckets: list[str], names: list[str], data: dict[str, Counter[str]]
) -> str:
    """A stacked bar chart over time: one bar per bucket, one colour per series."""
    e = html.escape
    width, height, left, right, top, bottom = 760, 300, 44, 12, 16, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(data[n][b] for n in names) for b in buckets]
    ymax, ystep = nice_scale(max(totals) if totals else 1)
    slot = plot_w / max(len(buckets), 1)
    bar_w = max(min(slot * 0.7, 48), 2)
    parts = [_svg_open(chart_id, title, width, height)]
    for i in range(ymax // ystep + 1):
        v = i * ystep
        y = top + plot_h - plot_h * v / ymax
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'class="grid"/><text x="{left - 6}" y="{y + 4:.1f}" class="tick" '
            f'text-anchor="end">{v:g}</text>'
        )
    every = max(1, round(len(buckets) / 12))
    for i, b in enumerate(buckets):
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h
        for j, n in enumerate(names):
            count = data[n][b]
            if not count:
                continue
            h = plot_h * count / ymax
            y -= h
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{colour(j, n)}" data-series="{e(n)}" '
                f'data-bucket="{e(b)}" data-count="{count}"><title>{e(n)}: {count} in '
                f"{e(b)}</title></rect>"
            )
        if i % every == 0:
            cx = left + slot * i + slot / 2
            parts.append(
                f'<text class="tick" x="{cx:.1f}" y="{top + plot_h + 16}" '
                f'text-anchor="end" transform="rotate(-35 {cx:.1f} {top + plot_h + 16})">'
                f"{e(b)}</text>"
            )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}" class="axis"/></svg>'
    )
    legend = "".join(
        f'<li><span class="swatch" style="background:{colour(j, n)}"></span>{e(n)}</li>'
        for j, n in enumerate(names)
    )
    return f'<figure>{"".join(parts)}<ul class="legend">{legend}</ul></figure>'


def hbars(chart_id: str, title: str, items: list[tuple[str, int]], colour: str) -> str:
    """A horizontal bar chart of (name, count) items, largest first as given."""
    e = html.escape
    width, row_h, label_w = 760, 28, 220
    height = max(len(items), 1) * row_h + 12
    vmax = max((v for _, v in items), default=1) or 1
    plot_w = width - label_w - 60
    parts = [_svg_open(chart_id, title, width, height)]
    for i, (name, value) in enumerate(items):
        y = 6 + i * row_h
        w = max(plot_w * value / vmax, 1)
        label = name if len(name) <= 32 else name[:31] + "…"
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 17}" text-anchor="end">'
            f'{e(label)}</text><rect class="bar" x="{label_w}" y="{y + 3}" '
            f'width="{w:.1f}" height="{row_h - 8}" fill="{colour}" '
            f'data-series="{e(name)}" data-count="{value}"><title>{e(name)}: {value}'
            f'</title></rect><text class="value" x="{label_w + w + 6:.1f}" y="{y + 17}">'
            f"{value}</text>"
        )
    parts.append("</svg>")
    return f"<figure>{''.join(parts)}</figure>"


REPORT_CSS = """
:root { --ink:#1b2230; --mute:#5d6675; --line:#dde2ea; --bg:#f5f6f8; }
* { box-sizing:border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
       font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header, main { max-width:1100px; margin:0 auto; padding:0 24px; }
header { padding-top:28px; } h1 { font-size:26px; margin:0; }
.sub { color:var(--mute); margin:4px 0 16px; }
h2 { font-size:18px; margin:0 0 4px; } .note { color:var(--mute); font-size:13px; margin:0 0 8px; }
section { background:#fff; border:1px solid var(--line); border-radius:10px; padding:18px 20px;
          margin:16px 0; overflow-x:auto; }
.tiles { display:grid; grid-template-columns:repeat(auto-fit, minmax(150px, 1fr)); gap:12px; }
.tile { background:#fff; border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.tile b { display:block; font-size:26px; } .tile span { color:var(--mute); font-size:13px; }
figure { margin:0; } svg.chart { max-width:100%; height:auto; display:block; }
svg .grid { stroke:#e8ebf0; } svg .axis { stroke:#8a93a0; }
svg text { font:12px system-ui, sans-serif; fill:#3b4350; } svg .value { fill:var(--mute); }
ul.legend { list-style:none; padding:0; margin:8px 0 0; display:flex; flex-wrap:wrap; gap:6px 16px;
            font-size:13px; }
.swatch { display:inline-block; width:12px; height:12px; border-radius:2px; margin-right:6px;
          vertical-align:-1px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line);
         vertical-align:top; }
th { color:var(--mute); font-weight:600; white-space:nowrap; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.empty { color:var(--mute); font-style:italic; }
footer { max-width:1100px; margin:0 auto; padding:8px 24px 40px; color:var(--mute);
         font-size:12px; }
@media print { body { background:#fff; } section { break-inside:avoid; } }
"""


def short_utc(value: dt.datetime) -> str:
    """``YYYY-MM-DD HH:MM`` in UTC."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    numeric: frozenset[int] = frozenset(),
    *,
    table_id: str = "",
) -> str:
    """An HTML table of ``rows`` (every cell escaped); ``numeric`` columns align right."""
    e = html.escape
    ident = f' id="{e(table_id)}"' if table_id else ""
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if i in numeric else ''}>{e(str(c))}</td>" for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def csv_cell(value: str) -> str:
    """Defuse spreadsheet formulas: a PR title is attacker-controlled text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def iso_utc(value: dt.datetime) -> str:
    """ISO 8601 in UTC, to the second."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
