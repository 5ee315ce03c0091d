"""Who is acting: :class:`Actor`, password hashing (argon2) and permission checks.

Roles: ``admin`` (everything), ``analytiker`` (walks, assignment, follow-up,
sees all), ``problemagare`` (bound to one organisation: sees and changes only
its remarks), ``deltagare`` (no account: holds a walk's join code, adds to
and sees only that walk). The service calls the ``require_*`` checks before
every read or change; pages may hide buttons, but the service decides.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import InputError, PermissionDeniedError
from .states import ACCOUNT_ROLES, ADMIN, ANALYTIKER, DELTAGARE, PROBLEMAGARE, STAFF_ROLES

_hasher = PasswordHasher()
#: The actor kind of another system talking Open311 (see :class:`Actor`).
OPEN311 = "open311"
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class Actor:
    """Who performs a service call.

    ``kind`` is ``"user"`` (an account), ``"deltagare"`` (a participant who
    holds ``walk_code``), ``"system"`` (the CLI and scripts: acts as admin) or
    ``"open311"`` (another system over Open311: a partner posting remarks, or a
    problemägare's own system reporting its fixes back; ``username`` names it).
    """

    kind: str
    role: str
    user_id: int | None = None
    username: str | None = None
    organisation_id: int | None = None
    walk_code: str | None = None
    display_name: str | None = None

    @classmethod
    def participant(cls, code: str) -> Actor:
        """A walk participant holding the join ``code``."""
        return cls(kind=DELTAGARE, role=DELTAGARE, walk_code=normalise_code(code))

    @classmethod
    def system(cls) -> Actor:
        """The command line and scripts: allowed everything, recorded as ``system``."""
        return cls(kind="system", role=ADMIN, username="system")

    @classmethod
    def organisation_system(cls, organisation_id: int, name: str) -> Actor:
        """A problemägare's own system (its Open311 endpoint) acting for the organisation:
        recorded as ``open311:<name>``, allowed what the organisation's users are."""
        return cls(kind=OPEN311, role=PROBLEMAGARE, organisation_id=organisation_id, username=name)

    @property
    def label(self) -> str:
        """How the actor is written in the event log."""
        if self.kind == DELTAGARE:
            return f"deltagare:{self.walk_code}"
        if self.kind == "system":
            return "system"
        if self.kind == OPEN311:
            return f"open311:{self.username}"
        return f"user:{self.username}"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


#: Join codes use no characters that are easy to confuse (0/O, 1/I/L, 5/S, 2/Z, 8/B).
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6


def normalise_code(code: str) -> str:
    """Upper-case, with spaces and dashes removed (codes are typed on phones)."""
    return "".join(str(code).split()).replace("-", "").upper()


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        msg = f"password too short: use at least {MIN_PASSWORD_LENGTH} characters"
        raise InputError(msg)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password")


def dummy_verify(password: str) -> None:
    """Spend the time of a real password check (for unknown user names)."""
    verify_password(_dummy_hash(), password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_role(role: str) -> str:
    if role not in ACCOUNT_ROLES:
        msg = f"unknown role '{role}': use one of {', '.join(ACCOUNT_ROLES)} (participants use a walk code, no account)"
        raise InputError(msg)
    return role


def require_role(actor: Actor, roles: tuple[str, ...] | frozenset[str], action: str) -> None:
    """Raise :class:`PermissionDeniedError` unless ``actor.role`` is in ``roles``."""
    if actor.role not in roles:
        msg = f"{actor.role} '{actor.label}' may not {action}"
        raise PermissionDeniedError(msg)


def require_staff(actor: Actor, action: str) -> None:
    require_role(actor, STAFF_ROLES, action)


def require_backdating(actor: Actor) -> None:
    """Staff may back-date a change (an import); so may a problemägare's own system, which reports
    a fix with the time it was made there."""
    if actor.kind != OPEN311:
        require_staff(actor, "back-date changes")


def require_admin(actor: Actor, action: str) -> None:
    require_role(actor, (ADMIN,), action)


def can_see_all(actor: Actor) -> bool:
    return actor.role in STAFF_ROLES


def holds_code(actor: Actor, join_code: str) -> bool:
    """Whether ``actor`` is a participant holding this walk's join code (a remark from outside any
    walk has none: no participant reaches it)."""
    return actor.role == DELTAGARE and bool(join_code) and normalise_code(actor.walk_code or "") == join_code


def owns(actor: Actor, owner_id: int | None) -> bool:
    """Whether ``actor`` is a problemägare of the organisation ``owner_id``."""
    return actor.role == PROBLEMAGARE and actor.organisation_id is not None and owner_id == actor.organisation_id


def require_walk_access(actor: Actor, join_code: str, title: str) -> None:
    """A participant only reaches the walk whose code it holds; everyone else passes here."""
    if actor.role == DELTAGARE and not holds_code(actor, join_code):
        msg = f"the walk code you hold does not give access to walk '{title}'"
        raise PermissionDeniedError(msg)


def require_remark_access(actor: Actor, remark_id: str, owner_id: int | None, join_code: str) -> None:
    """Staff see every remark, a problemägare its organisation's, a participant its walk's."""
    if can_see_all(actor) or owns(actor, owner_id) or holds_code(actor, join_code):
        return
    msg = f"{actor.role} '{actor.label}' may not see remark {remark_id}"
    raise PermissionDeniedError(msg)


__all__ = [
    "ADMIN",
    "ANALYTIKER",
    "DELTAGARE",
    "PROBLEMAGARE",
    "Actor",
    "hash_password",
    "normalise_code",
    "verify_password",
]
