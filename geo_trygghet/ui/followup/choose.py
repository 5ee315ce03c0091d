"""The widgets that choose the follow-up's target, windows, buffer and control areas."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
import streamlit as st

from ... import settings
from ...errors import GeoTrygghetError
from ...followup import area_from_h3, circle_area
from ...followup.before_after import RESERVED_NAMES
from ..compute import compute_view
from ..dataset import Dataset
from ..filters import Filters
from ..i18n import t
from ..walk_planning import cluster_choice_label
from ._common import error_text, num, wkb
from .areas import (
    CLUSTER,
    DRAW,
    K_DATE_FOR,
    K_DRAWN,
    K_POINT,
    POINT,
    PRESET,
    REMARK,
    UPLOAD,
    UPLOAD_TYPES,
    Choice,
    areas_from_upload,
    ring_around,
    sample_preset,
)
from .fixed_remarks import fixed_remarks, remark_label, remark_name

TARGET_LABELS = {POINT: "fu.t_point", DRAW: "fu.t_draw", CLUSTER: "fu.t_cluster", REMARK: "fu.t_remark",
                 UPLOAD: "fu.t_upload"}
BUFFER_LABELS = {"preset": "fu.b_preset", "ring": "fu.b_ring", "none": "fu.b_none", "upload": "fu.b_upload"}
CONTROL_LABELS = {"preset": "fu.c_preset", "suggest": "fu.c_suggest", "upload": "fu.c_upload"}


# --------------------------------------------------------------------------- the target, one mode each
def _target_preset(choice: Choice, ds: Dataset, preset: dict) -> None:
    choice.target, choice.target_name, choice.default_date = preset["target"], preset["name"], preset["date"]
    choice.preset = preset


def _target_point(choice: Choice, ds: Dataset, preset: dict | None) -> None:
    if K_POINT not in st.session_state:
        st.session_state[K_POINT] = (float(np.median(ds.arrays.lon)), float(np.median(ds.arrays.lat)))
    lon, lat = st.session_state[K_POINT]
    r = st.number_input(t("fu.radius"), 25, 3000, int(settings.evaluation_radius_m), 25, key="fu_radius")
    st.caption(t("fu.click", lat=lat, lon=lon))
    choice.target, choice.target_name, choice.point = circle_area(lon, lat, r), t("fu.circle_name", r=r), (lon, lat)


def _target_draw(choice: Choice, ds: Dataset, preset: dict | None) -> None:
    drawn = st.session_state.get(K_DRAWN)
    if not drawn:
        st.info(t("fu.draw_first"))
        return
    choice.target, choice.target_name = shapely.geometry.shape(drawn), t("fu.drawn_name")


def _target_cluster(choice: Choice, ds: Dataset, preset: dict | None) -> None:
    view = compute_view(ds, Filters())
    clusters = view.clusters.sort_values("count", ascending=False)
    if not len(clusters):
        st.info(t("fu.no_clusters"))
        return
    labels = cluster_choice_label(clusters)
    picked = st.multiselect(t("fu.cluster"), list(labels), default=list(labels)[:1], format_func=lambda c: labels[c],
                            key="fu_clusters", placeholder=t("ui.choose"))
    if picked:
        shapes = clusters[clusters["cluster_id"].isin(picked)].geometry.union_all()
        hot = view.cells[(view.cells["gi_bin"] > 0) & view.cells.intersects(shapes)]
        choice.target = area_from_h3(hot["h3"]) if len(hot) else shapes
        choice.target_name = t("fu.cluster_name", ids=", ".join(str(i) for i in picked))


def _target_remark(choice: Choice, ds: Dataset, preset: dict | None) -> None:
    frame, why = fixed_remarks()
    if frame is None or not len(frame):
        st.info(why or t("fu.no_remarks"))
        return
    idx = st.selectbox(t("fu.remark"), list(range(len(frame))), key="fu_remark",
                       format_func=lambda i: remark_label(frame.iloc[i]))
    row = frame.iloc[idx]
    r = st.number_input(t("fu.radius"), 25, 3000, int(settings.evaluation_radius_m), 25, key="fu_radius_r")
    choice.point = (float(row.lon), float(row.lat))
    choice.target = circle_area(*choice.point, r)
    choice.target_name = remark_name(row.walk_title, row.number)
    choice.default_date = pd.Timestamp(row.fixed_date).date()


def _target_upload(choice: Choice, ds: Dataset, preset: dict | None) -> None:
    up = st.file_uploader(t("fu.file"), type=UPLOAD_TYPES, key="fu_target_file")
    if up is None:
        st.info(t("fu.upload_first"))
        return
    try:
        parts = areas_from_upload(up)
    except GeoTrygghetError as exc:
        st.error(str(exc))
        return
    choice.target = shapely.union_all([g for _, g in parts])
    choice.target_name = parts[0][0] if len(parts) == 1 else Path(up.name).stem


_TARGET_MODES: dict[str, Callable[[Choice, Dataset, dict | None], None]] = {
    POINT: _target_point, DRAW: _target_draw, CLUSTER: _target_cluster, REMARK: _target_remark,
    UPLOAD: _target_upload,
}


def choose_target(ds: Dataset) -> Choice:
    """The target widgets; returns the choice (``target`` None when something is missing)."""
    preset = sample_preset()
    modes = ([PRESET] if preset else []) + list(_TARGET_MODES)

    def label(mode: str) -> str:
        if mode == PRESET and preset:
            return t("fu.t_preset", name=preset["name"], date=preset["date"])
        return t(TARGET_LABELS[mode])

    mode = st.selectbox(t("fu.target"), modes, format_func=label, key="fu_mode")
    choice = Choice()
    if mode == PRESET and preset:
        _target_preset(choice, ds, preset)
    else:
        _TARGET_MODES[mode](choice, ds, preset)
    return choice


# --------------------------------------------------------------------------- windows and buffer
def choose_dates(choice: Choice, ds: Dataset) -> None:
    span = ds.arrays.date_range()
    default = choice.default_date or (span[0] + (span[1] - span[0]) / 2 if span else settings.local_today())
    if st.session_state.get(K_DATE_FOR) != (choice.target_name, default):
        st.session_state[K_DATE_FOR] = (choice.target_name, default)
        st.session_state["fu_date"] = default
    choice.date = st.date_input(t("fu.date"), key="fu_date", format="YYYY-MM-DD")
    c1, c2 = st.columns(2)
    choice.before = int(c1.number_input(t("fu.before"), 30, 3650, 365, 1, key="fu_before"))
    choice.after = int(c2.number_input(t("fu.after"), 30, 3650, 365, 1, key="fu_after"))
    choice.same_months = st.checkbox(t("fu.same"), key="fu_same")
    if choice.same_months and choice.after > 365:
        choice.after = 365
        st.caption(t("fu.same_cap"))


def _uploaded_union(up: object) -> shapely.Geometry | None:
    try:
        return shapely.union_all([g for _, g in areas_from_upload(up)])
    except GeoTrygghetError as exc:
        st.error(str(exc))
        return None


def choose_buffer(choice: Choice) -> None:
    preset = choice.preset
    modes = (["preset"] if preset else []) + ["ring", "none", "upload"]
    mode = st.radio(t("fu.buffer"), modes, key="fu_buffer_mode", horizontal=True,
                    format_func=lambda m: t(BUFFER_LABELS[m]))
    if mode == "preset" and preset:
        choice.buffer = preset["buffer"]
    elif mode == "ring":
        width = st.number_input(t("fu.ring"), 25, 2000, 150, 25, key="fu_ring")
        choice.buffer = ring_around(choice.target, width)
    elif mode == "upload":
        up = st.file_uploader(t("fu.file"), type=UPLOAD_TYPES, key="fu_buffer_file")
        if up is not None:
            choice.buffer = _uploaded_union(up)


# --------------------------------------------------------------------------- control areas
@st.cache_data(show_spinner=False, max_entries=32)
def _suggest(key: tuple, _incidents: gpd.GeoDataFrame, _target: shapely.Geometry,
             _buffer: shapely.Geometry | None, date: dt.date | None, before: int, same: bool) -> gpd.GeoDataFrame:
    from ...followup.controls import suggest_controls

    return suggest_controls(_incidents, target=_target, buffer=_buffer, intervention=date, before_days=before,
                            same_months=same, k=8)


def _suggested_controls(choice: Choice, incidents: gpd.GeoDataFrame, key: tuple) -> bool:
    """The suggestion widgets; False (after showing why) when no suggestions could be made."""
    try:
        cand = _suggest((*key, wkb(choice.target), wkb(choice.buffer)), incidents, choice.target,
                        choice.buffer, choice.date, choice.before, choice.same_months)
    except GeoTrygghetError as exc:
        st.error(error_text(exc))
        return False
    # short chips (the box is narrow); the full line is in the map's tooltip and the table
    labels = {int(r["rank"]): t("fu.c_short", rank=int(r["rank"]), sim=num(r["similarity"]))
              for _, r in cand.iterrows()}
    # a new set of suggestions (another target or date) is a new widget: the old choice does not fit it
    digest = hashlib.sha1("|".join(cand["h3"].astype(str)).encode()).hexdigest()[:12]
    picked = st.multiselect(t("fu.c_pick"), list(labels), default=list(labels)[:3], format_func=lambda r: labels[r],
                            key=f"fu_suggested_{digest}", placeholder=t("ui.choose"))
    choice.candidates = cand
    choice.controls = [(t("fu.c_name", rank=r), cand.loc[cand["rank"] == r].geometry.iloc[0]) for r in picked]
    return True


def distinct_names(controls: list[tuple[str, shapely.Geometry]]) -> list[tuple[str, shapely.Geometry]]:
    """The controls with distinct names, none of those the core reserves ("target", "buffer", …)."""
    seen: dict[str, int] = {}
    named = []
    for name, geom in controls:
        base = name if name not in RESERVED_NAMES else f"{name} (k)"
        seen[base] = seen.get(base, 0) + 1
        named.append((base if seen[base] == 1 else f"{base} ({seen[base]})", geom))
    return named


def choose_controls(choice: Choice, ds: Dataset, incidents: gpd.GeoDataFrame, key: tuple) -> None:
    preset = choice.preset
    modes = (["preset"] if preset else []) + ["suggest", "upload"]
    mode = st.radio(t("fu.controls"), modes, key="fu_control_mode", horizontal=True,
                    format_func=lambda m: t(CONTROL_LABELS[m]))
    if mode == "preset" and preset:
        choice.controls = list(preset["controls"])
    elif mode == "suggest":
        if not _suggested_controls(choice, incidents, key):
            return
    else:
        ups = st.file_uploader(t("fu.c_files"), type=UPLOAD_TYPES, accept_multiple_files=True, key="fu_control_files")
        for up in ups or []:
            try:
                choice.controls += areas_from_upload(up)
            except GeoTrygghetError as exc:
                st.error(str(exc))
    choice.controls = distinct_names(choice.controls)
    if not choice.controls:
        st.warning(t("fu.c_none"))
