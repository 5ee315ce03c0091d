"""Pieces the analyst's pages share (not pages themselves): the dataset (kept or
uploaded, with a column-mapping step), the filter widgets, cached computations,
the explorer map and the downloads.

Caching (see STYLE.md "Deliberate caching"): the parsed dataset and the
prepared grid are ``st.cache_resource`` entries keyed by file path +
modification time + read options (a million-row GeoDataFrame is too slow to
hash or copy); they are shared read-only, nothing here mutates them. A filter
change only computes a boolean mask over cached arrays and Gi* on the same
grid (:mod:`geo_trygghet.explore`).

Environment: ``GEO_TRYGGHET_DATASET`` names the incident file the app keeps
(default ``sample_data/incidents.csv``), ``GEO_TRYGGHET_BOUNDARY`` its
boundary polygon (default ``sample_data/kommun.geojson`` with the sample).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import streamlit as st
from folium.template import Template

from .. import schema as S
from ..errors import CRSError, DateError, GeoTrygghetError, SchemaError
from ..hotspots import explorer as E
from ..hotspots.gistar import GI_BIN_COLOURS, HotSpotResult, gi_bin_label
from ..ingest.crime_types import BRA_CATEGORIES, category_label
from . import state
from .data import SAMPLE_DIR, file_key, remark_service_or_error
from .i18n import lang, t

DATASET_ENV = "GEO_TRYGGHET_DATASET"
BOUNDARY_ENV = "GEO_TRYGGHET_BOUNDARY"
#: Raw incident points are drawn only below this many (and never in public mode).
MAX_POINTS = 2000
UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "gpkg", "geojson", "json", "parquet", "zip", "shp"]
CRS_CHOICES = ["EPSG:3006", "EPSG:3021", *[f"EPSG:{c}" for c in range(3007, 3019)], "EPSG:4326", "EPSG:27700"]
RESOLUTIONS = (7, 8, 9, 10)
#: A proposed route longer than this gets a warning (a walk takes 1-2 hours on foot).
LONG_WALK_M = 6000.0

# session_state keys of the analyst's pages
K_SOURCE = "an_source"          # "kept" or "upload"
K_UPLOAD = "an_upload"          # (path, name) of the saved upload
K_OPTIONS = "an_read_options"   # column options from the mapping step, per file
K_CLICK = "an_clicked"          # (lon, lat) of the last clicked map point
K_PUBLIC = "an_public"          # the analyst's public-mode toggle


# --------------------------------------------------------------------------- the dataset
@dataclass(frozen=True)
class Dataset:
    """A parsed incident file and what the pages compute from it (shared, read-only)."""

    key: str
    name: str
    incidents: gpd.GeoDataFrame
    arrays: E.IncidentArrays
    report: Any
    boundary: gpd.GeoDataFrame | None = None
    areas_path: Path | None = None
    #: Smaller study areas for the hot-spot grid (name → polygons), e.g. the town of a kommun.
    study_areas: dict = field(default_factory=dict, compare=False, repr=False)
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    def study_geometry(self, name: str) -> Any:
        """The hot-spot study area ``name`` ("" = the dataset's boundary, else the incidents' hull)."""
        if name and name in self.study_areas:
            return self.study_areas[name].geometry.union_all()
        return self.boundary_geometry

    @property
    def boundary_geometry(self) -> Any:
        return None if self.boundary is None else self.boundary.geometry.union_all()


def kept_dataset_path() -> Path | None:
    """The incident file the app keeps: ``$GEO_TRYGGHET_DATASET`` or the sample municipality."""
    env = os.environ.get(DATASET_ENV, "").strip()
    path = Path(env) if env else SAMPLE_DIR / "incidents.csv"
    return path if path.is_file() else None


#: Smaller hot-spot study areas that may lie next to the kept dataset (name, file). Gi* compares
#: each cell with the whole study area: against a kommun's empty countryside the whole town is
#: "hot", so the explorer offers the town itself.
HOTSPOT_AREAS = (("tatort", "tatort.geojson"),)


def _kept_boundary_path(dataset: Path) -> Path | None:
    env = os.environ.get(BOUNDARY_ENV, "").strip()
    if env:
        return Path(env) if Path(env).is_file() else None
    candidate = dataset.parent / "kommun.geojson"
    return candidate if candidate.is_file() else None


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_dataset(path: str, mtime_ns: int, size: int, options: tuple, boundary: str | None) -> Dataset:
    from ..ingest.incidents import read_boundary, read_incidents

    incidents = read_incidents(path, **dict(options))
    gdf = incidents.gdf
    bnd = read_boundary(boundary) if boundary else None
    areas = Path(path).parent / "omraden.geojson"
    study = {name: read_boundary(Path(path).parent / file) for name, file in HOTSPOT_AREAS
             if boundary and (Path(path).parent / file).is_file()}
    key = hashlib.sha1(repr((path, mtime_ns, size, options, boundary)).encode()).hexdigest()[:16]
    return Dataset(key=key, name=incidents.report.source, incidents=gdf, arrays=E.incident_arrays(gdf),
                   report=incidents.report, boundary=bnd, areas_path=areas if areas.is_file() else None,
                   study_areas=study)


def load_dataset(path: Path, options: dict | None = None, boundary: Path | None = None) -> Dataset:
    """The cached :class:`Dataset` of ``path`` (read again when the file changes)."""
    resolved, mtime_ns, size = file_key(path)
    opts = tuple(sorted((k, v) for k, v in (options or {}).items() if v not in (None, "")))
    return _load_dataset(resolved, mtime_ns, size, opts, str(boundary) if boundary else None)


def _save_upload(data: bytes, name: str) -> Path:
    digest = hashlib.sha256(data).hexdigest()[:24]
    folder = Path(tempfile.gettempdir()) / "geo_trygghet_uploads" / digest
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(name).name
    if not path.exists():
        path.write_bytes(data)
    return path


@st.cache_data(show_spinner=False, max_entries=8)
def _columns_of(path: str, mtime_ns: int) -> list[str]:
    from ..ingest.files import read_any

    df, _ = read_any(Path(path))
    return [str(c) for c in df.columns if c != getattr(df, "_geometry_column_name", None)]


def _plain_error(exc: GeoTrygghetError) -> str:
    """The core's one-line message with a Swedish (or English) lead-in."""
    lead = {
        SchemaError: ("En kolumn saknas eller kändes inte igen", "A column is missing or was not recognised"),
        CRSError: ("Koordinaterna stämmer inte med koordinatsystemet", "The coordinates do not fit the coordinate system"),
        DateError: ("Datumen kunde inte tolkas", "The dates could not be read"),
    }
    for cls, (sv, en) in lead.items():
        if isinstance(exc, cls):
            return f"{sv if lang() == 'sv' else en}. {exc}"
    return t("ds.error", why=str(exc))


