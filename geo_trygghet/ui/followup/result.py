"""The follow-up's result on the page: the evaluation (cached), its reading, tables, chart and downloads."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from ...errors import GeoTrygghetError
from ...followup import EvaluationResult, Verdict
from ...reports.evaluation import ROLE_COLOURS, counts_table, effect_table, monthly_series, verdict_text
from ..formats import AXIS_MONTH, AXIS_NUMBER, localised
from ..i18n import lang, t
from ._common import error_text, glossary, num, wkb
from .areas import Choice, areas_frame

#: Below this similarity a control area says little about what would have happened in the target.
WEAK_SIMILARITY = 0.3

#: The box the reading is shown in, by verdict (st.info otherwise).
VERDICT_BOX = {Verdict.FELL: st.success, Verdict.ROSE: st.warning, Verdict.TOO_FEW: st.warning}


# --------------------------------------------------------------------------- control similarity
@st.cache_data(show_spinner=False, max_entries=32)
def _similarity(key: tuple, _incidents: gpd.GeoDataFrame, _target: object, _controls: list, date: object,
                before: int, same: bool) -> pd.DataFrame:
    from ...crs import WGS84
    from ...followup.controls import control_similarity

    gdf = gpd.GeoDataFrame({"name": [n for n, _ in _controls]}, geometry=[g for _, g in _controls], crs=WGS84)
    return pd.DataFrame(control_similarity(_incidents, target=_target, candidates=gdf, intervention=date,
                                           before_days=before, same_months=same).drop(columns="geometry"))


def similarity_table(choice: Choice, incidents: gpd.GeoDataFrame, key: tuple) -> pd.DataFrame | None:
    """How similar each chosen control is to the target before the measure (None when it cannot be said)."""
    if not choice.controls or choice.target is None:
        return None
    try:
        sim = _similarity((*key, wkb(choice.target), tuple((n, wkb(g)) for n, g in choice.controls)), incidents,
                          choice.target, choice.controls, choice.date, choice.before, choice.same_months)
    except GeoTrygghetError:
        return None
    return pd.DataFrame({
        t("fu.controls"): sim["name"],
        t("fu.sim.similarity"): sim["similarity"].round(2),
        t("fu.sim.before"): sim["pre_count"],
        t("fu.sim.level"): sim["level_ratio"].round(2),
        t("fu.sim.correlation"): sim["correlation"].round(2),
    })


def weak_controls(sim: pd.DataFrame | None) -> bool:
    """True when even the most similar chosen control is a weak one (see :data:`WEAK_SIMILARITY`)."""
    return sim is not None and len(sim) > 0 and float(sim.iloc[:, 1].max()) < WEAK_SIMILARITY


def fmt_sim(sim: pd.DataFrame | None) -> str:
    """The best similarity among the chosen controls."""
    return num(float(sim.iloc[:, 1].max())) if sim is not None and len(sim) else "–"


# --------------------------------------------------------------------------- evaluation
@st.cache_data(show_spinner=False, max_entries=32)
def _evaluate(key: tuple, _incidents: gpd.GeoDataFrame, _choice: Choice) -> EvaluationResult:
    from ...followup import evaluate

    c = _choice
    return evaluate(_incidents, target=c.target, controls=[g for _, g in c.controls],
                    control_names=[n for n, _ in c.controls], buffer=c.buffer, intervention=c.date,
                    before_days=c.before, after_days=c.after, same_months=c.same_months)


def run_evaluation(choice: Choice, incidents: gpd.GeoDataFrame, key: tuple) -> EvaluationResult | None:
    """:func:`geo_trygghet.followup.evaluate` on the choice, cached; None after showing an error."""
    ckey = (*key, wkb(choice.target), tuple((n, wkb(g)) for n, g in choice.controls), wkb(choice.buffer),
            choice.date.isoformat() if choice.date else "", choice.before, choice.after, choice.same_months)
    try:
        with st.spinner(t("fu.computing")):
            return _evaluate(ckey, incidents, choice)
    except GeoTrygghetError as exc:
        st.error(error_text(exc))
        return None


def show_result(result: EvaluationResult) -> None:
    """The reading, the headline numbers, the counts and effect tables, the monthly chart."""
    lg = lang()
    VERDICT_BOX.get(result.verdict, st.info)(verdict_text(result, lg), icon=":material/insights:")
    c1, c2, c3, c4 = st.columns(4)
    od = result.odds_ratio_overdispersed
    c1.metric(t("fu.or"), num(result.odds_ratio.value), help=t("fu.or_help"))
    c2.metric(t("fu.ci_od"), f"{num(od.ci_low)}–{num(od.ci_high)}" if od.has_ci else "–")
    c3.metric(t("fu.irr"), num(result.models.negbin.value))
    c4.metric(t("fu.wdq"), num(result.wdq) if result.has_buffer else "–")
    left, right = st.columns([2, 3], gap="medium")
    with left:
        st.markdown(f"**{t('fu.counts')}**")
        counts = counts_table(result, lg)
        change = counts.columns[-1]
        st.dataframe(counts, hide_index=True, key="fu_counts",
                     column_config={change: st.column_config.NumberColumn(format="%.0f %%")})
    with right:
        series_chart(result)
    st.markdown(f"**{t('fu.effects')}**")
    st.table(effect_table(result, lg), hide_index=True)
    glossary()


def show_notes(result: EvaluationResult) -> None:
    """The notes of the computation, in the session's language."""
    if result.notes:
        with st.expander(t("fu.notes"), icon=":material/info:"):
            for note in result.note_texts(lang()):
                st.caption(note)


