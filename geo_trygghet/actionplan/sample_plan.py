"""The sample municipality's åtgärdsplan (``sample_data/atgardsplan_2024.json``), loaded by
``geo-trygghet sample load`` after the walks (its actions link their remarks).

The JSON is what ``sample_data/make_sample.py`` writes: the plan, its problems with their
places (the planted hot spots), causes, and actions with their places, chosen control areas,
goals, linked remarks (walk title and number), production reports (back-dated) and one light
set by hand. Each problem gets the figures of the moment from ``incidents.csv`` as of the day
the JSON names. Loading again changes nothing (a plan with that title is left as it is).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..remarks.auth import Actor
from .selection import PlanSelection, problem_figures
from .service import PlanService
from .values import as_date

__all__ = ["PLAN_FILE", "SamplePlanSummary", "load_sample_plan"]

PLAN_FILE = "atgardsplan_2024.json"


@dataclass(frozen=True)
class SamplePlanSummary:
    title: str
    created: bool
    actions: int = 0
    promises: int = 0

    def line(self) -> str:
        state = "loaded" if self.created else "already present"
        return (f"åtgärdsplan '{self.title}' {state}: {self.actions} actions, {self.promises} medborgarlöfte"
                + ("n" if self.promises != 1 else ""))


def _remark_ids(remarks: Any, walk_remarks: dict[str, dict[int, str]], nr: str) -> list[str]:
    out = []
    for title, number in remarks or ():
        rid = walk_remarks.get(title, {}).get(int(number))
        if rid is None:
            msg = f"sample plan, action {nr}: no remark {number} in walk '{title}'; load the walks first"
            raise InputError(msg)
        out.append(rid)
    return out


def load_sample_plan(remark_service: Any, sample_dir: Path, *, actor: Actor | None = None) -> SamplePlanSummary | None:
    """Load the plan of ``sample_dir/atgardsplan_2024.json`` into ``remark_service``'s database
    (None when the folder has no plan)."""
    path = Path(sample_dir) / PLAN_FILE
    if not path.is_file():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    me = actor or Actor.system()
    plans = PlanService(remark_service.store)
    if any(p.title == doc["title"] for p in plans.list_plans(me)):
        view = plans.get_plan(me, doc["title"])
        return SamplePlanSummary(doc["title"], False, len(view.actions), sum(a.promise for a in view.actions))
    from ..ingest.incidents import read_incidents

    incidents = read_incidents(Path(sample_dir) / "incidents.csv").gdf
    walk_remarks = {w.title: {r.number: r.id for r in remark_service.list_remarks(me, walk=w)}
                    for w in remark_service.list_walks(me)}
    plan = plans.create_plan(me, doc["title"], area_name=doc.get("area_name"), period_start=doc["period_start"],
                             period_end=doc["period_end"], decided_date=doc["decided_date"])
    problems: dict[str, int] = {}
    as_of = as_date(doc.get("figures_as_of"), "figures_as_of")
    for p in doc["problems"]:
        selection = figures = None
        if p.get("area"):
            selection = PlanSelection.from_polygon(p["area"], label=p["title"], categories=p.get("categories", ()))
            figures = problem_figures(incidents, selection, as_of=as_of)
        problems[p["key"]] = plans.add_problem(me, plan, p["title"], description=p.get("description", ""),
                                               selection=selection, figures=figures,
                                               categories=p.get("categories", ())).id
    for c in doc["causes"]:
        plans.add_cause(me, plan, c["text"], problem_id=problems.get(c.get("problem")))
    promises = 0
    for a in doc["actions"]:
        fields = {k: a[k] for k in ("kind", "responsible", "contact", "start_date", "due_date", "position",
                                    "place_kind", "area", "buffer_m", "controls", "promise", "promise_text")
                  if a.get(k) is not None}
        fields["controls"] = json.dumps(fields["controls"]) if "controls" in fields else None
        action = plans.add_action(me, plan, a["cause"], a["description"],
                                  remark_ids=_remark_ids(a.get("remarks"), walk_remarks, a["nr"]), **fields)
        promises += bool(a.get("promise"))
        for g in a.get("goals", ()):
            plans.add_goal(me, action.id, g["text"], measurable=g.get("measurable", False),
                           categories=g.get("categories", ()), target_change=g.get("target_change"),
                           by_date=g.get("by_date"))
        for r in a.get("reports", ()):
            plans.report(me, action.id, production=r["production"], production_date=r["production_date"],
                         count=r.get("count"), hours=r.get("hours"), process_note=r.get("process_note"),
                         at=r.get("at"))
        if a.get("override"):
            o = a["override"]
            plans.override_light(me, action.id, o["light"], o["reason"], at=o.get("at"))
    return SamplePlanSummary(doc["title"], True, len(doc["actions"]), promises)