def _mapping_form(path: Path) -> dict | None:
    """The column-mapping step; returns the chosen read options once submitted."""
    columns = _columns_of(str(path), path.stat().st_mtime_ns)
    auto = t("map.auto")
    st.subheader(t("map.heading"))
    st.caption(t("map.intro"))
    with st.form("an_mapping"):
        kind = st.radio(t("map.kind"), ["latlon", "xy"], format_func=lambda k: t(f"map.{k}"), horizontal=True,
                        key="an_map_kind")
        c1, c2, c3 = st.columns(3)
        first = c1.selectbox(t("map.lat") + " / " + t("map.y"), [auto, *columns], key="an_map_a")
        second = c2.selectbox(t("map.lon") + " / " + t("map.x"), [auto, *columns], key="an_map_b")
        crs = c3.selectbox(t("map.crs"), CRS_CHOICES, key="an_map_crs")
        c4, c5 = st.columns(2)
        when = c4.selectbox(t("map.time"), [auto, *columns], key="an_map_time")
        kind_col = c5.selectbox(t("map.crime_type"), [auto, *columns], key="an_map_type")
        if not st.form_submit_button(t("map.retry"), type="primary"):
            return None
    pick = lambda v: None if v == auto else v
    options: dict[str, Any] = {"time": pick(when), "crime_type": pick(kind_col)}
    if kind == "latlon":
        options.update(lat=pick(first), lon=pick(second))
    else:
        options.update(y=pick(first), x=pick(second), crs=crs)
    return {k: v for k, v in options.items() if v}


def dataset_picker(*, allow_upload: bool = True) -> Dataset | None:
    """The data-source choice (kept dataset or an upload) with the mapping step.

    Renders in the sidebar; returns the dataset, or None after telling the user
    what is missing (the page should stop).
    """
    kept = kept_dataset_path()
    choices = (["kept"] if kept else []) + (["upload"] if allow_upload else [])
    if not choices:
        st.info(t("ds.none"))
        return None
    with st.sidebar:
        st.markdown(f"**{t('ds.heading')}**")
        if len(choices) > 1:
            _kept_widget(K_SOURCE, choices[0])
            source = st.radio(t("ds.source"), choices, key=wkey(K_SOURCE), label_visibility="collapsed",
                              on_change=_keep, args=(K_SOURCE,),
                              format_func=lambda c: t("ds.kept", name=kept.name) if c == "kept" else t("ds.upload"))
        else:
            source = choices[0]
        if len(choices) > 1:
            _remember(K_SOURCE)
        path: Path | None = kept if source == "kept" else None
        if source == "upload":
            up = st.file_uploader(t("ds.upload_label"), type=UPLOAD_TYPES, help=t("ds.upload_help"), key="an_uploader")
            if up is not None:
                st.session_state[K_UPLOAD] = str(_save_upload(up.getvalue(), up.name))
            saved = st.session_state.get(K_UPLOAD)
            path = Path(saved) if saved and Path(saved).is_file() else None
    if path is None:
        st.info(t("ds.upload_label"))
        return None
    all_options = st.session_state.setdefault(K_OPTIONS, {})
    options = all_options.get(str(path), {})
    boundary = _kept_boundary_path(path) if source == "kept" else None
    try:
        with st.spinner(t("ds.reading")):
            ds = load_dataset(path, options, boundary)
    except GeoTrygghetError as exc:
        st.error(_plain_error(exc))
        if isinstance(exc, (SchemaError, CRSError, DateError)) or options:
            chosen = _mapping_form(path)
            if chosen is not None:
                all_options[str(path)] = chosen
                st.rerun()
        return None
    rep = ds.report
    with st.sidebar:
        st.caption(t("ds.loaded", used=_n(rep.rows_used), source=rep.source, left=_n(rep.rows_read - rep.rows_used)))
    return ds


#: Chart axes without English month names or "1,000" (Vega formats in en-US): 2024-03, 1000.
AXIS_MONTH, AXIS_NUMBER = "%Y-%m", "~r"


def _n(value: float) -> str:
    """A whole number with the thousands separator of the interface language."""
    text = f"{int(value):,}"
    return text if lang() == "en" else text.replace(",", "\u202f")


def fmt_dec(value: float, decimals: int = 1) -> str:
    """A decimal number in the interface language: ``3,4`` in Swedish, ``3.4`` in English."""
    from ..i18n.formatting import fmt_num

    return fmt_num(float(value), lang(), decimals)


# --------------------------------------------------------------------------- filters
@dataclass(frozen=True)
class Filters:
    """The analyst's choices; hashable so it can key caches."""

    categories: tuple | None = None
    crime_types: tuple | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    weekdays: tuple | None = None
    hours: tuple | None = None
    resolution: int = 9
    study_area: str = ""  # "" = the dataset's boundary; else a name in Dataset.study_areas

    def selection(self) -> Filters:
        """The same filters without the resolution (what selects incidents, and where hot spots are sought)."""
        return Filters(self.categories, self.crime_types, self.since, self.until, self.weekdays, self.hours, 0,
                       self.study_area)

    def describe(self, source: str) -> str:
        """What the incidents are, for a report's reader: the file and every filter that is set."""
        from ..lagesbild.patterns import WEEKDAYS

        parts = [t("rep.data", source=source)]
        if self.categories:
            parts.append(f"{t('f.category')}: {', '.join(category_name(c) for c in self.categories)}")
        if self.crime_types:
            parts.append(f"{t('f.crime_type')}: {', '.join(map(str, self.crime_types))}")
        if self.since or self.until:
            parts.append(f"{t('f.dates')}: {self.since or '…'} – {self.until or '…'}")
        if self.weekdays and len(self.weekdays) < 7:
            names = WEEKDAYS["en" if lang() == "en" else "sv"]
            parts.append(f"{t('f.weekdays')}: {', '.join(names[int(d)] for d in self.weekdays)}")
        if self.hours:  # the hours picked, e.g. (18, …, 23): "18–24"
            parts.append(f"{t('f.hours')}: {min(self.hours)}–{max(self.hours) + 1}")
        if len(parts) == 1:
            parts.append(t("rep.all"))
        return " · ".join(parts)

    def mask(self, arrays: E.IncidentArrays) -> np.ndarray:
        return E.filter_mask(arrays, categories=self.categories, crime_types=self.crime_types, since=self.since,
                             until=self.until, weekdays=self.weekdays, hours=self.hours)


