"""Plan a trygghetsvandring from hot spots: choose hot-spot areas, get a proposed
walk area and route, create the walk in the remark service, print code and QR."""

from __future__ import annotations

import streamlit as st

from geo_trygghet.errors import GeoTrygghetError
from geo_trygghet.hotspots.explorer import propose_walk
from geo_trygghet.ui import walk_planning as W
from geo_trygghet.ui.compute import compute_view
from geo_trygghet.ui.dataset import dataset_picker
from geo_trygghet.ui.filters import filter_widgets
from geo_trygghet.ui.i18n import t
from geo_trygghet.ui.kept import set_scope

set_scope("pw")
st.header(t("pw.heading"))
st.caption(t("pw.intro"))
ds = dataset_picker()
if ds is None:
    st.stop()
view = compute_view(ds, filter_widgets(ds))
if not len(view.clusters):
    st.warning(t("pw.none"))
    st.stop()

c1, c2 = st.columns([3, 1])
ids = W.cluster_picker(view.clusters, c1)
buffer_m = c2.slider(t("pw.buffer"), 25, 300, 75, step=25, key="pw_buffer")
if not ids:
    st.info(t("pw.choose"))
    st.stop()
try:
    plan = propose_walk(view.clusters, ids, buffer_m=float(buffer_m))
except GeoTrygghetError as exc:
    st.error(str(exc))
    st.stop()
W.plan_map(view, plan)

st.subheader(t("pw.create"))
W.walk_form(plan)
W.created_panel()
