"""Accounts: users, passwords and logins that survive a browser reload.

A deltagare has no account: it holds a walk's join code (:meth:`Actor.participant`).
Passwords are argon2 hashes; a login kept in a browser is a random token whose
SHA-256 alone is stored, ended at logout, on a new password, or when it expires.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..errors import InputError, NotFoundError, PermissionDeniedError
from . import states as st
from .auth import Actor, check_role, dummy_verify, hash_password, require_admin, verify_password
from .models import LoginSessionRow, OrganisationRow, UserRow, utcnow
from .records import User
from .repository import Repository


class Accounts:
    """User accounts and their logins."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

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
        email = check_email(email)
        if role == st.PROBLEMAGARE and organisation_id is None:
            msg = f"user '{username}': a problemägare must belong to an organisation: pass organisation_id"
            raise InputError(msg)
        pw_hash = hash_password(password)
        try:
            with self.repo.write() as s:
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
        with self.repo.read() as s:
            rows = s.scalars(select(UserRow).order_by(UserRow.username)).all()
            return [
                User(r.id, r.username, r.display_name, r.role, r.organisation_id, r.email)
                for r in rows
            ]

    def login(self, username: str, password: str) -> Actor:
        """The :class:`Actor` for a user name and password; PermissionDeniedError if wrong."""
        with self.repo.read() as s:
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
        with self.repo.write() as s:
            s.add(LoginSessionRow(token_hash=_token_hash(token), user_id=actor.user_id, created_at=now,
                                  expires_at=now + dt.timedelta(days=days)))
        return token

    def resume_session(self, token: str | None) -> Actor | None:
        """The Actor of a live session token (role and organisation as they are now), else None:
        unknown, ended and expired tokens all give None."""
        if not token or len(token) > 200:
            return None
        with self.repo.read() as s:
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
        with self.repo.write() as s:
            s.execute(update(LoginSessionRow)
                      .where(LoginSessionRow.token_hash == _token_hash(token), LoginSessionRow.ended_at.is_(None))
                      .values(ended_at=utcnow()))

    def set_password(self, actor: Actor, username: str, password: str) -> None:
        """Change a password: admin for anyone, a user for itself."""
        if actor.username != username:
            require_admin(actor, "change other users' passwords")
        pw_hash = hash_password(password)
        with self.repo.write() as s:
            row = s.scalars(select(UserRow).where(UserRow.username == username)).first()
            if row is None:
                msg = f"no user '{username}'"
                raise NotFoundError(msg)
            row.password_hash = pw_hash
            # a new password ends the logins kept in browsers (a lost phone, a shared computer)
            s.execute(update(LoginSessionRow)
                      .where(LoginSessionRow.user_id == row.id, LoginSessionRow.ended_at.is_(None))
                      .values(ended_at=utcnow()))


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def check_email(email: str | None) -> str | None:
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
