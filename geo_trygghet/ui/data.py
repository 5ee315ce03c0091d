"""Cached access for the pages: the remark service (one per database URL) and
file loaders keyed by path + modification time.

``st.cache_resource`` holds the remark service (thread-safe, shared by all
sessions); ``st.cache_data`` holds parsed files, keyed by hashable primitives
(path, mtime, size, options), so an edited file is read again and callers get
copies they may change.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from .. import settings

T = TypeVar("T")

#: The repository root (app.py, sample_data/ live here in a source checkout).
REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO_ROOT / "sample_data"


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
    """``(service, None)``, or ``(None, reason)`` when it cannot be opened (shown to the user)."""
    try:
        return remark_service(), None
    except ImportError as exc:
        return None, f"geo_trygghet.remarks: {exc}"
    except Exception as exc:  # a database that does not answer must not crash every page
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, first[:300]


def file_key(path: str | Path) -> tuple[str, int, int]:
    """``(resolved path, mtime_ns, size)``: changes whenever the file does."""
    p = Path(path).resolve()
    stat = p.stat()
    return str(p), stat.st_mtime_ns, stat.st_size


@st.cache_data(show_spinner=False, max_entries=16)
def _load(func_name: str, path: str, mtime_ns: int, size: int,
          options: tuple[tuple[str, Any], ...], _func: Callable[..., Any]) -> Any:
    return _func(path, **dict(options))


def load_file(func: Callable[..., T], path: str | Path, **options: Any) -> T:
    """``func(path, **options)``, cached until the file changes.

    ``options`` must be hashable (strings, numbers, tuples). Example:
    ``load_file(geo_trygghet.ingest.read_incidents, path, crs="EPSG:3006")``.
    """
    resolved, mtime_ns, size = file_key(path)
    name = f"{func.__module__}.{func.__qualname__}"
    return _load(name, resolved, mtime_ns, size, tuple(sorted(options.items())), _func=func)


@st.cache_data(show_spinner=False, max_entries=8)
def _load_bytes(func_name: str, digest: str, options: tuple[tuple[str, Any], ...],
                _func: Callable[..., Any], _data: bytes, _name: str) -> Any:
    return _func(_data, _name, **dict(options))


def load_upload(func: Callable[..., T], data: bytes, name: str, **options: Any) -> T:
    """``func(data, name, **options)`` for an uploaded file, cached by its content hash."""
    import hashlib

    digest = hashlib.sha256(data).hexdigest() + ":" + name
    fname = f"{func.__module__}.{func.__qualname__}"
    return _load_bytes(fname, digest, tuple(sorted(options.items())), _func=func, _data=data, _name=name)
