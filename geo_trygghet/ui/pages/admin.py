"""Admin: organisations (problemägare) with their categories and e-mail, user accounts, and Open311:
partners' API keys, problemägare's own systems and the outbox to them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo_trygghet.remarks.categories import remark_categories
from geo_trygghet.remarks.states import ACCOUNT_ROLES, role_label
from geo_trygghet.ui import open311_admin, state
from geo_trygghet.ui import remark_display as D
from geo_trygghet.ui.data import remark_service_or_error
from geo_trygghet.ui.i18n import lang, t
from geo_trygghet.ui.service_errors import swedish_error

service, problem = remark_service_or_error()
actor = state.actor()
if service is None or actor is None:
    st.error(t("service.missing", why=problem) if service is None else t("login.failed"))
    st.stop()
cats = remark_categories()
cat_label = D.labeller({s: c.label(lang()) for s, c in cats.items()})


def _run(action, message: str) -> None:  # type: ignore[no-untyped-def]
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - one line for the user
        st.error(swedish_error(exc))
    else:
        state.flash(message)
        st.rerun()


st.header(t("ad.orgs"))
orgs = service.list_organisations(actor)
st.dataframe(pd.DataFrame({t("ad.name"): [o.name for o in orgs], t("ad.kind"): [o.kind or "" for o in orgs],
                           t("ad.email"): [o.email or "" for o in orgs],
                           t("ad.cats"): [", ".join(cat_label(c) for c in o.categories) for o in orgs]}),
             hide_index=True, width="stretch", key="ad_orgs")
new_col, edit_col = st.columns(2)
with new_col.expander(t("ad.new_org"), icon=":material/add:"), st.form("ad_new_org", border=False):
    name = st.text_input(t("ad.name"), key="ad_org_name")
    kind = st.text_input(t("ad.kind"), key="ad_org_kind", placeholder="kommun förvaltning, fastighetsbolag …")
    email = st.text_input(t("ad.email"), key="ad_org_email")
    chosen = st.multiselect(t("ad.cats"), list(cats), key="ad_org_cats", format_func=cat_label,
                            placeholder=t("ui.choose"))
    area = st.file_uploader(t("ad.area"), type=["geojson", "json"], key="ad_org_area")
    if st.form_submit_button(t("ad.create"), type="primary"):
        _run(lambda: service.create_organisation(
            actor, name.strip(), kind=kind.strip() or None, email=email.strip() or None, categories=chosen,
            area=area.getvalue().decode("utf-8") if area else None), t("ad.saved"))
if orgs:
    with edit_col.expander(t("ad.edit_org"), icon=":material/edit:"):
        by_id = {o.id: o for o in orgs}
        oid = st.selectbox(t("ad.name"), list(by_id), key="ad_edit_pick", format_func=lambda i: by_id[i].name)
        with st.form(f"ad_edit_{oid}", border=False):
            email = st.text_input(t("ad.email"), value=by_id[oid].email or "", key=f"ad_edit_email_{oid}")
            chosen = st.multiselect(t("ad.cats"), list(cats), default=[c for c in by_id[oid].categories if c in cats],
                                    key=f"ad_edit_cats_{oid}", format_func=cat_label, placeholder=t("ui.choose"))
            if st.form_submit_button(t("ad.save"), type="primary"):
                _run(lambda: service.update_organisation(actor, oid, email=email.strip() or None,
                                                         categories=chosen), t("ad.saved"))

st.header(t("ad.users"))
users = service.list_users(actor)
org_names = {o.id: o.name for o in orgs}
st.dataframe(pd.DataFrame({t("ad.username"): [u.username for u in users],
                           t("ad.display"): [u.display_name or "" for u in users],
                           t("ad.role"): [role_label(u.role, lang()) for u in users],
                           t("ad.org"): [org_names.get(u.organisation_id, "") for u in users],
                           t("ad.email"): [u.email or "" for u in users]}),
             hide_index=True, width="stretch", key="ad_users")
with st.expander(t("ad.new_user"), icon=":material/person_add:"), st.form("ad_new_user", border=False):
    c1, c2, c3 = st.columns(3)
    username = c1.text_input(t("ad.username"), key="ad_user_name")
    display = c2.text_input(t("ad.display"), key="ad_user_display")
    password = c3.text_input(t("ad.password"), type="password", key="ad_user_password")
    role = c1.selectbox(t("ad.role"), list(ACCOUNT_ROLES), key="ad_user_role",
                        format_func=D.labeller({r: role_label(r, lang()) for r in ACCOUNT_ROLES}))
    org = c2.selectbox(t("ad.org"), [None, *org_names], key="ad_user_org",
                       format_func=D.labeller({None: "–", **org_names}))
    email = c3.text_input(t("ad.email"), key="ad_user_email")
    if st.form_submit_button(t("ad.create"), type="primary"):
        _run(lambda: service.create_user(actor, username.strip(), password, role, display_name=display.strip() or None,
                                         organisation_id=org, email=email.strip() or None), t("ad.saved"))

open311_admin.keys_section(service, actor)
open311_admin.endpoints_section(service, actor, orgs)
open311_admin.outbox_section(service, actor)
