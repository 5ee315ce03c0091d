"""Reading incidents: files, columns, dates, positions, crime types → Brå categories, location quality,
geocoding against an address register (:mod:`.geocode`).

Every reader ends in :func:`incidents_from_frame`, which validates once and
reports everything wrong at once (one line per problem, naming the column and
the fix).
"""

from .incidents import (
    Incidents,
    IngestReport,
    incidents_from_frame,
    read_boundary,
    read_incidents,
    read_table,
)
from .location_quality import LEFT_OUT, LocationQuality, left_out_line

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
