"""Remark states, roles and categories as data (the FixMyStreet model).

Code never compares against a particular state's label: it asks about the
*kind* (:func:`is_open`, :func:`is_fixed`, :func:`is_closed`) or looks a
change up in :data:`TRANSITIONS`, the one table of allowed state changes and
who may make each.

States (slug · kind · Swedish · English)::

    ny                 open    Ny                 New
    tilldelad          open    Tilldelad          Assigned
    planerad           open    Planerad           Planned
    atgardad           fixed   Åtgärdad           Fixed
    kontrollerad       fixed   Kontrollerad       Verified
    inte_vart_ansvar   open    Inte vårt ansvar   Not our responsibility
    dubblett           closed  Dubblett           Duplicate
    kan_inte_atgardas  closed  Kan inte åtgärdas  Cannot be fixed
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..errors import InvalidTransitionError

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
    """One remark state: a stable ``slug``, a ``kind`` and display labels."""

    slug: str
    kind: str
    sv: str
    en: str

    def label(self, lang: str = "sv") -> str:
        return self.en if lang == "en" else self.sv


STATES: dict[str, State] = {
    s.slug: s
    for s in (
        State(NY, OPEN, "Ny", "New"),
        State(TILLDELAD, OPEN, "Tilldelad", "Assigned"),
        State(PLANERAD, OPEN, "Planerad", "Planned"),
        State(ATGARDAD, FIXED, "Åtgärdad", "Fixed"),
        State(KONTROLLERAD, FIXED, "Kontrollerad", "Verified"),
        State(INTE_VART_ANSVAR, OPEN, "Inte vårt ansvar", "Not our responsibility"),
        State(DUBBLETT, CLOSED, "Dubblett", "Duplicate"),
        State(KAN_INTE_ATGARDAS, CLOSED, "Kan inte åtgärdas", "Cannot be fixed"),
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


def slugs_of_kind(kind: str) -> tuple[str, ...]:
    return tuple(s.slug for s in STATES.values() if s.kind == kind)


OPEN_STATES = slugs_of_kind(OPEN)
FIXED_STATES = slugs_of_kind(FIXED)
CLOSED_STATES = slugs_of_kind(CLOSED)

# ---------------------------------------------------------------- roles
ADMIN = "admin"
ANALYTIKER = "analytiker"
PROBLEMAGARE = "problemagare"
DELTAGARE = "deltagare"
ROLES = (ADMIN, ANALYTIKER, PROBLEMAGARE, DELTAGARE)
#: Roles a user account can have (a deltagare has no account, only a walk code).
ACCOUNT_ROLES = (ADMIN, ANALYTIKER, PROBLEMAGARE)
ROLE_LABELS = {
    ADMIN: ("Administratör", "Administrator"),
    ANALYTIKER: ("Analytiker", "Analyst"),
    PROBLEMAGARE: ("Problemägare", "Problem owner"),
    DELTAGARE: ("Deltagare", "Participant"),
}

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
    ``clears_owner``: the remark goes back to assignment (inte vårt ansvar).
    """

    source: str
    target: str
    roles: frozenset[str]
    needs: str | None = None
    clears_owner: bool = False
    name: str = ""


_STAFF = frozenset({ADMIN, ANALYTIKER})
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
    # the follow-up walk
    _T(ATGARDAD, KONTROLLERAD, _STAFF, name="verify"),
    _T(ATGARDAD, TILLDELAD, _STAFF, name="reopen"),
)

_BY_PAIR: dict[tuple[str, str], Transition] = {(t.source, t.target): t for t in TRANSITIONS}

#: Why a target cannot be reached directly, for the error message.
_HINTS = {
    ATGARDAD: "assign a problemägare first",
    PLANERAD: "assign a problemägare first",
    KONTROLLERAD: "only a remark marked Åtgärdad can be verified",
    INTE_VART_ANSVAR: "only an assigned remark can be declined",
    KAN_INTE_ATGARDAS: "only an assigned remark can be declared unfixable",
}


def find_transition(source: str, target: str) -> Transition:
    """The allowed transition ``source → target`` or :class:`InvalidTransitionError`."""
    state(target)
    found = _BY_PAIR.get((source, target))
    if found is None:
        src, tgt = state_label(source), state_label(target)
        nexts = sorted({state_label(t.target) for t in TRANSITIONS if t.source == source})
        if state(source).kind == CLOSED or not nexts:
            hint = f"'{src}' is final"
        elif source in (ATGARDAD,):
            hint = "verify it (Kontrollerad) or reopen it"
        else:
            hint = _HINTS.get(target, f"from '{src}' it can go to {', '.join(nexts)}")
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


