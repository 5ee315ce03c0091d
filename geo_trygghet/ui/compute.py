"""Cached computations of the analyst's pages: the grid, Gi* and hot-spot areas for a filter
choice (a :class:`View`), the walk remarks for the map, and the lägesbild.

Caching (see STYLE.md "Deliberate caching"): the prepared grid, the clusters and the
:class:`~geo_trygghet.lagesbild.Lagesbild` are ``st.cache_resource`` entries keyed by the
dataset's key and the filters (hashable primitives), shared read-only. A filter change only
computes a boolean mask over cached arrays and Gi* on the same grid
(:mod:`geo_trygghet.hotspots.explorer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from .. import schema as S
from ..errors import GeoTrygghetError
from ..hotspots import explorer as E
from ..hotspots.gistar import HotSpotResult
from ..hotspots.scale import ScaleChoice
from ..lagesbild import Lagesbild, build_lagesbild
from ..maps.explorer import focus_bounds
from . import state
from .data import database_url, remark_service_or_error
from .dataset import Dataset
from .filters import AUTO, Filters
from .formats import fmt_count
from .i18n import lang, t

__all__ = ["ChangeInputs", "RateInputs", "View", "auto_scale", "compute_view", "lagesbild_of", "map_remarks",
           "place_names", "safe_table", "summary"]


@st.cache_resource(show_spinner=False, max_entries=8)
def _prepared(key: str, resolution: int, area: str, _ds: Dataset) -> E.PreparedGrid:
    return E.prepare_grid(_ds.arrays.lon, _ds.arrays.lat, resolution=resolution, boundary=_ds.study_geometry(area))


def prepared_grid(ds: Dataset, resolution: int, area: str = "") -> E.PreparedGrid:
    return _prepared(ds.key, int(resolution), area, ds)


@st.cache_resource(show_spinner=False, max_entries=16)
def _clusters(key: str, selection: Filters, _ds: Dataset, _mask: np.ndarray) -> gpd.GeoDataFrame:
    from ..hotspots.clusters import find_clusters

    return find_clusters(_ds.arrays.lon[_mask], _ds.arrays.lat[_mask])


@st.cache_resource(show_spinner=False, max_entries=16)
def _auto_scale(key: str, selection: Filters, _ds: Dataset, _mask: np.ndarray) -> ScaleChoice:
    from ..hotspots.scale import choose_resolution

    return choose_resolution(_ds.arrays.lon[_mask], _ds.arrays.lat[_mask])


def auto_scale(ds: Dataset, filters: Filters, mask: np.ndarray) -> ScaleChoice:
    """The cell size *Automatisk* chooses for the selection (its incidents in the study area), with
    the reason (:func:`geo_trygghet.hotspots.scale.choose_resolution`, one period: the whole span)."""
    area = ds.study_geometry(filters.study_area)
    if area is not None and mask.any():
        key = ("in_area", filters.study_area)
        if key not in ds.extra:
            import shapely

            shapely.prepare(area)
            ds.extra[key] = shapely.contains_xy(area, ds.arrays.lon, ds.arrays.lat)
        if (mask & ds.extra[key]).any():
            mask = mask & ds.extra[key]
    if not mask.any():  # nothing selected: the default size, said so by the empty view
        return ScaleChoice(9, {9: 0.0}, False)
    return _auto_scale(ds.key, filters.selection(), ds, mask)


@dataclass(frozen=True)
class View:
    """What the pages show for one dataset and filter choice (``scale``: why *Automatisk* chose
    the resolution, None when the analyst chose it)."""

    ds: Dataset
    filters: Filters
    mask: np.ndarray
    prepared: E.PreparedGrid
    cells: gpd.GeoDataFrame
    clusters: gpd.GeoDataFrame
    scale: ScaleChoice | None = None

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
    scale = auto_scale(ds, filters, mask) if filters.resolution == AUTO else None
    prepared = prepared_grid(ds, scale.resolution if scale else int(filters.resolution), filters.study_area)
    cells = E.gi_cells(prepared, mask)
    in_area = mask & (prepared.grid.incident_cell >= 0) if filters.study_area else mask
    clusters = _clusters(ds.key, filters.selection(), ds, in_area)
    return View(ds=ds, filters=filters, mask=mask, prepared=prepared, cells=cells, clusters=clusters, scale=scale)


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


def summary(view: View, clusters: gpd.GeoDataFrame) -> str:
    """"1 234 händelser i urvalet · 12 heta celler · 3 hot spot-områden" for the map's legend."""
    hot = int((view.cells[S.GI_BIN] > 0).sum())
    return t("r.summary", n=fmt_count(view.n), hot=fmt_count(hot), areas=fmt_count(len(clusters)))


