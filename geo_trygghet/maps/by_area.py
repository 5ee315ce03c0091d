"""The map of a by-area run: every area outlined with its figures, its significant cells and hot-spot areas.

A country's cells at street resolution would make a page of hundreds of megabytes; the map shows
only the cells that are significant in their own area (``gi_bin`` not 0), the hot-spot areas,
and each area's outline with incidents, hot cells and the rate per 100 000 where known.
"""

from __future__ import annotations

import folium
import numpy as np

from .. import schema as S
from ..hotspots.by_area import AREA_ID, ByAreaResult
from ..i18n import text
from .base import add_legend, finish_map, new_map
from .hotspots import add_cells_layer, add_clusters_layer, hotspot_legend_entries


def by_area_map(result: ByAreaResult, *, lang: str = "sv") -> folium.Map:
    """Areas (outlined, with a popup), significant cells by Gi* bin and hot-spot areas."""
    areas = result.areas.frame()
    summary = result.summary
    m = new_map(tuple(areas.total_bounds), scale_position="bottomright")
    shown = areas.assign(incidents=summary["incidents"].to_numpy(), hot_cells=summary["hot_cells"].to_numpy(),
                         rate=np.round(summary["rate_per_100000"].to_numpy(float), 1))
    shown["rate"] = shown["rate"].astype(object).where(shown["rate"].notna(), "–")
    shown["geometry"] = shown.geometry.simplify(0.001, preserve_topology=True)
    folium.GeoJson(
        shown.to_json(drop_id=True), name=text("byarea.layer.areas", lang),
        style_function=lambda _: {"color": "#333333", "weight": 1, "fillOpacity": 0.0},
        popup=folium.GeoJsonPopup(fields=["name", AREA_ID, "incidents", "hot_cells", "rate"],
                                  aliases=[text("byarea.popup.area", lang), "id", text("byarea.popup.incidents", lang),
                                           text("byarea.popup.hot_cells", lang), text("byarea.popup.rate", lang)]),
    ).add_to(m)
    cells = result.cells
    if len(cells):
        significant = cells[cells[S.GI_BIN].to_numpy() != 0]
        group = folium.FeatureGroup(name=text("byarea.layer.cells", lang))
        if len(significant):
            add_cells_layer(group, significant, by=S.GI_BIN, lang=lang)
        group.add_to(m)
    add_clusters_layer(m, result.clusters.drop(columns=[AREA_ID]), lang=lang)
    add_legend(m, text("byarea.legend", lang), hotspot_legend_entries(lang))
    return finish_map(m)
