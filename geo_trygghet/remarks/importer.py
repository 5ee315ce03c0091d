"""Importing an old walk protocol: every row a remark with its whole history.

:func:`import_protocol` reads the file (:mod:`.protocol_file`) and writes through the
remark service. Every row becomes a remark with a deterministic id (uuid5 of the walk
title and NR), so importing the same file again adds nothing. The lifecycle is
written as back-dated events: ny (on the walk date) → tilldelad (the PROBLEMÄGARE,
created as an organisation when unknown) → planerad (the PLANERAT date) → åtgärdad
(the ÅTGÄRDAT date). A re-import moves a remark forward when the file says more (a
new fixed date) and never backwards. The service is called as :meth:`Actor.system`
unless another actor is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import settings
from ..errors import DateError, InputError, NotFoundError
from . import states as st
from .protocol_file import ProtocolRow, _clean_title, protocol_rows, read_protocol_table, remark_uuid

__all__ = ["ImportSummary", "import_frame", "import_protocol"]


@dataclass(frozen=True)
class ImportSummary:
    """What :func:`import_protocol` did."""

    source: str
    walk_title: str
    walk_created: bool
    rows_read: int
    imported: int
    already_present: int
    updated: int
    fixed: int
    planned: int
    assigned: int
    without_position: tuple[str, ...] = ()
    unknown_categories: dict[str, str] = field(default_factory=dict)  # NR → label
    new_organisations: tuple[str, ...] = ()
    crs: str = "EPSG:4326"
    remark_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: with --address: geocode level → rows placed by their addresses, and NR → how or why not
    geocoded: dict[str, int] = field(default_factory=dict)
    address_notes: dict[str, str] = field(default_factory=dict)

    def summary_lines(self) -> list[str]:
        walk = f"walk '{self.walk_title}'" + (" (created)" if self.walk_created else "")
        lines = [
            (f"{self.source} → {walk}: {self.rows_read} rows read, {self.imported} imported, "
            f"{self.already_present} already present ({self.updated} updated), {self.fixed} fixed, "
            f"{len(self.without_position)} without position")
        ]
        if self.without_position:
            lines.append(
                "  left out (no position): " + "; ".join(
                    f"NR {nr}" + (f" {self.address_notes[nr]}" if self.address_notes.get(nr) else "")
                    for nr in self.without_position)
                + "; add their coordinates (or a clearer address) and import the file again"
            )
        placed = {nr: why for nr, why in self.address_notes.items() if nr not in self.without_position}
        if placed:
            shown = "; ".join(f"NR {nr} {why}" for nr, why in placed.items())
            lines.append(f"  placed by address, not exactly: {shown}")
        if self.unknown_categories:
            shown = ", ".join(f"NR {k} '{v}'" for k, v in list(self.unknown_categories.items())[:8])
            lines.append(f"  unknown KATEGORI, imported as Annat: {shown}")
        if self.new_organisations:
            lines.append("  new problemägare added: " + ", ".join(self.new_organisations))
        lines.append(f"  coordinates read as {self.crs}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return lines


def import_protocol(
    service: Any,
    path: str | Path,
    walk_title: str,
    *,
    actor: Any = None,
    walk_date: dt.date | str | None = None,
    sheet: str | int | None = None,
    lat: str | None = None,
    lon: str | None = None,
    x: str | None = None,
    y: str | None = None,
    crs: str | None = None,
    group: str | None = None,
    organiser: str | None = None,
    area: Any = None,
    address: str | None = None,
    register: Any = None,
    postort: str | None = None,
) -> ImportSummary:
    """Import the protocol file at ``path`` into the walk called ``walk_title``
    (created, with ``walk_date``/``group``/``organiser``/``area``, if no walk has
    that title). See the module docstring for the rules.

    ``register`` (an address register or its file) places the rows that have no coordinates by
    their addresses, in column ``address`` (an address column, or ANMÄRKNING when the address is
    written in the remark; recognised by name when not given) and ``postort``; rows placed only
    to a postort, or not at all, are left out and listed with the reason."""
    p = Path(path)
    df, header_row = read_protocol_table(p, sheet=sheet)
    return import_frame(service, df, walk_title, source=p.name, header_row=header_row, actor=actor,
                        walk_date=walk_date, lat=lat, lon=lon, x=x, y=y, crs=crs, group=group,
                        organiser=organiser, area=area, address=address, register=register, postort=postort)


def import_frame(
    service: Any,
    df: pd.DataFrame,
    walk_title: str,
    *,
    source: str = "the protocol",
    header_row: int = 1,
    actor: Any = None,
    walk_date: dt.date | str | None = None,
    lat: str | None = None,
    lon: str | None = None,
    x: str | None = None,
    y: str | None = None,
    crs: str | None = None,
    group: str | None = None,
    organiser: str | None = None,
    area: Any = None,
    address: str | None = None,
    register: Any = None,
    postort: str | None = None,
) -> ImportSummary:
    """:func:`import_protocol` for a frame already read (headers as in the file)."""
    from . import Actor

    actor = actor or Actor.system()
    title = _clean_title(walk_title)
    if not title:
        msg = "--walk is empty: give the walk's title, e.g. --walk 'Centrum våren 2023'"
        raise InputError(msg)
    notes: list[str] = []
    rows, crs_used = protocol_rows(df, source=source, header_row=header_row, lat=lat, lon=lon, x=x, y=y,
                                    crs=crs, notes=notes, register=register, address=address, postort=postort)
    # all checks done: now write
    kwargs: dict[str, Any] = {}
    if walk_date is not None:
        kwargs["walk_date"] = walk_date
    if group is not None:
        kwargs["group"] = group
    if organiser is not None:
        kwargs["organiser"] = organiser
    if area is not None:
        kwargs["area"] = area
    walk, created = service.get_or_create_walk(actor, title, **kwargs)
    base = walk.walk_date
    if base is None:
        dates = [d for r in rows for d in (r.fixed, r.planned) if d is not None]
        base = min([settings.local_today(), *dates])
        notes.append(f"the walk has no date: the remarks are dated {base.isoformat()} (give --date)")
    for r in rows:
        if r.fixed is not None and r.fixed < base:
            msg = (
                f"{source}, row {r.line} (NR {r.nr}): ÅTGÄRDAT {r.fixed.isoformat()} is before the walk "
                f"({base.isoformat()}); check the date"
            )
            raise DateError(msg)

    run = _Run(service, actor, walk, base, source, notes)
    for r in sorted(rows, key=_nr_key):
        run.row(r)
    c = run.counts
    return ImportSummary(
        source=source, walk_title=walk.title, walk_created=created, rows_read=len(rows), imported=c["imported"],
        already_present=c["present"], updated=c["updated"], fixed=c["fixed"], planned=c["planned"],
        assigned=c["assigned"], without_position=tuple(run.without), unknown_categories=run.unknown,
        new_organisations=tuple(run.orgs.created), crs=crs_used, remark_ids=tuple(run.ids), notes=tuple(notes),
        geocoded=_levels(rows), address_notes={r.nr: r.geocode_note for r in rows if r.geocode_note},
    )


def _levels(rows: list[ProtocolRow]) -> dict[str, int]:
    """Geocode level → rows placed by their addresses, in the levels' order (none: empty)."""
    from ..ingest.geocode import LEVELS

    found = [r.geocode_level for r in rows if r.geocode_level]
    return {lvl: found.count(lvl) for lvl in LEVELS if lvl in found}