def series_chart(result: EvaluationResult) -> None:
    import altair as alt

    long = monthly_series(result, lang())
    if not len(long):
        return
    st.markdown(f"**{t('fu.series')}**")
    order = list(dict.fromkeys(long["series"]))
    colours = [ROLE_COLOURS[r] for r in dict.fromkeys(long["role"])]
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format=AXIS_MONTH)),
        y=alt.Y("value:Q", title=None, axis=alt.Axis(format=AXIS_NUMBER)),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(domain=order, range=colours), title=None,
                        legend=alt.Legend(orient="top", labelLimit=0)),
        tooltip=[alt.Tooltip("month:T", format="%Y-%m"), "series:N", alt.Tooltip("value:Q", format=",.1f")])
    rule = alt.Chart(pd.DataFrame({"d": [result.windows.intervention]})).mark_rule(
        strokeDash=[6, 4], color="#222222", size=2).encode(x="d:T")
    st.altair_chart(localised(lines + rule), key="fu_series")  # 1 234,5 on the axis and in tooltips


# --------------------------------------------------------------------------- downloads
def report_bytes(result: EvaluationResult, areas: gpd.GeoDataFrame, *, title: str, lang_: str, fmt: str,
                 subtitle: str | None = None) -> bytes:
    """The report as HTML or PDF bytes (no Streamlit calls: it runs in the download's thread)."""
    from ...reports.evaluation import evaluation_report, write_report

    body = evaluation_report(result, title=title, areas=areas, lang=lang_, subtitle=subtitle)
    if fmt == "html":
        return body.encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        return write_report(body, Path(tmp) / "uppfoljning.pdf").read_bytes()


def download_buttons(result: EvaluationResult, choice: Choice, *, about: str | None = None) -> None:
    """HTML, PDF and JSON of the result; ``about`` (the data and selection) heads the reports."""
    st.markdown(f"**{t('fu.report')}**")
    areas, lg = areas_frame(choice), lang()
    title = t("fu.report_title", name=choice.target_name)
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("fu.html"), lambda: report_bytes(result, areas, title=title, lang_=lg, fmt="html",
                                                          subtitle=about),
                       "uppfoljning.html", "text/html", key="fu_dl_html", on_click="ignore",
                       icon=":material/description:")
    c2.download_button(t("fu.pdf"), lambda: report_bytes(result, areas, title=title, lang_=lg, fmt="pdf",
                                                         subtitle=about),
                       "uppfoljning.pdf", "application/pdf", key="fu_dl_pdf", on_click="ignore",
                       icon=":material/picture_as_pdf:")
    c3.download_button(t("fu.json"), lambda: json.dumps(result.to_dict(), ensure_ascii=False, indent=1).encode(),
                       "uppfoljning.json", "application/json", key="fu_dl_json", on_click="ignore",
                       icon=":material/data_object:")
