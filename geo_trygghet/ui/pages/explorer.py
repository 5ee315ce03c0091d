"""Hot-spot explorer: load incidents, filter, see counts, Gi* bins, hot-spot areas
and walk remarks on one map; click a cell for its history; download the layers.

The public role sees the same page in public mode (cells with 1–2 incidents
suppressed, no incident points, no per-cell details, only the kept dataset).
"""

from __future__ import annotations

import streamlit as st

from geo_trygghet.ui import analyst as A
from geo_trygghet.ui import state
from geo_trygghet.ui.i18n import t

A.set_scope("ex")
st.header(t("ex.heading"))
st.caption(t("ex.intro"))

public_role = state.role() == state.PUBLIC
ds = A.dataset_picker(allow_upload=not public_role)
if ds is None:
    st.stop()
filters = A.filter_widgets(ds)
public = A.public_mode()
if public:
    st.info(t("f.public_on"), icon=":material/visibility_off:")

view = A.compute_view(ds, filters)
hot = int((view.cells["gi_bin"] > 0).sum())
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("r.selected"), A._n(view.n))
c2.metric(t("r.cells"), A._n(int((view.cells["count"] > 0).sum())))
c3.metric(t("r.hot"), A._n(hot))
c4.metric(t("r.clusters"), A._n(len(view.clusters)))
if view.n == 0:
    st.warning(t("r.empty"))

remarks = A._remarks(public)
left, right = st.columns([3, 1], gap="medium")
with left:
    out = A.explorer_live_map(view, public=public, remarks=remarks, boundary=ds.boundary)
with right:
    A.cell_panel(view, A.clicked_point(out), public=public)
    st.markdown(f"**{t('r.top_cells')}**")
    st.dataframe(A.top_cells_table(view, public=public), hide_index=True, key="an_top_cells",
                 column_config={"Gi* z": st.column_config.NumberColumn(format="%.1f")})

A.download_buttons(view, lambda: A.explorer_map(view, public=public, remarks=remarks, boundary=ds.boundary),
                   public=public)
