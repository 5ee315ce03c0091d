"""One part of an incident file → the counts the hot-spot analyses need, adding up across parts.

:func:`summarise` takes a part as far as the ingest's first half leaves it
(:class:`~geo_trygghet.ingest.incidents.IncidentRows`), applies the ``since``/``until`` window,
the boundary, the areas of a by-area run and the positions left out as area centroids, and
counts: incidents per (area, H3 cell) at each resolution asked for, per (area, cell, period),
per density square (for the hot-spot areas), per distinct position (for the location quality),
the time span, the convex hull's corners and what decides the metric CRS. Every count is a
whole number kept in a :class:`~geo_trygghet.engines.keyed.Keyed` table, so that
:meth:`PartSummary.combine` gives the same totals whichever way the file was split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from ..ingest.boundary import OUTSIDE
from ..ingest.location_quality import position_keys
from ..ingest.timecols import AFTER_UNTIL, BEFORE_SINCE, RESOLUTION_UNKNOWN
from .keyed import Keyed
from .median import MedianProbe

#: reason rows are left out of a by-area run (a key of the report's ``dropped``)
OUTSIDE_AREAS = "outside every area"
_NAT = np.iinfo(np.int64).min


@dataclass(frozen=True)
class PartSpec:
    """What to count in each part (the same for every part of one run)."""

    resolutions: tuple[int, ...]
    interval: str | None = None
    since: pd.Timestamp | None = None
    until: pd.Timestamp | None = None
    boundary: BaseGeometry | None = None
    areas: Any = None  # an AreaIndex: every area its own study area
    hull: bool = False
    eps_m: float | None = None
    drop_centroids: bool = True
    exclude: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))

    def with_exclude(self, keys: np.ndarray) -> PartSpec:
        return replace(self, exclude=np.unique(np.asarray(keys, np.int64)))


@dataclass
class PartSummary:
    """The counts of one part, or of several added up."""

    rows_read: int
    rows_used: int
    dropped: dict[str, int]
    used: dict[str, str]
    crs: str
    time_resolution: str
    notes: list[str]
    unmapped: dict[str, int]
    no_type: int
    geocoded: dict[str, int]
    places: int
    positions: Keyed
    stages: dict[str, int]
    dated: Keyed
    cells: dict[int, Keyed]
    periods: dict[int, Keyed] | None
    times: Keyed
    squares: Keyed | None
    hull: np.ndarray | None
    probe: MedianProbe

    @classmethod
    def combine(cls, parts: list[PartSummary]) -> PartSummary:
        """The parts added up (in file order: the first part's columns, notes in order of appearance)."""
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        probe = first.probe
        for p in parts[1:]:
            probe = probe.combine(p.probe)
        hulls = [p.hull for p in parts if p.hull is not None]
        return cls(
            rows_read=sum(p.rows_read for p in parts), rows_used=sum(p.rows_used for p in parts),
            dropped=canonical(_sum_dicts([p.dropped for p in parts])), used=first.used, crs=first.crs,
            time_resolution=_finest([p.time_resolution for p in parts]),
            notes=list(dict.fromkeys(n for p in parts for n in p.notes)),
            unmapped=dict(sorted(_sum_dicts([p.unmapped for p in parts]).items(), key=lambda kv: (-kv[1], kv[0]))),
            no_type=sum(p.no_type for p in parts), geocoded=_sum_dicts([p.geocoded for p in parts]),
            places=sum(p.places for p in parts),
            positions=Keyed.combine([p.positions for p in parts]),
            stages=_sum_dicts([p.stages for p in parts]), dated=Keyed.combine([p.dated for p in parts]),
            cells={r: Keyed.combine([p.cells[r] for p in parts]) for r in first.cells},
            periods=None if first.periods is None else {
                r: Keyed.combine([p.periods[r] for p in parts if p.periods is not None]) for r in first.periods},
            times=Keyed.combine([p.times for p in parts]),
            squares=None if first.squares is None else Keyed.combine(
                [p.squares for p in parts if p.squares is not None]),
            hull=np.concatenate(hulls) if hulls else None, probe=probe)


def canonical(dropped: dict[str, int]) -> dict[str, int]:
    """The reasons rows were left out, in the order the ingest of a whole file lists them."""
    from ..ingest.incidents import NO_ADDRESS, NO_DATE
    from ..ingest.positions import BAD_POSITION, NO_POSITION, ZERO_POSITION
    from ..ingest.report import AREA_CENTROID

    order = [NO_POSITION, BAD_POSITION, ZERO_POSITION, NO_ADDRESS, NO_DATE, BEFORE_SINCE, AFTER_UNTIL, OUTSIDE,
             AREA_CENTROID, OUTSIDE_AREAS]
    rank = {k: i for i, k in enumerate(order)}
    return dict(sorted(dropped.items(), key=lambda kv: rank.get(kv[0], len(order))))


def _sum_dicts(dicts: list[dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + int(v)
    return out


_ORDER = ("month", "day", "minute")


def _finest(resolutions: list[str]) -> str:
    """The time resolution of parts read alone: the finest any part shows (``unknown`` if none)."""
    known = [r for r in resolutions if r in _ORDER]
    return max(known, key=_ORDER.index) if known else resolutions[0]


def window_masks(occurred: np.ndarray, keep: np.ndarray, spec: PartSpec, resolution: str,
                 source: str) -> tuple[np.ndarray, dict[str, int]]:
    """``keep`` narrowed to ``since``/``until`` (whole days) without raising when nothing is left:
    that is decided for the whole file (:func:`geo_trygghet.ingest.timecols.window` for one part)."""
    dropped: dict[str, int] = {}
    if spec.since is None and spec.until is None:
        return keep, dropped
    if resolution == RESOLUTION_UNKNOWN:
        from ..errors import SchemaError

        msg = f"{source}: --since/--until need a time column; name it with --time"
        raise SchemaError(msg)
    if spec.since is not None:
        mask = keep & (occurred < spec.since.to_datetime64())
        if mask.any():
            dropped[BEFORE_SINCE] = int(mask.sum())
        keep = keep & ~mask
    if spec.until is not None:
        mask = keep & (occurred >= (spec.until + pd.Timedelta(days=1)).to_datetime64())
        if mask.any():
            dropped[AFTER_UNTIL] = int(mask.sum())
        keep = keep & ~mask
    return keep, dropped


def assign_areas(lon: np.ndarray, lat: np.ndarray, areas: tuple[BaseGeometry, ...]) -> np.ndarray:
    """The first area (position in ``areas``) whose interior holds each point, or -1.

    Large arrays are split over the cores (GEOS runs outside the GIL)."""
    out = np.full(len(lon), -1, np.int64)
    if len(lon) == 0:
        return out
    tree = shapely.STRtree(list(areas))

    def part(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        which, area = tree.query(shapely.points(lon[rows], lat[rows]), predicate="within")
        return which + (rows.start or 0), area

    import os

    workers = min(os.cpu_count() or 1, 4, max(len(lon) // 200_000, 1))
    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        cuts = np.linspace(0, len(lon), workers + 1).astype(int)
        with ThreadPoolExecutor(workers) as pool:
            found = list(pool.map(part, [slice(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]))
        which, area = np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])
    else:
        which, area = part(slice(0, len(lon)))
    if len(which):
        order = np.lexsort((area, which))  # per point its lowest area first
        which, area = which[order], area[order]
        first = np.r_[True, which[1:] != which[:-1]]
        out[which[first]] = area[first]
    return out


@dataclass
class Selection:
    """The rows of one part that a run uses (positions, times, areas), and what was left out."""

    lon: np.ndarray
    lat: np.ndarray
    when: np.ndarray
    group: np.ndarray
    dropped: dict[str, int]
    positions: Keyed
    places: int
    stages: dict[str, int]
    unmapped: dict[str, int]
    no_type: int
    cells: dict[int, np.ndarray] = field(default_factory=dict)  # the rows' cells, where already binned
    early: tuple[Keyed | None, MedianProbe] | None = None  # squares and probe, once counted (:func:`early_counts`)
    square: Any = None  # each row's density square (:class:`~geo_trygghet.hotspots.locations.SquareRows`), once known
    binning: Any = None  # the part's cells binned in the background (:class:`Prebinned`) …
    taken: np.ndarray | slice | None = None  # … and the part's rows these are (every row: a slice)

    def binned(self) -> dict[int, np.ndarray]:
        """The rows' cells at every resolution binned so far (waiting for the background binning)."""
        if self.binning is not None and self.taken is not None:
            for res in self.binning.resolutions:
                if res not in self.cells:
                    self.cells[res] = self.binning.cells(res)[self.taken]
        return self.cells


class Prebinned:
    """The H3 cells of every row of a part with a position, binned in a background thread (h3ronpy
    works outside the GIL) while the rows are selected; rows without a position get cell 0."""

    def __init__(self, lon: np.ndarray, lat: np.ndarray, resolutions: tuple[int, ...]) -> None:
        from ..hotspots.grid import in_background, points_to_cell_ints

        self.resolutions = tuple(resolutions)
        finite = np.isfinite(lon) & np.isfinite(lat)
        every = bool(finite.all())

        def binned(res: int) -> np.ndarray:
            if every:
                return points_to_cell_ints(lon, lat, res)
            out = np.zeros(len(lon), np.uint64)
            out[finite] = points_to_cell_ints(lon[finite], lat[finite], res)
            return out

        def every_resolution() -> dict[int, np.ndarray]:
            return {res: binned(res) for res in self.resolutions}

        self._later = in_background(every_resolution, name="binning")

    def cells(self, res: int) -> np.ndarray:
        return self._later.result()[res]


def select(r, spec: PartSpec, binning: Prebinned | None = None) -> Selection:
    """The rows a run uses of one part (``r``: :class:`~geo_trygghet.ingest.incidents.IncidentRows`;
    ``binning``: its cells, when they are being binned already)."""
    lon, lat = r.pos.lon, r.pos.lat
    keep, dropped = r.keep, dict(r.dropped)
    stages = {"positioned": int(keep.sum())}
    keep, more = window_masks(r.occurred, keep, spec, r.resolution, r.source)
    dropped.update(more)
    stages["in_window"] = int(keep.sum())
    if spec.boundary is not None and keep.any():
        idx = np.flatnonzero(keep)
        inside = shapely.contains_xy(spec.boundary, lon[idx], lat[idx])
        if (~inside).any():
            dropped[OUTSIDE] = int((~inside).sum())
            keep = keep.copy()
            keep[idx[~inside]] = False
    stages["in_boundary"] = int(keep.sum())
    finite = np.isfinite(lon) & np.isfinite(lat)
    every = bool(finite.all())  # (then no copies of a million rows below)
    coarse = r.geo.coarse & finite if r.geo is not None else None
    if every:
        keys = position_keys(lon, lat)
    else:
        keys = np.zeros(len(lon), np.int64)
        keys[finite] = position_keys(lon[finite], lat[finite])
    plain = keep & ~coarse if coarse is not None else keep
    positions = _positions(keys, plain) if every else _positions(keys[finite], plain[finite])
    places = int((keep & coarse).sum()) if coarse is not None else 0
    if spec.drop_centroids:
        left = keep & np.isin(keys, spec.exclude) if len(spec.exclude) else np.zeros(len(keep), bool)
        if coarse is not None:
            left |= keep & coarse
        if left.any():
            from ..ingest.report import AREA_CENTROID

            dropped[AREA_CENTROID] = int(left.sum())
            keep = keep & ~left
    group = np.zeros(len(lon), np.int64)
    binned: dict[int, np.ndarray] = {}
    if spec.areas is not None:
        from ..hotspots.grid import points_to_cell_ints

        idx = np.flatnonzero(keep)
        res = spec.areas.resolution
        cells = binning.cells(res)[idx] if binning is not None and res in binning.resolutions \
            else points_to_cell_ints(lon[idx], lat[idx], res)
        group[idx] = spec.areas.assign(lon[idx], lat[idx], cells)
        outside = keep & (group < 0)
        if outside.any():
            dropped[OUTSIDE_AREAS] = int(outside.sum())
            keep = keep & ~outside
        if res in spec.resolutions:
            binned[res] = cells[group[idx] >= 0]
    idx = np.flatnonzero(keep)
    rows: np.ndarray | slice
    if len(idx) == len(keep):  # every row: the columns themselves (nothing changes them)
        rows, crime = slice(None), r.crime
    else:
        rows, crime = idx, r.crime.iloc[idx]
    unmapped, no_type = _unmapped(crime) if "crime_type" in r.used else ({}, 0)
    return Selection(lon[rows], lat[rows], r.occurred[rows], group[rows], dropped, positions, places, stages,
                     unmapped, no_type, binned, binning=binning, taken=rows)


def _positions(keys: np.ndarray, kept: np.ndarray) -> Keyed:
    """Incidents per distinct position: all of them, and those kept."""
    uniq, counts = np.unique(keys, return_counts=True)
    if kept.all():
        on = counts
    else:
        ku, kc = np.unique(keys[kept], return_counts=True)
        on = np.zeros(len(uniq), np.int64)
        on[np.searchsorted(uniq, ku)] = kc
    return Keyed({"key": uniq}, {"all": counts.astype(np.int64), "kept": on.astype(np.int64)})


def _unmapped(crime: pd.Series) -> tuple[dict[str, int], int]:
    """The crime types without a Brå category (label → rows, as ``categorize`` counts them) and the
    rows without a type; each distinct type looked up once."""
    from ..ingest.crime_types import categorize

    counts = crime.value_counts(dropna=True, sort=False)  # (Arrow's own count for Arrow text)
    _, labels = categorize(pd.Series(counts.index, dtype=object))
    unmapped: dict[str, int] = {}
    for raw, n in zip(counts.index, counts.tolist(), strict=True):
        label = " ".join(str(raw).split())
        if label in labels:
            unmapped[label] = unmapped.get(label, 0) + n
    return dict(sorted(unmapped.items(), key=lambda kv: (-kv[1], kv[0]))), int(len(crime) - counts.sum())


def early_counts(sel: Selection, spec: PartSpec) -> tuple[Keyed | None, MedianProbe]:
    """The counts the hot-spot areas start from (incidents per density square, or None without
    ``eps_m``) and the probe that decides the metric CRS, counted once per selection: an engine
    holding the whole file hands them on before it bins the cells."""
    if sel.early is None:
        rows = square_of(sel, spec) if spec.eps_m is not None else None
        squares = Keyed({"square": rows.squares}, {"count": rows.counts()}) if rows is not None else None
        sel.early = (squares, MedianProbe.of(sel.lon, sel.lat))
    return sel.early


def square_of(sel: Selection, spec: PartSpec):
    """Each selected row's density square, as
    :class:`~geo_trygghet.hotspots.locations.SquareRows` (worked out once per selection)."""
    from ..hotspots.density import square_keys
    from ..hotspots.locations import SquareRows

    assert spec.eps_m is not None
    if sel.square is None:
        sel.square = SquareRows.of(square_keys(sel.lon, sel.lat, spec.eps_m, sel.group))
    return sel.square


def summarise(r, spec: PartSpec, chosen: Selection | None = None) -> PartSummary:
    """The counts of one part (``r``: :class:`~geo_trygghet.ingest.incidents.IncidentRows`;
    ``chosen``: its :func:`select`, when already made)."""
    sel = select(r, spec) if chosen is None else chosen
    counts = _counts(sel.lon, sel.lat, sel.when, sel.group, spec, sel.binned)
    counts["squares"], counts["probe"] = early_counts(sel, spec)
    return PartSummary(
        rows_read=r.rows_read, rows_used=len(sel.lon), dropped=sel.dropped, used=dict(r.used), crs=r.pos.crs,
        time_resolution=r.resolution, notes=list(r.notes), unmapped=sel.unmapped, no_type=sel.no_type,
        geocoded=r.geo.counts() if r.geo is not None else {}, places=sel.places, positions=sel.positions,
        stages=sel.stages, dated=_dated_span(r), **counts)


def _dated_span(r) -> Keyed:
    """First and last date of every dated row (kept or not), for the window's error message."""
    stamp = r.occurred[~np.isnat(r.occurred)].astype("datetime64[ns]").astype(np.int64)
    return Keyed.of({"all": np.zeros(len(stamp), np.int64)}, {"first": stamp, "last": stamp},
                    maxed=("last",), minned=("first",))


def fetch_part(sel: Selection, spec: PartSpec, wanted: np.ndarray, bounds: np.ndarray, crs, snap: float):
    """The snapped locations of a part's used rows in the ``wanted`` density squares (sorted)."""
    from ..hotspots.locations import snap_points

    taken, at = square_of(sel, spec).members(wanted)
    return snap_points(sel.lon[taken], sel.lat[taken], crs, snap, bounds[at], sel.group[taken])[0]


def _counts(lon: np.ndarray, lat: np.ndarray, when: np.ndarray, group: np.ndarray, spec: PartSpec,
            binned: Callable[[], dict[int, np.ndarray]] | None = None) -> dict:
    """The counts per cell, (cell, period) and time, and the hull's corners (the density squares
    and the probe: :func:`early_counts`); ``binned`` gives the cells already binned (asked for
    last: what needs no cells is counted while they are binned in the background)."""
    from ..hotspots.grid import points_to_cell_ints

    hull = _hull_corners(lon, lat) if spec.hull else None
    dated = ~np.isnat(when)
    stamp = when.astype("datetime64[ns]").astype(np.int64)
    cells: dict[int, Keyed] = {}
    periods: dict[int, Keyed] | None = {} if spec.interval else None
    ordinal = None
    if spec.interval:
        from ..hotspots.cube import period_ordinals

        ordinal = period_ordinals(when[dated], spec.interval)
    times = Keyed.of({"group": group[dated]}, {"first": stamp[dated], "last": stamp[dated]},
                     maxed=("last",), minned=("first",))
    done = binned() if binned is not None else {}
    for res in spec.resolutions:
        cell = done[res] if res in done else points_to_cell_ints(lon, lat, res)
        cells[res] = Keyed.of({"group": group, "cell": cell})
        if periods is not None and ordinal is not None:
            periods[res] = Keyed.of({"group": group[dated], "cell": cell[dated], "period": ordinal})
    return {"cells": cells, "periods": periods, "times": times, "hull": hull}


def _hull_corners(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The corners of the points' convex hull (all the points when there are too few for one)."""
    from ..hotspots.grid import hull_corners

    return hull_corners(lon, lat)
