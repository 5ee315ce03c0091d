"""Effect follow-up (effektuppföljning): before/after in a target area against control areas.

The handbook's Steg 5 asks whether a measure worked: count incidents before and
after the intervention date in the target area (målområde), compare with one
or more control areas (kontrollområden) that got no measure, and check for
displacement to a surrounding buffer. :func:`evaluate` counts the incidents
month by month in each area (:mod:`.areas`, :mod:`.windows`) and
:func:`effect_from_monthly` turns the monthly counts into the effect sizes
(:mod:`.effects`, :mod:`.models`) and one :class:`.EvaluationResult`.
:mod:`geo_trygghet.followup.controls` suggests control areas and
:mod:`geo_trygghet.followup.fixed_remarks` evaluates every fixed remark.

Zero and small counts
    When any of a, b, c, d is 0 the odds ratio is undefined: ``odds_ratio`` is
    null with a note, and ``odds_ratio_haldane`` gives the Haldane–Anscombe
    value (0.5 added to all four counts), clearly labelled. When the target
    (a + b) or the control group (c + d) has fewer than
    :data:`MIN_INCIDENTS` incidents the verdict is "not enough incidents to
    say" and the effect sizes are null; the counts are still reported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats
from shapely.geometry.base import BaseGeometry

from .. import schema
from ..errors import InputError
from ._errors import FollowupInputError
from .areas import AreaLike, as_area, incident_xy, overlaps, points_in
from .effects import Z975, odds_ratio, overdispersion_factor, wdd, wdq, wdq_code, wdq_success
from .models import count_panel, did_models
from .result import ControlCounts, Estimate, EvaluationResult, Note, Verdict, Wdd
from .windows import (
    Windows,
    data_span,
    incident_times,
    make_windows,
    monthly_periods,
    period_counts,
    time_resolution,
    windows_of,
)

#: Fewer incidents than this in the target (a + b) or in the control group
#: (c + d) gives the verdict "not enough incidents to say" and no effect sizes.
MIN_INCIDENTS = 10

#: A window reaching this many days beyond the first or last incident of the
#: data gets a note that its counts may be incomplete.
COVERAGE_SLACK_DAYS = 14

#: Column names of the monthly table, which control areas may not take.
RESERVED_NAMES = frozenset({"target", "control", "buffer", "control_buffer", "month", "window", "start", "end", "days"})


# --------------------------------------------------------------------------- areas
@dataclass
class _Areas:
    """The study's areas as WGS84 geometries, checked against each other."""

    target: BaseGeometry
    controls: list[tuple[str, BaseGeometry]]
    buffer: BaseGeometry | None = None
    control_buffer: BaseGeometry | None = None
    notes: list[Note] = field(default_factory=list)


def _control_list(controls: AreaLike | Sequence[AreaLike]) -> list[AreaLike]:
    if isinstance(controls, (BaseGeometry, gpd.GeoDataFrame, gpd.GeoSeries, str, Path)):
        return [controls]
    if (
        isinstance(controls, Sequence)
        and controls
        and all(isinstance(c, str) for c in controls)
        and not any(Path(str(c)).suffix for c in controls)
    ):
        return [controls]  # a list of H3 cells is one area
    return list(controls)


def _control_names(names: Sequence[str] | None, n: int) -> list[str]:
    out = list(names) if names else [f"control_{i + 1}" for i in range(n)]
    if len(set(out)) != len(out) or set(out) & RESERVED_NAMES or len(out) != n:
        msg = f"control names {out}: give one distinct name per control area, none of {sorted(RESERVED_NAMES)}"
        raise InputError(msg)
    return out


