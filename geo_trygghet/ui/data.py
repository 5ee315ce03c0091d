"""Cached access for the pages: the remark service (one per database URL) and the key that
changes whenever a file does.

``st.cache_resource`` holds the remark service (thread-safe, shared by all sessions); file
loaders elsewhere (:mod:`.dataset`) are keyed by :func:`file_key` (path, mtime, size), so an
edited file is read again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st
from alembic.util.exc import CommandError
from sqlalchemy.exc import SQLAlchemyError

from .. import settings
from ..errors import GeoTrygghetError
from ..sample import SAMPLE_DIR

__all__ = ["SAMPLE_DIR", "database_url", "file_key", "remark_service", "remark_service_or_error"]


@st.cache_resource(show_spinner=False)
def _service_for(url: str) -> Any:
    from ..remarks import RemarkService, open_store

    return RemarkService(open_store(url))


def database_url() -> str:
    """The database of this app process (``GEO_TRYGGHET_DATABASE_URL`` or the SQLite file)."""
    return settings.database_url()


def remark_service() -> Any:
    """The shared :class:`~geo_trygghet.remarks.RemarkService` for the app's database."""
    return _service_for(database_url())


def remark_service_or_error() -> tuple[Any, str | None]:
    """``(service, None)``, or ``(None, reason)`` when the database cannot be opened (shown to
    the user: a database that does not answer must not crash every page)."""
    try:
        return remark_service(), None
    except (SQLAlchemyError, CommandError, GeoTrygghetError, ImportError, OSError, ValueError) as exc:
        # a database that does not answer, a migration that fails, a missing database driver
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, first[:300]


def file_key(path: str | Path) -> tuple[str, int, int]:
    """``(resolved path, mtime_ns, size)``: changes whenever the file does."""
    p = Path(path).resolve()
    stat = p.stat()
    return str(p), stat.st_mtime_ns, stat.st_size
