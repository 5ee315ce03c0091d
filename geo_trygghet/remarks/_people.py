"""Users, organisations (problemägare) and owner suggestions: part of RemarkService."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import InputError, NotFoundError, PermissionDeniedError
from . import states as st
from ._util import _area_text, _geometry
from .auth import (
    Actor,
    check_role,
    dummy_verify,
    hash_password,
    require_admin,
    require_role,
    verify_password,
)
from .models import LoginSessionRow, OrganisationCategoryRow, OrganisationRow, UserRow, utcnow
from .records import Organisation, Remark, User
from .store import Store


class PeopleMixin:
    """Accounts, logins and problemägare."""

    store: Store

    @staticmethod
    def _org_record(session: Session, row: OrganisationRow) -> Organisation:
        cats = session.scalars(
            select(OrganisationCategoryRow.category)
            .where(OrganisationCategoryRow.organisation_id == row.id)
            .order_by(OrganisationCategoryRow.category)
        ).all()
        return Organisation(row.id, row.name, row.kind, row.email, row.area, tuple(cats))

    # ------------------------------------------------------------ users
    def create_user(
        self,
        actor: Actor,
        username: str,
        password: str,
        role: str,
        *,
        display_name: str | None = None,
        organisation_id: int | None = None,
        email: str | None = None,
    ) -> User:
        """Create an account (admin only). A problemägare needs an organisation."""
        require_admin(actor, "create users")
        check_role(role)
        username = (username or "").strip()
        if not username:
            msg = "username is empty: give a user name"
            raise InputError(msg)
        email = _check_email(email)
        if role == st.PROBLEMAGARE and organisation_id is None:
            msg = f"user '{username}': a problemägare must belong to an organisation: pass organisation_id"
            raise InputError(msg)
        pw_hash = hash_password(password)
        try:
            with self.store.write_session() as s:
                if organisation_id is not None and s.get(OrganisationRow, organisation_id) is None:
                    msg = f"no organisation with id {organisation_id}"
                    raise NotFoundError(msg)
                row = UserRow(
                    username=username,
                    display_name=display_name,
                    password_hash=pw_hash,
                    role=role,
                    organisation_id=organisation_id,
                    email=email,
                )
                s.add(row)
                s.flush()
                return User(
                    row.id, row.username, row.display_name, row.role, row.organisation_id, row.email
                )
        except IntegrityError:
            msg = f"user name '{username}' is taken: choose another"
            raise InputError(msg) from None

    def list_users(self, actor: Actor) -> list[User]:
        require_admin(actor, "list users")
        with self.store.read_session() as s:
            rows = s.scalars(select(UserRow).order_by(UserRow.username)).all()
            return [
                User(r.id, r.username, r.display_name, r.role, r.organisation_id, r.email)
                for r in rows
            ]

    def login(self, username: str, password: str) -> Actor:
        """The :class:`Actor` for a user name and password; PermissionDeniedError if wrong."""
        with self.store.read_session() as s:
            row = s.scalars(
                select(UserRow).where(UserRow.username == (username or "").strip())
            ).first()
            if row is None:
                dummy_verify(password or "")  # as slow as a real check: names cannot be probed
            if row is None or not verify_password(row.password_hash, password or ""):
                msg = "wrong user name or password"
                raise PermissionDeniedError(msg)
            return self._actor_for(row)

    @staticmethod
    def _actor_for(row: UserRow) -> Actor:
        return Actor(kind="user", role=row.role, user_id=row.id, username=row.username,
                     organisation_id=row.organisation_id, display_name=row.display_name)

    # ------------------------------------------------------------ sessions that survive a reload
    def start_session(self, actor: Actor, *, days: float = 14) -> str:
        """A new random token that :meth:`resume_session` turns back into this user's Actor
        for ``days`` days (the browser keeps it in a cookie; only its hash is stored)."""
        if actor.kind != "user" or actor.user_id is None:
            msg = "only an account can keep a login; participants join with the walk code"
            raise PermissionDeniedError(msg)
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with self.store.write_session() as s:
            s.add(LoginSessionRow(token_hash=_token_hash(token), user_id=actor.user_id, created_at=now,
                                  expires_at=now + dt.timedelta(days=days)))
        return token

    def resume_session(self, token: str | None) -> Actor | None:
        """The Actor of a live session token (role and organisation as they are now), else None:
        unknown, ended and expired tokens all give None."""
        if not token or len(token) > 200:
            return None
        with self.store.read_session() as s:
            row = s.scalars(
                select(UserRow).join(LoginSessionRow, LoginSessionRow.user_id == UserRow.id)
                .where(LoginSessionRow.token_hash == _token_hash(token),
                       LoginSessionRow.ended_at.is_(None), LoginSessionRow.expires_at > utcnow())
            ).first()
            return None if row is None else self._actor_for(row)

    def end_session(self, token: str | None) -> None:
        """Log out: the token stops working at once (unknown tokens are ignored)."""
        if not token:
            return
        with self.store.write_session() as s:
            s.execute(update(LoginSessionRow)
                      .where(LoginSessionRow.token_hash == _token_hash(token), LoginSessionRow.ended_at.is_(None))
                      .values(ended_at=utcnow()))

    def set_password(self, actor: Actor, username: str, password: str) -> None:
        """Change a password: admin for anyone, a user for itself."""
        if actor.username != username:
            require_admin(actor, "change other users' passwords")
        pw_hash = hash_password(password)
        with self.store.write_session() as s:
            row = s.scalars(select(UserRow).where(UserRow.username == username)).first()
            if row is None:
                msg = f"no user '{username}'"
                raise NotFoundError(msg)
            row.password_hash = pw_hash
            # a new password ends the logins kept in browsers (a lost phone, a shared computer)
            s.execute(update(LoginSessionRow)
                      .where(LoginSessionRow.user_id == row.id, LoginSessionRow.ended_at.is_(None))
                      .values(ended_at=utcnow()))

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
        require_role(actor, (st.ADMIN, st.ANALYTIKER), "create organisations")
        name = (name or "").strip()
        if not name:
            msg = "organisation name is empty: give the problemägare's name"
            raise InputError(msg)
        email = _check_email(email)
        cats = self._check_categories(categories)
        area_text = _area_text(area, f"area of '{name}'")
        try:
            with self.store.write_session() as s:
                row = OrganisationRow(name=name, kind=kind, email=email, area=area_text)
                s.add(row)
                s.flush()
                for c in cats:
                    s.add(OrganisationCategoryRow(organisation_id=row.id, category=c))
                s.flush()
                return self._org_record(s, row)
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
        require_role(actor, (st.ADMIN, st.ANALYTIKER), "change organisations")
        with self.store.write_session() as s:
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
            return self._org_record(s, row)

    def list_organisations(self, actor: Actor | None = None) -> list[Organisation]:
        """All problemägare (their names and categories are not secret)."""
        with self.store.read_session() as s:
            rows = s.scalars(select(OrganisationRow).order_by(OrganisationRow.name)).all()
            return [self._org_record(s, r) for r in rows]

    def get_organisation(self, ref: int | str) -> Organisation:
        """An organisation by id or exact name (NotFoundError)."""
        with self.store.read_session() as s:
            row = s.get(OrganisationRow, ref) if isinstance(ref, int) else None
            if row is None:
                row = s.scalars(
                    select(OrganisationRow).where(OrganisationRow.name == str(ref).strip())
                ).first()
            if row is None:
                msg = f"no problemägare '{ref}': add it first (create_organisation) or check the spelling"
                raise NotFoundError(msg)
            return self._org_record(s, row)

    @staticmethod
    def _check_categories(categories: Iterable[str]) -> list[str]:
        known = st.remark_categories()
        out = []
        for c in categories or ():
            if c not in known:
                msg = f"unknown remark category '{c}': use one of {', '.join(known)}"
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
            with self.store.read_session() as s:
                remark = self._remark_by_id(s, str(remark), None)
        found = self.suggest_owners(remark.category, remark.lon, remark.lat)
        return found[0] if found and found[0] else None


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def _check_email(email: str | None) -> str | None:
    """The address trimmed, or None when empty; an InputError when it cannot be an address
    (reminders sent to it would bounce unnoticed)."""
    email = (email or "").strip()
    if not email:
        return None
    if not _EMAIL.fullmatch(email):
        msg = f"e-mail address '{email}' does not look right: write it as name@example.se"
        raise InputError(msg)
    return email


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
