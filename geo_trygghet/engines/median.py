"""Which metric CRS the hot-spot areas use, decided from a file counted in parts.

:func:`geo_trygghet.crs.metric_crs_for` looks at the median longitude and latitude (SWEREF 99 TM
when it lies in Sweden's extent, else the UTM zone of the median). A median needs every value at
once; but whether it lies above or below a given number needs only, per part, how many values lie
below the number and the nearest values on each side. :class:`MedianProbe` keeps that for the
numbers the rule compares with (Sweden's extent, the UTM zone edges, the equator), so that parts
add up to exactly the decision ``metric_crs_for`` takes on the whole file.

>>> import numpy as np
>>> lon, lat = np.array([16.0, 17.0, 18.5, 30.0]), np.array([59.0, 59.5, 60.0, 61.0])
>>> probe = MedianProbe.of(lon[:2], lat[:2]).combine(MedianProbe.of(lon[2:], lat[2:]))
>>> probe.metric_crs().to_epsg()
3006
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import CRS

from ..crs import SWEDEN_BOUNDS, SWEREF99TM

_LON_EDGES = np.array(sorted({SWEDEN_BOUNDS[0], SWEDEN_BOUNDS[2], *(-180.0 + 6.0 * k for k in range(61))}))
_LAT_EDGES = np.array(sorted({SWEDEN_BOUNDS[1], SWEDEN_BOUNDS[3], 0.0}))


@dataclass(frozen=True)
class _Side:
    """For each edge ``b``: values below it (``< b``, or ``<= b`` when ``strict`` is False), the
    largest of them and the smallest of the others."""

    n: int
    below: np.ndarray
    max_below: np.ndarray
    min_above: np.ndarray

    @classmethod
    def of(cls, v: np.ndarray, edges: np.ndarray, strict: bool) -> _Side:
        n = len(v)
        below = np.zeros(len(edges), np.int64)
        max_below = np.full(len(edges), -np.inf)
        min_above = np.full(len(edges), np.inf)
        if n == 0:
            return cls(0, below, max_below, min_above)
        lo, hi = float(v.min()), float(v.max())
        for i, b in enumerate(edges.tolist()):
            if (lo >= b) if strict else (lo > b):  # every value above the edge
                min_above[i] = lo
            elif (hi < b) if strict else (hi <= b):  # every value below it
                below[i], max_below[i] = n, hi
            else:
                under = v < b if strict else v <= b
                below[i] = int(under.sum())
                max_below[i] = float(v[under].max())
                min_above[i] = float(v[~under].min())
        return cls(n, below, max_below, min_above)

    def combine(self, other: _Side) -> _Side:
        return _Side(self.n + other.n, self.below + other.below, np.maximum(self.max_below, other.max_below),
                     np.minimum(self.min_above, other.min_above))


@dataclass(frozen=True)
class MedianProbe:
    """What decides :func:`~geo_trygghet.crs.metric_crs_for` over parts of a file."""

    lon_lt: _Side
    lon_le: _Side
    lat_lt: _Side
    lat_le: _Side

    @classmethod
    def of(cls, lon: np.ndarray, lat: np.ndarray) -> MedianProbe:
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        return cls(_Side.of(lon, _LON_EDGES, True), _Side.of(lon, _LON_EDGES, False),
                   _Side.of(lat, _LAT_EDGES, True), _Side.of(lat, _LAT_EDGES, False))

    def combine(self, other: MedianProbe) -> MedianProbe:
        return MedianProbe(self.lon_lt.combine(other.lon_lt), self.lon_le.combine(other.lon_le),
                           self.lat_lt.combine(other.lat_lt), self.lat_le.combine(other.lat_le))

    @property
    def n(self) -> int:
        return self.lon_lt.n

    def _ge(self, side: _Side, edges: np.ndarray, value: float) -> bool:
        """median >= value (a strict-side edge)."""
        return _decide(side, edges, value, strict=True)

    def _gt(self, side: _Side, edges: np.ndarray, value: float) -> bool:
        """median > value (a ``<=``-side edge)."""
        return _decide(side, edges, value, strict=False)

    def metric_crs(self) -> CRS:
        """The CRS ``metric_crs_for`` gives for all the values the parts were made of."""
        lo0, la0, lo1, la1 = SWEDEN_BOUNDS
        if self.n and self._ge(self.lon_lt, _LON_EDGES, lo0) and not self._gt(self.lon_le, _LON_EDGES, lo1) \
                and self._ge(self.lat_lt, _LAT_EDGES, la0) and not self._gt(self.lat_le, _LAT_EDGES, la1):
            return CRS.from_user_input(SWEREF99TM)
        zone = 1 + sum(self._ge(self.lon_lt, _LON_EDGES, -180.0 + 6.0 * k) for k in range(1, 61))
        north = self._ge(self.lat_lt, _LAT_EDGES, 0.0)
        return CRS.from_epsg((32600 if north else 32700) + zone)


def _decide(side: _Side, edges: np.ndarray, value: float, *, strict: bool) -> bool:
    i = int(np.searchsorted(edges, value))
    n, below = side.n, int(side.below[i])
    if n % 2:
        return below <= n // 2
    half = n // 2
    if below != half:
        return below < half
    middle = float(np.mean([side.max_below[i], side.min_above[i]]))  # the two middle values, as numpy does
    return middle >= value if strict else middle > value
