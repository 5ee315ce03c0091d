"""Uppföljning (handbook step 5): before/after in a target area against control areas,
displacement to a buffer, the report; and every fixed remark evaluated as an intervention."""

from __future__ import annotations

import streamlit as st

from geo_trygghet.ui import analyst as A
from geo_trygghet.ui import followup as F
from geo_trygghet.ui.i18n import lang, t

A.set_scope("fu")
st.header(t("fu.heading"))
st.caption(t("fu.intro"))
ds = A.dataset_picker()
if ds is None:
    st.stop()
filters = A.filter_widgets(ds, resolution=False)
mask = filters.mask(ds.arrays)
incidents = ds.incidents.loc[mask] if not mask.all() else ds.incidents
key = (ds.key, filters.selection())

tab_area, tab_remarks = st.tabs([t("fu.tab_area"), t("fu.tab_remarks")])

with tab_area:
    settings_col, map_col = st.columns([2, 3], gap="large")
    with settings_col:
        choice = F.choose_target(ds)
        if choice.target is not None:
            with st.expander(t("fu.dates"), expanded=True, icon=":material/event:"):
                F.choose_dates(choice, ds)
            F.choose_buffer(choice)
            F.choose_controls(choice, ds, incidents, key)
    with map_col:
        st.markdown(f"**{t('fu.map')}**")
        mode = st.session_state.get("fu_mode")
        context = A.compute_view(ds, A.Filters()).clusters if mode in ("point", "cluster") else None
        out = F.followup_map(choice, clickable=mode == F.POINT, drawable=mode == F.DRAW, boundary=ds.boundary,
                             context=context)
        sim = F.similarity_table(choice, incidents, key)
        if sim is not None:
            st.markdown(f"**{t('fu.similarity')}**", help=t("fu.sim_help"))
            st.dataframe(sim, hide_index=True, key="fu_similarity", column_config=F.localized(sim))
    if mode == F.POINT:
        F.remember_click(out)
    elif mode == F.DRAW:
        F.remember_drawing(out)
    if choice.target is not None and choice.controls:
        st.subheader(t("fu.result"))
        result = F.run_evaluation(choice, incidents, key)
        if F.weak_controls(sim):
            st.warning(t("fu.weak_controls", best=F.fmt_sim(sim)))
        if result is not None:
            F.show_result(result)
            if result.notes:
                with st.expander(t("fu.notes"), icon=":material/info:"):
                    for note in result.note_texts(lang()):
                        st.caption(note)
            F.download_buttons(result, choice, about=filters.describe(ds.name))

with tab_remarks:
    st.caption(t("fr.intro"))
    fixed, why = F.fixed_remarks()
    if fixed is None:
        st.info(why)
    elif not len(fixed):
        st.info(t("fr.none"))
    else:
        F.remark_effects_view(fixed, incidents, key)