def wkey(name: str) -> str:
    """The widget key of ``name`` on this page; its value is kept across pages (see :func:`keep`)."""
    return f"{_page_scope()}__{name}"


def _page_scope() -> str:
    return st.session_state.get("_an_scope", "p")


def set_scope(scope: str) -> None:
    """Call at the top of each analyst page with the page's name."""
    st.session_state["_an_scope"] = scope


def _kept_widget(name: str, default: Any) -> None:
    """Give this page's widget ``name`` its kept value before it is drawn.

    The value lives in ``keep_<name>`` (updated by :func:`_keep` when the user
    changes the widget) and is handed to the widget on every run: Streamlit
    forgets widgets that were not rendered (another page) and treats a widget
    whose label changed (the language switch) as a new one with its default.
    """
    kept = st.session_state.get("keep_" + name)
    st.session_state[wkey(name)] = default if kept is None else kept


def _keep(name: str) -> None:
    """on_change callback: remember the widget's new value."""
    st.session_state["keep_" + name] = st.session_state.get(wkey(name))


def _remember(*names: str) -> None:
    for name in names:
        st.session_state["keep_" + name] = st.session_state.get(wkey(name))


def category_name(slug: str) -> str:
    return t("f.uncategorised") if slug == E.UNCATEGORISED else category_label(slug, lang())


def filter_widgets(ds: Dataset, *, resolution: bool = True) -> Filters:
    """Filters in the sidebar: Brå category, crime type, period, weekdays, hours, H3 resolution."""
    a = ds.arrays
    order = {slug: i for i, slug in enumerate(BRA_CATEGORIES)}
    cats = sorted(a.categories, key=lambda c: (order.get(c, 99), c))
    span = a.date_range()
    from ..lagesbild.patterns import WEEKDAYS

    days = list(WEEKDAYS[lang()])
    for key, default in (("f_cat", []), ("f_type", []), ("f_days", days), ("f_hours", (0, 24)),
                         ("f_res", 9), ("f_dates", span or ())):
        _kept_widget(key, default)
    if [d for d in st.session_state[wkey("f_days")] if d not in days]:  # language switched
        st.session_state[wkey("f_days")] = days
    with st.sidebar:
        st.markdown(f"**{t('f.heading')}**")
        if "type_category" not in ds.extra:
            ds.extra["type_category"] = E.type_categories(a)
            ds.extra["has_weekday"] = bool((a.weekday >= 0).any())
            ds.extra["has_hour"] = bool((a.hour >= 0).any())
        # Widgets the data cannot support are shown disabled, not left out: the sidebar
        # keeps its layout, so Streamlit's widgets keep their values when the file changes.
        typed = a.categories != (E.UNCATEGORISED,)
        st.session_state[wkey("f_cat")] = [c for c in st.session_state[wkey("f_cat")] if c in cats]
        chosen = st.multiselect(t("f.category"), cats, format_func=category_name, key=wkey("f_cat"),
                                placeholder=t("f.all"), disabled=not typed, on_change=_keep, args=("f_cat",))
        allowed = set(chosen)
        types = [ty for ty, cat in ds.extra["type_category"].items() if not allowed or cat in allowed]
        st.session_state[wkey("f_type")] = [ty for ty in st.session_state[wkey("f_type")] if ty in types]
        chosen_types = st.multiselect(t("f.crime_type"), types, key=wkey("f_type"), placeholder=t("f.all"),
                                      format_func=lambda x: x or t("f.uncategorised"), disabled=not typed,
                                      on_change=_keep, args=("f_type",))
        if not typed:
            chosen, chosen_types = [], []
        since = until = None
        if span:
            if st.session_state[wkey("f_dates")] and (min(st.session_state[wkey("f_dates")]) < span[0]
                                                or max(st.session_state[wkey("f_dates")]) > span[1]):
                st.session_state[wkey("f_dates")] = span
            dates = st.date_input(t("f.dates"), min_value=span[0], max_value=span[1], key=wkey("f_dates"),
                                  format="YYYY-MM-DD", on_change=_keep, args=("f_dates",))
            if isinstance(dates, (tuple, list)) and len(dates) == 2:
                since = dates[0] if dates[0] > span[0] else None
                until = dates[1] if dates[1] < span[1] else None
        # month-only data (police.uk) has no weekdays or hours
        picked_days = st.pills(t("f.weekdays"), days, selection_mode="multi", key=wkey("f_days"),
                               disabled=not ds.extra["has_weekday"], on_change=_keep, args=("f_days",))
        lo, hi = st.slider(t("f.hours"), 0, 24, key=wkey("f_hours"), disabled=not ds.extra["has_hour"],
                           on_change=_keep, args=("f_hours",))
        if not ds.extra["has_weekday"]:
            picked_days = days
        if not ds.extra["has_hour"]:
            lo, hi = 0, 24
        res = st.select_slider(t("f.resolution"), RESOLUTIONS, key=wkey("f_res"), help=t("f.resolution_help"),
                               on_change=_keep, args=("f_res",)) \
            if resolution else st.session_state[wkey("f_res")]
        area = ""
        if resolution and ds.study_areas:
            names = [*ds.study_areas, ""]
            _kept_widget("f_area", names[0])
            if st.session_state[wkey("f_area")] not in names:
                st.session_state[wkey("f_area")] = names[0]
            area = st.radio(t("f.area"), names, key=wkey("f_area"), help=t("f.area_help"),
                            format_func=lambda n: t("f.area." + (n or "all")), on_change=_keep, args=("f_area",))
            _remember("f_area")
    _remember("f_cat", "f_type", "f_days", "f_hours", "f_res", "f_dates")
    day_idx = tuple(sorted(days.index(d) for d in picked_days or []))
    return Filters(categories=tuple(chosen) or None, crime_types=tuple(chosen_types) or None, since=since,
                   until=until, weekdays=None if len(day_idx) == 7 else day_idx,
                   hours=None if (lo, hi) == (0, 24) else tuple(range(lo, hi)), resolution=int(res),
                   study_area=area or "")


