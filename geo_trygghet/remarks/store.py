"""The database connection: engine set-up and Alembic migrations.

``open_store(url=None)`` is the one way in. The URL is an SQLAlchemy URL; by
default :func:`geo_trygghet.settings.database_url` (``$GEO_TRYGGHET_DATABASE_URL``
or ``data/geo_trygghet.sqlite`` in the working directory).

SQLite: WAL journal, ``synchronous=NORMAL`` (a commit survives a crash or
``kill -9`` of the app; only a power cut can lose the last commits),
``foreign_keys=ON``, ``busy_timeout`` 30 s, set on every new connection. The driver's own
transaction handling is switched off and SQLAlchemy emits ``BEGIN`` itself, ``BEGIN IMMEDIATE`` for write transactions
(:meth:`Store.write_session`) so that writers queue on the database lock
instead of failing half-way with "database is locked".

PostgreSQL (``postgresql+psycopg://…``): plain READ COMMITTED; writers of the
same walk serialise on the walk's counter row.

On open the schema is brought to the newest Alembic revision
(``alembic upgrade head``), under a lock so that many processes can open the
same new database at once.
"""

from __future__ import annotations

import collections
import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from .. import settings
from ..errors import InputError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
_PG_MIGRATION_LOCK = 7_421_001
_WRITE = "geo_trygghet_write"
_local_migration_lock = threading.Lock()


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across crashes of the app
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get(_WRITE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings described in the module docstring."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - sqlalchemy raises ArgumentError and others
        msg = f"database URL '{url}' is not an SQLAlchemy URL: use e.g. sqlite:///data/geo.sqlite or postgresql+psycopg://user:pw@host/db"
        raise InputError(msg) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        db = parsed.database
        if (
            not db or db == ":memory:"
        ):  # one shared connection, else each would see its own empty database
            engine = create_engine(
                parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
            _sqlite_setup(engine)
            return engine
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            pool_size=10,
            max_overflow=60,
            pool_timeout=60,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _sqlite_setup(engine)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed, pool_size=10, max_overflow=50, pool_timeout=60, pool_pre_ping=True
        )
    msg = f"database URL '{parsed.render_as_string(hide_password=True)}': only sqlite and postgresql are supported"
    raise InputError(msg)


class _FifoLock:
    """A lock handed to waiting threads in arrival order (fair queueing)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: collections.deque[threading.Lock] = collections.deque()
        self._held = False

    def __enter__(self) -> None:
        with self._mutex:
            if not self._held:
                self._held = True
                return
            gate = threading.Lock()
            gate.acquire()
            self._waiters.append(gate)
        gate.acquire()  # released by the previous holder: ownership is handed over

    def __exit__(self, *exc: object) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._held = False


@dataclass
class Store:
    """An engine plus session factories. Open with :func:`open_store`."""

    url: str
    engine: Engine
    _sessions: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time. Threads of this process queue on a
        # first-come-first-served lock instead of polling in SQLite's busy
        # handler, whose growing sleeps starve unlucky writers; other
        # processes still wait through busy_timeout.
        self._write_lock = _FifoLock() if self.engine.dialect.name == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading; closed (its transaction released) at the end.
        Loaded objects keep their values after it closes."""
        with self._sessions() as session:
            yield session

    @contextlib.contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session whose transaction takes the write lock at BEGIN (SQLite) and
        commits at the end, or rolls back on an exception."""
        with contextlib.ExitStack() as stack:
            if self._write_lock is not None:
                stack.enter_context(self._write_lock)
            session = stack.enter_context(self._sessions())
            session.connection(execution_options={_WRITE: True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()

    close = dispose


def alembic_config(engine_url: str | None = None):
    """An Alembic :class:`~alembic.config.Config` pointing inside the package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine_url:
        cfg.set_main_option("sqlalchemy.url", engine_url.replace("%", "%%"))
    return cfg


def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: fall back to the in-process lock only
        yield
        return
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def upgrade(engine: Engine) -> None:
    """Run ``alembic upgrade head`` on ``engine`` unless it is already there."""
    from alembic import command

    head = _head_revision()
    if _current_revision(engine) == head:
        return
    with _local_migration_lock, contextlib.ExitStack() as stack:
        if engine.dialect.name == "sqlite":
            db = engine.url.database
            if db and db != ":memory:":
                stack.enter_context(_file_lock(Path(db + ".migrate-lock")))
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
                conn.commit()
            try:
                if _current_revision(engine) != head:
                    cfg = alembic_config()
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    conn.commit()
            finally:
                if engine.dialect.name == "postgresql":
                    conn.rollback()
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                    conn.commit()


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the database at ``url``.

    ``url`` defaults to :func:`geo_trygghet.settings.database_url`; a plain
    file path is taken as an SQLite file.
    """
    url = url or settings.database_url()
    if "://" not in url:
        url = f"sqlite:///{os.path.abspath(url)}"
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return Store(url=url, engine=engine)


# ---------------------------------------------------------------- test and CI helpers
def create_postgres_database(server_url: str, name: str | None = None) -> str:
    """Create a fresh database on the PostgreSQL server of ``server_url`` and
    return its SQLAlchemy URL (for tests, benchmarks and CI)."""
    import uuid

    import psycopg

    url = make_url(server_url)
    name = name or f"geo_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(autocommit=True, **_conninfo(url)) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name, drivername="postgresql+psycopg").render_as_string(
        hide_password=False
    )


def drop_postgres_database(db_url: str) -> None:
    """Drop the database of ``db_url`` (closing its connections), via the ``postgres`` database."""
    import psycopg

    url = make_url(db_url)
    name = url.database
    with psycopg.connect(autocommit=True, **_conninfo(url.set(database="postgres"))) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _conninfo(url) -> dict:
    info = {
        "host": url.host or "localhost",
        "port": url.port or 5432,
        "dbname": url.database or "postgres",
    }
    if url.username:
        info["user"] = url.username
    if url.password:
        info["password"] = url.password
    return info


class Sessions:
    """A room's reading and writing sessions over one :class:`Store` (the base of the remark and
    the plan repositories)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self.store.read_session() as s:
            yield s

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        with self.store.write_session() as s:
            yield s

    @staticmethod
    def row_by_id(s: Session, model: Any, key: Any, missing: str, *, lock: bool = False) -> Any:
        """The ``model`` row whose ``id`` is ``key`` (locked for update with ``lock``), or
        :class:`~geo_trygghet.errors.NotFoundError` saying ``missing``."""
        from sqlalchemy import select

        from ..errors import NotFoundError

        query = select(model).where(model.id == key)
        row = s.scalars(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFoundError(missing)
        return row
