"""The admin page's Open311 sections under AppTest (SQLite): a partner's key made and shown once,
revoked; an organisation's own system set with its service codes; the failed sends listed; and the
``geo-trygghet apikey create|list|revoke`` commands."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo_trygghet.cli import main
from geo_trygghet.remarks import Actor, RemarkService
from geo_trygghet.remarks.open311 import sync_endpoints
from tests._open311 import OPEN311_ENV, new_id

REPO = Path(__file__).resolve().parents[1]
ADMIN = Actor.system()


@pytest.fixture
def env(tmp_path, monkeypatch):
    for name in OPEN311_ENV:
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'admin.sqlite'}"
    monkeypatch.setenv("GEO_TRYGGHET_DATABASE_URL", url)
    service = RemarkService(url)
    service.create_user(ADMIN, "admin", "admin-losen-2025", "admin")
    org = service.create_organisation(ADMIN, "Gatukontoret", categories=["belysning"])
    try:
        yield {"service": service, "org": org, "admin": service.login("admin", "admin-losen-2025"), "url": url}
    finally:
        service.close()


def admin_page(env) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.session_state["role"] = "admin"
    at.session_state["actor"] = env["admin"]
    at.run()
    at.switch_page("geo_trygghet/ui/pages/admin.py").run()
    assert not at.exception, at.exception
    return at


def _button(at: AppTest, label: str):
    return at.button[[b.label for b in at.button].index(label)]


def test_a_key_is_made_shown_once_and_revoked(env):
    at = admin_page(env)
    at.text_input(key="o311_partner").set_value("fixamingata")
    at.selectbox(key="o311_scope").set_value("read-write")
    _button(at, "Skapa nyckel").click().run()
    assert not at.exception, at.exception
    shown = [c.value for c in at.code]
    assert len(shown) == 1 and shown[0].startswith("o311_")
    (key,) = env["service"].list_api_keys(ADMIN)
    assert (key.partner, key.scope) == ("fixamingata", "read-write")
    assert env["service"].api_keys.authenticate(shown[0], write=True).id == key.id
    at.run()  # the next run of the page: the key is not shown again
    assert [c.value for c in at.code] == []
    _button(at, "Återkalla").click().run()
    assert not at.exception, at.exception
    assert env["service"].list_api_keys(ADMIN)[0].active is False


def test_an_organisations_own_system_and_its_failed_sends(env):
    at = admin_page(env)
    oid = env["org"].id
    at.text_input(key=f"o311_url_{oid}").set_value("http://127.0.0.1:9/open311/v2")
    at.text_input(key=f"o311_their_{oid}").set_value("their-secret")
    at.text_input(key=f"o311_code_{oid}_belysning").set_value("STREETLIGHT")
    _button(at, "Spara systemet").click().run()
    assert not at.exception, at.exception
    (endpoint,) = env["service"].list_endpoints(ADMIN)
    assert endpoint.service_codes == {"belysning": "STREETLIGHT"} and endpoint.api_key == "their-secret"
    assert "their-secret" not in str([t.value for t in at.text_input])

    s = env["service"]
    walk = s.create_walk(ADMIN, "Centrum")
    lamp = s.submit_remark(ADMIN, walk, new_id(), "belysning", "Mörkt", lon=16.19, lat=58.99)
    s.assign(ADMIN, lamp.id, oid)
    report = sync_endpoints(s, timeout=2)
    assert len(report.failures) == 1
    at = admin_page(env)
    (table,) = [d.value for d in at.dataframe if "Senaste fel" in d.value.columns]
    assert list(table.iloc[0])[:4] == ["Centrum · 1", "Gatukontoret", "Väntar", 1]
    assert "did not answer" in table.iloc[0, -1]
    _button(at, "Försök igen vid nästa körning").click().run()
    assert not at.exception, at.exception
    assert s.open311_outbox(ADMIN)[0].next_attempt_at is None


def test_the_apikey_commands(env, capsys):
    assert main(["apikey", "create", "fixamingata", "--scope", "read-write"]) == 0
    out = capsys.readouterr().out
    secret = out.splitlines()[0]
    assert re.fullmatch(r"o311_[\w-]{40,}", secret) and "not shown again" in out
    assert main(["apikey", "list"]) == 0
    listed = capsys.readouterr().out
    assert secret[:11] in listed and secret not in listed and "read-write" in listed and "fixamingata" in listed
    assert main(["apikey", "revoke", secret[:11]]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["apikey", "revoke", "nope"]) == 2
    assert "no API key 'nope'" in capsys.readouterr().err
    assert main(["apikey", "create", "bad/name"]) == 2
    assert os.environ["GEO_TRYGGHET_DATABASE_URL"] == env["url"]
    assert env["service"].list_api_keys(ADMIN)[0].revoked_at is not None
