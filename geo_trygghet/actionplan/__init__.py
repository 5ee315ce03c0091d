"""The åtgärdsplan (the law's second step): problems, causes, actions, goals, follow-up, lights.

The lägesbild leads to a decided plan, which is followed up (the handbook's steps 4–5). The plan
is data in the remark store's database, with an event history like remarks; only this package
and :mod:`geo_trygghet.remarks` touch the database. One module per concern:

``rules``        statuses, kinds, production, the traffic-light rule and the permissions, as data
``models``       the tables (migration ``remarks/migrations/versions/0004_actionplan.py``)
``records``      the plain records handed out (Plan, Problem, Cause, Action, Goal, PlanView …)
``repository``   queries and row mapping; ``plans``, ``actions``, ``reporting`` the services
``service``      :class:`PlanService`, the facade over them
``selection``    from the lägesbild: a chosen place and the figures of the moment
``outcomes``     the computed follow-up: effect, goals, remarks, production, light
``importer``, ``export``  the handbook's table (ORSAK · ÅTGÄRD · OPERATIVA MÅL · NÄR · VEM · UPPFÖLJNING)
``sample_plan``  the sample municipality's plan

::

    from geo_trygghet.actionplan import PlanService, PlanSelection, problem_figures
    from geo_trygghet.remarks import Actor

    plans = PlanService(remark_service.store)          # share the remark service's database
    me = Actor.system()                                # pages use the session's actor
    plan = plans.create_plan(me, "Åtgärdsplan Centrum 2025", area_name="Centrum",
                             period_start="2025-01-01", period_end="2025-12-31")
    sel = PlanSelection.from_cells(cells, categories=["skadegorelse"])
    problem = plans.add_problem(me, plan, "Skadegörelse vid Resecentrum", selection=sel,
                                figures=problem_figures(incidents, sel))
    cause = plans.add_cause(me, plan, "Mörkt och ingen naturlig övervakning", problem_id=problem.id)
    action = plans.add_action(me, plan, cause.number, "Ny belysning", kind="situationell",
                              responsible="Gatukontoret", start_date="2025-03-01", due_date="2025-04-30",
                              place_kind="problem")
    plans.report(owner, action.id, production="genomford", production_date="2025-04-20", hours=60)
    result = plans.follow_up(me, plan, incidents, as_of="2025-12-31")   # effect, goals, lights
"""

from __future__ import annotations

from .outcomes import ActionFollowUp, Effect, GoalProgress, PlanFollowUp, RemarkProgress, follow_up
from .records import Action, Cause, Goal, LinkedRemark, Plan, PlanEvent, PlanView, Problem, PublicPromise
from .rules import LIGHT_RULE, LIGHTS, PRODUCTION_STATUSES, LightDecision, decide_light, light_for
from .selection import PlanSelection, ProblemFigures, problem_figures
from .service import PlanService

__all__ = [
    "LIGHTS",
    "LIGHT_RULE",
    "PRODUCTION_STATUSES",
    "Action",
    "ActionFollowUp",
    "Cause",
    "Effect",
    "Goal",
    "GoalProgress",
    "LightDecision",
    "LinkedRemark",
    "Plan",
    "PlanEvent",
    "PlanFollowUp",
    "PlanSelection",
    "PlanService",
    "PlanView",
    "Problem",
    "ProblemFigures",
    "PublicPromise",
    "RemarkProgress",
    "decide_light",
    "follow_up",
    "light_for",
    "problem_figures",
]
