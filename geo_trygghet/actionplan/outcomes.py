"""The computed follow-up of a plan (UPPFÖLJNING): effect, goals, remarks, production, light.

For each action, as of a date, on a set of incidents (pure: no database here):

* **effect** of an action with a place and a start date: the before/after evaluation of
  :func:`geo_trygghet.followup.evaluate` in the place against control areas (the ones chosen
  for the action, else the :data:`CONTROL_COUNT` most similar of
  ``geo_trygghet.followup.suggest_controls``), with displacement to a buffer ring of
  ``buffer_m`` (default ``settings.evaluation_radius_m``) around it; the incidents of the
  problem's crime categories (all when it names none). Windows: :data:`BEFORE_DAYS` days
  ending the day before the start date, and from the start date up to :data:`AFTER_DAYS` days,
  cut at the as-of date and at the last incident of the data; under :data:`MIN_AFTER_DAYS`
  days after the start there is no effect yet. ``geo-trygghet evaluate`` with the same place,
  controls, buffer, date, ``--before`` and ``--after`` gives the same numbers.
* **goal** progress of a measurable goal: incidents of its categories in the action's place in
  the 12 calendar months before the start (the baseline, unless one was written down), in the
  12 calendar months up to the as-of date or the data's last day, whichever is first (current),
  the target (baseline × (1 + change)); met when current ≤ target, not met when its date has
  passed without that, else pending.
* **remarks**: how many of the linked walk remarks are fixed.
* **production**: the report, or what the linked remarks tell; and the **light** by the rule of
  :mod:`.rules` (or the override).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from .. import schema as S
from .. import settings
from ..errors import GeoTrygghetError
from . import rules
from .places import buffer_ring, control_areas, geometry
from .records import Action, Goal, PlanView
from .reporting import effective_production

__all__ = ["AFTER_DAYS", "BEFORE_DAYS", "CONTROL_COUNT", "MIN_AFTER_DAYS", "ActionFollowUp", "Effect",
           "GoalProgress", "PlanFollowUp", "RemarkProgress", "follow_up"]

BEFORE_DAYS = 365
AFTER_DAYS = 365
MIN_AFTER_DAYS = 30
CONTROL_COUNT = 3
#: A goal's "12 months" are calendar months (a leap year has 366 days).
TWELVE_MONTHS = pd.DateOffset(months=12)


@dataclass(frozen=True)
class Effect:
    """The before/after evaluation of one action (counts, odds ratio, WDQ, the plain reading)."""

    intervention: dt.date
    before_days: int
    after_days: int
    target_before: int
    target_after: int
    control_before: int
    control_after: int
    odds_ratio: float | None
    odds_ratio_ci: tuple[float | None, float | None]
    verdict: str
    reading_sv: str
    reading_en: str
    buffer_m: float
    buffer_before: int | None = None
    buffer_after: int | None = None
    wdq: float | None = None
    control_source: str = "suggested"  # or "chosen"
    control_names: tuple[str, ...] = ()
    controls: str = ""  # the control areas used, GeoJSON FeatureCollection text
    buffer: str = ""  # the buffer ring used, GeoJSON geometry text
    categories: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def outcome(self) -> str:
        return rules.VERDICT_OUTCOMES.get(self.verdict, rules.UNKNOWN)

    def reading(self, lang: str = "sv") -> str:
        return self.reading_en if lang == "en" else self.reading_sv

    def to_dict(self) -> dict[str, Any]:
        return {"odds_ratio": self.odds_ratio, "odds_ratio_ci": list(self.odds_ratio_ci), "verdict": self.verdict,
                "target_before": self.target_before, "target_after": self.target_after,
                "control_before": self.control_before, "control_after": self.control_after,
                "buffer_before": self.buffer_before, "buffer_after": self.buffer_after, "wdq": self.wdq,
                "intervention": self.intervention.isoformat(), "before_days": self.before_days,
                "after_days": self.after_days, "buffer_m": self.buffer_m, "controls": self.control_source,
                "control_areas": list(self.control_names), "categories": list(self.categories),
                "reading_sv": self.reading_sv, "reading_en": self.reading_en}


@dataclass(frozen=True)
class GoalProgress:
    """A measurable goal as of the follow-up date (``status``: met, not_met, pending, unknown)."""

    goal: Goal
    status: str
    baseline: float | None = None
    current: int | None = None
    target: float | None = None

    @property
    def met(self) -> bool | None:
        """Met now (True), not met yet or not met by its date (False), cannot tell (None)."""
        return None if self.status == rules.GOAL_UNKNOWN else self.status == rules.GOAL_MET

    @property
    def outcome(self) -> str:
        return rules.GOAL_OUTCOMES[self.status]

    def to_dict(self) -> dict[str, Any]:
        return {"baseline": self.baseline, "current": self.current,
                "target": None if self.target is None else round(self.target, 1), "met": self.met,
                "status": self.status, "text": self.goal.text, "categories": list(self.goal.categories),
                "target_change": self.goal.target_change,
                "by": self.goal.by_date.isoformat() if self.goal.by_date else None}


@dataclass(frozen=True)
class RemarkProgress:
    linked: int
    fixed: int
    closed: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"linked": self.linked, "fixed": self.fixed, "closed": self.closed}


@dataclass(frozen=True)
class ActionFollowUp:
    """One action's follow-up: production, effect (or why none), goals, remarks, light."""

    action: Action
    production: str
    light: rules.LightDecision
    effect: Effect | None = None
    effect_note: str | None = None  # why there is no effect: a code of the catalogue's ap.effect_note.*
    goals: tuple[GoalProgress, ...] = ()
    remarks: RemarkProgress | None = None

    @property
    def outcome(self) -> str:
        return self.light.outcome

    @property
    def production_from_remarks(self) -> bool:
        return self.production != self.action.production

    def to_dict(self) -> dict[str, Any]:
        a = self.action
        measurable = [g for g in self.goals if g.goal.measurable]
        return {
            "nr": a.nr, "action": a.description, "responsible": a.responsible_name,
            "due": a.due_date.isoformat() if a.due_date else None,
            "start": a.start_date.isoformat() if a.start_date else None,
            "production": {"status": self.production, "date": _iso(a.production_date), "count": a.production_count,
                           "hours": a.production_hours, "from_remarks": self.production_from_remarks},
            "effect": self.effect.to_dict() if self.effect is not None else None,
            "effect_note": self.effect_note,
            "goal": measurable[0].to_dict() if measurable else None,
            "goals": [g.to_dict() for g in self.goals],
            "remarks": self.remarks.to_dict() if self.remarks is not None else None,
            "outcome": self.outcome, "light": self.light.light, "light_source": self.light.source,
            "light_reason": self.light.reason, "medborgarlofte": a.promise,
        }


