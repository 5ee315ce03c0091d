"""Which columns give an incident's time, and the ``since``/``until`` window over them.

:func:`times` finds the date-time, date, month and time-of-day columns (or takes those named
with ``time``/``date``/``clock``), parses them (:mod:`.dates`) and returns naive local
timestamps with their resolution; :func:`window` keeps the rows inside ``since``/``until``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from ..errors import DateError, SchemaError
from .columns import CLOCK_NAMES, DATE_NAMES, DATETIME_NAMES, MONTH_NAMES, Columns, norm
from .dates import looks_like_clock, parse_bound, parse_clock, parse_dates

__all__ = ["AFTER_UNTIL", "BEFORE_SINCE", "RESOLUTION_UNKNOWN", "times", "window"]

RESOLUTION_UNKNOWN = "unknown"
BEFORE_SINCE = "before --since"
AFTER_UNTIL = "after --until"


def _is_month_name(name: str) -> bool:
    k = norm(name)
    return k in MONTH_NAMES or k.split("_")[0] in ("month", "manad")


def _detect(df: pd.DataFrame, cols: Columns, source: str, clock: str | None) -> tuple[str | None, str, str | None]:
    """(date column, role, clock column) recognised by name and content."""
    dt_c = cols.find(DATETIME_NAMES, {"datetime", "tidpunkt", "handelsetid", "timestamp", "brottstid"})
    d_c = cols.find(DATE_NAMES, {"date", "datum", "handelsedatum", "brottsdatum"}, exclude=[dt_c] if dt_c else ())
    m_c = cols.find(MONTH_NAMES, {"month", "manad"})
    c_c = cols.find(CLOCK_NAMES, {"klockslag", "time", "kl"}, exclude=[c for c in (dt_c, d_c, m_c) if c])
    if dt_c and d_c and looks_like_clock(df[dt_c]):
        return d_c, "date", dt_c
    if dt_c:
        return dt_c, "time", None
    if d_c:
        paired = c_c if c_c and clock is None and looks_like_clock(df[c_c]) else None
        return d_c, "date", paired
    if m_c:
        return m_c, "time", None
    if c_c and not looks_like_clock(df[c_c]):
        return c_c, "time", None
    if c_c:
        msg = f"{source}: column '{c_c}' holds times of day but no date column was found; name it with --time"
        raise SchemaError(msg)
    return None, "time", None


def _columns(df, cols: Columns, source: str, time, date, clock) -> tuple[str | None, str, str | None]:
    date_col: str | None
    if time is not None:
        date_col, role, clock_col = cols.given(time, "--time", source), "time", None
    elif date is not None:
        date_col, role, clock_col = cols.given(date, "--date", source), "date", None
    else:
        date_col, role, clock_col = _detect(df, cols, source, clock)
    if clock is not None:
        clock_col = cols.given(clock, "--clock", source)
        if date_col is None:
            msg = f"{source}: --clock '{clock}' needs a date column as well; name it with --time or --date"
            raise SchemaError(msg)
        role = "date"
    return date_col, role, clock_col


def times(df, cols: Columns, source: str, rows: np.ndarray, *, time, date, clock, require_time: bool,
          notes: list[str], used: dict[str, str]) -> tuple[np.ndarray, str]:
    """Naive local ``datetime64[ns]`` per row (NaT where empty) and the time resolution."""
    date_col, role, clock_col = _columns(df, cols, source, time, date, clock)
    if date_col is None:
        if require_time:
            msg = f"{source}: no time column found among [{cols.listing()}]; name it with --time"
            raise SchemaError(msg)
        notes.append("no time column: dates left empty (time analyses need one; name it with --time)")
        return np.full(len(df), np.datetime64("NaT"), dtype="datetime64[ns]"), RESOLUTION_UNKNOWN
    used[role] = date_col
    ts, resolution = parse_dates(df[date_col], column=date_col, source=source, rows=rows,
                                 month=_is_month_name(date_col))
    if clock_col is not None and resolution != schema.RESOLUTION_MONTH:
        used["clock"] = clock_col
        td = parse_clock(df[clock_col], column=clock_col, source=source, rows=rows)
        if td.notna().any():
            ts = ts.dt.normalize() + td.fillna(pd.Timedelta(0))
            resolution = schema.RESOLUTION_MINUTE
    if resolution == schema.RESOLUTION_MONTH:
        ts = ts.dt.to_period("M").dt.to_timestamp()
        notes.append(f"column '{date_col}' gives months only: time resolution is month")
    return ts.to_numpy(dtype="datetime64[ns]"), resolution


def window(occurred: np.ndarray, keep: np.ndarray, since, until, resolution: str, source: str,
           dropped: dict[str, int]) -> np.ndarray:
    """``keep`` narrowed to whole days from ``since`` to ``until`` (inclusive); counts go to ``dropped``."""
    if resolution == RESOLUTION_UNKNOWN:
        msg = f"{source}: --since/--until need a time column; name it with --time"
        raise SchemaError(msg)
    lo = parse_bound(since, "--since") if since is not None else None
    hi = parse_bound(until, "--until") if until is not None else None
    if lo is not None and hi is not None and hi < lo:
        msg = f"--until {hi.date()} is before --since {lo.date()}; swap them"
        raise DateError(msg)
    before_n = keep.sum()
    if lo is not None:
        mask = keep & (occurred < lo.to_datetime64())
        if mask.any():
            dropped[BEFORE_SINCE] = int(mask.sum())
        keep = keep & ~mask
    if hi is not None:
        end = (hi + pd.Timedelta(days=1)).to_datetime64()
        mask = keep & (occurred >= end)
        if mask.any():
            dropped[AFTER_UNTIL] = int(mask.sum())
        keep = keep & ~mask
    if before_n and not keep.any():
        ts = occurred[~np.isnat(occurred)]
        span = f"{pd.Timestamp(ts.min()).date()} to {pd.Timestamp(ts.max()).date()}" if len(ts) else "no dates"
        win = f"{lo.date() if lo is not None else '…'} to {hi.date() if hi is not None else '…'}"
        msg = f"{source}: no incidents from {win}; the file's dates run from {span}: change --since/--until"
        raise DateError(msg)
    return keep
