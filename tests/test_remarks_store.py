"""The store: SQLite settings, Alembic migrations matching the models, URLs."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

import geo_trygghet.actionplan.models  # noqa: F401 - the åtgärdsplan's tables share the metadata compared
from geo_trygghet.errors import InputError
from geo_trygghet.remarks import Actor, RemarkService, open_store
from geo_trygghet.remarks.models import Base, EventRow
from geo_trygghet.remarks.store import _head_revision

ADMIN = Actor.system()


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'a.sqlite'}")
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        store.dispose()


def test_migrations_reach_head_and_match_the_models(db_url):
    store = open_store(db_url)
    try:
        with store.engine.connect() as conn:
            assert (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                == _head_revision()
            )
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        store.dispose()


def test_a_database_of_the_first_release_is_upgraded_with_its_data(db_url):
    """A database made at revision 0001 (before login sessions) opens at head, data intact."""
    from alembic import command
    from sqlalchemy import create_engine

    from geo_trygghet.remarks.store import alembic_config

    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
            conn.execute(text("INSERT INTO organisations (name, created_at) VALUES ('Gatukontoret', :t)"),
                         {"t": dt.datetime(2025, 1, 1)})
    finally:
        engine.dispose()
    service = RemarkService(open_store(db_url))
    try:
        assert [o.name for o in service.list_organisations(ADMIN)] == ["Gatukontoret"]
        org = service.list_organisations(ADMIN)[0]
        service.create_user(ADMIN, "gata", "lösenord-123", "problemagare", organisation_id=org.id)
        token = service.start_session(service.login("gata", "lösenord-123"))
        assert service.resume_session(token).username == "gata"
    finally:
        service.close()


def test_foreign_keys_are_enforced(db_url):
    store = open_store(db_url)
    try:
        orphan = {
            "remark_id": str(uuid.uuid4()),
            "at": dt.datetime(2025, 1, 1),
            "actor": "system",
            "to_state": "ny",
        }
        with pytest.raises(IntegrityError), store.write_session() as s:
            s.execute(insert(EventRow.__table__).values(**orphan))
    finally:
        store.dispose()


def test_a_plain_path_is_an_sqlite_file_and_bad_urls_are_one_line_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = open_store("sub/dir/remarks.sqlite")
    assert (tmp_path / "sub" / "dir" / "remarks.sqlite").exists()
    store.dispose()
    with pytest.raises(InputError, match="only sqlite and postgresql"):
        open_store("mysql://u:p@localhost/db")
    with pytest.raises(InputError, match="not an SQLAlchemy URL"):
        open_store("::::://")


def test_default_database_is_the_settings_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GEO_TRYGGHET_DATABASE_URL", raising=False)
    svc = RemarkService()
    try:
        svc.create_walk(ADMIN, "Standard")
    finally:
        svc.close()
    assert (tmp_path / "data" / "geo_trygghet.sqlite").exists()
    monkeypatch.setenv("GEO_TRYGGHET_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    svc = RemarkService()
    try:
        assert svc.list_walks(ADMIN) == []
    finally:
        svc.close()
    assert (tmp_path / "env.sqlite").exists()


def test_in_memory_sqlite_keeps_its_data_across_calls():
    svc = RemarkService("sqlite://")
    try:
        walk = svc.create_walk(ADMIN, "I minnet")
        rid = str(uuid.uuid4())
        assert svc.submit_remark(ADMIN, walk, rid, "annat", "x", lon=15.6, lat=58.4).number == 1
        assert svc.get_remark(ADMIN, rid).walk_title == "I minnet"
    finally:
        svc.close()