@dataclass(frozen=True)
class PlanFollowUp:
    """The follow-up of every action of a plan (those the actor may see), as of a date."""

    view: PlanView
    as_of: dt.date
    data_until: dt.date | None
    actions: tuple[ActionFollowUp, ...] = field(default_factory=tuple)

    def of(self, action: Action | int | str) -> ActionFollowUp:
        ref = action.id if isinstance(action, Action) else action
        target = self.view.action(ref)
        return next(f for f in self.actions if f.action.id == target.id)

    def light_counts(self) -> dict[str | None, int]:
        counts: dict[str | None, int] = {light: 0 for light in (*rules.LIGHTS, None)}
        for f in self.actions:
            counts[f.light.light] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        p = self.view.plan
        return json.loads(json.dumps({
            "plan": {"id": p.id, "title": p.title, "status": p.status, "area": p.area_name,
                     "period": [_iso(p.period_start), _iso(p.period_end)], "decided": _iso(p.decided_date),
                     "as_of": self.as_of.isoformat(), "data_until": _iso(self.data_until)},
            "actions": [f.to_dict() for f in self.actions],
        }, allow_nan=False))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _finite(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if v == v and abs(v) != float("inf") else None


# -------------------------------------------------------------------- the pieces
def _in(incidents: pd.DataFrame, geom: BaseGeometry) -> pd.Series:
    lon, lat = incidents[S.LON].to_numpy(float), incidents[S.LAT].to_numpy(float)
    return pd.Series(shapely.contains_xy(shapely.buffer(geom, 1e-9), lon, lat), index=incidents.index)


def _of_categories(incidents: pd.DataFrame, categories: tuple[str, ...]) -> pd.DataFrame:
    if not categories or S.CATEGORY not in incidents:
        return incidents
    return incidents[incidents[S.CATEGORY].isin(list(categories))]


def _controls(frame: pd.DataFrame, action: Action, place: BaseGeometry, buffer: BaseGeometry,
              start: dt.date) -> tuple[str, list[tuple[str, BaseGeometry]]]:
    chosen = control_areas(action.controls)
    if chosen:
        return "chosen", chosen
    from ..followup import suggest_controls

    table = suggest_controls(frame, target=place, intervention=start.isoformat(), buffer=buffer,
                             before_days=BEFORE_DAYS, k=CONTROL_COUNT)
    return "suggested", [(str(h), g) for h, g in zip(table["h3"], table.geometry, strict=True)]


def effect_of(action: Action, place: BaseGeometry, incidents: pd.DataFrame, until: dt.date,
              categories: tuple[str, ...] = ()) -> tuple[Effect | None, str | None]:
    """The action's before/after effect, or None and the reason's code."""
    from ..followup import evaluate

    start = action.start_date
    if start is None:
        return None, "no_start"
    if start > until:
        return None, "not_started"
    after_days = min(AFTER_DAYS, (until - start).days + 1)
    if after_days < MIN_AFTER_DAYS:
        return None, "too_early"
    frame = _of_categories(incidents, categories)
    buffer_m = action.buffer_m or settings.evaluation_radius_m
    buffer = buffer_ring(place, buffer_m)
    try:
        source, controls = _controls(frame, action, place, buffer, start)
        result = evaluate(frame, target=place, controls=[g for _, g in controls], buffer=buffer,
                          intervention=start.isoformat(), before_days=BEFORE_DAYS, after_days=after_days,
                          control_names=[n for n, _ in controls]).to_dict()
    except GeoTrygghetError:
        return None, "no_controls"
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": n}, "geometry": mapping(g)} for n, g in controls]}
    ci = result.get("odds_ratio_ci") or [None, None]
    return Effect(
        intervention=start, before_days=BEFORE_DAYS, after_days=after_days,
        target_before=int(result["target_before"]), target_after=int(result["target_after"]),
        control_before=int(result["control_before"]), control_after=int(result["control_after"]),
        odds_ratio=_finite(result.get("odds_ratio")), odds_ratio_ci=(_finite(ci[0]), _finite(ci[1])),
        verdict=str(result.get("verdict")), reading_sv=str(result.get("reading_sv") or ""),
        reading_en=str(result.get("reading_en") or ""), buffer_m=float(buffer_m),
        buffer_before=result.get("buffer_before"), buffer_after=result.get("buffer_after"),
        wdq=_finite(result.get("wdq")), control_source=source, control_names=tuple(n for n, _ in controls),
        controls=json.dumps(fc), buffer=json.dumps(mapping(buffer)), categories=tuple(categories),
        notes=tuple(str(n) for n in result.get("notes") or ()),
    ), None


def goal_progress(goal: Goal, place: BaseGeometry | None, incidents: pd.DataFrame | None,
                  start: dt.date | None, until: dt.date | None) -> GoalProgress:
    """Progress of one goal as of ``until`` (see the module docstring)."""
    if not goal.measurable or place is None or incidents is None or until is None:
        return GoalProgress(goal, rules.GOAL_UNKNOWN, baseline=goal.baseline)
    frame = _of_categories(incidents, goal.categories)
    t = pd.to_datetime(frame[S.OCCURRED_AT])
    inside = _in(frame, place).to_numpy()
    baseline = goal.baseline
    if baseline is None:
        if start is None:
            return GoalProgress(goal, rules.GOAL_UNKNOWN)
        s0 = pd.Timestamp(start)
        baseline = float((inside & ((t >= s0 - TWELVE_MONTHS) & (t < s0)).to_numpy()).sum())
    stop = pd.Timestamp(until) + pd.Timedelta(days=1)
    current = int((inside & ((t >= stop - TWELVE_MONTHS) & (t < stop)).to_numpy()).sum())
    target = baseline * (1 + (goal.target_change or 0.0))
    if current <= target and (start is None or until >= start):
        status = rules.GOAL_MET
    elif goal.by_date is not None and until >= goal.by_date:
        status = rules.GOAL_NOT_MET
    else:
        status = rules.GOAL_PENDING
    return GoalProgress(goal, status, baseline=baseline, current=current, target=target)


def _remarks(action: Action) -> RemarkProgress | None:
    if not action.remarks:
        return None
    closed = sum(r.is_closed for r in action.remarks)
    return RemarkProgress(linked=len(action.remarks), fixed=sum(r.is_fixed for r in action.remarks), closed=closed)


def action_follow_up(view: PlanView, action: Action, incidents: pd.DataFrame | None, *, as_of: dt.date,
                     data_until: dt.date | None) -> ActionFollowUp:
    """The follow-up of one action (see the module docstring)."""
    place = geometry(view.place_of(action), f"the place of action {action.nr}")
    until = min(as_of, data_until) if data_until is not None else None
    effect, note = None, None
    if incidents is None or until is None:
        note = "no_data"
    elif place is None:
        note = "no_place"
    else:
        problem = view.problem_of(action)
        effect, note = effect_of(action, place, incidents, until, problem.categories if problem else ())
    goals = tuple(goal_progress(g, place, incidents, action.start_date, until) for g in action.goals)
    outcomes = [g.outcome for g in goals]
    if effect is not None:
        outcomes.append(effect.outcome)
    production = effective_production(action)
    light = rules.decide_light(production, rules.combine_outcomes(outcomes), action.light_override,
                               action.light_reason)
    return ActionFollowUp(action=action, production=production, light=light, effect=effect, effect_note=note,
                          goals=goals, remarks=_remarks(action))


def data_end(incidents: pd.DataFrame | None) -> dt.date | None:
    """The day of the last incident (None without incidents or times)."""
    if incidents is None or not len(incidents) or S.OCCURRED_AT not in incidents:
        return None
    last = pd.to_datetime(incidents[S.OCCURRED_AT]).max()
    return None if pd.isna(last) else last.date()


def follow_up(view: PlanView, incidents: pd.DataFrame | None, *, as_of: Any = None) -> PlanFollowUp:
    """Follow up every action of ``view`` on ``incidents`` (None: production and overrides only)
    as of ``as_of`` (default today)."""
    from .values import as_date

    day = as_date(as_of, "as-of date") or settings.local_today()
    until = data_end(incidents)
    actions = tuple(action_follow_up(view, a, incidents, as_of=day, data_until=until) for a in view.actions)
    return PlanFollowUp(view=view, as_of=day, data_until=until, actions=actions)