def public_mode() -> bool:
    """True for the public role, or when an analyst previews the public view."""
    if state.role() == state.PUBLIC:
        return True
    if state.role() in (state.ANALYTIKER, state.ADMIN):
        _kept_widget(K_PUBLIC, False)
        with st.sidebar:
            on = bool(st.toggle(t("f.public"), key=wkey(K_PUBLIC), help=t("f.public_help"),
                                 on_change=_keep, args=(K_PUBLIC,)))
        _remember(K_PUBLIC)
        return on
    return True


# --------------------------------------------------------------------------- computations
@st.cache_resource(show_spinner=False, max_entries=8)
def _prepared(key: str, resolution: int, area: str, _ds: Dataset) -> E.PreparedGrid:
    return E.prepare_grid(_ds.arrays.lon, _ds.arrays.lat, resolution=resolution, boundary=_ds.study_geometry(area))


def prepared_grid(ds: Dataset, resolution: int, area: str = "") -> E.PreparedGrid:
    return _prepared(ds.key, int(resolution), area, ds)


@st.cache_resource(show_spinner=False, max_entries=16)
def _clusters(key: str, selection: Filters, _ds: Dataset, _mask: np.ndarray) -> gpd.GeoDataFrame:
    from ..hotspots.clusters import find_clusters

    return find_clusters(_ds.arrays.lon[_mask], _ds.arrays.lat[_mask])


@dataclass(frozen=True)
class View:
    """What the pages show for one dataset and filter choice."""

    ds: Dataset
    filters: Filters
    mask: np.ndarray
    prepared: E.PreparedGrid
    cells: gpd.GeoDataFrame
    clusters: gpd.GeoDataFrame

    @property
    def n(self) -> int:
        return int(self.mask.sum())

    def result(self) -> HotSpotResult:
        return HotSpotResult(cells=self.cells, clusters=self.clusters, resolution=self.prepared.resolution,
                             permutations=0, seed=None, grid=self.prepared.grid)

    def incidents(self) -> gpd.GeoDataFrame:
        return self.ds.incidents.loc[self.mask]


def compute_view(ds: Dataset, filters: Filters) -> View:
    """Mask → counts on the cached grid → Gi* → clusters (cached per selection)."""
    mask = filters.mask(ds.arrays)
    prepared = prepared_grid(ds, filters.resolution, filters.study_area)
    cells = E.gi_cells(prepared, mask)
    in_area = mask & (prepared.grid.incident_cell >= 0) if filters.study_area else mask
    clusters = _clusters(ds.key, filters.selection(), ds, in_area)
    return View(ds=ds, filters=filters, mask=mask, prepared=prepared, cells=cells, clusters=clusters)


def safe_table(df: pd.DataFrame, count_cols: tuple[str, ...] = (S.COUNT,), *, public: bool) -> pd.DataFrame:
    """In public mode: counts 1–2 blanked (and their Gi* columns) before a table is shown."""
    if not public:
        return df
    from ..hotspots.privacy import suppress_small_cells

    out = df
    for col in count_cols:
        if col in out.columns:
            out = suppress_small_cells(out, col).drop(columns="suppressed")
    return out


# --------------------------------------------------------------------------- the map
@st.cache_data(ttl=15, show_spinner=False, max_entries=32)
def _remarks_for(url: str, who: tuple, public: bool, lang_: str, _actor: Any) -> gpd.GeoDataFrame | None:
    service, _problem = remark_service_or_error()
    if service is None:
        return None
    try:
        if public:
            fixed = service.public_summary().fixed
            return fixed if len(fixed) else None
        return service.remarks_frame(_actor, lang=lang_) if _actor is not None else None
    except Exception:  # noqa: BLE001  (the map must not fail because the remark database does)
        return None


def _remarks(public: bool) -> gpd.GeoDataFrame | None:
    """The walk remarks for the map: the public's fixed ones, or what this actor may see
    (re-read at most every 15 s)."""
    from .data import database_url

    actor = None if public else state.actor()
    who = (getattr(actor, "role", None), getattr(actor, "user_id", None), getattr(actor, "organisation_id", None),
           getattr(actor, "walk_code", None))
    return _remarks_for(database_url(), who, public, lang(), actor)


_STATE_COLOURS = {"open": "#d7301f", "planned": "#f2b705", "fixed": "#1a9850", "closed": "#777777"}


def _add_remarks_fallback(m: folium.Map, remarks: gpd.GeoDataFrame, lang_: str) -> None:
    """Numbered remark markers coloured by state (used when maps.remarks is absent)."""
    group = folium.FeatureGroup(name=t("r.remarks"), show=True)
    for row in remarks.itertuples():
        kind = getattr(row, "state_kind", "fixed")
        st_slug = getattr(row, "state", "")
        colour = _STATE_COLOURS["planned"] if st_slug == "planerad" else _STATE_COLOURS.get(kind, "#777777")
        number = int(getattr(row, "number", 0) or 0)
        text = html.escape(str(getattr(row, "text", "") or ""))
        label = html.escape(str(getattr(row, "category_label", "") or ""))
        state_label = html.escape(str(getattr(row, "state_label", "") or ""))
        walk = html.escape(str(getattr(row, "walk_title", "") or ""))
        icon = folium.DivIcon(html=f'<div style="background:{colour};color:#fff;border-radius:50%;width:22px;'
                                   f'height:22px;line-height:22px;text-align:center;font:bold 12px sans-serif;'
                                   f'border:1px solid #333">{number}</div>', icon_size=(22, 22), icon_anchor=(11, 11))
        popup = f"<b>{number}. {label}</b><br>{text}<br><i>{state_label}</i><br>{walk}"
        folium.Marker([row.geometry.y, row.geometry.x], icon=icon,
                      popup=folium.Popup(popup, max_width=260)).add_to(group)
    group.add_to(m)


