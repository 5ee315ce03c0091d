"""Hot-spot explorer: load incidents, filter, see counts, Gi* bins, hot-spot areas
and walk remarks on one map; click a cell for its history; download the layers.

The public role sees the same page in public mode (cells with 1–2 incidents
suppressed, no incident points, no per-cell details, only the kept dataset).
"""

from __future__ import annotations

import streamlit as st

from geo_trygghet.ui import emerging_widgets as EW
from geo_trygghet.ui import explorer_widgets as X
from geo_trygghet.ui import state
from geo_trygghet.ui.compute import compute_view, map_remarks
from geo_trygghet.ui.dataset import dataset_picker
from geo_trygghet.ui.filters import filter_widgets, public_mode
from geo_trygghet.ui.formats import fmt_count
from geo_trygghet.ui.i18n import t
from geo_trygghet.ui.kept import set_scope

set_scope("ex")
st.header(t("ex.heading"))
st.caption(t("ex.intro"))

ds = dataset_picker(allow_upload=state.role() != state.PUBLIC)
if ds is None:
    st.stop()
filters = filter_widgets(ds)
public = public_mode()
if public:
    st.info(t("f.public_on"), icon=":material/visibility_off:")

view = compute_view(ds, filters)
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("r.selected"), fmt_count(view.n))
c2.metric(t("r.cells"), fmt_count(int((view.cells["count"] > 0).sum())))
c3.metric(t("r.hot"), fmt_count(int((view.cells["gi_bin"] > 0).sum())))
c4.metric(t("r.clusters"), fmt_count(len(view.clusters)))
if view.n == 0:
    st.warning(t("r.empty"))
EW.scale_note(view)
change = EW.change_controls(view, public=public)  # Utveckling and Prognos layers (analysts)

remarks = map_remarks(public)
top = X.top_cells_table(view, public=public)
centre = X.follow_top_choice(view, top)  # a row chosen in the table: that cell, on the map
left, right = st.columns([3, 1], gap="medium")
with left:
    out = X.explorer_live_map(view, public=public, remarks=remarks, extra=change.groups, extra_legend=change.legend,
                              hide_bins=change.has_emerging, centre=centre)
with right:
    X.cell_panel(view, X.clicked_point(out), public=public)
st.markdown(f"**{t('r.top_cells')}**")  # full width: where each cell is, and its figures, readable
X.top_cells(top)

EW.change_panel(view, change)
X.download_buttons(view, lambda: X.static_map(view, public=public, remarks=remarks), public=public)
