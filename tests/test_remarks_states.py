"""Remark states as data: the transition table, through the service, with events."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from geo_trygghet.errors import InputError, InvalidTransitionError
from geo_trygghet.remarks import (
    STATES,
    TRANSITIONS,
    WALK_TRANSITIONS,
    allowed_targets,
    is_closed,
    is_fixed,
    is_open,
    remark_categories,
    states,
)
from geo_trygghet.remarks.categories import POSITIVE_REMARK_CATEGORIES, category_label
from geo_trygghet.settings import local_today

from ._remarks_helpers import ADMIN, bring_to, new_remark

GLOSSARY = {
    "ny": ("Ny", "New", "open"),
    "tilldelad": ("Tilldelad", "Assigned", "open"),
    "planerad": ("Planerad", "Planned", "open"),
    "atgardad": ("Åtgärdad", "Fixed", "fixed"),
    "kontrollerad": ("Kontrollerad", "Verified", "fixed"),
    "inte_vart_ansvar": ("Inte vårt ansvar", "Not our responsibility", "open"),
    "dubblett": ("Dubblett", "Duplicate", "closed"),
    "kan_inte_atgardas": ("Kan inte åtgärdas", "Cannot be fixed", "closed"),
}
ALLOWED = {(t.source, t.target) for t in TRANSITIONS}


def test_states_labels_and_kinds_match_the_glossary():
    assert {s: (v.sv, v.en, v.kind) for s, v in STATES.items()} == GLOSSARY
    assert [s for s in STATES if is_open(s)] == ["ny", "tilldelad", "planerad", "inte_vart_ansvar"]
    assert [s for s in STATES if is_fixed(s)] == ["atgardad", "kontrollerad"]
    assert [s for s in STATES if is_closed(s)] == ["dubblett", "kan_inte_atgardas"]


def test_remark_categories_are_the_eleven():
    cats = remark_categories()
    assert list(cats) == [
        "belysning", "buskage", "klotter", "skadegorelse", "nedskrapning", "gangtunnel",
        "trafik", "orienterbarhet", "overgivet_foremal", "trygg_plats", "annat",
    ]  # fmt: skip
    assert cats["buskage"].sv == "Buskage/skymd sikt" and cats["trygg_plats"].en == "Safe place"
    assert [c.sv for c in cats.values()] == [
        "Belysning", "Buskage/skymd sikt", "Klotter", "Skadegörelse", "Nedskräpning",
        "Gångtunnel/passage", "Trafik", "Orienterbarhet", "Övergivet föremål", "Trygg plats", "Annat",
    ]  # fmt: skip
    assert category_label("belysning", "en") == "Lighting"
    assert [s for s, c in cats.items() if c.is_positive] == ["trygg_plats"] == sorted(POSITIVE_REMARK_CATEGORIES)


def test_the_lifecycle_of_the_design_is_in_the_table():
    main_line = [
        ("ny", "tilldelad"),
        ("tilldelad", "planerad"),
        ("planerad", "atgardad"),
        ("atgardad", "kontrollerad"),
    ]
    side = [("tilldelad", "inte_vart_ansvar"), ("inte_vart_ansvar", "tilldelad"), ("ny", "dubblett"),
            ("planerad", "kan_inte_atgardas"), ("atgardad", "tilldelad")]  # fmt: skip
    assert set(main_line + side) <= ALLOWED
    # closed states and Kontrollerad are final
    assert not [
        t for t in TRANSITIONS if t.source in ("dubblett", "kan_inte_atgardas", "kontrollerad")
    ]
    assert allowed_targets("atgardad", "analytiker") == ("kontrollerad", "tilldelad")
    assert allowed_targets("planerad", "problemagare") == (
        "planerad", "atgardad", "inte_vart_ansvar", "kan_inte_atgardas",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("source", "target"), sorted(set(itertools.product(STATES, STATES)) - ALLOWED)
)
def test_every_pair_outside_the_table_is_refused(source, target):
    with pytest.raises(InvalidTransitionError, match=r"^cannot go from '.+' to '.+': .+") as err:
        states.find_transition(source, target)
    assert "\n" not in str(err.value)


def test_unknown_state_is_refused():
    with pytest.raises(InvalidTransitionError, match="unknown remark state 'klar'"):
        states.find_transition("ny", "klar")


_counter = itertools.count(1)


@pytest.fixture
def setup(module_service):
    """A fresh walk in the module's database, and the problemägare Gatukontoret."""
    svc = module_service
    walk = svc.create_walk(ADMIN, f"Tillstånd {next(_counter)}")
    names = {o.name: o for o in svc.list_organisations()}
    org = names.get("Gatukontoret") or svc.create_organisation(
        ADMIN, "Gatukontoret", email="gata@example.se"
    )
    return svc, walk, org


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: f"{t.source}->{t.target}")
def test_every_allowed_transition_works_and_appends_an_event(setup, transition):
    svc, walk, org = setup
    original = new_remark(svc, walk)
    remark = bring_to(svc, new_remark(svc, walk), transition.source, org.id, original.id)
    before = len(svc.history(ADMIN, remark.id))
    kwargs = {
        "owner": {"owner_id": org.id},
        "planned_date": {"planned_date": local_today() + dt.timedelta(days=30)},
        "fixed_date": {"fixed_date": local_today()},
        "reason": {"reason": "Inte kommunens mark"},
        "duplicate_of": {"duplicate_of": original.id},
        None: {},
    }[transition.needs]
    changed = svc.transition(ADMIN, remark.id, transition.target, note="anteckning", **kwargs)
    assert changed.state == transition.target
    events = svc.history(ADMIN, remark.id)
    assert len(events) == before + 1
    last = events[-1]
    assert (last.from_state, last.to_state, last.actor) == (
        transition.source,
        transition.target,
        "system",
    )
    assert "anteckning" in last.note
    assert (last.owner_id, last.planned_date, last.fixed_date) == (
        changed.owner_id, changed.planned_date, changed.fixed_date,
    )  # fmt: skip
    if transition.clears_owner:
        assert changed.owner_id is None
    if transition.name == "reopen":
        assert changed.owner_id == org.id and changed.fixed_date is None


