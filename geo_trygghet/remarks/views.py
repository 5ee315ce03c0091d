"""Views over many remarks: the protocol as of a date, the public summary, map frames.

:meth:`RemarkViews.remarks_as_of` rebuilds a walk's remarks from the event log alone
(every event carries the remark's owner and dates *after* it), so a protocol can be
printed for any past day. :func:`remarks_to_frame` is the one way a list of remarks
becomes a table (:data:`~.records.FRAME_COLUMNS`), for maps, exports and the protocol.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from ..errors import InputError
from . import states as st
from ._util import _as_instant, _geometry
from .auth import Actor, require_staff
from .models import EventRow, RemarkRow, WalkRow
from .reading import RemarkReader
from .records import EVENT_FIELDS, FRAME_COLUMNS, PublicSummary, Remark, WalkRef, remark_row
from .reminders import is_overdue
from .repository import Repository

_COUNT_COLUMNS = ["category", "category_label", "state", "state_label", "state_kind"]


def remarks_to_frame(remarks: Iterable[Remark], *, lang: str = "sv", today: dt.date | None = None,
                     overdue: bool | None = None) -> Any:
    """Remarks as a GeoDataFrame (EPSG:4326) with :data:`~.records.FRAME_COLUMNS` and a point
    geometry; ``overdue`` True/False keeps only the overdue ones / the others."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    rows = []
    for r in remarks:
        late = is_overdue(r, today)
        if overdue is None or late == bool(overdue):
            rows.append(remark_row(r, lang=lang, overdue=late))
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    points = [Point(x, y) for x, y in zip(frame["lon"], frame["lat"], strict=True)]
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")


class RemarkViews:
    """The protocol's as-of rebuild, the public summary and the frames for maps and exports."""

    def __init__(self, repo: Repository, reader: RemarkReader) -> None:
        self.repo = repo
        self.reader = reader

    def remarks_as_of(self, walk: WalkRef, as_of: dt.date | dt.datetime | str | None = None,
                      actor: Actor | None = None) -> list[Remark]:
        """The walk's remarks as they stood at the end of ``as_of`` (default: now),
        rebuilt from the event log alone (for the protocol)."""
        if actor is not None:
            require_staff(actor, "print protocols")
        until = _as_instant(as_of, "as-of date") if as_of is not None else dt.datetime.max
        with self.repo.read() as s:
            walk_row = self.repo.walk_row(s, walk)
            remarks = self.repo.load_remarks(s, self.repo.remark_query().where(RemarkRow.walk_id == walk_row.id), None)
            events = s.scalars(
                select(EventRow)
                .join(RemarkRow, RemarkRow.id == EventRow.remark_id)
                .where(RemarkRow.walk_id == walk_row.id, EventRow.at <= until)
                .order_by(EventRow.at, EventRow.id)
            ).all()
            owners = self.repo.owner_names(s)
        last: dict[str, EventRow] = {}  # each remark's last event by then
        assigned: dict[str, dt.datetime | None] = {}
        for e in events:
            last[e.remark_id] = e
            if e.to_state == st.TILLDELAD:  # assigned (again): the overdue clock restarts
                assigned[e.remark_id] = e.at
            elif e.to_state == st.INTE_VART_ANSVAR:  # back to assignment
                assigned[e.remark_id] = None
        out = []
        for r in remarks:
            final = last.get(r.id)
            if final is not None:
                out.append(replace(r, state=final.to_state, **{f: getattr(final, f) for f in EVENT_FIELDS},
                                   owner_name=owners.get(final.owner_id) if final.owner_id else None,
                                   assigned_at=assigned.get(r.id), updated_at=final.at))
        return out

    def public_summary(self, area: Any = None) -> PublicSummary:
        """What walks found and what was fixed, for the public page (no photos,
        no names; text only for fixed remarks, raw: escape it). ``area``: a
        GeoJSON polygon (text/dict) or shapely geometry; None means everywhere."""
        import pandas as pd
        from shapely.geometry import Point

        geom = _geometry(area, "area") if area is not None else None
        with self.repo.read() as s:
            remarks = self.repo.load_remarks(s, self.repo.remark_query(), None)
            walk_rows = {w.id: w for w in s.scalars(select(WalkRow))}
        if geom is not None:
            g = geom.buffer(1e-9)
            remarks = [r for r in remarks if g.contains(Point(r.lon, r.lat))]
        table = remarks_to_frame(remarks)
        counts = table[_COUNT_COLUMNS].groupby(_COUNT_COLUMNS, as_index=False).size()
        counts = counts.rename(columns={"size": "count"})
        fixed = table[[st.is_fixed(s) for s in table["state"]]] if len(table) else table
        fixed_gdf = fixed[["walk_title", "number", "ref", "category", "category_label", "text", "fixed_date",
                           "geometry"]]
        walk_ids = sorted({r.walk_id for r in remarks if r.walk_id is not None})  # not remarks from outside
        walks = pd.DataFrame(
            [{"title": walk_rows[w].title, "walk_date": walk_rows[w].walk_date,
              "remarks": int((table["walk_id"] == w).sum()), "fixed": int((fixed["walk_id"] == w).sum())}
             for w in walk_ids],
            columns=["title", "walk_date", "remarks", "fixed"],
        )
        return PublicSummary(walks_count=len(walk_ids), remarks_count=len(remarks), fixed_count=len(fixed),
                             counts=counts, fixed=fixed_gdf.reset_index(drop=True), walks=walks)

    def remarks_frame(self, actor: Actor, walk: WalkRef | None = None, state: str | Iterable[str] | None = None,
                      overdue: bool | None = None, organisation: int | str | None = None, *,
                      as_of: dt.date | str | None = None, today: dt.date | None = None, lang: str = "sv") -> Any:
        """The remarks ``actor`` may see as a GeoDataFrame (EPSG:4326) for maps and exports.

        Columns: :data:`~geo_trygghet.remarks.records.FRAME_COLUMNS` (each field of a
        remark with its labels beside it: category_label, state_label, state_kind;
        factors as JSON text; reporter_name for staff only, else empty; overdue) and
        the point geometry. ``as_of`` rebuilds states for a past date (staff only).
        """
        if as_of is not None:
            if walk is None:
                msg = "as_of needs a walk: the protocol is rebuilt per walk"
                raise InputError(msg)
            remarks = self.remarks_as_of(walk, as_of, actor=actor)
        else:
            remarks = self.reader.list_remarks(actor, walk=walk, state=state, organisation=organisation,
                                               today=today)
        return remarks_to_frame(remarks, lang=lang, today=today, overdue=overdue)
