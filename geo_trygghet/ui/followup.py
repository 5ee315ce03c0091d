"""Pieces of the follow-up page (uppföljning, the handbook's Steg 5), not the page itself.

The page chooses a target area (the sample's intervention, a circle around a
clicked point, the hot cells of a hot-spot area, a circle around a fixed
remark, or an uploaded file), a buffer, the control areas (suggested by
:mod:`geo_trygghet.controls` with their similarity, the sample's, or
uploaded) and the windows; :func:`run_evaluation` calls
:func:`geo_trygghet.evaluation.evaluate` (cached) and the result is shown with
the same tables the report prints (:mod:`geo_trygghet.reports.evaluation`).
The second tab evaluates every fixed remark (:mod:`geo_trygghet.remark_effects`).

The incidents are the explorer's dataset (:func:`geo_trygghet.ui.analyst.dataset_picker`).
Leaflet's draw plugin loads from a CDN, which a locked-down municipal network
(and the test machine) cannot reach, so areas are clicked, picked or uploaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
import streamlit as st
from shapely.geometry.base import BaseGeometry

from .. import settings
from ..crs import WGS84, metric_crs_for, to_wgs84
from ..errors import GeoTrygghetError
from ..reports.evaluation import (
    ROLE_COLOURS,
    counts_table,
    effect_table,
    monthly_series,
    verdict_text,
)
from . import analyst as A
from . import state
from .data import SAMPLE_DIR, remark_service_or_error
from .i18n import lang, t

PRESET, POINT, DRAW, CLUSTER, REMARK, UPLOAD = "preset", "point", "draw", "cluster", "remark", "upload"
K_POINT = "fu_point"            # (lon, lat) of the circle's centre
K_DRAWN = "fu_drawn"            # GeoJSON geometry of the drawn target
K_DATE_FOR = "fu_date_for"      # which target the date widget's default belongs to
UPLOAD_TYPES = ["geojson", "json", "gpkg", "zip"]


# --------------------------------------------------------------------------- choices
@dataclass
class Choice:
    """The areas and dates the user chose (WGS84 geometries)."""

    target: BaseGeometry | None = None
    target_name: str = ""
    default_date: dt.date | None = None
    point: tuple[float, float] | None = None
    controls: list[tuple[str, BaseGeometry]] = field(default_factory=list)
    candidates: gpd.GeoDataFrame | None = None
    buffer: BaseGeometry | None = None
    date: dt.date | None = None
    before: int = 365
    after: int = 365
    same_months: bool = False
    preset: dict | None = None


@st.cache_data(show_spinner=False)
def sample_preset(folder: str = str(SAMPLE_DIR)) -> dict | None:
    """The sample municipality's intervention: name, date, target, controls, buffer (WGS84), or None."""
    root = Path(folder)
    try:
        meta = json.loads((root / "intervention.json").read_text(encoding="utf-8"))
        files = meta["files"]
        target = to_wgs84(gpd.read_file(root / files["target"]), "target")
        controls = to_wgs84(gpd.read_file(root / files["controls"]), "controls")
        buffer = to_wgs84(gpd.read_file(root / files["buffer"]), "buffer")
    except (OSError, KeyError, ValueError):
        return None
    return {"name": str(target["name"].iloc[0]) if "name" in target else meta.get("name", ""),
            "date": dt.date.fromisoformat(meta["date"]), "target": target.geometry.union_all(),
            "controls": [(str(r.get("name") or f"K{i + 1}"), r.geometry) for i, r in controls.iterrows()],
            "buffer": buffer.geometry.union_all()}


def _saved(upload: Any) -> Path:
    return A._save_upload(upload.getvalue(), upload.name)


def areas_from_upload(upload: Any) -> list[tuple[str, BaseGeometry]]:
    """One (name, polygon) per feature of an uploaded file; the name from ``name``/``namn`` or the file."""
    path = _saved(upload)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - the user's file; say so in one line
        raise GeoTrygghetError(f"{upload.name}: cannot be read as a map layer ({str(exc).splitlines()[0][:120]})") \
            from None
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    gdf = to_wgs84(gdf, upload.name)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty & gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    if not len(gdf):
        raise GeoTrygghetError(f"{upload.name}: has no polygons; give the area as a polygon")
    col = next((c for c in ("name", "namn", "Name", "NAMN") if c in gdf.columns), None)
    stem = Path(upload.name).stem
    out = []
    for i, row in enumerate(gdf.itertuples()):
        name = str(getattr(row, col)) if col and pd.notna(getattr(row, col)) else (
            stem if len(gdf) == 1 else f"{stem} {i + 1}")
        geom = row.geometry if row.geometry.is_valid else shapely.make_valid(row.geometry)
        out.append((name, geom))
    return out


