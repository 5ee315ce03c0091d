"""The forecast map layer: the cells a forecast flags at a coverage (the highest predictions
whose area is at most that share of the study area), outlined in violet over the other layers.

Pure folium, no Streamlit. :func:`add_forecast_layer` draws
:meth:`geo_trygghet.hotspots.forecast.ForecastResult.flagged` cells; the explorer puts it in a
feature group of its own, the *Prognos* layer.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np

from .. import schema as S
from ..i18n import fmt_num, fmt_pct, text
from .hotspots import Layerable, _feature_collection

__all__ = ["FORECAST_COLOUR", "add_forecast_layer", "forecast_legend_entry"]

FORECAST_COLOUR = "#6a3d9a"


def add_forecast_layer(m: Layerable, cells: gpd.GeoDataFrame, *, lang: str = "sv", show: bool = True,
                       name: str | None = None) -> Layerable:
    """Hexagons of the flagged ``cells`` (columns ``h3``, ``predicted``, ``rank``), darker for a
    higher rank, with the predicted score and rank in a popup."""
    if len(cells) == 0:
        return m
    data = cells[[S.H3, "predicted", "rank", "geometry"]].copy()
    data["predicted"] = [fmt_num(float(v), lang, 1) for v in data["predicted"]]
    ranks = data["rank"].to_numpy(dtype=float)
    top = float(ranks.max()) if len(ranks) else 1.0
    data["shade"] = np.round(0.75 - 0.45 * (ranks - 1) / max(top - 1, 1.0), 2)

    def style(feature):
        return {"fillColor": FORECAST_COLOUR, "color": FORECAST_COLOUR, "weight": 2, "dashArray": "4 3",
                "fillOpacity": float(feature["properties"]["shade"])}

    fields: list[str] = ["predicted", "rank"]
    aliases = [text("forecast.col.predicted", lang), text("forecast.col.rank", lang)]
    folium.GeoJson(
        _feature_collection(data, [*fields, "shade"]), name=name or text("forecast.layer", lang), show=show,
        style_function=style, highlight_function=lambda _: {"weight": 3, "color": "#000000"},
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=True),
        tooltip=folium.GeoJsonTooltip(fields=fields[:1], aliases=aliases[:1]),
    ).add_to(m)
    return m


def forecast_legend_entry(coverage: float, cells: int, lang: str = "sv") -> tuple[str, str]:
    """(colour, label) of the forecast layer for a legend: "Prognos: 5 celler, 3 % av ytan"."""
    return FORECAST_COLOUR, text("forecast.legend", lang, cells=fmt_num(cells, lang),
                                 coverage=fmt_pct(coverage, lang, decimals=0))