def _study_areas(
    target: AreaLike,
    controls: AreaLike | Sequence[AreaLike],
    buffer: AreaLike | None,
    control_buffer: AreaLike | None,
    control_names: Sequence[str] | None,
) -> _Areas:
    target_geom = as_area(target, what="the target area")
    control_list = _control_list(controls)
    if not control_list:
        msg = "no control area given; give at least one area that got no measure"
        raise InputError(msg)
    names = _control_names(control_names, len(control_list))
    control_geoms = [(n, as_area(c, what=f"control area {n}")) for c, n in zip(control_list, names, strict=True)]
    areas = _Areas(target_geom, control_geoms)
    tarea = target_geom.area
    for n, g in areas.controls:
        if overlaps(g, target_geom, tarea):
            msg = f"control area {n} overlaps the target area; a control must be an area that got no measure"
            raise FollowupInputError(msg, code="control_overlaps_target", name=n)
    if buffer is not None:
        buffer_geom = as_area(buffer, what="the buffer")
        if overlaps(buffer_geom, target_geom, tarea):
            buffer_geom = buffer_geom.difference(target_geom)
            areas.notes.append(Note("buffer_cut"))
        for n, g in areas.controls:
            if overlaps(g, buffer_geom, tarea):
                areas.notes.append(Note("control_overlaps_buffer", {"name": n}))
        areas.buffer = buffer_geom
    if control_buffer is not None:
        areas.control_buffer = as_area(control_buffer, what="the control buffer")
    return areas


# --------------------------------------------------------------------------- counting
def _monthly_counts(
    incidents: pd.DataFrame, windows: Windows, areas: _Areas
) -> tuple[pd.DataFrame, str | None, pd.Series]:
    """One row per month of the windows with the exposure and a count column per area."""
    t = incident_times(incidents)
    x, y = incident_xy(incidents)
    in_time = ((t >= windows.before_start) & (t < windows.before_end)) | (
        (t >= windows.after_start) & (t < windows.after_end)
    )
    keep = in_time.to_numpy() & np.isfinite(x) & np.isfinite(y)
    t_w = t[keep].reset_index(drop=True)
    x_w, y_w = x[keep], y[keep]
    resolution = time_resolution(incidents)
    month_res = resolution == schema.RESOLUTION_MONTH
    periods = monthly_periods(windows, month_resolution=month_res)
    before, after = windows.before_mask(t_w), windows.after_mask(t_w)

    def months_in(geom: BaseGeometry) -> np.ndarray:
        return period_counts(t_w, points_in(geom, x_w, y_w), periods)

    t_months = months_in(areas.target)
    if month_res:
        inside = points_in(areas.target, x_w, y_w)
        if t_months.sum() != int((inside & before).sum()) + int((inside & after).sum()):
            # mixed resolutions: count by calendar days instead, so the months add up to the windows
            periods = monthly_periods(windows)
            t_months = months_in(areas.target)
    monthly = periods[["month", "window", "start", "end", "days"]].copy()
    # months wholly outside the data's time span hold no information (not zeros): exposure 0
    span = data_span(t, month_res)
    if span is not None:
        outside = (monthly["end"] <= span[0]) | (monthly["start"] >= span[1])
        monthly.loc[outside, "days"] = 0
    monthly["target"] = t_months
    for name, geom in areas.controls:
        monthly[name] = months_in(geom)
    if areas.buffer is not None:
        monthly["buffer"] = months_in(areas.buffer)
    if areas.control_buffer is not None:
        monthly["control_buffer"] = months_in(areas.control_buffer)
    return monthly, resolution, t


def _coverage_notes(t: pd.Series, windows: Windows, month_resolution: bool) -> list[Note]:
    """Notes when the windows reach beyond the time span of the data."""
    span = data_span(t, month_resolution)
    if span is None:
        return [Note("no_dates")]
    first, end = span
    slack = pd.Timedelta(days=COVERAGE_SLACK_DAYS)
    day = pd.Timedelta(days=1)
    notes = []
    if windows.before_start < first - slack:
        notes.append(Note("before_uncovered", {"start": str(windows.before_start.date()), "first": str(first.date())}))
    if windows.after_end > end + slack:
        notes.append(
            Note("after_uncovered", {"end": str((windows.after_end - day).date()), "last": str((end - day).date())})
        )
    return notes


