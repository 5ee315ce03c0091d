"""Reading remarks: one, a filtered list, a remark's history and photo, possible duplicates.

Every read takes an :class:`~.auth.Actor` and returns only what it may see: staff
everything, a problemägare its organisation's remarks, a participant its walk's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from .. import settings
from . import states as st
from ._util import _distance_m
from .auth import Actor, can_see_all, require_remark_access, require_walk_access
from .models import PhotoRow, RemarkRow
from .records import Event, Remark, WalkRef
from .reminders import is_overdue
from .repository import Repository


class RemarkReader:
    """Read-only access to remarks, with the actor's permissions applied."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def get_remark(self, actor: Actor, remark_id: str) -> Remark:
        """One remark (NotFoundError; PermissionDeniedError when ``actor`` may not see it)."""
        with self.repo.read() as s:
            row = self.repo.remark_row(s, remark_id)
            require_remark_access(actor, row.id, row.owner_id, self.repo.source_of(s, row)[1])
            return self.repo.remark_by_id(s, row.id, actor)

    def list_remarks(self, actor: Actor, walk: WalkRef | None = None, state: str | Iterable[str] | None = None,
                     overdue: bool | None = None, organisation: int | str | None = None, *,
                     today: dt.date | None = None, days: int | None = None) -> list[Remark]:
        """Remarks ``actor`` may see, by walk and number.

        ``state``: a state slug, several slugs, or a kind (``open``, ``fixed``,
        ``closed``). ``overdue``: True only overdue ones, False only the
        others. ``organisation``: owner id or name.
        """
        with self.repo.read() as s:
            q = self.repo.remark_query()
            visible = self.repo.visible_filter(actor)
            if visible is not None:
                q = q.where(visible)
            if walk is not None:
                walk_row = self.repo.walk_row(s, walk)
                require_walk_access(actor, walk_row.join_code, walk_row.title)
                q = q.where(RemarkRow.walk_id == walk_row.id)
            if state is not None:
                q = q.where(RemarkRow.state.in_(self.repo.state_set(state)))
            if organisation is not None:
                q = q.where(RemarkRow.owner_id == self.repo.organisation_id(s, organisation))
            remarks = self.repo.load_remarks(s, q, actor)
        if overdue is not None:
            remarks = [r for r in remarks if is_overdue(r, today, days) == bool(overdue)]
        return remarks

    def overdue(self, actor: Actor, today: dt.date | None = None, days: int | None = None) -> list[Remark]:
        """Overdue remarks ``actor`` may see (see :mod:`geo_trygghet.remarks.reminders`)."""
        return self.list_remarks(actor, state=st.WITH_OWNER_STATES, overdue=True, today=today, days=days)

    def history(self, actor: Actor, remark_id: str) -> list[Event]:
        """Every event of a remark, oldest first."""
        self.get_remark(actor, remark_id)  # permission check
        with self.repo.read() as s:
            return self.repo.events(s, remark_id)

    def get_photo(self, actor: Actor, remark_id: str) -> bytes | None:
        """The stored (stripped) JPEG of a remark, or None."""
        self.get_remark(actor, remark_id)
        with self.repo.read() as s:
            row = s.get(PhotoRow, str(remark_id))
            return bytes(row.content) if row is not None else None

    def nearby_open_remarks(self, walk: WalkRef | None, lon: float, lat: float, category: str,
                            radius_m: float | None = None, *, actor: Actor | None = None
                            ) -> list[tuple[Remark, float]]:
        """Open remarks of ``category`` within ``radius_m`` (default
        ``settings.duplicate_radius_m``) of ``lon``/``lat``, nearest first, as
        ``(remark, distance_m)``: possible duplicates to show before sending.
        ``walk`` None searches every walk (staff only)."""
        radius = settings.duplicate_radius_m if radius_m is None else float(radius_m)
        dlat = radius / 111_000.0 * 1.5
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        with self.repo.read() as s:
            q = self.repo.remark_query().where(
                RemarkRow.category == category,
                RemarkRow.state.in_(st.OPEN_STATES),
                RemarkRow.lat.between(lat - dlat, lat + dlat),
                RemarkRow.lon.between(lon - dlon, lon + dlon),
            )
            if walk is not None:
                walk_row = self.repo.walk_row(s, walk)
                if actor is not None:
                    require_walk_access(actor, walk_row.join_code, walk_row.title)
                q = q.where(RemarkRow.walk_id == walk_row.id)
            elif actor is not None and not can_see_all(actor):
                visible = self.repo.visible_filter(actor)
                if visible is not None:
                    q = q.where(visible)
            remarks = self.repo.load_remarks(s, q, actor)
        found = [(r, _distance_m(lon, lat, r.lon, r.lat)) for r in remarks]
        return sorted([f for f in found if f[1] <= radius], key=lambda f: f[1])
