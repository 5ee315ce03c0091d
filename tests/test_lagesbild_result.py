"""The Lagesbild result: built once from the incidents, its answers made from its own parts,
worded from the catalogue in either language, and the same figures as before on the sample."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from geo_trygghet.errors import InputError
from geo_trygghet.lagesbild import Lagesbild, build_lagesbild, lagesbild_answers
from geo_trygghet.lagesbild.wording import Join, Num, Phrase, Word
from geo_trygghet.reports._html import esc
from geo_trygghet.reports.lagesbild import report_html

from . import test_patterns
from .test_patterns import _areas

REPO = Path(__file__).resolve().parents[1]
patterned = test_patterns.patterned


@pytest.fixture(scope="module")
def lb(patterned) -> Lagesbild:
    return build_lagesbild(patterned, areas=_areas(), reference="kommun")


@pytest.fixture(scope="module")
def lb_en(patterned) -> Lagesbild:
    return build_lagesbild(patterned, areas=_areas(), reference="kommun", lang="en")


def test_the_answers_are_made_from_the_parts_of_the_one_object(lb, patterned):
    assert lb.n == len(patterned) and lb.lang == "sv" and not lb.problems
    assert [a.key for a in lb.answers] == ["commonest", "trend", "season", "days", "hours", "places", "reference"]
    assert lb.answer("commonest").figures["total"] == lb.n == int(lb.categories["count"].sum())
    assert lb.answer("commonest").figures["top_crime_types"] == lb.crime_types.head(3).to_dict()
    assert lb.answer("trend").figures["direction"] == lb.trend.direction == "rising"
    assert lb.answer("trend").code == "trend.rising"
    assert lb.answer("season").figures["p"] == lb.season.p
    assert lb.answer("days").figures["p"] == lb.concentration.weekday_p
    assert lb.answer("hours").figures["n_with_time"] == lb.weekday_hour.n_used
    total = lb.area_rates.table.iloc[-1]
    assert lb.answer("reference").figures["rate"] == total["rate"]
    assert lb.rates_table is lb.area_rates.table
    assert lb.trend_by_category["group"].tolist() == lb.categories["category"].tolist()  # one trend per category


def test_answers_are_worded_from_codes_in_either_language(lb, lb_en, patterned):
    english = lb_en
    for sv, en in zip(lb.answers, english.answers, strict=True):
        assert sv.worded("en").answer == en.answer  # the same codes and numbers, other words
        assert sv.worded("en").question == en.question != sv.question
    assert "ökning" in lb.answer("trend").answer and "increase" in english.answer("trend").answer
    assert lagesbild_answers(patterned, areas=_areas(), reference="kommun") == list(lb.answers)


def test_wording_values():
    assert Num(0.456, style="pct").word("sv") == "46 %" and Num(-0.031, style="signed_pct").word("sv") == "−3 %"
    assert Num(1 / 201, style="p_at_most").word("en") == "p ≤ 0.005"
    assert Word("lagesbild.weekday_long.5").word("sv") == "lördag"
    assert Join((Word("lagesbild.season.var"), "Norr"), "; ").word("en") == "spring; Norr"
    phrase = Phrase("lagesbild.a.hours.few", {"n": 7, "min": 20})
    assert phrase.code == "hours.few"
    assert phrase.word("sv") == "För få händelser med klockslag (7) för att bedöma tid på dygnet; minst 20 behövs."
    with pytest.raises(ValueError, match="unknown number style"):
        Num(1, style="permille")


def test_population_and_reference_choose_the_rates(patterned):
    typed = build_lagesbild(patterned, population=25_000, reference=2000.0)
    assert typed.area_rates is None and typed.category_rates is None
    row = typed.whole_rates.table.iloc[0]
    assert len(typed.whole_rates.table) == 1 and row["count"] == len(patterned)
    assert math.isclose(row["rate"], len(patterned) / (25_000 * typed.whole_rates.period_years) * 1e5)
    assert math.isclose(row["ratio"], row["rate"] / 2000)
    assert typed.answer("reference").figures["rate"] == row["rate"]
    per_category = build_lagesbild(patterned, population=25_000, reference={"tillgreppsbrott": 1000.0})
    assert per_category.rates_table is per_category.category_rates
    assert per_category.answer("reference").figures["population"] == 25_000
    nothing = build_lagesbild(patterned)
    assert nothing.rates_table is None and nothing.answer("reference") is None


def test_a_part_that_fails_raises_or_is_noted(patterned):
    with pytest.raises(InputError, match="reference 'Nowhere'"):
        build_lagesbild(patterned, areas=_areas(), reference="Nowhere")
    lb = build_lagesbild(patterned, areas=_areas(), reference="Nowhere", errors="collect")
    assert "Nowhere" in lb.problems["rates"]
    assert lb.area_rates is None and lb.answer("reference") is None
    assert [a.key for a in lb.answers] == ["commonest", "trend", "season", "days", "hours", "places"]
    with pytest.raises(ValueError, match="errors must be"):
        build_lagesbild(patterned, errors="ignore")


def test_the_report_shows_the_object(lb, lb_en):
    for one, heading in ((lb, "Sammanfattning: stödfrågorna"), (lb_en, "Summary: the guiding questions")):
        html = report_html(one, title="Lägesbild")
        assert f"<h2>{heading}</h2>" in html
        for answer in one.answers:
            assert esc(answer.answer) in html, answer.key
        assert "lagesbild.report." not in html and "lagesbild.a." not in html  # every key worded


def test_the_sample_lagesbild_tells_the_same_figures_as_before():
    """The answers on the sample municipality, as the lägesbild gave them before it became one
    object (checked line by line against the old code when it was split)."""
    from geo_trygghet.hotspots.gistar import hotspots
    from geo_trygghet.ingest.incidents import read_incidents

    incidents = read_incidents(REPO / "sample_data" / "incidents.csv").gdf
    result = hotspots(incidents, resolution=9, seed=1)
    lb = build_lagesbild(incidents, population=34_500.0, reference=3000.0, hotspot_result=result, resolution=9)
    answers = {a.key: a.answer for a in lb.answers}
    assert answers == {
        "commonest": "Av 11 661 händelser är de vanligaste kategorierna: Stöld, rån och andra tillgreppsbrott "
                     "(5 651, 48 %); Skadegörelsebrott (1 635, 14 %); Brott mot frihet och frid (1 467, 13 %). "
                     "Vanligaste brottstyper: Butiksstöld (1 940), Stöld (1 651), Cykelstöld (1 155).",
        "trend": "Ingen säker ökning eller minskning: skattad förändring 0 % per år (95 % KI −4 % – 4 %; p = 0,91) "
                 "under 24 månader. Senaste 12 månaderna: 5 831 händelser mot 5 830 de 12 månaderna före (0 %).",
        "season": "Ja: flest under sommar (index 107), färrest under vinter (index 95; 100 = genomsnitt), p = 0,02.",
        "days": "Svagt: lördag och fredag har 32 % av händelserna (jämnt fördelat vore 29 %), p < 0,001.",
        "hours": "Ja: mellan kl. 13 och 19 sker 31 % av händelserna (jämnt fördelat 25 %), p < 0,001. De 10 % mest "
                 "belastade timmarna i veckan (17 av 168 veckodag-timmar) har 20 % av händelserna.",
        "places": "Ja: de 5 % av rutorna (H3 upplösning 9; 781 av 15604) med flest händelser har 100 % av alla "
                  "händelser (vid jämn spridning omkring 20 %, p ≤ 0,005). Hälften av händelserna finns i 0,1 % av "
                  "rutorna. Getis-Ord Gi*: 122 rutor är heta punkter med minst 95 % säkerhet (FDR-korrigerat), "
                  "med 91 % av händelserna.",
        "reference": "Ja, högre än referensvärdet: 16 888 per 100 000 invånare och år (95 % KI 16 583–17 198) mot "
                     "3 000 (5,63 gånger).",
    }
    assert lb.categories["count"].iloc[0] == 5651 and lb.n == 11_661
    pd.testing.assert_series_equal(lb.weekday_hour.by_hour, lb.concentration.hour_counts, check_names=False)
