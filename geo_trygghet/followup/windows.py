"""The before and after windows of a follow-up, and incidents counted month by month in them.

before = the ``before_days`` days ending the day before the intervention date
D, the half-open interval ``[D - N days, D)``; after = the ``after_days`` days
starting on D, ``[D, D + M days)``. With ``same_months=True`` the before
window is the after window moved back one calendar year (the same calendar
months one year earlier), which removes seasonality from the comparison.
Incidents stamped with month resolution (police.uk: ``2022-07-01`` for all of
July) count in the window containing the stamp.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..errors import DateError, InputError
from ._errors import FollowupInputError


@dataclass(frozen=True)
class Windows:
    """The before and after windows as half-open ``[start, end)`` day intervals."""

    intervention: pd.Timestamp
    before_start: pd.Timestamp
    before_end: pd.Timestamp
    after_start: pd.Timestamp
    after_end: pd.Timestamp
    same_months: bool = False

    @property
    def before_days(self) -> int:
        return int((self.before_end - self.before_start).days)

    @property
    def after_days(self) -> int:
        return int((self.after_end - self.after_start).days)

    def before_mask(self, t: pd.Series) -> np.ndarray:
        """Which times lie in the before window."""
        return ((t >= self.before_start) & (t < self.before_end)).to_numpy()

    def after_mask(self, t: pd.Series) -> np.ndarray:
        """Which times lie in the after window."""
        return ((t >= self.after_start) & (t < self.after_end)).to_numpy()

    def to_dict(self) -> dict[str, Any]:
        """Inclusive first and last days (ISO dates) of each window."""
        day = pd.Timedelta(days=1)
        return {
            "intervention": self.intervention.date().isoformat(),
            "before": [self.before_start.date().isoformat(), (self.before_end - day).date().isoformat()],
            "after": [self.after_start.date().isoformat(), (self.after_end - day).date().isoformat()],
            "before_days": self.before_days,
            "after_days": self.after_days,
            "same_months": self.same_months,
        }


def parse_date(value: Any, *, what: str = "the intervention date") -> pd.Timestamp:
    """A day (midnight, naive) from a date, a Timestamp or an ISO string.

    Examples
    --------
    >>> parse_date("2022-07-01 13:45")
    Timestamp('2022-07-01 00:00:00')
    """
    ts: pd.Timestamp | None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        ts = None
    if ts is None or pd.isna(ts):
        msg = f"{what} '{value}' is not a date; write it as YYYY-MM-DD, e.g. 2022-07-01"
        raise DateError(msg)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return ts.normalize()


def make_windows(
    intervention: Any, *, before_days: int = 365, after_days: int = 365, same_months: bool = False
) -> Windows:
    """The before/after windows around the intervention date D.

    before = ``[D - before_days, D)``, after = ``[D, D + after_days)``; with
    ``same_months`` the before window is ``[D - 1 year, D + after_days - 1 year)``.

    Examples
    --------
    >>> w = make_windows("2022-07-01", before_days=181, after_days=181)
    >>> w.to_dict()["before"], w.to_dict()["after"]
    (['2022-01-01', '2022-06-30'], ['2022-07-01', '2022-12-28'])
    """
    d = parse_date(intervention)
    for which, n in (("before", before_days), ("after", after_days)):
        if int(n) != n or n < 1:
            msg = f"--{which} {n}: give a whole number of days of at least 1, e.g. 365"
            raise FollowupInputError(msg, code="bad_days", which=which, days=n)
    after_end = d + pd.Timedelta(days=int(after_days))
    if same_months:
        year = pd.DateOffset(years=1)
        before_start, before_end = d - year, after_end - year
        if before_end > d:
            msg = f"--same-months with --after {after_days}: the windows would overlap; use at most 365 days"
            raise FollowupInputError(msg, code="windows_overlap", days=after_days)
    else:
        before_start, before_end = d - pd.Timedelta(days=int(before_days)), d
    return Windows(d, pd.Timestamp(before_start), pd.Timestamp(before_end), d, after_end, bool(same_months))


def windows_of(monthly: pd.DataFrame) -> Windows:
    """The windows a table of monthly counts spans (``start``/``end`` columns, else 30-day months)."""
    if {"start", "end"} <= set(monthly.columns):
        b = monthly[monthly["window"] == "before"]
        a = monthly[monthly["window"] == "after"]
        return Windows(
            pd.Timestamp(a["start"].min()),
            pd.Timestamp(b["start"].min()),
            pd.Timestamp(b["end"].max()),
            pd.Timestamp(a["start"].min()),
            pd.Timestamp(a["end"].max()),
        )
    # synthetic tables: months of 30 days counted back and forth from a nominal date
    d = pd.Timestamp("2000-01-01")
    nb = int(monthly.loc[monthly["window"] == "before", "days"].sum())
    na = int(monthly.loc[monthly["window"] == "after", "days"].sum())
    return Windows(d, d - pd.Timedelta(days=nb), d, d, d + pd.Timedelta(days=na))


# ------------------------------------------------------------------------ incidents in time
def incident_times(incidents: pd.DataFrame) -> pd.Series:
    """The incidents' times as naive datetimes (timezone-aware ones converted to UTC wall time)."""
    if schema.OCCURRED_AT not in incidents:
        msg = f"the incidents have no '{schema.OCCURRED_AT}' column; give the date column with --time"
        raise InputError(msg)
    t = pd.to_datetime(incidents[schema.OCCURRED_AT])
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_convert(None)
    return t


