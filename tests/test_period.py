"""The analyst's period (issue 9, item 1): presets counted from the data's last day, and the
check that refuses a period with a reason instead of ignoring it."""

from __future__ import annotations

import datetime as dt

import pytest

from geo_trygghet.ui.period import check_period, parse_day, preset_periods

SPAN = (dt.date(2023, 1, 1), dt.date(2024, 12, 31))


@pytest.mark.parametrize(("text", "day"), [
    ("2024-01-31", dt.date(2024, 1, 31)), (" 2024-3-5 ", dt.date(2024, 3, 5)), ("2024-02-29", dt.date(2024, 2, 29)),
    ("2023-02-29", None), ("2024-13-01", None), ("31/1/2024", None), ("", None), (None, None), ("2024-01-31x", None),
])
def test_parse_day(text, day):
    assert parse_day(text) == day


def test_presets_count_from_the_last_day_of_the_data():
    p = preset_periods((dt.date(2022, 3, 1), dt.date(2024, 6, 30)))
    assert p["all"] == (dt.date(2022, 3, 1), dt.date(2024, 6, 30))
    assert p["last12"] == (dt.date(2023, 7, 1), dt.date(2024, 6, 30))
    assert p["this_year"] == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert p["last_year"] == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert p["same_last_year"] == (dt.date(2023, 1, 1), dt.date(2023, 6, 30))


def test_presets_stay_inside_the_data_and_leap_days():
    p = preset_periods((dt.date(2024, 1, 10), dt.date(2024, 2, 29)))
    assert "last_year" not in p and "same_last_year" not in p  # no data a year earlier
    assert p["last12"] == (dt.date(2024, 1, 10), dt.date(2024, 2, 29))  # clipped to the data
    assert preset_periods((dt.date(2023, 1, 1), dt.date(2024, 2, 29)))["same_last_year"] == (
        dt.date(2023, 1, 1), dt.date(2023, 2, 28))


@pytest.mark.parametrize(("since", "until", "reason"), [
    ("2024-01-01", "2024-06-30", None),
    ("2022-06-01", "2023-01-31", None),  # partly before the data: what there is counts
    ("2024-13-01", "2024-06-30", "period.bad_date"),
    ("2024-06-30", "2024-01-01", "period.reversed"),
    ("2025-01-01", "2025-06-30", "period.outside"),
])
def test_check_period(since, until, reason):
    period, problem = check_period(since, until, SPAN)
    assert problem == reason
    assert (period is None) == (reason is not None)
