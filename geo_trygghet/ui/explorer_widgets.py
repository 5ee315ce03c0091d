"""The hot-spot explorer's widgets: the live map (streamlit-folium), the clicked cell's panel,
the table of the busiest cells and the downloads. The maps themselves are built by the core
(:mod:`geo_trygghet.maps.explorer`); here they are put on the page.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from .. import schema as S
from ..hotspots import explorer as E
from ..hotspots.gistar import gi_bin_label
from ..maps.base import add_html
from ..maps.explorer import (
    MAX_POINTS,
    SummaryLayerControl,
    explorer_base_map,
    explorer_layers,
    explorer_map,
    map_html,
    shown_layers,
)
from .compute import View, base_bounds, safe_table, summary
from .formats import AXIS_MONTH, AXIS_NUMBER, fmt_dec
from .i18n import lang, t

__all__ = ["cell_panel", "clicked_point", "download_buttons", "explorer_live_map", "show_map", "static_map",
           "top_cells_table"]

K_CLICK = "an_clicked"          # (lon, lat) of the last clicked map point


def _points(view: View, public: bool) -> pd.DataFrame | None:
    """The selection's incidents when few enough to draw one by one (never in public mode)."""
    return view.incidents() if not public and 0 < view.n < MAX_POINTS else None


def static_map(view: View, *, public: bool, remarks: gpd.GeoDataFrame | None = None) -> folium.Map:
    """The explorer's map as one page (the HTML download)."""
    _cells, clusters = shown_layers(view.cells, view.clusters, public=public)
    return explorer_map(view.cells, view.clusters, public=public, summary=summary(view, clusters),
                        incidents=_points(view, public), remarks=remarks, boundary=view.ds.boundary, lang=lang())


def explorer_live_map(view: View, *, public: bool, remarks: gpd.GeoDataFrame | None = None,
                      key: str = "explorer_map", height: int = 620, extra: Sequence[folium.FeatureGroup] = (),
                      extra_legend: str | None = None, hide_bins: bool = False) -> dict:
    """The explorer's map in the page: a base map (tiles, boundary, remarks, legend) that
    stays put, and the selection's layers as streamlit-folium feature groups that are
    swapped in place on a filter change (no reload of the map). Returns the click.
    ``extra`` layers (*Utveckling*, *Prognos*) come last, shown, with ``extra_legend`` (HTML);
    ``hide_bins`` starts the Gi* classes hidden (under the *Utveckling* patterns)."""
    from streamlit_folium import st_folium

    lg = lang()
    cells, clusters = shown_layers(view.cells, view.clusters, public=public)
    text = summary(view, clusters)
    m = explorer_base_map(base_bounds(view), summary=text, boundary=view.ds.boundary, remarks=remarks, lang=lg)
    if extra_legend:
        add_html(m, extra_legend)
    groups = explorer_layers(cells, clusters, incidents=_points(view, public), lang=lg)
    # streamlit-folium names the groups feature_group_feature_group_<i>: the counts (0) and the
    # incident points (3) start hidden, as on the downloaded map; the layer control shows them
    hidden = tuple(f"feature_group_feature_group_{i}" for i in ((0, 1, 3) if hide_bins else (0, 3)) if i < len(groups))
    groups = [*groups, *extra]
    control = SummaryLayerControl(text, hidden=hidden)
    # the key carries the language: the legend (static HTML) is redrawn when it changes
    return st_folium(m, key=f"{key}_{lg}", height=height, use_container_width=True, feature_group_to_add=groups,
                     layer_control=control, returned_objects=["last_object_clicked"]) or {}


def show_map(m: folium.Map, *, key: str, height: int = 620) -> dict:
    """Render with streamlit-folium; returns only what a click gives (no rerun on pan/zoom)."""
    from streamlit_folium import st_folium

    return st_folium(m, key=key, height=height, use_container_width=True,
                     returned_objects=["last_object_clicked"]) or {}


def clicked_point(out: dict) -> tuple[float, float] | None:
    """(lon, lat) of the latest click on the map, remembered across reruns."""
    click = (out or {}).get("last_object_clicked")
    if click and "lat" in click and "lng" in click:
        st.session_state[K_CLICK] = (float(click["lng"]), float(click["lat"]))
    return st.session_state.get(K_CLICK)


