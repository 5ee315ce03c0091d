"""Planning a trygghetsvandring from hot spots (the Planera vandring page's widgets): choose
hot-spot areas, see the proposed area and route (:func:`geo_trygghet.hotspots.explorer.propose_walk`,
drawn by :func:`geo_trygghet.maps.explorer.walk_plan_map`), create the walk in the remark
service, and hand out its join link and QR code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import streamlit as st

from .. import settings
from ..errors import GeoTrygghetError
from ..hotspots import explorer as E
from ..maps.explorer import stop_letter, walk_plan_map
from ..remarks.states import WALK_GROUPS
from . import links, state
from .compute import View, map_remarks
from .data import remark_service_or_error
from .explorer_widgets import show_map
from .formats import fmt_count, fmt_dec
from .i18n import lang, t

__all__ = ["LONG_WALK_M", "cluster_choice_label", "cluster_picker", "create_walk", "created_panel", "plan_map",
           "walk_form"]

#: A proposed route longer than this gets a warning (a walk takes 1-2 hours on foot).
LONG_WALK_M = 6000.0
K_CREATED = "pw_created"        # (title, join code) of the walk just created
K_CLUSTERS = "pw_clusters"


def cluster_choice_label(clusters: gpd.GeoDataFrame) -> dict[int, str]:
    """Cluster id → "Område 1 · 523 händelser · 4,2 ha" for the multiselect."""
    return {int(r.cluster_id): t("pw.cluster_label", id=int(r.cluster_id), count=fmt_count(r.count),
                                 ha=fmt_dec(r.area_m2 / 10_000))
            for r in clusters.itertuples()}


def cluster_picker(clusters: gpd.GeoDataFrame, where: Any) -> list[int]:
    """The hot-spot areas to walk through (kept across pages; first the busiest area and its
    near neighbours)."""
    labels = cluster_choice_label(clusters)
    kept = st.session_state.get("keep_" + K_CLUSTERS)
    if kept is None or any(i not in labels for i in kept):  # first visit, or the filters changed the areas
        kept = E.nearby_clusters(clusters)
    st.session_state[K_CLUSTERS] = kept
    ids = where.multiselect(t("pw.clusters"), list(labels), format_func=labels.get, key=K_CLUSTERS,
                            on_change=lambda: st.session_state.update({"keep_" + K_CLUSTERS:
                                                                       st.session_state[K_CLUSTERS]}),
                            placeholder=t("ui.choose"))
    st.session_state["keep_" + K_CLUSTERS] = ids
    return [int(i) for i in ids]


def plan_map(view: View, plan: E.WalkPlan) -> None:
    """The route in a line and the proposed area and route on the map."""
    st.markdown(t("pw.route", km=fmt_dec(plan.length_m / 1000), n=len(plan.cluster_order),
                  order=" → ".join(t("maps.route_stop_item", n=stop_letter(i), id=cid)
                                   for i, cid in enumerate(plan.cluster_order))))
    if plan.length_m > LONG_WALK_M:
        st.warning(t("pw.long", km=f"{plan.length_m / 1000:.0f}"))
    m = walk_plan_map(view.cells, view.clusters, plan, remarks=map_remarks(False), lang=lang())
    show_map(m, key="pw_map", height=480)


def create_walk(plan: E.WalkPlan, *, title: str, walk_date: dt.date | None, group: str | None,
                organiser: str | None) -> tuple[Any, str | None]:
    """Create the walk in the remark service with the plan's area; ``(walk, None)`` or ``(None, error)``."""
    service, problem = remark_service_or_error()
    if service is None:
        return None, t("service.missing", why=problem)
    try:
        walk = service.create_walk(state.actor(), title.strip(), area=plan.area_geojson(), walk_date=walk_date,
                                   group=group, organiser=(organiser or "").strip() or None)
    except GeoTrygghetError as exc:
        return None, t("pw.error", why=str(exc))
    return walk, None


def walk_form(plan: E.WalkPlan) -> None:
    """Name, date, group and organiser of the walk; creates it on submit."""
    with st.form("pw_form"):
        f1, f2 = st.columns(2)
        title = f1.text_input(t("pw.title"), value=t("pw.default_title", areas=", ".join(map(str, plan.cluster_order))),
                              key="pw_title", max_chars=120)
        walk_date = f2.date_input(t("pw.date"), value=settings.local_today() + dt.timedelta(days=14), key="pw_date",
                                  format="YYYY-MM-DD")
        f3, f4 = st.columns(2)
        group = f3.selectbox(t("pw.group"), WALK_GROUPS, index=WALK_GROUPS.index("blandad"), key="pw_group",
                             format_func=lambda g: t(f"group.{g}"))
        organiser = f4.text_input(t("pw.organiser"), key="pw_organiser", max_chars=120)
        submitted = st.form_submit_button(t("pw.submit"), type="primary", icon=":material/add_location_alt:")
    if not submitted:
        return
    if not title.strip():
        st.error(t("pw.title_missing"))
        return
    walk, problem = create_walk(plan, title=title, walk_date=walk_date, group=group, organiser=organiser)
    if problem:
        st.error(problem)
    else:
        st.session_state[K_CREATED] = (walk.title, walk.join_code)


def created_panel() -> None:
    """The walk just created: its code, the join link (``GEO_TRYGGHET_PUBLIC_URL``) and the QR code."""
    created = st.session_state.get(K_CREATED)
    if not created:
        return
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