@pytest.mark.parametrize(
    ("source", "target", "kwargs", "error", "match"),
    [
        (
            "ny",
            "atgardad",
            {"fixed_date": "2025-01-01"},
            InvalidTransitionError,
            "cannot go from 'Ny' to 'Åtgärdad': assign a problemägare first",
        ),
        (
            "ny",
            "planerad",
            {"planned_date": "2025-01-01"},
            InvalidTransitionError,
            "assign a problemägare first",
        ),
        ("dubblett", "tilldelad", {}, InvalidTransitionError, "'Dubblett' is final"),
        ("kontrollerad", "tilldelad", {}, InvalidTransitionError, "'Kontrollerad' is final"),
        ("tilldelad", "kontrollerad", {}, InvalidTransitionError, "only a remark marked Åtgärdad"),
        ("ny", "tilldelad", {}, InputError, "choose a problemägare"),
        ("tilldelad", "planerad", {}, InputError, "planned date"),
        ("tilldelad", "planerad", {"planned_date": "nästa vecka"}, InputError, "YYYY-MM-DD"),
        ("tilldelad", "atgardad", {}, InputError, "date it was fixed"),
        ("tilldelad", "atgardad", {"fixed_date": "2999-01-01"}, InputError, "in the future"),
        ("tilldelad", "inte_vart_ansvar", {}, InputError, "give a reason"),
        ("planerad", "kan_inte_atgardas", {}, InputError, "give a reason"),
        ("ny", "dubblett", {}, InputError, "original remark"),
        ("ny", "dubblett", {"duplicate_of": "self"}, InputError, "duplicate of itself"),
    ],
)
def test_refused_changes_leave_no_trace(setup, source, target, kwargs, error, match):
    svc, walk, org = setup
    original = new_remark(svc, walk)
    remark = bring_to(svc, new_remark(svc, walk), source, org.id, original.id)
    if kwargs.get("duplicate_of") == "self":
        kwargs = {"duplicate_of": remark.id}
    n_events = len(svc.history(ADMIN, remark.id))
    with pytest.raises(error, match=match) as err:
        svc.transition(ADMIN, remark.id, target, **kwargs)
    assert "\n" not in str(err.value)
    assert svc.get_remark(ADMIN, remark.id) == remark
    assert len(svc.history(ADMIN, remark.id)) == n_events


def test_not_ours_goes_back_to_assignment_and_can_be_reassigned(setup):
    svc, walk, org = setup
    other = svc.create_organisation(ADMIN, f"Fastighets AB {walk.id}")
    remark = bring_to(svc, new_remark(svc, walk), "planerad", org.id)
    remark = svc.not_ours(ADMIN, remark.id, "Fastighetsbolagets gård")
    assert (remark.state, remark.owner_id, remark.planned_date, remark.is_open) == (
        "inte_vart_ansvar",
        None,
        None,
        True,
    )
    remark = svc.assign(ADMIN, remark.id, other.id)
    assert (remark.state, remark.owner_name) == ("tilldelad", other.name)
    notes = [e.note for e in svc.history(ADMIN, remark.id)]
    assert "Fastighetsbolagets gård" in notes


