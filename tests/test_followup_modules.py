"""The follow-up's modules one by one: result objects, wording, error codes, count models, doctests."""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo_trygghet.followup import (
    ControlCounts,
    CountModels,
    Estimate,
    EvaluationResult,
    Note,
    Verdict,
    Wdd,
    effect_from_monthly,
    evaluate,
    make_windows,
)
from geo_trygghet.followup._errors import FollowupInputError, error_code
from geo_trygghet.followup.effects import WDQ_CODES, wdq_code
from geo_trygghet.followup.fixed_remarks import STATUSES
from geo_trygghet.followup.models import count_panel, did_models
from geo_trygghet.followup.wording import (
    NOTE_KEYS,
    POOLED_KEYS,
    VERDICT_KEYS,
    WDQ_KEYS,
    note_text,
    pooled_reading,
    pooled_verdict,
    reading,
    wdq_reading,
)
from geo_trygghet.i18n import all_texts

MODULES = ["areas", "windows", "effects", "models", "result", "before_after", "wording", "controls",
           "fixed_remarks", "pooling"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(f"geo_trygghet.followup.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_every_code_has_swedish_and_english_text():
    texts = all_texts()
    keys = [*VERDICT_KEYS.values(), *WDQ_KEYS.values(), *NOTE_KEYS.values(), *POOLED_KEYS.values()]
    missing = [k for k in keys if k not in texts or not {"sv", "en"} <= set(texts[k])]
    assert not missing
    assert set(WDQ_KEYS) == set(WDQ_CODES)
    assert set(VERDICT_KEYS) | {Verdict.TOO_FEW} == set(Verdict)


def test_verdict_codes_and_json_values():
    assert [v.value for v in Verdict] == ["fell", "rose", "no clear change", "not enough incidents to say"]
    assert [v.code for v in Verdict] == ["fell", "rose", "unclear", "too_few"]


def _result(**kw) -> EvaluationResult:
    w = make_windows("2022-07-01")
    base = dict(windows=w, target_before=100, target_after=50, control_before=100, control_after=100)
    return EvaluationResult(**{**base, **kw})


def test_to_dict_flattens_the_dataclasses_into_the_contract_keys():
    res = _result(
        buffer_before=100, buffer_after=80,
        odds_ratio=Estimate(2.0, 1.29, 3.1), odds_ratio_overdispersed=Estimate(2.0, 1.2, 3.3),
        wdq=0.4, wdq_code="diffusion", wdd=Wdd(-70.0, 530.0, -3.04, 0.002),
        models=CountModels(poisson=Estimate(0.5, 0.3, 0.8, 0.01), negbin_cluster=Estimate(0.5, 0.45, 0.55),
                           errors="x"),
        per_control=[ControlCounts("a", 100, 100, Estimate(2.0, 1.29, 3.1))],
        verdict=Verdict.FELL, notes=[Note("buffer_cut")],
    )
    d = res.to_dict()
    assert d["odds_ratio"] == 2.0 and d["odds_ratio_ci"] == [1.29, 3.1]
    assert d["odds_ratio_ci_overdispersed"] == [1.2, 3.3]
    assert d["odds_ratio_haldane"] is None and d["odds_ratio_haldane_ci"] == [None, None]
    assert (d["wdd"], d["wdd_variance"], d["wdd_p"]) == (-70.0, 530.0, 0.002)
    assert d["irr_poisson"] == 0.5 and d["irr_poisson_ci"] == [0.3, 0.8] and d["irr_poisson_p"] == 0.01
    assert d["irr_negbin"] is None and d["irr_poisson_hc_ci"] == [None, None]
    # one cluster interval present: both cluster keys are given, the missing one as nulls
    assert d["irr_poisson_cluster_ci"] == [None, None] and d["irr_negbin_cluster_ci"] == [0.45, 0.55]
    assert d["verdict"] == "fell" and d["model_errors"] == "x"
    assert d["wdq_reading"] == "diffusion of benefits: crime also fell in the buffer"
    assert d["per_control"] == [{"name": "a", "control_before": 100, "control_after": 100, "odds_ratio": 2.0,
                                 "odds_ratio_ci": [1.29, 3.1]}]
    assert d["notes"] == ["the buffer overlapped the target; the target was cut out of it"]
    assert d["reading_en"] == ("Crime fell in the target area relative to the control area (OR 2.00; 95 % CI "
                               "1.20–3.30). In the buffer – diffusion of benefits: crime also fell in the buffer.")
    assert "irr_negbin_cluster_ci" not in _result().to_dict()


def test_the_reading_uses_the_adjusted_interval_then_the_plain_then_haldane():
    plain = _result(odds_ratio=Estimate(2.0, 1.29, 3.1), verdict=Verdict.FELL)
    assert plain.assessed == plain.odds_ratio and "1,29–3,10" in reading(plain, "sv")
    haldane = _result(odds_ratio_haldane=Estimate(68.53, 4.06, 1157.03), verdict=Verdict.FELL)
    # no thousands separator: the JSON's readings never had one
    assert reading(haldane, "sv").endswith("(OR med Haldanes korrigering 68,53; 95 % KI 4,06–1157,03).")
    assert reading(haldane, "en").endswith("(OR with Haldane's correction 68.53; 95 % CI 4.06–1157.03).")


def test_the_buffer_is_read_only_after_a_certain_fall():
    unclear = _result(odds_ratio=Estimate(1.1, 0.8, 1.5), buffer_before=10, buffer_after=30,
                      wdq_code="displacement_more")
    assert "skada" not in reading(unclear, "sv") and "Buffertzonen tolkas inte" in reading(unclear, "sv")
    certain = _result(odds_ratio=Estimate(2.0, 1.3, 3.1), buffer_before=10, buffer_after=12, wdq_code="negligible",
                      wdd=Wdd(-48.0, 372.0, -2.5, 0.3), verdict=Verdict.FELL)
    assert reading(certain, "sv").endswith(
        "I buffertzonen – ingen tydlig förskjutning eller spridning av nytta (osäkert: WDD p = 0,300).")
    without = _result(odds_ratio=Estimate(2.0, 1.3, 3.1), verdict=Verdict.FELL)
    assert reading(without, "en").endswith("(OR 2.00; 95 % CI 1.30–3.10).")


def test_wdq_codes_cover_every_branch():
    assert wdq_code(0.5, 0.1) == "not_interpreted"
    assert wdq_code(math.nan, -0.2) == "not_available"
    assert wdq_code(0.05, -0.2) == "negligible"
    assert wdq_code(1.5, -0.2) == "diffusion_more"
    assert wdq_code(-0.5, -0.2) == "displacement"
    assert wdq_code(-1.5, -0.2) == "displacement_more"
    assert wdq_reading(None) is None
    assert wdq_reading("not_available", "sv") == "kan inte beräknas"


def test_notes_are_codes_worded_in_either_language():
    note = Note("control_overlaps_buffer", {"name": "K1"})
    assert note_text(note, "en") == (
        "control area K1 overlaps the buffer; displacement into it would hide in the control")
    assert "K1" in note_text(note, "sv") and "buffertzonen" in note_text(note, "sv")
    assert note_text(Note("no_such_code")) == "no_such_code"


def test_pooled_verdicts_and_readings():
    assert pooled_verdict(k=0, ci_low=math.nan, ci_high=math.nan) == "too_few"
    assert pooled_verdict(k=3, ci_low=1.01, ci_high=2) == "fell"
    assert pooled_verdict(k=3, ci_low=0.2, ci_high=0.99) == "rose"
    assert pooled_verdict(k=3, ci_low=1.0, ci_high=2) == "unclear"
    assert pooled_reading(k=2, odds_ratio=1.2, ci_low=0.9, ci_high=1.6, lang="sv") == (
        "Ingen säker förändring nära åtgärdade anmärkningar (OR 1,20; 95 % KI 0,90–1,60; 2 anmärkningar).")
    assert pooled_reading(k=0, odds_ratio=math.nan, ci_low=math.nan, ci_high=math.nan, lang="en") == (
        "Not enough incidents near the fixed remarks to say.")


def test_status_codes_are_worded_by_the_app():
    from geo_trygghet.ui.followup.fixed_remarks import STATUS_KEYS

    assert set(STATUS_KEYS) == set(STATUSES)
    assert all(k in all_texts() for k in STATUS_KEYS.values())


# --------------------------------------------------------------------------- error codes
def test_errors_carry_a_code_for_the_app_and_keep_the_cli_message():
    with pytest.raises(FollowupInputError, match="--before 0: give a whole number") as err:
        make_windows("2022-07-01", before_days=0)
    assert error_code(err.value) == ("bad_days", {"which": "before", "days": 0})
    gdf = pd.DataFrame({"occurred_at": pd.to_datetime(["2022-01-01"]), "lon": [13.005], "lat": [55.605]})
    with pytest.raises(FollowupInputError, match="control area control_1 overlaps the target") as err:
        evaluate(gdf, target=box(13.0, 55.6, 13.01, 55.61), controls=box(13.005, 55.6, 13.02, 55.61),
                 intervention="2022-07-01")
    assert error_code(err.value) == ("control_overlaps_target", {"name": "control_1"})
    assert error_code(ValueError("x")) == (None, {})


def test_the_app_words_the_errors_without_cli_flags():
    from geo_trygghet.followup._errors import CODES
    from geo_trygghet.ui.followup._common import ERROR_KEYS, error_text

    assert set(ERROR_KEYS) == set(CODES)
    for code in CODES:
        msg = error_text(FollowupInputError("--flag message", code=code, name="K1", which="before", days=0))
        assert "--" not in msg and msg != ERROR_KEYS[code]
    assert error_text(ValueError("something else")) == "Kunde inte beräknas: something else"


def test_distinct_control_names():
    from geo_trygghet.ui.followup.choose import distinct_names

    g = box(0, 0, 1, 1)
    names = [n for n, _ in distinct_names([("A", g), ("A", g), ("target", g), ("B", g)])]
    assert names == ["A", "A (2)", "target (k)", "B"]


# --------------------------------------------------------------------------- count models
def test_count_models_on_a_panel_and_a_failed_fit():
    rng = np.random.default_rng(3)
    days = np.full(24, 30.0)
    post = np.r_[np.zeros(12, bool), np.ones(12, bool)]
    target = rng.poisson(np.where(post, 10, 20))
    control = rng.poisson(np.full(24, 20))
    models = did_models(count_panel([("target", 1, target), ("c", 0, control)], post, days))
    assert models.errors.startswith("quasi") and not models.notes
    assert models.poisson.ci_low < models.poisson.value < models.poisson.ci_high
    assert 0.3 < models.poisson.value < 0.8 and models.negbin_alpha >= 0
    assert models.poisson_cluster is None  # two areas: no cluster-robust intervals
    # nothing at all in the target after: the fits cannot converge and say so instead of raising
    failed = did_models(count_panel([("target", 1, np.where(post, 0, target)), ("c", 0, control)], post, days))
    assert [n.code for n in failed.notes] == ["poisson_failed", "negbin_failed"]
    assert not failed.poisson.has_value and not failed.negbin.has_value
    assert "could not be fitted (OverflowError" in failed.notes[0].text("en")


def test_effect_from_monthly_without_points():
    monthly = pd.DataFrame({"window": ["before"] * 6 + ["after"] * 6, "days": 30,
                            "target": [20] * 6 + [10] * 6, "control": [20] * 12})
    res = effect_from_monthly(monthly, control_columns=["control"])
    assert (res.target_before, res.target_after, res.control_before, res.control_after) == (120, 60, 120, 120)
    assert res.odds_ratio.value == pytest.approx(2.0)
    assert res.verdict == Verdict.FELL and res.windows.before_days == 180
    assert res.per_control[0].odds_ratio.value == pytest.approx(2.0)
