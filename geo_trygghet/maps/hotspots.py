"""Hot-spot layers: hexagons by Gi* bin (or by count), clusters outlined."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import shapely

from .. import schema as S
from ..hotspots.gistar import GI_BIN_COLOURS, HotSpotResult, gi_bin_label
from .base import add_boundary, add_legend, finish_map, new_map

_TEXT = {
    "sv": {"bins": "Gi* het/kall punkt (FDR)", "counts": "Antal händelser per cell", "clusters": "Hot spot-områden",
           "count": "Antal", "z": "Gi* z", "class": "Klass", "cluster": "Område", "area": "Yta (ha)",
           "legend": "Hot spots (Getis-Ord Gi*, FDR)"},
    "en": {"bins": "Gi* hot/cold spots (FDR)", "counts": "Incidents per cell", "clusters": "Hot-spot areas",
           "count": "Count", "z": "Gi* z", "class": "Class", "cluster": "Area", "area": "Area (ha)",
           "legend": "Hot spots (Getis-Ord Gi*, FDR)"},
}

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


def add_cells_layer(m: folium.Map, cells: gpd.GeoDataFrame, *, by: str = S.GI_BIN, lang: str = "sv",
                    show: bool = True, drop_empty: bool = True) -> folium.Map:
    """Hexagons coloured by ``gi_bin`` (7-class diverging) or by ``count`` (sequential).

    Cells with no incidents and no significant bin are left out to keep the page light.
    """
    t = _TEXT[lang]
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
    if by == S.GI_BIN:
        data["klass"] = [gi_bin_label(b, lang) for b in data[S.GI_BIN]]
        colour = {int(b): GI_BIN_COLOURS[int(b)] for b in range(-3, 4)}

        def style(feature):
            b = int(feature["properties"][S.GI_BIN])
            return {"fillColor": colour[b], "color": "#666666", "weight": 0.3,
                    "fillOpacity": 0.75 if b else 0.25}

        name, fields, aliases = t["bins"], [S.COUNT, S.GI_Z, "klass"], [t["count"], t["z"], t["class"]]
    else:
        counts = data[S.COUNT].fillna(0).to_numpy(float)
        edges = np.unique(np.quantile(counts[counts > 0], np.linspace(0, 1, 9))) if (counts > 0).any() else [0, 1]

        def style(feature):
            c = feature["properties"][S.COUNT] or 0
            i = min(int(np.searchsorted(edges, c, side="right")) - 1, len(_COUNT_COLOURS) - 1)
            return {"fillColor": _COUNT_COLOURS[max(i, 0)], "color": "#666666", "weight": 0.3, "fillOpacity": 0.7}

        name, fields, aliases = t["counts"], [S.COUNT], [t["count"]]
    props = cols + (["klass"] if "klass" in data else [])
    folium.GeoJson(
        _feature_collection(data, props), name=name, show=show, style_function=style,
        highlight_function=lambda _: {"weight": 2, "color": "#000000"},
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=True),
        tooltip=folium.GeoJsonTooltip(fields=fields[:1], aliases=aliases[:1]),
    ).add_to(m)
    return m


def add_clusters_layer(m: folium.Map, clusters: gpd.GeoDataFrame, *, lang: str = "sv",
                       show: bool = True) -> folium.Map:
    """Hot-spot areas outlined, with their number and count."""
    if len(clusters) == 0:
        return m
    t = _TEXT[lang]
    data = clusters[[S.CLUSTER_ID, S.COUNT, S.AREA_M2, "geometry"]].copy()
    data["ha"] = (data.pop(S.AREA_M2) / 10_000).round(1)
    folium.GeoJson(
        data.to_json(drop_id=True), name=t["clusters"], show=show,
        style_function=lambda _: {"color": "#000000", "weight": 2.5, "fill": False},
        popup=folium.GeoJsonPopup(fields=[S.CLUSTER_ID, S.COUNT, "ha"],
                                  aliases=[t["cluster"], t["count"], t["area"]]),
    ).add_to(m)
    return m


def hotspot_map(result: HotSpotResult, *, boundary: gpd.GeoDataFrame | None = None, lang: str = "sv",
                remarks: gpd.GeoDataFrame | None = None) -> folium.Map:
    """The whole hot-spot map: counts, Gi* bins, clusters, boundary, legend, layer control.

    ``remarks`` (a walk-remarks GeoDataFrame) adds the numbered remarks layer.
    """
    cells = result.cells
    shown = cells[cells[S.COUNT] > 0] if (cells[S.COUNT] > 0).any() else cells
    m = new_map(tuple(shown.total_bounds))
    add_cells_layer(m, cells, by=S.COUNT, lang=lang, show=False)
    add_cells_layer(m, cells, by=S.GI_BIN, lang=lang)
    add_clusters_layer(m, result.clusters, lang=lang)
    if boundary is not None:
        add_boundary(m, boundary, name="Gräns" if lang == "sv" else "Boundary")
    if remarks is not None and len(remarks):
        from .remarks import add_remarks_layer

        add_remarks_layer(m, remarks, lang=lang)
    add_legend(m, _TEXT[lang]["legend"], [(GI_BIN_COLOURS[b], gi_bin_label(b, lang)) for b in range(3, -4, -1)])
    return finish_map(m)
