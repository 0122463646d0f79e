"""The report's map and charts, drawn offline with matplotlib into PNG bytes.

The pictures carry numbers, dates and ids only: their legends and captions are in the HTML,
where the text is translated and (for Arabic) shaped by the browser or Pango; matplotlib does
not shape Arabic. PNGs are written without a software tag or date, so the same data gives the
same bytes.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from shapely.geometry import LineString, Point, Polygon, box, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from jig.agreement.model import Agreement, Feature
from jig.report.tally import EITHER, JOINTLY, NO_PARTY, VERDICTS, Tally, key_parties

COLOURS = {"breach": "#c0392b", "undetermined": "#d4a017", "excepted": "#2a8fbd",
           "complies": "#3a9a4a", "not_applicable": "#9a9a9a"}
ZONE_COLOURS = ("#7b5ea7", "#3b7dd8", "#d86f3b", "#2f9e8f", "#a33b6b", "#6b8e23")
PARTY_COLOURS = ("#34495e", "#e67e22", "#16a085", "#8e44ad", "#7f8c8d", "#b03a2e")
NO_PARTY_COLOUR = "#bdbdbd"
DPI = 150


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


@cache
def country_units() -> tuple[BaseGeometry, ...]:
    """The first-level admin units that ship with jig (OCHA Syria COD-AB 2016, simplified)."""
    text = resources.files("jig.ui").joinpath("static/base.geojson").read_text(encoding="utf-8")
    return tuple(shape(f["geometry"]) for f in json.loads(text)["features"])


def _draw(ax: Axes, geom: BaseGeometry, **style: object) -> None:
    """A Shapely geometry on lon/lat axes: polygons filled, lines and points as drawn."""
    parts = getattr(geom, "geoms", [geom])
    for g in parts:
        if isinstance(g, Polygon):
            x, y = g.exterior.xy
            ax.fill(x, y, **style)  # type: ignore[arg-type]
        elif isinstance(g, LineString):
            x, y = g.xy
            ax.plot(x, y, color=style.get("edgecolor", "k"), linewidth=1.5,
                    zorder=style.get("zorder", 2))
        elif isinstance(g, Point):
            ax.plot([g.x], [g.y], marker="s", markersize=4, color=style.get("edgecolor", "k"),
                    zorder=style.get("zorder", 2))


@dataclass(frozen=True)
class InPeriod:
    """The agreement's zones, sites and targets by their validity against the period: in
    force throughout it, for part of it, or at no moment of it (ended before it or not yet
    begun). A map of April 2019 drew Eastern Ghouta's zone, ended a year before, filled like
    Idlib's (a review)."""

    whole: tuple[Feature, ...]
    part: tuple[Feature, ...]
    none: tuple[Feature, ...]

    @property
    def drawn(self) -> tuple[Feature, ...]:
        return (*self.whole, *self.part)


def in_period(features: Sequence[Feature], start: float, end: float) -> InPeriod:
    """`features` split by their validity windows against [start, end)."""
    whole, part, none = [], [], []
    for f in features:
        w = f.window
        if w.end <= start or w.start >= end:
            none.append(f)
        elif w.start <= start and end <= w.end:
            whole.append(f)
        else:
            part.append(f)
    return InPeriod(tuple(whole), tuple(part), tuple(none))


def zone_kinds(agreement: Agreement) -> list[str]:
    """Zone kinds in a fixed order, so a kind keeps its colour (the HTML legend uses it too)."""
    return sorted({z.kind or "" for z in agreement.zones})


def zone_colour(kinds: Sequence[str], kind: str | None) -> str:
    return ZONE_COLOURS[kinds.index(kind or "") % len(ZONE_COLOURS)]


def _nice_km(span_km: float) -> float:
    """A round scale-bar length near a fifth of the map's width."""
    want = span_km / 5
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if step >= want * 0.6:
            return step
    return 1000


