"""Vectorised date, time-of-day and ``--since``/``--until`` parsing for ingest.

Every parser works on whole columns: a format is chosen on a sample of the
distinct values, applied to the column in one ``pd.to_datetime`` call, and only
the values that failed are retried with the other formats. Values that no
format reads are reported (the first five, with their row numbers) in one
:class:`~geo_trygghet.errors.DateError` line.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from .. import settings
from ..errors import DateError

LOCAL_TZ = settings.local_tz

#: string formats tried in order; "ISO8601" covers 2024-01-05, 2024-01-05T22:15,
#: 2024-01-05 22:15:00+01:00 and 2022-01.
DATE_FORMATS = (
    "ISO8601",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H.%M",
    "%Y-%m-%d kl %H:%M",
    "%Y-%m-%d kl. %H:%M",
    "%Y-%m-%d kl %H.%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d %H:%M",
    "%Y%m%d %H%M",
    "%Y%m%dT%H%M%S",
    "%Y%m%d",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d/%m %Y %H:%M",
    "%d/%m %Y",
    "%Y-%m",
)
MONTH_FORMATS = ("%Y-%m", "%Y%m", "%Y/%m", "%Y.%m", "%m/%Y", "%m-%Y")
_TZ_SUFFIX = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_MONTH_ONLY = re.compile(r"^\d{4}[-/.]\d{1,2}$")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_CLOCK = r"^(\d{1,2})(?:[:.]?(\d{2}))?(?:[:.](\d{2})(?:\.\d+)?)?$"

YEAR_MIN, YEAR_MAX = 1900, 2100


def _examples(mask: np.ndarray, values: pd.Series, rows: np.ndarray, k: int = 5) -> str:
    idx = np.flatnonzero(mask)[:k]
    return ", ".join(f"row {int(rows[i])} '{_short(values.iloc[i])}'" for i in idx)


def _short(v: object, n: int = 30) -> str:
    s = " ".join(str(v).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _fail(column: str, source: str, mask: np.ndarray, values: pd.Series, rows: np.ndarray, fix: str) -> DateError:
    n = int(mask.sum())
    what = "row cannot" if n == 1 else "rows cannot"
    msg = f"{source}, column '{column}': {n} {what} be read as dates, e.g. {_examples(mask, values, rows)}; {fix}"
    return DateError(msg)


def _to_ns_naive(ts: pd.Series) -> pd.Series:
    """Naive local ``datetime64[ns]``; years outside 1900–2100 become NaT (no overflow)."""
    if isinstance(ts.dtype, pd.DatetimeTZDtype):
        ts = ts.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    years = ts.dt.year
    ts = ts.where((years >= YEAR_MIN) & (years <= YEAR_MAX))
    return ts.astype("datetime64[ns]")


def _as_text(s: pd.Series) -> pd.Series:
    """Strings with missing for empty cells (Python objects such as dates → their str).

    Object columns are converted through their distinct values, so a column of a
    million ``datetime.time`` cells costs as much as its 1 440 distinct minutes.
    """
    if s.dtype == object:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        texts = np.array([str(v) for v in uniques] + [None], dtype=object)
        s = pd.Series(texts[codes], index=s.index)
    t = s.astype("str").str.strip()
    return t.where(t != "", None)


def _parse_numbers(x: pd.Series, column: str, source: str, rows: np.ndarray, month: bool) -> tuple[pd.Series, str]:
    v = x.astype("float64")
    ok = v.notna().to_numpy()
    vals = v.to_numpy()[ok]
    out = pd.Series(pd.NaT, index=x.index, dtype="datetime64[ns]")
    if not ok.any():
        return out, "day"
    integral = bool(np.all(np.floor(vals) == vals))
    lo, hi = float(vals.min()), float(vals.max())
    if integral and month and lo >= 190001 and hi <= 210012:
        txt = pd.Series(vals.astype(np.int64).astype(str))
        parsed = pd.to_datetime(txt, format="%Y%m", errors="coerce").to_numpy()
        resolution = "month"
    elif integral and lo >= 19000101 and hi <= 21001231:
        txt = pd.Series(vals.astype(np.int64).astype(str))
        parsed = pd.to_datetime(txt, format="%Y%m%d", errors="coerce").to_numpy()
        resolution = "day"
    elif lo >= 18264 and hi < 73051:  # Excel serial days: 1950-01-01 … 2099-12-31
        days = pd.to_timedelta(np.round(vals * 86400.0), unit="s")
        parsed = (pd.Timestamp("1899-12-30") + days).to_numpy()
        resolution = "day" if integral else "minute"
    elif lo >= 9.0e8 and hi <= 4.2e9:  # Unix seconds, 1998 … 2103
        utc = pd.to_datetime(vals, unit="s", utc=True)
        parsed = utc.tz_convert(LOCAL_TZ).tz_localize(None).to_numpy()
        resolution = "minute"
    else:
        bad = ok.copy()
        msg = (
            f"{source}, column '{column}' holds numbers such as "
            f"{_examples(bad, x, rows, 2)} that are not dates; use YYYY-MM-DD (or name the right column with --time)"
        )
        raise DateError(msg)
    res = out.to_numpy().copy()
    res[ok] = parsed
    out = pd.Series(res, index=x.index).astype("datetime64[ns]")
    failed = ok & out.isna().to_numpy()
    if failed.any():
        raise _fail(column, source, failed, x, rows, "use YYYY-MM-DD")
    if resolution != "month" and month:
        resolution = "month"
    return out, resolution


def parse_dates(
    s: pd.Series, *, column: str, source: str, rows: np.ndarray, month: bool = False
) -> tuple[pd.Series, str]:
    """Parse a date or date-time column.

    Returns the naive local timestamps (``datetime64[ns]``, NaT for empty cells)
    and the resolution: ``"month"`` (month-only values, or ``month=True`` for a
    column named month/månad), ``"minute"`` (some value has a time of day) or
    ``"day"``. Aware values are converted to Europe/Stockholm.
    """
    s = s.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        out = _to_ns_naive(s)
        failed = (s.notna() & out.isna()).to_numpy()
        if failed.any():
            raise _fail(column, source, failed, s, rows, f"use dates between {YEAR_MIN} and {YEAR_MAX}")
        return out, _resolution(out, month)
    if pd.api.types.is_bool_dtype(s.dtype):
        msg = f"{source}, column '{column}' holds true/false values, not dates; name the date column with --time"
        raise DateError(msg)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return _parse_numbers(s, column, source, rows, month)
    text = _as_text(s)
    present = text.notna().to_numpy()
    if not present.any():
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]"), "day"
    values = text[present]
    uniq = pd.unique(values)
    sample = pd.Series(uniq[:200], dtype="str")
    # numbers written as text: Excel serials or YYYYMMDD
    if sample.str.fullmatch(_NUMBER).all():
        numbers = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        if numbers[present].notna().all():
            return _parse_numbers(numbers, column, source, rows, month)
    month_only = bool(sample.str.fullmatch(_MONTH_ONLY).all()) or (month and bool(sample.str.len().le(7).all()))
    formats = (MONTH_FORMATS + DATE_FORMATS) if month_only else DATE_FORMATS
    aware = bool(sample.str.contains(_TZ_SUFFIX).any())
    fmt = _choose(sample, formats, aware)
    out = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")  # type: ignore[assignment]
    parsed = _apply(values, fmt, aware)
    out[present] = parsed.to_numpy()
    failed = present & np.isnat(out)
    if failed.any():
        for other in formats:
            if other == fmt:
                continue
            retry = _apply(text[failed], other, aware).to_numpy()
            got = ~np.isnat(retry)
            if got.any():
                idx = np.flatnonzero(failed)[got]
                out[idx] = retry[got]
                failed = present & np.isnat(out)
                if not failed.any():
                    break
    if failed.any():
        raise _fail(column, source, failed, s, rows, "use YYYY-MM-DD (or YYYY-MM-DD HH:MM)")
    series = pd.Series(out, index=s.index)
    if month_only:
        return series, "month"
    return series, _resolution(series, month)


def _choose(sample: pd.Series, formats: tuple[str, ...], aware: bool) -> str:
    best, best_n = formats[0], -1
    for fmt in formats:
        n = int(_apply(sample, fmt, aware).notna().sum())
        if n == len(sample):
            return fmt
        if n > best_n:
            best, best_n = fmt, n
    return best


def _apply(values: pd.Series, fmt: str, aware: bool) -> pd.Series:
    try:
        if aware and fmt == "ISO8601":
            ts = pd.to_datetime(values, format=fmt, errors="coerce", utc=True)
        else:
            ts = pd.to_datetime(values, format=fmt, errors="coerce")
    except (ValueError, TypeError, OverflowError):
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    ts = _to_ns_naive(pd.Series(ts, index=values.index))
    years = ts.dt.year
    return ts.where((years >= YEAR_MIN) & (years <= YEAR_MAX))


def _resolution(ts: pd.Series, month: bool) -> str:
    if month:
        return "month"
    valid = ts.dropna()
    if len(valid) and (valid != valid.dt.normalize()).any():
        return "minute"
    return "day"


def parse_clock(s: pd.Series, *, column: str, source: str, rows: np.ndarray) -> pd.Series:
    """Times of day (22:15, 2215, 22.15, 9:05:30, Excel fractions, time cells) → timedelta."""
    s = s.reset_index(drop=True)
    if pd.api.types.is_timedelta64_dtype(s.dtype):
        return s.astype("timedelta64[ns]")
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        ts = s.dt.tz_localize(None) if isinstance(s.dtype, pd.DatetimeTZDtype) else s
        return (ts - ts.dt.normalize()).astype("timedelta64[ns]")
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = s.astype("float64")
        ok = v.notna().to_numpy()
        vals = v.to_numpy()
        out = pd.Series(pd.NaT, index=s.index, dtype="timedelta64[ns]")
        if not ok.any():
            return out
        if np.nanmax(vals) < 1.0 and np.nanmin(vals) >= 0.0:  # Excel fraction of a day
            fraction = pd.to_timedelta(np.round(vals * 86400.0), unit="s")
            return pd.Series(fraction, index=s.index).astype("timedelta64[ns]")
        fractional = bool(np.any(np.floor(vals[ok]) != vals[ok]))
        if fractional:  # 22.15 read as a number: H.MM
            h = np.floor(vals)
            m = np.round((vals - h) * 100.0)
        elif np.nanmax(vals) <= 24:  # whole hours
            h, m = vals, np.zeros_like(vals)
        else:  # 2215: HHMM
            h, m = np.floor(vals / 100.0), np.mod(vals, 100.0)
        bad = ok & ((h > 23) | (m > 59) | (vals < 0))
        if bad.any():
            raise _clock_fail(column, source, bad, s, rows)
        secs = np.where(ok, h * 3600 + m * 60, np.nan)
        return pd.Series(pd.to_timedelta(secs, unit="s"), index=s.index).astype("timedelta64[ns]")
    codes, uniques = pd.factorize(_as_text(s), use_na_sentinel=True)
    present = codes >= 0
    parts = pd.Series(uniques, dtype="str").str.extract(_CLOCK)
    h = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    m = pd.to_numeric(parts[1], errors="coerce").fillna(0).to_numpy(dtype="float64", na_value=np.nan)
    sec = pd.to_numeric(parts[2], errors="coerce").fillna(0).to_numpy(dtype="float64", na_value=np.nan)
    bad_u = np.isnan(h) | (h > 24) | (m > 59) | (sec > 59) | ((h == 24) & ((m > 0) | (sec > 0)))
    secs_u = np.append(h * 3600 + m * 60 + sec, np.nan)
    bad = present & np.append(bad_u, False)[codes]
    if bad.any():
        raise _clock_fail(column, source, bad, s, rows)
    secs = secs_u[codes]
    return pd.Series(pd.to_timedelta(secs, unit="s"), index=s.index).astype("timedelta64[ns]")


def _clock_fail(column: str, source: str, mask: np.ndarray, values: pd.Series, rows: np.ndarray) -> DateError:
    n = int(mask.sum())
    what = "row cannot" if n == 1 else "rows cannot"
    msg = (
        f"{source}, column '{column}': {n} {what} be read as times of day, "
        f"e.g. {_examples(mask, values, rows)}; use HH:MM"
    )
    return DateError(msg)


def looks_like_clock(s: pd.Series) -> bool:
    """True when a column's values look like times of day rather than dates."""
    if pd.api.types.is_timedelta64_dtype(s.dtype):
        return True
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        ts = s.dropna()
        same_day = bool(len(ts)) and bool((ts.dt.normalize() == ts.dt.normalize().iloc[0]).all())
        return same_day and ts.dt.year.iloc[0] < 1901
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = s.dropna().astype("float64")
        return bool(len(v)) and float(v.min()) >= 0 and float(v.max()) <= 2400
    sample = s.dropna().head(200)
    if sample.dtype == object and len(sample) and isinstance(sample.iloc[0], dt.time):
        return True
    text = _as_text(sample).dropna()
    return bool(len(text)) and bool(text.str.fullmatch(_CLOCK).mean() >= 0.8)


def parse_bound(value: object, flag: str) -> pd.Timestamp:
    """A ``--since``/``--until`` value (date string, date or datetime) → the day's midnight."""
    if isinstance(value, pd.Timestamp):
        ts = value
    elif isinstance(value, (dt.datetime, dt.date)):
        ts = pd.Timestamp(value)
    else:
        text = str(value).strip()
        parsed = None
        for fmt in ("ISO8601", "%Y%m%d"):
            try:
                parsed = pd.to_datetime(text, format=fmt)
                break
            except (ValueError, TypeError, OverflowError):
                continue
        if parsed is None or pd.isna(parsed):
            msg = f"{flag} '{_short(value)}' is not a date; use YYYY-MM-DD"
            raise DateError(msg)
        ts = pd.Timestamp(parsed)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(LOCAL_TZ).tz_localize(None)
    return ts.normalize()
