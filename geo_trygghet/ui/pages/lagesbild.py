"""Lägesbild (handbook step 2): categories, monthly trend with a 12-month moving
average, season, weekday × hour, rates per 100 000 against a reference, the
stödfrågor answered with figures, and the report as HTML or PDF. The page and the
report show one :class:`~geo_trygghet.lagesbild.Lagesbild`, built once."""

from __future__ import annotations

import altair as alt
import streamlit as st

from geo_trygghet.ui import emerging_widgets as EW
from geo_trygghet.ui import lagesbild_widgets as L
from geo_trygghet.ui.address_upload import location_note
from geo_trygghet.ui.compute import compute_view, lagesbild_of
from geo_trygghet.ui.dataset import dataset_picker
from geo_trygghet.ui.filters import filter_widgets
from geo_trygghet.ui.formats import (
    AXIS_DECIMAL,
    AXIS_MONTH,
    AXIS_NUMBER,
    XLSX,
    fmt_count,
    localised,
    unbroken,
    xlsx_bytes,
)
from geo_trygghet.ui.i18n import t
from geo_trygghet.ui.kept import set_scope

set_scope("lb")
st.header(t("lb.heading"))
st.caption(t("lb.intro"))
ds = dataset_picker()
if ds is None:
    st.stop()
filters = filter_widgets(ds)
view = compute_view(ds, filters)
if view.n == 0:
    st.warning(t("r.empty"))
    st.stop()

with st.expander(t("lb.rate_inputs"), expanded=False, icon=":material/groups:"):
    rates = L.rate_inputs(ds)
lb = lagesbild_of(view, rates, EW.change_inputs(view))  # the trend answer names where hot spots change
for why in lb.problems.values():
    st.warning(t("lb.too_little", why=why))

st.subheader(t("lb.answers"))
with st.container(border=True):
    for question, answer, _figures in lb.answers:
        st.markdown(f"**{question}**  \n{unbroken(answer)}")

left, right = st.columns(2, gap="large")
with left:
    st.subheader(t("lb.categories"))
    st.altair_chart(localised(alt.Chart(lb.categories).mark_bar().encode(
        x=alt.X("count:Q", title=t("r.count"), axis=alt.Axis(format=AXIS_NUMBER)),
        y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
        tooltip=[alt.Tooltip("label:N", title=t("lb.col.label")),
                 alt.Tooltip("count:Q", title=t("r.count"), format=AXIS_NUMBER)]).properties(height=260)),
        key="lb_categories")
with right:
    if lb.season is not None:
        st.subheader(t("lb.season"))
        season = lb.season.by_month
        st.altair_chart(localised(alt.Chart(season).mark_bar().encode(
            x=alt.X("name:N", sort=list(season["name"]), title=None),
            y=alt.Y("index:Q", title="Index", axis=alt.Axis(format=AXIS_NUMBER)),
            tooltip=[alt.Tooltip("name:N", title=t("lb.month")),
                     alt.Tooltip("count:Q", title=t("r.count"), format=AXIS_NUMBER),
                     alt.Tooltip("index:Q", title="Index", format=AXIS_NUMBER)]).properties(height=260)),
            key="lb_season")

if lb.trend is not None:
    st.subheader(t("lb.trend"))
    trend = lb.trend.table.melt(id_vars="month", value_vars=["count", "ma12"], var_name="serie", value_name="v")
    trend["serie"] = trend["serie"].map({"count": t("r.count"), "ma12": t("lb.ma12")})
    st.altair_chart(localised(alt.Chart(trend.dropna()).mark_line(point=False).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format=AXIS_MONTH)),
        y=alt.Y("v:Q", title=t("r.count"), axis=alt.Axis(format=AXIS_NUMBER)),
        color=alt.Color("serie:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("month:T", title=t("lb.month"), format=AXIS_MONTH),
                 alt.Tooltip("serie:N", title=t("lb.series")),
                 alt.Tooltip("v:Q", title=t("r.count"), format=AXIS_DECIMAL)])), key="lb_trend")

if lb.weekday_hour is not None:
    wh = lb.weekday_hour
    st.subheader(t("lb.weekday_hour"))
    long = wh.table.reset_index().melt(id_vars="weekday", var_name="hour", value_name="count")
    if long["count"].sum() > 0:  # month-only data (police.uk) has no clock times: no empty grid
        st.altair_chart(localised(alt.Chart(long).mark_rect().encode(
            x=alt.X("hour:O", title=t("f.hours")), y=alt.Y("weekday:N", sort=list(wh.table.index), title=None),
            color=alt.Color("count:Q", scale=alt.Scale(scheme="orangered"), title=t("r.count"),
                            legend=alt.Legend(format=AXIS_NUMBER)),
            tooltip=[alt.Tooltip("weekday:N", title=t("f.weekdays")), alt.Tooltip("hour:O", title=t("f.hours")),
                     alt.Tooltip("count:Q", title=t("r.count"), format=AXIS_NUMBER)])), key="lb_weekday_hour")
    if wh.n_without_time:
        st.caption(t("lb.no_time", n=fmt_count(wh.n_without_time)))

if lb.rates_table is not None:
    st.subheader(t("lb.rates"))
    # a table in the page (not a canvas grid): 3 400 in Swedish whatever the browser's language, the
    # same figures for a screen reader, and every row and column on the printed page
    st.table(L.rates_view(lb.rates_table).hide(axis="index"), border="horizontal")
    st.caption(L.rates_caption(lb))
    st.download_button(t("lb.rates_xlsx"), lambda: xlsx_bytes({"nivåer": L.rates_table(lb.rates_table)}),
                       "lagesbild_nivaer.xlsx", XLSX, key="lb_dl_rates", on_click="ignore",
                       icon=":material/table_view:")

st.subheader(t("lb.export"))
title, about = f"{t('lb.report_title')} – {ds.name}", filters.describe(ds.name)
about = f"{about} · {location_note(ds)}"  # how precise the positions are, what the places leave out
c1, c2 = st.columns(2)
c1.download_button(t("lb.html"), lambda: L.report_bytes(lb, fmt="html", title=title, subtitle=about),
                   "lagesbild.html", "text/html", key="lb_dl_html", on_click="ignore", icon=":material/description:")
c2.download_button(t("lb.pdf"), lambda: L.report_bytes(lb, fmt="pdf", title=title, subtitle=about),
                   "lagesbild.pdf", "application/pdf", key="lb_dl_pdf", on_click="ignore",
                   icon=":material/picture_as_pdf:")