def _extent(agreement: Agreement, lon: np.ndarray, lat: np.ndarray,
            country: BaseGeometry | None, features: Sequence[Feature] | None = None
            ) -> tuple[float, float, float, float]:
    if features is None:
        features = (*agreement.zones, *agreement.sites, *agreement.targets)
    geoms = [f.geometry for f in features]
    if len(lon):
        geoms.append(box(float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())))
    if not geoms:
        geoms = [country] if country is not None else [box(-1, -1, 1, 1)]
    x0, y0, x1, y1 = unary_union(geoms).bounds
    pad = max(x1 - x0, y1 - y0, 0.2) * 0.08
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def draw_map(agreement: Agreement, lon: np.ndarray, lat: np.ndarray, code: np.ndarray,
             km: str = "km", period: tuple[float, float] | None = None) -> bytes:
    """Zones by kind, sites, targets and the period's incidents by verdict, with a scale bar
    and an inset of the whole country (the agreement's area, or the boundaries jig ships).
    With `period` ([start, end) in epoch seconds), only the features in force at some moment
    of it are drawn, and those in force for part of it with a dashed edge and a lighter fill."""
    units = country_units()
    country = agreement.area if agreement.area is not None else unary_union(units)
    start, end = period if period is not None else (-math.inf, math.inf)
    zones = in_period(agreement.zones, start, end)
    sites = in_period(agreement.sites, start, end).drawn
    targets = in_period(agreement.targets, start, end).drawn
    partly = {f.id for f in zones.part}
    x0, y0, x1, y1 = _extent(agreement, lon, lat, country, (*zones.drawn, *sites, *targets))
    lat0 = (y0 + y1) / 2
    # The figure takes the extent's shape (in ground distance), so the page is not left blank.
    ratio = (y1 - y0) / ((x1 - x0) * math.cos(math.radians(lat0)))
    fig = Figure(figsize=(7.2, min(max(7.2 * 0.9 * ratio / 0.92, 3.2), 9.5)))
    ax = fig.add_axes((0.08, 0.06, 0.9, 0.92))
    for u in units:
        _draw(ax, u, facecolor="#f1efe9", edgecolor="#b9b4a8", linewidth=0.5, zorder=0)
    if agreement.area is not None:
        _draw(ax, agreement.area, facecolor="none", edgecolor="#6d675c", linewidth=0.8, zorder=1)
    kinds = zone_kinds(agreement)
    for z in zones.drawn:
        c = zone_colour(kinds, z.kind)
        if z.id in partly:
            _draw(ax, z.geometry, facecolor=c + "1a", edgecolor=c, linewidth=1.0, zorder=2,
                  linestyle=(0, (4, 2)))
        else:
            _draw(ax, z.geometry, facecolor=c + "40", edgecolor=c, linewidth=1.0, zorder=2)
    for s in sites:
        _draw(ax, s.geometry, facecolor="#00000020", edgecolor="#111111", linewidth=1.0, zorder=3)
    for t in targets:
        agreed = agreement.is_agreed(t)
        c = t.geometry.centroid
        ax.plot([c.x], [c.y], marker="X", markersize=7, zorder=4,
                color="#5b2c6f" if agreed else "#c39bd3", markeredgecolor="white")
    # Least severe first, so breaches are drawn on top.
    for i in reversed(range(len(VERDICTS) + 1)):
        sel = code == i
        if sel.any():
            name = (*VERDICTS, "not_applicable")[i]
            ax.scatter(lon[sel], lat[sel], s=9 if len(lon) < 5000 else 2,
                       color=COLOURS[name], edgecolors="none", zorder=5 + (4 - i),
                       rasterized=True)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / math.cos(math.radians(lat0)))
    # A label near one already placed goes a line lower ("idlib-area" was printed over
    # "dmz / dmz-heavy-weapons", whose points are 10 km apart).
    placed: list[tuple[float, float]] = []
    span_x, span_y = x1 - x0, y1 - y0
    for label, c in _labels((*zones.drawn, *sites, *targets)):
        if not (x0 <= c.x <= x1 and y0 <= c.y <= y1):
            continue
        u, v = (c.x - x0) / span_x, (c.y - y0) / span_y
        lines = 0
        while any(abs(u - pu) < 0.25 and abs(v - lines * 0.018 - pv) < 0.018
                  for pu, pv in placed):
            lines += 1
        placed.append((u, v - lines * 0.018))
        ax.annotate(label, (c.x, c.y), fontsize=6.5, color="#222222", zorder=9,
                    xytext=(3, 3 - 9 * lines), textcoords="offset points")
    ax.tick_params(labelsize=7)
    _scale_bar(ax, x0, x1, y0, y1, lat0, km)
    _inset(ax, units, country, (x0, y0, x1, y1))
    return png(fig)


