"""The åtgärdsplan's states, kinds, permissions and the traffic-light rule, as data.

This module is the only place that knows the plan's slugs. Labels are the catalogue's
``ap.status.<slug>``, ``ap.kind.<slug>``, ``ap.production.<slug>``, ``ap.light.<slug>`` and
``ap.outcome.<code>`` texts (:mod:`geo_trygghet.i18n`).

Plan status: ``utkast`` (draft) → ``beslutad`` (decided, with its date) → ``avslutad``
(followed up); :data:`PLAN_TRANSITIONS` lists the allowed changes.

Production of an action (produktionsuppföljning), reported by its responsible organisation
or the samordnare: ``genomford`` (done), ``delvis`` (partly), ``ej_genomford`` (not done);
``ej_rapporterad`` until someone reports. An action with linked walk remarks and no report
takes its production from them: every (not closed) remark fixed → genomförd, some → delvis.

The traffic light (the handbook's *gubbe*)
    The evidence of an action's effect is summed up as one **outcome**:

    ``good``     crime fell in the place relative to its control areas, or a measurable goal is met
    ``bad``      crime rose in the place relative to its control areas
    ``none``     no clear change, or a goal's date passed without it being met
    ``unknown``  nothing to judge by yet (no place or start date, too few incidents, a goal
                 still running, no measurable goal)

    Several pieces of evidence: ``bad`` if any says bad, else ``good`` if any says good, else
    ``none`` if any says none, else ``unknown``. The light is then :data:`LIGHT_RULE`:

    =================  =====  =====  =====  ========
    production         good   none   bad    unknown
    =================  =====  =====  =====  ========
    genomförd          grön   gul    röd    gul
    delvis             gul    gul    röd    gul
    ej genomförd       röd    röd    röd    röd
    ej rapporterad     –      –      –      –
    =================  =====  =====  =====  ========

    Grön = done fully, as meant, with a good effect; gul = done but without the expected
    effect (or an effect that cannot be measured: judge it and set the light by hand), or
    not quite as planned; röd = not done, or done but crime rose. A manual override sets
    any light with a reason, kept in the action's history; clearing it returns to the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError, InvalidTransitionError
from ..i18n import text
from ..remarks.states import ADMIN, ANALYTIKER, DELTAGARE, PROBLEMAGARE

# ---------------------------------------------------------------- plan status
UTKAST, BESLUTAD, AVSLUTAD = "utkast", "beslutad", "avslutad"
PLAN_STATUSES = (UTKAST, BESLUTAD, AVSLUTAD)
PLAN_INITIAL_STATUS = UTKAST
#: The one table of allowed plan status changes.
PLAN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    UTKAST: (BESLUTAD,),
    BESLUTAD: (AVSLUTAD, UTKAST),
    AVSLUTAD: (BESLUTAD,),
}


def check_plan_transition(source: str, target: str) -> None:
    """Refuse a status change outside :data:`PLAN_TRANSITIONS`."""
    if target not in PLAN_STATUSES:
        msg = f"unknown plan status '{target}': use one of {', '.join(PLAN_STATUSES)}"
        raise InputError(msg)
    if target not in PLAN_TRANSITIONS.get(source, ()):
        nexts = ", ".join(PLAN_TRANSITIONS.get(source, ())) or "nothing"
        msg = f"a plan cannot go from '{source}' to '{target}': from '{source}' it can go to {nexts}"
        raise InvalidTransitionError(msg)


def needs_decided_date(status: str) -> bool:
    """Whether a plan in ``status`` has a decided date (beslutad, avslutad)."""
    return status != UTKAST


# ---------------------------------------------------------------- action kinds and places
SITUATIONELL, SOCIAL, ANNAN = "situationell", "social", "annan"
ACTION_KINDS = (SITUATIONELL, SOCIAL, ANNAN)
#: Where an action takes place: the problem's place, its own polygon, or nowhere in particular.
PLACE_PROBLEM, PLACE_OWN, PLACE_NONE = "problem", "own", "none"
ACTION_PLACES = (PLACE_PROBLEM, PLACE_OWN, PLACE_NONE)
#: How a problem's place was given.
PROBLEM_POLYGON, PROBLEM_CELLS, PROBLEM_NONE = "polygon", "cells", "none"
PROBLEM_PLACES = (PROBLEM_POLYGON, PROBLEM_CELLS, PROBLEM_NONE)


def check_kind(kind: str | None) -> str:
    """An action kind's slug from its slug or label (any case, sv or en)."""
    value = (kind or ANNAN).strip().lower()
    for slug in ACTION_KINDS:
        if value in (slug, label("kind", slug, "sv").lower(), label("kind", slug, "en").lower()):
            return slug
    msg = f"unknown action kind '{kind}': use one of {', '.join(ACTION_KINDS)}"
    raise InputError(msg)


