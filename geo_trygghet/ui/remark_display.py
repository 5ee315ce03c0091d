"""Showing remarks: user text made inert, the list beside a map, the history, the map.

Shared by the participant, problemägare, staff and public pages.

* :func:`md`: user text made inert for ``st.markdown`` (every ASCII punctuation
  backslash-escaped: no HTML, no markdown, no shortcodes).
* :func:`remarks_table`, :func:`history_table`: plain-text tables (the dataframe
  widget never renders HTML).
* :func:`show_map`: the numbered remarks map of :mod:`geo_trygghet.maps.remarks`.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from typing import Any

import pandas as pd

from .. import settings
from .i18n import lang, t

# ---------------------------------------------------------------- text safety
_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")


def md(text: Any) -> str:
    """User text that ``st.markdown`` shows literally: every ASCII punctuation mark is
    backslash-escaped (CommonMark), so no HTML, link, emphasis or shortcode survives."""
    raw = "" if text is None else str(text)
    return _MD_SPECIAL.sub(r"\\\1", raw).replace("\n", "  \n")


# ---------------------------------------------------------------- tables and maps
def remarks_table(frame: pd.DataFrame, *, walk: bool = True, owner: bool = True) -> pd.DataFrame:
    """The list shown beside a map (plain text cells: the dataframe widget never renders HTML).

    What decides the next step comes first (state, dates, overdue); the free text, the widest
    column, last, so that a narrow screen still shows the rest. A list of several walks
    (``walk``) names each remark by its reference (``V3-9``), since numbers repeat across walks;
    one walk's list by its number, as in the protocol. Show it with :func:`remarks_columns`."""
    cols = {"ref": t("col.ref")} if walk and "ref" in frame.columns else {"number": t("col.nr")}
    cols.update({"state_label": t("col.state"), "category_label": t("col.category"),
                 "planned_date": t("col.planned"), "fixed_date": t("col.fixed")})
    if "overdue" in frame.columns:
        cols["overdue"] = t("col.overdue")
    if walk:
        cols["walk_title"] = t("col.walk")
    if owner:
        cols["owner_name"] = t("col.owner")
    cols["text"] = t("col.text")
    out = frame.reindex(columns=list(cols)).copy()
    for col in ("walk_title", "category_label", "text", "state_label", "owner_name", "planned_date", "fixed_date"):
        if col in out.columns:  # plain strings: one type per column (Arrow), blanks instead of None
            out[col] = ["" if _blank(v) else str(v)[:10] if col.endswith("_date") else str(v) for v in out[col]]
    if "overdue" in out.columns:  # a word, not a greyed-out checkbox that looks like a control
        out["overdue"] = [t("label.overdue") if v is True or v == 1 else "" for v in out["overdue"]]
    return out.rename(columns=cols).reset_index(drop=True)


def remarks_columns() -> dict[str, Any]:
    """Column widths for :func:`remarks_table`: dates wide enough for ``2025-04-30`` (a column
    sized to its header cut them to ``2025-04-3``)."""
    import streamlit as st

    date = st.column_config.TextColumn(width=96)
    return {t("col.planned"): date, t("col.fixed"): date, t("col.ref"): st.column_config.TextColumn(width=64)}


def _blank(value: Any) -> bool:
    if value is None or (isinstance(value, str) and not value):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def history_table(events: list[Any]) -> pd.DataFrame:
    """A remark's events, newest last, in Swedish time, with plain names for who did it."""
    lg = lang()
    return pd.DataFrame({
        t("col.when"): [local_time(e.at).strftime("%Y-%m-%d %H:%M") for e in events],
        t("col.who"): [actor_name(str(e.actor)) for e in events],
        t("col.from"): [e.from_label(lg) if e.from_state else "–" for e in events],
        t("col.to"): [e.to_label(lg) for e in events],
        t("col.note"): [e.note or "" for e in events],
    })


def local_time(at: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time as the clock on the wall in Sweden showed it."""
    from zoneinfo import ZoneInfo

    return at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(settings.local_tz))


def actor_name(actor: str) -> str:
    """``user:gatukontoret`` -> ``gatukontoret``; ``deltagare:ABC123`` -> ``deltagare``."""
    kind, _, name = actor.partition(":")
    if kind == "user" and name:
        return name
    if kind == "deltagare":
        return t("who.participant")
    if kind == "system":
        return t("who.system")
    return actor


def show_map(frame: Any, *, key: str, area: Any = None, height: int = 320) -> None:
    """The numbered remarks map (maps.remarks) in the page; no reruns on pan or zoom."""
    from streamlit_folium import st_folium

    from ..maps.remarks import remarks_map

    m = remarks_map(frame, lang=lang(), area=area)
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])


def labeller(labels: dict) -> Any:
    """A ``format_func`` from labels made now, in this run's language (a lambda that read
    the language later could be called outside the run, e.g. by AppTest)."""
    return lambda value: labels.get(value, "" if value is None else str(value))


def remark_choice_label(r: Any) -> str:
    """One remark in a choice box: its reference (unique across walks), walk, category, state, text."""
    text = (r.text or "").replace("\n", " ")
    short = text if len(text) <= 40 else text[:39] + "…"
    return f"{r.ref} · {r.walk_title} · {r.category_label(lang())} · {r.state_label(lang())} · {short}"
