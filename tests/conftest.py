"""Shared fixtures. Sections are owned by topic; keep each block self-contained."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from tests._main import restore as restore_main

REPO = Path(__file__).resolve().parents[1]
#: The real data beside the checkout (``../shared/data``); ``GEO_TRYGGHET_SHARED_DATA`` points
#: elsewhere (a git worktree one folder deeper).
SHARED_DATA = Path(os.environ.get("GEO_TRYGGHET_SHARED_DATA") or REPO.parent / "shared" / "data")


# --- the interpreter's __main__ (see tests/_main.py) ---
@pytest.fixture(autouse=True)
def _restore_main():
    """Each test starts and ends with the interpreter's own ``__main__``."""
    restore_main()
    yield
    restore_main()


# --- the cache directory (settings.cache_dir) ---
@pytest.fixture(autouse=True, scope="session")
def _own_cache_dir(tmp_path_factory):
    """The tests (and the commands they start) keep derived data in a directory of their own."""
    os.environ["GEO_TRYGGHET_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield


# --- real data fixtures ---
@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared real data is missing: expected {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def lancashire(shared_data) -> pd.DataFrame:
    """Lancashire ASB 2022 as a frame with lon/lat (56 434 rows)."""
    df = pd.read_csv(shared_data / "lancashire_asb_2022" / "lancashire_asb_2022.csv")
    return df.rename(columns={"longitude": "lon", "latitude": "lat"})


# --- remark store fixtures ---
# db_url: a fresh, empty database per test, once on SQLite (a file in tmp_path)
# and once on PostgreSQL (a new database on the server named by
# $GEO_TRYGGHET_TEST_POSTGRES_URL; skipped when unset, failed when
# $GEO_TRYGGHET_REQUIRE_POSTGRES=1 as in CI). service: a RemarkService on it.
PG_URL_ENV = "GEO_TRYGGHET_TEST_POSTGRES_URL"
PG_REQUIRE_ENV = "GEO_TRYGGHET_REQUIRE_POSTGRES"


def postgres_server_url() -> str:
    """The test PostgreSQL server URL, or skip/fail the test as the environment asks."""
    url = os.environ.get(PG_URL_ENV, "").strip()
    if not url:
        if os.environ.get(PG_REQUIRE_ENV) == "1":
            pytest.fail(f"{PG_URL_ENV} is not set but {PG_REQUIRE_ENV}=1: start PostgreSQL and export its URL")
        pytest.skip(f"PostgreSQL tests need {PG_URL_ENV} (e.g. postgresql+psycopg://geo@127.0.0.1:5433/postgres)")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'remarks.sqlite'}"
        return
    from geo_trygghet.remarks.store import create_postgres_database, drop_postgres_database

    url = create_postgres_database(postgres_server_url())
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
def service(db_url):
    from geo_trygghet.remarks import RemarkService

    svc = RemarkService(db_url)
    try:
        yield svc
    finally:
        svc.close()
@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def module_service(request, tmp_path_factory):
    """One RemarkService per test module and database (tests make their own walks)."""
    from geo_trygghet.remarks import RemarkService

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('remarks') / 'remarks.sqlite'}"
        svc = RemarkService(url)
        yield svc
        svc.close()
        return
    from geo_trygghet.remarks.store import create_postgres_database, drop_postgres_database

    url = create_postgres_database(postgres_server_url())
    svc = RemarkService(url)
    try:
        yield svc
    finally:
        svc.close()
        drop_postgres_database(url)
# --- end remark store fixtures ---
