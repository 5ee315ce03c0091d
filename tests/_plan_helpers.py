"""Shared set-up for the åtgärdsplan tests: a remark store with two organisations, their users and
a walk with remarks, and a plan service on the same database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from geo_trygghet.actionplan import PlanService
from geo_trygghet.remarks import Actor, RemarkService

SYSTEM = Actor.system()
#: A small square at Katrineholm's Torget (WGS84), and another one farther east.
TORGET = {"type": "Polygon", "coordinates": [[[16.190, 58.990], [16.200, 58.990], [16.200, 58.995],
                                              [16.190, 58.995], [16.190, 58.990]]]}
OSTRA = {"type": "Polygon", "coordinates": [[[16.230, 58.990], [16.240, 58.990], [16.240, 58.995],
                                             [16.230, 58.995], [16.230, 58.990]]]}
PASSWORDS = {"anna": "analys-losen-2025", "admin": "admin-losen-2025", "gata": "gata-losen-2025",
             "bo": "bo-losen-2025"}


@dataclass
class PlanEnv:
    remarks: RemarkService
    plans: PlanService
    actors: dict[str, Any]
    orgs: dict[str, Any]
    walk: Any
    remark_ids: list[str]

    def close(self) -> None:
        self.plans.close()


def make_env(url: str) -> PlanEnv:
    remarks = RemarkService(url)
    plans = PlanService(remarks.store)
    gata = remarks.create_organisation(SYSTEM, "Gatukontoret", categories=["belysning"])
    bo = remarks.create_organisation(SYSTEM, "Bostadsbolaget")
    remarks.create_user(SYSTEM, "anna", PASSWORDS["anna"], "analytiker")
    remarks.create_user(SYSTEM, "admin", PASSWORDS["admin"], "admin")
    remarks.create_user(SYSTEM, "gata", PASSWORDS["gata"], "problemagare", organisation_id=gata.id)
    remarks.create_user(SYSTEM, "bo", PASSWORDS["bo"], "problemagare", organisation_id=bo.id)
    walk = remarks.create_walk(SYSTEM, "Kvällsvandring", walk_date="2024-03-01")
    me = Actor.participant(walk.join_code)
    ids = []
    for i, text in enumerate(("Trasig lampa vid Åvägen 37", "Mörkt vid gångtunneln", "Klotter på elskåp")):
        r = remarks.submit_remark(me, walk, str(uuid.UUID(int=100 + i)), "belysning", text,
                                  lon=16.195 + i * 0.001, lat=58.992)
        remarks.assign(SYSTEM, r.id, gata.id)
        ids.append(r.id)
    actors = {name: remarks.login(name, password) for name, password in PASSWORDS.items()}
    actors["deltagare"] = me
    actors["public"] = None
    return PlanEnv(remarks, plans, actors, {"gata": gata, "bo": bo}, walk, ids)


def make_plan(env: PlanEnv, title: str = "Åtgärdsplan 2024") -> dict[str, Any]:
    """A plan with a problem with a place, two causes and three actions (1a Gatukontoret with a
    promise, 1b Bostadsbolaget, 2a Gatukontoret without a place)."""
    p = env.plans
    plan = p.create_plan(SYSTEM, title, area_name="Centrum", period_start="2024-01-01", period_end="2024-12-31",
                         decided_date="2023-12-12")
    problem = p.add_problem(SYSTEM, plan, "Mörkt vid Torget", area=TORGET, categories=["skadegorelse"])
    p.add_cause(SYSTEM, plan, "Trasig belysning", problem_id=problem.id)
    p.add_cause(SYSTEM, plan, "Få vuxna ute på kvällen")
    a1 = p.add_action(SYSTEM, plan, 1, "Laga belysningen", kind="situationell", responsible="Gatukontoret",
                      contact="Driftledaren", start_date="2024-02-01", due_date="2024-03-31", place_kind="problem",
                      promise=True, promise_text="Vi lagar lamporna vid Torget före april.",
                      remark_ids=env.remark_ids[:2])
    a2 = p.add_action(SYSTEM, plan, 1, "Trimma buskarna", responsible="Bostadsbolaget", due_date="2024-05-31")
    a3 = p.add_action(SYSTEM, plan, 2, "Föräldravandringar", kind="social", responsible="Gatukontoret")
    return {"plan": plan, "problem": problem, "a1": a1, "a2": a2, "a3": a3}


def module_env_fixture(request: Any, tmp_path_factory: Any):
    """Body of a module-scoped fixture: one PlanEnv per test module and database (tests make their
    own plans, with titles of their own)."""
    if request.param == "sqlite":
        env = make_env(f"sqlite:///{tmp_path_factory.mktemp('plans') / 'plans.sqlite'}")
        try:
            yield env
        finally:
            env.close()
        return
    from geo_trygghet.remarks.store import create_postgres_database, drop_postgres_database
    from tests.conftest import postgres_server_url

    url = create_postgres_database(postgres_server_url())
    env = make_env(url)
    try:
        yield env
    finally:
        env.close()
        drop_postgres_database(url)
