"""Control areas for an effect follow-up: how similar they are, and suggestions.

A good control area (kontrollområde) had, before the intervention, about the
same level of incidents as the target and moved the same way month by month,
and it is far enough away not to catch displacement from the target. This
module measures that similarity for areas the user drew or uploaded
(:func:`control_similarity`) and suggests areas (:func:`suggest_controls`):
H3 cells of about the target's size that do not touch the target or its
buffer, ranked by similarity of their pre-period monthly counts.

Similarity (all on the monthly counts of the before window)
    ``level_ratio``   mean monthly count of the candidate / of the target
    ``trend_*``       least-squares slope of the monthly counts divided by
                      their mean: the relative change per month
    ``trend_difference``  candidate − target trend, per month
    ``correlation``   Pearson correlation of the two monthly series (0 when
                      either is constant)
    ``distance``      ``|ln level_ratio| + months·|trend_difference| / 2 + (1 − correlation) / 2``
                      (a level off by a factor e, a trend that drifts apart by
                      100 % over the window, or uncorrelated months each cost 1)
    ``similarity``    ``exp(−distance)``, 1 = identical
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from .. import schema
from ..crs import WGS84, metric_crs_for
from ..errors import InputError
from ..hotspots import grid
from ._errors import FollowupDataError
from .areas import AreaLike, as_area, incident_xy, points_in
from .windows import incident_times, make_windows, monthly_periods, time_resolution

#: Areas closer than this (degrees, about 1 cm) count as touching: shared edges
#: drawn in another CRS rarely meet exactly after reprojection.
TOUCH_TOLERANCE_DEG = 1e-7

SIMILARITY_COLUMNS = (
    "pre_count",
    "level_ratio",
    "trend",
    "trend_difference",
    "correlation",
    "distance",
    "similarity",
)


def _slope(y: np.ndarray) -> np.ndarray:
    """Relative least-squares slope per month of each row of ``y`` (0 for an all-zero row)."""
    y = np.atleast_2d(np.asarray(y, dtype=float))
    m = y.shape[1]
    if m < 2:
        return np.zeros(y.shape[0])
    x = np.arange(m, dtype=float) - (m - 1) / 2
    slope = (y * x).sum(axis=1) / (x**2).sum()
    mean = y.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean > 0, slope / mean, 0.0)


def _corr(target: np.ndarray, cand: np.ndarray) -> np.ndarray:
    t = target - target.mean()
    c = cand - cand.mean(axis=1, keepdims=True)
    den = np.sqrt((t**2).sum() * (c**2).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, (c * t).sum(axis=1) / den, 0.0)


def similarity_table(target_months: np.ndarray, candidate_months: np.ndarray) -> pd.DataFrame:
    """The similarity columns (see the module docstring) of candidates' monthly series to the target's.

    Examples
    --------
    >>> t = np.array([10, 12, 14, 16])
    >>> tab = similarity_table(t, np.array([[20, 24, 28, 32], [16, 14, 12, 10]]))
    >>> tab["level_ratio"].tolist(), tab["correlation"].round(3).tolist()
    ([2.0, 1.0], [1.0, -1.0])
    """
    t = np.asarray(target_months, dtype=float)
    c = np.atleast_2d(np.asarray(candidate_months, dtype=float))
    m = len(t)
    t_mean = t.mean() if m else 0.0
    c_mean = c.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(t_mean > 0, c_mean / t_mean, np.nan)
    trend_t = float(_slope(t)[0]) if m else 0.0
    trend_c = _slope(c)
    corr = _corr(t, c) if m > 1 else np.zeros(len(c))
    with np.errstate(divide="ignore"):
        log_ratio = np.abs(np.log(ratio))
    distance = log_ratio + m * np.abs(trend_c - trend_t) / 2 + (1 - corr) / 2
    return pd.DataFrame(
        {
            "pre_count": c.sum(axis=1).astype(int),
            "level_ratio": ratio,
            "trend": trend_c,
            "trend_target": trend_t,
            "trend_difference": trend_c - trend_t,
            "correlation": corr,
            "distance": distance,
            "similarity": np.exp(-distance),
        }
    )


def _pre_period(incidents: pd.DataFrame, intervention: Any, before_days: int, same_months: bool):
    windows = make_windows(intervention, before_days=before_days, same_months=same_months)
    periods = monthly_periods(
        windows, month_resolution=time_resolution(incidents) == schema.RESOLUTION_MONTH
    )
    periods = periods[periods["window"] == "before"].reset_index(drop=True)
    t = incident_times(incidents)
    x, y = incident_xy(incidents)
    starts = periods["start"].to_numpy(dtype="datetime64[ns]")
    ends = periods["end"].to_numpy(dtype="datetime64[ns]")
    tv = t.to_numpy(dtype="datetime64[ns]")
    idx = np.searchsorted(starts, tv, side="right") - 1
    ok = (idx >= 0) & np.isfinite(x) & np.isfinite(y)
    ok[ok] = tv[ok] < ends[idx[ok]]
    return windows, periods, x[ok], y[ok], idx[ok]


def _monthly_in(
    geom: BaseGeometry, x: np.ndarray, y: np.ndarray, idx: np.ndarray, months: int
) -> np.ndarray:
    return np.bincount(idx[points_in(geom, x, y)], minlength=months)


def control_similarity(
    incidents: pd.DataFrame,
    *,
    target: AreaLike,
    candidates: gpd.GeoDataFrame | gpd.GeoSeries | list[BaseGeometry],
    intervention: Any,
    before_days: int = 365,
    same_months: bool = False,
) -> gpd.GeoDataFrame:
    """How similar each candidate control area is to the target before the intervention.

    Returns the candidates (WGS84) with the columns of :func:`similarity_table`,
    ``touches_target`` and ``distance_m`` (centroid to centroid), sorted by
    similarity (most similar first).
    """
    target_geom = as_area(target, what="the target area")
    if isinstance(candidates, gpd.GeoDataFrame):
        cand = candidates.to_crs(WGS84).reset_index(drop=True)
    else:
        series = (
            candidates
            if isinstance(candidates, gpd.GeoSeries)
            else gpd.GeoSeries(list(candidates), crs=WGS84)
        )
        cand = gpd.GeoDataFrame(geometry=series.to_crs(WGS84).reset_index(drop=True))
    if len(cand) == 0:
        msg = "no candidate control areas given"
        raise InputError(msg)
    _, periods, x, y, idx = _pre_period(incidents, intervention, before_days, same_months)
    m = len(periods)
    t_months = _monthly_in(target_geom, x, y, idx, m)
    c_months = np.vstack([_monthly_in(g, x, y, idx, m) for g in cand.geometry])
    tab = similarity_table(t_months, c_months)
    out = pd.concat([cand, tab], axis=1)
    out["touches_target"] = shapely.dwithin(cand.geometry.to_numpy(), target_geom, TOUCH_TOLERANCE_DEG)
    out["distance_m"] = _centroid_distances(target_geom, cand.geometry)
    out["target_pre_count"] = int(t_months.sum())
    return (
        gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)
        .sort_values("similarity", ascending=False, kind="stable")
        .reset_index(drop=True)
    )


def _centroid_distances(target: BaseGeometry, geoms: gpd.GeoSeries) -> np.ndarray:
    c = target.centroid
    crs = metric_crs_for(np.array([c.x]), np.array([c.y]))
    tc = gpd.GeoSeries([c], crs=WGS84).to_crs(crs).iloc[0]
    return gpd.GeoSeries(geoms, crs=WGS84).to_crs(crs).centroid.distance(tc).to_numpy()


def resolution_for_area(area_m2: float) -> int:
    """The H3 resolution (0–15) whose average hexagon area is closest to ``area_m2`` (on a log scale)."""
    if not (math.isfinite(area_m2) and area_m2 > 0):
        msg = "the target area has no area; give a polygon"
        raise InputError(msg)
    areas = np.array([h3.average_hexagon_area(r, "m^2") for r in range(16)])
    return int(np.argmin(np.abs(np.log(areas) - math.log(area_m2))))


def suggest_controls(
    incidents: pd.DataFrame,
    *,
    target: AreaLike,
    intervention: Any,
    buffer: AreaLike | None = None,
    before_days: int = 365,
    same_months: bool = False,
    k: int = 5,
    resolution: int | None = None,
    min_distance_m: float = 0.0,
    min_pre_count: int = 1,
) -> gpd.GeoDataFrame:
    """Suggest ``k`` control areas: H3 cells of about the target's size, most similar first.

    Candidates are the H3 cells (at ``resolution``, by default the one whose
    hexagons are closest to the target's area) that held at least
    ``min_pre_count`` incidents in the before window and that do not touch
    the target or the buffer (nor lie within ``min_distance_m`` of them).
    They are ranked by the similarity of their monthly pre-period counts to
    the target's (module docstring).

    Returns
    -------
    GeoDataFrame (WGS84)
        ``h3``, ``rank``, ``pre_count``, ``target_pre_count``, ``level_ratio``,
        ``trend``, ``trend_target``, ``trend_difference``, ``correlation``,
        ``distance``, ``similarity``, ``distance_m``, geometry = the hexagon.
    """
    if k < 1:
        msg = f"k = {k}: ask for at least one control area"
        raise InputError(msg)
    target_geom = as_area(target, what="the target area")
    excl = target_geom
    if buffer is not None:
        excl = shapely.union(excl, as_area(buffer, what="the buffer"))
    c = target_geom.centroid
    crs = metric_crs_for(np.array([c.x]), np.array([c.y]))
    area_m2 = float(gpd.GeoSeries([target_geom], crs=WGS84).to_crs(crs).area.iloc[0])
    res = resolution_for_area(area_m2) if resolution is None else int(resolution)
    if min_distance_m > 0:
        excl = (
            gpd.GeoSeries([excl], crs=WGS84)
            .to_crs(crs)
            .buffer(min_distance_m)
            .to_crs(WGS84)
            .iloc[0]
        )

    _, periods, x, y, idx = _pre_period(incidents, intervention, before_days, same_months)
    m = len(periods)
    if m == 0 or len(x) == 0:
        msg = "no incidents in the before window; choose an intervention date inside the data's time span"
        raise FollowupDataError(msg, code="no_before_incidents")
    t_months = _monthly_in(target_geom, x, y, idx, m)
    cells = grid.points_to_cell_ints(x, y, res)
    uniq, inv = np.unique(cells, return_inverse=True)
    mat = np.zeros((len(uniq), m), dtype=np.int64)
    np.add.at(mat, (inv, idx), 1)
    keep = mat.sum(axis=1) >= max(min_pre_count, 0)
    uniq, mat = uniq[keep], mat[keep]
    polys = grid.cell_polygons(uniq)
    away = ~shapely.dwithin(polys.to_numpy(), excl, TOUCH_TOLERANCE_DEG)
    uniq, mat, polys = uniq[away], mat[away], polys[away].reset_index(drop=True)
    if len(uniq) == 0:
        msg = (
            f"no H3 cells at resolution {res} with incidents away from the target and buffer; "
            "draw the control areas yourself or use a finer resolution"
        )
        raise FollowupDataError(msg, code="no_candidate_cells", resolution=res)
    tab = similarity_table(t_months, mat)
    out = gpd.GeoDataFrame(tab, geometry=polys.to_numpy(), crs=WGS84)
    out.insert(0, "h3", grid.to_str(uniq))
    out["target_pre_count"] = int(t_months.sum())
    out = out.sort_values(
        ["similarity", "pre_count"], ascending=[False, False], kind="stable"
    ).head(int(k))
    out["distance_m"] = _centroid_distances(target_geom, out.geometry)
    out.insert(1, "rank", np.arange(1, len(out) + 1))
    out.attrs["resolution"] = res
    return out.reset_index(drop=True)


__all__ = ["control_similarity", "resolution_for_area", "similarity_table", "suggest_controls"]
