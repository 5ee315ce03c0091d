"""The emerging hot-spot map: hexagons coloured by their space-time pattern, with a legend.

Colours follow ArcGIS Pro's scheme in spirit (reds for hot patterns, blues for
cold, darker for lasting or strengthening ones; see
:data:`geo_trygghet.hotspots.emerging.PATTERN_COLOURS`). Cells without a
pattern are left out to keep the page light.
"""

from __future__ import annotations

import folium
import geopandas as gpd

from .. import schema as S
from ..hotspots.cube import period_label
from ..hotspots.emerging import NO_PATTERN, PATTERN_COLOURS, PATTERNS, EmergingResult, pattern_label
from ..i18n import text
from ..i18n.formatting import fmt_value
from .base import LegendControl, add_boundary, finish_map, new_map
from .hotspots import _feature_collection


def add_emerging_layer(m: folium.Map, cells: gpd.GeoDataFrame, *, lang: str = "sv", show: bool = True,
                       name: str | None = None) -> folium.Map:
    """Hexagons of the cells with a pattern, coloured by it, with a popup per cell."""
    data = cells[cells["pattern"] != NO_PATTERN]
    if len(data) == 0:
        return m
    data = data[[S.H3, "pattern", S.COUNT, "hot_periods", "cold_periods", "trend_z", "geometry"]].copy()
    data["label"] = [pattern_label(p, lang) for p in data["pattern"]]
    # written in the map's language here (Leaflet's toLocaleString would follow the browser)
    for col, decimals in ((S.COUNT, 0), ("hot_periods", 0), ("cold_periods", 0), ("trend_z", 2)):
        data[col] = [fmt_value(v, decimals=decimals, lang=lang) for v in data[col]]

    def style(feature):
        return {"fillColor": PATTERN_COLOURS[feature["properties"]["pattern"]], "color": "#555555",
                "weight": 0.4, "fillOpacity": 0.8}

    fields = ["label", S.COUNT, "hot_periods", "cold_periods", "trend_z"]
    aliases = [text(k, lang) for k in ("emerging.col.pattern", "emerging.col.count", "emerging.col.hot",
                                       "emerging.col.cold", "emerging.col.trend_z")]
    folium.GeoJson(
        _feature_collection(data, ["pattern", *fields]), name=name or text("emerging.layer", lang), show=show,
        style_function=style, highlight_function=lambda _: {"weight": 2, "color": "#000000"},
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=False),
        tooltip=folium.GeoJsonTooltip(fields=fields[:1], aliases=aliases[:1]),
    ).add_to(m)
    return m


def emerging_legend_entries(result: EmergingResult, lang: str = "sv") -> list[tuple[str, str]]:
    """(colour, label) of the patterns present, in legend order, with their number of cells
    (cells without a pattern are not drawn, so not listed)."""
    counts = result.pattern_counts()
    return [(PATTERN_COLOURS[p], f"{pattern_label(p, lang)} ({counts[p]})") for p in PATTERNS if p in counts]


def emerging_map(result: EmergingResult, *, boundary: gpd.GeoDataFrame | None = None,
                 lang: str = "sv") -> folium.Map:
    """The whole map: patterns, boundary, a legend with the period and resolution, layer control."""
    cells = result.cells
    shown = cells[cells["pattern"] != NO_PATTERN]
    if len(shown) == 0:
        shown = cells[cells[S.COUNT] > 0] if (cells[S.COUNT] > 0).any() else cells
    m = new_map(tuple(shown.total_bounds))
    add_emerging_layer(m, cells, lang=lang)
    if boundary is not None:
        add_boundary(m, boundary, name=text("emerging.boundary", lang))
    cube = result.cube
    interval = text(f"emerging.interval.{cube.interval}", lang)
    note = text("emerging.note", lang, first=period_label(cube.periods[0], cube.interval),
                last=period_label(cube.periods[-1], cube.interval), periods=cube.shape[1],
                resolution=result.resolution)
    LegendControl(text("emerging.legend", lang, interval=interval), emerging_legend_entries(result, lang),
                  note=note, max_width_px=300).add_to(m)
    return finish_map(m)
