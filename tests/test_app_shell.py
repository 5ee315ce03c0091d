"""The app shell under Streamlit's AppTest: navigation per role, language, join link."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "app.py"
PAGES_DIR = REPO / "geo_trygghet" / "ui" / "pages"
HOME = PAGES_DIR / "home.py"
ROLES = ("public", "deltagare", "problemagare", "analytiker", "admin")


def _table() -> list[tuple[str, set[str]]]:
    """app.py's PAGES table as (file, roles), read with ast (app.py is a script, not imported)."""
    source = APP.read_text(encoding="utf-8")
    names = {"PUB": {"public"}, "DEL": {"deltagare"}, "OWN": {"problemagare"},
             "ANA": {"analytiker"}, "ADM": {"admin"}, "ALL": set(ROLES),
             "STAFF": {"analytiker", "admin"}}
    for node in ast.parse(source).body:
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id == "PAGES":
            rows = []
            for elt in node.value.elts:
                filename = elt.elts[0].value
                roles_src = ast.unparse(elt.elts[4])
                roles = set().union(*(v for k, v in names.items() if re.search(rf"\b{k}\b", roles_src)))
                assert roles, f"cannot read the roles of {filename} in app.py: {roles_src}"
                rows.append((filename, roles))
            return rows
    raise AssertionError("app.py has no PAGES table")


def _run(role: str | None = None, lang: str | None = None, query: dict | None = None,
         monkeypatch: pytest.MonkeyPatch | None = None) -> AppTest:
    """Run app.py on the start page (home.py; other pages have their own tests)."""
    from geo_trygghet.remarks import Actor

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page(str(HOME))
    if role is not None:
        at.session_state["role"] = role
    if role == "deltagare":
        at.session_state["walk_code"] = "K7QX3M"
        at.session_state["actor"] = Actor.participant("K7QX3M")
    elif role not in (None, "public"):
        at.session_state["actor"] = Actor(kind="user", role=role, user_id=1, username="test",
                                          organisation_id=1 if role == "problemagare" else None,
                                          display_name="Testa Testsson")
        at.session_state["username"] = "test"
    if lang is not None:
        at.session_state["lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def _nav_titles(at: AppTest) -> list[str]:
    pages = at._registered_pages
    return [str(info.get("page_name")) for info in pages.values()]


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'shell.sqlite'}"
    monkeypatch.setenv("GEO_TRYGGHET_DATABASE_URL", url)
    return url


def test_every_page_in_the_table_exists():
    rows = _table()
    assert rows, "PAGES is empty"
    for filename, _roles in rows:
        assert (PAGES_DIR / filename).is_file(), f"app.py lists {filename}, which is missing"


def test_public_start_page_in_swedish():
    at = _run()
    assert not at.exception, at.exception
    titles = _nav_titles(at)
    assert titles[:1] == ["Start"]
    assert "Logga in" in titles and "Gå med i en vandring" in titles
    assert "Logga ut" not in titles
    assert at.session_state["role"] == "public"
    assert any("Vad kan jag göra här?" in s.value for s in at.subheader)
    assert at.text_input(key="home_join_code").label == "Vandringskod"


def test_language_switch_to_english():
    at = _run()
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert any("What can I do here?" in s.value for s in at.subheader)
    assert "Log in" in _nav_titles(at)
    at.run()  # the choice stays on the next run
    assert at.session_state["lang"] == "en"
    assert "Log in" in _nav_titles(at)


@pytest.mark.parametrize("role", ROLES[1:])
def test_each_role_gets_its_navigation(role):
    at = _run(role)
    assert not at.exception, at.exception
    titles = _nav_titles(at)
    assert "Start" in titles
    assert "Logga in" not in titles and "Gå med i en vandring" not in titles
    assert ("Lämna vandringen" if role == "deltagare" else "Logga ut") in titles
    sidebar_text = " ".join(c.value for c in at.sidebar.caption)
    if role == "deltagare":
        assert "K7QX3M" in sidebar_text
        assert any("K7QX3M" in i.value for i in at.info)  # the start page for participants
    else:
        assert "Inloggad som Testa Testsson" in sidebar_text
        assert any(m.value.startswith("Som ") for m in at.markdown)  # the role's start page


@pytest.mark.parametrize("role", ROLES)
def test_roles_see_only_their_pages(role):
    """A page of the table appears for exactly the roles its line names."""
    at = _run(role)
    assert not at.exception, at.exception
    registered = {Path(str(info["script_path"])).name
                  for info in at._registered_pages.values()
                  if info.get("script_path")}
    for filename, allowed in _table():
        assert (filename in registered) == (role in allowed), (filename, role, sorted(registered))


@pytest.mark.parametrize("role", ROLES)
def test_unknown_or_injected_role_never_crashes(role):
    at = _run(role, lang="en")
    assert not at.exception, at.exception
    assert not _errors(at)


def _forwarded_to(at: AppTest) -> list[str]:
    """Where the page sends the browser: the phone form's links (meta refresh and button)."""
    refresh = [m.value.split("url=", 1)[1].split('"')[0] for m in at.markdown if 'http-equiv="refresh"' in m.value]
    buttons = [b.proto.url for b in at.get("link_button")]
    return refresh + buttons


def test_join_link_forwards_to_the_phone_form(sqlite_url):
    """A join link that reaches the app (the server redirects /?kod= itself) opens the phone form."""
    from geo_trygghet.remarks import Actor, RemarkService, open_store

    service = RemarkService(open_store(sqlite_url))
    walk = service.create_walk(Actor.system(), "Stationsområdet", walk_date="2025-09-18")
    service.close()

    at = _run(query={"kod": walk.join_code.lower()})
    assert not at.exception, at.exception
    form = f"http://localhost:8501/walk/?kod={walk.join_code}"
    assert _forwarded_to(at) == [form, form]
    assert at.session_state["role"] == "public"  # the phone form keeps the code, not the app
    assert "kod" not in at.query_params
    assert any("Stationsområdet" in s.value for s in at.success)


def test_join_link_with_unknown_code_stays_public(sqlite_url):
    at = _run(query={"kod": "QQQQQQ"})
    assert not at.exception, at.exception
    assert at.session_state["role"] == "public"
    assert any("QQQQQQ" in e for e in _errors(at))


def test_join_form_on_the_start_page(sqlite_url):
    from geo_trygghet.remarks import Actor, RemarkService, open_store

    service = RemarkService(open_store(sqlite_url))
    walk = service.create_walk(Actor.system(), "Parken", walk_date="2025-09-18")
    service.close()

    at = _run()
    at.text_input(key="home_join_code").input("fel123")
    at.button[0].click().run()
    assert at.session_state["role"] == "public"
    assert any("FEL123" in e for e in _errors(at))
    assert not _forwarded_to(at)
    at.text_input(key="home_join_code").input(walk.join_code)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert _forwarded_to(at) == [f"http://localhost:8501/walk/?kod={walk.join_code}"] * 2


def test_i18n_falls_back_and_formats():
    from geo_trygghet.ui import i18n

    assert i18n.t("no.such.key") == "no.such.key"
    assert i18n.t("join.unknown", code="X1").startswith("Ingen vandring har koden X1")
    assert not hasattr(i18n, "add"), "texts belong in geo_trygghet/i18n/catalogue, not added at import"
