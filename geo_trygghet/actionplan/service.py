"""PlanService: the one door to åtgärdsplaner, their follow-up and who may see what.

The service composes a :class:`~.repository.PlanRepository` (queries and row mapping) and small
services, one per job, as :class:`~geo_trygghet.remarks.RemarkService` does:

================  ==========================================  ==========================================
attribute         class                                       what
================  ==========================================  ==========================================
``plans``         :class:`~.plans.PlanEditor`                 plans, problems, causes, reading, history
``actions``       :class:`~.actions.ActionEditor`             actions, goals, linked remarks
``reporting``     :class:`~.reporting.Reporting`              production, overrides, own actions, promises
================  ==========================================  ==========================================

Their public methods are also the service's own (``service.add_action(…)`` is
``service.actions.add_action(…)``). Every method takes an
:class:`~geo_trygghet.remarks.auth.Actor` (None: the public) and checks the table of
:data:`~.rules.PERMISSIONS` before it reads or changes anything; it returns records
(:mod:`.records`), never ORM objects.
"""

from __future__ import annotations

from typing import Any

from ..remarks.auth import Actor
from ..remarks.service import Part
from ..remarks.store import Store, open_store
from .actions import ActionEditor
from .outcomes import PlanFollowUp, follow_up
from .plans import PlanEditor
from .records import PlanRef
from .reporting import Reporting
from .repository import PlanRepository


class PlanService:
    """Everything the app and the CLI do with åtgärdsplaner.

    Parameters
    ----------
    store
        An open :class:`~geo_trygghet.remarks.store.Store` (share the remark service's), a
        database URL, or None for :func:`geo_trygghet.settings.database_url`.
    """

    def __init__(self, store: Store | str | None = None) -> None:
        self.store = store if isinstance(store, Store) else open_store(store)
        self.repo = PlanRepository(self.store)
        self.plans = PlanEditor(self.repo)
        self.actions = ActionEditor(self.repo)
        self.reporting = Reporting(self.repo)

    def close(self) -> None:
        self.store.dispose()

    # plans, problems, causes
    create_plan = Part("plans", PlanEditor.create_plan)
    update_plan = Part("plans", PlanEditor.update_plan)
    set_plan_status = Part("plans", PlanEditor.set_plan_status)
    list_plans = Part("plans", PlanEditor.list_plans)
    get_plan = Part("plans", PlanEditor.get_plan)
    history = Part("plans", PlanEditor.history)
    add_problem = Part("plans", PlanEditor.add_problem)
    update_problem = Part("plans", PlanEditor.update_problem)
    add_cause = Part("plans", PlanEditor.add_cause)
    update_cause = Part("plans", PlanEditor.update_cause)
    # actions, goals, remarks
    add_action = Part("actions", ActionEditor.add_action)
    update_action = Part("actions", ActionEditor.update_action)
    link_remarks = Part("actions", ActionEditor.link_remarks)
    unlink_remarks = Part("actions", ActionEditor.unlink_remarks)
    add_goal = Part("actions", ActionEditor.add_goal)
    update_goal = Part("actions", ActionEditor.update_goal)
    # reports, lights, views by role
    report = Part("reporting", Reporting.report)
    override_light = Part("reporting", Reporting.override_light)
    clear_override = Part("reporting", Reporting.clear_override)
    my_actions = Part("reporting", Reporting.my_actions)
    public_promises = Part("reporting", Reporting.public_promises)

    def follow_up(self, actor: Actor, plan: PlanRef, incidents: Any = None, *, as_of: Any = None) -> PlanFollowUp:
        """The computed follow-up of the actions ``actor`` may see (:func:`.outcomes.follow_up`):
        ``incidents`` as :func:`geo_trygghet.ingest.read_incidents` gives them (its ``.gdf``);
        None computes production and lights without effects."""
        return follow_up(self.get_plan(actor, plan), incidents, as_of=as_of)


__all__ = ["PlanService"]
