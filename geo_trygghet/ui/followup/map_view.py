"""The follow-up's map: target, controls, unchosen suggestions, buffer; clicks and drawings back."""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import streamlit as st

from ...crs import WGS84
from ...reports.evaluation import ROLE_COLOURS
from ..i18n import t
from ._common import num, wkb
from .areas import K_DRAWN, K_POINT, Choice, areas_frame

ROLE_KEYS = {"target": "fu.role.target", "control": "fu.role.control", "buffer": "fu.role.buffer",
             "candidate": "fu.candidate"}
DRAW_ORDER = {"buffer": 0, "control": 1, "target": 2}


def _bounds(areas: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame | None) -> tuple | None:
    if len(areas):
        return tuple(areas.total_bounds)
    if boundary is not None and len(boundary):
        return tuple(boundary.to_crs(WGS84).total_bounds)
    return None


def _add_context(m: folium.Map, context: gpd.GeoDataFrame, clickable: bool) -> None:
    """Hot-spot areas to aim at (not clickable themselves when the map takes clicks)."""
    for row in context.itertuples():
        folium.GeoJson(row.geometry.__geo_interface__, interactive=not clickable,
                       tooltip=None if clickable else html.escape(t("fu.cluster_name", ids=row.cluster_id)),
                       style_function=lambda _: {"color": "#6a3d9a", "weight": 1.5, "fillOpacity": 0.06}
                       ).add_to(m)


def _add_candidates(m: folium.Map, cand: gpd.GeoDataFrame, chosen: set[str]) -> None:
    """The suggested control areas that were not chosen, dashed, with their similarity."""
    for row in cand.itertuples():
        if wkb(row.geometry) in chosen:
            continue
        tip = html.escape(t("fu.c_label", rank=int(row.rank), sim=num(row.similarity), pre=int(row.pre_count),
                            km=num(row.distance_m / 1000, 1)))
        folium.GeoJson(row.geometry.__geo_interface__, tooltip=tip, style_function=lambda _: {
            "color": ROLE_COLOURS["candidate"], "weight": 1, "dashArray": "4 4", "fillOpacity": 0.05}).add_to(m)


def _add_areas(m: folium.Map, areas: gpd.GeoDataFrame) -> None:
    for row in areas.sort_values("role", key=lambda s: s.map(DRAW_ORDER)).itertuples():
        colour = ROLE_COLOURS[row.role]
        folium.GeoJson(row.geometry.__geo_interface__,
                       tooltip=html.escape(t("fu.role_name", role=t(ROLE_KEYS[row.role]), name=row.name)),
                       style_function=lambda _, c=colour, r=row.role: {
                           "color": c, "weight": 2, "fillOpacity": 0.12 if r == "buffer" else 0.3}).add_to(m)


#: The follow-up map's legend starts folded below this map width (a phone).
PHONE_MAP_PX = 480


def _add_legend(m: folium.Map, roles: set[str]) -> None:
    from ...maps.base import add_legend

    # bottom right, stacked above the attribution; the map sits in a column, so the legend folds
    # only at a phone's width (which area is the target is the first thing to read here)
    add_legend(m, t("fu.legend"), [(ROLE_COLOURS[r], t(ROLE_KEYS[r]))
                                   for r in ("target", "control", "buffer", "candidate") if r in roles],
               corner="right", narrow_px=PHONE_MAP_PX)


def followup_map(choice: Choice, *, clickable: bool, boundary: gpd.GeoDataFrame | None = None,
                 context: gpd.GeoDataFrame | None = None, drawable: bool = False) -> dict:
    """Target, controls, unchosen suggestions (with similarity), buffer, the municipal boundary and,
    as ``context``, hot-spot areas to aim at; returns the click when ``clickable``."""
    from streamlit_folium import st_folium

    from ...maps import add_boundary, add_draw_control, finish_map, new_map

    areas = areas_frame(choice)
    cand = choice.candidates
    m = new_map(_bounds(areas, boundary))
    if boundary is not None and len(boundary):
        add_boundary(m, boundary, name=t("r.boundary"))
    if context is not None and len(context):
        _add_context(m, context, clickable)
    chosen = {wkb(g) for _, g in choice.controls}
    if cand is not None:
        _add_candidates(m, cand, chosen)
    _add_areas(m, areas)
    if choice.point is not None:
        folium.CircleMarker([choice.point[1], choice.point[0]], radius=4, color="#000000", fill=True).add_to(m)
    _add_legend(m, set(areas["role"]) | ({"candidate"} if cand is not None and len(cand) > len(chosen) else set()))
    if drawable:
        add_draw_control(m)
    finish_map(m)
    returned = ["last_clicked"] if clickable else ["last_active_drawing"] if drawable else []
    out = st_folium(m, key="fu_map", height=460, use_container_width=True, returned_objects=returned)
    return out or {}


def remember_drawing(out: dict) -> None:
    """Keep the last polygon drawn on the map as the target (and run the page again)."""
    drawing = (out or {}).get("last_active_drawing") or {}
    geom = drawing.get("geometry") if isinstance(drawing, dict) else None
    if geom and geom.get("type") in ("Polygon", "MultiPolygon") and geom != st.session_state.get(K_DRAWN):
        st.session_state[K_DRAWN] = geom
        st.rerun()


def remember_click(out: dict) -> None:
    """Move the circle's centre to the clicked point (and run the page again)."""
    click = (out or {}).get("last_clicked")
    if click and "lat" in click and "lng" in click:
        point = (float(click["lng"]), float(click["lat"]))
        if point != st.session_state.get(K_POINT):
            st.session_state[K_POINT] = point
            st.rerun()