def ring_around(geom: BaseGeometry, metres: float) -> BaseGeometry:
    """The ring of ``metres`` around ``geom`` (the area itself cut out), in WGS84."""
    c = geom.centroid
    crs = metric_crs_for(np.array([c.x]), np.array([c.y]))
    s = gpd.GeoSeries([geom], crs=WGS84).to_crs(crs)
    return s.buffer(float(metres)).difference(s).to_crs(WGS84).iloc[0]


def fixed_remarks() -> tuple[gpd.GeoDataFrame | None, str | None]:
    """The fixed remarks this user may see (``remarks_frame(actor, state="fixed")``), or (None, why)."""
    actor = state.actor()
    if actor is None:
        return None, t("fr.login")
    service, problem = remark_service_or_error()
    if service is None:
        return None, t("fr.no_service", why=problem)
    try:
        frame = service.remarks_frame(actor, state="fixed", lang=lang())
    except Exception as exc:  # noqa: BLE001 - the page must not fail because the database does
        return None, t("fr.no_service", why=str(exc).splitlines()[0][:200])
    frame = frame[frame["fixed_date"].notna() & frame["lon"].notna()].reset_index(drop=True)
    return frame, None


def remark_label(row: Any) -> str:
    text = str(row.text or "")
    text = text if len(text) <= 60 else text[:57] + "…"
    return f"{row.walk_title} nr {row.number}: {row.category_label} – {text} ({pd.Timestamp(row.fixed_date).date()})"


def choose_target(ds: A.Dataset) -> Choice:
    """The target widgets; returns the choice (``target`` None when something is missing)."""
    preset = sample_preset()
    modes = ([PRESET] if preset else []) + [POINT, DRAW, CLUSTER, REMARK, UPLOAD]
    labels = {PRESET: t("fu.t_preset", name=preset["name"], date=preset["date"]) if preset else "",
              POINT: t("fu.t_point"), DRAW: t("fu.t_draw"), CLUSTER: t("fu.t_cluster"), REMARK: t("fu.t_remark"),
              UPLOAD: t("fu.t_upload")}
    mode = st.selectbox(t("fu.target"), modes, format_func=labels.get, key="fu_mode")
    choice = Choice()
    if mode == PRESET:
        choice.target, choice.target_name, choice.default_date = preset["target"], preset["name"], preset["date"]
    elif mode == POINT:
        if K_POINT not in st.session_state:
            st.session_state[K_POINT] = (float(np.median(ds.arrays.lon)), float(np.median(ds.arrays.lat)))
        lon, lat = st.session_state[K_POINT]
        r = st.number_input(t("fu.radius"), 25, 3000, int(settings.evaluation_radius_m), 25, key="fu_radius")
        st.caption(t("fu.click", lat=lat, lon=lon))
        from ..followup import circle_area

        choice.target, choice.target_name, choice.point = circle_area(lon, lat, r), t("fu.circle_name", r=r), (lon, lat)
    elif mode == DRAW:
        drawn = st.session_state.get(K_DRAWN)
        if not drawn:
            st.info(t("fu.draw_first"))
            return choice
        choice.target, choice.target_name = shapely.geometry.shape(drawn), t("fu.drawn_name")
    elif mode == CLUSTER:
        view = A.compute_view(ds, A.Filters())
        clusters = view.clusters.sort_values("count", ascending=False)
        if not len(clusters):
            st.info(t("fu.no_clusters"))
            return choice
        labels_c = A.cluster_choice_label(clusters)
        picked = st.multiselect(t("fu.cluster"), list(labels_c), default=list(labels_c)[:1],
                                format_func=labels_c.get, key="fu_clusters", placeholder=t("ui.choose"))
        if picked:
            from ..followup import area_from_h3

            shapes = clusters[clusters["cluster_id"].isin(picked)].geometry.union_all()
            hot = view.cells[(view.cells["gi_bin"] > 0) & view.cells.intersects(shapes)]
            choice.target = area_from_h3(hot["h3"]) if len(hot) else shapes
            choice.target_name = t("fu.cluster_name", ids=", ".join(str(i) for i in picked))
    elif mode == REMARK:
        frame, why = fixed_remarks()
        if frame is None or not len(frame):
            st.info(why or t("fu.no_remarks"))
            return choice
        idx = st.selectbox(t("fu.remark"), list(range(len(frame))), key="fu_remark",
                           format_func=lambda i: remark_label(frame.iloc[i]))
        row = frame.iloc[idx]
        r = st.number_input(t("fu.radius"), 25, 3000, int(settings.evaluation_radius_m), 25, key="fu_radius_r")
        from ..followup import circle_area

        choice.point = (float(row.lon), float(row.lat))
        choice.target = circle_area(*choice.point, r)
        choice.target_name = f"{row.walk_title} nr {row.number}"
        choice.default_date = pd.Timestamp(row.fixed_date).date()
    else:
        up = st.file_uploader(t("fu.file"), type=UPLOAD_TYPES, key="fu_target_file")
        if up is None:
            st.info(t("fu.upload_first"))
            return choice
        try:
            parts = areas_from_upload(up)
        except GeoTrygghetError as exc:
            st.error(str(exc))
            return choice
        choice.target = shapely.union_all([g for _, g in parts])
        choice.target_name = parts[0][0] if len(parts) == 1 else Path(up.name).stem
    choice.preset = preset if mode == PRESET else None
    return choice


