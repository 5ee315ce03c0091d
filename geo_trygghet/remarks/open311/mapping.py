"""Open311 GeoReport v2: the remarks as service requests, for other systems.

Status ``open``/``closed`` is mapped from the state kinds; ``agency_responsible`` is
the problemägare, ``expected_datetime`` the planned date, ``status_notes`` the last
note. Never reporter names; ``media_url`` is null (photos are never public).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from . import states as st
from .export import _iso_date, _iso_utc, export_frame

__all__ = ["open311_requests"]


def open311_requests(
    service: Any, *, walk: Any = None, as_of: dt.date | str | None = None, actor: Any = None
) -> list[dict[str, Any]]:
    """The remarks as Open311 GeoReport v2 service requests (a JSON-ready list).

    ``status`` is ``closed`` for fixed and closed kinds, else ``open``;
    ``status_notes`` the latest event note (else the Swedish state label);
    ``agency_responsible`` the problemägare; ``expected_datetime`` the planned
    date; ``media_url`` is null (photos are never public); reporter names are
    never included. Datetimes are ISO 8601 in UTC (``+00:00``).
    """
    from . import Actor

    actor = actor or Actor.system()
    gdf = export_frame(service, walk=walk, as_of=as_of, actor=actor)
    until = None
    if as_of is not None:
        day = pd.Timestamp(str(as_of)[:10]).date()
        until = dt.datetime.combine(day, dt.time(23, 59, 59, 999999))
    out: list[dict[str, Any]] = []
    for row in gdf.itertuples(index=False):
        events = [e for e in service.history(actor, row.id) if until is None or e.at <= until]
        note = next((e.note for e in reversed(events) if e.note), None)
        updated = max((e.at for e in events), default=row.updated_at)
        status = "open" if st.is_open(row.state) else "closed"
        out.append({
            "service_request_id": row.id,
            "status": status,
            "status_notes": note or row.state_label,
            "service_name": row.category_label,
            "service_code": row.category,
            "description": row.text or "",
            "agency_responsible": row.owner_name if isinstance(row.owner_name, str) else None,
            "service_notice": None,
            "requested_datetime": _iso_utc(row.created_at),
            "updated_datetime": _iso_utc(updated),
            "expected_datetime": _iso_utc(pd.Timestamp(row.planned_date)) if _iso_date(row.planned_date) else None,
            "address": None,
            "address_id": None,
            "zipcode": None,
            "lat": float(row.lat),
            "long": float(row.lon),
            "media_url": None,
            "extended_attributes": {
                "walk": row.walk_title,
                "number": int(row.number),
                "state": row.state,
                "state_label": row.state_label,
                "fixed_date": _iso_date(row.fixed_date),
                "planned_date": _iso_date(row.planned_date),
                "e": float(row.e),
                "n": float(row.n),
                "crs_en": "EPSG:3006",
            },
        })
    return out

