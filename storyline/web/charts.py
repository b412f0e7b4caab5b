"""Server-drawn SVG charts: no script needed to read them, nothing fetched from anywhere.
Every label is escaped."""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

PALETTE = ["#2f6fdf", "#e0793a", "#2a9d74", "#c2417a", "#7a5bd1", "#b8962e", "#3a9fbf", "#8c6d5a", "#9aa3ad"]


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _bucket(d: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return d
    if unit == "week":
        return d - dt.timedelta(days=d.weekday())
    if unit == "month":
        return d.replace(day=1)
    return d.replace(month=1, day=1)


def _next(d: dt.date, unit: str) -> dt.date:
    if unit == "day":
        return d + dt.timedelta(days=1)
    if unit == "week":
        return d + dt.timedelta(days=7)
    if unit == "month":
        return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return d.replace(year=d.year + 1)


def _label(d: dt.date, unit: str) -> str:
    return {"day": d.isoformat(), "week": f"week of {d.isoformat()}", "month": d.strftime("%Y-%m")}.get(
        unit, str(d.year))


def stacked_bars(
    points: Iterable[tuple[dt.date | None, str, int]], *, title: str, max_series: int = 7
) -> tuple[Markup, list[tuple[str, str, int]], int]:
    """A stacked bar chart of article counts over time, one colour per series (language or
    outlet). Returns the SVG, the legend (name, colour, total) and the undated count."""
    undated = 0
    totals: collections.Counter[str] = collections.Counter()
    dated: list[tuple[dt.date, str, int]] = []
    for d, series, n in points:
        totals[series] += n
        if d is None:
            undated += n
        else:
            dated.append((d, series, n))
    names = [s for s, _ in totals.most_common(max_series)]
    if len(totals) > max_series:
        names = [*names[:max_series - 1], "other"]
    legend = [(s, color(i), totals[s] if s != "other" else sum(
        n for k, n in totals.items() if k not in names)) for i, s in enumerate(names)]
    if not dated:
        return Markup(""), legend, undated
    first = min(d for d, _, _ in dated)
    last = max(d for d, _, _ in dated)
    span = (last - first).days
    unit = "day" if span <= 62 else "week" if span <= 370 else "month" if span <= 365 * 8 else "year"
    buckets: dict[dt.date, collections.Counter[str]] = {}
    b = _bucket(first, unit)
    while b <= last:
        buckets[b] = collections.Counter()
        b = _next(b, unit)
    for d, series, n in dated:
        buckets[_bucket(d, unit)][series if series in names else "other"] += n
    keys = sorted(buckets)
    top = max(1, max(sum(c.values()) for c in buckets.values()))
    w, h, bottom, pad = 720, 190, 22, 6
    left: float = 34
    bw = min(56.0, (w - left - pad) / max(1, len(keys)))
    left = max(left, (w - pad - bw * len(keys)) / 2) if len(keys) < 8 else left
    parts = [f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for val in sorted({0, top // 2, top} if top >= 2 else {0, top}):
        y = pad + (h - bottom - pad) * (1 - val / top)
        parts.append(f'<line class="grid" x1="{left}" x2="{w - pad}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{val}</text>')
    for i, k in enumerate(keys):
        x = left + i * bw
        y = h - bottom
        for j, s in enumerate(names):
            n = buckets[k][s]
            if not n:
                continue
            bh = (h - bottom - pad) * n / top
            y -= bh
            tip = f"{_label(k, unit)} · {s}: {n} article{'s' if n != 1 else ''}"
            parts.append(
                f'<rect x="{x + bw * 0.12:.1f}" y="{y:.1f}" width="{max(1.0, bw * 0.76):.1f}" height="{bh:.1f}"'
                f' fill="{color(j)}" rx="1.5"><title>{escape(tip)}</title></rect>'
            )
    step = max(1, len(keys) // 6)
    for i in range(0, len(keys), step):
        x = left + (i + 0.5) * bw
        parts.append(f'<text class="tick" x="{x:.1f}" y="{h - 6}" text-anchor="middle">'
                     f"{escape(_label(keys[i], unit).removeprefix('week of '))}</text>")
    parts.append("</svg>")
    return Markup("".join(parts)), legend, undated


def coverage_charts(points: Sequence[tuple[dt.date | None, str, str | None, int]]
                    ) -> dict[str, tuple[Markup, list[tuple[str, str, int]], int]]:
    """The storyline's coverage by language and by outlet."""
    return {
        "language": stacked_bars(((d, lang, n) for d, lang, _, n in points), title="Articles by language over time"),
        "outlet": stacked_bars(((d, src or "unknown outlet", n) for d, _, src, n in points),
                               title="Articles by outlet over time"),
    }
