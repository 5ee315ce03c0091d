"""Migration 0005 on SQLite and PostgreSQL: a database of revision 0004 with remarks, events, photos,
duplicates and plan links opens at head with everything intact; a remark belongs to a walk or to a
channel, never both or neither; going back refuses while remarks from outside exist."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from geo_trygghet.remarks import Actor, RemarkService, open_store
from geo_trygghet.remarks.store import alembic_config

ADMIN = Actor.system()
A, B = str(uuid.UUID(int=1)), str(uuid.UUID(int=2))


def _at_0004_with_data(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0004")
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.execute(text("INSERT INTO organisations (id, name, created_at) VALUES (1, 'Gata', '2025-01-01')"))
            conn.execute(text("INSERT INTO walks (id, title, join_code, state, next_number, created_at, updated_at) "
                              "VALUES (1, 'Gamla', 'ACDEFG', 'genomford', 2, '2025-01-01', '2025-01-01')"))
            for number, rid, dup in ((1, A, None), (2, B, A)):
                conn.execute(text(
                    "INSERT INTO remarks (id, walk_id, number, category, text, lon, lat, position_source, state, "
                    "created_by, created_at, updated_at, duplicate_of, owner_id) VALUES (:id, 1, :n, 'klotter', 't', "
                    "16.19, 58.99, 'gps', :state, 'x', '2025-01-01', '2025-01-01', :dup, 1)"),
                    {"id": rid, "n": number, "dup": dup, "state": "dubblett" if dup else "tilldelad"})
                conn.execute(text("INSERT INTO remark_events (remark_id, at, actor, to_state) "
                                  "VALUES (:id, '2025-01-01', 'x', 'ny')"), {"id": rid})
            conn.execute(text("INSERT INTO photos (remark_id, content, mime, width, height, created_at) "
                              "VALUES (:id, :c, 'image/jpeg', 1, 1, '2025-01-01')"), {"id": A, "c": b"jpeg"})
            conn.execute(text("INSERT INTO plans (id, title, status, created_at, updated_at) "
                              "VALUES (1, 'Plan', 'utkast', '2025-01-01', '2025-01-01')"))
            conn.execute(text("INSERT INTO plan_causes (id, plan_id, number, text, created_at, updated_at) "
                              "VALUES (1, 1, 1, 'c', '2025-01-01', '2025-01-01')"))
            conn.execute(text(
                "INSERT INTO plan_actions (id, plan_id, cause_id, letter, position, description, kind, place_kind, "
                "promise, production, created_at, updated_at) VALUES (1, 1, 1, 'a', 1, 'd', 'situationell', 'none', "
                ":f, 'ej_rapporterad', '2025-01-01', '2025-01-01')"), {"f": False})
            conn.execute(text("INSERT INTO plan_action_remarks (action_id, remark_id, linked_at) "
                              "VALUES (1, :id, '2025-01-01')"), {"id": A})
    finally:
        engine.dispose()


def test_a_0004_database_opens_at_head_with_its_data(db_url):
    _at_0004_with_data(db_url)
    service = RemarkService(db_url)
    try:
        a, b = service.get_remark(ADMIN, A), service.get_remark(ADMIN, B)
        assert (a.walk_id, a.number, a.has_photo, b.duplicate_of) == (1, 1, True, A)
        assert [e.to_state for e in service.history(ADMIN, A)] == ["ny"]
        assert service.get_photo(ADMIN, A) == b"jpeg"
        with service.store.read_session() as s:
            assert s.execute(text("SELECT remark_id FROM plan_action_remarks")).scalar() == A
            if service.store.dialect == "sqlite":
                assert s.execute(text("PRAGMA foreign_key_check")).all() == []
        issued = service.create_api_key(ADMIN, "fixamingata", "read-write")
        from geo_trygghet.remarks.open311 import IncomingRequest

        accepted = service.receive_request(issued.key, IncomingRequest(service_code="klotter", lat="58.99",
                                                                       long="16.19"))
        assert (accepted.number, service.get_remark(ADMIN, accepted.service_request_id).walk_id) == (1, None)
    finally:
        service.close()


def test_a_remark_belongs_to_a_walk_or_a_channel(db_url):
    service = RemarkService(db_url)
    try:
        walk = service.create_walk(ADMIN, "W")
        key = service.create_api_key(ADMIN, "p", "read-write").key
        row = {"category": "klotter", "text": "", "lon": 16.0, "lat": 58.0, "position_source": "gps",
               "state": "ny", "created_by": "x", "created_at": "2025-01-01", "updated_at": "2025-01-01"}
        insert = text("INSERT INTO remarks (id, walk_id, channel_id, number, category, text, lon, lat, "
                      "position_source, state, created_by, created_at, updated_at) VALUES (:id, :walk, :channel, 9, "
                      ":category, :text, :lon, :lat, :position_source, :state, :created_by, :created_at, :updated_at)")
        for walk_id, channel_id in ((None, None), (walk.id, key.channel_id)):
            with pytest.raises(IntegrityError), service.store.write_session() as s:
                s.execute(insert, {**row, "id": str(uuid.uuid4()), "walk": walk_id, "channel": channel_id})
        with service.store.write_session() as s:
            s.execute(insert, {**row, "id": str(uuid.uuid4()), "walk": None, "channel": key.channel_id})
        with pytest.raises(IntegrityError), service.store.write_session() as s:  # number 9 twice in the channel
            s.execute(insert, {**row, "id": str(uuid.uuid4()), "walk": None, "channel": key.channel_id})
    finally:
        service.close()


def test_going_back_refuses_while_remarks_from_outside_exist(db_url):
    store = open_store(db_url)
    service = RemarkService(store)
    try:
        issued = service.create_api_key(ADMIN, "p", "read-write")
        from geo_trygghet.remarks.open311 import IncomingRequest

        service.receive_request(issued.key, IncomingRequest(service_code="klotter", lat="58.99", long="16.19"))
        with pytest.raises(RuntimeError, match="1 remarks came from outside"), store.engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0004")
    finally:
        service.close()


def test_down_to_0004_and_up_again_without_remarks_from_outside(db_url):
    _at_0004_with_data(db_url)
    store = open_store(db_url)
    try:
        with store.engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0004")
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0004"
            assert conn.execute(text("SELECT duplicate_of FROM remarks WHERE id = :b"), {"b": B}).scalar() == A
    finally:
        store.dispose()
    service = RemarkService(db_url)
    try:
        assert service.get_remark(ADMIN, B).duplicate_of == A and service.get_photo(ADMIN, A) == b"jpeg"
    finally:
        service.close()
