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
from ..maps.base import add_legend
from ..maps.explorer import (
    MAX_POINTS,
    SummaryLayerControl,
    explorer_base_map,
    explorer_layers,
    explorer_map,
    map_html,
    shown_layers,
)
from .compute import View, base_bounds, place_names, safe_table, summary
from .formats import AXIS_MONTH, AXIS_NUMBER, XLSX, fmt_count, fmt_dec, localised, styled, xlsx_bytes
from .i18n import lang, t
from .remark_display import md

__all__ = ["cell_panel", "clicked_point", "download_buttons", "explorer_live_map", "show_map", "static_map",
           "top_cells", "top_cells_table"]

K_CLICK = "an_clicked"          # (lon, lat) of the last clicked map point
K_TOP = "an_top_cells"          # the busiest cells' table (its row selection)
K_TOP_SEEN = "_an_top_seen"     # the row chosen last time (a new choice moves the map)
K_CENTRE = "an_centre"          # (lat, lon) the map was last moved to from the table
K_MAP_SEEN = "_an_map_click"    # the map's last click as it reported it


def _points(view: View, public: bool) -> pd.DataFrame | None:
    """The selection's incidents when few enough to draw one by one (never in public mode)."""
    return view.incidents() if not public and 0 < view.n < MAX_POINTS else None


def static_map(view: View, *, public: bool, remarks: gpd.GeoDataFrame | None = None) -> folium.Map:
    """The explorer's map as one page (the HTML download)."""
    _cells, clusters = shown_layers(view.cells, view.clusters, public=public)
    return explorer_map(view.cells, view.clusters, public=public, summary=summary(view, clusters),
                        incidents=_points(view, public), remarks=remarks, boundary=view.ds.boundary, lang=lang())


def _chosen_cell_group(view: View, point: tuple[float, float] | None) -> folium.FeatureGroup | None:
    """The clicked (or chosen) cell outlined, so the panel's cell can be found on the map."""
    pos = E.cell_position(view.prepared, *point) if point is not None else None
    if pos is None:
        return None
    group = folium.FeatureGroup(name=t("cell.heading"), control=False)
    folium.GeoJson(gpd.GeoSeries([view.cells.geometry.iloc[pos]], crs=view.cells.crs).to_json(), interactive=False,
                   style_function=lambda _: {"color": "#08306b", "weight": 4, "fill": False}).add_to(group)
    return group


def explorer_live_map(view: View, *, public: bool, remarks: gpd.GeoDataFrame | None = None,
                      key: str = "explorer_map", height: int = 620, extra: Sequence[folium.FeatureGroup] = (),
                      extra_legend: tuple[str, list[tuple[str, str]]] | None = None, hide_bins: bool = False,
                      centre: tuple[float, float] | None = None) -> dict:
    """The explorer's map in the page: a base map (tiles, boundary, remarks, legend) that
    stays put, and the selection's layers as streamlit-folium feature groups that are
    swapped in place on a filter change (no reload of the map). Returns the click.
    ``extra`` layers (*Utveckling*, *Prognos*) come last, shown, with ``extra_legend`` (title and rows);
    ``hide_bins`` starts the Gi* classes hidden (under the *Utveckling* patterns). The clicked
    cell is outlined; ``centre`` (lat, lon) moves the map there (a row chosen in the busiest
    cells' table)."""
    from streamlit_folium import st_folium

    lg = lang()
    cells, clusters = shown_layers(view.cells, view.clusters, public=public)
    text = summary(view, clusters)
    m = explorer_base_map(base_bounds(view), summary=text, boundary=view.ds.boundary, remarks=remarks, lang=lg)
    if extra_legend:
        add_legend(m, *extra_legend, corner="right", css_class="gt-change-legend", max_width_px=260)
    groups = explorer_layers(cells, clusters, incidents=_points(view, public), lang=lg)
    # streamlit-folium names the groups feature_group_feature_group_<i>: the counts (0) and the
    # incident points (3) start hidden, as on the downloaded map; the layer control shows them
    hidden = tuple(f"feature_group_feature_group_{i}" for i in ((0, 1, 3) if hide_bins else (0, 3)) if i < len(groups))
    groups = [*groups, *extra]
    control = SummaryLayerControl(text, hidden=hidden)
    chosen = _chosen_cell_group(view, st.session_state.get(K_CLICK))
    if chosen is not None:
        groups.append(chosen)
    # the key carries the language: the legend (static HTML) is redrawn when it changes
    return st_folium(m, key=f"{key}_{lg}", height=height, use_container_width=True, feature_group_to_add=groups,
                     layer_control=control, returned_objects=["last_object_clicked"], center=centre,
                     zoom=16 if centre else None) or {}


