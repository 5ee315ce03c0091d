"""Who may do what with an åtgärdsplan, enforced in the service: a role × action matrix.

Roles: admin, analytiker (the samordnare), the problemägare responsible for actions 1a and 2a
(Gatukontoret), another problemägare (Bostadsbolaget, responsible for 1b), a walk participant,
and the public (no login). Every allowed case asserts its effect (what changed, the event with
the actor, what is seen); every refused one that it raised PermissionDeniedError and changed
nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from geo_trygghet.actionplan import rules
from geo_trygghet.actionplan.models import PlanEventRow
from geo_trygghet.errors import PermissionDeniedError
from tests._plan_helpers import SYSTEM, TORGET, make_plan, module_env_fixture

ROLES = ("admin", "anna", "gata", "bo", "deltagare", "public")
STAFF = {"admin", "anna"}
OWNERS = {"gata", "bo"}
EVERYONE = set(ROLES)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def env(request, tmp_path_factory):
    yield from module_env_fixture(request, tmp_path_factory)


@pytest.fixture
def made(env):
    return make_plan(env, f"Plan {uuid.uuid4().hex[:8]}")


def _events(env) -> int:
    with env.plans.store.read_session() as s:
        return int(s.scalar(select(func.count()).select_from(PlanEventRow)))


def _label(env, role: str) -> str:
    return env.actors[role].label


def _last_event(env, made) -> Any:
    return env.plans.history(SYSTEM, made["plan"])[-1]


# ---------------------------------------------------------------- the operations and their effects
def _create_plan(env, actor, made, role):
    plan = env.plans.create_plan(actor, f"Ny plan {uuid.uuid4().hex[:6]}")
    events = env.plans.history(SYSTEM, plan)
    assert [(e.what, e.actor) for e in events] == [("plan_created", _label(env, role))]


def _add_problem(env, actor, made, role):
    problem = env.plans.add_problem(actor, made["plan"], "Nytt problem", area=TORGET)
    assert problem.id in [p.id for p in env.plans.get_plan(SYSTEM, made["plan"]).problems]
    assert (_last_event(env, made).what, _last_event(env, made).actor) == ("problem_added", _label(env, role))


def _add_cause(env, actor, made, role):
    cause = env.plans.add_cause(actor, made["plan"], "Ny orsak")
    assert cause.number == 3
    assert (_last_event(env, made).what, _last_event(env, made).actor) == ("cause_added", _label(env, role))


def _add_action(env, actor, made, role):
    action = env.plans.add_action(actor, made["plan"], 2, "Ny åtgärd", responsible="Bostadsbolaget")
    assert action.nr == "2b"
    assert (_last_event(env, made).what, _last_event(env, made).actor) == ("action_added", _label(env, role))


def _update_action(env, actor, made, role):
    env.plans.update_action(actor, made["a1"].id, due_date="2024-04-30")
    assert str(env.plans.get_plan(SYSTEM, made["plan"]).action("1a").due_date) == "2024-04-30"
    assert (_last_event(env, made).what, _last_event(env, made).actor) == ("action_changed", _label(env, role))


def _link_remarks(env, actor, made, role):
    env.plans.link_remarks(actor, made["a1"].id, [env.remark_ids[2]])
    assert len(env.plans.get_plan(SYSTEM, made["plan"]).action("1a").remarks) == 3
    assert (_last_event(env, made).what, _last_event(env, made).actor) == ("remarks_linked", _label(env, role))


def _add_goal(env, actor, made, role):
    env.plans.add_goal(actor, made["a1"].id, "Färre skadegörelsebrott", measurable=True, target_change=-0.1)
    assert [g.text for g in env.plans.get_plan(SYSTEM, made["plan"]).action("1a").goals] == ["Färre skadegörelsebrott"]
    assert (_last_event(env, made).what, _last_event(env, made).actor) == ("goal_added", _label(env, role))


def _report_1a(env, actor, made, role):
    env.plans.report(actor, made["a1"].id, production="genomford", production_date="2024-03-20", hours=8)
    a1 = env.plans.get_plan(SYSTEM, made["plan"]).action("1a")
    assert (a1.production, a1.production_hours) == (rules.GENOMFORD, 8.0)
    assert (_last_event(env, made).what, _last_event(env, made).actor) == ("production_reported", _label(env, role))


def _report_1b(env, actor, made, role):
    env.plans.report(actor, made["a2"].id, process_note="Påbörjat")
    assert env.plans.get_plan(SYSTEM, made["plan"]).action("1b").process_note == "Påbörjat"
    assert _last_event(env, made).actor == _label(env, role)


def _override(env, actor, made, role):
    env.plans.override_light(actor, made["a1"].id, "röd", "Lamporna släcktes igen")
    assert env.plans.get_plan(SYSTEM, made["plan"]).action("1a").light_override == rules.ROD
    assert (_last_event(env, made).what, _last_event(env, made).actor) == ("light_overridden", _label(env, role))


def _set_status(env, actor, made, role):
    env.plans.set_plan_status(actor, made["plan"], rules.AVSLUTAD)
    assert env.plans.get_plan(SYSTEM, made["plan"]).plan.status == rules.AVSLUTAD


#: what each role sees of the plan: the actions' numbers
SEES = {"admin": ["1a", "1b", "2a"], "anna": ["1a", "1b", "2a"], "gata": ["1a", "2a"], "bo": ["1b"]}


def _get_plan(env, actor, made, role):
    view = env.plans.get_plan(actor, made["plan"])
    assert [a.nr for a in view.actions] == SEES[role]
    assert {c.number for c in view.causes} == {a.cause_number for a in view.actions}
    assert [p.title for p in view.problems] == (["Mörkt vid Torget"] if "1a" in SEES[role] or "1b" in SEES[role]
                                               else [])


def _list_plans(env, actor, made, role):
    titles = [p.title for p in env.plans.list_plans(actor)]
    assert made["plan"].title in titles
    if role == "bo":
        other = env.plans.create_plan(SYSTEM, f"Utan Bostadsbolaget {uuid.uuid4().hex[:6]}")
        assert other.title not in [p.title for p in env.plans.list_plans(actor)]


def _history(env, actor, made, role):
    events = env.plans.history(actor, made["plan"])
    actions = {a.id: a.nr for a in env.plans.get_plan(SYSTEM, made["plan"]).actions}
    seen = sorted({actions[e.entity_id] for e in events if e.entity == "action"})
    assert seen == sorted(SEES[role])
    assert (role in STAFF) == any(e.entity == "plan" for e in events)


def _follow_up(env, actor, made, role):
    result = env.plans.follow_up(actor, made["plan"])
    assert [f.action.nr for f in result.actions] == SEES[role]


def _my_actions(env, actor, made, role):
    views = [v for v in env.plans.my_actions(actor) if v.plan.id == made["plan"].id]
    assert [a.nr for v in views for a in v.actions] == SEES[role]


def _public_promises(env, actor, made, role):
    env.plans.set_plan_status(SYSTEM, made["plan"], rules.AVSLUTAD)  # decided plans only; this one was
    promises = [p for p in env.plans.public_promises(actor) if p.plan_title == made["plan"].title]
    assert [p.text for p in promises] == ["Vi lagar lamporna vid Torget före april."]
    assert "Gatukontoret" not in repr(promises) and "Driftledaren" not in repr(promises)


#: operation -> (function, roles allowed)
MATRIX: dict[str, tuple[Callable[..., None], set[str]]] = {
    "create_plan": (_create_plan, STAFF),
    "add_problem": (_add_problem, STAFF),
    "add_cause": (_add_cause, STAFF),
    "add_action": (_add_action, STAFF),
    "update_action": (_update_action, STAFF),
    "link_remarks": (_link_remarks, STAFF),
    "add_goal": (_add_goal, STAFF),
    "set_plan_status": (_set_status, STAFF),
    "override_light": (_override, STAFF),
    "report_own_action_1a": (_report_1a, STAFF | {"gata"}),
    "report_action_1b": (_report_1b, STAFF | {"bo"}),
    "get_plan": (_get_plan, STAFF | OWNERS),
    "list_plans": (_list_plans, STAFF | OWNERS),
    "history": (_history, STAFF | OWNERS),
    "follow_up": (_follow_up, STAFF | OWNERS),
    "my_actions": (_my_actions, OWNERS),
    "public_promises": (_public_promises, EVERYONE),
}


def test_the_matrix_is_the_rules_table():
    """The roles the matrix allows are the ones :data:`rules.PERMISSIONS` names."""
    role_of = {"admin": "admin", "anna": "analytiker", "gata": "problemagare", "bo": "problemagare",
               "deltagare": "deltagare", "public": "public"}
    for role in ROLES:
        assert rules.allowed(role_of[role], rules.EDIT) == (role in STAFF)
        assert rules.allowed(role_of[role], rules.READ_PROMISES)
        assert rules.allowed(role_of[role], rules.REPORT) == (role in STAFF | OWNERS)


@pytest.mark.parametrize("operation", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_role_x_action(env, made, role, operation):
    func, allowed = MATRIX[operation]
    actor = env.actors[role]
    before = _events(env)
    view_before = env.plans.get_plan(SYSTEM, made["plan"])
    if role in allowed:
        func(env, actor, made, role)
        return
    with pytest.raises(PermissionDeniedError):
        func(env, actor, made, role)
    assert _events(env) == before, "a refused call appended an event"
    assert env.plans.get_plan(SYSTEM, made["plan"]) == view_before, "a refused call changed the plan"