def base_bounds(view: View) -> tuple | None:
    """Where the explorer's map opens for this dataset and resolution (the same for every
    filter, so a filter change updates the layers without reloading the map)."""
    key = ("bounds", view.prepared.resolution)
    if key not in view.ds.extra:
        view.ds.extra[key] = focus_bounds(E.gi_cells(view.prepared), view.ds.boundary)
    return view.ds.extra[key]


# --------------------------------------------------------------------------- places of cells
STREETS_FILE = "streets.geojson"


@st.cache_resource(show_spinner=False, max_entries=4)
def _place_layers(areas: str | None, streets: str | None, _mtimes: tuple) -> tuple[Any, Any]:
    """The districts and streets that name cells (read once per file version)."""
    from ..crs import to_wgs84

    def read(path: str | None) -> Any:
        return to_wgs84(gpd.read_file(path), path) if path else None

    return read(areas), read(streets)


def _layer_paths(ds: Dataset) -> tuple[str | None, str | None]:
    """The dataset's districts (``omraden.geojson``) and the streets beside them, if any."""
    if ds.areas_path is None:
        return None, None
    streets = ds.areas_path.parent / STREETS_FILE
    return str(ds.areas_path), (str(streets) if streets.is_file() else None)


def place_names(view: View, positions: Any) -> list[str]:
    """"Storgatan, Centrum" for the cells at ``positions`` of ``view.cells`` ("" where the
    dataset has no districts or streets there); worked out once per cell and dataset."""
    from pathlib import Path

    from ..hotspots.places import cell_places, place_label

    positions = [int(p) for p in positions]
    names: dict = view.ds.extra.setdefault("place_names", {})
    h3 = view.cells[S.H3].to_numpy()
    missing = [p for p in positions if h3[p] not in names]
    if missing:
        paths = _layer_paths(view.ds)
        areas, streets = (None, None)
        if any(paths):
            mtimes = tuple(Path(p).stat().st_mtime_ns if p else 0 for p in paths)
            areas, streets = _place_layers(*paths, mtimes)
        fmt = t("place.fmt")
        found = cell_places(view.cells.iloc[missing], areas=areas, streets=streets)
        for cell, area, street in found[[S.H3, "area", "street"]].itertuples(index=False):
            names[cell] = place_label(area, street, fmt)
    return [names[h3[p]] for p in positions]


# --------------------------------------------------------------------------- remarks on the map
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
    except (SQLAlchemyError, GeoTrygghetError):  # the map must not fail because the remark database does
        return None


def map_remarks(public: bool) -> gpd.GeoDataFrame | None:
    """The walk remarks for the map: the public's fixed ones, or what this actor may see
    (read again at most every 15 s)."""
    actor = None if public else state.actor()
    who = (getattr(actor, "role", None), getattr(actor, "user_id", None), getattr(actor, "organisation_id", None),
           getattr(actor, "walk_code", None))
    return _remarks_for(database_url(), who, public, lang(), actor)


# --------------------------------------------------------------------------- the lägesbild
@dataclass(frozen=True)
class RateInputs:
    """Population and reference for the rates: ``areas`` (a GeoDataFrame with
    ``population``) or a typed ``population``; ``reference`` a number, an area
    name, ``"kommun"``, a reference table, or None. ``key`` identifies the choice."""

    areas: gpd.GeoDataFrame | None
    population: float | None
    reference: Any
    key: tuple


@dataclass(frozen=True)
class ChangeInputs:
    """Where it changes, for the lägesbild's trend answer: the view's emerging hot spots
    (:class:`~geo_trygghet.hotspots.emerging.EmergingResult`), the named areas to count them in
    (None: the rate areas), and ``key``, what identifies both."""

    emerging: Any
    areas: gpd.GeoDataFrame | None
    key: tuple


@st.cache_resource(show_spinner=False, max_entries=8)
def _lagesbild(key: str, filters: Filters, lang_: str, rate_key: tuple, change_key: tuple, _view: View,
               _rates: RateInputs, _emerging: Any, _areas: Any) -> Lagesbild:
    located = _view.incidents()
    everything = located if _view.ds.all_arrays is _view.ds.arrays else \
        _view.ds.all_incidents.loc[filters.mask(_view.ds.all_arrays)]  # area centroids counted per area too
    return build_lagesbild(everything, areas=_rates.areas, population=_rates.population,
                           reference=_rates.reference, hotspot_result=_view.result(),
                           resolution=_view.prepared.resolution, lang=lang_, errors="collect",
                           emerging=_emerging, place_areas=_areas, located=located)


def lagesbild_of(view: View, rates: RateInputs, change: ChangeInputs | None = None) -> Lagesbild:
    """The lägesbild of the view's incidents, built once per dataset, filters, language and
    rate choice; the page and its report downloads show this one object. With ``change`` the
    trend answer names where hot spots are new, intensifying, persistent or diminishing."""
    if change is None:
        change = ChangeInputs(None, None, ())
    return _lagesbild(view.ds.key, view.filters, lang(), rates.key, change.key, view, rates, change.emerging,
                      change.areas)
