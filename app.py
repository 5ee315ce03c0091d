"""geo_trygghet's Streamlit app: routes each role to its pages (st.navigation).

Start it with ``geo-trygghet serve`` (or ``./scripts/start.sh``). Add a page by
writing ``geo_trygghet/ui/pages/<name>.py`` and one line in PAGES below.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo_trygghet.ui import auth, cookies, state
from geo_trygghet.ui.i18n import LANGUAGES, t

PUB, DEL, OWN, ANA, ADM = (state.PUBLIC, state.DELTAGARE, state.PROBLEMAGARE,
                           state.ANALYTIKER, state.ADMIN)
ALL = frozenset(state.ROLES)
STAFF = frozenset({ANA, ADM})

# One line per page: file in geo_trygghet/ui/pages, title (a catalogue key), icon,
# menu section (i18n key), roles that see it, roles for which it is the start page.
# The first page a role sees is its start page unless another line claims it.
PAGES: list[tuple] = [
    ("home.py", "page.home", ":material/home:", "section.start", ALL, frozenset()),
    ("explorer.py", "page.explorer", ":material/map:", "section.analysis", {PUB, ANA, ADM}, {ANA}),
    ("lagesbild.py", "label.situation_picture", ":material/analytics:", "section.analysis", STAFF, frozenset()),
    ("plan_walk.py", "page.plan_walk", ":material/route:", "section.analysis", STAFF, frozenset()),
    ("uppfoljning.py", "label.follow_up", ":material/compare_arrows:", "section.analysis", STAFF, frozenset()),
    ("plan.py", "ap.page.nav", ":material/checklist:", "section.analysis", STAFF, frozenset()),
    ("walk.py", "label.new_remark", ":material/add_location_alt:", "section.walk", {DEL}, {DEL}),
    ("owner.py", "ap.page.my_tasks", ":material/assignment:", "section.owner", {OWN}, {OWN}),
    ("walks_admin.py", "page.walks", ":material/directions_walk:", "section.walk", STAFF, {ADM}),
    ("admin.py", "page.admin", ":material/admin_panel_settings:", "section.admin", {ADM}, frozenset()),
    ("public.py", "page.public", ":material/campaign:", "section.start", ALL, frozenset()),
]

PAGES_DIR = Path(__file__).resolve().parent / "geo_trygghet" / "ui" / "pages"

#: On a phone the page headings would take half the screen (a problemägare's long name).
SHELL_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stHeading"] h1 { font-size: 1.8rem; }
  [data-testid="stHeading"] h2 { font-size: 1.5rem; }
  [data-testid="stHeading"] h3 { font-size: 1.25rem; }
}
</style>"""




def pages_for(role: str) -> dict[str, list]:
    """The navigation of ``role``: section title -> pages (files that exist only)."""
    sections: dict[str, list] = {}
    rows = [r for r in PAGES if role in r[4] and (PAGES_DIR / r[0]).is_file()]
    default = next((r for r in rows if role in r[5]), rows[0] if rows else None)
    for row in rows:
        page = st.Page(f"geo_trygghet/ui/pages/{row[0]}", title=t(row[1]), icon=row[2],
                       url_path=Path(row[0]).stem, default=row is default)
        sections.setdefault(t(row[3]), []).append(page)
    account = t("section.account")
    if role == PUB:
        sections.setdefault(t("section.start"), []).extend([
            st.Page(auth.join_page, title=t("page.join"), icon=":material/qr_code:",
                    url_path="ga-med"),
            st.Page(auth.login_page, title=t("page.login"), icon=":material/login:",
                    url_path="logga-in"),
        ])
    else:
        leave = t("join.leave") if role == DEL else t("page.logout")
        sections.setdefault(account, []).append(
            st.Page(auth.logout_page, title=leave, icon=":material/logout:", url_path="logga-ut"))
    return sections


st.set_page_config(page_title="geo_trygghet", page_icon=":material/shield:", layout="wide")
LANG_COOKIE = "gt_lang"
state.init(lang=cookies.get(LANG_COOKIE))  # the language chosen before survives a reload
st.html(SHELL_CSS)
auth.join_from_query()
auth.restore()

with st.sidebar:
    role = state.role()
    if role == DEL:
        st.caption(t("shell.walk_code", code=st.session_state.get(state.WALK_CODE)))
    elif role != PUB:
        who = getattr(state.actor(), "display_name", None) or st.session_state.get(state.USERNAME)
        st.caption(t("shell.signed_in_as", who=who, role=t("role." + role)))
    st.radio("Språk · Language", list(LANGUAGES), format_func=LANGUAGES.get, key=state.LANG,
             horizontal=True, on_change=lambda: cookies.put(LANG_COOKIE, st.session_state[state.LANG],
                                                            max_age_s=365 * 86400))
    cookies.flush()  # here, out of the page's way, and before the page runs (it may stop the script)

sections = pages_for(state.role())
# One section needs no header: give st.navigation the plain list.
navigation = st.navigation(next(iter(sections.values())) if len(sections) == 1 else sections)
state.show_flash()
navigation.run()