def _labels(features: Sequence[Feature]) -> list[tuple[str, Point]]:
    """One label per place drawn: features of the same geometry share it ("dmz /
    dmz-heavy-weapons"), where two labels were printed over each other."""
    out: dict[bytes, tuple[list[str], Point]] = {}
    for f in features:
        key = f.geometry.wkb
        if key in out:
            out[key][0].append(f.id)
        else:
            out[key] = ([f.id], f.geometry.representative_point())
    return [(" / ".join(ids), point) for ids, point in out.values()]


def _scale_bar(ax: Axes, x0: float, x1: float, y0: float, y1: float, lat0: float,
               km: str) -> None:
    deg_km = 111.32 * math.cos(math.radians(lat0))
    length = _nice_km((x1 - x0) * deg_km)
    sx, sy = x0 + (x1 - x0) * 0.05, y0 + (y1 - y0) * 0.05
    ax.plot([sx, sx + length / deg_km], [sy, sy], color="black", linewidth=3, zorder=10,
            solid_capstyle="butt")
    ax.text(sx + length / deg_km / 2, sy + (y1 - y0) * 0.015, f"{length:g} {km}",
            ha="center", va="bottom", fontsize=7, zorder=10)


def _inset(ax: Axes, units: Sequence[BaseGeometry], country: BaseGeometry,
           extent: tuple[float, float, float, float]) -> None:
    ins = ax.inset_axes((0.74, 0.64, 0.25, 0.35), zorder=20)
    for u in units:
        _draw(ins, u, facecolor="#e4e0d6", edgecolor="#ffffff", linewidth=0.3)
    _draw(ins, country, facecolor="none", edgecolor="#6d675c", linewidth=0.6)
    x0, y0, x1, y1 = extent
    ins.plot([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0], color="#c0392b", linewidth=1)
    cx0, cy0, cx1, cy1 = unary_union([country, box(*extent)]).bounds
    ins.set_xlim(cx0, cx1)
    ins.set_ylim(cy0, cy1)
    ins.set_aspect(1 / math.cos(math.radians((cy0 + cy1) / 2)))
    ins.set_xticks([])
    ins.set_yticks([])
    ins.set_facecolor("white")


def bins(first: date, days: int) -> int:
    """Days per bar: one a day up to three months, then wider bars so there are at most ~90."""
    return max(1, math.ceil(days / 90))


def _binned(counts: dict[date, dict[str, int]], keys: Sequence[str], first: date, days: int,
            width: int) -> tuple[list[date], dict[str, np.ndarray]]:
    n = math.ceil(days / width)
    starts = [first + timedelta(days=i * width) for i in range(n)]
    out = {k: np.zeros(n) for k in keys}
    for d, c in counts.items():
        i = (d - first).days // width
        if 0 <= i < n:
            for k in keys:
                out[k][i] += c.get(k, 0)
    return starts, out


def _stacked(ax: Axes, starts: list[date], series: dict[str, np.ndarray],
             colours: dict[str, str] | dict[str, tuple[str, str | None]], width: int) -> None:
    """Bars stacked by series; a colour (fill, stripes) draws the series striped."""
    bottom = np.zeros(len(starts))
    for k, values in series.items():
        c = colours[k]
        fill, stripes = c if isinstance(c, tuple) else (c, None)
        if stripes is None:
            ax.bar(starts, values, width=width * 0.9, bottom=bottom, color=fill, align="edge")
        else:
            ax.bar(starts, values, width=width * 0.9, bottom=bottom, color=fill, align="edge",
                   # The stripes' colour as the edge's: `hatchcolor` is matplotlib 3.11's,
                   # and the edge colour has coloured hatches in every version we allow.
                   hatch="////", edgecolor=stripes, linewidth=0)
        bottom += values
    ax.tick_params(labelsize=7)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_locator(_date_locator())
    ax.xaxis.set_major_formatter(_date_formatter())
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)


def _date_locator() -> object:
    from matplotlib.dates import AutoDateLocator

    return AutoDateLocator(maxticks=8)


