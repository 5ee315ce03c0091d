"""Återkoppling (no login): the medborgarlöften and how they are going, what the walks found and
what was fixed, per area or walk.

Only the promises' public text and state, aggregated counts and the fixed remarks on a map: no
photos, no names (the services' ``public_promises`` and ``public_summary`` leave them out); text is
escaped in the popups.
"""

from __future__ import annotations

import streamlit as st

from geo_trygghet.remarks.categories import category_label
from geo_trygghet.remarks.states import FIXED_STATES, state_label
from geo_trygghet.ui import remark_display as D
from geo_trygghet.ui.data import remark_service_or_error
from geo_trygghet.ui.i18n import lang, t
from geo_trygghet.ui.plan_data import plan_service_or_error
from geo_trygghet.ui.plan_public import promises_section

service, problem = remark_service_or_error()
if service is None:
    st.error(t("service.missing", why=problem))
    st.stop()
plan_service, _ = plan_service_or_error()
if plan_service is not None:
    promises_section(plan_service)
st.subheader(t("pub.heading"))
st.caption(t("pub.intro"))

everything = service.public_summary()
areas: dict[str, object] = {}
for title in everything.walks["title"]:
    try:
        walk_area = service.get_walk(title).area
    except Exception:  # noqa: BLE001 - a walk that vanished is just not offered
        walk_area = None
    if walk_area:
        areas[title] = walk_area
choice = st.selectbox(t("pub.area"), [None, *areas], key="pub_area",
                      format_func=D.labeller({None: t("pub.everywhere")}))
summary = everything if choice is None else service.public_summary(area=areas[choice])

c1, c2, c3 = st.columns(3)
c1.metric(t("pub.walks"), summary.walks_count)
c2.metric(t("pub.remarks"), summary.remarks_count)
c3.metric(t("pub.fixed"), summary.fixed_count)
if summary.remarks_count == 0:
    st.info(t("pub.none"))
    st.stop()

st.subheader(t("pub.by_cat"))
counts = summary.counts.assign(category_label=summary.counts["category"].map(lambda c: category_label(c, lang())),
                               state_label=summary.counts["state"].map(lambda s: state_label(s, lang())))
table = counts.pivot_table(index="category_label", columns="state_label", values="count", aggfunc="sum",
                           fill_value=0)
table.index.name = t("col.category")
table.columns.name = None
table[t("col.count")] = table.sum(axis=1)
# what a resident asks first (how many, how many fixed) comes first: a phone shows the left columns
fixed_labels = [c for c in table.columns if c in [state_label(s, lang()) for s in FIXED_STATES]]
table = table[[t("col.count"), *fixed_labels, *[c for c in table.columns if c not in (t("col.count"), *fixed_labels)]]]
st.dataframe(table, width="stretch", key="pub_counts")

left, right = st.columns([3, 2])
with left:
    st.subheader(t("pub.map"))
    fixed = summary.fixed
    if len(fixed):
        fixed = fixed.assign(category_label=fixed["category"].map(lambda c: category_label(c, lang())))
    D.show_map(fixed, key="pub_map", area=areas.get(choice) if choice else None, height=420)
with right:
    st.subheader(t("pub.per_walk"))
    walks = summary.walks.reindex(columns=["title", "remarks", "fixed", "walk_date"])
    st.dataframe(walks.rename(columns={"title": t("col.walk"), "walk_date": t("pub.date"),
                                       "remarks": t("pub.remarks"), "fixed": t("pub.fixed")}),
                 hide_index=True, width="stretch", key="pub_walks",
                 column_config={t("pub.date"): st.column_config.DateColumn(format="YYYY-MM-DD", width=96)})