# ---------------------------------------------------------------- categories
@dataclass(frozen=True)
class RemarkCategory:
    slug: str
    sv: str
    en: str

    def label(self, lang: str = "sv") -> str:
        return self.en if lang == "en" else self.sv


_DEFAULT_CATEGORIES = (
    RemarkCategory("belysning", "Belysning", "Lighting"),
    RemarkCategory("buskage", "Buskage/skymd sikt", "Vegetation/blocked view"),
    RemarkCategory("klotter", "Klotter", "Graffiti"),
    RemarkCategory("skadegorelse", "Skadegörelse", "Vandalism"),
    RemarkCategory("nedskrapning", "Nedskräpning", "Litter"),
    RemarkCategory("gangtunnel", "Gångtunnel/passage", "Underpass/passage"),
    RemarkCategory("trafik", "Trafik", "Traffic"),
    RemarkCategory("orienterbarhet", "Orienterbarhet", "Wayfinding"),
    RemarkCategory("overgivet_foremal", "Övergivet föremål", "Abandoned object"),
    RemarkCategory("trygg_plats", "Trygg plats", "Safe place"),
    RemarkCategory("annat", "Annat", "Other"),
)


def remark_categories() -> dict[str, RemarkCategory]:
    """Remark categories by slug: :data:`geo_trygghet.categories.REMARK_CATEGORIES`
    when that module defines them, else the built-in list of 11."""
    return dict(_remark_categories())


@functools.lru_cache(maxsize=1)
def _remark_categories() -> dict[str, RemarkCategory]:
    try:
        from ..ingest import crime_types as _cat  # type: ignore[attr-defined]

        source = _cat.REMARK_CATEGORIES
    except (ImportError, AttributeError):
        source = None
    if not source:
        return {c.slug: c for c in _DEFAULT_CATEGORIES}
    defaults = {c.slug: c for c in _DEFAULT_CATEGORIES}
    out: dict[str, RemarkCategory] = {}
    items = source.items() if isinstance(source, dict) else ((None, v) for v in source)
    for key, value in items:
        slug = key if isinstance(key, str) else getattr(value, "slug", value)
        if not isinstance(slug, str):
            continue
        sv = getattr(value, "sv", None) or getattr(value, "label_sv", None)
        en = getattr(value, "en", None) or getattr(value, "label_en", None)
        if isinstance(value, dict):
            sv = value.get("sv") or value.get("label_sv") or sv
            en = value.get("en") or value.get("label_en") or en
        elif (
            isinstance(value, tuple | list)
            and len(value) >= 2
            and all(isinstance(v, str) for v in value[:2])
        ):
            sv, en = value[0], value[1]
        base = defaults.get(slug)
        out[slug] = RemarkCategory(
            slug, sv or (base.sv if base else slug), en or (base.en if base else slug)
        )
    return out or {c.slug: c for c in _DEFAULT_CATEGORIES}


def category_label(slug: str, lang: str = "sv") -> str:
    cat = remark_categories().get(slug)
    return cat.label(lang) if cat else slug


#: Safetipin-style factor scores (each 0–3, optional).
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
FACTOR_LABELS = {
    "lighting": ("Belysning", "Lighting"),
    "openness": ("Överblickbarhet", "Openness"),
    "visibility": ("Synlighet", "Visibility"),
    "people": ("Människor", "People"),
    "security": ("Bevakning", "Security"),
    "walk_path": ("Gångväg", "Walk path"),
    "public_transport": ("Kollektivtrafik", "Public transport"),
    "gender_usage": ("Könsfördelning", "Gender mix"),
}

# ---------------------------------------------------------------- walks
WALK_GROUPS = ("unga", "kvinnor", "aldre", "boende", "blandad", "annan")
WALK_GROUP_LABELS = {
    "unga": ("Unga", "Young people"),
    "kvinnor": ("Kvinnor", "Women"),
    "aldre": ("Äldre", "Older people"),
    "boende": ("Boende", "Residents"),
    "blandad": ("Blandad", "Mixed"),
    "annan": ("Annan", "Other"),
}
WALK_PLANERAD, WALK_GENOMFORD, WALK_UPPFOLJD = "planerad", "genomford", "uppfoljd"
WALK_STATES = {
    WALK_PLANERAD: ("Planerad", "Planned"),
    WALK_GENOMFORD: ("Genomförd", "Done"),
    WALK_UPPFOLJD: ("Uppföljd", "Followed up"),
}
WALK_NEXT = {
    WALK_PLANERAD: (WALK_GENOMFORD,),
    WALK_GENOMFORD: (WALK_UPPFOLJD, WALK_PLANERAD),
    WALK_UPPFOLJD: (),
}

POSITION_SOURCES = ("gps", "map", "exif", "import")
