"""Staff logins kept across a browser reload: a random token in a cookie, its hash in the
database; logout, a new password and expiry end it; participants cannot have one."""

from __future__ import annotations

import pytest

from geo_trygghet.errors import PermissionDeniedError
from geo_trygghet.remarks import Actor
from geo_trygghet.remarks.models import LoginSessionRow

ADMIN = Actor.system()


@pytest.fixture
def owner(service):
    org = service.create_organisation(ADMIN, "Gatukontoret", categories=["belysning"])
    service.create_user(ADMIN, "gata", "lösenord-123", "problemagare", organisation_id=org.id,
                        display_name="Gata Gatusson")
    return service.login("gata", "lösenord-123")


def test_a_token_resumes_the_same_user_and_only_its_hash_is_stored(service, owner):
    token = service.start_session(owner)
    again = service.resume_session(token)
    assert again == owner
    with service.store.read_session() as s:
        stored = [r.token_hash for r in s.query(LoginSessionRow)]
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


def test_unknown_ended_and_garbage_tokens_give_nobody(service, owner):
    token = service.start_session(owner)
    other = service.start_session(owner)
    assert service.resume_session(None) is None
    assert service.resume_session("") is None
    assert service.resume_session(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert service.resume_session("x" * 10_000) is None
    service.end_session(token)
    assert service.resume_session(token) is None
    assert service.resume_session(other) == owner  # another browser stays logged in
    service.end_session("not-a-token")  # harmless


def test_expired_tokens_give_nobody(service, owner):
    token = service.start_session(owner, days=-1)
    assert service.resume_session(token) is None


def test_a_new_password_ends_every_kept_login(service, owner):
    token = service.start_session(owner)
    service.set_password(owner, "gata", "nytt-lösen-456")
    assert service.resume_session(token) is None
    assert service.login("gata", "nytt-lösen-456") == owner


def test_the_resumed_actor_has_the_role_of_today(service, owner):
    token = service.start_session(owner)
    other = service.create_organisation(ADMIN, "Parkenheten", categories=["buskage"])
    with service.store.write_session() as s:  # an admin moved the account (no API for it yet)
        from geo_trygghet.remarks.models import UserRow

        s.get(UserRow, owner.user_id).organisation_id = other.id
    assert service.resume_session(token).organisation_id == other.id


def test_participants_and_the_system_cannot_keep_a_login(service):
    with pytest.raises(PermissionDeniedError, match="walk code"):
        service.start_session(Actor.participant("ABC123"))
    with pytest.raises(PermissionDeniedError):
        service.start_session(ADMIN)
