"""geo_trygghet's Streamlit app: routes each role to its pages (st.navigation).

Start it with ``geo-trygghet serve`` (or ``./scripts/start.sh``). Add a page by
writing ``geo_trygghet/ui/pages/<name>.py`` and one line in PAGES below.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

# The ingest package loads its modules on first use (a command line run reads its file meanwhile);
# the app loads them all here, once, so that pages run at the same time by several sessions never
# load them piecemeal in different orders, each thread waiting on a module lock the other holds.
import geo_trygghet.ingest.incidents  # noqa: F401 - loads the whole ingest package
from geo_trygghet.ui import auth, cookies, shell, state
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

#: Each page's stable address (``/aterkoppling`` can be linked from the kommun's website); a page
#: not listed is at its file's name. The start page is also the root address ``/``, which opens
#: the role's own start page (the last column of PAGES).
URLS = {"home.py": "home", "explorer.py": "hotspots", "lagesbild.py": "lagesbild",
        "plan_walk.py": "planera-vandring", "uppfoljning.py": "uppfoljning", "walk.py": "ny-anmarkning",
        "owner.py": "problemagare", "walks_admin.py": "vandringar", "admin.py": "administration",
        "public.py": "aterkoppling", "plan.py": "atgardsplan"}
HOME = "home.py"

#: On a phone the page headings would take half the screen (a problemägare's long name).
SHELL_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stHeading"] h1 { font-size: 1.8rem; }
  [data-testid="stHeading"] h2 { font-size: 1.5rem; }
  [data-testid="stHeading"] h3 { font-size: 1.25rem; }
}
</style>"""


def url_of(filename: str) -> str:
    return URLS.get(filename, Path(filename).stem)


def _page(row: tuple, *, default: bool = False) -> st.Page:
    return st.Page(f"geo_trygghet/ui/pages/{row[0]}", title=t(row[1]), icon=row[2], url_path=url_of(row[0]),
                   default=default)


def _gate(row: tuple) -> st.Page:
    """A page this role may not open, at its own address: the public gets the login form (and
    then the page), anyone else a line saying whose page it is."""
    def gate() -> None:
        shell.gate_page(t(row[1]))

    return st.Page(gate, title=t(row[1]), icon=row[2], url_path=url_of(row[0]), visibility="hidden")


#: Addresses that only forward to another page (filled while the navigation is built): a flash
#: waits for the page they forward to.
FORWARDING: set[str] = set()


def _alias(old: str, target: st.Page) -> st.Page:
    """An old address (the file's name) that forwards to the page's stable one."""
    def forward() -> None:
        st.switch_page(target)

    FORWARDING.add(old)
    return st.Page(forward, title=target.title, url_path=old, visibility="hidden")


def _to_start(target: st.Page | None) -> st.Page:
    """``/logga-in`` for someone signed in (the run right after a login too): the start page."""
    def forward() -> None:
        if target is not None:
            st.switch_page(target)

    FORWARDING.add("logga-in")
    return st.Page(forward, title=t("page.home"), url_path="logga-in", visibility="hidden")


def pages_for(role: str) -> tuple[dict[str, list], dict[str, st.Page]]:
    """The navigation of ``role``: section title -> pages (files that exist only), and the
    role's pages by file name. The start page (home) is the default, at ``/``."""
    sections: dict[str, list] = {}
    existing = [r for r in PAGES if (PAGES_DIR / r[0]).is_file()]
    by_file: dict[str, st.Page] = {}
    hidden: list[st.Page] = []
    for row in existing:
        if role in row[4]:
            by_file[row[0]] = _page(row, default=row[0] == HOME)
            sections.setdefault(t(row[3]), []).append(by_file[row[0]])
            if Path(row[0]).stem != url_of(row[0]):
                hidden.append(_alias(Path(row[0]).stem, by_file[row[0]]))
        else:
            hidden.append(_gate(row))
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
        hidden.append(_to_start(start_page(role, by_file) or by_file.get(HOME)))
    next(iter(sections.values())).extend(hidden)
    return sections, by_file


def start_page(role: str, pages: dict[str, st.Page]) -> st.Page | None:
    """The page ``role`` lands on from the root address (the last column of PAGES)."""
    return next((pages[r[0]] for r in PAGES if role in r[5] and r[0] in pages), None)


st.set_page_config(page_title=shell.product_name(), page_icon=":material/shield:", layout="wide")
LANG_COOKIE = "gt_lang"
state.init(lang=cookies.get(LANG_COOKIE))  # the language chosen before survives a reload
st.html(SHELL_CSS)
shell.close_menu_after_choice()
auth.join_from_query()
auth.restore()

sections, own_pages = pages_for(state.role())
# One section needs no header: give st.navigation the plain list. On a phone the menu (the
# sidebar, where Streamlit puts even its top navigation) closes once a page is chosen (shell.py).
navigation = st.navigation(next(iter(sections.values())) if len(sections) == 1 else sections)
# before anything is written to the page: a landing starts the run again, and a cookie written
# in the run it ends might never reach the browser
shell.land(navigation, own_pages.get(HOME), start_page(state.role(), own_pages))
st.set_page_config(page_title=shell.tab_title(navigation.title))

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

if navigation.url_path not in FORWARDING:  # "Välkommen, …" shows on the page a login lands on
    state.show_flash()
navigation.run()
