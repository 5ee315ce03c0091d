"""Loading the sample municipality: idempotent, the handbook's four remarks, demo logins."""

from __future__ import annotations

import argparse
import datetime as dt
import uuid
from pathlib import Path

import pytest

from geo_trygghet.errors import InputError, PermissionDeniedError
from geo_trygghet.remarks import Actor
from geo_trygghet.remarks.states import WALK_GENOMFORD, WALK_UPPFOLJD
from geo_trygghet.sample import DEMO_USERS, SAMPLE_DIR, demo_users, load_sample, sample_info

ADMIN = Actor.system()

#: the handbook's four examples: a piece of the text and who owns it
HANDBOOK = {
    "Åvägen nr 37": "Gatukontoret (Samhällsbyggnadsförvaltningen)",
    "Storgatan 85–89": "Bostadsbolaget AB",
    "Bygatan 3": "Gatukontoret (Samhällsbyggnadsförvaltningen)",
    "Bivägen 4–6": "Bostadsbolaget AB",
}


def test_sample_dir_is_the_repository_folder():
    assert Path(__file__).resolve().parents[1] / "sample_data" == SAMPLE_DIR
    assert (SAMPLE_DIR / "walks.csv").is_file() and (SAMPLE_DIR / "organisations.csv").is_file()


def test_load_sample_twice(service):
    first = load_sample(service)
    assert first.walks_created == 5 and first.remarks_imported > 20 and first.users_created == len(first.users)
    remarks = service.list_remarks(ADMIN)
    states = {r.id: (r.state, r.owner_id, r.fixed_date) for r in remarks}
    events = sum(len(service.history(ADMIN, r.id)) for r in remarks)

    second = load_sample(service)
    assert (second.walks_created, second.remarks_imported, second.users_created, second.organisations_created) == (
        0, 0, 0, 0)
    assert second.remarks_present == len(remarks)
    again = service.list_remarks(ADMIN)
    assert {r.id: (r.state, r.owner_id, r.fixed_date) for r in again} == states
    assert sum(len(service.history(ADMIN, r.id)) for r in again) == events
    assert len(service.list_walks(ADMIN)) == 5
    # one walk takes remarks at once: its code and link are in the summary, and a phone can add to it
    ((title, code, link),) = first.open_walks
    walk = service.walk_by_code(code)
    assert walk.title == title and walk.is_open_for_remarks and walk.remark_count == 0
    assert link == f"http://localhost:8501/walk/?kod={code}"
    assert f"  {title}: code {code}, link {link}" in first.summary_lines()
    p = Actor.participant(code)
    sent = service.submit_remark(p, code, str(uuid.uuid4()), "belysning", "Mörkt", lon=16.2, lat=58.99)
    assert sent.number == 1
    assert second.open_walks == first.open_walks

    # the handbook's four remarks with their problemägare; they are fixed, with a real history
    for piece, owner in HANDBOOK.items():
        found = [r for r in again if piece in r.text]
        assert len(found) == 1, piece
        r = found[0]
        assert r.owner_name == owner and r.is_fixed and r.fixed_date is not None
        h = service.history(ADMIN, r.id)
        assert next(e.to_state for e in h) == "ny" and h[-1].to_state == "atgardad"
        assert h[-1].at.date() == r.fixed_date
    kinds = {r.state_kind for r in again}
    assert {"open", "fixed"} <= kinds
    assert any(r.state == "planerad" for r in again)
    # walks carry date, group, area and state from walks.csv
    centrum = service.get_walk("Centrum våren 2023")
    assert centrum.walk_date == dt.date(2023, 3, 9) and centrum.area and centrum.state == WALK_UPPFOLJD
    assert service.get_walk("Norra villaområdet 2024").state == WALK_GENOMFORD
    # organisations have categories (and some an area) for the owner suggestion
    gata = service.get_organisation("Gatukontoret (Samhällsbyggnadsförvaltningen)")
    assert "belysning" in gata.categories
    assert any(o.area for o in service.list_organisations())
    assert any("Centrum våren 2023" in line for line in sample_info(service))

    # demo users log in with their roles; a problemägare sees only its own remarks
    for username, password, role, org in first.users:
        actor = service.login(username, password)
        assert actor.role == role
        if org:
            own = service.list_remarks(actor)
            assert all(r.owner_name == org for r in own)
    assert ("analytiker", "analytiker-demo", "analytiker") in DEMO_USERS
    gatu = service.login("gatukontoret", "gatukontoret-demo")
    assert len(service.list_remarks(gatu)) > 0
    with pytest.raises(PermissionDeniedError):
        service.login("analytiker", "fel-lösenord")


def test_force_resets_demo_passwords(tmp_path):
    from geo_trygghet.remarks import RemarkService

    service = RemarkService(f"sqlite:///{tmp_path / 's.sqlite'}")
    try:
        load_sample(service)
        service.set_password(ADMIN, "analytiker", "ett-annat-losenord")
        load_sample(service)
        with pytest.raises(PermissionDeniedError):
            service.login("analytiker", "analytiker-demo")
        load_sample(service, force=True)
        assert service.login("analytiker", "analytiker-demo").role == "analytiker"
    finally:
        service.close()


def test_demo_usernames_are_unique():
    users = demo_users(["Gatukontoret A", "Gatukontoret B", "Fastighetsägare Bygatan"])
    names = [u[0] for u in users]
    assert len(set(names)) == len(names) and "fastighetsagare" in names
    assert all(len(p) >= 8 for _, p, _, _ in users)


def test_missing_sample_folder(tmp_path):
    from geo_trygghet.remarks import RemarkService

    service = RemarkService(f"sqlite:///{tmp_path / 's.sqlite'}")
    try:
        with pytest.raises(InputError, match="does not exist"):
            load_sample(service, tmp_path / "nope")
    finally:
        service.close()


def test_sample_cli_load_and_info(tmp_path, monkeypatch, capsys):
    from geo_trygghet.cli import sample as cli_sample

    monkeypatch.setenv("GEO_TRYGGHET_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.setenv("GEO_TRYGGHET_PUBLIC_URL", "https://trygghet.example.se")
    parser = argparse.ArgumentParser(prog="geo-trygghet")
    cli_sample.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sample", "load"])
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert "5 walks (5 new)" in out and "analytiker / analytiker-demo / analytiker" in out
    assert "walks open for remarks" in out and "https://trygghet.example.se/walk/?kod=" in out
    code = out.split("?kod=")[1].split()[0]
    args = parser.parse_args(["sample", "info"])
    assert args.handler(args) == 0
    info = capsys.readouterr().out
    assert "Centrum våren 2023" in info and f"code {code}, link https://trygghet.example.se/walk/?kod={code}" in info
