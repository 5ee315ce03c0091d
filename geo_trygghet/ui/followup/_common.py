"""Numbers, table columns and error messages of the follow-up page, in the session's language."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import shapely
import streamlit as st
from shapely.geometry.base import BaseGeometry

from ...followup._errors import error_code
from ...followup.wording import ratio
from ..i18n import lang, t

#: The catalogue key of the app's wording of each follow-up error code (see geo_trygghet.followup._errors).
ERROR_KEYS = {
    "bad_days": "fu.err.bad_days",
    "windows_overlap": "fu.err.windows_overlap",
    "empty_area": "fu.err.empty_area",
    "control_overlaps_target": "fu.err.control_overlaps_target",
    "no_before_incidents": "fu.err.no_before_incidents",
    "no_candidate_cells": "fu.err.no_candidate_cells",
}


def num(value: Any, decimals: int = 2) -> str:
    """A ratio as the reader writes it: fixed decimals in the session's language, "–" when missing."""
    if value is None or pd.isna(value) or not math.isfinite(float(value)):
        return "–"
    return ratio(float(value), lang(), decimals)


def nums(values: pd.Series) -> list[str]:
    """:func:`num` of every value of a column."""
    return [num(v) for v in values]


def localized(df: pd.DataFrame) -> dict:
    """Column config: float columns shown in the browser's locale (decimal comma in Swedish)."""
    return {c: st.column_config.NumberColumn(format="localized") for c in df.columns
            if pd.api.types.is_float_dtype(df[c])}


def wkb(geom: BaseGeometry | None) -> str:
    """A hashable key of a geometry (for the caches)."""
    return "" if geom is None else shapely.to_wkb(geom, hex=True)


def error_text(exc: Exception) -> str:
    """What went wrong, in the app's words: what the user can change on the page, not a CLI flag."""
    code, fields = error_code(exc)
    key = ERROR_KEYS.get(code or "")
    return t(key, **fields) if key else t("fu.error", why=str(exc))


def glossary() -> None:
    """OR, CI, IRR, WDQ, WDD, similarity and I² in plain words (both tabs use them)."""
    with st.expander(t("fu.glossary"), icon=":material/menu_book:"):
        st.markdown(t("fu.glossary_text"))
