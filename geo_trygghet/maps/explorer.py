"""The hot-spot explorer's maps: Gi* cells, hot-spot areas, remarks, a few incident points,
the Gi* legend with the selection's summary, and a proposed walk over them.

Pure folium (no Streamlit): the app's explorer page draws :func:`explorer_base_map` once and
swaps :func:`explorer_layers` in place on a filter change; :func:`explorer_map` is the same
map as one HTML page for the download. In ``public`` mode cells, areas and tables with 1–2
incidents are suppressed and no incident point is drawn (sekretess).
"""

from __future__ import annotations

import html
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element, Figure
from folium.template import Template

from .. import schema as S
from ..crs import WGS84
from ..hotspots.explorer import WalkPlan, drawn_cells
from ..hotspots.privacy import public_cells, public_clusters
from ..i18n import text
from ..i18n.formatting import fmt_num
from .base import LegendControl, add_boundary, finish_map, new_map
from .hotspots import add_cells_layer, add_clusters_layer, hotspot_legend_entries

__all__ = ["MAX_POINTS", "SummaryLayerControl", "add_hotspot_legend", "add_incident_points", "add_remarks",
           "explorer_base_map", "explorer_layers", "explorer_map", "focus_bounds", "map_html", "shown_layers",
           "walk_plan_map"]

#: Raw incident points are drawn only below this many (and never in public mode).
MAX_POINTS = 2000
_WALK_COLOUR = "#6a3d9a"
Bounds = tuple[float, float, float, float]


def map_html(m: folium.Map) -> str:
    """The map as one HTML page."""
    return m.get_root().render()