def evaluate(
    incidents: pd.DataFrame,
    *,
    target: AreaLike,
    controls: AreaLike | Sequence[AreaLike],
    intervention: Any,
    buffer: AreaLike | None = None,
    control_buffer: AreaLike | None = None,
    before_days: int = 365,
    after_days: int = 365,
    same_months: bool = False,
    control_names: Sequence[str] | None = None,
) -> EvaluationResult:
    """Before/after evaluation of an intervention against control areas.

    Parameters
    ----------
    incidents
        Incidents as :func:`geo_trygghet.ingest.read_incidents` returns them
        (``occurred_at`` and a WGS84 point geometry or ``lon``/``lat``).
    target
        The target area: a WGS84 shapely geometry, a GeoDataFrame/GeoSeries
        (any CRS), a file path, or a list of H3 cell ids. For a circle use
        :func:`geo_trygghet.followup.circle_area`.
    controls
        One control area or a list of them; they are added up as the control
        group and also reported one by one in ``per_control``.
    intervention
        The intervention date D.
    buffer
        Optional displacement buffer around the target (the target is cut out
        of it if they overlap).
    control_buffer
        Optional buffer around the controls (the ΔCD term of the WDD).
    before_days, after_days, same_months
        The windows, see :func:`geo_trygghet.followup.make_windows`.
    control_names
        Names of the control areas (default ``control_1``, ``control_2`` …).

    Returns
    -------
    EvaluationResult
    """
    windows = make_windows(intervention, before_days=before_days, after_days=after_days, same_months=same_months)
    areas = _study_areas(target, controls, buffer, control_buffer, control_names)
    monthly, resolution, t = _monthly_counts(incidents, windows, areas)
    res = effect_from_monthly(
        monthly,
        control_columns=[n for n, _ in areas.controls],
        buffer_column="buffer" if areas.buffer is not None else None,
        control_buffer_column="control_buffer" if areas.control_buffer is not None else None,
        windows=windows,
        time_resolution=resolution,
    )
    notes = areas.notes + _coverage_notes(t, windows, resolution == schema.RESOLUTION_MONTH)
    res.notes[:0] = notes
    return res


# --------------------------------------------------------------------------- effect sizes
@dataclass(frozen=True)
class _Table:
    """The monthly counts split into what the effect sizes need."""

    before: np.ndarray  # which rows are before-window months
    days: np.ndarray
    target: np.ndarray
    controls: list[np.ndarray]
    control: np.ndarray  # the control group: the sum of the controls

    def totals(self, months: np.ndarray) -> tuple[int, int]:
        return int(months[self.before].sum()), int(months[~self.before].sum())


def _odds_ratios(res: EvaluationResult, tab: _Table) -> None:
    """Campbell odds ratio, plain and overdispersion-adjusted, and Haldane's when a count is 0."""
    a, b, c, d = res.target_before, res.target_after, res.control_before, res.control_after
    o, lo, hi, se = odds_ratio(a, b, c, d, q=Z975)
    res.odds_ratio, res.ln_odds_ratio_se = Estimate(o, lo, hi), se
    bef = tab.before
    series = [
        (tab.target[bef], tab.days[bef]),
        (tab.target[~bef], tab.days[~bef]),
        (tab.control[bef], tab.days[bef]),
        (tab.control[~bef], tab.days[~bef]),
    ]
    dispersion, df = overdispersion_factor(series)
    res.overdispersion, res.overdispersion_df = dispersion, df
    if math.isfinite(o) and math.isfinite(dispersion):
        qt = float(stats.t.ppf(0.975, df))
        _, lo2, hi2, _ = odds_ratio(a, b, c, d, variance_factor=dispersion, q=qt)
        res.odds_ratio_overdispersed = Estimate(o, lo2, hi2)
    elif math.isfinite(o):
        res.notes.append(Note("no_overdispersion"))
    if min(a, b, c, d) == 0:
        res.notes.append(Note("zero_count"))
        oh, loh, hih, _ = odds_ratio(a + 0.5, b + 0.5, c + 0.5, d + 0.5, q=Z975)
        res.odds_ratio_haldane = Estimate(oh, loh, hih)


