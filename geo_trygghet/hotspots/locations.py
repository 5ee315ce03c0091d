"""Incidents snapped to weighted locations in metres, and the search for the dense ones.

The hot-spot areas cluster *locations*: incidents snapped to squares of ``eps / 4`` metres in a
metric CRS, each square one location at the mean of its incidents. The mean is kept as whole
micrometres from the square's corner, summed per square, so that a file snapped in parts adds
up to exactly the same locations (:meth:`SnappedLocations.combine`), whichever engine counted it.

:class:`DenseSearch` decides which incidents need snapping at all: from the incidents per density
square (:mod:`.density`) it asks for the squares around those that can be dense, checks the
locations it is given, and asks again from a lower level only when the density threshold lies
below what it was given (see :func:`~.density.dense_dbscan`). Many areas search side by side, so
that an engine reading a file in parts fetches the locations of every area in one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer

from .. import settings
from ..crs import WGS84
from .density import _BITS, KD_TREE_LOCATIONS, NeedMore, dense_dbscan, dilate, square_bounds

#: micrometres per metre: a location's offsets are summed as whole micrometres
_UM = 1_000_000
#: points per thread when projecting many at once
_CHUNK = 200_000


@dataclass(frozen=True)
class SnappedLocations:
    """Incidents snapped to squares of ``snap`` metres in ``crs``: per (group, square), sorted,
    the incidents, the sums of their offsets from the square's corner in whole micrometres, and
    the largest density bound among them (``group``: the area of a by-area run, else 0)."""

    crs: CRS
    snap: float
    group: np.ndarray
    gx: np.ndarray
    gy: np.ndarray
    weight: np.ndarray
    sum_dx: np.ndarray
    sum_dy: np.ndarray
    bound: np.ndarray

    @property
    def xy(self) -> np.ndarray:
        """The locations (mean of their incidents) in metres, shape (n, 2)."""
        x = self.gx * self.snap + self.sum_dx / self.weight / _UM
        y = self.gy * self.snap + self.sum_dy / self.weight / _UM
        return np.column_stack([x, y])

    def __len__(self) -> int:
        return len(self.weight)

    def take(self, rows: slice | np.ndarray) -> SnappedLocations:
        """The locations at ``rows``."""
        return SnappedLocations(self.crs, self.snap, self.group[rows], self.gx[rows], self.gy[rows],
                                self.weight[rows], self.sum_dx[rows], self.sum_dy[rows], self.bound[rows])

    @classmethod
    def combine(cls, parts: list[SnappedLocations]) -> SnappedLocations:
        """One set of locations from parts snapped alone (same CRS and snap)."""
        def cat(name: str) -> np.ndarray:
            return np.concatenate([getattr(p, name) for p in parts])

        return _grouped(parts[0].crs, parts[0].snap, cat("group"), cat("gx"), cat("gy"), cat("weight"),
                        cat("sum_dx"), cat("sum_dy"), cat("bound"))[0]


def _grouped(crs, snap, group, gx, gy, weight, dx, dy, bound) -> tuple[SnappedLocations, np.ndarray]:
    """Sum the incidents and offsets per (group, square), keep the largest bound; sorted
    (``weight`` None: one incident per point; ``bound`` None: infinite)."""
    if len(gx) == 0:
        empty = np.empty(0, np.int64)
        return SnappedLocations(crs, snap, empty, empty, empty, empty, empty, empty, np.empty(0)), empty
    from ..engines.keyed import row_order

    order, new = row_order([group, gx, gy])
    starts = np.flatnonzero(new)
    inverse = np.empty(len(gx), np.int64)
    inverse[order] = np.cumsum(new) - 1
    first = order[starts]

    def total(v):
        return np.add.reduceat(np.asarray(v, np.int64)[order], starts)

    weights = np.diff(np.r_[starts, len(gx)]) if weight is None else total(weight)  # one each: the run lengths
    top = np.full(len(starts), np.inf) if bound is None else np.maximum.reduceat(np.asarray(bound, float)[order],
                                                                                  starts)
    located = SnappedLocations(crs, snap, group[first], gx[first], gy[first], weights, total(dx), total(dy), top)
    return located, inverse


def snap_points(lon: np.ndarray, lat: np.ndarray, crs: CRS, snap: float, bound: np.ndarray | None = None,
                group: np.ndarray | None = None) -> tuple[SnappedLocations, np.ndarray]:
    """WGS84 points snapped to squares of ``snap`` metres in ``crs``, and each point's location.

    ``bound`` is each point's density bound (default infinite: every location may be dense)."""
    x, y = to_metres(np.asarray(lon, float), np.asarray(lat, float), crs)
    gx = np.floor(x / snap).astype(np.int64)
    gy = np.floor(y / snap).astype(np.int64)
    dx = np.rint((x - gx * snap) * _UM).astype(np.int64)
    dy = np.rint((y - gy * snap) * _UM).astype(np.int64)
    group = np.zeros(len(x), np.int64) if group is None else np.asarray(group, np.int64)
    return _grouped(crs, snap, group, gx, gy, None, dx, dy, bound)


