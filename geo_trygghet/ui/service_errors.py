"""The remark service's one-line errors, said to the user in the interface language.

The core raises English one-liners that name a column or flag (the CLI contract); a
page shows what the user can change in the app instead (:func:`swedish_error`).
"""

from __future__ import annotations

import re

from .. import settings
from ..errors import GeoTrygghetError, InputError, PermissionDeniedError, PhotoError
from .i18n import t


def photo_max_mb() -> int:
    return max(1, settings.photo_max_bytes // (1024 * 1024))


#: The service's English one-liners that a staff form can cause, said in the interface language.
_INPUT_ERRORS = [(re.compile(p), key) for p, key in (
    (r"^organisation name is empty", "err.org_name"),
    (r"^an organisation called '(?P<name>.+)' exists already", "err.org_taken"),
    (r"^username is empty", "err.user_name"),
    (r"^user name '(?P<name>.+)' is taken", "err.user_taken"),
    (r"^password too short: use at least (?P<n>\d+)", "err.password_short"),
    (r"a problemägare must belong to an organisation", "err.user_org"),
    (r"^walk title is empty", "err.walk_title"),
    (r"^a walk called '(?P<name>.+)' exists already", "err.walk_taken"),
    (r"^e-mail address '(?P<email>.*)' does not look right", "err.email"),
)]


def swedish_error(exc: BaseException) -> str:
    """One line for the user (Swedish by default) for a service error."""
    msg = str(exc)
    low = msg.lower()
    if isinstance(exc, PhotoError):
        key = ("err.photo_empty" if "empty" in low else "err.photo_big" if "larger than" in low
               else "err.photo_heic" if "heic" in low else "err.photo")
        return t(key, mb=photo_max_mb()) if key == "err.photo_big" else t(key)
    if isinstance(exc, PermissionDeniedError):
        return t("err.closed") if "is closed" in low else t("err.denied", why=msg)
    if isinstance(exc, InputError):
        if "no position" in low or "out of range: give wgs84" in low:
            return t("err.no_position")
        if "characters long" in low:
            return t("err.too_long")
        if "unknown remark category" in low:
            return t("err.category")
        for pattern, key in _INPUT_ERRORS:
            found = pattern.search(msg)
            if found:
                return t(key, **found.groupdict())
        return t("err.input", why=msg)
    if isinstance(exc, GeoTrygghetError):
        return t("err.input", why=msg)
    return t("err.network")