def add_remarks(m: folium.Map, remarks: gpd.GeoDataFrame | None) -> None:
    if remarks is None or not len(remarks):
        return
    remarks = remarks[remarks.geometry.notna() & ~remarks.geometry.is_empty]
    try:
        from ..maps.remarks import add_remarks_layer
    except ImportError:
        _add_remarks_fallback(m, remarks, lang())
        return
    add_remarks_layer(m, remarks, lang=lang())


def _add_points(m: folium.Map, incidents: pd.DataFrame) -> None:
    pts = pd.DataFrame({
        "lon": incidents[S.LON].round(6).to_numpy(), "lat": incidents[S.LAT].round(6).to_numpy(),
        "typ": [html.escape(str(x)) for x in incidents[S.CRIME_TYPE].fillna("")],
        "tid": pd.to_datetime(incidents[S.OCCURRED_AT]).dt.strftime("%Y-%m-%d %H:%M").fillna("").to_numpy(),
    })
    gdf = gpd.GeoDataFrame(pts, geometry=gpd.points_from_xy(pts.lon, pts.lat), crs="EPSG:4326")
    folium.GeoJson(gdf[["typ", "tid", "geometry"]].to_json(drop_id=True), name=t("r.points"), show=False,
                   marker=folium.CircleMarker(radius=3, weight=1, color="#222222", fill=True, fill_opacity=0.8),
                   popup=folium.GeoJsonPopup(fields=["typ", "tid"], labels=False)).add_to(m)


def focus_bounds(view: View, boundary: gpd.GeoDataFrame | None = None, share: float = 0.9) -> tuple | None:
    """Where to look first: the hot cells (Gi* bin > 0), else the busiest cells that
    together hold ``share`` of the selected incidents, else the boundary."""
    hot = view.cells[view.cells[S.GI_BIN].to_numpy() > 0]
    counts = view.cells[S.COUNT].to_numpy()
    if len(hot) and counts.sum() > 0:
        x0, y0, x1, y1 = hot.total_bounds
        pad_x, pad_y = max((x1 - x0) * 0.15, 0.006), max((y1 - y0) * 0.15, 0.003)
        return (x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y)
    if counts.sum() > 0:
        order = np.argsort(-counts, kind="stable")
        need = int(np.searchsorted(np.cumsum(counts[order]), share * counts.sum())) + 1
        x0, y0, x1, y1 = view.cells.geometry.iloc[order[:need]].total_bounds
        pad_x, pad_y = max((x1 - x0) * 0.05, 0.003), max((y1 - y0) * 0.05, 0.0015)
        return (x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y)
    if boundary is not None and len(boundary):
        return tuple(boundary.to_crs("EPSG:4326").total_bounds)
    return tuple(view.cells.total_bounds) if len(view.cells) else None


def explorer_map(view: View, *, public: bool, remarks: gpd.GeoDataFrame | None = None,
                 boundary: gpd.GeoDataFrame | None = None) -> folium.Map:
    """Hex counts, Gi* bins, clusters, remarks, boundary, points (few, never public), legend, layers."""
    from ..hotspots.privacy import public_cells, public_clusters
    from ..maps import add_boundary, add_cells_layer, add_clusters_layer, finish_map, new_map

    lg = lang()
    cells = E.drawn_cells(view.cells)
    clusters = view.clusters
    if public:
        cells = public_cells(cells, keep=(S.H3, S.COUNT, S.GI_Z, S.GI_BIN))
        cells = cells[cells[S.COUNT].notna()].astype({S.COUNT: "int64", S.GI_BIN: "int64"})  # suppressed: not drawn
        clusters = public_clusters(clusters)
        clusters = clusters[clusters[S.COUNT].notna()]
    m = new_map(focus_bounds(view, boundary))
    if len(cells):
        add_cells_layer(m, cells, by=S.COUNT, lang=lg, show=False)
        add_cells_layer(m, cells, by=S.GI_BIN, lang=lg)
    if len(clusters):
        add_clusters_layer(m, clusters.assign(**{S.COUNT: clusters[S.COUNT].astype("int64")}), lang=lg)
    if boundary is not None:
        add_boundary(m, boundary, name=t("r.boundary"))
    if not public and 0 < view.n < MAX_POINTS:
        _add_points(m, view.incidents())
    add_remarks(m, remarks)
    add_hotspot_legend(m, _summary(view, clusters))
    return finish_map(m)


class _SummaryLayerControl(folium.LayerControl):
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


def add_hotspot_legend(m: folium.Map, summary: str) -> None:
    """The Gi* legend (bottom left, narrow) with the selection's summary under its title
    (``.gt-summary``, rewritten in place on a filter change)."""
    from branca.element import MacroElement

    from ..maps.base import legend_html

    lg = lang()
    title = "Hot spots (Getis-Ord Gi*, FDR)"
    box = legend_html(title, [(GI_BIN_COLOURS[b], gi_bin_label(b, lg)) for b in range(3, -4, -1)],
                      css_class="gt-hotspot-legend", max_width_px=230, note=summary, note_class="gt-summary")
    macro = MacroElement()
    macro._template = Template("{% macro html(this, kwargs) %}" + box + "{% endmacro %}")
    m.get_root().add_child(macro)


def _summary(view: View, clusters: gpd.GeoDataFrame) -> str:
    hot = int((view.cells[S.GI_BIN] > 0).sum())
    return t("r.summary", n=_n(view.n), hot=_n(hot), areas=_n(len(clusters)))


def _base_bounds(view: View, boundary: gpd.GeoDataFrame | None) -> tuple | None:
    """Where the map opens for this dataset and resolution (the same for every filter,
    so a filter change updates the layers without reloading the map)."""
    key = ("bounds", view.prepared.resolution)
    if key not in view.ds.extra:
        everything = View(ds=view.ds, filters=view.filters, mask=np.ones(view.ds.arrays.n, bool),
                          prepared=view.prepared, cells=E.gi_cells(view.prepared), clusters=view.clusters)
        view.ds.extra[key] = focus_bounds(everything, boundary)
    return view.ds.extra[key]