def _cell_history(view: View, pos: int) -> None:
    """Counts per month and the commonest crime types of one cell (analysts only)."""
    import altair as alt

    monthly = E.cell_monthly(view.ds.arrays, view.prepared, pos, view.mask)
    st.caption(t("cell.monthly"))
    st.altair_chart(alt.Chart(monthly).mark_bar().encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format=AXIS_MONTH)),
        y=alt.Y(f"{S.COUNT}:Q", title=t("r.count"), axis=alt.Axis(format=AXIS_NUMBER)),
        tooltip=[alt.Tooltip("month:T", format=AXIS_MONTH), alt.Tooltip(f"{S.COUNT}:Q", title=t("r.count"))],
    ).properties(height=180))
    top = E.cell_top_types(view.ds.arrays, view.prepared, pos, view.mask)
    st.caption(t("cell.top_types"))
    st.dataframe(top[[S.CRIME_TYPE, S.COUNT]].rename(columns={S.CRIME_TYPE: t("f.crime_type"),
                                                              S.COUNT: t("r.count")}),
                 hide_index=True, key="an_top_types")


def cell_panel(view: View, point: tuple[float, float] | None, *, public: bool) -> None:
    """The clicked cell: counts per month and top crime types (limited in public mode)."""
    st.markdown(f"**{t('cell.heading')}**")
    if point is None:
        st.caption(t("cell.hint"))
        return
    pos = E.cell_position(view.prepared, *point)
    if pos is None:
        st.caption(t("cell.outside"))
        return
    row = view.cells.iloc[pos]
    count = int(row[S.COUNT])
    if public and 0 < count < 3:
        st.caption(t("cell.suppressed"))
        return
    st.write(f"`{row[S.H3]}` · {t('r.count')}: **{count}** · {gi_bin_label(int(row[S.GI_BIN]), lang())} "
             f"(z = {fmt_dec(row[S.GI_Z], 2)})")
    if public:
        st.caption(t("cell.public_detail"))
        return
    _cell_history(view, pos)


def top_cells_table(view: View, *, public: bool, n: int = 10) -> pd.DataFrame:
    """The ``n`` cells with most incidents: count, Gi* z and class (small counts blanked in public)."""
    top = view.cells.nlargest(n, S.COUNT)[[S.COUNT, S.GI_Z, S.GI_BIN]]
    top = pd.DataFrame(safe_table(top[top[S.COUNT] > 0], public=public))
    top[t("r.class")] = [gi_bin_label(int(b), lang()) if pd.notna(b) else "–" for b in top[S.GI_BIN]]
    return top.drop(columns=[S.GI_BIN]).rename(columns={S.COUNT: t("r.count"), S.GI_Z: "Gi* z"})


# --------------------------------------------------------------------------- downloads
def gpkg_bytes(cells: gpd.GeoDataFrame, clusters: gpd.GeoDataFrame, public: bool) -> bytes:
    """The layers as a GeoPackage (``public``: the privacy-safe variant)."""
    with tempfile.TemporaryDirectory() as tmp:
        return E.write_gpkg(cells, clusters, Path(tmp) / "hotspots.gpkg", public=public).read_bytes()


def cells_csv(cells: gpd.GeoDataFrame, *, public: bool) -> bytes:
    """The cells as CSV (``public``: counts 1–2 suppressed, empty cells left out)."""
    from ..hotspots.privacy import public_cells

    table = public_cells(cells) if public else cells
    table = E.drawn_cells(table) if not public else table[table[S.COUNT].fillna(1) != 0]
    return pd.DataFrame(table.drop(columns="geometry")).to_csv(index=False).encode("utf-8")


def download_buttons(view: View, make_map: Callable[[], folium.Map], *, public: bool) -> None:
    """GeoPackage (full and public, or public only), the HTML map (``make_map()``, built
    only when asked for), the CSV of cells."""
    st.markdown(f"**{t('dl.heading')}**")
    stem = f"hotspots_h3r{view.prepared.resolution}"
    cells, clusters = view.cells, view.clusters
    cols = iter(st.columns(4 if not public else 3))
    if not public:
        next(cols).download_button(t("dl.gpkg"), lambda: gpkg_bytes(cells, clusters, False), f"{stem}.gpkg",
                                   "application/geopackage+sqlite3", key="dl_gpkg", on_click="ignore",
                                   icon=":material/download:")
    next(cols).download_button(t("dl.gpkg_public"), lambda: gpkg_bytes(cells, clusters, True),
                               f"{stem}_offentlig.gpkg", "application/geopackage+sqlite3", key="dl_gpkg_public",
                               on_click="ignore", icon=":material/download:")
    next(cols).download_button(t("dl.html"), lambda: map_html(make_map()).encode("utf-8"), f"{stem}.html",
                               "text/html", key="dl_html", on_click="ignore", icon=":material/map:")
    next(cols).download_button(t("dl.csv"), lambda: cells_csv(cells, public=public), f"{stem}.csv", "text/csv",
                               key="dl_csv", on_click="ignore", icon=":material/table:")
