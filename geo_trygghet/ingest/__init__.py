"""Reading incidents: files, columns, dates, positions, crime types → Brå categories.

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

__all__ = [
    "Incidents",
    "IngestReport",
    "incidents_from_frame",
    "read_boundary",
    "read_incidents",
    "read_table",
]