def shown_layers(cells: gpd.GeoDataFrame, clusters: gpd.GeoDataFrame, *,
                 public: bool) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The cells worth drawing and the hot-spot areas; in public mode without counts of 1–2."""
    cells = drawn_cells(cells)
    if public:
        cells = public_cells(cells, keep=(S.H3, S.COUNT, S.GI_Z, S.GI_BIN))
        cells = cells[cells[S.COUNT].notna()].astype({S.COUNT: "int64", S.GI_BIN: "int64"})  # suppressed: not drawn
        clusters = public_clusters(clusters)
        clusters = clusters[clusters[S.COUNT].notna()]
    if len(clusters):
        clusters = clusters.assign(**{S.COUNT: clusters[S.COUNT].astype("int64")})
    return cells, clusters


def focus_bounds(cells: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame | None = None,
                 share: float = 0.9) -> Bounds | None:
    """Where to look first: the hot cells (Gi* bin > 0), else the busiest cells that
    together hold ``share`` of the incidents, else the boundary."""
    hot = cells[cells[S.GI_BIN].to_numpy() > 0]
    counts = cells[S.COUNT].to_numpy()
    if len(hot) and counts.sum() > 0:
        x0, y0, x1, y1 = hot.total_bounds
        pad_x, pad_y = max((x1 - x0) * 0.15, 0.006), max((y1 - y0) * 0.15, 0.003)
        return (x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y)
    if counts.sum() > 0:
        order = np.argsort(-counts, kind="stable")
        need = int(np.searchsorted(np.cumsum(counts[order]), share * counts.sum())) + 1
        x0, y0, x1, y1 = cells.geometry.iloc[order[:need]].total_bounds
        pad_x, pad_y = max((x1 - x0) * 0.05, 0.003), max((y1 - y0) * 0.05, 0.0015)
        return (x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y)
    if boundary is not None and len(boundary):
        return tuple(boundary.to_crs(WGS84).total_bounds)
    return tuple(cells.total_bounds) if len(cells) else None


def add_remarks(m: folium.Map, remarks: gpd.GeoDataFrame | None, *, lang: str = "sv") -> None:
    """The walks' remarks (those with a position), if any, as dots coloured by state: on an
    analysis map they are context, and forty labels would hide the cells under them; the
    tooltip and popup name each remark (its reference when there are several walks)."""
    from .remarks import add_remarks_layer

    if remarks is None or not len(remarks):
        return
    placed = remarks[remarks.geometry.notna() & ~remarks.geometry.is_empty]
    if len(placed):
        add_remarks_layer(m, placed, lang=lang, numbered=False)


def add_incident_points(m: folium.Map | folium.FeatureGroup, incidents: pd.DataFrame) -> None:
    """Single incidents as small dots with their crime type and time (escaped); for few
    incidents only, never in public mode (the caller decides)."""
    pts = pd.DataFrame({
        "lon": incidents[S.LON].round(6).to_numpy(), "lat": incidents[S.LAT].round(6).to_numpy(),
        "typ": [html.escape(str(x)) for x in incidents[S.CRIME_TYPE].fillna("")],
        "tid": pd.to_datetime(incidents[S.OCCURRED_AT]).dt.strftime("%Y-%m-%d %H:%M").fillna("").to_numpy(),
    })
    gdf = gpd.GeoDataFrame(pts, geometry=gpd.points_from_xy(pts.lon, pts.lat), crs=WGS84)
    folium.GeoJson(gdf[["typ", "tid", "geometry"]].to_json(drop_id=True), name="points", control=False,
                   marker=folium.CircleMarker(radius=3, weight=1, color="#222222", fill=True, fill_opacity=0.8),
                   popup=folium.GeoJsonPopup(fields=["typ", "tid"], labels=False)).add_to(m)


def _points_group(incidents: pd.DataFrame, lang: str, *, show: bool = True) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=text("maps.layer.points", lang), show=show)
    add_incident_points(group, incidents)
    return group


class SummaryLayerControl(folium.LayerControl):
    """folium's layer control, plus two lines run with it: write the selection's
    summary into the legend, and hide the layers that start hidden. streamlit-folium
    re-runs this script on every filter change without reloading the map."""

    _template = Template("""
        {% macro script(this,kwargs) %}
            var {{ this.get_name() }}_layers = {
                base_layers : {
                    {%- for key, val in this.base_layers.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
                overlays :  {
                    {%- for key, val in this.overlays.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
            };
            let {{ this.get_name() }} = L.control.layers(
                {{ this.get_name() }}_layers.base_layers,
                {{ this.get_name() }}_layers.overlays,
                {{ this.options|tojavascript }}
            ).addTo({{this._parent.get_name()}});
            {%- for name in this.hidden %}
            if (typeof {{ name }} !== "undefined") { {{this._parent.get_name()}}.removeLayer({{ name }}); }
            {%- endfor %}
            document.querySelectorAll(".gt-summary").forEach(function (e) {
                e.textContent = {{ this.summary|tojson }};
            });
        {% endmacro %}
        """)

    def __init__(self, summary: str, hidden: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(collapsed=True, **kwargs)
        self.summary = summary
        self.hidden = hidden


def add_hotspot_legend(m: folium.Map, summary: str, *, lang: str = "sv") -> None:
    """The Gi* legend (a control at the bottom left, folded on a narrow map) with the selection's
    summary under its title (``.gt-summary``, rewritten in place on a filter change)."""
    LegendControl(text("maps.legend.hotspots", lang), hotspot_legend_entries(lang), css_class="gt-hotspot-legend",
                  max_width_px=230, note=summary, note_class="gt-summary").add_to(m)


def explorer_base_map(bounds: Bounds | None, *, summary: str, boundary: gpd.GeoDataFrame | None = None,
                      remarks: gpd.GeoDataFrame | None = None, lang: str = "sv") -> folium.Map:
    """What stays put while the filters change: tiles, boundary, remarks, the legend."""
    m = new_map(bounds, scale_position="bottomright")
    root = m.get_root()
    assert isinstance(root, Figure)  # a map's root is the HTML page
    root.header.add_child(Element("<style>.leaflet-popup-content{font:13px/1.4 system-ui,sans-serif}</style>"))
    if boundary is not None:
        add_boundary(m, boundary, name=text("r.boundary", lang))
    add_remarks(m, remarks, lang=lang)
    add_hotspot_legend(m, summary, lang=lang)
    return m


def explorer_layers(cells: gpd.GeoDataFrame, clusters: gpd.GeoDataFrame, *, incidents: pd.DataFrame | None = None,
                    lang: str = "sv") -> list[folium.FeatureGroup]:
    """The selection's layers as feature groups: counts per cell, Gi* classes, hot-spot areas,
    and the incident points when ``incidents`` is given (few, never public). Give the cells
    and areas of :func:`shown_layers`."""
    groups = [folium.FeatureGroup(name=text("maps.layer.counts", lang)),
              folium.FeatureGroup(name=text("maps.layer.bins", lang)),
              folium.FeatureGroup(name=text("maps.layer.clusters", lang))]
    if len(cells):
        add_cells_layer(groups[0], cells, by=S.COUNT, lang=lang)
        add_cells_layer(groups[1], cells, by=S.GI_BIN, lang=lang)
    if len(clusters):
        add_clusters_layer(groups[2], clusters, lang=lang)
    if incidents is not None:
        groups.append(_points_group(incidents, lang))
    return groups


def explorer_map(cells: gpd.GeoDataFrame, clusters: gpd.GeoDataFrame, *, public: bool, summary: str,
                 incidents: pd.DataFrame | None = None, remarks: gpd.GeoDataFrame | None = None,
                 boundary: gpd.GeoDataFrame | None = None, lang: str = "sv") -> folium.Map:
    """The explorer's map as one page: hex counts, Gi* classes, hot-spot areas, remarks,
    boundary, the incident points (when fewer than :data:`MAX_POINTS`, never public), the
    legend with ``summary`` and the layer control."""
    cells, clusters = shown_layers(cells, clusters, public=public)
    m = new_map(focus_bounds(cells, boundary), scale_position="bottomright")
    if len(cells):
        add_cells_layer(m, cells, by=S.COUNT, lang=lang, show=False)
        add_cells_layer(m, cells, by=S.GI_BIN, lang=lang)
    if len(clusters):
        add_clusters_layer(m, clusters, lang=lang)
    if boundary is not None:
        add_boundary(m, boundary, name=text("r.boundary", lang))
    if not public and incidents is not None and 0 < len(incidents) < MAX_POINTS:
        _points_group(incidents, lang, show=False).add_to(m)
    add_remarks(m, remarks, lang=lang)
    add_hotspot_legend(m, summary, lang=lang)
    return finish_map(m)


def stop_letter(i: int) -> str:
    """The route's ``i``-th stop (from 0) as a letter: A, B, C … Z, then AA, AB …"""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[i] if i < len(letters) else stop_letter(i // len(letters) - 1) + letters[i % len(letters)]


def route_stop_html(letter: str) -> str:
    """A route stop: a purple diamond with a letter (remarks are round and numbered, so the
    order of a walk's stops is never read as remark numbers)."""
    return (f'<div style="width:20px;height:20px;margin:3px;background:{_WALK_COLOUR};transform:rotate(45deg);'
            f'border:2px solid #fff;box-shadow:0 1px 3px rgba(0,0,0,.5)"><div style="transform:rotate(-45deg);'
            f'color:#fff;font:bold 12px/20px system-ui,sans-serif;text-align:center">{html.escape(letter)}</div></div>')


def walk_plan_map(cells: gpd.GeoDataFrame, clusters: gpd.GeoDataFrame, plan: WalkPlan, *,
                  remarks: gpd.GeoDataFrame | None = None, lang: str = "sv") -> folium.Map:
    """The proposed walk area and route over the Gi* cells and the chosen hot-spot areas, the
    stops lettered A, B, C … in the order the route visits them (diamonds: remarks are circles)."""
    m = new_map(tuple(plan.area.buffer(0.002).bounds))
    minx, miny, maxx, maxy = plan.area.buffer(0.01).bounds
    near = drawn_cells(cells).cx[minx:maxx, miny:maxy]
    if len(near):
        add_cells_layer(m, near, by=S.GI_BIN, lang=lang)
    chosen = clusters[clusters[S.CLUSTER_ID].isin(plan.cluster_order)]
    add_clusters_layer(m, chosen, lang=lang)
    folium.GeoJson(gpd.GeoSeries([plan.area], crs=WGS84).to_json(), name=text("maps.layer.walk_area", lang),
                   style_function=lambda _: {"color": _WALK_COLOUR, "weight": 2, "fillOpacity": 0.08}).add_to(m)
    folium.PolyLine([(y, x) for x, y in plan.route.coords], color=_WALK_COLOUR, weight=4, dash_array="8 6",
                    tooltip=text("maps.route_km", lang, km=fmt_num(plan.length_m / 1000, lang, 1)),
                    name=text("maps.layer.route", lang)).add_to(m)
    if len(plan.cluster_order) > 1:
        for i, cid in enumerate(plan.cluster_order):
            p = chosen[chosen[S.CLUSTER_ID] == cid].geometry.iloc[0].representative_point()
            folium.Marker([p.y, p.x], tooltip=text("maps.walk_stop", lang, n=stop_letter(i), id=cid),
                          icon=folium.DivIcon(html=route_stop_html(stop_letter(i)), icon_size=(26, 26),
                                              icon_anchor=(13, 13), class_name="gt-route-stop"),
                          z_index_offset=1000).add_to(m)  # above the remarks near it
    add_remarks(m, remarks, lang=lang)
    return finish_map(m)