def explorer_live_map(view: View, *, public: bool, remarks: gpd.GeoDataFrame | None = None,
                      boundary: gpd.GeoDataFrame | None = None, key: str = "explorer_map",
                      height: int = 620) -> dict:
    """The explorer's map in the page: a base map (tiles, boundary, remarks, legend) that
    stays put, and the selection's layers as streamlit-folium feature groups that are
    swapped in place on a filter change (no reload of the map). Returns the click."""
    from streamlit_folium import st_folium

    from ..hotspots.privacy import public_cells, public_clusters
    from ..maps import add_boundary, add_cells_layer, add_clusters_layer, new_map

    lg = lang()
    cells, clusters = E.drawn_cells(view.cells), view.clusters
    if public:
        cells = public_cells(cells, keep=(S.H3, S.COUNT, S.GI_Z, S.GI_BIN))
        cells = cells[cells[S.COUNT].notna()].astype({S.COUNT: "int64", S.GI_BIN: "int64"})
        clusters = public_clusters(clusters)
        clusters = clusters[clusters[S.COUNT].notna()].astype({S.COUNT: "int64"})
    m = new_map(_base_bounds(view, boundary))
    m.get_root().header.add_child(folium.Element(
        "<style>.leaflet-popup-content{font:13px/1.4 system-ui,sans-serif}</style>"))
    if boundary is not None:
        add_boundary(m, boundary, name=t("r.boundary"))
    add_remarks(m, remarks)
    summary = _summary(view, clusters)
    add_hotspot_legend(m, summary)
    from ..maps.hotspots import _TEXT as MAP_TEXT

    names = MAP_TEXT["en" if lg == "en" else "sv"]
    groups = [folium.FeatureGroup(name=names["counts"]), folium.FeatureGroup(name=names["bins"]),
              folium.FeatureGroup(name=names["clusters"])]
    if len(cells):
        add_cells_layer(groups[0], cells, by=S.COUNT, lang=lg)
        add_cells_layer(groups[1], cells, by=S.GI_BIN, lang=lg)
    if len(clusters):
        add_clusters_layer(groups[2], clusters, lang=lg)
    if not public and 0 < view.n < MAX_POINTS:
        points = folium.FeatureGroup(name=t("r.points"))
        _add_points(points, view.incidents())
        groups.append(points)
    control = _SummaryLayerControl(summary, hidden=("feature_group_feature_group_0",))
    # the key carries the language: the legend (static HTML) is redrawn when it changes
    return st_folium(m, key=f"{key}_{lg}", height=height, use_container_width=True, feature_group_to_add=groups,
                     layer_control=control, returned_objects=["last_object_clicked"]) or {}


def map_html(m: folium.Map) -> str:
    return m.get_root().render()


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
    monthly = E.cell_monthly(view.ds.arrays, view.prepared, pos, view.mask)
    st.caption(t("cell.monthly"))
    import altair as alt

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


def top_cells_table(view: View, *, public: bool, n: int = 10) -> pd.DataFrame:
    cells = view.cells
    top = cells.nlargest(n, S.COUNT)[[S.COUNT, S.GI_Z, S.GI_BIN]]
    top = top[top[S.COUNT] > 0]
    top = pd.DataFrame(safe_table(top, public=public))
    top[t("r.class")] = [gi_bin_label(int(b), lang()) if pd.notna(b) else "–" for b in top[S.GI_BIN]]
    return top.drop(columns=[S.GI_BIN]).rename(columns={S.COUNT: t("r.count"), S.GI_Z: "Gi* z"})


# --------------------------------------------------------------------------- downloads
def _gpkg_bytes(cells: gpd.GeoDataFrame, clusters: gpd.GeoDataFrame, public: bool) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = E.write_gpkg(cells, clusters, Path(tmp) / "hotspots.gpkg", public=public)
        return path.read_bytes()


def cells_csv(cells: gpd.GeoDataFrame, *, public: bool) -> bytes:
    from ..hotspots.privacy import public_cells

    table = public_cells(cells) if public else cells
    table = E.drawn_cells(table) if not public else table[table[S.COUNT].fillna(1) != 0]
    return pd.DataFrame(table.drop(columns="geometry")).to_csv(index=False).encode("utf-8")


def download_buttons(view: View, make_map: Any, *, public: bool) -> None:
    """GeoPackage (full and public, or public only), the HTML map (``make_map()``, built
    only when asked for), the CSV of cells."""
    st.markdown(f"**{t('dl.heading')}**")
    stem = f"hotspots_h3r{view.prepared.resolution}"
    cells, clusters = view.cells, view.clusters
    cols = st.columns(4 if not public else 3)
    i = 0
    if not public:
        cols[i].download_button(t("dl.gpkg"), lambda: _gpkg_bytes(cells, clusters, False), f"{stem}.gpkg",
                                "application/geopackage+sqlite3", key="dl_gpkg", on_click="ignore",
                                icon=":material/download:")
        i += 1
    cols[i].download_button(t("dl.gpkg_public"), lambda: _gpkg_bytes(cells, clusters, True),
                            f"{stem}_offentlig.gpkg", "application/geopackage+sqlite3", key="dl_gpkg_public",
                            on_click="ignore", icon=":material/download:")
    cols[i + 1].download_button(t("dl.html"), lambda: map_html(make_map()).encode("utf-8"), f"{stem}.html", "text/html",
                                key="dl_html", on_click="ignore", icon=":material/map:")
    cols[i + 2].download_button(t("dl.csv"), lambda: cells_csv(cells, public=public), f"{stem}.csv", "text/csv",
                                key="dl_csv", on_click="ignore", icon=":material/table:")


# --------------------------------------------------------------------------- lägesbild
@dataclass(frozen=True)
class RateInputs:
    """Population and reference for the rates: ``areas`` (a GeoDataFrame with
    ``population``) or a typed ``population``; ``reference`` a number, an area
    name, ``"kommun"``, a reference table, or None. ``key`` identifies the choice."""

    areas: gpd.GeoDataFrame | None
    population: float | None
    reference: Any
    key: tuple


@st.cache_data(show_spinner=False, max_entries=8)
def _read_areas(path: str, mtime_ns: int) -> gpd.GeoDataFrame:
    from ..crs import to_wgs84

    return to_wgs84(gpd.read_file(path), Path(path).name)


@st.cache_data(show_spinner=False, max_entries=4)
def _read_reference(path: str, mtime_ns: int) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False)


