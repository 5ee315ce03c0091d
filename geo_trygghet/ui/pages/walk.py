"""Deltagare (phone): log a remark on the walk, then see the walk's numbered remarks."""

from __future__ import annotations

import streamlit as st

from geo_trygghet.remarks.categories import remark_categories
from geo_trygghet.remarks.states import FACTORS, factor_label
from geo_trygghet.ui import remark_display as D
from geo_trygghet.ui import remark_form as W
from geo_trygghet.ui import state
from geo_trygghet.ui.data import remark_service_or_error
from geo_trygghet.ui.i18n import lang, t
from geo_trygghet.ui.service_errors import swedish_error

service, problem = remark_service_or_error()
actor = W.participant_actor()
code = st.session_state.get(state.WALK_CODE)
if service is None or not code:
    st.error(t("service.missing", why=problem) if service is None else t("wk.nowalk"))
    st.stop()
try:
    walk = service.walk_by_code(code)
except Exception as exc:  # noqa: BLE001 - unknown code or database down: one line
    st.error(swedish_error(exc))
    st.stop()

st.html(W.PHONE_CSS)
st.subheader(walk.title)
st.caption(" · ".join(x for x in (str(walk.walk_date or ""), walk.group_label(lang()) if walk.group else "") if x))

if not walk.is_open_for_remarks:
    st.info(t("wk.closed"))
else:
    fid = W.form_id()
    W.keep_form()
    st.markdown(f"#### {t('label.new_remark')}")
    # 1. where: the phone's GPS, or a tap on the map
    st.markdown(f"**{t('wk.where')}**")
    gps = W.gps_position(W.geolocation(nonce=fid, key=W.GEO))
    if st.toggle(t("wk.use_map"), key=W.USE_MAP) or gps is None:
        W.position_picker(gps, frame=service.remarks_frame(actor, walk=walk.id), area=walk.area)

    # 2. what: category, text, photo
    st.markdown(f"**{t('wk.what')}**")
    cats = remark_categories()
    st.pills(t("wk.category"), list(cats), key=W.field_key(W.CATEGORY),
             format_func=D.labeller({s: c.label(lang()) for s, c in cats.items()}),
             on_change=W.remember, args=(W.CATEGORY,))
    st.caption(t("wk.positive"))
    st.text_area(t("wk.text"), key=W.field_key(W.TEXT), height=96, max_chars=4000, placeholder=t("wk.text_ph"),
                 on_change=W.remember, args=(W.TEXT,))
    st.file_uploader(t("wk.photo"), type=W.PHOTO_TYPES, key=W.photo_key(), max_upload_size=W.photo_max_mb())
    with st.expander(t("wk.more")):
        st.caption(t("wk.feeling"))
        st.feedback("faces", key=W.field_key(W.FEELING))
        st.caption(t("wk.factors"))
        for name in FACTORS:
            st.segmented_control(factor_label(name, lang()), [0, 1, 2, 3], key=W.factor_key(name))

    # 3. send (sticky at the bottom of the screen)
    with st.container(key="wr_send_bar"):
        dupes = st.session_state.get(W.DUPES)
        if dupes:
            st.warning(t("wk.dupes"))
            for n, label, text, d in dupes:
                st.markdown(f"**{t('wk.dupe_row', n=n, d=d)}** · {D.md(label)}: {D.md(text)}")
            c1, c2 = st.columns(2)
            c1.button(t("wk.send_anyway"), key="wr_send_anyway", type="primary", width="stretch",
                      on_click=W.submit_form, args=(service, actor, walk), kwargs={"confirmed": True})
            c2.button(t("wk.cancel"), key="wr_cancel", width="stretch", on_click=W.cancel_dupes)
        else:
            st.button(t("wk.send"), key="wr_send", type="primary", width="stretch",
                      on_click=W.submit_form, args=(service, actor, walk))
        if st.session_state.get(W.ERROR):
            st.error(st.session_state[W.ERROR])
        elif st.session_state.get(W.ACK):
            st.success(t("wk.sent", n=st.session_state[W.ACK][0]), icon=":material/check_circle:")

st.divider()
st.markdown(f"#### {t('wk.list')}")
frame = service.remarks_frame(actor, walk=walk.id, lang=lang())
if frame.empty:
    st.caption(t("wk.none"))
else:
    D.show_map(frame, key="wr_walkmap", area=walk.area, height=300)
    for row in frame.sort_values("number").itertuples():
        st.markdown(f"**{int(row.number)}. {D.md(row.category_label)}** · {D.md(row.state_label)}  \n"
                    f"{D.md(row.text)}")