def _displacement(res: EvaluationResult, control_buffer: tuple[int, int] | None) -> None:
    """WDQ (with a buffer) and WDD (with whichever buffers there are)."""
    a, b, c, d = res.target_before, res.target_after, res.control_before, res.control_after
    if res.buffer_before is not None and res.buffer_after is not None:
        res.wdq = wdq(a, b, res.buffer_before, res.buffer_after, c, d)
        res.wdq_code = wdq_code(res.wdq, wdq_success(a, b, c, d))
    cb0, cb1 = control_buffer if control_buffer is not None else (None, None)
    res.wdd = Wdd(*wdd(a, b, c, d, res.buffer_before, res.buffer_after, cb0, cb1))


def _verdict(assessed: Estimate) -> Verdict:
    """Fell when the whole interval is above 1, rose when it is below 1, else unclear."""
    lo, hi = assessed.ci
    if math.isfinite(lo) and lo > 1:
        return Verdict.FELL
    if math.isfinite(hi) and hi < 1:
        return Verdict.ROSE
    return Verdict.UNCLEAR


def effect_from_monthly(
    monthly: pd.DataFrame,
    *,
    control_columns: Sequence[str],
    target_column: str = "target",
    buffer_column: str | None = None,
    control_buffer_column: str | None = None,
    windows: Windows | None = None,
    time_resolution: str | None = None,
) -> EvaluationResult:
    """All effect sizes from a table of monthly counts (what :func:`evaluate` counts).

    ``monthly`` has one row per period with ``window`` ("before"/"after"),
    ``days`` (exposure) and one count column per area. The window totals are
    the column sums. Exposed so that simulations and the app can reuse the
    statistics without points.
    """
    names = list(control_columns)
    per_months = [monthly[n].to_numpy(int) for n in names]
    tab = _Table(
        before=(monthly["window"] == "before").to_numpy(),
        days=monthly["days"].to_numpy(float),
        target=monthly[target_column].to_numpy(int),
        controls=per_months,
        control=np.sum(per_months, axis=0),
    )
    (a, b), (c, d) = tab.totals(tab.target), tab.totals(tab.control)
    monthly = monthly.copy()
    if len(names) > 1:
        monthly["control"] = tab.control
    res = EvaluationResult(
        windows=windows if windows is not None else windows_of(monthly),
        target_before=a,
        target_after=b,
        control_before=c,
        control_after=d,
        time_resolution=time_resolution,
        monthly=monthly,
    )
    if time_resolution == schema.RESOLUTION_MONTH:
        res.notes.append(Note("month_resolution"))
    if buffer_column is not None:
        res.buffer_before, res.buffer_after = tab.totals(monthly[buffer_column].to_numpy())
    for n, pm in zip(names, per_months, strict=True):
        p0, p1 = tab.totals(pm)
        o, lo, hi, _ = odds_ratio(a, b, p0, p1)
        res.per_control.append(ControlCounts(n, p0, p1, Estimate(o, lo, hi)))

    if (a + b) < MIN_INCIDENTS or (c + d) < MIN_INCIDENTS:
        res.verdict = Verdict.TOO_FEW
        res.notes.append(Note("too_few", {"minimum": MIN_INCIDENTS, "target": a + b, "control": c + d}))
        return res

    _odds_ratios(res, tab)
    cbuf = tab.totals(monthly[control_buffer_column].to_numpy()) if control_buffer_column is not None else None
    _displacement(res, cbuf)
    units = [("target", 1, tab.target)] + [(n, 0, pm) for n, pm in zip(names, per_months, strict=True)]
    res.models = did_models(count_panel(units, ~tab.before, tab.days))
    res.notes.extend(res.models.notes)
    res.verdict = _verdict(res.assessed)
    return res


__all__ = ["COVERAGE_SLACK_DAYS", "MIN_INCIDENTS", "effect_from_monthly", "evaluate"]
