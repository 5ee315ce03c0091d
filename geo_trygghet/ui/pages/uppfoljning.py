"""Uppföljning (handbook step 5): before/after in a target area against control areas,
displacement to a buffer, the report; and every fixed remark evaluated as an intervention."""

from __future__ import annotations

import streamlit as st

from geo_trygghet.ui.compute import compute_view
from geo_trygghet.ui.dataset import dataset_picker
from geo_trygghet.ui.filters import Filters, filter_widgets
from geo_trygghet.ui.followup import choose, map_view, result
from geo_trygghet.ui.followup._common import localized
from geo_trygghet.ui.followup.areas import CLUSTER, DRAW, POINT
from geo_trygghet.ui.followup.fixed_remarks import fixed_remarks, remark_effects_view
from geo_trygghet.ui.i18n import t
from geo_trygghet.ui.kept import set_scope

set_scope("fu")
st.header(t("fu.heading"))
st.caption(t("fu.intro"))
ds = dataset_picker()
if ds is None:
    st.stop()
filters = filter_widgets(ds, resolution=False)
mask = filters.mask(ds.arrays)
incidents = ds.incidents.loc[mask] if not mask.all() else ds.incidents
key = (ds.key, filters.selection())

tab_area, tab_remarks = st.tabs([t("fu.tab_area"), t("fu.tab_remarks")])

with tab_area:
    settings_col, map_col = st.columns([2, 3], gap="large")
    with settings_col:
        choice = choose.choose_target(ds)
        if choice.target is not None:
            with st.expander(t("fu.dates"), expanded=True, icon=":material/event:"):
                choose.choose_dates(choice, ds)
            choose.choose_buffer(choice)
            choose.choose_controls(choice, ds, incidents, key)
    with map_col:
        st.markdown(f"**{t('fu.map')}**")
        mode = st.session_state.get("fu_mode")
        context = compute_view(ds, Filters()).clusters if mode in (POINT, CLUSTER) else None
        out = map_view.followup_map(choice, clickable=mode == POINT, drawable=mode == DRAW, boundary=ds.boundary,
                                context=context)
        sim = result.similarity_table(choice, incidents, key)
        if sim is not None:
            st.markdown(f"**{t('fu.similarity')}**", help=t("fu.sim_help"))
            st.dataframe(sim, hide_index=True, key="fu_similarity", column_config=localized(sim))
    if mode == POINT:
        map_view.remember_click(out)
    elif mode == DRAW:
        map_view.remember_drawing(out)
    if choice.target is not None and choice.controls:
        st.subheader(t("fu.result"))
        res = result.run_evaluation(choice, incidents, key)
        if result.weak_controls(sim):
            st.warning(t("fu.weak_controls", best=result.fmt_sim(sim)))
        if res is not None:
            result.show_result(res)
            result.show_notes(res)
            result.download_buttons(res, choice, about=filters.describe(ds.name))

with tab_remarks:
    st.caption(t("fr.intro"))
    fixed, why = fixed_remarks()
    if fixed is None:
        st.info(why)
    elif not len(fixed):
        st.info(t("fr.none"))
    else:
        remark_effects_view(fixed, incidents, key)
