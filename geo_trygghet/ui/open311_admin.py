"""The admin page's Open311 sections: partners' API keys, problemägare's own systems, the outbox.

A new key is shown once, right after it is made (kept in the session only until the page runs
again); the database holds only its hash. An organisation's own system gets its base URL, the key
it gave us (never shown again: an empty field keeps it), its jurisdiction and its service code for
each of our categories. The outbox lists the sends that failed, with the error and the next
attempt, and can send one again at the next ``remarks sync``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from ..remarks.categories import remark_categories
from . import state
from .i18n import lang, t
from .service_errors import swedish_error

_SHOWN_KEY = "o311_shown_key"
SCOPES = ("read", "read-write")


def _run(action: Callable[[], Any], message: str) -> None:
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - one line for the user
        st.error(swedish_error(exc))
    else:
        state.flash(message)
        st.rerun()


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def keys_section(service: Any, actor: Any) -> None:
    """The keys: listed (prefix, partner, scope, made, revoked), made (shown once) and revoked."""
    st.header(t("o311.ad.keys"))
    st.caption(t("o311.ad.keys_intro"))
    shown = st.session_state.pop(_SHOWN_KEY, None)
    if shown:
        st.success(t("o311.ad.key_shown", partner=shown[0]))
        st.code(shown[1], language=None)
    keys = service.list_api_keys(actor)
    scope_label = {s: t(f"o311.ad.scope.{s}") for s in SCOPES}
    st.dataframe(pd.DataFrame({t("o311.ad.prefix"): [k.prefix for k in keys],
                               t("o311.ad.partner"): [k.partner for k in keys],
                               t("o311.ad.scope"): [scope_label.get(k.scope, k.scope) for k in keys],
                               t("o311.ad.created"): [_when(k.created_at) for k in keys],
                               t("o311.ad.revoked"): [_when(k.revoked_at) for k in keys]}),
                 hide_index=True, width="stretch", key="o311_keys")
    new_col, revoke_col = st.columns(2)
    with new_col.expander(t("o311.ad.new_key"), icon=":material/key:"), st.form("o311_new_key", border=False):
        partner = st.text_input(t("o311.ad.partner"), key="o311_partner", placeholder="fixamingata")
        scope = st.selectbox(t("o311.ad.scope"), SCOPES, key="o311_scope", format_func=scope_label.get)
        if st.form_submit_button(t("o311.ad.create_key"), type="primary"):
            try:
                issued = service.create_api_key(actor, partner.strip(), scope)
            except Exception as exc:  # noqa: BLE001 - one line for the user
                st.error(swedish_error(exc))
            else:
                st.session_state[_SHOWN_KEY] = (issued.key.partner, issued.secret)
                st.rerun()
    active = [k for k in keys if k.active]
    if active:
        with revoke_col.expander(t("o311.ad.revoke"), icon=":material/key_off:"), st.form("o311_revoke", border=False):
            by_id = {k.id: k for k in active}
            chosen = st.selectbox(t("o311.ad.revoke_pick"), list(by_id), key="o311_revoke_pick",
                                  format_func=lambda i: f"{by_id[i].prefix}… · {by_id[i].partner}")
            if st.form_submit_button(t("o311.ad.revoke")):
                _run(lambda: service.revoke_api_key(actor, chosen), t("o311.ad.revoked_done"))


def endpoints_section(service: Any, actor: Any, orgs: list[Any]) -> None:
    """An organisation's own system: where its remarks are sent, and its service code per category."""
    st.header(t("o311.ad.endpoints"))
    st.caption(t("o311.ad.endpoints_intro"))
    endpoints = {e.organisation_id: e for e in service.list_endpoints(actor)}
    if endpoints:
        st.dataframe(pd.DataFrame({
            t("o311.ad.org"): [e.organisation_name for e in endpoints.values()],
            t("o311.ad.url"): [e.base_url for e in endpoints.values()],
            t("o311.ad.enabled"): [e.enabled for e in endpoints.values()],
            t("o311.ad.codes"): [", ".join(f"{k} → {v}" for k, v in e.service_codes.items())
                                 for e in endpoints.values()]}), hide_index=True, width="stretch", key="o311_ends")
    if not orgs:
        return
    by_id = {o.id: o for o in orgs}
    oid = st.selectbox(t("o311.ad.org"), list(by_id), key="o311_end_org", format_func=lambda i: by_id[i].name)
    current = endpoints.get(oid)
    cats = remark_categories()
    with st.form(f"o311_end_{oid}", border=False):
        url = st.text_input(t("o311.ad.url"), value=current.base_url if current else "", key=f"o311_url_{oid}",
                            placeholder="https://felanmalan.kommun.se/open311/v2")
        key = st.text_input(t("o311.ad.their_key"), type="password", key=f"o311_their_{oid}",
                            help=t("o311.ad.their_key_keep"))
        jurisdiction = st.text_input(t("o311.ad.jurisdiction"), key=f"o311_jur_{oid}",
                                     value=(current.jurisdiction_id or "") if current else "")
        st.caption(t("o311.ad.codes"))
        codes = {}
        columns = st.columns(3)
        for i, (slug, cat) in enumerate(cats.items()):
            codes[slug] = columns[i % 3].text_input(cat.label(lang()), key=f"o311_code_{oid}_{slug}",
                                                    value=(current.service_codes.get(slug, "") if current else ""))
        enabled = st.checkbox(t("o311.ad.enabled"), value=current.enabled if current else True,
                              key=f"o311_on_{oid}")
        if st.form_submit_button(t("o311.ad.save_endpoint"), type="primary"):
            def save() -> None:
                service.set_endpoint(actor, oid, url, api_key=key or None, jurisdiction_id=jurisdiction,
                                     service_codes=codes, enabled=enabled)
                st.session_state.pop(f"o311_their_{oid}", None)  # their key is not shown again

            _run(save, t("o311.ad.saved"))


def outbox_section(service: Any, actor: Any) -> None:
    """The sends that failed: which remark, where, how often, the error, the next attempt."""
    st.header(t("o311.ad.outbox"))
    failing = service.open311_outbox(actor, failing=True)
    if not failing:
        st.caption(t("o311.ad.outbox_empty"))
        return
    st.dataframe(pd.DataFrame({
        t("o311.ad.remark"): [f"{e.remark_title} · {e.remark_number}" for e in failing],
        t("o311.ad.org"): [e.organisation_name for e in failing],
        t("o311.ad.status"): [t(f"o311.ad.status.{e.status}") for e in failing],
        t("o311.ad.attempts"): [e.attempts for e in failing],
        t("o311.ad.next"): [_when(e.next_attempt_at) for e in failing],
        t("o311.ad.error"): [e.last_error or "" for e in failing]}), hide_index=True, width="stretch",
        key="o311_outbox")
    waiting = {e.id: e for e in failing if e.status == "pending"}
    if waiting:
        with st.form("o311_retry", border=False):
            chosen = st.selectbox(t("o311.ad.remark"), list(waiting), key="o311_retry_pick",
                                  format_func=lambda i: f"{waiting[i].remark_title} · {waiting[i].remark_number} → "
                                                        f"{waiting[i].organisation_name}")
            if st.form_submit_button(t("o311.ad.retry")):
                _run(lambda: service.retry_open311_send(actor, chosen), t("o311.ad.saved"))


__all__ = ["endpoints_section", "keys_section", "outbox_section"]
