"""Server-drawn SVG charts: no script needed to read them, nothing fetched from anywhere.
Every label is escaped."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import math
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


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _ticks(first: dt.date, last: dt.date, max_labels: int) -> list[tuple[dt.date, str, bool]]:
    """Axis ticks (date, label, major) for the span: years over long spans, months or weeks over
    short ones. The first label always carries the year, so a span without a January still says
    which year it is."""
    days = (last - first).days
    out: list[tuple[dt.date, str, bool]] = []
    if days > 540:
        step = max(1, math.ceil((last.year - first.year + 1) / max_labels))
        for y in range(first.year + 1, last.year + 1):
            if (y - first.year) % step == 0:
                out.append((dt.date(y, 1, 1), str(y), True))
        return [(first, str(first.year), True), *out]
    if days > 45:
        months = [dt.date(y, m, 1) for y in range(first.year, last.year + 1) for m in range(1, 13)
                  if first < dt.date(y, m, 1) <= last]
        step = max(1, math.ceil((len(months) + 1) / max_labels))
        out = [(first, f"{MONTHS[first.month - 1]} {first.year}", True)]
        for i, m in enumerate(months, 1):
            if i % step == 0:
                out.append((m, f"{MONTHS[m.month - 1]}" + (f" {m.year}" if m.month == 1 else ""), m.month == 1))
        return out
    step_days = max(1, math.ceil((days + 1) / max_labels))
    out = [(first, f"{first.day} {MONTHS[first.month - 1]} {first.year}", True)]
    d = first + dt.timedelta(days=step_days)
    while d <= last:
        out.append((d, f"{d.day} {MONTHS[d.month - 1]}", False))
        d += dt.timedelta(days=step_days)
    return out


@dataclasses.dataclass
class Cluster:
    first: dt.date
    last: dt.date
    articles: int
    weight: float  # sum of day-offsets * articles, for the cluster's centre
    entry: dt.date | None = None


def timeline_axis(
    articles: Sequence[tuple[dt.date, int]], entries: Sequence[dt.date], *, first: dt.date, last: dt.date,
    slots: int, max_labels: int, css: str = "",
) -> Markup:
    """The storyline's whole span as an axis drawn on the server (readable without script):
    one dot per cluster of close article dates, its area by the number of articles, labelled
    years (or months), and dots holding a timeline entry linked to it (``#d-YYYY-MM-DD``).

    Positions are percentages, so the SVG fits any width without stretching its text; ``slots``
    is how many dots fit side by side (fewer on a phone: the page draws a narrow and a wide
    axis and CSS shows one)."""
    if last < first:
        first, last = last, first
    pad = max(2, (last - first).days // 40)
    lo, hi = first - dt.timedelta(days=pad), last + dt.timedelta(days=pad)
    span = max(1, (hi - lo).days)

    def x(d: dt.date | float) -> float:
        off = (d - lo).days if isinstance(d, dt.date) else d
        return 2 + 96 * off / span

    gap = 96 / max(1, slots)  # in percent of the width: closer dots are one cluster
    clusters: list[Cluster] = []
    for d, n in sorted(articles):
        off = (d - lo).days
        if clusters and x(d) - x(clusters[-1].weight / clusters[-1].articles) < gap:
            c = clusters[-1]
            c.last, c.articles, c.weight = d, c.articles + n, c.weight + off * n
        else:
            clusters.append(Cluster(d, d, n, off * n))
    for e in sorted(entries):
        for c in clusters:
            if c.first <= e <= c.last and c.entry is None:
                c.entry = e
                break
    top = max((c.articles for c in clusters), default=1)
    h, base = 92, 62
    title = f"{len(clusters)} clusters of articles from {first.isoformat()} to {last.isoformat()}"
    parts = [f'<svg class="tl-svg {escape(css)}" width="100%" height="{h}" role="img" aria-label="{escape(title)}">',
             f'<line class="axis-line" x1="1%" x2="99%" y1="{base}" y2="{base}"/>']
    for d, label, major in _ticks(first, last, max_labels):
        xx = x(d)
        anchor = "start" if xx < 8 else "end" if xx > 92 else "middle"
        parts.append(f'<line class="{"tick-major" if major else "tick-minor"}" x1="{xx:.2f}%" x2="{xx:.2f}%"'
                     f' y1="{base}" y2="{base + 6}"/>')
        parts.append(f'<text class="tick" x="{xx:.2f}%" y="{base + 20}" text-anchor="{anchor}">{escape(label)}</text>')
    for c in sorted(clusters, key=lambda c: -c.articles):  # big dots first, small ones drawn on top
        r = 3 + 9 * math.sqrt(c.articles / top)
        cx = x(c.weight / c.articles)
        when = _span_text(c.first, c.last)
        tip = f"{when}: {c.articles} article{'s' if c.articles != 1 else ''}" + (
            " · on the timeline below" if c.entry else "")
        cls = "dot has-entry" if c.entry else "dot"
        dot = (f'<circle class="{cls}" cx="{cx:.2f}%" cy="{base - 4 - r:.1f}" r="{r:.1f}">'
               f"<title>{escape(tip)}</title></circle>")
        parts.append(f'<a href="#d-{c.entry.isoformat()}">{dot}</a>' if c.entry else dot)
    parts.append("</svg>")
    return Markup("".join(parts))


def _span_text(a: dt.date, b: dt.date) -> str:
    if a == b:
        return f"{a.day} {MONTHS[a.month - 1]} {a.year}"
    if a.year == b.year:
        return f"{a.day} {MONTHS[a.month - 1]} – {b.day} {MONTHS[b.month - 1]} {b.year}"
    return f"{a.day} {MONTHS[a.month - 1]} {a.year} – {b.day} {MONTHS[b.month - 1]} {b.year}"
