"""Who may do what with a plan, by the table :data:`~.rules.PERMISSIONS`; the plan service calls
these checks before every read and change (pages may hide buttons, but the service decides).

* admin and analytiker (the samordnare): read and edit every plan, override lights;
* a problemägare: reads and reports on the actions its organisation is responsible for, and
  nothing else of a plan;
* a walk participant and the public (no login, ``actor`` None): only the medborgarlöften,
  without names (:meth:`~.service.PlanService.public_promises`).
"""

from __future__ import annotations

from ..errors import PermissionDeniedError
from ..remarks.auth import Actor
from ..remarks.states import PROBLEMAGARE
from . import rules


def role_of(actor: Actor | None) -> str:
    return actor.role if actor is not None else rules.PUBLIC


def who(actor: Actor | None) -> str:
    return "the public" if actor is None else f"{actor.role} '{actor.label}'"


def require(actor: Actor | None, operation: str, doing: str) -> None:
    """Raise :class:`PermissionDeniedError` unless the table lets ``actor`` do ``operation``."""
    if not rules.allowed(role_of(actor), operation):
        msg = f"{who(actor)} may not {doing}"
        raise PermissionDeniedError(msg)


def is_staff(actor: Actor | None) -> bool:
    return actor is not None and rules.allowed(actor.role, rules.READ_ALL)


def reading_scope(actor: Actor | None) -> int | None:
    """None when ``actor`` sees every action of a plan; its organisation's id when it sees only
    those; :class:`PermissionDeniedError` for everyone else."""
    if is_staff(actor):
        return None
    assert_own_scope(actor, "read a plan")
    assert actor is not None and actor.organisation_id is not None
    return actor.organisation_id


def assert_own_scope(actor: Actor | None, doing: str) -> None:
    """A problemägare bound to an organisation passes; anyone else without staff rights does not."""
    if actor is None or actor.role != PROBLEMAGARE or actor.organisation_id is None:
        msg = f"{who(actor)} may not {doing}"
        raise PermissionDeniedError(msg)


def require_action_report(actor: Actor | None, responsible_id: int | None, nr: str) -> None:
    """Staff report on any action; a problemägare only on its organisation's."""
    require(actor, rules.REPORT, f"report on action {nr}")
    if is_staff(actor):
        return
    assert actor is not None
    if actor.role != PROBLEMAGARE or actor.organisation_id is None or responsible_id != actor.organisation_id:
        msg = f"{who(actor)} may not report on action {nr}: it is another organisation's"
        raise PermissionDeniedError(msg)


__all__ = ["assert_own_scope", "is_staff", "reading_scope", "require", "require_action_report", "role_of", "who"]