def choose_dates(choice: Choice, ds: A.Dataset) -> None:
    span = ds.arrays.date_range()
    default = choice.default_date or (span[0] + (span[1] - span[0]) / 2 if span else dt.date.today())
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


def choose_buffer(choice: Choice) -> None:
    preset = choice.preset
    modes = (["preset"] if preset else []) + ["ring", "none", "upload"]
    mode = st.radio(t("fu.buffer"), modes, key="fu_buffer_mode", horizontal=True,
                    format_func=lambda m: t({"preset": "fu.b_preset", "ring": "fu.b_ring", "none": "fu.b_none",
                                             "upload": "fu.b_upload"}[m]))
    if mode == "preset":
        choice.buffer = preset["buffer"]
    elif mode == "ring":
        width = st.number_input(t("fu.ring"), 25, 2000, 150, 25, key="fu_ring")
        choice.buffer = ring_around(choice.target, width)
    elif mode == "upload":
        up = st.file_uploader(t("fu.file"), type=UPLOAD_TYPES, key="fu_buffer_file")
        if up is not None:
            try:
                choice.buffer = shapely.union_all([g for _, g in areas_from_upload(up)])
            except GeoTrygghetError as exc:
                st.error(str(exc))


@st.cache_data(show_spinner=False, max_entries=32)
def _suggest(key: tuple, _incidents: gpd.GeoDataFrame, _target: BaseGeometry, _buffer: BaseGeometry | None,
             date: dt.date, before: int, same: bool) -> gpd.GeoDataFrame:
    from ..followup.controls import suggest_controls

    return suggest_controls(_incidents, target=_target, buffer=_buffer, intervention=date, before_days=before,
                            same_months=same, k=8)


@st.cache_data(show_spinner=False, max_entries=32)
def _similarity(key: tuple, _incidents: gpd.GeoDataFrame, _target: BaseGeometry, _controls: list, date: dt.date,
                before: int, same: bool) -> pd.DataFrame:
    from ..followup.controls import control_similarity

    gdf = gpd.GeoDataFrame({"name": [n for n, _ in _controls]}, geometry=[g for _, g in _controls], crs=WGS84)
    return pd.DataFrame(control_similarity(_incidents, target=_target, candidates=gdf, intervention=date,
                                           before_days=before, same_months=same).drop(columns="geometry"))


def _wkb(geom: BaseGeometry | None) -> str:
    return "" if geom is None else shapely.to_wkb(geom, hex=True)


def _num(value: float, decimals: int = 2) -> str:
    if value is None or not math.isfinite(float(value)):
        return "–"
    text = f"{float(value):.{decimals}f}"
    return text.replace(".", ",").replace("-", "−") if lang() == "sv" else text