def test_random_changes_by_random_roles_keep_the_log_consistent(setup):
    """300 seeded random attempts on 30 remarks (any role, mostly reachable targets): refused ones leave no trace,
    and the event log alone rebuilds every remark's current state, owner and dates."""
    import random

    from geo_trygghet.errors import GeoTrygghetError
    from geo_trygghet.remarks import Actor

    svc, walk, org = setup
    rng = random.Random(20251002)
    owner_actor = Actor(kind="user", role="problemagare", username="gata", organisation_id=org.id)
    actors = [ADMIN, Actor(kind="user", role="analytiker", username="ana"), owner_actor,
              Actor.participant(walk.join_code)]  # fmt: skip
    remarks = [new_remark(svc, walk) for _ in range(30)]
    n_events = {r.id: 1 for r in remarks}
    accepted = 0
    for _ in range(300):
        remark = rng.choice(remarks)
        reachable = allowed_targets(svc.get_remark(ADMIN, remark.id).state)
        target = rng.choice(reachable if reachable and rng.random() < 0.7 else list(STATES))
        actor = rng.choice(actors)
        kwargs = {
            "owner_id": org.id,
            "planned_date": local_today() + dt.timedelta(days=rng.randint(1, 60)),
            "fixed_date": local_today() - dt.timedelta(days=rng.randint(0, 5)),
            "reason": "slumpad orsak",
            "duplicate_of": rng.choice([r.id for r in remarks if r.id != remark.id]),
        }
        before = svc.get_remark(ADMIN, remark.id)
        try:
            svc.transition(actor, remark.id, target, **kwargs)
        except GeoTrygghetError:
            assert svc.get_remark(ADMIN, remark.id) == before
            continue
        accepted += 1
        n_events[remark.id] += 1
    assert accepted > 50, accepted
    rebuilt = {r.id: r for r in svc.remarks_as_of(walk)}
    for r in svc.list_remarks(ADMIN, walk=walk):
        events = svc.history(ADMIN, r.id)
        assert len(events) == n_events[r.id]
        assert [e.from_state for e in events[1:]] == [e.to_state for e in events[:-1]]
        assert events[-1].to_state == r.state
        x = rebuilt[r.id]
        assert (x.state, x.owner_id, x.planned_date, x.fixed_date, x.duplicate_of) == (
            r.state,
            r.owner_id,
            r.planned_date,
            r.fixed_date,
            r.duplicate_of,
        )


# --------------------------------------------------------------------------- walk states
WALK_ALLOWED = {(s, t) for s, targets in WALK_TRANSITIONS.items() for t in targets}


def test_walk_states_follow_their_table(setup):
    svc, walk, _ = setup
    assert walk.state == states.WALK_PLANERAD and walk.is_open_for_remarks and walk.can_close
    closed = svc.close_walk(ADMIN, walk)
    assert closed.state == states.WALK_GENOMFORD and not closed.is_open_for_remarks and closed.can_follow_up
    assert svc.close_walk(ADMIN, walk).state == states.WALK_GENOMFORD  # the state it has: no change
    assert svc.set_walk_state(ADMIN, walk, states.WALK_PLANERAD).is_open_for_remarks  # opened again
    svc.close_walk(ADMIN, walk)
    done = svc.set_walk_state(ADMIN, walk, states.WALK_UPPFOLJD)
    assert done.state_label() == "Uppföljd" and done.state_label("en") == "Followed up"
    with pytest.raises(InvalidTransitionError, match=r"^a walk cannot go from 'uppfoljd' to 'planerad': "
                                                     r"'uppfoljd' is final$"):
        svc.set_walk_state(ADMIN, walk, states.WALK_PLANERAD)
    assert svc.get_walk(walk.id).state == states.WALK_UPPFOLJD  # nothing changed


@pytest.mark.parametrize(("source", "target"), sorted(
    {(s, t) for s in states.WALK_STATES for t in states.WALK_STATES if s != t} - WALK_ALLOWED))
def test_every_walk_change_outside_the_table_is_refused(source, target):
    with pytest.raises(InvalidTransitionError, match=rf"^a walk cannot go from '{source}' to '{target}': .+") as err:
        states.check_walk_transition(source, target)
    assert "\n" not in str(err.value)


def test_a_planned_walk_cannot_jump_to_followed_up(setup):
    svc, walk, _ = setup
    with pytest.raises(InvalidTransitionError, match="from 'planerad' it can go to genomford"):
        svc.set_walk_state(ADMIN, walk, states.WALK_UPPFOLJD)
    assert svc.get_walk(walk.id).state == states.WALK_PLANERAD
    assert states.walk_path(states.WALK_PLANERAD, states.WALK_UPPFOLJD) == (
        states.WALK_GENOMFORD, states.WALK_UPPFOLJD)
    assert states.walk_path(states.WALK_UPPFOLJD, states.WALK_UPPFOLJD) == ()
    with pytest.raises(InvalidTransitionError):
        states.walk_path(states.WALK_UPPFOLJD, states.WALK_PLANERAD)


def test_reopen_is_a_row_of_the_table_and_keeps_the_owner(setup):
    svc, walk, org = setup
    row = states.find_transition(states.ATGARDAD, states.TILLDELAD)
    assert row.name == "reopen" and row.keeps_owner and row.needs == states.NEEDS_OWNER
    fixed = bring_to(svc, new_remark(svc, walk), "atgardad", org.id)
    again = svc.reopen(ADMIN, fixed.id, "Lampan trasig igen")
    assert (again.state, again.owner_id, again.fixed_date, again.planned_date) == ("tilldelad", org.id, None, None)
    assert again.assigned_at is not None and again.assigned_at >= fixed.assigned_at
    last = svc.history(ADMIN, fixed.id)[-1]
    assert (last.from_state, last.to_state, last.owner_id, last.note) == (
        "atgardad", "tilldelad", org.id, "Lampan trasig igen")