# ---------------------------------------------------------------- production
EJ_RAPPORTERAD, GENOMFORD, DELVIS, EJ_GENOMFORD = "ej_rapporterad", "genomford", "delvis", "ej_genomford"
PRODUCTION_STATUSES = (EJ_RAPPORTERAD, GENOMFORD, DELVIS, EJ_GENOMFORD)
#: What a responsible organisation can report (not "not reported").
REPORTABLE = (GENOMFORD, DELVIS, EJ_GENOMFORD)


def check_production(status: str) -> str:
    """A production status's slug from its slug or label (any case, sv or en)."""
    value = (status or "").strip().lower()
    for slug in PRODUCTION_STATUSES:
        if value in (slug, label("production", slug, "sv").lower(), label("production", slug, "en").lower()):
            return slug
    msg = f"unknown production status '{status}': use one of {', '.join(REPORTABLE)}"
    raise InputError(msg)


def production_from_remarks(linked: int, fixed: int) -> str:
    """Production told by linked remarks: all fixed genomförd, some delvis, none ej rapporterad."""
    if linked <= 0 or fixed <= 0:
        return EJ_RAPPORTERAD
    return GENOMFORD if fixed >= linked else DELVIS


# ---------------------------------------------------------------- outcome and the light
GOOD, NONE, BAD, UNKNOWN = "good", "none", "bad", "unknown"
OUTCOMES = (GOOD, NONE, BAD, UNKNOWN)
GRON, GUL, ROD = "gron", "gul", "rod"
LIGHTS = (GRON, GUL, ROD)
#: Colours of the lights (the handbook's green, yellow and red figures) and of "not judged".
LIGHT_COLOURS = {GRON: "#1a9850", GUL: "#f2b705", ROD: "#d7301f", None: "#9e9e9e"}

#: THE rule: (production, outcome) → light (None: not judged yet).
LIGHT_RULE: dict[tuple[str, str], str | None] = {
    (GENOMFORD, GOOD): GRON, (GENOMFORD, NONE): GUL, (GENOMFORD, BAD): ROD, (GENOMFORD, UNKNOWN): GUL,
    (DELVIS, GOOD): GUL, (DELVIS, NONE): GUL, (DELVIS, BAD): ROD, (DELVIS, UNKNOWN): GUL,
    (EJ_GENOMFORD, GOOD): ROD, (EJ_GENOMFORD, NONE): ROD, (EJ_GENOMFORD, BAD): ROD, (EJ_GENOMFORD, UNKNOWN): ROD,
    (EJ_RAPPORTERAD, GOOD): None, (EJ_RAPPORTERAD, NONE): None, (EJ_RAPPORTERAD, BAD): None,
    (EJ_RAPPORTERAD, UNKNOWN): None,
}

#: Effect verdicts of :func:`geo_trygghet.followup.evaluate` (its JSON ``verdict``) → outcome.
VERDICT_OUTCOMES = {"fell": GOOD, "rose": BAD, "no clear change": NONE, "not enough incidents to say": UNKNOWN}
#: Goal statuses → outcome.
GOAL_MET, GOAL_NOT_MET, GOAL_PENDING, GOAL_UNKNOWN = "met", "not_met", "pending", "unknown"
GOAL_OUTCOMES = {GOAL_MET: GOOD, GOAL_NOT_MET: NONE, GOAL_PENDING: UNKNOWN, GOAL_UNKNOWN: UNKNOWN}