def choose_controls(choice: Choice, ds: A.Dataset, incidents: gpd.GeoDataFrame, key: tuple) -> None:
    preset = choice.preset
    modes = (["preset"] if preset else []) + ["suggest", "upload"]
    mode = st.radio(t("fu.controls"), modes, key="fu_control_mode", horizontal=True,
                    format_func=lambda m: t({"preset": "fu.c_preset", "suggest": "fu.c_suggest",
                                             "upload": "fu.c_upload"}[m]))
    if mode == "preset":
        choice.controls = list(preset["controls"])
    elif mode == "suggest":
        try:
            cand = _suggest((*key, _wkb(choice.target), _wkb(choice.buffer)), incidents, choice.target,
                            choice.buffer, choice.date, choice.before, choice.same_months)
        except GeoTrygghetError as exc:
            st.error(t("fu.error", why=str(exc)))
            return
        # short chips (the box is narrow); the full line is in the map's tooltip and the table
        labels = {int(r["rank"]): t("fu.c_short", rank=int(r["rank"]), sim=_num(r["similarity"]))
                  for _, r in cand.iterrows()}
        # a new set of suggestions (another target or date) is a new widget: the old choice does not fit it
        digest = hashlib.sha1("|".join(cand["h3"].astype(str)).encode()).hexdigest()[:12]
        picked = st.multiselect(t("fu.c_pick"), list(labels), default=list(labels)[:3], format_func=labels.get,
                                key=f"fu_suggested_{digest}", placeholder=t("ui.choose"))
        choice.candidates = cand
        choice.controls = [(t("fu.c_name", rank=r), cand.loc[cand["rank"] == r].geometry.iloc[0]) for r in picked]
    else:
        ups = st.file_uploader(t("fu.c_files"), type=UPLOAD_TYPES, accept_multiple_files=True, key="fu_control_files")
        for up in ups or []:
            try:
                choice.controls += areas_from_upload(up)
            except GeoTrygghetError as exc:
                st.error(str(exc))
    seen: dict[str, int] = {}
    named = []
    for name, geom in choice.controls:  # distinct names, none the core reserves
        base = name if name not in {"target", "control", "buffer", "control_buffer", "month", "window", "start",
                                    "end", "days"} else f"{name} (k)"
        seen[base] = seen.get(base, 0) + 1
        named.append((base if seen[base] == 1 else f"{base} ({seen[base]})", geom))
    choice.controls = named
    if not named:
        st.warning(t("fu.c_none"))


def localized(df: pd.DataFrame) -> dict:
    """Column config: float columns shown in the browser's locale (decimal comma in Swedish)."""
    return {c: st.column_config.NumberColumn(format="localized") for c in df.columns
            if pd.api.types.is_float_dtype(df[c])}


#: Below this similarity a control area says little about what would have happened in the target.
WEAK_SIMILARITY = 0.3


def weak_controls(sim: pd.DataFrame | None) -> bool:
    """True when even the most similar chosen control is a weak one (see :data:`WEAK_SIMILARITY`)."""
    return sim is not None and len(sim) > 0 and float(sim.iloc[:, 1].max()) < WEAK_SIMILARITY


def fmt_sim(sim: pd.DataFrame) -> str:
    return _num(float(sim.iloc[:, 1].max()))


def similarity_table(choice: Choice, incidents: gpd.GeoDataFrame, key: tuple) -> pd.DataFrame | None:
    if not choice.controls or choice.target is None:
        return None
    try:
        sim = _similarity((*key, _wkb(choice.target), tuple((n, _wkb(g)) for n, g in choice.controls)), incidents,
                          choice.target, choice.controls, choice.date, choice.before, choice.same_months)
    except GeoTrygghetError:
        return None
    sv = lang() == "sv"
    return pd.DataFrame({
        t("fu.controls"): sim["name"],
        ("Likhet" if sv else "Similarity"): sim["similarity"].round(2),
        ("Brott före" if sv else "Incidents before"): sim["pre_count"],
        ("Nivå mot mål" if sv else "Level vs target"): sim["level_ratio"].round(2),
        ("Korrelation" if sv else "Correlation"): sim["correlation"].round(2),
    })


# --------------------------------------------------------------------------- evaluation
@st.cache_data(show_spinner=False, max_entries=32)
def _evaluate(key: tuple, _incidents: gpd.GeoDataFrame, _choice: Choice) -> Any:
    from ..followup import evaluate

    c = _choice
    return evaluate(_incidents, target=c.target, controls=[g for _, g in c.controls],
                    control_names=[n for n, _ in c.controls], buffer=c.buffer, intervention=c.date,
                    before_days=c.before, after_days=c.after, same_months=c.same_months)


