"""AppTest of the trygghetsvandring pages through app.py, per role: the participant's
walk page (deltagare: it forwards to the phone form), the problemägare page, the walks page (analytiker/admin), the
admin page and the public feedback page, on a fresh SQLite remark database."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo_trygghet.settings import local_today

REPO = Path(__file__).resolve().parents[1]
ACCOUNTS = {"admin": ("admin", "admin-losen-2025"), "analytiker": ("anna", "analys-losen-2025"),
            "problemagare": ("gata", "gata-losen-2025"), "bo": ("bo", "bo-losen-2025")}
XSS = "<img src=x onerror=alert(1)> **fet** <script>alert(1)</script>"
TOWN = (16.19615, 58.99215)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from geo_trygghet.remarks import Actor, RemarkService, open_store

    tmp = tmp_path_factory.mktemp("walk_pages")
    url = f"sqlite:///{tmp / 'app.sqlite'}"
    service = RemarkService(open_store(url))
    system = Actor.system()
    gata = service.create_organisation(system, "Gatukontoret", email="gata@example.se", categories=["belysning"])
    bostad = service.create_organisation(system, "Bostadsbolaget", email="bo@example.se", categories=["klotter"])
    for key, (username, password) in ACCOUNTS.items():
        role = "problemagare" if key in ("problemagare", "bo") else key
        org = bostad.id if key == "bo" else gata.id if key == "problemagare" else None
        service.create_user(system, username, password, role, display_name=username.title(), organisation_id=org)
    walk = service.create_walk(system, "Centrum kvällsvandring", walk_date="2025-10-02", group="blandad")
    other = service.create_walk(system, "Norra vandringen", walk_date="2025-10-09", group="unga")
    p = Actor.participant(walk.join_code)
    lamp = service.submit_remark(p, walk, str(uuid.UUID(int=11)), "belysning", "Trasig lampa vid Åvägen 37",
                                 lon=TOWN[0], lat=TOWN[1], reporter_name="Kalle Reporter")
    graffiti = service.submit_remark(p, walk, str(uuid.UUID(int=12)), "klotter", XSS,
                                     lon=TOWN[0] + 0.002, lat=TOWN[1] + 0.001)
    service.submit_remark(Actor.participant(other.join_code), other, str(uuid.UUID(int=13)), "nedskrapning",
                          "Skräp i norr", lon=TOWN[0], lat=TOWN[1] + 0.02)
    service.assign(system, lamp.id, gata.id)
    service.assign(system, graffiti.id, bostad.id)
    saved = os.environ.get("GEO_TRYGGHET_DATABASE_URL")
    os.environ["GEO_TRYGGHET_DATABASE_URL"] = url
    actors = {k: service.login(*ACCOUNTS[k]) for k in ACCOUNTS}
    try:
        yield {"service": service, "walk": walk, "other": other, "actors": actors, "lamp": lamp,
               "graffiti": graffiti, "orgs": {"gata": gata, "bostad": bostad}}
    finally:
        if saved is None:
            os.environ.pop("GEO_TRYGGHET_DATABASE_URL", None)
        else:
            os.environ["GEO_TRYGGHET_DATABASE_URL"] = saved
        service.close()


def open_page(env, role: str, page: str | None, *, actor=None, code: str | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.session_state["role"] = role
    if role == "deltagare":
        at.session_state["walk_code"] = code or env["walk"].join_code
    else:
        at.session_state["actor"] = actor if actor is not None else env["actors"].get(role)
    at.run()
    if page:
        at.switch_page(f"geo_trygghet/ui/pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    return "\n".join(str(p) for p in parts)


# --------------------------------------------------------------------------- deltagare
# The participant's form is the offline phone form at /walk/ (tests/test_api.py,
# tests/browser/test_walk_phone.py, tests/browser/test_walk_offline.py); the app only forwards there.
def test_participant_page_forwards_to_the_phone_form(env):
    code = env["walk"].join_code
    at = open_page(env, "deltagare", None)
    form = f"http://localhost:8501/walk/?kod={code}"
    refresh = [m.value for m in at.markdown if 'http-equiv="refresh"' in m.value]
    assert refresh == [f'<meta http-equiv="refresh" content="0; url={form}">']
    assert [b.proto.url for b in at.get("link_button")] == [form]
    assert "wr_send" not in [b.key for b in at.button]  # no Streamlit remark form any more


# --------------------------------------------------------------------------- problemägare
def test_owner_sees_only_its_organisation_and_plans_then_fixes(env):
    at = open_page(env, "problemagare", "owner")
    listed = page_text(at)
    assert "Trasig lampa vid Åvägen 37" in listed
    assert "onerror" not in listed  # the graffiti remark belongs to Bostadsbolaget
    assert at.selectbox(key="ow_pick").options == [(f"{env['lamp'].ref} · Centrum kvällsvandring · Belysning · "
                                                   "Tilldelad · Trasig lampa vid Åvägen 37")]
    at.text_input(key=f"ow_date_planerad_{env['lamp'].id}").set_value("2025-11-01")
    at.get("form")
    at.button[[b.label for b in at.button].index("Spara")].click().run()
    assert not at.exception, at.exception
    from geo_trygghet.remarks import Actor

    lamp = env["service"].get_remark(Actor.system(), env["lamp"].id)
    assert lamp.state == "planerad" and str(lamp.planned_date) == "2025-11-01"

    other = open_page(env, "problemagare", "owner", actor=env["actors"]["bo"])
    assert "Trasig lampa" not in page_text(other) and "onerror" in page_text(other)


def test_owner_date_belongs_to_the_remark_not_the_form(env):
    """A date typed for one remark is not offered for the next one picked (it would be saved
    on the wrong remark with one click)."""

    from geo_trygghet.remarks import Actor

    service = env["service"]
    second = service.submit_remark(Actor.participant(env["walk"].join_code), env["walk"], str(uuid.UUID(int=14)),
                                   "klotter", "Klotter på elskåpet", lon=TOWN[0] + 0.003, lat=TOWN[1])
    service.assign(Actor.system(), second.id, env["orgs"]["bostad"].id)
    at = open_page(env, "problemagare", "owner", actor=env["actors"]["bo"])
    at.selectbox(key="ow_pick").set_value(env["graffiti"].id).run()
    at.text_input(key=f"ow_date_planerad_{env['graffiti'].id}").set_value("2026-01-15").run()
    at.selectbox(key="ow_pick").set_value(second.id).run()
    assert not at.exception, at.exception
    assert at.text_input(key=f"ow_date_planerad_{second.id}").value == local_today().isoformat()
    assert "2026-01-15" not in [d.value for d in at.text_input]


# --------------------------------------------------------------------------- staff
@pytest.mark.parametrize("role", ["analytiker", "admin"])
def test_walks_page_shows_code_qr_and_assigns_with_suggestion(env, role):
    at = open_page(env, role, "walks_admin")
    at.selectbox(key="wa_pick").set_value(env["walk"].id).run()
    assert env["walk"].join_code in [m.value for m in at.metric]
    assert any(f"kod={env['walk'].join_code}" in (ti.value or "") for ti in at.text_input)
    assert len(at.get("image")) == 1  # the QR code
    assert "Kalle Reporter" not in page_text(at) or role in ("admin", "analytiker")


def test_walks_page_close_and_follow_up(env):
    from geo_trygghet.remarks import Actor

    service, system = env["service"], Actor.system()
    walk = service.create_walk(system, "Uppföljningsvandring", walk_date="2025-10-20")
    r = service.submit_remark(Actor.participant(walk.join_code), walk, str(uuid.uuid4()), "belysning", "Lampa",
                              lon=TOWN[0] + 0.01, lat=TOWN[1])
    at = open_page(env, "analytiker", "walks_admin")
    at.selectbox(key="wa_pick").set_value(walk.id).run()
    at.button(key=f"wa_assign_{walk.id}_go").click().run()  # the suggested owner (Gatukontoret: belysning)
    assert not at.exception, at.exception
    assert service.get_remark(system, r.id).owner_name == "Gatukontoret"
    # the assigned remark stays in the table with its owner, unticked: a second click changes nothing
    at.run()
    table = next(d for d in at.dataframe if d.key == f"wa_assign_{walk.id}")
    assert table.value["Problemägare"].tolist() == ["Gatukontoret"] and not table.value["Tilldela"].any()
    events = len(service.history(system, r.id))
    at.button(key=f"wa_assign_{walk.id}_go").click().run()
    assert len(service.history(system, r.id)) == events
    assert "Ingen ändring: bocka i de rader som ska tilldelas." in [i.value for i in at.info]
    service.mark_fixed(env["actors"]["problemagare"], r.id, "2025-10-25")
    at.button(key="wa_close").click().run()
    assert service.get_walk(walk.id).state == "genomford"
    at.run()
    assert f"wa_follow_{walk.id}" in [d.key for d in at.dataframe], "the follow-up table is missing"
    at.button(key=f"wa_follow_{walk.id}_go").click().run()  # nothing chosen: nothing changes
    assert service.get_remark(system, r.id).state == "atgardad"
    service.verify(system, r.id)
    at.run()
    assert f"wa_follow_{walk.id}" not in [d.key for d in at.dataframe]


def test_admin_page_lists_and_creates_an_organisation(env):
    at = open_page(env, "admin", "admin")
    assert "Gatukontoret" in page_text(at)
    at.text_input(key="ad_org_name").set_value("Trafikverket")
    at.multiselect(key="ad_org_cats").set_value(["trafik"])
    at.button[[b.label for b in at.button].index("Skapa")].click().run()
    assert not at.exception, at.exception
    names = {o.name: o for o in env["service"].list_organisations()}
    assert names["Trafikverket"].categories == ("trafik",)


def test_owner_cannot_open_staff_pages(env):
    at = open_page(env, "problemagare", None)
    # the staff pages keep their addresses (they say whose page it is), but no page file runs
    files = [Path(str(p["script_path"])).name for p in at._registered_pages.values() if p.get("script_path")]
    assert "walks_admin.py" not in files and "admin.py" not in files
    assert "owner.py" in files


# --------------------------------------------------------------------------- public
def test_public_page_aggregates_without_names_or_photos(env):
    at = open_page(env, "public", "public")
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Anmärkningar"]) >= 3
    text = page_text(at)
    assert "Kalle Reporter" not in text
    assert "Trasig lampa" not in text  # open remarks: counted, not quoted
    assert not at.get("image")


def test_protocol_download_and_reminders(env, monkeypatch):
    import datetime as dt

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    from geo_trygghet.remarks import Actor

    service, system = env["service"], Actor.system()
    walk = service.create_walk(system, "Protokollvandring", walk_date="2025-08-01")
    long_ago = local_today() - dt.timedelta(days=60)
    # back-dated from its creation on (a change is never dated before the remark's last event)
    r = service.submit_remark(system, walk, str(uuid.uuid4()), "belysning", "Mörk gångväg <b>här</b>",
                              lon=TOWN[0] - 0.01, lat=TOWN[1], created_at=long_ago)
    service.assign(system, r.id, env["orgs"]["gata"].id, at=long_ago)
    assert service.get_remark(system, r.id).assigned_at.date() == long_ago
    for name in ("HOST", "PORT", "SENDER"):
        monkeypatch.delenv(f"GEO_TRYGGHET_SMTP_{name}", raising=False)
    at = open_page(env, "analytiker", "walks_admin")
    at.selectbox(key="wa_pick").set_value(walk.id).run()
    at.button(key="wa_protocol").click().run()
    assert not at.exception, at.exception
    html_doc = at.session_state["wa_proto"][2]
    assert "Mörk gångväg &lt;b&gt;här&lt;/b&gt;" in html_doc and "<b>här</b>" not in html_doc
    assert at.session_state["wa_proto"][3][:5] == b"%PDF-"
    assert "Mörk gångväg <b>här</b>" in page_text(at)  # the overdue list (plain text cells)

    at.button(key="wa_remind").click().run()
    assert next(w.value for w in at.warning).startswith("E-post är inte inställt")

    received = []

    class Keep(Sink):
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("GEO_TRYGGHET_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("GEO_TRYGGHET_SMTP_PORT", str(port))
        monkeypatch.setenv("GEO_TRYGGHET_SMTP_SENDER", "trygghet@kommun.example")
        at.button(key="wa_remind").click().run()
    finally:
        controller.stop()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] and at.success[-1].value.endswith("påminnelser skickade.")
    assert received and "gata@example.se" in received[0].rcpt_tos


@pytest.mark.parametrize(("role", "page", "heading"), [
    ("deltagare", None, "New remark"),
    ("problemagare", "owner", "Remarks for Gatukontoret"),
    ("admin", "walks_admin", "Safety walks"),
    ("admin", "admin", "Organisations (problem owners)"),
    ("public", "public", "Feedback: what did the walks find and what has been fixed?"),
])
def test_pages_in_english(env, role, page, heading):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["role"] = role
    if role == "deltagare":
        at.session_state["walk_code"] = env["walk"].join_code
    else:
        at.session_state["actor"] = env["actors"].get(role)
    at.run()
    if page:
        at.switch_page(f"geo_trygghet/ui/pages/{page}.py").run()
    assert not at.exception, at.exception
    shown = [m.value for m in at.markdown] + [h.value for h in at.header] + [h.value for h in at.subheader]
    assert heading in shown


@pytest.mark.parametrize(("make", "said"), [
    (lambda s, a: s.create_organisation(a, "  "), "Ge organisationen ett namn."),
    (lambda s, a: s.create_organisation(a, "Gatukontoret"), "Det finns redan en organisation som heter Gatukontoret."),
    (lambda s, a: s.create_organisation(a, "Ny förvaltning", email="inte-en-epost"),
     "E-postadressen inte-en-epost ser inte rätt ut: skriv den som namn@kommun.se."),
    (lambda s, a: s.create_user(a, "", "lösenord-123", "analytiker"), "Ange ett användarnamn."),
    (lambda s, a: s.create_user(a, "ny", "kort", "analytiker"), "Lösenordet är för kort: minst 8 tecken."),
    (lambda s, a: s.create_user(a, "ny", "lösenord-123", "problemagare"),
     "En problemägare hör till en organisation: välj vilken."),
    (lambda s, a: s.create_walk(a, ""), "Ge vandringen ett namn, t.ex. ”Centrum kväll 2025-10-02”."),
])
def test_staff_form_errors_are_said_in_swedish(env, make, said):
    """The service's one-liners reach an admin's form as Swedish sentences, not developer English."""
    from geo_trygghet.errors import GeoTrygghetError
    from geo_trygghet.remarks import Actor
    from geo_trygghet.ui.service_errors import swedish_error

    with pytest.raises(GeoTrygghetError) as err:
        make(env["service"], Actor.system())
    assert swedish_error(err.value) == said


# --------------------------------------------------------------------------- controls that say their state (issue 9)
def test_assign_table_says_honestly_what_is_ticked_and_never_none(env):
    """The walks table showed a raw "None" under Problemägare and said new remarks were
    pre-ticked when none were; its Planerat column was cut to "2025-04-3"."""
    import datetime as dt

    from geo_trygghet.remarks import Actor

    service, system = env["service"], Actor.system()
    walk = service.create_walk(system, "Vandring med och utan förslag", walk_date="2025-10-21")
    p = Actor.participant(walk.join_code)
    service.submit_remark(p, walk, str(uuid.uuid4()), "belysning", "Mörkt", lon=TOWN[0] + 0.01, lat=TOWN[1])
    service.submit_remark(p, walk, str(uuid.uuid4()), "trygg_plats", "Fint torg", lon=TOWN[0] + 0.011, lat=TOWN[1])
    planned = service.submit_remark(p, walk, str(uuid.uuid4()), "belysning", "Lampa", lon=TOWN[0], lat=TOWN[1])
    service.assign(system, planned.id, env["orgs"]["gata"].id)
    service.plan(system, planned.id, dt.date(2025, 4, 30))
    at = open_page(env, "analytiker", "walks_admin")
    at.selectbox(key="wa_pick").set_value(walk.id).run()
    assert not at.exception, at.exception
    table = next(d for d in at.dataframe if d.key == f"wa_assign_{walk.id}")
    owners = table.value["Problemägare"].tolist()
    assert None not in owners and "None" not in owners
    assert "Välj problemägare …" in owners and "Gatukontoret" in owners
    ticked = dict(zip(table.value["Anmärkning"], table.value["Tilldela"], strict=True))
    assert ticked["Mörkt"] and not ticked["Fint torg"]
    help_text = " ".join(c.value for c in at.caption)
    assert "1 av 2 nya anmärkningar har ett förslag och är förbockad" in help_text, help_text
    # the walk's list: dates whole (a column wide enough for 2025-04-30), overdue in words
    listing = next(d for d in at.dataframe if "Planerat" in d.value.columns)  # the walk's list, first
    assert "2025-04-30" in listing.value["Planerat"].tolist()
    widths = {c: cfg.get("width") for c, cfg in json.loads(listing.proto.columns).items()}
    assert widths["Planerat"] >= 90, widths
    assert set(listing.value["Försenad"]) <= {"", "Försenad"}
    # the row without a suggestion is not assigned when the button is pressed
    at.button(key=f"wa_assign_{walk.id}_go").click().run()
    assert not at.exception, at.exception
    states_now = {r.text: r.state for r in service.list_remarks(system, walk=walk.id)}
    assert states_now["Mörkt"] == "tilldelad" and states_now["Fint torg"] == "ny"


def test_owner_date_is_typed_and_checked(env):
    """Dates are typed as YYYY-MM-DD (Streamlit's picker spoke English with Sunday first in an
    English browser); a date that is no date is said under the field and not saved."""
    from geo_trygghet.remarks import Actor

    at = open_page(env, "problemagare", "owner", actor=env["actors"]["bo"])
    rid = at.selectbox(key="ow_pick").value
    before = env["service"].get_remark(Actor.system(), rid).state
    field = at.text_input(key=f"ow_date_planerad_{rid}")
    assert field.placeholder == "ÅÅÅÅ-MM-DD"
    field.set_value("2026-02-30")
    at.button[[b.label for b in at.button].index("Spara")].click().run()
    assert not at.exception, at.exception
    assert any("ÅÅÅÅ-MM-DD" in e.value for e in at.error)
    assert env["service"].get_remark(Actor.system(), rid).state == before
    at.text_input(key=f"ow_date_planerad_{rid}").set_value("2026-3-2")
    at.button[[b.label for b in at.button].index("Spara")].click().run()
    assert not at.exception, at.exception
    assert str(env["service"].get_remark(Actor.system(), rid).planned_date) == "2026-03-02"