def _areas_with_population(areas: gpd.GeoDataFrame, table_path: Path) -> gpd.GeoDataFrame | None:
    """The uploaded areas joined to an uploaded population table (rates.attach_population); the
    join is reported in a line, a failure in one line as an error (then None)."""
    from ..ingest.incidents import read_table
    from ..lagesbild.rates import attach_population

    try:
        joined = attach_population(areas, read_table(table_path))
    except GeoTrygghetError as exc:
        st.error(t("ds.error", why=str(exc)))
        return None
    info = joined.attrs["population_join"]
    st.caption(t("lb.pop_joined", matched=_n(info["matched"]), areas=_n(info["areas"]), a=info["area_key"],
                 b=info["table_key"], pop=info["population_col"]))
    if info["unmatched"]:
        st.caption(t("lb.pop_unmatched", n=_n(len(info["unmatched"])), first=", ".join(info["unmatched"][:5])))
    return joined


def rate_inputs(ds: Dataset) -> RateInputs:
    """Widgets: where the population comes from, and what to compare with."""
    sources = (["sample"] if ds.areas_path else []) + ["upload", "number"]
    label = {"sample": t("lb.pop_sample"), "upload": t("lb.pop_upload"), "number": t("lb.pop_number")}
    source = st.radio(t("lb.population"), sources, format_func=label.get, key="lb_pop_source", horizontal=True)
    areas, population, key = None, None, (source,)
    if source == "sample":
        areas = _read_areas(str(ds.areas_path), ds.areas_path.stat().st_mtime_ns)
    elif source == "upload":
        c1, c2 = st.columns(2)
        up = c1.file_uploader(t("lb.pop_upload"), type=["geojson", "json", "gpkg", "zip"], key="lb_areas_upload")
        table_up = c2.file_uploader(t("lb.pop_table"), type=["csv", "txt", "xlsx", "parquet"],
                                    key="lb_pop_table_upload", help=t("lb.pop_table_help"))
        if up is not None:
            path = _save_upload(up.getvalue(), up.name)
            try:
                areas = _read_areas(str(path), path.stat().st_mtime_ns)
            except Exception as exc:  # noqa: BLE001  (a bad file is the user's: say so in one line)
                st.error(t("ds.error", why=str(exc).splitlines()[0][:200]))
            key = (source, str(path))
        if areas is not None and table_up is not None:
            table_path = _save_upload(table_up.getvalue(), table_up.name)
            areas = _areas_with_population(areas, table_path)
            key = (*key, str(table_path))
    else:
        population = float(st.number_input(t("lb.pop_value"), min_value=1, value=30_000, step=500,
                                           key="lb_pop_value"))
        key = (source, population)
    if areas is not None and "population" not in areas.columns:
        numeric = [c for c in areas.columns if c != "geometry" and pd.api.types.is_numeric_dtype(areas[c])]
        if not numeric:
            st.error(t("ds.error", why="the areas have no numeric population column"))
            areas = None
        else:
            col = st.selectbox(t("lb.population"), numeric, key="lb_pop_col")
            areas = areas.rename(columns={col: "population"})
            key = (*key, col)
    refs: list[tuple[str, Any]] = [(t("lb.ref_none"), None)]
    table = ds.areas_path.parent / "reference_rates.csv" if ds.areas_path else None
    if table is not None and table.is_file():
        refs.append((t("lb.ref_table", name=table.name), ("table", str(table))))
    refs.append((t("lb.ref_value"), ("value",)))
    if areas is not None:
        refs.append((t("lb.ref_kommun"), "kommun"))
        name_col = next((c for c in ("name", "namn", "omrade", "område") if c in areas.columns), None)
        if name_col:
            refs += [(t("lb.ref_area", name=str(n)), str(n)) for n in areas[name_col].astype(str)]
    labels = [r[0] for r in refs]
    picked = st.selectbox(t("lb.reference"), labels, key="lb_reference")
    ref = refs[labels.index(picked)][1] if picked in labels else None
    if ref == ("value",):
        ref = float(st.number_input(t("lb.ref_value"), min_value=0.0, value=1000.0, step=50.0, key="lb_ref_value"))
    key = (*key, ref if not isinstance(ref, tuple) else ref[1])
    if isinstance(ref, tuple) and ref[0] == "table":
        ref = _read_reference(ref[1], Path(ref[1]).stat().st_mtime_ns)
    return RateInputs(areas=areas, population=population, reference=ref, key=key)


@st.cache_data(show_spinner=False, max_entries=8)
def lagesbild_parts(key: str, selection: Filters, lang_: str, rate_key: tuple, _view: View,
                    _rates: RateInputs) -> dict:
    """Everything the lägesbild page shows, computed once per dataset, filter and rate choice."""
    from ..lagesbild import patterns as P
    from ..lagesbild import rates as R
    from ..lagesbild import stodfragor as Q

    inc = _view.incidents()
    out: dict[str, Any] = {"n": len(inc)}
    if not len(inc):
        return out
    out["categories"] = P.category_counts(inc, lang=lang_)
    problems: dict[str, str] = {}
    try:
        out["trend"] = P.monthly_trend(inc, lang=lang_).table
        out["season"] = P.seasonal_profile(inc, lang=lang_).by_month
        out["weekday_hour"] = P.weekday_hour(inc, lang=lang_)
    except GeoTrygghetError as exc:
        problems["time"] = str(exc)
    ref = _rates.reference
    try:
        if _rates.areas is not None:
            out["rates"] = R.rates_per_100k(inc, _rates.areas, reference=None if isinstance(ref, pd.DataFrame)
                                            else ref, lang=lang_).table
        elif _rates.population and isinstance(ref, pd.DataFrame):
            out["rates"] = R.category_rates(inc, population=_rates.population, reference=ref, lang=lang_)
        elif _rates.population:  # one area: the study area with the typed population
            out["rates"] = R.rates_per_100k(inc, _single_area(_view, _rates.population), reference=ref,
                                            lang=lang_).table.iloc[:1]
    except GeoTrygghetError as exc:
        problems["rates"] = str(exc)
    try:
        answers = Q.lagesbild_answers(inc, areas=_rates.areas, population=_rates.population, reference=ref,
                                      lang=lang_, hotspot_result=_view.result(), resolution=_view.prepared.resolution)
        out["answers"] = Q.answers_frame(answers)
    except GeoTrygghetError as exc:
        problems["answers"] = str(exc)
    out["problems"] = problems
    return out