def run_evaluation(choice: Choice, incidents: gpd.GeoDataFrame, key: tuple) -> Any:
    """:func:`geo_trygghet.evaluation.evaluate` on the choice, cached; None after showing an error."""
    ckey = (*key, _wkb(choice.target), tuple((n, _wkb(g)) for n, g in choice.controls), _wkb(choice.buffer),
            choice.date.isoformat(), choice.before, choice.after, choice.same_months)
    try:
        with st.spinner(t("fu.computing")):
            return _evaluate(ckey, incidents, choice)
    except GeoTrygghetError as exc:
        st.error(t("fu.error", why=str(exc)))
        return None


def show_result(result: Any) -> None:
    """The reading, the headline numbers, the counts and effect tables, the monthly chart."""
    from ..followup import Verdict

    lg = lang()
    box = {Verdict.FELL: st.success, Verdict.ROSE: st.warning, Verdict.TOO_FEW: st.warning}.get(result.verdict,
                                                                                              st.info)
    box(verdict_text(result, lg), icon=":material/insights:")
    m = result.models
    c1, c2, c3, c4 = st.columns(4)
    ci = result.odds_ratio_overdispersed.ci
    c1.metric(t("fu.or"), _num(result.odds_ratio.value), help=t("fu.or_help"))
    c2.metric(t("fu.ci_od"), f"{_num(ci[0])}–{_num(ci[1])}" if math.isfinite(ci[0]) else "–")
    c3.metric(t("fu.irr"), _num(m.negbin.value))
    c4.metric(t("fu.wdq"), _num(result.wdq) if result.buffer_before is not None else "–")
    left, right = st.columns([2, 3], gap="medium")
    with left:
        st.markdown(f"**{t('fu.counts')}**")
        counts = counts_table(result, lg)
        change = counts.columns[-1]
        st.dataframe(counts, hide_index=True, key="fu_counts",
                     column_config={change: st.column_config.NumberColumn(format="%.0f %%")})
    with right:
        series_chart(result)
    st.markdown(f"**{t('fu.effects')}**")
    st.table(effect_table(result, lg), hide_index=True)
    glossary()


def glossary() -> None:
    """OR, CI, IRR, WDQ, WDD, similarity and I² in plain words (both tabs use them)."""
    with st.expander(t("fu.glossary"), icon=":material/menu_book:"):
        st.markdown(t("fu.glossary_text"))


def series_chart(result: Any) -> None:
    import altair as alt

    long = monthly_series(result, lang())
    if not len(long):
        return
    st.markdown(f"**{t('fu.series')}**")
    order = list(dict.fromkeys(long["series"]))
    colours = [ROLE_COLOURS[r] for r in dict.fromkeys(long["role"])]
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format=A.AXIS_MONTH)),
        y=alt.Y("value:Q", title=None, axis=alt.Axis(format=A.AXIS_NUMBER)),
        color=alt.Color("series:N", sort=order, scale=alt.Scale(domain=order, range=colours), title=None,
                        legend=alt.Legend(orient="top", labelLimit=0)),
        tooltip=[alt.Tooltip("month:T", format="%Y-%m"), "series:N", alt.Tooltip("value:Q", format=".1f")])
    rule = alt.Chart(pd.DataFrame({"d": [result.windows.intervention]})).mark_rule(
        strokeDash=[6, 4], color="#222222", size=2).encode(x="d:T")
    st.altair_chart(lines + rule, key="fu_series")


# --------------------------------------------------------------------------- map and report
def areas_frame(choice: Choice) -> gpd.GeoDataFrame:
    """The chosen areas as rows ``role``, ``name``, geometry (WGS84), for the map and the report."""
    rows = [("target", choice.target_name or t("fu.role.target"), choice.target)] if choice.target else []
    rows += [("control", n, g) for n, g in choice.controls]
    if choice.buffer is not None and not choice.buffer.is_empty:
        rows.append(("buffer", t("fu.role.buffer"), choice.buffer))
    return gpd.GeoDataFrame({"role": [r[0] for r in rows], "name": [r[1] for r in rows]},
                            geometry=[r[2] for r in rows], crs=WGS84)


