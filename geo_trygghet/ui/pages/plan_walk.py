"""Plan a trygghetsvandring from hot spots: choose hot-spot areas, get a proposed
walk area and route, create the walk in the remark service, print code and QR."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo_trygghet.errors import GeoTrygghetError
from geo_trygghet.hotspots import explorer as E
from geo_trygghet.remarks.states import WALK_GROUPS
from geo_trygghet.ui import analyst as A
from geo_trygghet.ui import links
from geo_trygghet.ui.i18n import t

A.set_scope("pw")
st.header(t("pw.heading"))
st.caption(t("pw.intro"))
ds = A.dataset_picker()
if ds is None:
    st.stop()
view = A.compute_view(ds, A.filter_widgets(ds))
clusters = view.clusters
if not len(clusters):
    st.warning(t("pw.none"))
    st.stop()

labels = A.cluster_choice_label(clusters)
c1, c2 = st.columns([3, 1])
kept = st.session_state.get("keep_pw_clusters")
if kept is None or any(i not in labels for i in kept):  # first visit, or the filters changed the areas
    kept = E.nearby_clusters(clusters)
st.session_state["pw_clusters"] = kept
ids = c1.multiselect(t("pw.clusters"), list(labels), format_func=labels.get, key="pw_clusters",
                     on_change=lambda: st.session_state.update(keep_pw_clusters=st.session_state["pw_clusters"]),
                     placeholder=t("ui.choose"))
st.session_state["keep_pw_clusters"] = ids
buffer_m = c2.slider(t("pw.buffer"), 25, 300, 75, step=25, key="pw_buffer")
if not ids:
    st.info(t("pw.choose"))
    st.stop()
try:
    plan = E.propose_walk(clusters, ids, buffer_m=float(buffer_m))
except GeoTrygghetError as exc:
    st.error(str(exc))
    st.stop()

st.markdown(t("pw.route", km=A.fmt_dec(plan.length_m / 1000), n=len(plan.cluster_order),
              order=" → ".join(str(i) for i in plan.cluster_order)))
if plan.length_m > A.LONG_WALK_M:
    st.warning(t("pw.long", km=f"{plan.length_m / 1000:.0f}"))
A.show_map(A.walk_plan_map(view, plan, remarks=A._remarks(False)), key="pw_map", height=480)

st.subheader(t("pw.create"))
with st.form("pw_form"):
    f1, f2 = st.columns(2)
    title = f1.text_input(t("pw.title"), value=f"Trygghetsvandring område {', '.join(map(str, plan.cluster_order))}",
                          key="pw_title", max_chars=120)
    walk_date = f2.date_input(t("pw.date"), value=dt.date.today() + dt.timedelta(days=14), key="pw_date",
                              format="YYYY-MM-DD")
    f3, f4 = st.columns(2)
    group = f3.selectbox(t("pw.group"), WALK_GROUPS, index=WALK_GROUPS.index("blandad"), key="pw_group",
                         format_func=lambda g: t(f"group.{g}"))
    organiser = f4.text_input(t("pw.organiser"), key="pw_organiser", max_chars=120)
    submitted = st.form_submit_button(t("pw.submit"), type="primary", icon=":material/add_location_alt:")
if submitted:
    if not title.strip():
        st.error(t("pw.title_missing"))
    else:
        walk, problem = A.create_walk(plan, title=title, walk_date=walk_date, group=group, organiser=organiser)
        if problem:
            st.error(problem)
        else:
            st.session_state[A.K_CREATED] = (walk.title, walk.join_code)

created = st.session_state.get(A.K_CREATED)
if created:
    walk_title, code = created
    link = links.join_link(code)
    st.success(t("pw.created", title=walk_title, code=code))
    q1, q2 = st.columns([2, 1])
    q1.markdown(f"**{t('pw.link')}**")
    q1.code(link, language=None)
    png = links.qr_png(link)
    q2.image(png, caption=t("pw.qr"), width=220)
    q2.download_button(t("pw.qr_download"), png, f"vandring_{code}.png", "image/png", key="pw_qr_dl",
                       on_click="ignore")
