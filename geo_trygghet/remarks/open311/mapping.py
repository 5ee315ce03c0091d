"""The one mapping of a remark to an Open311 GeoReport v2 service request.

:func:`service_request` is used by the endpoint (``requests``, ``requests/{id}``) and by the
export file (:func:`open311_requests`, which adds ``extended_attributes``). Status ``open``/
``closed`` comes from the state's kind (:func:`~geo_trygghet.remarks.states.is_open`): fixed and
closed kinds are ``closed``. ``agency_responsible`` is the problemägare, ``expected_datetime`` the
planned date, ``status_notes`` the latest note (else the state's label), ``updated_datetime`` the
latest event. Reporter names and contact details are never part of it; ``media_url`` only when
the caller passes one (photos are published only when configured public). Datetimes are ISO 8601
in UTC with their offset (``+00:00``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from .. import states as st
from ..categories import category_label
from ..records import Event, Remark

__all__ = ["iso_utc", "open311_requests", "service_request"]


def iso_utc(value: dt.datetime | dt.date | None) -> str | None:
    """A naive-UTC datetime (or a date, at midnight UTC) as ISO 8601 with its offset."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    moment = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return moment.isoformat(timespec="seconds")


def service_request(remark: Remark, events: Sequence[Event], *, lang: str = "sv", address: str | None = None,
                    media_url: str | None = None) -> dict[str, Any]:
    """``remark`` as a service request, its fields in the specification's order.

    ``events`` are the remark's events (oldest first) up to the moment shown; ``address`` what a
    partner typed for a remark from outside; ``media_url`` a public photo's address, if any.
    """
    note = next((e.note for e in reversed(events) if e.note), None)
    updated = max((e.at for e in events), default=remark.updated_at or remark.created_at)
    return {
        "service_request_id": remark.id,
        "status": "open" if st.is_open(remark.state) else "closed",
        "status_notes": note or remark.state_label(lang),
        "service_name": category_label(remark.category, lang),
        "service_code": remark.category,
        "description": remark.text or "",
        "agency_responsible": remark.owner_name or None,
        "service_notice": None,
        "requested_datetime": iso_utc(remark.created_at),
        "updated_datetime": iso_utc(updated),
        "expected_datetime": iso_utc(remark.planned_date),
        "address": address,
        "address_id": None,
        "zipcode": None,
        "lat": float(remark.lat),
        "long": float(remark.lon),
        "media_url": media_url,
    }


def _remarks(service: Any, walk: Any, as_of: dt.date | str | None, actor: Any) -> list[Remark]:
    """The remarks to export, as they stood at the end of ``as_of`` (None: now), by walk and number."""
    if as_of is None:
        return list(service.list_remarks(actor, walk=walk))
    walks = [walk] if walk is not None else service.list_walks(actor)
    remarks = [r for w in walks for r in service.remarks_as_of(w, as_of, actor=actor)]
    return sorted(remarks, key=lambda r: (r.walk_id is None, r.walk_id or 0, r.number))


def open311_requests(service: Any, *, walk: Any = None, as_of: dt.date | str | None = None,
                     actor: Any = None) -> list[dict[str, Any]]:
    """The remarks as Open311 service requests for the export file (a JSON-ready list).

    Each is :func:`service_request` (without media: photos are never exported) with
    ``extended_attributes``: the walk (or channel), the number, the state and its label, the
    fixed and planned dates, and SWEREF 99 TM ``e``/``n``. ``as_of`` rebuilds the states from
    the events (walks only).
    """
    import pandas as pd

    from .. import Actor
    from ..export import sweref_en

    actor = actor or Actor.system()
    remarks = _remarks(service, walk, as_of, actor)
    until = None
    if as_of is not None:
        day = pd.Timestamp(str(as_of)[:10]).date()
        until = dt.datetime.combine(day, dt.time(23, 59, 59, 999999))
    addresses = service.intake.addresses([r.id for r in remarks if r.from_outside])
    e, n = sweref_en([r.lon for r in remarks], [r.lat for r in remarks])
    out: list[dict[str, Any]] = []
    for i, r in enumerate(remarks):
        events = [ev for ev in service.history(actor, r.id) if until is None or ev.at <= until]
        request = service_request(r, events, address=addresses.get(r.id))
        request["extended_attributes"] = {
            "walk": r.walk_title, "number": int(r.number), "ref": r.ref, "state": r.state,
            "state_label": r.state_label(),
            "fixed_date": r.fixed_date.isoformat() if r.fixed_date else None,
            "planned_date": r.planned_date.isoformat() if r.planned_date else None,
            "e": float(e[i]), "n": float(n[i]), "crs_en": "EPSG:3006",
        }
        out.append(request)
    return out