def combine_outcomes(outcomes: list[str] | tuple[str, ...]) -> str:
    """One outcome from several: bad beats good beats none beats unknown."""
    for code in (BAD, GOOD, NONE):
        if code in outcomes:
            return code
    return UNKNOWN


def light_for(production: str, outcome: str) -> str | None:
    """The rule's light for a production status and an outcome (:data:`LIGHT_RULE`)."""
    try:
        return LIGHT_RULE[(production, outcome)]
    except KeyError:
        msg = f"no light for production '{production}' and outcome '{outcome}'"
        raise InputError(msg) from None


def check_light(light: str) -> str:
    """A light's slug from its slug or label (grön, gul, röd, green …)."""
    value = (light or "").strip().lower()
    for slug in LIGHTS:
        if value in (slug, label("light", slug, "sv").lower(), label("light", slug, "en").lower()):
            return slug
    msg = f"unknown light '{light}': use one of {', '.join(LIGHTS)}"
    raise InputError(msg)


@dataclass(frozen=True)
class LightDecision:
    """An action's light and why: ``source`` "rule" or "override" (with its ``reason``)."""

    light: str | None
    production: str
    outcome: str
    source: str = "rule"
    reason: str | None = None

    @property
    def colour(self) -> str:
        return LIGHT_COLOURS[self.light]

    def label(self, lang: str = "sv") -> str:
        return label("light", self.light or "none", lang)


def decide_light(production: str, outcome: str, override: str | None = None,
                 reason: str | None = None) -> LightDecision:
    """The light by :data:`LIGHT_RULE`, or the manual override when one is set."""
    if override:
        return LightDecision(override, production, outcome, "override", reason)
    return LightDecision(light_for(production, outcome), production, outcome)


# ---------------------------------------------------------------- who may do what
PUBLIC = "public"
STAFF = frozenset({ADMIN, ANALYTIKER})
#: Operations of the plan service.
EDIT, READ_ALL, READ_OWN, REPORT, OVERRIDE, READ_PROMISES = (
    "edit", "read_all", "read_own", "report", "override", "read_promises")
#: THE permission table: operation → roles. A problemägare's READ_OWN and REPORT reach only the
#: actions its organisation is responsible for (the service checks which); a participant and the
#: public (no login) see only the medborgarlöften, without names.
PERMISSIONS: dict[str, frozenset[str]] = {
    EDIT: STAFF,
    READ_ALL: STAFF,
    OVERRIDE: STAFF,
    READ_OWN: frozenset({PROBLEMAGARE}),
    REPORT: STAFF | {PROBLEMAGARE},
    READ_PROMISES: STAFF | {PROBLEMAGARE, DELTAGARE, PUBLIC},
}
#: Operations a problemägare may do only on its own organisation's actions.
OWN_ONLY = frozenset({READ_OWN, REPORT})


def allowed(role: str | None, operation: str) -> bool:
    """Whether ``role`` (None: the public) may do ``operation`` at all."""
    return (role or PUBLIC) in PERMISSIONS[operation]


# ---------------------------------------------------------------- labels
def label(group: str, slug: str, lang: str = "sv") -> str:
    """The catalogue's ``ap.<group>.<slug>`` (status, kind, production, light, outcome, place)."""
    return text(f"ap.{group}.{slug}", lang)


__all__ = [
    "ACTION_KINDS", "ACTION_PLACES", "AVSLUTAD", "BESLUTAD", "DELVIS", "EJ_GENOMFORD", "EJ_RAPPORTERAD",
    "GENOMFORD", "GRON", "GUL", "LIGHTS", "LIGHT_COLOURS", "LIGHT_RULE", "OUTCOMES", "PERMISSIONS",
    "PLAN_STATUSES", "PLAN_TRANSITIONS", "PRODUCTION_STATUSES", "REPORTABLE", "ROD", "UTKAST", "LightDecision",
    "allowed", "check_kind", "check_light", "check_plan_transition", "check_production", "combine_outcomes",
    "decide_light", "label", "light_for", "production_from_remarks",
]
