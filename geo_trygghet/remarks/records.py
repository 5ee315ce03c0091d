"""Plain, immutable records the service hands out (never ORM objects).

Pages, the CLI, exports and the protocol read these; they carry labels so a
caller never needs to look a slug up itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from . import states as st
from .categories import category_label


@dataclass(frozen=True)
class Organisation:
    """A problemägare: a förvaltning, a fastighetsbolag, Trafikverket …"""

    id: int
    name: str
    kind: str | None = None
    email: str | None = None
    area: str | None = None  # GeoJSON geometry text, WGS84
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str | None
    role: str
    organisation_id: int | None = None
    email: str | None = None


@dataclass(frozen=True)
class Walk:
    """A trygghetsvandring. ``state``: planerad, genomford or uppfoljd."""

    id: int
    title: str
    join_code: str
    state: str
    area: str | None = None  # GeoJSON geometry text, WGS84
    walk_date: dt.date | None = None
    group: str | None = None
    organiser: str | None = None
    created_at: dt.datetime | None = None
    remark_count: int = 0

    def state_label(self, lang: str = "sv") -> str:
        return st.walk_state_label(self.state, lang)

    def group_label(self, lang: str = "sv") -> str:
        return st.walk_group_label(self.group, lang) if self.group else ""

    @property
    def is_open_for_remarks(self) -> bool:
        return st.walk_takes_remarks(self.state)

    @property
    def can_close(self) -> bool:
        return st.walk_can_close(self.state)

    @property
    def can_follow_up(self) -> bool:
        return st.walk_can_follow_up(self.state)


def remark_ref(walk_id: int | None, number: int, channel_id: int | None = None) -> str:
    """A remark's short reference, unique across walks: ``V3-9`` is number 9 of walk 3;
    ``E2-5`` is number 5 from outside channel 2 (an Open311 partner's series).

    The protocol keeps NR (numbered per walk, as the handbook's table); lists, maps, exports
    and reminders that hold remarks from several walks use this, so that three remarks
    numbered 9 can be told apart.
    """
    if walk_id is None:
        return f"E{int(channel_id or 0)}-{int(number)}"
    return f"V{int(walk_id)}-{int(number)}"


@dataclass(frozen=True)
class Remark:
    """One anmärkning. ``id`` is the client's UUID; ``number`` is 1…N in its walk;
    :attr:`ref` (``V3-9``) names it uniquely across walks.

    A remark from outside any walk (Open311) has no ``walk_id``: ``walk_title`` is then its
    channel's name (``Open311: fixamingata``) and ``number`` counts within that channel.
    ``reporter_name`` is only filled for admin and analytiker callers.
    Text is raw user input: escape it before it reaches HTML.
    """

    id: str
    walk_id: int | None
    walk_title: str
    number: int
    category: str
    text: str
    lon: float
    lat: float
    state: str
    accuracy_m: float | None = None
    position_source: str = "gps"
    feeling: int | None = None
    factors: dict[str, int] | None = None
    reporter_name: str | None = None
    owner_id: int | None = None
    owner_name: str | None = None
    planned_date: dt.date | None = None
    fixed_date: dt.date | None = None
    duplicate_of: str | None = None
    assigned_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    has_photo: bool = False
    channel_id: int | None = None

    def state_label(self, lang: str = "sv") -> str:
        return st.state_label(self.state, lang)

    def category_label(self, lang: str = "sv") -> str:
        return category_label(self.category, lang)

    @property
    def ref(self) -> str:
        """The short reference unique across walks (:func:`remark_ref`)."""
        return remark_ref(self.walk_id, self.number, self.channel_id)

    @property
    def state_kind(self) -> str:
        return st.state(self.state).kind

    @property
    def is_open(self) -> bool:
        return st.is_open(self.state)

    @property
    def is_fixed(self) -> bool:
        return st.is_fixed(self.state)

    @property
    def is_closed(self) -> bool:
        return st.is_closed(self.state)

    @property
    def from_outside(self) -> bool:
        """Whether the remark came from outside any walk (a channel such as Open311)."""
        return self.walk_id is None


@dataclass(frozen=True)
class Event:
    """One appended change of a remark; owner and dates are the values *after* it."""

    id: int
    remark_id: str
    at: dt.datetime
    actor: str
    from_state: str | None
    to_state: str
    note: str | None = None
    owner_id: int | None = None
    owner_name: str | None = None
    planned_date: dt.date | None = None
    fixed_date: dt.date | None = None
    duplicate_of: str | None = None

    def to_label(self, lang: str = "sv") -> str:
        return st.state_label(self.to_state, lang)

    def from_label(self, lang: str = "sv") -> str:
        return st.state_label(self.from_state, lang) if self.from_state else ""


@dataclass(frozen=True)
class PublicSummary:
    """What the public page shows: no photos, no names, no incident points.

    ``counts``: DataFrame with columns category, category_label, state,
    state_label, state_kind, count. ``fixed``: GeoDataFrame (EPSG:4326) of
    fixed remarks with walk_title, number, ref, category, category_label, text
    (raw: escape it), fixed_date, geometry. ``walks``: DataFrame title,
    walk_date, remarks, fixed.
    """

    walks_count: int
    remarks_count: int
    fixed_count: int
    counts: Any = field(repr=False)
    fixed: Any = field(repr=False)
    walks: Any = field(repr=False)


# ---------------------------------------------------------------- the one list of a remark's fields
#: Every field of a remark, in order (the :class:`Remark` dataclass is the list).
REMARK_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Remark))
#: Fields that are not columns of the remarks table (joined or computed when read).
JOINED_FIELDS = ("walk_title", "owner_name", "has_photo")
#: Fields stored in the remarks table, as named there.
STORED_FIELDS: tuple[str, ...] = tuple(f for f in REMARK_FIELDS if f not in JOINED_FIELDS)
#: The remark's values an event carries (their values *after* the event).
EVENT_FIELDS = ("owner_id", "planned_date", "fixed_date", "duplicate_of")
#: Labels shown beside the slug they word, in tables and exports (and the reference beside the number).
LABEL_COLUMNS = {"number": ("ref",), "category": ("category_label",), "state": ("state_label", "state_kind")}
#: The columns of a remarks table (:meth:`RemarkService.remarks_frame`): each field, its labels
#: beside it, and whether the remark is overdue.
FRAME_COLUMNS: tuple[str, ...] = (
    *(c for f in REMARK_FIELDS for c in (f, *LABEL_COLUMNS.get(f, ()))),
    "overdue",
)


def remark_row(remark: Remark, *, lang: str = "sv", overdue: bool = False) -> dict[str, Any]:
    """One remark as a row of :data:`FRAME_COLUMNS` (labels in ``lang``; factors as JSON text)."""
    import json

    row = {f: getattr(remark, f) for f in REMARK_FIELDS}
    row["factors"] = json.dumps(remark.factors) if remark.factors else None
    row.update(ref=remark.ref, category_label=remark.category_label(lang), state_label=remark.state_label(lang),
               state_kind=remark.state_kind, overdue=overdue)
    return row


#: How callers name a walk: the record, its id, its title or its join code.
WalkRef = Walk | int | str