def followup_map(choice: Choice, *, clickable: bool, boundary: gpd.GeoDataFrame | None = None,
                 context: gpd.GeoDataFrame | None = None, drawable: bool = False) -> dict:
    """Target, controls, unchosen suggestions (with similarity), buffer, the municipal boundary and,
    as ``context``, hot-spot areas to aim at; returns the click when ``clickable``."""
    from branca.element import MacroElement, Template
    from streamlit_folium import st_folium

    from ..maps import add_boundary, add_draw_control, finish_map, legend_html, new_map

    areas = areas_frame(choice)
    cand = choice.candidates
    if len(areas):
        bounds = tuple(areas.total_bounds)
    elif boundary is not None and len(boundary):
        bounds = tuple(boundary.to_crs(WGS84).total_bounds)
    else:
        bounds = None
    m = new_map(bounds)
    if boundary is not None and len(boundary):
        add_boundary(m, boundary, name=t("r.boundary"))
    if context is not None and len(context):
        for row in context.itertuples():
            folium.GeoJson(row.geometry.__geo_interface__, interactive=not clickable,
                           tooltip=None if clickable else html.escape(t("fu.cluster_name", ids=row.cluster_id)),
                           style_function=lambda _: {"color": "#6a3d9a", "weight": 1.5, "fillOpacity": 0.06}
                           ).add_to(m)
    chosen = {_wkb(g) for _, g in choice.controls}
    if cand is not None:
        for row in cand.itertuples():
            if _wkb(row.geometry) in chosen:
                continue
            tip = html.escape(t("fu.c_label", rank=int(row.rank), sim=_num(row.similarity), pre=int(row.pre_count),
                                km=_num(row.distance_m / 1000, 1)))
            folium.GeoJson(row.geometry.__geo_interface__, tooltip=tip, style_function=lambda _: {
                "color": ROLE_COLOURS["candidate"], "weight": 1, "dashArray": "4 4", "fillOpacity": 0.05}).add_to(m)
    for row in areas.sort_values("role", key=lambda s: s.map({"buffer": 0, "control": 1, "target": 2})).itertuples():
        colour = ROLE_COLOURS[row.role]
        folium.GeoJson(row.geometry.__geo_interface__,
                       tooltip=html.escape(f"{t('fu.role.' + row.role)}: {row.name}"),
                       style_function=lambda _, c=colour, r=row.role: {
                           "color": c, "weight": 2, "fillOpacity": 0.12 if r == "buffer" else 0.3}).add_to(m)
    if choice.point is not None:
        folium.CircleMarker([choice.point[1], choice.point[0]], radius=4, color="#000000", fill=True).add_to(m)
    roles = set(areas["role"]) | ({"candidate"} if cand is not None and len(cand) > len(chosen) else set())
    # bottom right, clear of the scale bar (bottom left) and above the attribution
    legend = legend_html(t("fu.legend"), [(ROLE_COLOURS[r], t("fu.candidate") if r == "candidate" else t("fu.role." + r))
                                          for r in ("target", "control", "buffer", "candidate") if r in roles],
                         corner="right", bottom_px=30)
    macro = MacroElement()
    macro._template = Template("{% macro html(this, kwargs) %}" + legend + "{% endmacro %}")
    m.get_root().add_child(macro)
    if drawable:
        add_draw_control(m)
    finish_map(m)
    returned = ["last_clicked"] if clickable else ["last_active_drawing"] if drawable else []
    out = st_folium(m, key="fu_map", height=460, use_container_width=True, returned_objects=returned)
    return out or {}


def remember_drawing(out: dict) -> None:
    """Keep the last polygon drawn on the map as the target (and run the page again)."""
    drawing = (out or {}).get("last_active_drawing") or {}
    geom = drawing.get("geometry") if isinstance(drawing, dict) else None
    if geom and geom.get("type") in ("Polygon", "MultiPolygon") and geom != st.session_state.get(K_DRAWN):
        st.session_state[K_DRAWN] = geom
        st.rerun()


def remember_click(out: dict) -> None:
    """Move the circle's centre to the clicked point (and run the page again)."""
    click = (out or {}).get("last_clicked")
    if click and "lat" in click and "lng" in click:
        point = (float(click["lng"]), float(click["lat"]))
        if point != st.session_state.get(K_POINT):
            st.session_state[K_POINT] = point
            st.rerun()


