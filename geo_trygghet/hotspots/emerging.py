"""Emerging hot spots: ArcGIS Pro's 17 space-time patterns, by written rules.

Each cell of the space-time cube (:mod:`.cube`) has a series of Gi* z-scores,
one per period, and each bin is a significant hot spot (q ≤ α and z > 0), a
significant cold spot (q ≤ α and z < 0) or neither, with q the
Benjamini–Hochberg value over all bins. The Mann-Kendall test on the z series
(:mod:`.trend`) gives the trend of the clustering's intensity. With T periods
(at least 10), H hot and C cold periods and ``need = ceil(0.9·T)``, the rules
are checked in this order, on the final period first (the trend is tested on the
periods whose time window is complete, from period K + 1 on for a time window of
K: the first K periods have fewer neighbours in time, hence a smaller |z| for the
same clustering, which would otherwise read as a rising trend; and only on every
(K + 1)-th of them, counted back from the final period: the z-scores of periods
closer than that share incidents, and Mann-Kendall on such overlapping values
finds a false trend in 15–18 % of constant series instead of α = 5 %, so a
persistent hot spot would read as intensifying or diminishing; see
:data:`MIN_TREND_VALUES`):

Final period hot:
  1. H ≥ need: trend up (p ≤ α, z > 0) → intensifying; trend down → diminishing;
     else persistent.
  2. C > 0 (a cold spot at some earlier period) → oscillating.
  3. H = 1 (only the final period) → new.
  4. the hot periods are one uninterrupted run of at least 2 that ends with the
     final period → consecutive.
  5. otherwise (hot on and off, never cold) → sporadic.
Final period cold: the same rules with hot and cold swapped, and the trend
mirrored (a significant *decrease* of z intensifies a cold spot).
Final period neither:
  6. H ≥ need → historical hot spot; C ≥ need → historical cold spot.
  7. otherwise → no pattern.

These follow ArcGIS Pro's definitions; where two of those fit at once (a cell
cold earlier and hot only now is both "new" and "oscillating" by the wording),
the order above decides, as sfdep's classifier does: a cell that has been a
significant cold spot is oscillating, never new, consecutive or sporadic.

Examples
--------
>>> import numpy as np
>>> z = np.zeros((1, 12)); z[0, -1] = 4.0   # hot only in the final period
>>> classify(z).patterns.tolist()
['new_hot_spot']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from scipy.special import ndtr
from shapely.geometry.base import BaseGeometry

from .. import schema as S
from ..crs import WGS84
from ..errors import InsufficientDataError
from ..i18n import text
from .cube import CubeGi, SpaceTimeCube, build_cube, cube_frame, cube_hotspots, period_range, require_periods
from .grid import build_grid, cell_polygons
from .scale import ScaleChoice, choose_resolution
from .trend import MannKendall, mann_kendall

_KINDS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating", "historical")
#: The 17 pattern names, in legend order: hot, cold, none.
PATTERNS: tuple[str, ...] = (*(f"{k}_hot_spot" for k in _KINDS), *(f"{k}_cold_spot" for k in _KINDS), "no_pattern")
NO_PATTERN = "no_pattern"
#: The fewest values the trend is tested on when periods are thinned to every (K + 1)-th
#: (:func:`trend_periods`): with fewer (a short cube, a long time window) all periods are used.
MIN_TREND_VALUES = 5

#: ArcGIS-like colours: reds for hot, blues for cold, darker = more lasting or stronger.
PATTERN_COLOURS: dict[str, str] = {
    "new_hot_spot": "#ff2b1c", "consecutive_hot_spot": "#f4511e", "intensifying_hot_spot": "#67000d",
    "persistent_hot_spot": "#b3001b", "diminishing_hot_spot": "#ef6a6a", "sporadic_hot_spot": "#fdae6b",
    "oscillating_hot_spot": "#d9779f", "historical_hot_spot": "#f8c4b4",
    "new_cold_spot": "#1f5cff", "consecutive_cold_spot": "#3b8bd9", "intensifying_cold_spot": "#08306b",
    "persistent_cold_spot": "#1c5aa6", "diminishing_cold_spot": "#6fa8dc", "sporadic_cold_spot": "#7fcdbb",
    "oscillating_cold_spot": "#9e8fd6", "historical_cold_spot": "#c6dbef",
    "no_pattern": "#e8e4d8",
}

#: Columns of the ``emerging`` layer (before the geometry).
EMERGING_COLUMNS = (S.H3, "pattern", "pattern_sv", "trend_z", "trend_p", "hot_periods", "cold_periods", S.COUNT)
LAYER_EMERGING = "emerging"
LAYER_CUBE = "cube"


def pattern_label(name: str, lang: str = "sv") -> str:
    """The interface label of a pattern (``Ny het punkt`` / ``New hot spot``)."""
    return text(f"pattern.{name}", lang)


@dataclass(frozen=True)
class Patterns:
    """The classification of each cell: ``patterns`` (names), the trend, hot and cold period counts."""

    patterns: np.ndarray
    trend: MannKendall
    hot_periods: np.ndarray
    cold_periods: np.ndarray


def _side(sig: np.ndarray, other: np.ndarray, up: np.ndarray, down: np.ndarray, need: int) -> list[tuple]:
    """(condition, kind) pairs for cells whose final period is ``sig``, in rule order."""
    n_sig = sig.sum(axis=1)
    n_other = other.sum(axis=1)
    final = sig[:, -1]
    run = _final_run(sig)
    mostly = final & (n_sig >= need)
    return [
        (mostly & up, "intensifying"),
        (mostly & down, "diminishing"),
        (mostly, "persistent"),
        (final & (n_other > 0), "oscillating"),
        (final & (n_sig == 1), "new"),
        (final & (run == n_sig) & (run >= 2), "consecutive"),
        (final, "sporadic"),
    ]


def _final_run(sig: np.ndarray) -> np.ndarray:
    """Length of the run of True that ends with the final period, per row."""
    t = sig.shape[1]
    not_sig = ~sig
    last_off = np.where(not_sig.any(axis=1), t - 1 - np.argmax(not_sig[:, ::-1], axis=1), -1)
    return t - 1 - last_off


def trend_periods(t: int, trend_from: int = 0, trend_step: int = 1) -> np.ndarray:
    """The periods (0 … t−1) the trend is tested on: from ``trend_from`` on, every
    ``trend_step``-th counted back from the final period; all of them from ``trend_from`` on
    when that would leave fewer than :data:`MIN_TREND_VALUES`.

    >>> trend_periods(12, trend_from=1, trend_step=2).tolist()
    [1, 3, 5, 7, 9, 11]
    """
    start = min(int(trend_from), t - 3)
    every = np.arange(t - 1, start - 1, -max(1, int(trend_step)))[::-1]
    return every if len(every) >= MIN_TREND_VALUES else np.arange(start, t)


def classify(z: np.ndarray, q: np.ndarray | None = None, *, alpha: float = 0.05, trend_from: int = 0,
             trend_step: int = 1) -> Patterns:
    """Patterns of cells from their Gi* z series (cells × periods) and FDR q-values.

    ``q`` defaults to the two-sided p of ``z`` (no correction), for hand-made series.
    The trend is tested on the periods from ``trend_from`` on, every ``trend_step``-th
    (:func:`trend_periods`; the cube passes its time window K and K + 1: the first periods
    have fewer neighbours in time, so a smaller |z| for the same clustering, which would read
    as a trend, and z-scores closer than K + 1 periods share incidents).
    """
    z = np.atleast_2d(np.asarray(z, dtype=float))
    t = z.shape[1]
    if t < 10:
        msg = f"emerging hot-spot patterns need at least 10 periods, got {t}"
        raise InsufficientDataError(msg)
    q = 2.0 * ndtr(-np.abs(z)) if q is None else np.atleast_2d(np.asarray(q, dtype=float))
    significant = np.nan_to_num(q, nan=1.0) <= alpha
    hot = significant & (z > 0)
    cold = significant & (z < 0)
    trend = mann_kendall(z[:, trend_periods(t, trend_from, trend_step)])
    rising = (trend.p <= alpha) & (trend.z > 0)
    falling = (trend.p <= alpha) & (trend.z < 0)
    need = math.ceil(0.9 * t)
    conditions, names = [], []
    for sig, other, side, up, down in ((hot, cold, "hot", rising, falling), (cold, hot, "cold", falling, rising)):
        for cond, kind in _side(sig, other, up, down, need):
            conditions.append(cond)
            names.append(f"{kind}_{side}_spot")
    conditions += [hot.sum(axis=1) >= need, cold.sum(axis=1) >= need]
    names += ["historical_hot_spot", "historical_cold_spot"]
    patterns = np.select(conditions, np.array(names, dtype=object), default=NO_PATTERN)
    return Patterns(patterns=patterns.astype(object), trend=trend, hot_periods=hot.sum(axis=1),
                    cold_periods=cold.sum(axis=1))


@dataclass
class EmergingResult:
    """Emerging hot spots of one run.

    Attributes
    ----------
    cells
        The ``emerging`` layer (EPSG:4326): ``h3``, ``pattern``, ``pattern_sv``,
        ``trend_z``, ``trend_p``, ``hot_periods``, ``cold_periods``, ``count``, hexagon.
    cube
        The space-time cube of counts.
    gi
        Gi* of every bin (z, p, q, bins), arrays of shape (cells, periods).
    alpha
        Significance level of the bins (FDR q) and of the trend.
    scale
        How ``resolution="auto"`` chose the resolution (None when it was given).
    """

    cells: gpd.GeoDataFrame
    cube: SpaceTimeCube
    gi: CubeGi
    alpha: float = 0.05
    scale: ScaleChoice | None = None

    @property
    def resolution(self) -> int:
        return self.cube.grid.resolution

    def pattern_counts(self, *, include_none: bool = False) -> dict[str, int]:
        """Cells per pattern, in legend order (patterns with no cell left out)."""
        vc = self.cells["pattern"].value_counts()
        return {p: int(vc[p]) for p in PATTERNS if p in vc and (include_none or p != NO_PATTERN)}

    def where(self, *patterns: str) -> gpd.GeoDataFrame:
        """The cells of the given patterns (all patterns but ``no_pattern`` when none are named),
        most incidents first, with the centre of each cell as ``lat``/``lon``."""
        wanted = list(patterns) or [p for p in PATTERNS if p != NO_PATTERN]
        out = self.cells[self.cells["pattern"].isin(wanted)].sort_values(S.COUNT, ascending=False, kind="stable")
        centre = np.array([h3.cell_to_latlng(c) for c in out[S.H3]], dtype=float).reshape(-1, 2)
        return out.assign(**{S.LAT: centre[:, 0], S.LON: centre[:, 1]})

    def by_area(self, areas: gpd.GeoDataFrame, name_col: str, *patterns: str) -> pd.DataFrame:
        """Cells per pattern and named area (the area holding the cell's centre): ``pattern``,
        ``area``, ``cells``, ``count``, the most cells first; cells outside every area are left out.
        For a sentence such as "3 nya heta punkter, 2 av dem i Centrum"."""
        found = self.where(*patterns)
        columns = ["pattern", "area", "cells", S.COUNT]
        if len(found) == 0:
            return pd.DataFrame(columns=columns)
        points = gpd.GeoDataFrame(found[["pattern", S.COUNT]], crs=WGS84,
                                  geometry=gpd.points_from_xy(found[S.LON], found[S.LAT]))
        zones = areas[[name_col, "geometry"]].to_crs(WGS84).rename(columns={name_col: "area"})
        joined = gpd.sjoin(points, zones, predicate="within", how="inner")
        out = joined.groupby(["pattern", "area"], sort=False).agg(cells=("pattern", "size"), count=(S.COUNT, "sum"))
        out = out.reset_index().sort_values(["cells", S.COUNT], ascending=False, kind="stable")
        return out[columns].reset_index(drop=True)

    def cube_table(self) -> pd.DataFrame:
        """The ``cube`` layer: one row per bin, ``h3``, ``period`` (its first day, YYYY-MM-DD),
        ``count``, ``gi_z``, ``gi_bin``. A table without geometry (join it to ``emerging`` on ``h3``):
        hexagons repeated for every period would make the file many times larger."""
        return cube_frame(self.cube, self.gi)

    def to_gpkg(self, path: str | Path, *, cube: bool = False) -> Path:
        """Write the ``emerging`` layer (and with ``cube`` the ``cube`` layer), replacing the file."""
        path = Path(path)
        if path.exists():
            path.unlink()
        self.cells.to_file(path, layer=LAYER_EMERGING, driver="GPKG", engine="pyogrio")
        if cube:
            import pyogrio

            pyogrio.write_dataframe(self.cube_table(), path, layer=LAYER_CUBE, driver="GPKG")
        return path


def emerging_for_cube(cube: SpaceTimeCube, *, time_window: int = 1, k: int = 1, alpha: float = 0.05,
                      scale: ScaleChoice | None = None) -> EmergingResult:
    """Gi* per bin, Mann-Kendall per cell and the patterns of a built cube."""
    require_periods(cube)
    gi = cube_hotspots(cube, time_window=time_window, k=k)
    found = classify(gi.z, gi.q, alpha=alpha, trend_from=time_window, trend_step=time_window + 1)
    names = found.patterns
    labels = {p: pattern_label(p, "sv") for p in PATTERNS}
    cells = gpd.GeoDataFrame({
        S.H3: cube.grid.h3,
        "pattern": pd.Series(names, dtype=object).astype(str).to_numpy(),
        "pattern_sv": [labels[p] for p in names],
        "trend_z": found.trend.z,
        "trend_p": found.trend.p,
        "hot_periods": found.hot_periods.astype(np.int64),
        "cold_periods": found.cold_periods.astype(np.int64),
        S.COUNT: cube.counts.sum(axis=1).astype(np.int64),
    }, geometry=cell_polygons(cube.grid.cells).to_numpy(), crs=WGS84)
    return EmergingResult(cells=cells, cube=cube, gi=gi, alpha=alpha, scale=scale)


def emerging_hotspots(incidents: pd.DataFrame, *, interval: str = "month", time_window: int = 1, k: int = 1,
                      resolution: int | str = 9, boundary: BaseGeometry | None = None,
                      since: str | pd.Timestamp | None = None, until: str | pd.Timestamp | None = None,
                      alpha: float = 0.05) -> EmergingResult:
    """Incidents → space-time cube → Gi* per bin → Mann-Kendall → the 17 patterns.

    Parameters
    ----------
    incidents
        Frame with ``lon``, ``lat`` (WGS84), ``occurred_at`` and ``time_resolution``,
        as :func:`geo_trygghet.ingest.read_incidents` gives.
    interval
        "month", "week" (Monday–Sunday) or "quarter".
    time_window
        Previous periods in a bin's neighbourhood (ArcGIS's neighbourhood time step).
    k
        Rings of neighbour cells (1: the six around the cell).
    resolution
        H3 resolution, or "auto" (:func:`geo_trygghet.hotspots.scale.choose_resolution`).
    boundary
        Study-area polygon (WGS84); default the convex hull of the incidents.
    since, until
        The window the data cover (default: the first and last incident's day).
    alpha
        Significance level of the bins (after FDR) and of the trend.
    """
    if len(incidents) == 0:
        msg = "no incidents to analyse: check the file, the date filter and the boundary"
        raise InsufficientDataError(msg)
    lon = incidents[S.LON].to_numpy(float)
    lat = incidents[S.LAT].to_numpy(float)
    when = incidents[S.OCCURRED_AT].to_numpy(dtype="datetime64[ns]")
    month_only = bool((incidents[S.TIME_RESOLUTION] == S.RESOLUTION_MONTH).all()) \
        if S.TIME_RESOLUTION in incidents else False
    scale = None
    if resolution == "auto":
        first, last, _ = period_range(when, interval=interval, month_resolution=month_only, since=since, until=until)
        scale = choose_resolution(lon, lat, periods=last - first + 1, interval=interval)
        resolution = scale.resolution
    grid = build_grid(lon, lat, resolution=int(resolution), boundary=boundary)
    cube = build_cube(grid, when, interval=interval, month_resolution=month_only, since=since, until=until)
    return emerging_for_cube(cube, time_window=time_window, k=k, alpha=alpha, scale=scale)
