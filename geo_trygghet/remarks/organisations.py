"""Organisations (problemägare): who answers for which remark categories and area, and
which of them a new remark most likely belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import InputError, NotFoundError
from . import states as st
from ._util import _area_text, _geometry
from .accounts import check_email
from .auth import Actor, require_role
from .categories import REMARK_CATEGORIES
from .models import OrganisationCategoryRow, OrganisationRow
from .records import Organisation, Remark
from .repository import Repository


class Organisations:
    """The problemägare and the owner suggestion."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    # ------------------------------------------------------------ organisations
    def create_organisation(
        self,
        actor: Actor,
        name: str,
        *,
        kind: str | None = None,
        email: str | None = None,
        categories: Iterable[str] = (),
        area: Any = None,
    ) -> Organisation:
        """Add a problemägare with the remark categories and the area (GeoJSON, WGS84) it answers for."""
        require_role(actor, st.STAFF_ROLES, "create organisations")
        name = (name or "").strip()
        if not name:
            msg = "organisation name is empty: give the problemägare's name"
            raise InputError(msg)
        email = check_email(email)
        cats = self._check_categories(categories)
        area_text = _area_text(area, f"area of '{name}'")
        try:
            with self.repo.write() as s:
                row = OrganisationRow(name=name, kind=kind, email=email, area=area_text)
                s.add(row)
                s.flush()
                for c in cats:
                    s.add(OrganisationCategoryRow(organisation_id=row.id, category=c))
                s.flush()
                return self.repo.organisation_record(s, row)
        except IntegrityError:
            msg = f"an organisation called '{name}' exists already"
            raise InputError(msg) from None

    def update_organisation(
        self,
        actor: Actor,
        organisation_id: int,
        *,
        email: str | None = None,
        kind: str | None = None,
        categories: Iterable[str] | None = None,
        area: Any = None,
    ) -> Organisation:
        """Change an organisation's e-mail, kind, categories or area (given values only)."""
        require_role(actor, st.STAFF_ROLES, "change organisations")
        with self.repo.write() as s:
            row = s.get(OrganisationRow, organisation_id)
            if row is None:
                msg = f"no organisation with id {organisation_id}"
                raise NotFoundError(msg)
            if email is not None:
                row.email = email
            if kind is not None:
                row.kind = kind
            if area is not None:
                row.area = _area_text(area, f"area of '{row.name}'")
            if categories is not None:
                cats = self._check_categories(categories)
                for old in s.scalars(
                    select(OrganisationCategoryRow).where(
                        OrganisationCategoryRow.organisation_id == row.id
                    )
                ):
                    s.delete(old)
                s.flush()
                for c in cats:
                    s.add(OrganisationCategoryRow(organisation_id=row.id, category=c))
            s.flush()
            return self.repo.organisation_record(s, row)

    def list_organisations(self, actor: Actor | None = None) -> list[Organisation]:
        """All problemägare (their names and categories are not secret)."""
        with self.repo.read() as s:
            rows = s.scalars(select(OrganisationRow).order_by(OrganisationRow.name)).all()
            return [self.repo.organisation_record(s, r) for r in rows]

    def get_organisation(self, ref: int | str) -> Organisation:
        """An organisation by id or exact name (NotFoundError)."""
        with self.repo.read() as s:
            row = s.get(OrganisationRow, ref) if isinstance(ref, int) else None
            if row is None:
                row = s.scalars(
                    select(OrganisationRow).where(OrganisationRow.name == str(ref).strip())
                ).first()
            if row is None:
                msg = f"no problemägare '{ref}': add it first (create_organisation) or check the spelling"
                raise NotFoundError(msg)
            return self.repo.organisation_record(s, row)

    @staticmethod
    def _check_categories(categories: Iterable[str]) -> list[str]:
        out = []
        for c in categories or ():
            if c not in REMARK_CATEGORIES:
                msg = f"unknown remark category '{c}': use one of {', '.join(REMARK_CATEGORIES)}"
                raise InputError(msg)
            if c not in out:
                out.append(c)
        return out

    # ------------------------------------------------------------ owners
    def suggest_owners(self, category: str, lon: float, lat: float) -> list[Organisation]:
        """Problemägare ranked for a remark: category and area match, then
        category only (no area, or area elsewhere ranks last), then area only."""
        from shapely.geometry import Point

        point = Point(lon, lat)
        scored: list[tuple[int, str, Organisation]] = []
        for org in self.list_organisations():
            cat = category in org.categories
            geom = _geometry(org.area, f"area of '{org.name}'") if org.area else None
            inside = bool(geom is not None and geom.buffer(1e-9).contains(point))
            if cat and inside:
                score = 0
            elif cat and geom is None:
                score = 1
            elif inside and not org.categories:
                score = 2
            elif cat:
                score = 3
            else:
                continue
            scored.append((score, org.name, org))
        return [o for _, _, o in sorted(scored, key=lambda x: (x[0], x[1]))]

    def suggest_owner(self, remark: Remark | str) -> Organisation | None:
        """The best problemägare for ``remark`` (a record or id), or None."""
        if not isinstance(remark, Remark):
            with self.repo.read() as s:
                remark = self.repo.remark_by_id(s, str(remark), None)
        found = self.suggest_owners(remark.category, remark.lon, remark.lat)
        return found[0] if found and found[0] else None