_MINUTE = dt.timedelta(minutes=1)


class _Run:
    """One import's writes: each row's remark, then its lifecycle as back-dated events."""

    def __init__(self, service: Any, actor: Any, walk: Any, base: dt.date, source: str, notes: list[str]) -> None:
        self.service, self.actor, self.walk, self.base, self.source = service, actor, walk, base, source
        self.notes = notes
        self.orgs = _Organisations(service, actor)
        self.counts = dict.fromkeys(("imported", "present", "updated", "fixed", "planned", "assigned"), 0)
        self.without: list[str] = []
        self.unknown: dict[str, str] = {}
        self.ids: list[str] = []

    def row(self, r: ProtocolRow) -> None:
        if r.category_raw:
            self.unknown[r.nr] = r.category_raw
        rid = remark_uuid(self.walk.title, r.nr)
        try:
            remark, is_new = self.service.get_remark(self.actor, rid), False
            self.counts["present"] += 1
            last_at = _last_event_at(self.service, self.actor, rid)
        except NotFoundError:
            if r.lon is None or r.lat is None:
                self.without.append(r.nr)
                return
            last_at = dt.datetime.combine(self.base, dt.time(12, 0))
            remark, is_new = self.service.submit_remark(
                self.actor, self.walk, rid, r.category, r.text, lon=r.lon, lat=r.lat,
                position_source="address" if r.geocode_level else "import",
                created_at=last_at), True
            self.counts["imported"] += 1
        self.ids.append(rid)
        changed = False
        for step in (self._assign, self._plan, self._fix):
            moved = step(r, remark, last_at)
            if moved is not None:
                remark, last_at, changed = moved[0], moved[1], True
        if r.fixed is not None and remark.is_fixed:
            self.counts["fixed"] += 1
        if changed and not is_new:
            self.counts["updated"] += 1

    def _assign(self, r: ProtocolRow, remark: Any, last_at: dt.datetime) -> tuple[Any, dt.datetime] | None:
        """→ tilldelad, the day after the walk (before the fix, when the file has one)."""
        if not r.owner:
            return None
        if not st.awaits_assignment(remark.state):
            if remark.owner_name and remark.owner_name.casefold() != r.owner.casefold() and remark.is_open:
                self.notes.append(f"NR {r.nr}: PROBLEMÄGARE '{r.owner}' in the file, "
                                  f"'{remark.owner_name}' in the database; kept")
            return None
        at = max(dt.datetime.combine(self.base + dt.timedelta(days=1), dt.time(8, 0)), last_at + _MINUTE)
        if r.fixed is not None:
            fix_at = dt.datetime.combine(r.fixed, dt.time(12, 0))
            at = max(min(at, fix_at - 2 * _MINUTE), last_at + _MINUTE)
        remark = self.service.assign(self.actor, remark.id, self.orgs.get(r.owner), note=self._note(), at=at)
        self.counts["assigned"] += 1
        return remark, at

    def _plan(self, r: ProtocolRow, remark: Any, last_at: dt.datetime) -> tuple[Any, dt.datetime] | None:
        """→ planerad, a minute after the last change."""
        if r.planned is None or remark.planned_date == r.planned or not st.can_reach(remark.state, st.PLANERAD):
            return None
        at = last_at + _MINUTE
        remark = self.service.plan(self.actor, remark.id, r.planned, note=self._note(), at=at)
        self.counts["planned"] += 1
        return remark, at

    def _fix(self, r: ProtocolRow, remark: Any, last_at: dt.datetime) -> tuple[Any, dt.datetime] | None:
        """→ åtgärdad, at noon of the ÅTGÄRDAT date."""
        if r.fixed is None or not st.can_reach(remark.state, st.ATGARDAD):
            return None
        at = max(dt.datetime.combine(r.fixed, dt.time(12, 0)), last_at + _MINUTE)
        remark = self.service.mark_fixed(self.actor, remark.id, r.fixed,
                                         note=f"åtgärdat enligt protokollet ({self.source})", at=at)
        return remark, at

    def _note(self) -> str:
        return f"importerat från {self.source}"


def _nr_key(r: ProtocolRow) -> tuple[int, float, str]:
    try:
        return (0, float(r.nr), r.nr)
    except ValueError:
        return (1, 0.0, r.nr)


def _last_event_at(service: Any, actor: Any, rid: str) -> dt.datetime:
    events = service.history(actor, rid)
    return max(e.at for e in events) if events else dt.datetime(1970, 1, 1)


class _Organisations:
    """Problemägare by name (exact, then any case), created when unknown."""

    def __init__(self, service: Any, actor: Any) -> None:
        self.service, self.actor = service, actor
        self.by_name = {o.name: o.id for o in service.list_organisations()}
        self.created: list[str] = []

    def get(self, name: str) -> int:
        name = " ".join(name.split())
        if name in self.by_name:
            return self.by_name[name]
        for known, oid in self.by_name.items():
            if known.casefold() == name.casefold():
                return oid
        try:
            org = self.service.create_organisation(self.actor, name)
            self.created.append(name)
        except InputError:  # created meanwhile
            org = self.service.get_organisation(name)
        self.by_name[org.name] = org.id
        return org.id


