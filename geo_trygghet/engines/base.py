"""What every engine does: read a file in parts, count, and hand the counts to the same code.

An :class:`Engine` knows how to read an incident file and apply
:func:`~geo_trygghet.engines.parts.summarise` to its parts (all at once in memory, or on Dask);
:meth:`Engine.count` adds the parts up, checks the file as a whole (nothing left after the window
or the boundary: the ingest's one-line errors), classifies the positions and, when area
centroids are left out, counts again without them. :class:`Counted` is what the analyses take.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..errors import DateError
from .parts import PartSpec, PartSummary
from .quality import LocationOutcome

#: progress callback: (label, parts done, parts in all)
Progress = Callable[[str, int, int], None]
#: told the final spec, the incidents per density square and the metric-CRS probe of a count
Ready = Callable[[PartSpec, Any, Any], None]


@dataclass(frozen=True)
class ReadOptions:
    """How to read an incident file: the column options of
    :func:`~geo_trygghet.ingest.read_incidents` and its filters."""

    columns: dict[str, Any] = field(default_factory=dict)
    layer: str | int | None = None
    sheet: str | int | None = None
    since: str | None = None
    until: str | None = None
    boundary: Any = None  # a GeoDataFrame in WGS84 (read_boundary)
    areas: Any = None  # polygons whose central points also mark area centroids
    drop_centroids: bool = False

    @classmethod
    def of(cls, *, boundary: Any = None, require_time: bool = True, **options: Any) -> ReadOptions:
        """From the keyword options of ``read_incidents`` (as the CLI's ``ingest_options`` gives them)."""
        own = {k: options.pop(k, None) for k in ("layer", "sheet", "since", "until", "areas")}
        drop = bool(options.pop("drop_centroids", False))
        return cls(columns={**options, "require_time": require_time}, boundary=boundary, drop_centroids=drop, **own)


@dataclass
class Counted:
    """A file counted: the summary (counts per cell, period, square …), the ingest report and the
    spec it was counted with."""

    summary: PartSummary
    report: Any  # IngestReport
    spec: PartSpec
    outcome: LocationOutcome


class Engine(ABC):
    """Reads an incident file in parts and counts them (see the module docstring)."""

    name = "engine"

    def __init__(self, path: str | Path, read: ReadOptions, progress: Progress | None = None) -> None:
        self.path = Path(path)
        self.read = read
        self.progress = progress or (lambda _label, _done, _total: None)

    @property
    def source(self) -> str:
        return self.path.name

    @abstractmethod
    def summary(self, spec: PartSpec) -> tuple[PartSummary, LocationOutcome]:
        """All parts counted and added up (positions settled and dropped from the summary)."""

    @abstractmethod
    def fetch(self, spec: PartSpec, crs, snap: float):
        """A :data:`~geo_trygghet.hotspots.locations.Fetch` over the used rows of every part."""

    @abstractmethod
    def sample(self):
        """Rows for the whole-file error messages: the whole file, or its first part."""

    def prepare(self, resolutions: tuple[int, ...] = ()) -> None:  # noqa: B027 - engines reading in parts wait
        """Read what can be read before the run's spec is known (the default engine: the whole file,
        and it starts binning it at ``resolutions``)."""

    def close(self) -> None:  # noqa: B027 - most engines hold nothing
        """Release what the engine holds (a Dask cluster)."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def spec(self, **kw: Any) -> PartSpec:
        """A :class:`PartSpec` with this read's window, boundary and centroid rule."""
        from ..ingest.dates import parse_bound

        since = parse_bound(self.read.since, "--since") if self.read.since is not None else None
        until = parse_bound(self.read.until, "--until") if self.read.until is not None else None
        if since is not None and until is not None and until < since:
            msg = f"--until {until.date()} is before --since {since.date()}; swap them"
            raise DateError(msg)
        boundary = None
        if self.read.boundary is not None:
            import shapely

            boundary = shapely.union_all(self.read.boundary.geometry.to_numpy())
            shapely.prepare(boundary)
        return PartSpec(since=since, until=until, boundary=boundary, drop_centroids=self.read.drop_centroids, **kw)

    def count(self, spec: PartSpec, ready: Ready | None = None) -> Counted:
        """Count the file (twice when area centroids are found and left out); ``ready`` gets the
        density squares and the probe of the final count as soon as the engine has them."""
        summary, outcome = self.summary(spec)
        self._check(summary.stages, spec, lambda: summary.dated)
        if spec.drop_centroids and len(outcome.centroid_keys):
            spec = spec.with_exclude(outcome.centroid_keys)
            summary, _ = self.summary(spec)
        if ready is not None:
            ready(spec, summary.squares, summary.probe)
        return Counted(summary, report_of(summary, outcome, self.source), spec, outcome)

    def _check(self, stages: dict[str, int], spec: PartSpec, dated: Callable[[], Any]) -> None:
        """The ingest's one-line errors when nothing is left after the window or the boundary
        (``dated``: the first and last date of every dated row, asked for only then)."""
        if (spec.since is not None or spec.until is not None) and stages["positioned"] and not stages["in_window"]:
            raise DateError(_window_message(self.source, spec, dated()))
        if spec.boundary is not None and stages["in_window"] and not stages["in_boundary"]:
            self._raise_outside(spec)

    def _raise_outside(self, spec: PartSpec) -> None:
        """The ingest's own error for a file whose points all lie outside the boundary."""
        from ..ingest.incidents import _clip
        from .parts import window_masks

        r = self.sample()
        keep, _ = window_masks(r.occurred, r.keep, spec, r.resolution, r.source)
        _clip(r.pos, keep, self.read.boundary, self.source, {})


def _window_message(source: str, spec: PartSpec, dated) -> str:
    if len(dated):
        first = pd.Timestamp(int(dated.values["first"][0]))
        last = pd.Timestamp(int(dated.values["last"][0]))
        span = f"{first.date()} to {last.date()}"
    else:
        span = "no dates"
    win = (f"{spec.since.date() if spec.since is not None else '…'} to "
           f"{spec.until.date() if spec.until is not None else '…'}")
    return f"{source}: no incidents from {win}; the file's dates run from {span}: change --since/--until"


def report_of(summary: PartSummary, outcome: LocationOutcome, source: str):
    """The :class:`~geo_trygghet.ingest.report.IngestReport` of a file counted in parts."""
    from ..ingest.report import IngestReport

    notes = list(summary.notes)
    if summary.no_type and schema.CRIME_TYPE in summary.used:
        notes.append(f"{summary.no_type} rows have no crime type in column '{summary.used[schema.CRIME_TYPE]}'")
    return IngestReport(source=source, rows_read=summary.rows_read, rows_used=summary.rows_used,
                        dropped=dict(summary.dropped), columns=dict(summary.used), crs=summary.crs,
                        time_resolution=summary.time_resolution, unmapped_types=dict(summary.unmapped), notes=notes,
                        location=outcome.quality, geocoded=dict(summary.geocoded))


def without_positions(summary: PartSummary) -> PartSummary:
    """The summary without its table of distinct positions (settled already)."""
    from .keyed import Keyed

    empty = Keyed({"key": np.empty(0, np.int64)}, {"all": np.empty(0, np.int64), "kept": np.empty(0, np.int64)})
    return replace(summary, positions=empty)
