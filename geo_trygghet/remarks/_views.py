"""The protocol's as-of rebuild, the public summary and map frames: part of RemarkService."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ..errors import InputError
from . import states as st
from ._util import _as_instant, _geometry
from .auth import Actor, require_role
from .models import EventRow, OrganisationRow, RemarkRow, WalkRow
from .records import PublicSummary, Remark, WalkRef
from .reminders import is_overdue


class ViewsMixin:
    """Read-only views over many remarks."""

    # ------------------------------------------------------------ protocol, public, frames
    def remarks_as_of(
        self,
        walk: WalkRef,
        as_of: dt.date | dt.datetime | str | None = None,
        actor: Actor | None = None,
    ) -> list[Remark]:
        """The walk's remarks as they stood at the end of ``as_of`` (default: now),
        rebuilt from the event log alone (for the protocol)."""
        if actor is not None:
            require_role(actor, (st.ADMIN, st.ANALYTIKER), "print protocols")
        until = _as_instant(as_of, "as-of date") if as_of is not None else dt.datetime.max
        with self.store.read_session() as s:
            walk_row = self._walk_row(s, walk)
            remarks = self._load_remarks(
                s, self._remark_query().where(RemarkRow.walk_id == walk_row.id), None
            )
            events = s.scalars(
                select(EventRow)
                .join(RemarkRow, RemarkRow.id == EventRow.remark_id)
                .where(RemarkRow.walk_id == walk_row.id, EventRow.at <= until)
                .order_by(EventRow.at, EventRow.id)
            ).all()
            owners = {o.id: o.name for o in s.scalars(select(OrganisationRow))}
        last: dict[str, EventRow] = {}
        assigned: dict[str, dt.datetime | None] = {}
        for e in events:
            last[e.remark_id] = e
            if e.to_state == st.TILLDELAD:
                assigned[e.remark_id] = e.at
            elif e.to_state == st.INTE_VART_ANSVAR:
                assigned[e.remark_id] = None
        from dataclasses import replace

        out = []
        for r in remarks:
            e = last.get(r.id)
            if e is None:
                continue
            out.append(
                replace(
                    r,
                    state=e.to_state,
                    owner_id=e.owner_id,
                    owner_name=owners.get(e.owner_id) if e.owner_id else None,
                    planned_date=e.planned_date,
                    fixed_date=e.fixed_date,
                    duplicate_of=e.duplicate_of,
                    assigned_at=assigned.get(r.id),
                    updated_at=e.at,
                )
            )
        return out

    def public_summary(self, area: Any = None) -> PublicSummary:
        """What walks found and what was fixed, for the public page (no photos,
        no names; text only for fixed remarks, raw: escape it). ``area``: a
        GeoJSON polygon (text/dict) or shapely geometry; None means everywhere."""
        import geopandas as gpd
        import pandas as pd
        from shapely.geometry import Point

        geom = _geometry(area, "area") if area is not None else None
        with self.store.read_session() as s:
            remarks = self._load_remarks(s, self._remark_query(), None)
            walk_rows = {w.id: w for w in s.scalars(select(WalkRow))}
        if geom is not None:
            g = geom.buffer(1e-9)
            remarks = [r for r in remarks if g.contains(Point(r.lon, r.lat))]
        counts = pd.DataFrame(
            [
                {
                    "category": r.category,
                    "category_label": r.category_label(),
                    "state": r.state,
                    "state_label": r.state_label(),
                    "state_kind": r.state_kind,
                }
                for r in remarks
            ],
            columns=["category", "category_label", "state", "state_label", "state_kind"],
        )
        counts = (
            counts.groupby(
                ["category", "category_label", "state", "state_label", "state_kind"], as_index=False
            )
            .size()
            .rename(columns={"size": "count"})
        )
        fixed = [r for r in remarks if r.is_fixed]
        fixed_gdf = gpd.GeoDataFrame(
            {
                "walk_title": [r.walk_title for r in fixed],
                "number": [r.number for r in fixed],
                "category": [r.category for r in fixed],
                "category_label": [r.category_label() for r in fixed],
                "text": [r.text for r in fixed],
                "fixed_date": [r.fixed_date for r in fixed],
            },
            geometry=[Point(r.lon, r.lat) for r in fixed],
            crs="EPSG:4326",
        )
        walk_ids = sorted({r.walk_id for r in remarks})
        walks = pd.DataFrame(
            [
                {
                    "title": walk_rows[w].title,
                    "walk_date": walk_rows[w].walk_date,
                    "remarks": sum(1 for r in remarks if r.walk_id == w),
                    "fixed": sum(1 for r in fixed if r.walk_id == w),
                }
                for w in walk_ids
            ],
            columns=["title", "walk_date", "remarks", "fixed"],
        )
        return PublicSummary(
            walks_count=len(walk_ids),
            remarks_count=len(remarks),
            fixed_count=len(fixed),
            counts=counts,
            fixed=fixed_gdf,
            walks=walks,
        )

    def remarks_frame(
        self,
        actor: Actor,
        walk: WalkRef | None = None,
        state: str | Iterable[str] | None = None,
        overdue: bool | None = None,
        organisation: int | str | None = None,
        *,
        as_of: dt.date | str | None = None,
        today: dt.date | None = None,
        lang: str = "sv",
    ):  # type: ignore[no-untyped-def]
        """The remarks ``actor`` may see as a GeoDataFrame (EPSG:4326) for maps and exports.

        Columns: id, walk_id, walk_title, number, category, category_label,
        text, state, state_label, state_kind, owner_id, owner_name,
        planned_date, fixed_date, duplicate_of, created_at, updated_at,
        assigned_at, lon, lat, accuracy_m, position_source, feeling, factors
        (JSON text), reporter_name (staff only, else empty), has_photo,
        overdue, geometry. ``as_of`` rebuilds states for a past date (staff only).
        """
        import geopandas as gpd
        from shapely.geometry import Point

        if as_of is not None:
            if walk is None:
                msg = "as_of needs a walk: the protocol is rebuilt per walk"
                raise InputError(msg)
            remarks = self.remarks_as_of(walk, as_of, actor=actor)
        else:
            remarks = self.list_remarks(
                actor, walk=walk, state=state, organisation=organisation, today=today
            )
        rows = []
        for r in remarks:
            od = is_overdue(r, today)
            if overdue is not None and od != bool(overdue):
                continue
            rows.append(
                {
                    "id": r.id,
                    "walk_id": r.walk_id,
                    "walk_title": r.walk_title,
                    "number": r.number,
                    "category": r.category,
                    "category_label": r.category_label(lang),
                    "text": r.text,
                    "state": r.state,
                    "state_label": r.state_label(lang),
                    "state_kind": r.state_kind,
                    "owner_id": r.owner_id,
                    "owner_name": r.owner_name,
                    "planned_date": r.planned_date,
                    "fixed_date": r.fixed_date,
                    "duplicate_of": r.duplicate_of,
                    "created_at": r.created_at,
                    "updated_at": r.updated_at,
                    "assigned_at": r.assigned_at,
                    "lon": r.lon,
                    "lat": r.lat,
                    "accuracy_m": r.accuracy_m,
                    "position_source": r.position_source,
                    "feeling": r.feeling,
                    "factors": json.dumps(r.factors) if r.factors else None,
                    "reporter_name": r.reporter_name,
                    "has_photo": r.has_photo,
                    "overdue": od,
                }
            )
        columns = [
            "id", "walk_id", "walk_title", "number", "category", "category_label", "text", "state",
            "state_label", "state_kind", "owner_id", "owner_name", "planned_date", "fixed_date",
            "duplicate_of", "created_at", "updated_at", "assigned_at", "lon", "lat", "accuracy_m",
            "position_source", "feeling", "factors", "reporter_name", "has_photo", "overdue",
        ]  # fmt: skip
        import pandas as pd

        frame = pd.DataFrame(rows, columns=columns)
        return gpd.GeoDataFrame(
            frame,
            geometry=[Point(x, y) for x, y in zip(frame["lon"], frame["lat"], strict=True)],
            crs="EPSG:4326",
        )