def time_resolution(incidents: pd.DataFrame) -> str | None:
    """The coarsest time resolution among the incidents (month, day or minute), or None."""
    if schema.TIME_RESOLUTION not in incidents or len(incidents) == 0:
        return None
    values = set(incidents[schema.TIME_RESOLUTION].dropna().astype(str))
    for level in (schema.RESOLUTION_MONTH, schema.RESOLUTION_DAY, schema.RESOLUTION_MINUTE):
        if level in values:
            return level
    return None


def data_span(t: pd.Series, month_resolution: bool) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First day and the day after the last day the data cover (a month's end for month resolution)."""
    t = t.dropna()
    if len(t) == 0:
        return None
    first = pd.Timestamp(t.min()).normalize()
    last = pd.Timestamp(t.max())
    if month_resolution:
        return first, (last + pd.offsets.MonthBegin(1)).normalize()
    return first, last.normalize() + pd.Timedelta(days=1)


def monthly_periods(windows: Windows, *, month_resolution: bool = False) -> pd.DataFrame:
    """The months of the windows: ``month``, ``window``, ``start``, ``end`` (exclusive), ``days``.

    Calendar months clipped to each window; ``days`` (the exposure) is the
    number of days of the month inside the window. With ``month_resolution``
    (incidents stamped on the first of their month) a month belongs to the
    window that holds its first day and its exposure is the whole month;
    months whose first day lies outside the window are left out.

    Examples
    --------
    >>> p = monthly_periods(make_windows("2022-07-15", before_days=31, after_days=31))
    >>> p[["month", "window", "days"]].values.tolist()
    [['2022-06', 'before', 17], ['2022-07', 'before', 14], ['2022-07', 'after', 17], ['2022-08', 'after', 14]]
    """
    rows = []
    for name, start, end in (
        ("before", windows.before_start, windows.before_end),
        ("after", windows.after_start, windows.after_end),
    ):
        cur = start
        while cur < end:
            nxt_month = (cur + pd.offsets.MonthBegin(1)).normalize()
            nxt = min(nxt_month, end)
            if not month_resolution:
                days = int((nxt - cur).days)
            elif cur.day == 1:
                days = int((nxt_month - cur).days)
            else:
                cur = nxt
                continue
            rows.append(
                {"month": cur.to_period("M").strftime("%Y-%m"), "window": name, "start": cur, "end": nxt, "days": days}
            )
            cur = nxt
    return pd.DataFrame(rows, columns=["month", "window", "start", "end", "days"])


def period_counts(t: pd.Series, mask: np.ndarray, periods: pd.DataFrame) -> np.ndarray:
    """How many of the times selected by ``mask`` fall in each period (``start``/``end`` columns)."""
    sel = np.sort(t[mask].to_numpy(dtype="datetime64[ns]"))
    edges_lo = periods["start"].to_numpy(dtype="datetime64[ns]")
    edges_hi = periods["end"].to_numpy(dtype="datetime64[ns]")
    return (np.searchsorted(sel, edges_hi, side="left") - np.searchsorted(sel, edges_lo, side="left")).astype(int)


__all__ = [
    "Windows",
    "data_span",
    "incident_times",
    "make_windows",
    "monthly_periods",
    "parse_date",
    "period_counts",
    "time_resolution",
    "windows_of",
]
