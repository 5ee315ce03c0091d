"""The role × action permission matrix, enforced by the service itself."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import uuid
from dataclasses import dataclass

import pytest
from PIL import Image

from geo_trygghet.errors import PermissionDeniedError
from geo_trygghet.remarks import Actor
from geo_trygghet.settings import local_today

from ._remarks_helpers import ADMIN, LAT, LON, bring_to, new_remark

IN_A_WEEK = local_today() + dt.timedelta(days=7)
ROLES = ("admin", "analytiker", "agare_egen", "agare_annan", "deltagare_egen", "deltagare_annan")
Y, N = True, False

# action: (state the remark is brought to first, allowed per role in ROLES order)
MATRIX = {
    "create_walk":         (None,        (Y, Y, N, N, N, N)),
    "create_organisation": (None,        (Y, Y, N, N, N, N)),
    "create_user":         (None,        (Y, N, N, N, N, N)),
    "list_users":          (None,        (Y, N, N, N, N, N)),
    "submit_remark":       (None,        (Y, Y, N, N, Y, N)),
    "close_walk":          (None,        (Y, Y, N, N, N, N)),
    "protocol":            (None,        (Y, Y, N, N, N, N)),
    "get_remark":          ("tilldelad", (Y, Y, Y, N, Y, N)),
    "history":             ("tilldelad", (Y, Y, Y, N, Y, N)),
    "get_photo":           ("tilldelad", (Y, Y, Y, N, Y, N)),
    "assign":              ("ny",        (Y, Y, N, N, N, N)),
    "reassign":            ("tilldelad", (Y, Y, N, N, N, N)),
    "plan":                ("tilldelad", (Y, Y, Y, N, N, N)),
    "mark_fixed":          ("planerad",  (Y, N, Y, N, N, N)),
    "not_ours":            ("tilldelad", (Y, N, Y, N, N, N)),
    "cannot_fix":          ("tilldelad", (Y, N, Y, N, N, N)),
    "mark_duplicate":      ("ny",        (Y, Y, N, N, N, N)),
    "verify":              ("atgardad",  (Y, Y, N, N, N, N)),
    "reopen":              ("atgardad",  (Y, Y, N, N, N, N)),
}  # fmt: skip
CASES = [
    (action, role, allowed[i])
    for action, (_, allowed) in MATRIX.items()
    for i, role in enumerate(ROLES)
]


def _photo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, "JPEG")
    return buf.getvalue()


@dataclass
class World:
    service: object
    own: object
    other: object
    actors: dict
    walk: object
    other_walk: object
    original: object = None


_counter = itertools.count(1)


@pytest.fixture(scope="module")
def people(module_service):
    """Two organisations and one account per role, made once per database (argon2 is slow on purpose)."""
    svc = module_service
    own = svc.create_organisation(ADMIN, "Gatukontoret (behörighet)")
    other = svc.create_organisation(ADMIN, "Fastighets AB (behörighet)")
    for name, role, org in (
        ("admin", "admin", None),
        ("analytiker", "analytiker", None),
        ("agare_egen", "problemagare", own.id),
        ("agare_annan", "problemagare", other.id),
    ):
        svc.create_user(ADMIN, name, "lösenord-123", role, organisation_id=org)
    actors = {r: svc.login(r, "lösenord-123") for r in ROLES[:4]}
    return own, other, actors


@pytest.fixture
def world(module_service, people):
    svc = module_service
    own, other, actors = people
    n = next(_counter)
    walk = svc.create_walk(ADMIN, f"Behörighet {n}")
    other_walk = svc.create_walk(ADMIN, f"Annan vandring {n}")
    actors = dict(actors)
    actors["deltagare_egen"] = Actor.participant(walk.join_code)
    actors["deltagare_annan"] = Actor.participant(other_walk.join_code)
    return World(svc, own, other, actors, walk, other_walk, new_remark(svc, walk))


def _do(w: World, action: str, actor: Actor, remark):
    svc = w.service
    tag = uuid.uuid4().hex[:8]
    rid = remark.id if remark is not None else None
    actions = {
        "create_walk": lambda: svc.create_walk(actor, f"Ny vandring {tag}"),
        "create_organisation": lambda: svc.create_organisation(actor, f"Org {tag}"),
        "create_user": lambda: svc.create_user(actor, f"user{tag}", "lösenord-123", "analytiker"),
        "list_users": lambda: svc.list_users(actor),
        "submit_remark": lambda: svc.submit_remark(actor, w.walk, str(uuid.uuid4()), "klotter", "Klotter",
                                                   lon=LON, lat=LAT),
        "close_walk": lambda: svc.close_walk(actor, w.walk),
        "protocol": lambda: svc.remarks_as_of(w.walk, local_today(), actor=actor),  # the kommun's day
        "get_remark": lambda: svc.get_remark(actor, rid),
        "history": lambda: svc.history(actor, rid),
        "get_photo": lambda: svc.get_photo(actor, rid),
        "assign": lambda: svc.assign(actor, rid, w.own.id),
        "reassign": lambda: svc.assign(actor, rid, w.own.id),
        "plan": lambda: svc.plan(actor, rid, IN_A_WEEK),
        "mark_fixed": lambda: svc.mark_fixed(actor, rid, local_today(), "Lagad"),
        "not_ours": lambda: svc.not_ours(actor, rid, "Inte vår mark"),
        "cannot_fix": lambda: svc.cannot_fix(actor, rid, "Går inte"),
        "mark_duplicate": lambda: svc.mark_duplicate(actor, rid, w.original.id),
        "verify": lambda: svc.verify(actor, rid),
        "reopen": lambda: svc.reopen(actor, rid, "Lampan trasig igen"),
    }
    return actions[action]()


#: What each allowed state change leaves: (state, owner: "own" | None | "kept", field → expected value).
CHANGES = {
    "assign": ("tilldelad", "own", {"planned_date": None, "fixed_date": None}),
    "reassign": ("tilldelad", "own", {"planned_date": None, "fixed_date": None}),
    "plan": ("planerad", "own", {"planned_date": IN_A_WEEK}),
    "mark_fixed": ("atgardad", "own", {"fixed_date": local_today()}),
    "not_ours": ("inte_vart_ansvar", None, {"planned_date": None}),
    "cannot_fix": ("kan_inte_atgardas", "own", {}),
    "mark_duplicate": ("dubblett", None, {}),
    "verify": ("kontrollerad", "own", {"fixed_date": local_today()}),
    "reopen": ("tilldelad", "own", {"planned_date": None, "fixed_date": None}),
}
NOTES = {"mark_fixed": "Lagad", "not_ours": "Inte vår mark", "cannot_fix": "Går inte", "reopen": "Lampan trasig igen"}


def _assert_effect(w: World, action: str, actor: Actor, remark, result, events_before: int) -> None:
    """The allowed action did what it says: the records changed as asked, the event appended."""
    svc = w.service
    if action in CHANGES:
        state, owner, fields = CHANGES[action]
        stored = svc.get_remark(ADMIN, remark.id)
        assert result.state == stored.state == state
        assert stored.owner_id == (w.own.id if owner else None)
        assert {f: getattr(stored, f) for f in fields} == fields
        if action == "mark_duplicate":
            assert stored.duplicate_of == w.original.id
        events = svc.history(ADMIN, remark.id)
        assert len(events) == events_before + 1
        last = events[-1]
        assert (last.from_state, last.to_state, last.actor) == (remark.state, state, actor.label)
        assert (last.owner_id, last.planned_date, last.fixed_date) == (
            stored.owner_id, stored.planned_date, stored.fixed_date)
        if action in NOTES:
            assert NOTES[action] in (last.note or "")
    elif action == "create_walk":
        assert svc.get_walk(result.id).title == result.title and result.join_code
        assert result.is_open_for_remarks
    elif action == "create_organisation":
        assert svc.get_organisation(result.id).name == result.name
    elif action == "create_user":
        assert (result.username, result.role) in {(u.username, u.role) for u in svc.list_users(ADMIN)}
    elif action == "list_users":
        assert {"admin", "analytiker", "agare_egen", "agare_annan"} <= {u.username for u in result}
    elif action == "submit_remark":
        stored = svc.get_remark(ADMIN, result.id)
        assert (stored.number, stored.state, stored.walk_id) == (result.number, "ny", w.walk.id)
        assert [e.to_state for e in svc.history(ADMIN, result.id)] == ["ny"]
        assert svc.get_walk(w.walk.id).remark_count == result.number
    elif action == "close_walk":
        assert result.state == svc.get_walk(w.walk.id).state == "genomford"
    elif action == "protocol":
        assert {r.id for r in result} == {r.id for r in svc.list_remarks(ADMIN, walk=w.walk)}
    elif action == "get_remark":
        assert (result.id, result.state, result.owner_id) == (remark.id, remark.state, w.own.id)
    elif action == "history":
        assert [e.to_state for e in result] == ["ny", "tilldelad"]
    elif action == "get_photo":
        assert result.startswith(b"\xff\xd8") and Image.open(io.BytesIO(result)).size == (40, 30)
    else:
        raise AssertionError(action)


@pytest.mark.parametrize(
    ("action", "role", "allowed"), CASES, ids=[f"{a}-{r}" for a, r, _ in CASES]
)
def test_permission_matrix(world, action, role, allowed):
    state, _ = MATRIX[action]
    remark = None
    if state is not None:
        remark = bring_to(
            world.service,
            new_remark(world.service, world.walk, photo=_photo()),
            state,
            world.own.id,
        )
    actor = world.actors[role]
    events_before = len(world.service.history(ADMIN, remark.id)) if remark is not None else 0
    if allowed:
        result = _do(world, action, actor, remark)
        _assert_effect(world, action, actor, remark, result, events_before)
    else:
        with pytest.raises(PermissionDeniedError) as err:
            _do(world, action, actor, remark)
        assert "\n" not in str(err.value)
        if remark is not None:  # nothing changed
            assert world.service.get_remark(ADMIN, remark.id) == remark
            assert len(world.service.history(ADMIN, remark.id)) == events_before
        if action == "close_walk":
            assert world.service.get_walk(world.walk.id).is_open_for_remarks


def test_lists_show_each_role_only_its_remarks(world):
    svc = world.service
    mine = bring_to(svc, new_remark(svc, world.walk), "tilldelad", world.own.id)
    theirs = bring_to(svc, new_remark(svc, world.walk), "planerad", world.other.id)
    unassigned = new_remark(svc, world.walk)
    elsewhere = new_remark(svc, world.other_walk)
    everything = {mine.id, theirs.id, unassigned.id, elsewhere.id}

    def ids(role, **kw):
        return {r.id for r in svc.list_remarks(world.actors[role], **kw)} & everything

    assert ids("admin") == everything
    assert ids("analytiker") == everything
    assert ids("agare_egen") == {mine.id}
    assert ids("agare_annan") == {theirs.id}
    assert ids("deltagare_egen") == {mine.id, theirs.id, unassigned.id}
    assert ids("deltagare_annan") == {elsewhere.id}
    assert set(svc.remarks_frame(world.actors["agare_egen"])["id"]) & everything == {mine.id}
    assert [w.id for w in svc.list_walks(world.actors["deltagare_egen"])] == [world.walk.id]
    assert world.walk.id in [w.id for w in svc.list_walks(world.actors["agare_egen"])]
    assert world.other_walk.id not in [w.id for w in svc.list_walks(world.actors["agare_egen"])]
    with pytest.raises(PermissionDeniedError):
        svc.list_remarks(world.actors["deltagare_annan"], walk=world.walk)
    # a problemägare no longer sees a remark once it has said "inte vårt ansvar"
    svc.not_ours(world.actors["agare_egen"], mine.id, "Fel ägare")
    assert ids("agare_egen") == set()
    with pytest.raises(PermissionDeniedError):
        svc.get_remark(world.actors["agare_egen"], mine.id)


def test_allowed_changes_match_what_the_service_accepts(world):
    svc = world.service
    remark = bring_to(svc, new_remark(svc, world.walk), "planerad", world.own.id)
    a = world.actors
    assert svc.allowed_changes(a["agare_egen"], remark) == (
        "planerad",
        "atgardad",
        "inte_vart_ansvar",
        "kan_inte_atgardas",
    )
    assert svc.allowed_changes(a["agare_annan"], remark) == ()
    assert svc.allowed_changes(a["deltagare_egen"], remark) == ()
    assert svc.allowed_changes(a["analytiker"], remark) == ("tilldelad", "planerad", "dubblett")
    fixed = svc.mark_fixed(a["agare_egen"], remark.id, local_today())
    assert svc.allowed_changes(a["agare_egen"], fixed) == ()
    assert svc.allowed_changes(a["analytiker"], fixed) == ("kontrollerad", "tilldelad")