def to_metres(lon: np.ndarray, lat: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 points in ``crs``; many points in a chunk per core (PROJ works outside the GIL, each
    thread with its own transformer)."""
    def part(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        x, y = Transformer.from_crs(WGS84, crs, always_xy=True).transform(lon[rows], lat[rows])
        return np.asarray(x, float), np.asarray(y, float)

    from .grid import in_parallel

    parts = in_parallel(part, len(lon), _CHUNK)
    if len(parts) == 1:
        return parts[0]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


#: Fetch(wanted density squares, sorted, with their bounds) → the snapped locations of their incidents
Fetch = Callable[[np.ndarray, np.ndarray], SnappedLocations]


class InMemoryFetch:
    """A :data:`Fetch` over points in memory (``point_keys``: each point's density square, with its
    group); after a call, ``taken`` are the points fetched and ``inverse`` their locations."""

    def __init__(self, lon: np.ndarray, lat: np.ndarray, point_keys: np.ndarray, crs: CRS, snap: float) -> None:
        self.lon, self.lat, self.point_keys, self.crs, self.snap = lon, lat, point_keys, crs, snap
        self.rows = SquareRows.of(point_keys)
        self.taken = self.inverse = np.empty(0, np.int64)

    def __call__(self, wanted: np.ndarray, bounds: np.ndarray) -> SnappedLocations:
        self.taken, at = self.rows.members(wanted)
        located, self.inverse = snap_points(self.lon[self.taken], self.lat[self.taken], self.crs, self.snap,
                                            bounds[at], self.point_keys[self.taken] >> (2 * _BITS))
        return located


@dataclass(frozen=True)
class SquareRows:
    """Each point's density square as a code into the sorted distinct squares: counting the points
    per square and finding the points in some squares then touch the few squares, not every point's
    key (a binary search per point, in file order, missed the cache every time)."""

    codes: np.ndarray
    squares: np.ndarray

    @classmethod
    def of(cls, point_keys: np.ndarray) -> SquareRows:
        import pandas as pd

        codes, squares = pd.factorize(np.asarray(point_keys, np.int64), sort=True)
        return cls(codes, np.asarray(squares, np.int64))

    def counts(self) -> np.ndarray:
        """The points in each of :attr:`squares`."""
        return np.bincount(self.codes, minlength=len(self.squares)).astype(np.int64)

    def members(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The points whose square is in ``wanted`` (sorted), and each one's row in ``wanted``."""
        if len(wanted) == 0 or len(self.codes) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        pos = np.minimum(np.searchsorted(wanted, self.squares), len(wanted) - 1)
        taken = np.flatnonzero((wanted[pos] == self.squares)[self.codes])
        return taken, pos[self.codes[taken]]


class DenseSearch:
    """The dense locations of one group's incidents counted per density square (``keys`` sorted).

    :meth:`wanted` gives the squares to fetch; :meth:`offer` takes their snapped locations and
    returns the labels (noise -1), or None when the threshold lies lower: then fetch
    :meth:`wanted` again. The first level is a 32nd of the quantile of the square bounds.
    """

    def __init__(self, keys: np.ndarray, counts: np.ndarray, *, eps: float, min_samples: float | None = None) -> None:
        from .clusters import density_min_samples

        self.keys = np.asarray(keys, np.int64)
        self.counts = np.asarray(counts, np.int64)
        self.eps, self.min_samples = float(eps), min_samples
        self.bounds = square_bounds(self.keys, self.counts, eps)
        self.floor = float(settings.cluster_min_samples)
        self.level = float(min_samples) if min_samples is not None else max(
            self.floor, density_min_samples(self.bounds, self.counts) / 32) if len(self.keys) else self.floor

    def wanted(self) -> tuple[np.ndarray, np.ndarray]:
        """The squares (with their bounds) within two squares of one that can reach the level."""
        around = dilate(self.keys[self.bounds >= self.level], 2)
        pos = np.minimum(np.searchsorted(self.keys, around), max(len(self.keys) - 1, 0))
        present = self.keys[pos] == around if len(self.keys) else np.zeros(len(around), bool)
        return around[present], self.bounds[pos[present]]

    def offer(self, located: SnappedLocations, tree: bool = False) -> np.ndarray | None:
        if len(located) == 0:
            return np.empty(0, np.int64)
        try:
            return dense_dbscan(located.xy, located.weight, eps=self.eps, min_samples=self.min_samples, tree=tree,
                                bound=located.bound, outside=float(self.counts.sum() - located.weight.sum()),
                                complete_from=self.level)
        except NeedMore as more:
            self.level = max(self.floor, min(self.level, more.below) / 32)
            return None


def search_groups(keys: np.ndarray, counts: np.ndarray, fetch: Fetch, *, eps: float,
                  min_samples: float | None = None) -> dict[int, tuple[SnappedLocations, np.ndarray]]:
    """Dense locations and labels per group of squares (the group in the keys' top bits), every
    group's squares fetched together in one call per round."""
    from ..engines.keyed import group_slices

    keys = np.asarray(keys, np.int64)
    group = keys >> (2 * _BITS)
    searches: dict[int, DenseSearch] = {}
    for g in np.unique(group).tolist():
        rows = group == g
        searches[int(g)] = DenseSearch(keys[rows], counts[rows], eps=eps, min_samples=min_samples)
    done: dict[int, tuple[SnappedLocations, np.ndarray]] = {}
    todo = dict(searches)
    while todo:
        asks = [s.wanted() for s in todo.values()]
        wanted = np.concatenate([a[0] for a in asks]) if asks else np.empty(0, np.int64)
        bounds = np.concatenate([a[1] for a in asks]) if asks else np.empty(0)
        order = np.argsort(wanted, kind="stable")
        located = fetch(wanted[order], bounds[order])
        slices = group_slices(located.group)
        tree = len(located) > KD_TREE_LOCATIONS
        for g in list(todo):
            mine = located.take(slices[g]) if g in slices else located.take(slice(0, 0))
            labels = todo[g].offer(mine, tree)
            if labels is not None:
                done[g] = (mine, labels)
                del todo[g]
    return done
