"""The åtgärdsplan's rules as data: the traffic light over every combination of production and
outcome, how evidence makes one outcome, overrides, production told by remarks, plan statuses."""

from __future__ import annotations

import itertools

import pytest

from geo_trygghet.actionplan import rules
from geo_trygghet.errors import InputError, InvalidTransitionError

G, Y, R, NO = rules.GRON, rules.GUL, rules.ROD, None
#: The rule as the README states it: production → light for good, none, bad, unknown.
EXPECTED = {
    rules.GENOMFORD: (G, Y, R, Y),
    rules.DELVIS: (Y, Y, R, Y),
    rules.EJ_GENOMFORD: (R, R, R, R),
    rules.EJ_RAPPORTERAD: (NO, NO, NO, NO),
}
OUTCOME_ORDER = (rules.GOOD, rules.NONE, rules.BAD, rules.UNKNOWN)


@pytest.mark.parametrize(("production", "outcome"), list(itertools.product(rules.PRODUCTION_STATUSES, rules.OUTCOMES)))
def test_the_light_for_every_combination(production, outcome):
    expected = EXPECTED[production][OUTCOME_ORDER.index(outcome)]
    assert rules.light_for(production, outcome) == expected
    decision = rules.decide_light(production, outcome)
    assert (decision.light, decision.source, decision.reason) == (expected, "rule", None)
    assert decision.colour == rules.LIGHT_COLOURS[expected]


def test_the_table_covers_every_combination_and_nothing_else():
    assert set(rules.LIGHT_RULE) == set(itertools.product(rules.PRODUCTION_STATUSES, rules.OUTCOMES))
    with pytest.raises(InputError):
        rules.light_for("klar", rules.GOOD)


@pytest.mark.parametrize(("production", "outcome"), list(itertools.product(rules.PRODUCTION_STATUSES, rules.OUTCOMES)))
@pytest.mark.parametrize("override", rules.LIGHTS)
def test_an_override_wins_over_the_rule_and_keeps_its_reason(production, outcome, override):
    decision = rules.decide_light(production, outcome, override, "bedömt på mötet")
    assert (decision.light, decision.source, decision.reason) == (override, "override", "bedömt på mötet")
    assert (decision.production, decision.outcome) == (production, outcome)


@pytest.mark.parametrize(("outcomes", "expected"), [
    ((), rules.UNKNOWN),
    ((rules.UNKNOWN,), rules.UNKNOWN),
    ((rules.UNKNOWN, rules.NONE), rules.NONE),
    ((rules.NONE, rules.GOOD), rules.GOOD),
    ((rules.GOOD, rules.UNKNOWN), rules.GOOD),
    ((rules.GOOD, rules.BAD), rules.BAD),
    ((rules.BAD, rules.UNKNOWN, rules.NONE), rules.BAD),
])
def test_evidence_combines_bad_over_good_over_none_over_unknown(outcomes, expected):
    assert rules.combine_outcomes(outcomes) == expected


def test_every_verdict_of_evaluate_and_every_goal_status_has_an_outcome():
    assert set(rules.VERDICT_OUTCOMES) == {"fell", "rose", "no clear change", "not enough incidents to say"}
    assert rules.VERDICT_OUTCOMES["fell"] == rules.GOOD and rules.VERDICT_OUTCOMES["rose"] == rules.BAD
    assert rules.GOAL_OUTCOMES[rules.GOAL_MET] == rules.GOOD
    assert rules.GOAL_OUTCOMES[rules.GOAL_NOT_MET] == rules.NONE


@pytest.mark.parametrize(("linked", "fixed", "expected"), [
    (0, 0, rules.EJ_RAPPORTERAD), (3, 0, rules.EJ_RAPPORTERAD), (3, 1, rules.DELVIS), (3, 3, rules.GENOMFORD),
])
def test_production_told_by_linked_remarks(linked, fixed, expected):
    assert rules.production_from_remarks(linked, fixed) == expected


def test_labels_and_words_people_write():
    assert rules.check_light("Grön") == rules.GRON and rules.check_light("red") == rules.ROD
    assert rules.check_production("Delvis genomförd") == rules.DELVIS
    assert rules.check_kind("Social") == rules.SOCIAL
    for slug in (*rules.LIGHTS, "none"):
        assert rules.label("light", slug) != f"ap.light.{slug}"
    with pytest.raises(InputError):
        rules.check_light("blå")


def test_plan_statuses_follow_their_table():
    rules.check_plan_transition(rules.UTKAST, rules.BESLUTAD)
    rules.check_plan_transition(rules.BESLUTAD, rules.AVSLUTAD)
    with pytest.raises(InvalidTransitionError):
        rules.check_plan_transition(rules.UTKAST, rules.AVSLUTAD)
    with pytest.raises(InputError):
        rules.check_plan_transition(rules.UTKAST, "godkänd")
