"""Reading incidents: files, columns, dates, positions, crime types → Brå categories, location quality,
geocoding against an address register (:mod:`.geocode`).

Every reader ends in :func:`incidents_from_frame`, which validates once and
reports everything wrong at once (one line per problem, naming the column and
the fix).

The names below are loaded when first used: a command that only starts reading a text file
(:mod:`.files`, with pandas) does not wait for GeoPandas and PROJ to load.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .incidents import (
        Incidents,
        IngestReport,
        incidents_from_frame,
        read_boundary,
        read_incidents,
        read_table,
    )
    from .location_quality import LEFT_OUT, LocationQuality, left_out_line

#: name → the module that holds it
_WHERE = {
    "Incidents": ".incidents",
    "IngestReport": ".incidents",
    "incidents_from_frame": ".incidents",
    "read_boundary": ".incidents",
    "read_incidents": ".incidents",
    "read_table": ".incidents",
    "LEFT_OUT": ".location_quality",
    "LocationQuality": ".location_quality",
    "left_out_line": ".location_quality",
}

__all__ = [
    "LEFT_OUT",
    "Incidents",
    "IngestReport",
    "LocationQuality",
    "incidents_from_frame",
    "read_boundary",
    "read_incidents",
    "read_table",
    "left_out_line",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
