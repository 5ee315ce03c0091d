"""The plan service on SQLite and PostgreSQL: the model (plan, problem, cause, action, goal,
linked remarks), numbering 1, 2 … and 1a, 1b …, every change an appended event (who, when, what,
note, values), production reports, overrides kept in the history, and the checks of input."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from geo_trygghet.actionplan import rules
from geo_trygghet.actionplan.models import PlanEventRow
from geo_trygghet.errors import InputError, InvalidTransitionError, NotFoundError
from tests._plan_helpers import OSTRA, SYSTEM, TORGET, make_env, make_plan, module_env_fixture


@pytest.fixture
def env(db_url):
    e = make_env(db_url)
    try:
        yield e
    finally:
        e.close()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_env(request, tmp_path_factory):
    yield from module_env_fixture(request, tmp_path_factory)


def _event_count(env) -> int:
    with env.plans.store.read_session() as s:
        return int(s.scalar(select(func.count()).select_from(PlanEventRow)))


def test_a_plan_in_the_handbooks_order_with_numbers(env):
    made = make_plan(env)
    view = env.plans.get_plan(SYSTEM, made["plan"].title)
    assert view.plan.status == rules.BESLUTAD and view.plan.decided_date == dt.date(2023, 12, 12)
    assert [c.number for c in view.causes] == [1, 2]
    assert [a.nr for a in view.actions] == ["1a", "1b", "2a"]
    a1 = view.action("1a")
    assert a1.responsible_name == "Gatukontoret" and a1.contact == "Driftledaren"
    assert (a1.start_date, a1.due_date) == (dt.date(2024, 2, 1), dt.date(2024, 3, 31))
    assert a1.promise and a1.promise_text.startswith("Vi lagar")
    assert [r.text for r in a1.remarks] == ["Trasig lampa vid Åvägen 37", "Mörkt vid gångtunneln"]
    assert view.place_of(a1) == view.problems[0].area and view.place_of(view.action("2a")) is None
    assert view.problems[0].categories == ("skadegorelse",) and view.problems[0].place_kind == "polygon"
    assert env.plans.get_plan(SYSTEM, made["plan"].id).plan.title == made["plan"].title


def test_every_change_is_an_appended_event_with_who_when_what(env):
    made = make_plan(env)
    before = _event_count(env)
    anna = env.actors["anna"]
    env.plans.update_action(anna, made["a2"].id, due_date="2024-06-30", note="försenat av vädret")
    env.plans.unlink_remarks(anna, made["a1"].id, [env.remark_ids[1]])
    env.plans.link_remarks(anna, made["a1"].id, [env.remark_ids[2]])
    assert _event_count(env) == before + 3
    events = env.plans.history(SYSTEM, made["plan"])
    last = events[-3:]
    assert [e.what for e in last] == ["action_changed", "remarks_unlinked", "remarks_linked"]
    assert all(e.actor == "user:anna" for e in last)
    assert last[0].note == "försenat av vädret" and last[0].data == {"due_date": "2024-06-30"}
    assert last[1].data == {"remark_ids": [env.remark_ids[1]]}
    assert all(isinstance(e.at, dt.datetime) for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert events[0].what == "plan_created" and events[0].what_label("sv") == "Planen skapades"
    # nothing is rewritten: the first events are still there with their values
    assert events[0].data["title"] == made["plan"].title
    only = env.plans.history(SYSTEM, made["plan"], action_id=made["a1"].id)
    assert {e.entity for e in only} == {"action"} and {e.entity_id for e in only} == {made["a1"].id}


def test_production_report_and_the_light_set_by_hand_stay_in_the_history(env):
    made = make_plan(env)
    gata = env.actors["gata"]
    done = env.plans.report(gata, made["a1"].id, production="genomford", production_date="2024-03-20", count=12,
                            hours=40, process_note="Tolv armaturer bytta")
    assert (done.production, done.production_date, done.production_count, done.production_hours) == (
        rules.GENOMFORD, dt.date(2024, 3, 20), 12, 40.0)
    with pytest.raises(InputError, match="needs a reason"):
        env.plans.override_light(env.actors["anna"], made["a1"].id, "grön", "  ")
    set_ = env.plans.override_light(env.actors["anna"], made["a1"].id, "grön", "Bedömt på styrgruppsmötet")
    assert (set_.light_override, set_.light_reason) == (rules.GRON, "Bedömt på styrgruppsmötet")
    assert env.plans.follow_up(SYSTEM, made["plan"]).of(set_).light.light == rules.GRON
    cleared = env.plans.clear_override(env.actors["anna"], made["a1"].id, "ny mätning")
    assert cleared.light_override is None
    assert env.plans.follow_up(SYSTEM, made["plan"]).of(cleared).light.light == rules.GUL  # genomförd, effect unknown
    whats = [(e.what, e.actor, e.note, e.data) for e in env.plans.history(SYSTEM, made["plan"], action_id=cleared.id)]
    assert ("production_reported", "user:gata", None, {"production_date": "2024-03-20", "production": "genomford",
                                                      "production_count": 12, "production_hours": 40.0,
                                                      "process_note": "Tolv armaturer bytta"}) in whats
    assert ("light_overridden", "user:anna", "Bedömt på styrgruppsmötet", {"light": "gron"}) in whats
    assert whats[-1] == ("light_override_cleared", "user:anna", "ny mätning", {"light": None})


def test_production_from_linked_remarks_until_someone_reports(env):
    made = make_plan(env)
    a1 = made["a1"]
    assert env.plans.follow_up(SYSTEM, made["plan"]).of(a1).production == rules.EJ_RAPPORTERAD
    env.remarks.mark_fixed(env.actors["gata"], env.remark_ids[0], "2024-03-01")
    follow = env.plans.follow_up(SYSTEM, made["plan"]).of(a1)
    assert (follow.production, follow.light.light) == (rules.DELVIS, rules.GUL)
    assert follow.remarks.to_dict() == {"linked": 2, "fixed": 1, "closed": 0} and follow.production_from_remarks
    env.remarks.mark_fixed(env.actors["gata"], env.remark_ids[1], "2024-03-02")
    assert env.plans.follow_up(SYSTEM, made["plan"]).of(a1).production == rules.GENOMFORD
    env.plans.report(SYSTEM, a1.id, production="ej_genomford", production_date="2024-03-31")
    assert env.plans.follow_up(SYSTEM, made["plan"]).of(a1).light.light == rules.ROD  # the report wins


def test_goals_and_places(env):
    made = make_plan(env)
    goal = env.plans.add_goal(env.actors["anna"], made["a1"].id, "20 % färre skadegörelsebrott", measurable=True,
                              categories=["Skadegörelsebrott"], target_change=-20, by_date="2024-12-31")
    assert (goal.measurable, goal.categories, goal.target_change) == (True, ("skadegorelse",), -0.2)
    with pytest.raises(InputError, match="target change"):
        env.plans.add_goal(SYSTEM, made["a1"].id, "Mätbart utan mål", measurable=True)
    own = env.plans.update_action(SYSTEM, made["a2"].id, area=OSTRA)
    assert own.place_kind == rules.PLACE_OWN and env.plans.get_plan(SYSTEM, made["plan"]).place_of(own) == own.area
    with pytest.raises(InputError, match="problem has no place"):
        env.plans.update_action(SYSTEM, made["a3"].id, place_kind="problem")  # cause 2 has no problem
    with pytest.raises(InputError, match="own place is missing"):
        env.plans.update_action(SYSTEM, made["a3"].id, place_kind="own")


@pytest.mark.parametrize(("call", "match"), [
    (lambda p, plan: p.create_plan(SYSTEM, "  "), "title is empty"),
    (lambda p, plan: p.create_plan(SYSTEM, plan.title), "exists already"),
    (lambda p, plan: p.create_plan(SYSTEM, "X", period_start="2024-12-31", period_end="2024-01-01"), "before it"),
    (lambda p, plan: p.add_cause(SYSTEM, plan, ""), "cause"),
    (lambda p, plan: p.add_action(SYSTEM, plan, 1, ""), "action"),
    (lambda p, plan: p.add_action(SYSTEM, plan, 9, "x"), "no cause number 9"),
    (lambda p, plan: p.add_action(SYSTEM, plan, 1, "x", start_date="2024-05-01", due_date="2024-04-01"), "before"),
    (lambda p, plan: p.add_action(SYSTEM, plan, 1, "x", start_date="1 maj"), "not a date"),
    (lambda p, plan: p.add_action(SYSTEM, plan, 1, "x", promise=True), "public text"),
    (lambda p, plan: p.add_action(SYSTEM, plan, 1, "x", responsible="Okänd"), "no organisation"),
    (lambda p, plan: p.add_action(SYSTEM, plan, 1, "x", kind="teknisk"), "unknown action kind"),
    (lambda p, plan: p.add_action(SYSTEM, plan, 1, "x", color="röd"), "unknown action field"),
    (lambda p, plan: p.add_action(SYSTEM, plan, 1, "x", remark_ids=["nope"]), "no remark"),
    (lambda p, plan: p.add_problem(SYSTEM, plan, "x", area={"type": "Point", "coordinates": [16, 58]}), "Point"),
    (lambda p, plan: p.add_problem(SYSTEM, plan, "x", area={"type": "Polygon", "coordinates": [[[5e5, 6e6],
     [5e5, 6.1e6], [6e5, 6e6], [5e5, 6e6]]]}), "WGS84"),
    (lambda p, plan: p.add_problem(SYSTEM, plan, "x", categories=["cykelstöld"]), "unknown crime category"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_bad_input_is_one_line_and_changes_nothing(shared_env, call, match):
    import uuid

    made = make_plan(shared_env, f"Plan {uuid.uuid4().hex[:8]}")
    before = _event_count(shared_env)
    with pytest.raises((InputError, NotFoundError), match=match) as caught:
        call(shared_env.plans, made["plan"])
    assert "\n" not in str(caught.value)
    assert _event_count(shared_env) == before


def test_plan_status_along_its_table(env):
    plan = env.plans.create_plan(SYSTEM, "Utkastet")
    assert plan.status == rules.UTKAST
    with pytest.raises(InputError, match="decided"):
        env.plans.set_plan_status(SYSTEM, plan, rules.BESLUTAD)
    decided = env.plans.set_plan_status(SYSTEM, plan, rules.BESLUTAD, decided_date="2024-02-01")
    assert (decided.status, decided.decided_date) == (rules.BESLUTAD, dt.date(2024, 2, 1))
    with pytest.raises(InvalidTransitionError):
        env.plans.set_plan_status(SYSTEM, plan, rules.BESLUTAD)
    assert env.plans.set_plan_status(SYSTEM, plan, rules.AVSLUTAD).status == rules.AVSLUTAD


def test_a_problem_from_chosen_cells_keeps_them_and_their_union(env):
    plan = env.plans.create_plan(SYSTEM, "Celler")
    problem = env.plans.add_problem(SYSTEM, plan, "Två celler", cells=["8908b3a0a2bffff", "8908b3a0a2fffff"])
    assert problem.place_kind == rules.PROBLEM_CELLS and len(problem.cells) == 2
    from shapely.geometry import shape

    assert shape(__import__("json").loads(problem.area)).geom_type in ("Polygon", "MultiPolygon")
    with pytest.raises(InputError, match="H3"):
        env.plans.add_problem(SYSTEM, plan, "Fel", cells=["inte-en-cell"])


def test_public_promises_only_of_decided_plans_and_without_names(env):
    made = make_plan(env)
    draft = env.plans.create_plan(SYSTEM, "Utkast med löfte")
    env.plans.add_cause(SYSTEM, draft, "Orsak")
    env.plans.add_action(SYSTEM, draft, 1, "Hemligt", promise=True, promise_text="Inte beslutat ännu")
    promises = env.plans.public_promises(None, today=dt.date(2024, 3, 1))
    assert [p.text for p in promises] == ["Vi lagar lamporna vid Torget före april."]
    p = promises[0]
    assert p.production == "pagar" and p.production_label("sv") == "Pågår" and p.due_date == dt.date(2024, 3, 31)
    assert "Gatukontoret" not in repr(p) and "Driftledaren" not in repr(p)
    assert p.place == env.plans.get_plan(SYSTEM, made["plan"]).problems[0].area
    env.plans.report(env.actors["gata"], made["a1"].id, production="genomford", production_date="2024-03-20")
    assert env.plans.public_promises(None)[0].production_label("sv") == "Genomfört"


def test_unknown_plan_is_not_found_with_a_hint(env):
    with pytest.raises(NotFoundError, match="plan list"):
        env.plans.get_plan(SYSTEM, "Finns inte")
    assert TORGET["type"] == "Polygon"