_RATE_COLUMNS = {
    "name": ("Område", "Area"), "label": ("Kategori", "Category"), "population": ("Invånare", "Inhabitants"),
    "count": ("Antal", "Count"), "years": ("År", "Years"), "rate": ("Per 100 000 och år", "Per 100,000 a year"),
    "rate_low": ("95 % KI, låg", "95 % CI, low"), "rate_high": ("95 % KI, hög", "95 % CI, high"),
    "reference": ("Referens", "Reference"), "ratio": ("Kvot mot referens", "Ratio to reference"),
    "ratio_low": ("Kvot, låg", "Ratio, low"), "ratio_high": ("Kvot, hög", "Ratio, high"),
    "verdict": ("Bedömning", "Verdict"),
}


def rates_table(rates: pd.DataFrame) -> pd.DataFrame:
    """The rates table for people: labelled columns, rounded, empty columns left out."""
    out = pd.DataFrame(rates).drop(columns=["is_total", "category"], errors="ignore")
    out = out[[c for c in out.columns if c in _RATE_COLUMNS and out[c].notna().any()]]
    for col in out.columns:
        if col.startswith("rate") or col == "reference":
            out[col] = pd.to_numeric(out[col], errors="coerce").round(0)
        elif col.startswith("ratio") or col == "years":
            out[col] = pd.to_numeric(out[col], errors="coerce").round(2)
    pick = 1 if lang() == "en" else 0
    return out.rename(columns={c: _RATE_COLUMNS[c][pick] for c in out.columns})


def _single_area(view: View, population: float) -> gpd.GeoDataFrame:
    """The study area (the boundary, else the incidents' hull) as one area with ``population``."""
    if view.ds.boundary is not None:
        geom = view.ds.boundary_geometry
    else:
        geom = shapely.MultiPoint(np.column_stack([view.ds.arrays.lon, view.ds.arrays.lat])).convex_hull.buffer(0.001)
    return gpd.GeoDataFrame({"name": [view.ds.name], "population": [population]}, geometry=[geom], crs="EPSG:4326")


def lagesbild_report_bytes(view: View, rates: RateInputs, *, lang_: str, fmt: str, title: str,
                           subtitle: str | None = None) -> bytes:
    """The lägesbild report (reports.lagesbild) as HTML or PDF bytes; no Streamlit calls
    (it runs in the download button's thread)."""
    from ..reports.lagesbild import lagesbild_report, write_report

    body = lagesbild_report(view.incidents(), title=title, areas=rates.areas, population=rates.population,
                            reference=rates.reference, hotspot_result=view.result(), lang=lang_,
                            resolution=view.prepared.resolution, subtitle=subtitle)
    if fmt == "html":
        return body.encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        return write_report(body, Path(tmp) / "lagesbild.pdf").read_bytes()


# --------------------------------------------------------------------------- planning a walk
K_CREATED = "pw_created"


def cluster_choice_label(clusters: gpd.GeoDataFrame) -> dict[int, str]:
    """Cluster id → "Område 1 · 523 händelser · 4.2 ha" for the multiselect."""
    return {int(r.cluster_id): t("pw.cluster_label", id=int(r.cluster_id), count=_n(r.count),
                                 ha=fmt_dec(r.area_m2 / 10_000))
            for r in clusters.itertuples()}


def walk_plan_map(view: View, plan: E.WalkPlan, *, remarks: gpd.GeoDataFrame | None = None) -> folium.Map:
    """The proposed area and route over the Gi* cells and the chosen hot-spot areas."""
    from ..maps import add_cells_layer, add_clusters_layer, finish_map, new_map

    lg = lang()
    m = new_map(tuple(plan.area.buffer(0.002).bounds))
    cells = E.drawn_cells(view.cells)
    minx, miny, maxx, maxy = plan.area.buffer(0.01).bounds
    cells = cells.cx[minx:maxx, miny:maxy]
    if len(cells):
        add_cells_layer(m, cells, by=S.GI_BIN, lang=lg)
    chosen = view.clusters[view.clusters[S.CLUSTER_ID].isin(plan.cluster_order)]
    add_clusters_layer(m, chosen, lang=lg)
    folium.GeoJson(shapely_mapping(plan.area), name=t("pw.area"),
                   style_function=lambda _: {"color": "#6a3d9a", "weight": 2, "fillOpacity": 0.08}).add_to(m)
    folium.PolyLine([(y, x) for x, y in plan.route.coords], color="#6a3d9a", weight=4, dash_array="8 6",
                    tooltip=f"{fmt_dec(plan.length_m / 1000)} km", name=t("pw.route_layer")).add_to(m)
    if len(plan.cluster_order) > 1:
        for i, cid in enumerate(plan.cluster_order, start=1):
            p = chosen[chosen[S.CLUSTER_ID] == cid].geometry.iloc[0].representative_point()
            folium.Marker([p.y, p.x], tooltip=f"{i}: {t('pw.cluster_label', id=cid, count='', ha='')}".split(" · ")[0],
                          icon=folium.DivIcon(html=f'<div style="background:#6a3d9a;color:#fff;border-radius:4px;'
                                                   f'padding:1px 5px;font:bold 12px sans-serif;width:max-content">'
                                                   f'{i}</div>')).add_to(m)
    add_remarks(m, remarks)
    return finish_map(m)


def shapely_mapping(geom: Any) -> dict:
    from shapely.geometry import mapping

    return {"type": "Feature", "properties": {}, "geometry": mapping(geom)}


def create_walk(plan: E.WalkPlan, *, title: str, walk_date: dt.date | None, group: str | None,
                organiser: str | None) -> tuple[Any, str | None]:
    """Create the walk in the remark service with the plan's area; ``(walk, None)`` or ``(None, error)``."""
    service, problem = remark_service_or_error()
    if service is None:
        return None, t("service.missing", why=problem)
    try:
        walk = service.create_walk(state.actor(), title.strip(), area=plan.area_geojson(), walk_date=walk_date,
                                   group=group, organiser=(organiser or "").strip() or None)
    except GeoTrygghetError as exc:
        return None, t("pw.error", why=str(exc))
    return walk, None


