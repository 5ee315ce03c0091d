"""The analyst's period: two text fields (YYYY-MM-DD) and the presets analysts use.

Streamlit's date picker follows the browser's locale (English month names and Sunday first
in an English browser) and, in range mode, keeps a half-typed range in the field without
sending it: the field showed a period the counts did not use, and the next rerun (a click
on the map) put the old one back. Text fields send what is typed on Enter or when the field
is left; the period is then applied, or refused with a reason beside the fields, and the
period that does apply is always written under them.

The presets count from the data's last day, not from today (an export from last year has
no "last 12 months" before today): *Senaste 12 månaderna*, *I år*, *Förra året* and *Samma
period förra året* (1 January to the last day's date, one year earlier).

Pure helpers (:func:`parse_day`, :func:`preset_periods`, :func:`check_period`) are tested
without Streamlit; :func:`period_widget` draws the fields.

>>> import datetime as dt
>>> span = (dt.date(2023, 1, 1), dt.date(2024, 6, 30))
>>> preset_periods(span)["same_last_year"]
(datetime.date(2023, 1, 1), datetime.date(2023, 6, 30))
>>> parse_day(" 2024-3-5 "), parse_day("2024-13-01")
(datetime.date(2024, 3, 5), None)
"""

from __future__ import annotations

import datetime as dt
import re

import streamlit as st

from .i18n import t
from .kept import keep, kept_widget, remember, wkey

__all__ = ["PRESETS", "check_period", "date_field", "parse_day", "period_widget", "preset_periods"]

#: The presets in the order they are offered.
PRESETS = ("all", "last12", "this_year", "last_year", "same_last_year")
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_APPLIED = "keep_f_period_applied"  # the period that applies (ISO texts), kept across pages


def parse_day(text: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` (one-digit month and day allowed, spaces ignored) as a date, else None."""
    match = _DAY.fullmatch((text or "").strip())
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _year_back(day: dt.date) -> dt.date:
    """The same date a year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def preset_periods(span: tuple[dt.date, dt.date]) -> dict[str, tuple[dt.date, dt.date]]:
    """Each preset's (first, last) day, counted from the data's last day ``span[1]`` and kept
    inside the data's ``span``; a preset that falls wholly outside the data is left out."""
    first, last = span
    jan1 = dt.date(last.year, 1, 1)
    wanted = {
        "all": (first, last),
        "last12": (_year_back(last) + dt.timedelta(days=1), last),
        "this_year": (jan1, last),
        "last_year": (dt.date(last.year - 1, 1, 1), dt.date(last.year - 1, 12, 31)),
        "same_last_year": (dt.date(last.year - 1, 1, 1), _year_back(last)),
    }
    out = {}
    for name, (a, b) in wanted.items():
        a, b = max(a, first), min(b, last)
        if a <= b:
            out[name] = (a, b)
    return out


def check_period(since_text: str, until_text: str,
                 span: tuple[dt.date, dt.date]) -> tuple[tuple[dt.date, dt.date] | None, str | None]:
    """``((since, until), None)`` for a period that can apply, else ``(None, catalogue key of the
    reason)``: a field that is not a date, a first day after the last, no data in the period."""
    since, until = parse_day(since_text), parse_day(until_text)
    if since is None or until is None:
        return None, "period.bad_date"
    if since > until:
        return None, "period.reversed"
    if until < span[0] or since > span[1]:
        return None, "period.outside"
    return (since, until), None


def _apply_preset(span: tuple[dt.date, dt.date]) -> None:
    """on_change of the presets: write the chosen preset's days into the two fields."""
    chosen = st.session_state.get(wkey("f_preset"))
    period = preset_periods(span).get(chosen) if chosen else None
    if period is None:
        return
    st.session_state[wkey("f_from")], st.session_state[wkey("f_to")] = (d.isoformat() for d in period)
    keep("f_from")
    keep("f_to")


def _matching_preset(period: tuple[dt.date, dt.date] | None, span: tuple[dt.date, dt.date]) -> str | None:
    return next((name for name, days in preset_periods(span).items() if days == period), None)


def period_widget(span: tuple[dt.date, dt.date] | None) -> tuple[dt.date | None, dt.date | None]:
    """The period in the sidebar: presets, the two fields, and what applies (or why not).
    Returns (since, until), None where it is the data's own first or last day."""
    if not span:
        return None, None
    kept_widget("f_from", span[0].isoformat())
    kept_widget("f_to", span[1].isoformat())
    period, problem = check_period(st.session_state[wkey("f_from")], st.session_state[wkey("f_to")], span)
    st.session_state[wkey("f_preset")] = _matching_preset(period, span)
    st.pills(t("f.dates"), list(preset_periods(span)), selection_mode="single", key=wkey("f_preset"),
             format_func=lambda name: t(f"period.preset.{name}"), on_change=_apply_preset, args=(span,),
             help=t("period.preset_help", last=span[1].isoformat()))
    c1, c2 = st.columns(2)
    c1.text_input(t("period.from"), key=wkey("f_from"), on_change=keep, args=("f_from",), max_chars=10,
                  placeholder=t("period.placeholder"), help=t("period.format_help"))
    c2.text_input(t("period.to"), key=wkey("f_to"), on_change=keep, args=("f_to",), max_chars=10,
                  placeholder=t("period.placeholder"), help=t("period.format_help"))
    remember("f_from", "f_to")
    if period is not None:
        st.session_state[_APPLIED] = (period[0].isoformat(), period[1].isoformat())
    applied = tuple(parse_day(d) for d in st.session_state.get(_APPLIED, ())) or span
    since, until = max(applied[0], span[0]), min(applied[1], span[1])
    if since > until:  # a period kept from another file: this file's whole span
        since, until = span
    if problem is not None:
        st.error(t(problem, first=span[0].isoformat(), last=span[1].isoformat())
                 + " " + t("period.still", since=since.isoformat(), until=until.isoformat()))
    else:
        st.caption(t("period.shows", since=since.isoformat(), until=until.isoformat(),
                     days=(until - since).days + 1))
    return (since if since > span[0] else None), (until if until < span[1] else None)


def date_field(label: str, *, key: str, value: dt.date | None, where: object = st) -> dt.date | None:
    """One date typed as ``YYYY-MM-DD`` (Streamlit's picker speaks the browser's language, with
    English months and Sunday first in an English browser), with the weekday beside a valid date
    and a line under the field when it is no date. Returns the date, or None. ``where``: a
    column or container to draw in."""
    text = where.text_input(label, value=value.isoformat() if value else "", key=key,  # type: ignore[attr-defined]
                            max_chars=10, placeholder=t("period.placeholder"), help=t("period.format_help"))
    day = parse_day(text)
    if day is None and (text or "").strip():
        where.error(t("period.bad_one"), icon=":material/event_busy:")  # type: ignore[attr-defined]
    elif day is not None:
        where.caption(t(f"period.weekday.{day.weekday()}") + " " + day.isoformat())  # type: ignore[attr-defined]
    return day