def report_bytes(result: Any, areas: gpd.GeoDataFrame, *, title: str, lang_: str, fmt: str,
                 subtitle: str | None = None) -> bytes:
    """The report as HTML or PDF bytes (no Streamlit calls: it runs in the download's thread)."""
    from ..reports.evaluation import evaluation_report, write_report

    body = evaluation_report(result, title=title, areas=areas, lang=lang_, subtitle=subtitle)
    if fmt == "html":
        return body.encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        return write_report(body, Path(tmp) / "uppfoljning.pdf").read_bytes()


def download_buttons(result: Any, choice: Choice, *, about: str | None = None) -> None:
    """HTML, PDF and JSON of the result; ``about`` (the data and selection) heads the reports."""
    st.markdown(f"**{t('fu.report')}**")
    areas, lg = areas_frame(choice), lang()
    title = t("fu.report_title", name=choice.target_name)
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("fu.html"), lambda: report_bytes(result, areas, title=title, lang_=lg, fmt="html",
                                                          subtitle=about),
                       "uppfoljning.html", "text/html", key="fu_dl_html", on_click="ignore",
                       icon=":material/description:")
    c2.download_button(t("fu.pdf"), lambda: report_bytes(result, areas, title=title, lang_=lg, fmt="pdf",
                                                         subtitle=about),
                       "uppfoljning.pdf", "application/pdf", key="fu_dl_pdf", on_click="ignore",
                       icon=":material/picture_as_pdf:")
    c3.download_button(t("fu.json"), lambda: json.dumps(result.to_dict(), ensure_ascii=False, indent=1).encode(),
                       "uppfoljning.json", "application/json", key="fu_dl_json", on_click="ignore",
                       icon=":material/data_object:")


# --------------------------------------------------------------------------- fixed remarks
_STATUS = {"ok": "status.ok", "corrected": "status.corrected", "too_few": "status.too_few",
           "no_data": "status.no_data", "no_controls": "status.no_controls"}


@st.cache_data(show_spinner=False, max_entries=16)
def _remark_effects(key: tuple, _remarks: pd.DataFrame, _incidents: gpd.GeoDataFrame, radius: float, before: int,
                    after: int, hours: tuple | None) -> Any:
    from ..followup.fixed_remarks import remark_effects

    return remark_effects(_remarks, _incidents, radius_m=radius, before_days=before, after_days=after, hours=hours)


def forest_plot(table: pd.DataFrame, pooled_row: Any, category: str) -> None:
    """Each remark's odds ratio with its 95 % CI and the pooled estimate (log scale, line at 1)."""
    import altair as alt

    rows = table[(table["category"] == category) & table["odds_ratio"].notna()]
    if not len(rows):
        return
    pooled_label = t("fr.pooled_row")
    data = pd.DataFrame({
        "label": [f"{w} nr {n}" for w, n in zip(rows["walk_title"], rows["number"])] + [pooled_label],
        "or": [*rows["odds_ratio"], pooled_row["odds_ratio"]],
        "lo": [*rows["ci_lo"], pooled_row["ci_lo"]], "hi": [*rows["ci_hi"], pooled_row["ci_hi"]],
        "pooled": [False] * len(rows) + [True]})
    order = list(data["label"])
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    # Vega writes decimals the English way: a decimal comma on the axis in Swedish
    axis = alt.Axis(labelExpr="replace(datum.label, '.', ',')") if lang() == "sv" else alt.Axis()
    x = alt.X("or:Q", scale=alt.Scale(type="log"), title=t("fr.forest_x"), axis=axis)
    bars = alt.Chart(data).mark_rule(size=2).encode(y=y, x=alt.X("lo:Q", scale=alt.Scale(type="log")), x2="hi:Q",
                                                    color=alt.condition("datum.pooled", alt.value("#c0392b"),
                                                                        alt.value("#1f78b4")))
    points = alt.Chart(data).mark_point(filled=True, size=70).encode(
        y=y, x=x, shape=alt.condition("datum.pooled", alt.value("diamond"), alt.value("circle")),
        color=alt.condition("datum.pooled", alt.value("#c0392b"), alt.value("#1f78b4")),
        tooltip=["label:N", alt.Tooltip("or:Q", format=".2f", title="OR"), alt.Tooltip("lo:Q", format=".2f"),
                 alt.Tooltip("hi:Q", format=".2f")])
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4], color="#555555").encode(x="x:Q")
    st.caption(t("fr.forest"))
    st.altair_chart((bars + points + one).properties(height=28 * len(data) + 40), key="fr_forest")


