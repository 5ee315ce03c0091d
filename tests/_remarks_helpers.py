"""Shared helpers for the remark tests: bring a remark to any state."""

from __future__ import annotations

import datetime as dt
import uuid

from geo_trygghet.remarks import Actor
from geo_trygghet.settings import local_today

ADMIN = Actor.system()
LON, LAT = 15.6214, 58.4108

#: The changes (by an admin) that bring a new remark to each state.
PATHS = {
    "ny": (),
    "tilldelad": ("assign",),
    "planerad": ("assign", "plan"),
    "atgardad": ("assign", "fix"),
    "kontrollerad": ("assign", "fix", "verify"),
    "inte_vart_ansvar": ("assign", "not_ours"),
    "dubblett": ("duplicate",),
    "kan_inte_atgardas": ("assign", "cannot_fix"),
}


def new_remark(service, walk, *, category="belysning", lon=LON, lat=LAT, **kw):
    return service.submit_remark(
        ADMIN, walk, str(uuid.uuid4()), category, "Trasig lampa", lon=lon, lat=lat, **kw
    )


def bring_to(service, remark, state: str, owner_id: int, original_id: str | None = None):
    """Move ``remark`` from Ny to ``state`` along :data:`PATHS`; return the record."""
    for step in PATHS[state]:
        if step == "assign":
            remark = service.assign(ADMIN, remark.id, owner_id)
        elif step == "plan":
            remark = service.plan(ADMIN, remark.id, local_today() + dt.timedelta(days=14))
        elif step == "fix":
            remark = service.mark_fixed(ADMIN, remark.id, local_today(), "Lagad")
        elif step == "verify":
            remark = service.verify(ADMIN, remark.id)
        elif step == "not_ours":
            remark = service.not_ours(ADMIN, remark.id, "Fastighetsägarens ansvar")
        elif step == "cannot_fix":
            remark = service.cannot_fix(ADMIN, remark.id, "Fredad byggnad")
        elif step == "duplicate":
            remark = service.mark_duplicate(ADMIN, remark.id, original_id)
    assert remark.state == state
    return remark
