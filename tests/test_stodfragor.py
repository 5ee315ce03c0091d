"""The stödfrågor: every answer is checked against a truth planted in synthetic data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from geo_trygghet import schema as S
from geo_trygghet.lagesbild import concentration as C
from geo_trygghet.lagesbild import rates as R
from geo_trygghet.lagesbild import stodfragor as Q

from . import test_patterns
from .test_patterns import _areas, make_incidents

#: the synthetic incidents with and without planted patterns, the module-scoped fixtures of test_patterns
patterned = test_patterns.patterned
plain = test_patterns.plain


def test_lagesbild_answers_find_the_planted_patterns(patterned):
    before = patterned.copy()
    answers = Q.lagesbild_answers(patterned, population=25_000, reference=2_000.0)
    pd.testing.assert_frame_equal(patterned, before)
    by_key = {a.key: a for a in answers}
    assert list(by_key) == ["commonest", "trend", "season", "days", "hours", "places", "reference"]
    for a in answers:
        q, text, figs = a  # iterates as (question, answer, figures)
        assert q.endswith("?") and text and isinstance(figs, dict)
    assert by_key["commonest"].figures["top_categories"][0]["category"] == "tillgreppsbrott"
    assert "Stöld, rån och andra tillgreppsbrott" in by_key["commonest"].answer
    assert by_key["trend"].figures["direction"] == "rising" and "ökning" in by_key["trend"].answer
    assert by_key["season"].answer.startswith("Ja") and "sommar" in by_key["season"].answer
    assert by_key["days"].answer.startswith("Ja") and "lördag" in by_key["days"].answer
    assert by_key["hours"].answer.startswith("Ja")
    assert by_key["places"].answer.startswith("Ja")
    ref = by_key["reference"]
    n = len(patterned)
    years = ref.figures["years"]
    assert math.isclose(ref.figures["rate"], n / (25_000 * years) * 1e5)
    low, high = ref.figures["rate_low"], ref.figures["rate_high"]
    expected_word = "högre" if low > 2000 else ("lägre" if high < 2000 else "säker")
    assert expected_word in ref.answer


def test_lagesbild_answers_say_no_when_nothing_is_planted(plain):
    by_key = {a.key: a for a in Q.lagesbild_answers(plain)}
    assert "reference" not in by_key
    assert by_key["trend"].figures["direction"] == "flat"
    assert by_key["days"].answer.startswith("Nej")
    assert by_key["hours"].answer.startswith("Nej")
    assert by_key["places"].answer.startswith("Nej")


def test_lagesbild_answers_english_and_reference_areas(patterned):
    areas = _areas()
    answers = Q.lagesbild_answers(patterned, areas=areas, reference="kommun", lang="en")
    by_key = {a.key: a for a in answers}
    assert by_key["trend"].question == "Has there been an increase or decrease over time?"
    assert "increase" in by_key["trend"].answer
    assert "Saturday" in by_key["days"].answer
    # the hot spot sits in the east (0.6 of the width): east has more incidents per inhabitant? compute it
    tab = R.rates_per_100k(patterned, areas).table.set_index("name")
    top = tab[~tab["is_total"]]["rate"].idxmax()
    assert f"Highest is {top}" in by_key["reference"].answer


def test_day_resolution_rows_do_not_fake_hours():
    rng = np.random.default_rng(2)
    df = make_incidents(rng, months=12, resolution="day")
    df[S.OCCURRED_AT] = df[S.OCCURRED_AT].dt.normalize()  # date only: all at 00:00
    by_key = {a.key: a for a in Q.lagesbild_answers(df)}
    assert by_key["hours"].figures["n_with_time"] == 0
    assert "klockslag" in by_key["hours"].answer


def test_small_numbers_are_judged_honestly():
    rng = np.random.default_rng(0)
    assert C._gof_even_p(np.array([5, 0, 0, 0, 0, 0, 0]), rng) < 0.01  # exact: 7·(1/7)^5 ≈ 0.0004
    assert C._gof_even_p(np.array([1, 1, 1, 1, 1, 0, 0]), rng) > 0.5
    df = pd.DataFrame({S.OCCURRED_AT: pd.date_range("2024-01-01 22:00", periods=7, freq="D"),
                       S.TIME_RESOLUTION: "minute", S.CRIME_TYPE: "Misshandel",
                       S.CATEGORY: "brott_mot_liv_och_halsa", S.LON: 16.2, S.LAT: 59.0})
    by_key = {a.key: a for a in Q.lagesbild_answers(df, population=1000, reference=100.0)}
    assert by_key["trend"].figures["direction"] == "insufficient"
    assert by_key["season"].answer.startswith("Underlaget täcker bara 1 månad;")
    assert by_key["days"].answer.startswith("För få händelser (7)")
    assert by_key["hours"].answer.startswith("För få händelser med klockslag (7)")
    assert "bara 7 dagar" in by_key["reference"].answer
