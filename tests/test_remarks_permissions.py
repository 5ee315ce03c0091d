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

from ._remarks_helpers import ADMIN, LAT, LON, bring_to, new_remark

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
    return World(svc, own, other, actors, walk, other_walk)


def _do(w: World, action: str, actor: Actor, remark):
    svc = w.service
    tag = uuid.uuid4().hex[:8]
    if action == "create_walk":
        return svc.create_walk(actor, f"Ny vandring {tag}")
    if action == "create_organisation":
        return svc.create_organisation(actor, f"Org {tag}")
    if action == "create_user":
        return svc.create_user(actor, f"user{tag}", "lösenord-123", "analytiker")
    if action == "list_users":
        return svc.list_users(actor)
    if action == "submit_remark":
        return svc.submit_remark(
            actor, w.walk, str(uuid.uuid4()), "klotter", "Klotter", lon=LON, lat=LAT
        )
    if action == "close_walk":
        return svc.close_walk(actor, w.walk)
    if action == "protocol":
        return svc.remarks_as_of(w.walk, dt.date.today(), actor=actor)
    if action == "get_remark":
        return svc.get_remark(actor, remark.id)
    if action == "history":
        return svc.history(actor, remark.id)
    if action == "get_photo":
        return svc.get_photo(actor, remark.id)
    if action in ("assign", "reassign"):
        return svc.assign(actor, remark.id, w.own.id)
    if action == "plan":
        return svc.plan(actor, remark.id, dt.date.today() + dt.timedelta(days=7))
    if action == "mark_fixed":
        return svc.mark_fixed(actor, remark.id, dt.date.today(), "Lagad")
    if action == "not_ours":
        return svc.not_ours(actor, remark.id, "Inte vår mark")
    if action == "cannot_fix":
        return svc.cannot_fix(actor, remark.id, "Går inte")
    if action == "mark_duplicate":
        original = new_remark(svc, w.walk)
        return svc.mark_duplicate(actor, remark.id, original.id)
    if action == "verify":
        return svc.verify(actor, remark.id)
    if action == "reopen":
        return svc.reopen(actor, remark.id, "Lampan trasig igen")
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
    if allowed:
        _do(world, action, actor, remark)
    else:
        with pytest.raises(PermissionDeniedError) as err:
            _do(world, action, actor, remark)
        assert "\n" not in str(err.value)
        if remark is not None:  # nothing changed
            assert world.service.get_remark(ADMIN, remark.id) == remark


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
    fixed = svc.mark_fixed(a["agare_egen"], remark.id, dt.date.today())
    assert svc.allowed_changes(a["agare_egen"], fixed) == ()
    assert svc.allowed_changes(a["analytiker"], fixed) == ("kontrollerad", "tilldelad")
