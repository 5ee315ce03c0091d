"""Incident files with addresses instead of coordinates, in the upload's column mapping, and what
the data panel says about the positions (points, withheld, shared, area centroids, match levels).

The mapping step (:mod:`.dataset`) offers *Adresser* beside the coordinate kinds: an address
column and an address register, uploaded in the form or the one ``GEO_TRYGGHET_ADDRESS_REGISTER``
names (Lantmäteriet's belägenhetsadress GeoPackage, or any CSV/GeoPackage with street, number and
position). The register is read once per file (``st.cache_resource`` keyed by path, modification
time and size) and handed to :func:`geo_trygghet.ingest.read_incidents`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from ..errors import GeoTrygghetError, SchemaError
from .data import file_key
from .formats import fmt_count
from .i18n import lang, t

__all__ = ["REGISTER_ENV", "address_fields", "address_hint", "address_options", "env_register", "location_note",
           "location_panel", "register_of"]

#: the address register the app (and the CLI) use when none is uploaded
REGISTER_ENV = "GEO_TRYGGHET_ADDRESS_REGISTER"
REGISTER_TYPES = ["gpkg", "csv", "txt", "xlsx", "parquet"]
_ENV, _UPLOAD = "env", "upload"


def env_register() -> Path | None:
    """The register ``$GEO_TRYGGHET_ADDRESS_REGISTER`` names, if it is a file."""
    value = os.environ.get(REGISTER_ENV, "").strip()
    return Path(value) if value and Path(value).is_file() else None


@st.cache_resource(show_spinner=False, max_entries=4)
def _register(path: str, mtime_ns: int, size: int) -> Any:
    from ..ingest.geocode import read_register

    return read_register(path)


def register_of(path: str | Path) -> Any:
    """The :class:`~geo_trygghet.ingest.geocode.AddressRegister` of a file, read once per file version."""
    return _register(*file_key(path))


@st.cache_data(show_spinner=False, max_entries=8)
def _address_column(path: str, mtime_ns: int) -> str | None:
    from ..ingest.files import read_any
    from ..ingest.geocode import find_address_columns

    df, _ = read_any(Path(path))
    try:
        found = find_address_columns(df)
    except SchemaError:
        return None
    return found.address or found.street


def address_hint(path: Path, exc: GeoTrygghetError) -> str | None:
    """For a file without coordinates but with an address column: what to choose in the mapping
    step (the core's message names command-line flags); else None."""
    if not isinstance(exc, SchemaError) or "no coordinate columns" not in str(exc):
        return None
    try:
        column = _address_column(str(path), path.stat().st_mtime_ns)
    except GeoTrygghetError:
        return None
    return t("addr.hint", column=column) if column else None


def address_fields(columns: list[str], auto: str) -> dict[str, Any]:
    """Inside the mapping form: the address column and where the register comes from."""
    st.caption(t("addr.intro"))
    c1, c2 = st.columns(2)
    column = c1.selectbox(t("addr.column"), [auto, *columns], key="an_map_address")
    env = env_register()
    sources = ([_ENV] if env else []) + [_UPLOAD]
    source = c2.radio(t("addr.register"), sources, key="an_map_register_source",
                      format_func=lambda s: t("addr.register.env", name=env.name if env else "") if s == _ENV
                      else t("addr.register.upload"))
    upload = st.file_uploader(t("addr.register.file"), type=REGISTER_TYPES, key="an_map_register_upload",
                              help=t("addr.register.help"))
    return {"column": None if column == auto else column, "source": source, "upload": upload, "env": env}


def address_options(fields: dict[str, Any]) -> dict[str, Any] | None:
    """The read options of the address fields after the form was sent (None, with a message, when the
    register is missing)."""
    from .dataset import save_upload

    if fields["source"] == _ENV and fields["env"] is not None:
        register = Path(fields["env"])
    elif fields["upload"] is not None:
        register = save_upload(fields["upload"].getvalue(), fields["upload"].name)
    else:
        st.error(t("addr.register.missing"))
        return None
    return {"address": fields["column"], "register": str(register)}


def location_panel(ds: Any) -> None:
    """In the sidebar, under what was read: how precise the positions are, what hot spots leave
    out and why, and with addresses the match levels and the addresses not placed exactly."""
    from ..ingest.location_quality import left_out_line

    rep, lg = ds.report, lang()
    for line in rep.location.lines(lg):
        st.caption(line[:1].upper() + line[1:])
    left = left_out_line(rep.location, lg, cli=False)
    if left:
        st.caption(f":material/info: {left}")
    geo = getattr(ds, "geocode", None)
    if geo is None:
        return
    st.caption(geo.summary_lines(lg)[0])
    table = not_exact(geo)
    if len(table):
        with st.expander(t("addr.not_exact", n=fmt_count(len(table))), icon=":material/location_off:"):
            st.dataframe(table.head(500), hide_index=True, key="an_geocode_table")


def location_note(ds: Any) -> str:
    """For a report's reader: how precise the positions are, and what the places leave out."""
    from ..ingest.location_quality import left_out_line

    rep, lg = ds.report, lang()
    parts = [rep.location.lines(lg)[0]]
    if getattr(ds, "geocode", None) is not None:
        parts.append(ds.geocode.summary_lines(lg)[0])
    if rep.location.left_out:
        parts.append(left_out_line(rep.location, lg, cli=False))
    return " · ".join(p[:1].upper() + p[1:] for p in parts)


def not_exact(geo: Any) -> pd.DataFrame:
    """The rows not placed exactly: the address as written, the level, the register's address and why."""
    keep = geo.level != "exact"
    notes = geo.notes(lang())
    return pd.DataFrame({
        t("addr.col.written"): geo.written[keep],
        t("addr.col.level"): [t(f"geocode.level.{lvl}") for lvl in geo.level[keep]],
        t("addr.col.matched"): geo.matched[keep],
        t("addr.col.why"): notes[keep],
    })
