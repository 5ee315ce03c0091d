"""Follow-up errors with a code the app words in its own language.

The message stays the CLI's English one-liner (it may name a flag such as
``--before``); ``code`` and ``fields`` let an interface say the same thing in
terms of what its user can change (``geo_trygghet.ui.followup`` maps the codes
to catalogue texts).
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError, InsufficientDataError

#: The codes (and their fields) the follow-up core raises with.
CODES = (
    "bad_days",  # which ("before"/"after"), days
    "windows_overlap",  # days
    "empty_area",
    "control_overlaps_target",  # name
    "no_before_incidents",
    "no_candidate_cells",  # resolution
)


class FollowupInputError(InputError):
    """An input the follow-up cannot use; ``code`` and ``fields`` say which, for the app."""

    def __init__(self, message: str, *, code: str, **fields: Any) -> None:
        super().__init__(message)
        self.code = code
        self.fields = fields


class FollowupDataError(InsufficientDataError):
    """Too few incidents for the follow-up; ``code`` and ``fields`` say which, for the app."""

    def __init__(self, message: str, *, code: str, **fields: Any) -> None:
        super().__init__(message)
        self.code = code
        self.fields = fields


def error_code(exc: BaseException) -> tuple[str | None, dict[str, Any]]:
    """``(code, fields)`` of a follow-up error, ``(None, {})`` for any other."""
    if isinstance(exc, (FollowupInputError, FollowupDataError)):
        return exc.code, dict(exc.fields)
    return None, {}
