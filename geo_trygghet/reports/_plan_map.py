"""The report's static map of an åtgärdsplan (matplotlib, offline: no web tiles): hot-spot cells,
the problems' places, the actions' places coloured by their light and numbered, and the control
areas of the effect follow-up, in a metric CRS with a scale bar and a north arrow."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
from shapely.geometry import box, shape

from .. import schema as S
from ..actionplan import rules
from ..actionplan.outcomes import PlanFollowUp
from ..actionplan.records import PlanView
from ..crs import metric_crs_for
from ..i18n import text

__all__ = ["static_plan_figure"]


def _shape(area: Any) -> Any:
    if not area:
        return None
    data = json.loads(area) if isinstance(area, str) else area
    return shape(data["geometry"] if data.get("type") == "Feature" else data)


def _extent(frames: list[gpd.GeoSeries]) -> tuple[float, float, float, float]:
    bounds = [f.total_bounds for f in frames if len(f)]
    if not bounds:
        return 0.0, 0.0, 1000.0, 1000.0
    x0, y0 = min(b[0] for b in bounds), min(b[1] for b in bounds)
    x1, y1 = max(b[2] for b in bounds), max(b[3] for b in bounds)
    span = max(x1 - x0, y1 - y0, 500.0)
    pad = span * 0.08 + 50
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = max((x1 - x0) / 2 + pad, span * 0.36)
    half_h = max((y1 - y0) / 2 + pad, span * 0.25)
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _decorate(ax: Any, ext: tuple[float, float, float, float]) -> None:
    width, height = ext[2] - ext[0], ext[3] - ext[1]
    nice = [100, 200, 250, 500, 1000, 2000, 5000, 10000]
    bar = max([n for n in nice if n <= width / 4] or [nice[0]])
    bx, by = ext[0] + width * 0.04, ext[1] + height * 0.05
    ax.plot([bx, bx + bar], [by, by], color="#222222", lw=2.5, zorder=8, solid_capstyle="butt")
    ax.text(bx + bar / 2, by + height * 0.015, f"{bar} m" if bar < 1000 else f"{bar // 1000} km", ha="center",
            va="bottom", fontsize=7.5, zorder=8)
    nx, ny = ext[2] - width * 0.05, ext[3] - height * 0.14
    ax.annotate("N", xy=(nx, ny + height * 0.08), xytext=(nx, ny), ha="center", va="center", fontsize=9,
                fontweight="bold", arrowprops={"arrowstyle": "-|>", "color": "#222222"}, zorder=8)


def static_plan_figure(view: PlanView, follow: PlanFollowUp | None = None, *, hotspot_cells: Any = None,
                       lang: str = "sv") -> Any:
    """A matplotlib Figure of the plan's places (see the module docstring)."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    from ..hotspots.gistar import GI_BIN_COLOURS

    places = [(a, _shape(view.place_of(a))) for a in view.actions]
    places = [(a, g) for a, g in places if g is not None]
    problems = [g for g in (_shape(p.area) for p in view.problems) if g is not None]
    controls = []
    if follow is not None:
        for f in follow.actions:
            if f.effect is not None:
                controls += [shape(c["geometry"]) for c in json.loads(f.effect.controls).get("features", [])]
    every = [g for _, g in places] + problems + controls
    crs: Any = "EPSG:3006"
    if every:
        c = gpd.GeoSeries(every, crs="EPSG:4326").union_all().representative_point()
        crs = metric_crs_for(np.array([c.x]), np.array([c.y]))

    def metric(geoms: list[Any]) -> gpd.GeoSeries:
        return gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs(crs)

    action_gs, problem_gs, control_gs = metric([g for _, g in places]), metric(problems), metric(controls)
    ext = _extent([action_gs, problem_gs, control_gs])
    fig = Figure(figsize=(7.4, 5.4))
    ax = fig.add_subplot(1, 1, 1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_xlim(ext[0], ext[2])
    ax.set_ylim(ext[1], ext[3])
    ax.add_patch(Rectangle((ext[0], ext[1]), ext[2] - ext[0], ext[3] - ext[1], facecolor="#f7f5f0",
                           edgecolor="#999999", lw=0.8, zorder=0))
    handles: list[Any] = []
    if hotspot_cells is not None and len(hotspot_cells):
        hot = hotspot_cells[hotspot_cells[S.GI_BIN] > 0].to_crs(crs)
        hot = hot[hot.intersects(box(*ext))]
        for b in (1, 2, 3):
            part = hot[hot[S.GI_BIN] == b]
            if len(part):
                part.plot(ax=ax, color=GI_BIN_COLOURS[b], alpha=0.75, edgecolor="#ffffff", linewidth=0.3, zorder=1)
        if len(hot):
            handles.append(Patch(facecolor=GI_BIN_COLOURS[3], alpha=0.75, label=text("ap.map.hotspots", lang)))
    if len(problem_gs):
        problem_gs.boundary.plot(ax=ax, color="#1b3a5c", linewidth=1.3, linestyle="--", zorder=2)
        handles.append(Line2D([], [], color="#1b3a5c", linestyle="--", label=text("ap.map.problems", lang)))
    if len(control_gs):
        control_gs.boundary.plot(ax=ax, color="#555555", linewidth=1.0, linestyle=":", zorder=2)
        handles.append(Line2D([], [], color="#555555", linestyle=":", label=text("ap.map.controls", lang)))
    shown: set[str | None] = set()
    for (a, _), geom in zip(places, action_gs, strict=True):
        light = follow.of(a).light.light if follow is not None else a.light_override
        shown.add(light)
        colour = rules.LIGHT_COLOURS[light]
        gpd.GeoSeries([geom], crs=crs).plot(ax=ax, color=colour, alpha=0.35, edgecolor=colour, linewidth=2, zorder=3)
        p = geom.representative_point()
        ax.text(p.x, p.y, a.nr, ha="center", va="center", fontsize=8, fontweight="bold", zorder=6,
                bbox={"boxstyle": "round,pad=0.25", "facecolor": colour, "edgecolor": "#222222", "lw": 0.6},
                color="#222222" if light in (rules.GUL, None) else "#ffffff")
    handles += [Patch(facecolor=rules.LIGHT_COLOURS[light], alpha=0.6,
                      label=rules.label("light", light or "none", lang))
                for light in (*rules.LIGHTS, None) if light in shown]
    _decorate(ax, ext)
    if handles:
        ax.legend(handles=handles, loc="upper left", fontsize=7, frameon=True, framealpha=0.9)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    return fig
