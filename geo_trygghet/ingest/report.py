"""What a read did: :class:`IngestReport` (rows read, used, left out and why, columns, guesses, locations)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import schema
from ..crs import WGS84
from .location_quality import LocationQuality, left_out_line

__all__ = ["AREA_CENTROID", "IngestReport"]

#: reason rows are left out when area centroids are dropped (``drop_centroids=True``, the CLI's default)
AREA_CENTROID = "at an area centroid or placed only to a postort"


@dataclass(frozen=True)
class IngestReport:
    """What :func:`~geo_trygghet.ingest.read_incidents` read, left out and guessed.

    Attributes
    ----------
    source
        The file name (or "the table").
    rows_read, rows_used
        Data rows in the input, and rows in the result.
    dropped
        Reason → rows left out: "no position", "position 0/0", "position not a number",
        "address not found", "no date", "before --since", "after --until", "outside boundary",
        "at an area centroid or placed only to a postort".
    columns
        Role → input column used: lat, lon, x, y, position (one "lat,lon" column),
        geometry, address, time (a date-time or month column), date, clock, crime_type.
    crs
        CRS of the input coordinates, e.g. "EPSG:3006".
    time_resolution
        "minute", "day", "month", or "unknown" (no time column, ``require_time=False``).
    unmapped_types
        Raw crime types (of the rows used) without a Brå category → rows.
    notes
        What was guessed or noticed, one sentence each.
    location
        How precise the positions are (:class:`~geo_trygghet.ingest.location_quality.LocationQuality`),
        counted over the rows kept before area centroids were dropped.
    geocoded
        Geocode level → rows, when the positions came from an address register.
    """

    source: str
    rows_read: int
    rows_used: int
    dropped: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    crs: str = WGS84
    time_resolution: str = schema.RESOLUTION_DAY
    unmapped_types: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    location: LocationQuality = field(default_factory=LocationQuality)
    geocoded: dict[str, int] = field(default_factory=dict)

    def summary_lines(self, lang: str = "en") -> list[str]:
        """Short human lines for the CLI summary."""
        lines = [f"{self.source}: {_n(self.rows_read)} rows read, {_n(self.rows_used)} used"]
        for reason, n in self.dropped.items():
            if n:
                lines.append(f"  left out: {_n(n)} rows ({reason})")
        if self.columns:
            cols = ", ".join(f"{role}={name!r}" for role, name in self.columns.items())
            lines.append(f"  columns: {cols}; coordinates {self.crs}; time resolution {self.time_resolution}")
        if self.geocoded:
            from ..i18n import text

            shown = ", ".join(f"{text('geocode.level.' + k, lang)} {_n(v)}" for k, v in self.geocoded.items() if v)
            lines.append(f"  geocoded: {shown}")
        lines.extend("  " + line for line in self.location.lines(lang))
        if AREA_CENTROID in self.dropped:
            lines.append("  " + left_out_line(self.location, lang))
        if self.unmapped_types:
            top = list(self.unmapped_types.items())[:5]
            shown = ", ".join(f"'{t}' ({n})" for t, n in top)
            more = f" and {len(self.unmapped_types) - 5} more" if len(self.unmapped_types) > 5 else ""
            lines.append(
                f"  crime types without a Brå category: {shown}{more} "
                "(add them to geo_trygghet/ingest/data/crime_types.csv)"
            )
        lines.extend(f"  note: {note}" for note in self.notes)
        return lines


def _n(k: int) -> str:
    return f"{k:,}"
