"""Alembic environment for the remark store.

Run programmatically by :func:`geo_trygghet.remarks.store.upgrade` (which
passes its connection in ``config.attributes["connection"]``), or by hand::

    alembic -x url=sqlite:///data/geo_trygghet.sqlite upgrade head

with a Config whose ``script_location`` is this folder.
"""

from __future__ import annotations

from alembic import context

import geo_trygghet.actionplan.models  # noqa: F401 - the åtgärdsplan's tables share this metadata
from geo_trygghet.remarks.models import Base
from geo_trygghet.remarks.open311 import models as open311_models  # noqa: F401 - so do the Open311 tables

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        from geo_trygghet import settings

        url = settings.database_url()
    return url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from geo_trygghet.remarks.store import make_engine

    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