def show_map(m: folium.Map, *, key: str, height: int = 620) -> dict:
    """Render with streamlit-folium; returns only what a click gives (no rerun on pan/zoom)."""
    from streamlit_folium import st_folium

    return st_folium(m, key=key, height=height, use_container_width=True,
                     returned_objects=["last_object_clicked"]) or {}


def clicked_point(out: dict) -> tuple[float, float] | None:
    """(lon, lat) of the latest click on the map, remembered across reruns."""
    click = (out or {}).get("last_object_clicked")
    if click and "lat" in click and "lng" in click:
        point = (float(click["lng"]), float(click["lat"]))
        if point != st.session_state.get(K_MAP_SEEN):  # a new click (the map repeats its last one)
            st.session_state[K_CLICK] = st.session_state[K_MAP_SEEN] = point
    return st.session_state.get(K_CLICK)


def _cell_history(view: View, pos: int) -> None:
    """Counts per month and the commonest crime types of one cell (analysts only)."""
    import altair as alt

    monthly = E.cell_monthly(view.ds.arrays, view.prepared, pos, view.mask)
    st.caption(t("cell.monthly"))
    st.altair_chart(localised(alt.Chart(monthly).mark_bar().encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format=AXIS_MONTH)),
        y=alt.Y(f"{S.COUNT}:Q", title=t("r.count"), axis=alt.Axis(format=AXIS_NUMBER)),
        tooltip=[alt.Tooltip("month:T", title=t("lb.month"), format=AXIS_MONTH),
                 alt.Tooltip(f"{S.COUNT}:Q", title=t("r.count"), format=AXIS_NUMBER)],
    ).properties(height=180)))
    top = E.cell_top_types(view.ds.arrays, view.prepared, pos, view.mask)
    st.caption(t("cell.top_types"))
    st.dataframe(styled(top[[S.CRIME_TYPE, S.COUNT]].rename(columns={S.CRIME_TYPE: t("f.crime_type"),
                                                                     S.COUNT: t("r.count")})),
                 hide_index=True, key="an_top_types")


def cell_panel(view: View, point: tuple[float, float] | None, *, public: bool) -> None:
    """The clicked cell, named by its street and district: its count and class, then (not in
    public mode) counts per month and the top crime types."""
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
    place = place_names(view, [pos])[0]
    st.markdown(f"#### {md(place) if place else t('cell.unnamed')}")
    st.caption(t("cell.code", h3=row[S.H3]))
    st.write(f"{t('r.count')}: **{fmt_count(count)}** · {gi_bin_label(int(row[S.GI_BIN]), lang())} "
             f"(z = {fmt_dec(row[S.GI_Z], 2)})")
    if public:
        st.caption(t("cell.public_detail"))
        return
    _cell_history(view, pos)


def top_cells_table(view: View, *, public: bool, n: int = 10) -> pd.DataFrame:
    """The ``n`` cells with most incidents: where they are, count, Gi* z and class (small counts
    blanked in public). The index holds each row's position in ``view.cells``."""
    top = view.cells.nlargest(n, S.COUNT)[[S.COUNT, S.GI_Z, S.GI_BIN]]
    top = pd.DataFrame(safe_table(top[top[S.COUNT] > 0], public=public))
    places = place_names(view, top.index)
    top[t("r.class")] = [gi_bin_label(int(b), lang()) if pd.notna(b) else "–" for b in top[S.GI_BIN]]
    top.insert(0, t("r.place"), [p or t("cell.unnamed") for p in places])
    return top.drop(columns=[S.GI_BIN]).rename(columns={S.COUNT: t("r.count"), S.GI_Z: "Gi* z"})


