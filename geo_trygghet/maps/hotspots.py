"""Hot-spot layers: hexagons by Gi* bin (or by count), clusters outlined."""

from __future__ import annotations

from typing import TypeVar

import folium
import geopandas as gpd
import numpy as np
import shapely

from .. import schema as S
from ..hotspots.gistar import GI_BIN_COLOURS, HotSpotResult, gi_bin_label
from ..i18n import text
from ..i18n.formatting import fmt_num, fmt_value
from .base import add_boundary, add_legend, finish_map, new_map

#: what a layer can be added to: the map or a feature group on it
Layerable = TypeVar("Layerable", folium.Map, folium.FeatureGroup)

_COUNT_COLOURS = ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"]


def _feature_collection(gdf: gpd.GeoDataFrame, props: list[str]) -> dict:
    """GeoJSON of polygons with coordinates rounded to 1e-6° (~0.1 m), built
    in whole-array steps: the map of a large study area stays small and quick."""
    geoms = gdf.geometry.to_numpy()
    coords, ring_of = shapely.get_coordinates(shapely.get_exterior_ring(geoms), return_index=True)
    coords = np.round(coords, 6)
    bounds = np.searchsorted(ring_of, np.arange(len(geoms) + 1))
    columns = {c: gdf[c].tolist() for c in props}
    features = []
    for i in range(len(geoms)):
        ring = coords[bounds[i]:bounds[i + 1]].tolist()
        features.append({"type": "Feature", "properties": {c: columns[c][i] for c in props},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": features}


def add_cells_layer(m: Layerable, cells: gpd.GeoDataFrame, *, by: str = S.GI_BIN, lang: str = "sv",
                    show: bool = True, drop_empty: bool = True) -> Layerable:
    """Hexagons coloured by ``gi_bin`` (7-class diverging) or by ``count`` (sequential).

    Cells with no incidents and no significant bin are left out to keep the page light.
    """
    data = cells
    if drop_empty:
        keep = data[S.COUNT].fillna(0).to_numpy() > 0
        if S.GI_BIN in data:
            keep |= data[S.GI_BIN].to_numpy() != 0
        data = data[keep]
    cols = [c for c in (S.H3, S.COUNT, S.GI_Z, S.GI_BIN) if c in data]
    data = data[cols + ["geometry"]].copy()
    if S.GI_Z in data:
        data[S.GI_Z] = data[S.GI_Z].round(2)
    # popups show text written in the map's language (Leaflet's toLocaleString follows the browser)
    data["count_text"] = [fmt_value(v, lang=lang, na="–") for v in data[S.COUNT]]
    if S.GI_Z in data:
        data["z_text"] = [fmt_value(v, decimals=2, lang=lang, na="–") for v in data[S.GI_Z]]
    if by == S.GI_BIN:
        data["bin_label"] = [gi_bin_label(b, lang) for b in data[S.GI_BIN]]
        colour = {int(b): GI_BIN_COLOURS[int(b)] for b in range(-3, 4)}

        def style(feature):
            b = int(feature["properties"][S.GI_BIN])
            return {"fillColor": colour[b], "color": "#666666", "weight": 0.3,
                    "fillOpacity": 0.75 if b else 0.25}

        name = text("maps.layer.bins", lang)
        fields = ["count_text", "z_text", "bin_label"]
        aliases = [text("maps.popup.count", lang), text("maps.popup.z", lang), text("maps.popup.class", lang)]
    else:
        counts = data[S.COUNT].fillna(0).to_numpy(float)
        edges = np.unique(np.quantile(counts[counts > 0], np.linspace(0, 1, 9))) if (counts > 0).any() else [0, 1]

        def style(feature):
            c = feature["properties"][S.COUNT] or 0
            i = min(int(np.searchsorted(edges, c, side="right")) - 1, len(_COUNT_COLOURS) - 1)
            return {"fillColor": _COUNT_COLOURS[max(i, 0)], "color": "#666666", "weight": 0.3, "fillOpacity": 0.7}

        name, fields, aliases = text("maps.layer.counts", lang), ["count_text"], [text("maps.popup.count", lang)]
    props = cols + [c for c in ("count_text", "z_text", "bin_label") if c in data]
    folium.GeoJson(
        _feature_collection(data, props), name=name, show=show, style_function=style,
        highlight_function=lambda _: {"weight": 2, "color": "#000000"},
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=False),
        tooltip=folium.GeoJsonTooltip(fields=fields[:1], aliases=aliases[:1]),
    ).add_to(m)
    return m


def add_clusters_layer(m: Layerable, clusters: gpd.GeoDataFrame, *, lang: str = "sv",
                       show: bool = True) -> Layerable:
    """Hot-spot areas outlined, with their number and count."""
    if len(clusters) == 0:
        return m
    data = clusters[[S.CLUSTER_ID, S.COUNT, S.AREA_M2, "geometry"]].copy()
    data["ha"] = [fmt_num(v / 10_000, lang, 1) for v in data.pop(S.AREA_M2)]
    data["count_text"] = [fmt_value(v, lang=lang) for v in data[S.COUNT]]
    folium.GeoJson(
        data.to_json(drop_id=True), name=text("maps.layer.clusters", lang), show=show,
        style_function=lambda _: {"color": "#000000", "weight": 2.5, "fill": False},
        popup=folium.GeoJsonPopup(fields=[S.CLUSTER_ID, "count_text", "ha"], localize=False,
                                  aliases=[text(f"maps.popup.{k}", lang) for k in ("cluster", "count", "area_ha")]),
    ).add_to(m)
    return m


def hotspot_legend_entries(lang: str = "sv") -> list[tuple[str, str]]:
    """(colour, label) of the seven Gi* classes, hottest first, for a legend."""
    return [(GI_BIN_COLOURS[b], gi_bin_label(b, lang)) for b in range(3, -4, -1)]


def hotspot_map(result: HotSpotResult, *, boundary: gpd.GeoDataFrame | None = None, lang: str = "sv",
                remarks: gpd.GeoDataFrame | None = None) -> folium.Map:
    """The whole hot-spot map: counts, Gi* bins, clusters, boundary, legend, layer control.

    ``remarks`` (a walk-remarks GeoDataFrame) adds the numbered remarks layer.
    """
    cells = result.cells
    shown = cells[cells[S.COUNT] > 0] if (cells[S.COUNT] > 0).any() else cells
    m = new_map(tuple(shown.total_bounds), scale_position="bottomright")
    add_cells_layer(m, cells, by=S.COUNT, lang=lang, show=False)
    add_cells_layer(m, cells, by=S.GI_BIN, lang=lang)
    add_clusters_layer(m, result.clusters, lang=lang)
    if boundary is not None:
        add_boundary(m, boundary, lang=lang)
    if remarks is not None and len(remarks):
        from .remarks import add_remarks_layer

        add_remarks_layer(m, remarks, lang=lang)
    add_legend(m, text("maps.legend.hotspots", lang), hotspot_legend_entries(lang))
    return finish_map(m)
