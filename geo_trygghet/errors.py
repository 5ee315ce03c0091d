"""The exceptions geo_trygghet raises.

Every error a *user* can cause (a wrong column, an unparseable date, a CRS that
does not fit, a bad photo, a state change that is not allowed) is a
:class:`GeoTrygghetError`. Its message is one line that says what is wrong and
how to fix it; the CLI prints that line and exits with status 2, the app shows
it in a box. Anything else is a bug and may show a traceback.

Build the message first, then raise (``msg = ...; raise InputError(msg)``).
"""

from __future__ import annotations


class GeoTrygghetError(Exception):
    """Base class: a problem the user can fix. ``str(err)`` is one line."""

    exit_code = 2


class InputError(GeoTrygghetError, ValueError):
    """A file, column, value or option the user gave cannot be used."""


class SchemaError(InputError):
    """A required column is missing or has the wrong content."""


class CRSError(InputError):
    """Coordinates do not fit the declared or detected coordinate system."""


class DateError(InputError):
    """Dates or times that cannot be parsed."""


class PhotoError(InputError):
    """A photo of the wrong type or size, or one that cannot be read."""


class InsufficientDataError(GeoTrygghetError):
    """Too few incidents (or cells) to compute a result that means anything."""


class InvalidTransitionError(GeoTrygghetError, ValueError):
    """A remark state change that the lifecycle does not allow."""


class PermissionDeniedError(GeoTrygghetError, PermissionError):
    """The acting user may not see or change this object."""


class NotFoundError(GeoTrygghetError, LookupError):
    """A walk, remark, organisation or user that does not exist."""


class ConflictError(InputError):
    """An id that is known already with other content (a remark id reused for another remark)."""


def one_line(message: str) -> str:
    """Collapse a message to a single line (for the CLI and the app)."""
    return " ".join(str(message).split())