def _selected_rows(key: str) -> list[int]:
    """The rows chosen in the table with ``key`` (its selection state, read before it is drawn)."""
    value = st.session_state.get(key)
    selection = getattr(value, "selection", None) or (value.get("selection") if isinstance(value, dict) else None)
    rows = getattr(selection, "rows", None) if selection is not None and not isinstance(selection, dict) \
        else (selection or {}).get("rows")
    return [int(r) for r in rows or []]


def follow_top_choice(view: View, top: pd.DataFrame) -> tuple[float, float] | None:
    """Call before the map is drawn: a row newly chosen in the busiest cells' table (``top``)
    becomes the clicked cell, named in the panel and outlined on the map. Returns (lat, lon)
    to centre the map on while that row stays chosen, else None."""
    rows = _selected_rows(K_TOP)
    table = tuple(view.cells[S.H3].iloc[list(top.index)])
    chosen = table[rows[0]] if rows and rows[0] < len(table) else None
    last_chosen, last_table = st.session_state.get(K_TOP_SEEN) or (None, None)
    st.session_state[K_TOP_SEEN] = (chosen, table)
    if chosen is None or (last_table is not None and last_table != table):
        return None  # nothing chosen, or a filter changed the table under the choice
    if chosen != last_chosen:
        centre = view.cells.geometry.iloc[int(top.index[rows[0]])].centroid
        st.session_state[K_CLICK] = (float(centre.x), float(centre.y))
        st.session_state[K_CENTRE] = (float(centre.y), float(centre.x))
    return st.session_state.get(K_CENTRE)


def top_cells(top: pd.DataFrame) -> None:
    """The busiest cells' table (numbers in the session's language); a row can be chosen."""
    st.dataframe(styled(top, {"Gi* z": 1}), hide_index=True, key=K_TOP, on_select="rerun",
                 selection_mode="single-row", width="stretch")
    st.caption(t("r.top_cells_hint"))


# --------------------------------------------------------------------------- downloads
def gpkg_bytes(cells: gpd.GeoDataFrame, clusters: gpd.GeoDataFrame, public: bool) -> bytes:
    """The layers as a GeoPackage (``public``: the privacy-safe variant)."""
    with tempfile.TemporaryDirectory() as tmp:
        return E.write_gpkg(cells, clusters, Path(tmp) / "hotspots.gpkg", public=public).read_bytes()


def _cells_table(cells: gpd.GeoDataFrame, *, public: bool) -> pd.DataFrame:
    """The cells for a table file (``public``: counts 1–2 suppressed, empty cells left out)."""
    from ..hotspots.privacy import public_cells

    table = public_cells(cells) if public else cells
    table = E.drawn_cells(table) if not public else table[table[S.COUNT].fillna(1) != 0]
    return pd.DataFrame(table.drop(columns="geometry"))


def cells_csv(cells: gpd.GeoDataFrame, *, public: bool) -> bytes:
    """The cells as plain CSV (comma, decimal point: for GIS and scripts)."""
    return _cells_table(cells, public=public).to_csv(index=False).encode("utf-8")


def cells_xlsx(cells: gpd.GeoDataFrame, *, public: bool) -> bytes:
    """The cells as an Excel workbook (opens right in a Swedish Excel, whose CSV wants ``;``)."""
    return xlsx_bytes({"celler": _cells_table(cells, public=public)})


def download_buttons(view: View, make_map: Callable[[], folium.Map], *, public: bool) -> None:
    """GeoPackage (full and public, or public only), the HTML map (``make_map()``, built
    only when asked for), the CSV of cells."""
    st.markdown(f"**{t('dl.heading')}**")
    stem = f"hotspots_h3r{view.prepared.resolution}"
    cells, clusters = view.cells, view.clusters
    cols = iter(st.columns(5 if not public else 4))
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
                               key="dl_csv", on_click="ignore", icon=":material/table:", help=t("dl.csv_help"))
    next(cols).download_button(t("dl.xlsx"), lambda: cells_xlsx(cells, public=public), f"{stem}.xlsx", XLSX,
                               key="dl_xlsx", on_click="ignore", icon=":material/table_view:")
