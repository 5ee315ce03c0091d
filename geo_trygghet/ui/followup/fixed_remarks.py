"""The fixed-remarks tab: every fixed remark evaluated as an intervention, pooled per category."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from ... import settings
from ...followup.fixed_remarks import RemarkEffects
from ...i18n.formatting import localise
from .. import state
from ..data import remark_service_or_error
from ..i18n import lang, t
from ._common import glossary, localized, nums

#: The app's words for the status code of a remark's row.
STATUS_KEYS = {"ok": "fr.status.ok", "corrected": "fr.status.corrected", "too_few": "fr.status.too_few",
               "no_data": "fr.status.no_data", "no_controls": "fr.status.no_controls"}
#: The short reading of a category's pooled verdict code.
VERDICT_KEYS = {"fell": "fr.fell", "rose": "fr.rose", "unclear": "fr.unclear", "too_few": "fr.status.too_few"}
#: Evening and night, for lighting.
DARK_HOURS = (18, 6)


def fixed_remarks() -> tuple[gpd.GeoDataFrame | None, str | None]:
    """The fixed remarks this user may see (``remarks_frame(actor, state="fixed")``), or (None, why)."""
    actor = state.actor()
    if actor is None:
        return None, t("fr.login")
    service, problem = remark_service_or_error()
    if service is None:
        return None, t("fr.no_service", why=problem)
    try:
        frame = service.remarks_frame(actor, state="fixed", lang=lang())
    except Exception as exc:  # noqa: BLE001 - the page must not fail because the database does
        return None, t("fr.no_service", why=str(exc).splitlines()[0][:200])
    frame = frame[frame["fixed_date"].notna() & frame["lon"].notna()].reset_index(drop=True)
    return frame, None


def remark_name(walk: Any, number: Any) -> str:
    """A remark as "walk nr 3"."""
    return t("fr.remark_name", walk=walk, number=number)


def remark_label(row: Any) -> str:
    """A fixed remark in the target's list: walk, number, category, the start of the text, the fixed date."""
    text = str(row.text or "")
    text = text if len(text) <= 60 else text[:57] + "…"
    return t("fr.remark_label", remark=remark_name(row.walk_title, row.number), category=row.category_label,
             text=text, date=pd.Timestamp(row.fixed_date).date())


@st.cache_data(show_spinner=False, max_entries=16)
def _remark_effects(key: tuple, _remarks: pd.DataFrame, _incidents: gpd.GeoDataFrame, radius: float, before: int,
                    after: int, hours: tuple | None) -> RemarkEffects:
    from ...followup.fixed_remarks import remark_effects

    return remark_effects(_remarks, _incidents, radius_m=radius, before_days=before, after_days=after, hours=hours)


def forest_plot(table: pd.DataFrame, pooled_row: Any, category: str) -> None:
    """Each remark's odds ratio with its 95 % CI and the pooled estimate (log scale, line at 1)."""
    import altair as alt

    rows = table[(table["category"] == category) & table["odds_ratio"].notna()]
    if not len(rows):
        return
    data = pd.DataFrame({
        "label": [remark_name(w, n) for w, n in zip(rows["walk_title"], rows["number"], strict=True)]
        + [t("fr.pooled_row")],
        "or": [*rows["odds_ratio"], pooled_row["odds_ratio"]],
        "lo": [*rows["ci_lo"], pooled_row["ci_lo"]], "hi": [*rows["ci_hi"], pooled_row["ci_hi"]],
        "pooled": [False] * len(rows) + [True]})
    order = list(data["label"])
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    # Vega writes decimals the English way: the axis gets the language's decimal mark
    axis = alt.Axis(labelExpr=f"replace(datum.label, '.', '{localise('.', lang())}')")
    x = alt.X("or:Q", scale=alt.Scale(type="log"), title=t("fr.forest_x"), axis=axis)
    colour = alt.condition("datum.pooled", alt.value("#c0392b"), alt.value("#1f78b4"))
    bars = alt.Chart(data).mark_rule(size=2).encode(y=y, x=alt.X("lo:Q", scale=alt.Scale(type="log")), x2="hi:Q",
                                                    color=colour)
    points = alt.Chart(data).mark_point(filled=True, size=70).encode(
        y=y, x=x, shape=alt.condition("datum.pooled", alt.value("diamond"), alt.value("circle")), color=colour,
        tooltip=["label:N", alt.Tooltip("or:Q", format=".2f", title="OR"), alt.Tooltip("lo:Q", format=".2f"),
                 alt.Tooltip("hi:Q", format=".2f")])
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4], color="#555555").encode(x="x:Q")
    st.caption(t("fr.forest"))
    st.altair_chart((bars + points + one).properties(height=28 * len(data) + 40), key="fr_forest")


