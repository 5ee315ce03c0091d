"""Remarks that can be told apart (issue 9, item 5): a short reference unique across walks
("V3-9": walk 3, number 9) in owner views, maps, exports and reminders; the protocol keeps NR
per walk."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from geo_trygghet.maps.remarks import remarks_map
from geo_trygghet.remarks import Actor
from geo_trygghet.remarks.export import export_remarks
from geo_trygghet.remarks.open311 import open311_requests
from geo_trygghet.remarks.records import remark_ref
from geo_trygghet.remarks.reminders import reminder_message

from ._remarks_helpers import ADMIN, new_remark


def _unescaped(html: str) -> str:
    """The map page with folium's JSON escapes of < and > undone (the markers as drawn)."""
    return html.replace("\\u003e", ">").replace("\\u003c", "<")


@pytest.fixture
def two_walks(service):
    """An organisation with remark number 1 in each of two walks."""
    org = service.create_organisation(ADMIN, "Gatukontoret", email="gata@example.se")
    walks = [service.create_walk(ADMIN, title, walk_date="2024-05-02") for title in ("Centrum", "Söder")]
    remarks = []
    for w in walks:
        r = new_remark(service, w)
        remarks.append(service.assign(ADMIN, r.id, org.id))
    return org, walks, remarks


def test_the_reference_names_walk_and_number(two_walks):
    _org, walks, remarks = two_walks
    assert [r.number for r in remarks] == [1, 1]  # the protocol's NR: per walk
    refs = [r.ref for r in remarks]
    assert refs == [f"V{walks[0].id}-1", f"V{walks[1].id}-1"]
    assert len(set(refs)) == 2
    assert remark_ref(12, 7) == "V12-7"
    assert remark_ref(None, 5, channel_id=2) == "E2-5"  # a partner's own series (Open311)


def test_owner_frame_and_map_show_unique_references(service, two_walks):
    org, walks, _remarks = two_walks
    owner = service.create_user(ADMIN, "gata", "gata-losen-2025", "problemagare", organisation_id=org.id)
    actor = service.login("gata", "gata-losen-2025")
    assert owner and actor is not None
    frame = service.remarks_frame(actor)
    assert frame["ref"].is_unique and list(frame["number"]) == [1, 1]
    html = _unescaped(remarks_map(frame).get_root().render())
    for ref in frame["ref"]:
        assert f">{ref}</div>" in html  # the marker itself says which remark it is
    one_walk = _unescaped(remarks_map(service.remarks_frame(actor, walk=walks[0].id)).get_root().render())
    assert ">1</div>" in one_walk  # one walk: the number, as in its protocol


def test_exports_and_reminders_carry_the_reference(service, two_walks, tmp_path):
    _org, walks, remarks = two_walks
    export_remarks(service, tmp_path / "r.csv")
    csv = pd.read_csv(tmp_path / "r.csv")
    assert sorted(csv["ref"]) == sorted(r.ref for r in remarks)
    export_remarks(service, tmp_path / "r.xlsx")
    book = pd.read_excel(tmp_path / "r.xlsx")
    assert "REF" in book.columns and sorted(book["REF"]) == sorted(r.ref for r in remarks)
    export_remarks(service, tmp_path / "one.xlsx", walk=walks[0].id)
    assert "REF" not in pd.read_excel(tmp_path / "one.xlsx").columns  # one walk: its protocol, NR only
    data = open311_requests(service)
    assert sorted(d["extended_attributes"]["ref"] for d in data) == sorted(r.ref for r in remarks)
    msg = reminder_message("Gatukontoret", remarks, sender="a@example.se", to="b@example.se",
                           today=dt.date(2025, 1, 1), days=30)
    body = msg.get_content()
    for r in remarks:
        assert r.ref in body
    assert json.dumps(body)  # plain text


def test_public_summary_names_fixed_remarks_by_reference(service, two_walks):
    _org, _walks, remarks = two_walks
    service.mark_fixed(ADMIN, remarks[0].id, dt.date(2024, 6, 1), "Lagad")
    fixed = service.public_summary().fixed
    assert list(fixed["ref"]) == [remarks[0].ref]
    assert Actor.system()
