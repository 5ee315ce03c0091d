"""Remark states, walk states and roles as data (the FixMyStreet model).

This module is the only place that knows state slugs. Code elsewhere asks about
a state's *kind* (:func:`is_open`, :func:`is_fixed`, :func:`is_closed`), looks a
change up in :data:`TRANSITIONS` (:func:`allowed_targets`, :func:`can_assign`, …)
or names a state through the constants below. Labels are not here: they are the
catalogue's ``state.<slug>``, ``walk_state.<slug>``, ``group.<slug>`` and
``role.<slug>`` texts (:mod:`geo_trygghet.i18n`).

States (slug · kind)::

    ny                 open      the remark as the participant sent it
    tilldelad          open      a problemägare is set
    planerad           open      the problemägare gave a planned date
    atgardad           fixed     the problemägare reported the fix, with its date
    kontrollerad       fixed     seen fixed at the follow-up walk
    inte_vart_ansvar   open      the problemägare declined: back to assignment
    dubblett           closed    linked to the original remark
    kan_inte_atgardas  closed    the problemägare cannot fix it (reason given)

Walks: planerad (open for remarks) → genomford (closed) → uppfoljd; a closed walk
can be opened again (:data:`WALK_TRANSITIONS`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..errors import InputError, InvalidTransitionError
from ..i18n import text

# ---------------------------------------------------------------- states
OPEN, CLOSED, FIXED = "open", "closed", "fixed"

NY = "ny"
TILLDELAD = "tilldelad"
PLANERAD = "planerad"
ATGARDAD = "atgardad"
KONTROLLERAD = "kontrollerad"
INTE_VART_ANSVAR = "inte_vart_ansvar"
DUBBLETT = "dubblett"
KAN_INTE_ATGARDAS = "kan_inte_atgardas"


@dataclass(frozen=True)
class State:
    """One remark state: a stable ``slug`` and a ``kind``; labels from the catalogue."""

    slug: str
    kind: str

    def label(self, lang: str = "sv") -> str:
        return text(f"state.{self.slug}", lang)

    @property
    def sv(self) -> str:
        return self.label("sv")

    @property
    def en(self) -> str:
        return self.label("en")


STATES: dict[str, State] = {
    s.slug: s
    for s in (
        State(NY, OPEN),
        State(TILLDELAD, OPEN),
        State(PLANERAD, OPEN),
        State(ATGARDAD, FIXED),
        State(KONTROLLERAD, FIXED),
        State(INTE_VART_ANSVAR, OPEN),
        State(DUBBLETT, CLOSED),
        State(KAN_INTE_ATGARDAS, CLOSED),
    )
}
INITIAL_STATE = NY


def state(slug: str) -> State:
    """The :class:`State` for ``slug``; :class:`InvalidTransitionError` if unknown."""
    try:
        return STATES[slug]
    except KeyError:
        msg = f"unknown remark state '{slug}': use one of {', '.join(STATES)}"
        raise InvalidTransitionError(msg) from None


def state_label(slug: str, lang: str = "sv") -> str:
    return state(slug).label(lang)


def is_open(slug: str) -> bool:
    return state(slug).kind == OPEN


def is_fixed(slug: str) -> bool:
    return state(slug).kind == FIXED


def is_closed(slug: str) -> bool:
    return state(slug).kind == CLOSED


def is_planned(slug: str) -> bool:
    """Open with a planned date (the maps' yellow)."""
    return slug == PLANERAD


def is_untouched(slug: str) -> bool:
    """As the participant sent it: nobody has acted on it yet."""
    return slug == INITIAL_STATE


def slugs_of_kind(kind: str) -> tuple[str, ...]:
    return tuple(s.slug for s in STATES.values() if s.kind == kind)


OPEN_STATES = slugs_of_kind(OPEN)
FIXED_STATES = slugs_of_kind(FIXED)
CLOSED_STATES = slugs_of_kind(CLOSED)
KINDS = (OPEN, FIXED, CLOSED)
#: States that wait for their problemägare (overdue after a while: :mod:`.reminders`).
WITH_OWNER_STATES = (TILLDELAD, PLANERAD)

# ---------------------------------------------------------------- roles
ADMIN = "admin"
ANALYTIKER = "analytiker"
PROBLEMAGARE = "problemagare"
DELTAGARE = "deltagare"
ROLES = (ADMIN, ANALYTIKER, PROBLEMAGARE, DELTAGARE)
#: Roles a user account can have (a deltagare has no account, only a walk code).
ACCOUNT_ROLES = (ADMIN, ANALYTIKER, PROBLEMAGARE)
STAFF_ROLES = (ADMIN, ANALYTIKER)


def role_label(role: str, lang: str = "sv") -> str:
    return text(f"role.{role}", lang)


# ---------------------------------------------------------------- transitions
# What a transition needs besides the roles: one of these field names.
NEEDS_OWNER = "owner"
NEEDS_PLANNED = "planned_date"
NEEDS_FIXED = "fixed_date"
NEEDS_REASON = "reason"
NEEDS_DUPLICATE = "duplicate_of"


@dataclass(frozen=True)
class Transition:
    """An allowed change ``source → target``.

    ``roles``: who may make it (a problemägare only on its own organisation's
    remarks, which the service checks). ``needs``: the field that must be given.
    ``keeps_owner``: with no owner given, the remark stays with its problemägare
    (reopen). ``clears_owner``: the remark goes back to assignment (inte vårt ansvar).
    """

    source: str
    target: str
    roles: frozenset[str]
    needs: str | None = None
    clears_owner: bool = False
    keeps_owner: bool = False
    name: str = ""


_STAFF = frozenset(STAFF_ROLES)
_OWNER = frozenset({ADMIN, PROBLEMAGARE})
_OWNER_OR_STAFF = frozenset({ADMIN, ANALYTIKER, PROBLEMAGARE})

_T = Transition
#: THE table of allowed state changes.
TRANSITIONS: tuple[Transition, ...] = (
    # assignment (and re-assignment) of a problemägare
    _T(NY, TILLDELAD, _STAFF, NEEDS_OWNER, name="assign"),
    _T(INTE_VART_ANSVAR, TILLDELAD, _STAFF, NEEDS_OWNER, name="assign"),
    _T(TILLDELAD, TILLDELAD, _STAFF, NEEDS_OWNER, name="assign"),
    _T(PLANERAD, TILLDELAD, _STAFF, NEEDS_OWNER, name="assign"),
    # the problemägare plans, fixes, declines
    _T(TILLDELAD, PLANERAD, _OWNER_OR_STAFF, NEEDS_PLANNED, name="plan"),
    _T(PLANERAD, PLANERAD, _OWNER_OR_STAFF, NEEDS_PLANNED, name="plan"),
    _T(TILLDELAD, ATGARDAD, _OWNER, NEEDS_FIXED, name="mark_fixed"),
    _T(PLANERAD, ATGARDAD, _OWNER, NEEDS_FIXED, name="mark_fixed"),
    _T(TILLDELAD, INTE_VART_ANSVAR, _OWNER, NEEDS_REASON, clears_owner=True, name="not_ours"),
    _T(PLANERAD, INTE_VART_ANSVAR, _OWNER, NEEDS_REASON, clears_owner=True, name="not_ours"),
    _T(TILLDELAD, KAN_INTE_ATGARDAS, _OWNER, NEEDS_REASON, name="cannot_fix"),
    _T(PLANERAD, KAN_INTE_ATGARDAS, _OWNER, NEEDS_REASON, name="cannot_fix"),
    # duplicates are linked by the analyst
    _T(NY, DUBBLETT, _STAFF, NEEDS_DUPLICATE, name="mark_duplicate"),
    _T(TILLDELAD, DUBBLETT, _STAFF, NEEDS_DUPLICATE, name="mark_duplicate"),
    _T(PLANERAD, DUBBLETT, _STAFF, NEEDS_DUPLICATE, name="mark_duplicate"),
    _T(INTE_VART_ANSVAR, DUBBLETT, _STAFF, NEEDS_DUPLICATE, name="mark_duplicate"),
    # the follow-up walk: verified, or reopened with the same problemägare
    _T(ATGARDAD, KONTROLLERAD, _STAFF, name="verify"),
    _T(ATGARDAD, TILLDELAD, _STAFF, NEEDS_OWNER, keeps_owner=True, name="reopen"),
)

_BY_PAIR: dict[tuple[str, str], Transition] = {(t.source, t.target): t for t in TRANSITIONS}

#: Why a target cannot be reached directly, for the error message.
_TARGET_HINTS = {
    ATGARDAD: "assign a problemägare first",
    PLANERAD: "assign a problemägare first",
    KONTROLLERAD: "only a remark marked Åtgärdad can be verified",
    INTE_VART_ANSVAR: "only an assigned remark can be declined",
    KAN_INTE_ATGARDAS: "only an assigned remark can be declared unfixable",
}
#: What can be done from a source instead, for the error message.
_SOURCE_HINTS = {ATGARDAD: "verify it (Kontrollerad) or reopen it"}


def find_transition(source: str, target: str) -> Transition:
    """The allowed transition ``source → target`` or :class:`InvalidTransitionError`."""
    state(target)
    found = _BY_PAIR.get((source, target))
    if found is None:
        src, tgt = state_label(source), state_label(target)
        nexts = sorted({state_label(t.target) for t in TRANSITIONS if t.source == source})
        if state(source).kind == CLOSED or not nexts:
            hint = f"'{src}' is final"
        else:
            hint = _SOURCE_HINTS.get(source) or _TARGET_HINTS.get(
                target, f"from '{src}' it can go to {', '.join(nexts)}"
            )
        msg = f"cannot go from '{src}' to '{tgt}': {hint}"
        raise InvalidTransitionError(msg)
    return found


def allowed_targets(source: str, role: str | None = None) -> tuple[str, ...]:
    """States reachable from ``source`` (by ``role`` if given), in table order."""
    out: list[str] = []
    for t in TRANSITIONS:
        if t.source == source and (role is None or role in t.roles) and t.target not in out:
            out.append(t.target)
    return tuple(out)


def _has(source: str, name: str) -> bool:
    return any(t.source == source and t.name == name for t in TRANSITIONS)


def can_reach(source: str, target: str) -> bool:
    """Whether the table has a change ``source → target`` (by anyone)."""
    return (source, target) in _BY_PAIR


def can_assign(source: str) -> bool:
    """Whether a remark in ``source`` can be given (another) problemägare."""
    return _has(source, "assign")


def awaits_assignment(source: str) -> bool:
    """Whether a remark in ``source`` has no problemägare yet and can be given one."""
    return can_assign(source) and source not in WITH_OWNER_STATES


def awaits_follow_up(source: str) -> bool:
    """Whether a remark in ``source`` is to be verified or reopened at the follow-up walk."""
    return _has(source, "verify")


def actionable_states(role: str) -> tuple[str, ...]:
    """States from which ``role`` can move a remark (a problemägare's work list)."""
    return tuple(s for s in STATES if allowed_targets(s, role))


# ---------------------------------------------------------------- walks
WALK_GROUPS = ("unga", "kvinnor", "aldre", "boende", "blandad", "annan")
DEFAULT_WALK_GROUP = "blandad"
WALK_PLANERAD, WALK_GENOMFORD, WALK_UPPFOLJD = "planerad", "genomford", "uppfoljd"
WALK_STATES = (WALK_PLANERAD, WALK_GENOMFORD, WALK_UPPFOLJD)
WALK_INITIAL_STATE = WALK_PLANERAD
#: The one table of allowed walk changes: close, reopen for remarks, mark followed up.
WALK_TRANSITIONS: dict[str, tuple[str, ...]] = {
    WALK_PLANERAD: (WALK_GENOMFORD,),
    WALK_GENOMFORD: (WALK_UPPFOLJD, WALK_PLANERAD),
    WALK_UPPFOLJD: (),
}


def walk_state_label(slug: str, lang: str = "sv") -> str:
    return text(f"walk_state.{slug}", lang) if slug in WALK_STATES else slug


def walk_group_label(slug: str, lang: str = "sv") -> str:
    return text(f"group.{slug}", lang) if slug in WALK_GROUPS else slug


def walk_takes_remarks(slug: str) -> bool:
    """Whether participants can add remarks to a walk in this state (it is not closed yet)."""
    return slug == WALK_PLANERAD


def walk_can_close(slug: str) -> bool:
    return WALK_GENOMFORD in WALK_TRANSITIONS.get(slug, ())


def walk_can_follow_up(slug: str) -> bool:
    return WALK_UPPFOLJD in WALK_TRANSITIONS.get(slug, ())


def check_walk_transition(source: str, target: str) -> None:
    """Refuse a walk change outside :data:`WALK_TRANSITIONS` (:class:`InvalidTransitionError`;
    an unknown state is an :class:`InputError`)."""
    if target not in WALK_STATES:
        msg = f"unknown walk state '{target}': use one of {', '.join(WALK_STATES)}"
        raise InputError(msg)
    if target not in WALK_TRANSITIONS.get(source, ()):
        nexts = WALK_TRANSITIONS.get(source, ())
        hint = f"from '{source}' it can go to {', '.join(nexts)}" if nexts else f"'{source}' is final"
        msg = f"a walk cannot go from '{source}' to '{target}': {hint}"
        raise InvalidTransitionError(msg)


def walk_path(source: str, target: str) -> tuple[str, ...]:
    """The walk states to pass through from ``source`` to ``target`` (target last; empty
    when they are the same); :class:`InvalidTransitionError` when the table has no way."""
    if source == target:
        return ()
    came_from: dict[str, str] = {source: source}
    queue = deque([source])
    while queue:
        here = queue.popleft()
        for nxt in WALK_TRANSITIONS.get(here, ()):
            if nxt not in came_from:
                came_from[nxt] = here
                queue.append(nxt)
    if target not in came_from:
        check_walk_transition(source, target)  # raises with the message
    path = [target]
    while came_from[path[-1]] != source:
        path.append(came_from[path[-1]])
    return tuple(reversed(path))


# ---------------------------------------------------------------- what a participant adds
#: Safetipin-style factor scores (each 0–3, optional); labels are the catalogue's ``factor.<name>``.
FACTORS = (
    "lighting",
    "openness",
    "visibility",
    "people",
    "security",
    "walk_path",
    "public_transport",
    "gender_usage",
)


def factor_label(name: str, lang: str = "sv") -> str:
    return text(f"factor.{name}", lang)


#: where a remark's position came from: the phone, a tap on the map, the photo, an imported
#: protocol's coordinates, or its address placed against an address register
POSITION_SOURCES = ("gps", "map", "exif", "import", "address")
