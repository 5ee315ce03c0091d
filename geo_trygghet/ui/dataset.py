"""The analyst's dataset: the incident file the app keeps or one the analyst uploads, read
once and shared, with a column-mapping form when the columns are not recognised.

Caching (see STYLE.md "Deliberate caching"): the parsed dataset is an ``st.cache_resource``
entry keyed by file path + modification time + read options (a million-row GeoDataFrame is
too slow to hash or copy); it is shared read-only, nothing mutates it.

Environment: ``GEO_TRYGGHET_DATASET`` names the incident file the app keeps (default
``sample_data/incidents.csv``), ``GEO_TRYGGHET_BOUNDARY`` its boundary polygon (default
``kommun.geojson`` beside it).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import streamlit as st

from ..errors import CRSError, DateError, GeoTrygghetError, SchemaError
from ..hotspots import explorer as E
from . import address_upload as A
from .data import SAMPLE_DIR, file_key
from .formats import fmt_count
from .i18n import t
from .kept import keep, kept_widget, remember, wkey

__all__ = ["Dataset", "dataset_picker", "kept_dataset_path", "load_dataset", "save_upload"]

DATASET_ENV = "GEO_TRYGGHET_DATASET"
BOUNDARY_ENV = "GEO_TRYGGHET_BOUNDARY"
UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "gpkg", "geojson", "json", "parquet", "zip", "shp"]
CRS_CHOICES = ["EPSG:3006", "EPSG:3021", *[f"EPSG:{c}" for c in range(3007, 3019)], "EPSG:4326", "EPSG:27700"]
#: Smaller hot-spot study areas that may lie next to the kept dataset (name, file). Gi* compares
#: each cell with the whole study area: against a kommun's empty countryside the whole town is
#: "hot", so the explorer offers the town itself.
HOTSPOT_AREAS = (("tatort", "tatort.geojson"),)

# session_state keys
K_SOURCE = "an_source"          # "kept" or "upload"
K_UPLOAD = "an_upload"          # path of the saved upload
K_OPTIONS = "an_read_options"   # column options from the mapping step, per file
K_KEEP_CENTROIDS = "an_keep_centroids"  # hot spots keep incidents at area centroids


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
    #: What the pages work out once per dataset (the crime types' categories, the map's bounds).
    extra: dict = field(default_factory=dict, compare=False, repr=False)
    #: Every incident read, area centroids too, when ``incidents`` leaves some out (the lägesbild's counts).
    everything: gpd.GeoDataFrame | None = field(default=None, compare=False, repr=False)
    everything_arrays: E.IncidentArrays | None = field(default=None, compare=False, repr=False)
    #: How the incidents were placed by their addresses (a GeocodeResult), when they were.
    geocode: Any = field(default=None, compare=False, repr=False)

    @property
    def all_incidents(self) -> gpd.GeoDataFrame:
        """Every incident read; ``incidents`` (hot spots, clusters, emerging) leaves area centroids out."""
        return self.incidents if self.everything is None else self.everything

    @property
    def all_arrays(self) -> E.IncidentArrays:
        return self.arrays if self.everything_arrays is None else self.everything_arrays

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


def _kept_boundary_path(dataset: Path) -> Path | None:
    env = os.environ.get(BOUNDARY_ENV, "").strip()
    if env:
        return Path(env) if Path(env).is_file() else None
    candidate = dataset.parent / "kommun.geojson"
    return candidate if candidate.is_file() else None


@st.cache_resource(show_spinner=False, max_entries=4)
def _read(path: str, mtime_ns: int, size: int, options: tuple) -> Any:
    from ..ingest.incidents import read_incidents

    opts = dict(options)
    if opts.get("register"):  # a register file, read once per file (address_upload.register_of)
        from .address_upload import register_of

        opts["register"] = register_of(opts["register"])
    return read_incidents(path, **opts)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_dataset(path: str, mtime_ns: int, size: int, options: tuple, boundary: str | None,
                  keep_centroids: bool = False) -> Dataset:
    from ..ingest.incidents import read_boundary

    incidents = _read(path, mtime_ns, size, options)
    everything = incidents.gdf
    gdf = incidents.mappable(keep_centroids)  # hot spots leave area centroids out (the report says how many)
    gdf = everything if len(gdf) == len(everything) else gdf
    folder = Path(path).parent
    areas = folder / "omraden.geojson"
    study = {name: read_boundary(folder / file) for name, file in HOTSPOT_AREAS
             if boundary and (folder / file).is_file()}
    key = hashlib.sha1(repr((path, mtime_ns, size, options, boundary, keep_centroids)).encode()).hexdigest()[:16]
    left = gdf is not everything
    return Dataset(key=key, name=incidents.report.source, incidents=gdf, arrays=E.incident_arrays(gdf),
                   report=incidents.report, boundary=read_boundary(boundary) if boundary else None,
                   areas_path=areas if areas.is_file() else None, study_areas=study,
                   everything=everything if left else None,
                   everything_arrays=E.incident_arrays(everything) if left else None, geocode=incidents.geocode)


def load_dataset(path: Path, options: dict | None = None, boundary: Path | None = None, *,
                 keep_centroids: bool = False) -> Dataset:
    """The cached :class:`Dataset` of ``path`` (read again when the file changes); its incidents
    without area centroids unless ``keep_centroids``."""
    resolved, mtime_ns, size = file_key(path)
    opts = tuple(sorted((k, v) for k, v in (options or {}).items() if v not in (None, "")))
    return _load_dataset(resolved, mtime_ns, size, opts, str(boundary) if boundary else None, keep_centroids)


def save_upload(data: bytes, name: str) -> Path:
    """An uploaded file saved under the temporary folder, named by its content (kept across reruns)."""
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


def plain_error(exc: GeoTrygghetError) -> str:
    """The core's one-line message with a lead-in saying what went wrong, in the session's language."""
    for cls, key in ((SchemaError, "ds.error.schema"), (CRSError, "ds.error.crs"), (DateError, "ds.error.date")):
        if isinstance(exc, cls):
            return f"{t(key)}. {exc}"
    return t("ds.error", why=str(exc))


def _mapping_form(path: Path) -> dict | None:
    """The column-mapping step; returns the chosen read options once submitted."""
    columns = _columns_of(str(path), path.stat().st_mtime_ns)
    auto = t("map.auto")
    st.subheader(t("map.heading"))
    st.caption(t("map.intro"))
    with st.form("an_mapping"):
        kind = st.radio(t("map.kind"), ["latlon", "xy", "address"], format_func=lambda k: t(f"map.{k}"),
                        horizontal=True, key="an_map_kind")
        c1, c2, c3 = st.columns(3)
        first = c1.selectbox(t("map.lat") + " / " + t("map.y"), [auto, *columns], key="an_map_a")
        second = c2.selectbox(t("map.lon") + " / " + t("map.x"), [auto, *columns], key="an_map_b")
        crs = c3.selectbox(t("map.crs"), CRS_CHOICES, key="an_map_crs")
        c4, c5 = st.columns(2)
        when = c4.selectbox(t("map.time"), [auto, *columns], key="an_map_time")
        kind_col = c5.selectbox(t("map.crime_type"), [auto, *columns], key="an_map_type")
        addresses = A.address_fields(columns, auto)
        if not st.form_submit_button(t("map.retry"), type="primary"):
            return None

    def pick(value: str) -> str | None:
        return None if value == auto else value

    options: dict[str, Any] = {"time": pick(when), "crime_type": pick(kind_col)}
    if kind == "address":
        placed = A.address_options(addresses)
        if placed is None:
            return None
        options.update(placed)
    elif kind == "latlon":
        options.update(lat=pick(first), lon=pick(second))
    else:
        options.update(y=pick(first), x=pick(second), crs=crs)
    return {k: v for k, v in options.items() if v}


def _source(kept: Path | None, choices: list[str]) -> str:
    """The data-source radio (kept dataset or upload), when there is a choice."""
    if len(choices) == 1:
        return choices[0]
    kept_widget(K_SOURCE, choices[0])
    source = st.radio(t("ds.source"), choices, key=wkey(K_SOURCE), label_visibility="collapsed",
                      on_change=keep, args=(K_SOURCE,),
                      format_func=lambda c: t("ds.kept", name=kept.name if kept else "") if c == "kept"
                      else t("ds.upload"))
    remember(K_SOURCE)
    return str(source)


def _uploaded_path() -> Path | None:
    up = st.file_uploader(t("ds.upload_label"), type=UPLOAD_TYPES, help=t("ds.upload_help"), key="an_uploader")
    if up is not None:
        st.session_state[K_UPLOAD] = str(save_upload(up.getvalue(), up.name))
    saved = st.session_state.get(K_UPLOAD)
    return Path(saved) if saved and Path(saved).is_file() else None


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
        source = _source(kept, choices)
        path = kept if source == "kept" else _uploaded_path()
    if path is None:
        st.info(t("ds.upload_label"))
        return None
    all_options = st.session_state.setdefault(K_OPTIONS, {})
    options = all_options.get(str(path), {})
    keep_centroids = bool(st.session_state.get(K_KEEP_CENTROIDS, False))
    try:
        with st.spinner(t("ds.reading")):
            ds = load_dataset(path, options, _kept_boundary_path(path) if source == "kept" else None,
                              keep_centroids=keep_centroids)
    except GeoTrygghetError as exc:
        st.error(A.address_hint(path, exc) or plain_error(exc))
        if isinstance(exc, (SchemaError, CRSError, DateError)) or options:
            chosen = _mapping_form(path)
            if chosen is not None:
                all_options[str(path)] = chosen
                st.rerun()
        return None
    rep = ds.report
    with st.sidebar:
        st.caption(t("ds.loaded", used=fmt_count(rep.rows_used), source=rep.source,
                     left=fmt_count(rep.rows_read - rep.rows_used)))
        A.location_panel(ds)
        if rep.location.left_out:
            st.toggle(t("addr.keep_centroids"), key=K_KEEP_CENTROIDS, help=t("addr.keep_centroids_help"))
    if len(ds.incidents) == 0:  # every incident at an area centroid: nothing to map unless kept
        st.warning(t("addr.all_left_out"))
        return None
    return ds
