"""Cached computations of change over time for the analyst's pages: the emerging hot spots and the
forecast of a :class:`~.compute.View`.

Caching as in :mod:`.compute`: ``st.cache_resource`` entries keyed by the dataset's key, the
filters that select the incidents (:meth:`~.filters.Filters.selection`), the resolution and the
interval or horizon (hashable primitives), shared read-only. Moving the coverage slider or a
layer toggle reruns the page but computes nothing again: the slider only reads
:meth:`~geo_trygghet.hotspots.forecast.ForecastResult.flagged` and ``validated_at``.

The core's error messages name command-line flags; what the app shows names what to change in
the app (:class:`Computed`'s ``problem``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from .. import schema as S
from ..errors import GeoTrygghetError, InputError, InsufficientDataError
from .compute import View
from .filters import AUTO
from .i18n import t

__all__ = ["HORIZONS", "INTERVALS", "Computed", "emerging_of", "forecast_of", "month_only"]

#: the period lengths offered for emerging hot spots (weeks only for data with days)
INTERVALS = ("month", "quarter", "week")
#: the forecast horizons offered, in months
HORIZONS = (1, 3, 6, 12)


@dataclass(frozen=True)
class Computed:
    """A result (``EmergingResult`` or ``ForecastResult``), or ``problem``: why there is none, in the
    session's language; ``key`` identifies the computation (for caches built on it)."""

    result: Any = None
    problem: str | None = None
    key: tuple = ()
    #: what the problem is: "empty", "weeks", "periods", "window" or "other"
    code: str = ""


def _resolution(view: View) -> int | str:
    """The view's resolution, or "auto" when the analyst chose *Automatisk* (the space-time cube
    chooses its own, per period)."""
    return AUTO if view.filters.resolution == AUTO else int(view.prepared.resolution)


def month_only(view: View) -> bool:
    """Whether the dataset's times give months only (police.uk): no weeks can be counted."""
    ds = view.ds
    if "month_only" not in ds.extra:
        res = ds.incidents[S.TIME_RESOLUTION] if S.TIME_RESOLUTION in ds.incidents else pd.Series(dtype=str)
        ds.extra["month_only"] = bool(len(res)) and bool((res == S.RESOLUTION_MONTH).all())
    return bool(ds.extra["month_only"])


def _window(view: View) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    f = view.filters
    return (pd.Timestamp(f.since) if f.since else None), (pd.Timestamp(f.until) if f.until else None)


@st.cache_resource(show_spinner=False, max_entries=8)
def _emerging(key: str, selection: Any, resolution: int | str, interval: str, _view: View) -> Any:
    from ..hotspots.emerging import emerging_hotspots

    since, until = _window(_view)
    return emerging_hotspots(_view.incidents(), interval=interval, resolution=resolution,
                             boundary=_view.ds.study_geometry(_view.filters.study_area), since=since, until=until)


def emerging_of(view: View, interval: str = "month") -> Computed:
    """The emerging hot spots of the view's incidents (Gi* per cell and ``interval``, Mann-Kendall,
    the 17 patterns), or why they cannot be computed."""
    label = t(f"emerging.interval.{interval}")
    if view.n == 0:
        return Computed(problem=t("chg.err.empty"), code="empty")
    if interval == "week" and month_only(view):
        return Computed(problem=t("chg.err.weeks"), code="weeks")
    key = (view.ds.key, view.filters.selection(), _resolution(view), interval)
    try:
        with st.spinner(t("chg.computing_emerging")):
            return Computed(result=_emerging(*key, view), key=key)
    except InsufficientDataError:
        return Computed(problem=t("chg.err.periods", interval=label), code="periods")
    except InputError:
        return Computed(problem=t("chg.err.window", interval=label), code="window")
    except GeoTrygghetError as exc:
        return Computed(problem=t("chg.err.other", why=str(exc)), code="other")


def forecast_period(view: View, months: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(last day of training, last day forecast): the selection's last day (or the period filter's
    end), and ``months`` after it (month ends stay month ends)."""
    end = _window(view)[1]
    if end is None:
        end = pd.Timestamp(view.incidents()[S.OCCURRED_AT].max())
    train = pd.Timestamp(end).normalize()
    test = train + pd.offsets.MonthEnd(months) if train.is_month_end else train + pd.DateOffset(months=months)
    return train, pd.Timestamp(test)


@st.cache_resource(show_spinner=False, max_entries=8)
def _forecast(key: str, selection: Any, resolution: int | str, months: int, _view: View) -> Any:
    from ..hotspots.forecast import forecast

    train, test = forecast_period(_view, months)
    return forecast(_view.incidents(), train_until=train, test_until=test, method="auto", resolution=resolution,
                    boundary=_view.ds.study_geometry(_view.filters.study_area), require_test=False)


def forecast_of(view: View, months: int = 3) -> Computed:
    """Where incidents are likely in the ``months`` after the selection's last day (the method chosen
    by rolling-origin validation inside the data), or why it cannot be made."""
    if view.n == 0:
        return Computed(problem=t("chg.err.empty"), code="empty")
    key = (view.ds.key, view.filters.selection(), _resolution(view), int(months))
    try:
        with st.spinner(t("chg.computing_forecast")):
            return Computed(result=_forecast(*key, view), key=key)
    except GeoTrygghetError as exc:
        return Computed(problem=t("chg.err.other", why=str(exc)), code="other")