def _date_formatter() -> object:
    from matplotlib.dates import ConciseDateFormatter

    # Numbers only (no month names), so the chart reads the same in every language.
    return ConciseDateFormatter(_date_locator(), formats=["%Y", "%m", "%m-%d", "%H:%M", "%H:%M",
                                                          "%S.%f"],
                                zero_formats=["", "%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M"],
                                offset_formats=["", "%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d",
                                                "%Y-%m-%d %H:%M"])


def per_day_by_verdict(tally: Tally, first: date, days: int) -> bytes:
    width = bins(first, days)
    starts, series = _binned(tally.day, VERDICTS, first, days, width)
    fig = Figure(figsize=(7.2, 2.4))
    ax = fig.add_axes((0.07, 0.14, 0.91, 0.82))
    _stacked(ax, starts, series, COLOURS, width)
    return png(fig)


def party_colours(parties: Sequence[str]) -> dict[str, str]:
    out = {p: PARTY_COLOURS[i % len(PARTY_COLOURS)] for i, p in enumerate(p for p in parties if p)}
    out[NO_PARTY] = NO_PARTY_COLOUR
    return out


def row_colours(key: str, colours: dict[str, str]) -> tuple[str, str | None]:
    """A party row's fill and, for a row of several parties, the colour of its stripes: the
    second party's over the first's, so that "either RU or TR" reads as neither alone."""
    kind, parties = key_parties(key)
    if kind == "":
        return colours.get(key, NO_PARTY_COLOUR), None
    return colours.get(parties[0], NO_PARTY_COLOUR), colours.get(parties[1], NO_PARTY_COLOUR)


def per_day_by_party(tally: Tally, keys: Sequence[str], first: date, days: int,
                     parties: Sequence[str] | None = None) -> bytes:
    """Breach and undetermined incidents per day by the row they count under (a party, or
    several: EITHER, JOINTLY), stacked: each incident is in one row, so a bar's height is the
    day's incidents."""
    width = bins(first, days)
    starts, series = _binned(tally.day_party, keys, first, days, width)
    fig = Figure(figsize=(7.2, 2.4))
    ax = fig.add_axes((0.07, 0.14, 0.91, 0.82))
    colours = party_colours([k for k in (parties or keys) if EITHER not in k and JOINTLY not in k])
    _stacked(ax, starts, series, {k: row_colours(k, colours) for k in keys}, width)
    return png(fig)


def per_place(rows: Sequence[tuple[str, int, int]]) -> bytes:
    """Breach and undetermined findings per zone or protected site (most first)."""
    fig = Figure(figsize=(7.2, 0.5 + 0.22 * max(len(rows), 1)))
    ax = fig.add_axes((0.18, 0.08, 0.78, 0.9))
    names = [r[0] for r in rows][::-1]
    b = np.array([r[1] for r in rows][::-1], dtype=float)
    u = np.array([r[2] for r in rows][::-1], dtype=float)
    y = np.arange(len(rows))
    ax.barh(y, b, color=COLOURS["breach"])
    ax.barh(y, u, left=b, color=COLOURS["undetermined"])
    ax.set_yticks(y, names)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(labelsize=7)
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    return png(fig)


def before_after(now: Tally, before: Tally) -> bytes:
    """Incidents by verdict, the comparison period (light) beside the period (full colour)."""
    fig = Figure(figsize=(7.2, 2.2))
    ax = fig.add_axes((0.07, 0.12, 0.91, 0.84))
    x = np.arange(len(VERDICTS))
    ax.bar(x - 0.2, [before.verdicts.get(v, 0) for v in VERDICTS], width=0.38,
           color=[COLOURS[v] + "66" for v in VERDICTS], edgecolor=[COLOURS[v] for v in VERDICTS],
           hatch="//")
    ax.bar(x + 0.2, [now.verdicts.get(v, 0) for v in VERDICTS], width=0.38,
           color=[COLOURS[v] for v in VERDICTS])
    ax.set_xticks(x, ["" for _ in VERDICTS])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    for bars in ax.containers:
        ax.bar_label(bars, fontsize=7)
    ax.tick_params(labelsize=7)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    return png(fig)
