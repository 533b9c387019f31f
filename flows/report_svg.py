"""The report's daily chart, drawn as inline SVG (no script, no network): one line per hashtag on
a calendar axis, with a tooltip on every point. Each line has its own colour, dash pattern and
point marker, so that lines on the same values stay apart (the legend shows all three)."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
# Nice axis steps: the y axis has 4 intervals of one of these.
_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000)


def esc(v: object) -> str:
    """`v` as text safe inside an element or a quoted attribute (None: empty)."""
    return html.escape("" if v is None else str(v), quote=True)


def color(i: int) -> str:
    """The colour of the i-th series (the legend uses it too)."""
    return PALETTE[i % len(PALETTE)]


# Dash patterns and markers of the series, in turn; with PALETTE's 8 colours, the first 8 series
# differ in colour, the first 5 also in dash and marker (a line hidden under another one on
# equal values still shows in the gaps of a dashed one, and by its markers).
DASHES = ("", "9 4", "3 3", "12 3 3 3", "1 4")
MARKERS = ("circle", "square", "triangle", "diamond", "cross")


def dash(i: int) -> str:
    return DASHES[i % len(DASHES)]


def marker(i: int, x: float, y: float, inner: str = "") -> str:
    """The point marker of the i-th series at (x, y), with `inner` (its tooltip) inside."""
    c, kind = color(i), MARKERS[i % len(MARKERS)]
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.2" fill="{c}">{inner}</circle>'
    if kind == "square":
        return (
            f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{c}">{inner}</rect>'
        )
    d = {
        "triangle": f"M{x:.1f},{y - 4.5:.1f}L{x + 4:.1f},{y + 3:.1f}L{x - 4:.1f},{y + 3:.1f}Z",
        "diamond": f"M{x:.1f},{y - 4.5:.1f}L{x + 4:.1f},{y:.1f}L{x:.1f},{y + 4.5:.1f}"
        f"L{x - 4:.1f},{y:.1f}Z",
        "cross": f"M{x - 3.5:.1f},{y - 3.5:.1f}L{x + 3.5:.1f},{y + 3.5:.1f}"
        f"M{x - 3.5:.1f},{y + 3.5:.1f}L{x + 3.5:.1f},{y - 3.5:.1f}",
    }[kind]
    fill = f'fill="none" stroke="{c}" stroke-width="2"' if kind == "cross" else f'fill="{c}"'
    return f'<path d="{d}" {fill}>{inner}</path>'


def _dash_attr(i: int) -> str:
    return f' stroke-dasharray="{dash(i)}"' if dash(i) else ""


def legend_key(i: int) -> str:
    """A short stretch of the i-th series' line with its marker, for the legend."""
    return (
        f'<svg width="34" height="12" viewBox="0 0 34 12" aria-hidden="true">'
        f'<path d="M1,6H33" stroke="{color(i)}" stroke-width="2.2"{_dash_attr(i)}/>'
        f"{marker(i, 17, 6)}</svg>"
    )


def nice_max(v: int) -> int:
    """The top of a y axis that shows `v`: a multiple of 4 nice steps."""
    if v <= 4:
        return max(v, 1) if v > 0 else 4
    for step in _STEPS:
        if v <= step * 4:
            return step * 4
    mag = 10 ** (len(str(v)) - 1)
    return -(-v // mag) * mag


@dataclass(frozen=True)
class _Frame:
    """Maps (day, value) to the SVG's coordinates."""

    start: dt.date
    n_days: int
    ymax: int
    w: int = 1000
    h: int = 300
    ml: int = 44  # margins: left, right, top, bottom
    mr: int = 16
    mt: int = 12
    mb: int = 34

    def x(self, d: dt.date) -> float:
        return self.ml + ((d - self.start).days / max(self.n_days - 1, 1)) * (
            self.w - self.ml - self.mr
        )

    def y(self, v: float) -> float:
        return self.mt + (1 - v / self.ymax) * (self.h - self.mt - self.mb)


def timeseries_svg(
    series: list[dict], start: dt.date, last: dt.date, prefix: str = "series"
) -> str:
    """Daily articles of each series as lines on a calendar axis (left to right: oldest first).
    Days with no articles at all are gaps, not zeros. Line i is the group `<prefix>-<i>` (a
    page with two charts gives each its own prefix)."""
    f = _Frame(
        start,
        (last - start).days + 1,
        nice_max(max([0, *(v for s in series for v in s["points"].values())])),
    )
    parts = [
        f'<svg viewBox="0 0 {f.w} {f.h}" width="100%" '
        f'role="img" direction="ltr"><title>daily articles</title>',
        *_axes(f),
        *(_series(f, f"{prefix}-{i}", i, s) for i, s in enumerate(series)),
        "</svg>",
    ]
    return "".join(parts)


def _axes(f: _Frame) -> list[str]:
    """Four horizontal grid lines with their values, and at most about ten day labels."""
    parts = []
    for i in range(5):
        v = f.ymax * i / 4
        yy = f.y(v)
        parts.append(
            f'<line x1="{f.ml}" x2="{f.w - f.mr}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#eee"/>'
            f'<text x="{f.ml - 6}" y="{yy + 4:.1f}" text-anchor="end">{v:g}</text>'
        )
    step = max(1, -(-f.n_days // 10))
    for i in range(0, f.n_days, step):
        d = f.start + dt.timedelta(days=i)
        parts.append(
            f'<text x="{f.x(d):.1f}" y="{f.h - f.mb + 16}" text-anchor="middle">{d:%m-%d}</text>'
        )
    return parts


def _series(f: _Frame, gid: str, i: int, s: dict) -> str:
    """One series' line (broken where a day is missing) and its points, as the group `gid`."""
    c = color(i)
    path, prev = [], None
    for d in sorted(s["points"]):
        cmd = "L" if prev is not None and (d - prev).days == 1 else "M"
        path.append(f"{cmd}{f.x(d):.1f},{f.y(s['points'][d]):.1f}")
        prev = d
    dots = "".join(
        marker(i, f.x(d), f.y(v), f"<title>{esc(s['display'])} · {d}: {v}</title>")
        for d, v in sorted(s["points"].items())
    )
    return (
        f'<g id="{gid}"><path class="s" stroke="{c}"{_dash_attr(i)} d="{" ".join(path)}"/>'
        f"{dots}</g>"
    )
