"""The remark service on SQLite and PostgreSQL: walks, submission, numbering,
idempotency, owners, overdue, the as-of rebuild, frames and the public summary."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from geo_trygghet.errors import InputError, NotFoundError, PermissionDeniedError
from geo_trygghet.remarks import Actor, RemarkService, is_overdue, open_store
from geo_trygghet.settings import local_today

ADMIN = Actor.system()
LON, LAT = 15.6214, 58.4108  # Linköping, Stora torget

AREA_CENTRUM = {
    "type": "Polygon",
    "coordinates": [
        [[15.60, 58.40], [15.64, 58.40], [15.64, 58.42], [15.60, 58.42], [15.60, 58.40]]
    ],
}


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def walk(service):
    return service.create_walk(
        ADMIN, "Centrum kväll", walk_date="2025-10-02", group="blandad", organiser="BRÅ-rådet"
    )


def submit(service, walk, actor=None, **kw):
    kw.setdefault("category", "belysning")
    kw.setdefault("text", "Trasig lampa")
    kw.setdefault("lon", LON)
    kw.setdefault("lat", LAT)
    return service.submit_remark(
        actor or Actor.participant(walk.join_code), walk, kw.pop("remark_id", new_id()), **kw
    )


def test_walk_created_with_a_typable_unique_code(service, walk):
    assert walk.state == "planerad"
    assert len(walk.join_code) == 6
    assert not set(walk.join_code) & set("0O1IL5S2Z8B")
    assert service.walk_by_code(walk.join_code.lower()).id == walk.id
    assert service.get_walk("Centrum kväll").id == walk.id
    assert service.get_walk(walk.id).title == "Centrum kväll"
    other = service.create_walk(ADMIN, "Söder")
    assert other.join_code != walk.join_code
    with pytest.raises(InputError, match="exists already"):
        service.create_walk(ADMIN, "Centrum kväll")
    with pytest.raises(NotFoundError, match="code"):
        service.walk_by_code("XXXXXX")
    w, created = service.get_or_create_walk(ADMIN, "Centrum kväll")
    assert (w.id, created) == (walk.id, False)
    w, created = service.get_or_create_walk(ADMIN, "Ny vandring")
    assert created and w.title == "Ny vandring"


def test_numbers_are_sequential_per_walk_and_resend_is_idempotent(service, walk):
    other = service.create_walk(ADMIN, "Söder")
    ids = [new_id() for _ in range(5)]
    numbers = [submit(service, walk, remark_id=i).number for i in ids]
    assert numbers == [1, 2, 3, 4, 5]
    assert submit(service, other).number == 1
    again = submit(service, walk, remark_id=ids[2], text="changed text on resend")
    assert again.number == 3 and again.text == "Trasig lampa"
    assert len(service.list_remarks(ADMIN, walk=walk)) == 5
    assert submit(service, walk).number == 6  # the resend used no number
    assert len(service.history(ADMIN, ids[2])) == 1


def test_resend_in_another_walk_is_refused(service, walk):
    other = service.create_walk(ADMIN, "Söder")
    rid = new_id()
    submit(service, walk, remark_id=rid)
    with pytest.raises(InputError, match="another walk"):
        submit(service, other, remark_id=rid)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"category": "lampor"}, "unknown remark category 'lampor'"),
        ({"lon": None, "lat": None}, "no position"),
        ({"lon": 200.0}, "out of range"),
        ({"feeling": 7}, "känsla 7"),
        ({"factors": {"lighting": 5}}, "lighting=5"),
        ({"factors": {"smell": 1}}, "unknown factor 'smell'"),
        ({"remark_id": "not-a-uuid"}, "not a UUID"),
        ({"position_source": "guess"}, "unknown position source"),
        ({"text": "x" * 5000}, "under 4000"),
    ],
)
def test_bad_submissions_are_one_line_errors(service, walk, kwargs, match):
    with pytest.raises(InputError, match=match) as err:
        submit(service, walk, **kwargs)
    assert "\n" not in str(err.value)
    assert service.list_remarks(ADMIN, walk=walk) == []


def test_fields_are_stored_and_names_hidden_from_non_staff(service, walk):
    r = submit(
        service,
        walk,
        text="  Mörk gångtunnel <script>alert(1)</script> ",
        category="gangtunnel",
        accuracy_m=7.5,
        feeling=2,
        factors={"lighting": 0, "people": 1, "walk_path": None},
        reporter_name="Anna Andersson",
    )
    staff = service.get_remark(ADMIN, r.id)
    assert (
        staff.text == "Mörk gångtunnel <script>alert(1)</script>"
    )  # stored raw, escaped on output
    assert (staff.accuracy_m, staff.feeling, staff.factors) == (
        7.5,
        2,
        {"lighting": 0, "people": 1},
    )
    assert staff.reporter_name == "Anna Andersson"
    assert staff.category_label() == "Gångtunnel/passage" and staff.state_label("en") == "New"
    assert service.get_remark(Actor.participant(walk.join_code), r.id).reporter_name is None
    assert r.reporter_name is None  # the participant's own answer does not echo it either


def test_participant_cannot_add_to_a_closed_walk_but_resend_still_answers(service, walk):
    p = Actor.participant(walk.join_code)
    rid = new_id()
    first = submit(service, walk, p, remark_id=rid)
    service.close_walk(ADMIN, walk)
    assert submit(service, walk, p, remark_id=rid).number == first.number
    with pytest.raises(PermissionDeniedError, match="closed"):
        submit(service, walk, p)
    assert submit(service, walk, ADMIN).number == 2  # staff may still add (import)
    with pytest.raises(InputError, match="unknown walk state"):
        service.set_walk_state(ADMIN, walk, "klar")
    assert service.set_walk_state(ADMIN, walk, "uppfoljd").state_label() == "Uppföljd"


def test_nearby_open_remarks_suggest_duplicates(service, walk):
    near = submit(service, walk, lon=LON + 0.0001, lat=LAT)  # about 6 m east
    submit(service, walk, lon=LON + 0.001, lat=LAT)  # about 58 m: too far
    submit(service, walk, category="klotter")  # other category
    closed = submit(service, walk, lon=LON, lat=LAT + 0.0001)
    service.mark_duplicate(ADMIN, closed.id, near.id)
    found = service.nearby_open_remarks(walk, LON, LAT, "belysning")
    assert [r.id for r, _ in found] == [near.id]
    assert 4 < found[0][1] < 8
    assert len(service.nearby_open_remarks(walk, LON, LAT, "belysning", radius_m=100)) == 2


def test_suggest_owner_from_category_and_area(service, walk):
    far = {
        "type": "Polygon",
        "coordinates": [[[16.0, 59.0], [16.1, 59.0], [16.1, 59.1], [16.0, 59.0]]],
    }
    gata = service.create_organisation(
        ADMIN, "Gatukontoret", categories=["belysning", "trafik"], area=AREA_CENTRUM
    )
    service.create_organisation(ADMIN, "Tekniska verken", categories=["belysning"])
    service.create_organisation(ADMIN, "Annan kommun", categories=["belysning"], area=far)
    bolag = service.create_organisation(
        ADMIN, "Stångåstaden", kind="fastighetsbolag", area=AREA_CENTRUM
    )
    r = submit(service, walk)
    assert service.suggest_owner(r).id == gata.id
    assert [o.name for o in service.suggest_owners("belysning", LON, LAT)] == [
        "Gatukontoret", "Tekniska verken", "Stångåstaden", "Annan kommun",
    ]  # fmt: skip
    assert service.suggest_owner(submit(service, walk, category="klotter")).id == bolag.id
    with pytest.raises(InputError, match="unknown remark category"):
        service.create_organisation(ADMIN, "X", categories=["lampor"])
    with pytest.raises(InputError, match="exists already"):
        service.create_organisation(ADMIN, "Gatukontoret")
    with pytest.raises(InputError, match="GeoJSON"):
        service.create_organisation(ADMIN, "Y", area="not json")


def test_overdue_planned_date_passed_or_no_action_after_assignment(service, walk):
    org = service.create_organisation(ADMIN, "Gatukontoret", email="gata@example.se")
    a = submit(service, walk)
    b = submit(service, walk)
    c = submit(service, walk)
    service.assign(ADMIN, a.id, org.id)
    service.assign(ADMIN, b.id, org.id)
    today = local_today()
    service.plan(ADMIN, b.id, today + dt.timedelta(days=10))
    service.assign(ADMIN, c.id, org.id)
    service.mark_fixed(ADMIN, c.id, today)
    assert [r.id for r in service.overdue(ADMIN, today=today)] == []
    later = today + dt.timedelta(days=31)
    assert {r.id for r in service.overdue(ADMIN, today=later)} == {a.id, b.id}
    assert [r.id for r in service.overdue(ADMIN, today=today + dt.timedelta(days=11))] == [b.id]
    assert [r.id for r in service.list_remarks(ADMIN, overdue=False, today=later)] == [c.id]
    assert is_overdue(service.get_remark(ADMIN, a.id), later, days=31) is True
    assert is_overdue(service.get_remark(ADMIN, a.id), later, days=32) is False


def test_as_of_rebuild_from_events(service, walk):
    org = service.create_organisation(ADMIN, "Gatukontoret")
    r = submit(service, walk, ADMIN, created_at=dt.datetime(2025, 10, 2, 19, 0))
    service.assign(ADMIN, r.id, org.id, at=dt.date(2025, 10, 10))
    service.plan(ADMIN, r.id, "2025-11-15", at=dt.date(2025, 10, 20))
    service.mark_fixed(ADMIN, r.id, "2025-11-14", "Ny armatur", at=dt.date(2025, 11, 14))
    service.verify(ADMIN, r.id, at=dt.date(2026, 4, 1))

    def as_of(day):
        rows = service.remarks_as_of(walk, day)
        return [(x.state, x.owner_name, x.planned_date, x.fixed_date) for x in rows]

    assert as_of("2025-10-01") == []
    assert as_of("2025-10-02") == [("ny", None, None, None)]
    assert as_of(dt.date(2025, 10, 10)) == [("tilldelad", "Gatukontoret", None, None)]
    assert as_of(dt.date(2025, 11, 1)) == [
        ("planerad", "Gatukontoret", dt.date(2025, 11, 15), None)
    ]
    fixed = ("atgardad", "Gatukontoret", dt.date(2025, 11, 15), dt.date(2025, 11, 14))
    assert as_of(dt.date(2025, 12, 24)) == [fixed]
    assert as_of(None)[0][0] == "kontrollerad"
    frame = service.remarks_frame(ADMIN, walk=walk, as_of="2025-12-24")
    assert frame["state_label"].tolist() == ["Åtgärdad"]
    events = service.history(ADMIN, r.id)
    assert [(e.from_state, e.to_state) for e in events] == [
        (None, "ny"), ("ny", "tilldelad"), ("tilldelad", "planerad"),
        ("planerad", "atgardad"), ("atgardad", "kontrollerad"),
    ]  # fmt: skip
    assert events[3].note == "Ny armatur" and events[3].actor == "system"


def test_as_of_days_are_swedish_days(service, walk):
    """A change made at 00:30 Swedish time on 1 June (22:30 UTC on 31 May, summer time) belongs
    to 1 June in the protocol; one at 23:30 Swedish time on 1 June (21:30 UTC) belongs to 1 June
    too, and a bare back-dated date is noon in Sweden."""
    org = service.create_organisation(ADMIN, "Gatukontoret")
    early = submit(service, walk, ADMIN, created_at=dt.datetime(2025, 5, 31, 22, 30))  # naive = UTC
    late = submit(service, walk, ADMIN, created_at=dt.datetime(2025, 6, 1, 21, 30),
                  text="Sent på kvällen")
    service.assign(ADMIN, early.id, org.id, at=dt.date(2025, 6, 2))

    def numbers(day):
        return sorted(r.number for r in service.remarks_as_of(walk, day))

    assert numbers("2025-05-31") == []
    assert numbers("2025-06-01") == sorted([early.number, late.number])
    assigned = service.history(ADMIN, early.id)[-1].at
    assert assigned == dt.datetime(2025, 6, 2, 10, 0)  # noon CEST, stored as naive UTC


def test_remarks_frame_and_public_summary(service, walk):
    org = service.create_organisation(ADMIN, "Gatukontoret")
    a = submit(service, walk, reporter_name="Bo", text="Lampan <b>lagad</b>")
    submit(service, walk, category="klotter", lon=LON + 0.3)
    service.assign(ADMIN, a.id, org.id)
    service.mark_fixed(ADMIN, a.id, local_today())
    frame = service.remarks_frame(ADMIN)
    assert str(frame.crs) == "EPSG:4326"
    assert frame["number"].tolist() == [1, 2]
    assert frame.geometry.x.iloc[0] == pytest.approx(LON)
    assert frame["owner_name"].tolist()[0] == "Gatukontoret"
    assert frame["reporter_name"].tolist()[0] == "Bo"
    public = service.public_summary()
    assert (public.walks_count, public.remarks_count, public.fixed_count) == (1, 2, 1)
    assert "reporter_name" not in public.fixed.columns
    assert public.fixed["text"].tolist() == ["Lampan <b>lagad</b>"]
    counts = public.counts.set_index(["category", "state"])["count"].to_dict()
    assert counts == {("belysning", "atgardad"): 1, ("klotter", "ny"): 1}
    only_centrum = service.public_summary(json.dumps(AREA_CENTRUM))
    assert only_centrum.remarks_count == 1


def test_users_login_and_password_hashing(service):
    org = service.create_organisation(ADMIN, "Gatukontoret")
    user = service.create_user(
        ADMIN, "gata", "hemligt-lösen", "problemagare", organisation_id=org.id
    )
    actor = service.login("gata", "hemligt-lösen")
    assert (actor.role, actor.organisation_id, actor.user_id) == ("problemagare", org.id, user.id)
    with pytest.raises(PermissionDeniedError, match="wrong user name or password"):
        service.login("gata", "fel")
    with pytest.raises(PermissionDeniedError):
        service.login("ingen", "hemligt-lösen")
    with pytest.raises(InputError, match="taken"):
        service.create_user(ADMIN, "gata", "hemligt-lösen", "analytiker")
    with pytest.raises(InputError, match="must belong to an organisation"):
        service.create_user(ADMIN, "p2", "hemligt-lösen", "problemagare")
    with pytest.raises(InputError, match="unknown role"):
        service.create_user(ADMIN, "d", "hemligt-lösen", "deltagare")
    with pytest.raises(InputError, match="too short"):
        service.create_user(ADMIN, "kort", "abc", "analytiker")
    with pytest.raises(PermissionDeniedError):
        service.create_user(actor, "x", "hemligt-lösen", "admin")
    service.set_password(actor, "gata", "nytt-lösenord")
    assert service.login("gata", "nytt-lösenord").username == "gata"


def test_reopening_the_store_keeps_everything(db_url):
    svc = RemarkService(db_url)
    walk = svc.create_walk(ADMIN, "Centrum")
    rid = submit(svc, walk).id
    svc.close()
    again = RemarkService(open_store(db_url))
    try:
        assert again.get_remark(ADMIN, rid).number == 1
        assert submit(again, walk).number == 2
    finally:
        again.close()


def test_back_dated_changes_on_the_same_day_keep_their_order(service, walk):
    """An imported protocol row: found, assigned and fixed all dated the same day."""
    org = service.create_organisation(ADMIN, "Gatukontoret")
    day = dt.date(2024, 5, 2)
    r = submit(service, walk, ADMIN, created_at=day, position_source="import")
    service.assign(ADMIN, r.id, org.id, at=day)
    service.mark_fixed(
        ADMIN, r.id, day, at=dt.date(2024, 5, 1)
    )  # dated before: kept after the assignment
    assert [e.to_state for e in service.history(ADMIN, r.id)] == ["ny", "tilldelad", "atgardad"]
    assert [x.state for x in service.remarks_as_of(walk, day)] == ["atgardad"]
    assert service.remarks_as_of(walk, day - dt.timedelta(days=1)) == []
    with pytest.raises(PermissionDeniedError):
        service.assign(Actor.participant(walk.join_code), r.id, org.id, at=day)