def _pooled_verdict(row: Any) -> str:
    """A short reading of one pooled row (the full sentence is in the box above the table)."""
    if not row.k:
        return t("status.too_few")
    if row.ci_lo > 1:
        return t("fr.fell")
    if row.ci_hi < 1:
        return t("fr.rose")
    return t("fr.unclear")


def _texts(values: pd.Series) -> list[str]:
    """Ratios as the reader writes them: two decimals in the interface language, "–" when missing."""
    return [_num(v) if v is not None and not pd.isna(v) else "–" for v in values]


def _table(df: pd.DataFrame, *, key: str) -> None:
    st.dataframe(df, hide_index=True, key=key, column_config=localized(df))


def remark_effects_view(fixed: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, key: tuple) -> None:
    """Settings, the pooled table per category with its reading, and the table of every fixed remark."""
    from ..remarks import category_label

    c1, c2, c3 = st.columns(3)
    radius = float(c1.number_input(t("fr.radius"), 25, 1000, int(settings.evaluation_radius_m), 25, key="fr_radius"))
    days = int(c2.number_input(t("fu.before") + " / " + t("fu.after").lower(), 30, 1095, 365, 1, key="fr_days"))
    dark = c3.radio(t("fr.hours"), ["all", "dark"], key="fr_hours",
                    format_func=lambda h: t("fr.h_all") if h == "all" else t("fr.h_dark")) == "dark"
    remarks = pd.DataFrame(fixed.drop(columns="geometry")).rename(columns={"id": "remark_id"})
    rkey = (*key, tuple(remarks["remark_id"].astype(str)), tuple(remarks["fixed_date"].astype(str)))
    with st.spinner(t("fu.computing")):
        res = _remark_effects(rkey, remarks, incidents, radius, days, days, (18, 6) if dark else None)
    lg = lang()
    pooled = res.pooled
    if len(pooled):
        cats = list(pooled["category"])
        default = cats.index("belysning") if "belysning" in cats else 0
        cat = st.selectbox(t("fr.category"), cats, index=default, key="fr_category",
                           format_func=lambda c: category_label(c, lg))
        row = pooled[pooled["category"] == cat].iloc[0]
        st.markdown(f"**{t('fr.question', cat=category_label(cat, lg).lower())}**")
        st.info(res.reading(cat, lg), icon=":material/lightbulb:")
        forest_plot(res.table.merge(remarks[["remark_id", "walk_title", "number"]], on="remark_id", how="left"),
                    row, cat)
        st.markdown(f"**{t('fr.pooled')}**")
        _table(pd.DataFrame({
            t("col.category"): [category_label(c, lg) for c in pooled["category"]],
            t("col.remarks"): pooled["remarks"], t("col.used"): pooled["k"],
            "OR": _texts(pooled["odds_ratio"]), t("col.ci_lo"): _texts(pooled["ci_lo"]),
            t("col.ci_hi"): _texts(pooled["ci_hi"]), "I²": _texts(pooled["i2"]),
            t("col.reading"): [_pooled_verdict(r) for r in pooled.itertuples()]}),
            key="fr_pooled")
        glossary()
    table = res.table.merge(remarks[["remark_id", "walk_title", "number", "text"]], on="remark_id", how="left")
    st.markdown(f"**{t('fr.table')}**")
    _table(pd.DataFrame({
        t("col.walk"): table["walk_title"], t("col.nr"): table["number"],
        t("col.category"): [category_label(c, lg) for c in table["category"]], t("col.text"): table["text"],
        t("col.fixed"): pd.to_datetime(table["fixed_date"]).dt.date,
        t("col.tb"): table["target_before"], t("col.ta"): table["target_after"],
        t("col.cb"): table["control_before"], t("col.ca"): table["control_after"],
        "OR": _texts(table["odds_ratio"]), t("col.ci_lo"): _texts(table["ci_lo"]),
        t("col.ci_hi"): _texts(table["ci_hi"]),
        t("col.status"): [t(_STATUS.get(s, "status.ok")) if s in _STATUS else s for s in table["status"]]}),
        key="fr_table")
    for note in res.note_texts(lg):
        st.caption(note)