def _table(df: pd.DataFrame, *, key: str) -> None:
    st.dataframe(df, hide_index=True, key=key, column_config=localized(df))


def _pooled_view(res: RemarkEffects, remarks: pd.DataFrame) -> None:
    """The category's question and reading, its forest plot and the pooled table of every category."""
    from ...remarks import category_label

    lg = lang()
    pooled = res.pooled
    cats = list(pooled["category"])
    default = cats.index("belysning") if "belysning" in cats else 0
    cat = st.selectbox(t("fr.category"), cats, index=default, key="fr_category",
                       format_func=lambda c: category_label(c, lg))
    row = pooled[pooled["category"] == cat].iloc[0]
    st.markdown(f"**{t('fr.question', cat=category_label(cat, lg).lower())}**")
    st.info(res.reading(cat, lg), icon=":material/lightbulb:")
    forest_plot(res.table.merge(remarks[["remark_id", "walk_title", "number"]], on="remark_id", how="left"), row, cat)
    st.markdown(f"**{t('fr.pooled')}**")
    _table(pd.DataFrame({
        t("col.category"): [category_label(c, lg) for c in pooled["category"]],
        t("fr.col.remarks"): pooled["remarks"], t("fr.col.used"): pooled["k"],
        "OR": nums(pooled["odds_ratio"]), t("fr.col.ci_lo"): nums(pooled["ci_lo"]),
        t("fr.col.ci_hi"): nums(pooled["ci_hi"]), "I²": nums(pooled["i2"]),
        t("fr.col.reading"): [t(VERDICT_KEYS[v]) for v in pooled["verdict"]]}),
        key="fr_pooled")


def _remarks_table(res: RemarkEffects, remarks: pd.DataFrame) -> None:
    from ...remarks import category_label

    lg = lang()
    table = res.table.merge(remarks[["remark_id", "walk_title", "number", "text"]], on="remark_id", how="left")
    st.markdown(f"**{t('fr.table')}**")
    _table(pd.DataFrame({
        t("col.walk"): table["walk_title"], t("col.nr"): table["number"],
        t("col.category"): [category_label(c, lg) for c in table["category"]], t("col.text"): table["text"],
        t("col.fixed"): pd.to_datetime(table["fixed_date"]).dt.date,
        t("fr.col.tb"): table["target_before"], t("fr.col.ta"): table["target_after"],
        t("fr.col.cb"): table["control_before"], t("fr.col.ca"): table["control_after"],
        "OR": nums(table["odds_ratio"]), t("fr.col.ci_lo"): nums(table["ci_lo"]),
        t("fr.col.ci_hi"): nums(table["ci_hi"]),
        t("fr.col.status"): [t(STATUS_KEYS[s]) if s in STATUS_KEYS else s for s in table["status"]]}),
        key="fr_table")


def remark_effects_view(fixed: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, key: tuple) -> None:
    """Settings, the pooled table per category with its reading, and the table of every fixed remark."""
    c1, c2, c3 = st.columns(3)
    radius = float(c1.number_input(t("fr.radius"), 25, 1000, int(settings.evaluation_radius_m), 25, key="fr_radius"))
    days = int(c2.number_input(t("fr.days"), 30, 1095, 365, 1, key="fr_days"))
    dark = c3.radio(t("fr.hours"), ["all", "dark"], key="fr_hours",
                    format_func=lambda h: t("fr.h_all") if h == "all" else t("fr.h_dark")) == "dark"
    remarks = pd.DataFrame(fixed.drop(columns="geometry")).rename(columns={"id": "remark_id"})
    rkey = (*key, tuple(remarks["remark_id"].astype(str)), tuple(remarks["fixed_date"].astype(str)))
    with st.spinner(t("fu.computing")):
        res = _remark_effects(rkey, remarks, incidents, radius, days, days, DARK_HOURS if dark else None)
    if len(res.pooled):
        _pooled_view(res, remarks)
        glossary()
    _remarks_table(res, remarks)
    for note in res.note_texts(lang()):
        st.caption(note)
