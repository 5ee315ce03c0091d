"""Weighted DBSCAN that never builds a neighbour graph for points that cannot be dense.

The hot-spot areas (:mod:`.clusters`) are DBSCAN on weighted locations (incidents snapped to
squares of ``eps / 4`` metres). Most locations of a county-sized file lie in sparse countryside
where no location can reach the density threshold; this module proves that from counts and
spends the neighbour searches only where the threshold can be reached.

Two upper bounds of a location's neighbourhood ``N`` (the incidents within ``eps``):

``squares``  the incidents in the 3 × 3 block of *density squares* around any of the location's
             incidents. Density squares are cells of the raw longitude/latitude, at least
             :data:`SQUARE_EPS` × ``eps`` metres on every side up to latitude :data:`LAT_CAP`
             (farther north or south a square's bound is infinite). Any incident counted in
             ``N`` lies within 1.71·eps of each incident of the location (eps, plus twice a snap
             square's diagonal), so inside that block; counting squares needs no projection.
``blocks``   the incidents in the 3 × 3 block of ``eps``-sized squares in metres around the location.

Only locations whose bound reaches a trial threshold get their exact ``N`` (a k-d tree over the
locations near them). The default threshold ``T`` (the weighted ``quantile`` of ``N``, at least
``settings.cluster_min_samples``) is found exactly: a trial ``t`` is proved a lower bound of ``T``
once the locations with bound ``>= t`` have their exact ``N`` and the weight of all locations with
``N < t`` is at most ``quantile`` of the total; ``T`` is then read off the exact values. ``t``
starts at the quantile of the bounds (an upper bound of ``T``) and halves until proved. Clusters
are the connected components of core locations; a border location joins its nearest core location.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import settings

#: density squares are at least this many eps on every side (1.71 eps and a margin for projections)
SQUARE_EPS = 2.2
#: density squares are sized for latitudes up to this; beyond it their bound is infinite
LAT_CAP = 72.0
_M_PER_DEG_LAT = 110_000.0  # fewer than on the ground everywhere: squares come out larger
_M_PER_DEG_LON = 111_320.0
_BITS = 23  # bits of a square's column and row in its key; the rest hold the group (area)


def square_size(eps: float) -> tuple[float, float]:
    """Side of a density square in degrees of longitude and latitude."""
    side = SQUARE_EPS * float(eps)
    return side / (_M_PER_DEG_LON * np.cos(np.radians(LAT_CAP))), side / _M_PER_DEG_LAT


def square_keys(lon: np.ndarray, lat: np.ndarray, eps: float, group: np.ndarray | None = None) -> np.ndarray:
    """The density square (an ``int64`` key, per ``group``) of each WGS84 point."""
    sx, sy = square_size(eps)
    ix = np.floor((np.asarray(lon, float) + 180.0) / sx).astype(np.int64)
    iy = np.floor((np.asarray(lat, float) + 90.0) / sy).astype(np.int64)
    key = (ix << _BITS) | iy
    if group is not None:
        key |= np.asarray(group, np.int64) << (2 * _BITS)
    return key


def _polar(keys: np.ndarray, eps: float) -> np.ndarray:
    sy = square_size(eps)[1]
    row = keys & ((1 << _BITS) - 1)
    lat_lo = row * sy - 90.0
    return (lat_lo + sy > LAT_CAP) | (lat_lo < -LAT_CAP)


def _lookup(sorted_keys: np.ndarray, want: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pos = np.minimum(np.searchsorted(sorted_keys, want), max(len(sorted_keys) - 1, 0))
    return pos, (sorted_keys[pos] == want) if len(sorted_keys) else np.zeros(len(want), bool)


_STEPS = tuple((dx << _BITS) + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1))


def square_bounds(keys: np.ndarray, counts: np.ndarray, eps: float) -> np.ndarray:
    """Per density square (``keys`` sorted): the incidents in the 3 × 3 block around it
    (infinite beyond :data:`LAT_CAP`)."""
    bound = np.zeros(len(keys))
    for step in _STEPS:
        pos, hit = _lookup(keys, keys + step)
        bound[hit] += counts[pos[hit]]
    bound[_polar(keys, eps)] = np.inf
    return bound


def dilate(keys: np.ndarray, rings: int) -> np.ndarray:
    """The sorted density squares within ``rings`` squares (in both directions) of ``keys``."""
    steps = np.array([(dx << _BITS) + dy for dx in range(-rings, rings + 1) for dy in range(-rings, rings + 1)],
                     dtype=np.int64)
    return np.unique((np.asarray(keys, np.int64)[:, None] + steps[None, :]).ravel())


def block_sums(points: np.ndarray, weight: np.ndarray,
               eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Per point: the weight in the 3 × 3 block of ``eps`` squares around its square (an upper
    bound of its neighbourhood), the square's row in ``squares``, the sorted square keys and
    the key's span (the key of the square one to the east is ``key + span``)."""
    key, span = _square_keys(points, eps)
    squares, inverse = np.unique(key, return_inverse=True)
    per_square = np.bincount(inverse, weights=weight)
    block = np.zeros(len(squares))
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            pos, hit = _lookup(squares, squares + dx * span + dy)
            block[hit] += per_square[pos[hit]]
    return block[inverse], inverse, squares, span


def _around(keys: np.ndarray, span: int) -> np.ndarray:
    steps = np.array([dx * span + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1)], dtype=np.int64)
    return np.unique((keys[:, None] + steps[None, :]).ravel())


def _exact_neighbourhood(points: np.ndarray, weight: np.ndarray, which: np.ndarray, eps: float,
                         own: np.ndarray, span: int, tree: bool = False) -> np.ndarray:
    """The exact weight within ``eps`` of the points ``which`` (``own``: each point's square key):
    pairs searched in the ``eps`` squares around each point (NumPy), or with ``tree`` by k-d trees
    (SciPy; faster when there are millions of dense locations, not worth loading for fewer)."""
    pos, hit = _lookup(_around(np.unique(own[which]), span), own)
    candidates = np.flatnonzero(hit)
    if tree:
        from scipy.spatial import cKDTree

        pairs = cKDTree(points[which]).sparse_distance_matrix(cKDTree(points[candidates]), eps,
                                                              output_type="ndarray")
        return np.bincount(pairs["i"], weights=weight[candidates[pairs["j"]]], minlength=len(which))
    at, j, _ = _pairs(points, which, candidates, own, span, eps)
    return np.bincount(at, weights=weight[j], minlength=len(which))


#: dense locations (in one search over every area) from which the searches use k-d trees
KD_TREE_LOCATIONS = 250_000


def _pairs(points: np.ndarray, a: np.ndarray, b: np.ndarray, own: np.ndarray, span: int, eps: float,
           chunk: int = 20_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of a point of ``a`` and a point of ``b`` at most ``eps`` apart: the position in
    ``a``, the point of ``b`` and the squared distance. Only the 3 × 3 ``eps`` squares around each
    point of ``a`` are searched (``own``: each point's square key, ``span``: the key's row length)."""
    steps = [dx * span + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    ob = b[np.argsort(own[b], kind="stable")]
    kb = own[ob]
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(0, len(a), chunk):
        ka = own[a[start:start + chunk]]
        rows, cols = [], []
        for step in steps:
            lo = np.searchsorted(kb, ka + step, side="left")
            n = np.searchsorted(kb, ka + step, side="right") - lo
            total = int(n.sum())
            if total:
                offsets = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
                rows.append(np.repeat(np.arange(len(ka)), n) + start)
                cols.append(ob[np.repeat(lo, n) + offsets])
        if rows:
            i, j = np.concatenate(rows), np.concatenate(cols)
            d = points[a[i]] - points[j]
            d2 = d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]
            ok = d2 <= eps * eps
            found.append((i[ok], j[ok], d2[ok]))
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return (np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found]),
            np.concatenate([f[2] for f in found]))


def components(m: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Connected components of ``m`` nodes joined by the edges (``i``, ``j``), numbered in the order
    of each component's smallest node (as ``scipy.sparse.csgraph.connected_components`` does):
    hooking onto the smaller root and pointer jumping, in whole-array steps."""
    label = np.arange(m)
    while len(i):
        li, lj = label[i], label[j]
        differ = li != lj
        if not differ.any():
            break
        lo, hi = np.minimum(li[differ], lj[differ]), np.maximum(li[differ], lj[differ])
        np.minimum.at(label, hi, lo)
        while True:  # every node straight to its root
            jumped = label[label]
            if (jumped == label).all():
                break
            label = jumped
        keep = label[i] != label[j]
        i, j = i[keep], j[keep]
    return np.unique(label, return_inverse=True)[1]


class NeedMore(Exception):
    """The threshold lies below what the given points can prove: fetch more (from ``below``)."""

    def __init__(self, below: float) -> None:
        super().__init__(below)
        self.below = below


def dense_dbscan(points: np.ndarray, weight: np.ndarray, *, eps: float, min_samples: float | None = None,
                 tree: bool = False,
                 quantile: float | None = None, bound: np.ndarray | None = None, outside: float = 0.0,
                 complete_from: float | None = None) -> np.ndarray:
    """Weighted DBSCAN labels (noise -1) proving sparse points non-core without a neighbour graph.

    ``bound`` (optional) is an upper bound of each point's neighbourhood (the density squares');
    ``outside`` is the weight of incidents not among the points, all with a neighbourhood below
    ``complete_from``, the level from which the points given are every point that can matter.
    Raises :class:`NeedMore` when the default threshold lies below ``complete_from``. With all
    points given (the defaults) the labels equal
    :func:`geo_trygghet.hotspots.clusters.weighted_dbscan`'s, border ties apart.
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    weight = np.asarray(weight, dtype=float)
    n = len(points)
    if n == 0:
        return np.empty(0, np.int64)
    upper, inverse, squares, span = block_sums(points, weight, eps)
    if bound is not None:
        upper = np.minimum(upper, bound)
    own = squares[inverse]
    exact = np.full(n, np.nan)

    def measure(t: float) -> np.ndarray:
        todo = np.flatnonzero((upper >= t) & np.isnan(exact))
        if len(todo):
            exact[todo] = _exact_neighbourhood(points, weight, todo, eps, own, span, tree)
        return upper >= t

    floor = float(settings.cluster_min_samples)
    lowest = floor if complete_from is None else max(floor, float(complete_from))
    if min_samples is None:
        min_samples = _threshold(weight, upper, exact, measure, quantile, outside, lowest,
                                 complete=complete_from is None or complete_from <= floor)
    else:
        if complete_from is not None and min_samples < complete_from:
            raise NeedMore(float(min_samples))
        measure(float(min_samples))
    core = (upper >= min_samples) & (np.nan_to_num(exact, nan=-1.0) >= min_samples)
    near = _lookup(_around(np.unique(own[core]), span), own)[1] if core.any() else np.zeros(n, bool)
    return _link(points, core, eps, near, tree)


def _threshold(weight: np.ndarray, upper: np.ndarray, exact: np.ndarray, measure: Callable[[float], np.ndarray],
               quantile: float | None, outside: float, lowest: float, complete: bool) -> float:
    """The default ``min_samples``: as ``density_min_samples`` over every exact neighbourhood."""
    from .clusters import density_min_samples

    q = settings.cluster_density_quantile if quantile is None else quantile
    floor = float(settings.cluster_min_samples)
    total = float(weight.sum()) + outside
    everything = np.r_[upper, 0.0] if outside else upper
    t = max(lowest, float(density_min_samples(everything, np.r_[weight, outside] if outside else weight, q)))
    while True:
        known = measure(t)
        others = outside + float(weight[~known].sum())
        if others + float(weight[known & (exact < t)].sum()) <= q * total:  # the quantile is >= t
            vals, w = exact[known], weight[known]
            order = np.argsort(vals, kind="stable")
            cum = others + np.cumsum(w[order])
            at = min(int(np.searchsorted(cum, q * total, side="right")), len(order) - 1)
            return max(floor, float(vals[order][at]))
        if t <= lowest:
            if complete:  # more than the quantile lies below the floor: the floor it is
                return floor
            raise NeedMore(t)
        t = max(lowest, t / 2)


def _link(points: np.ndarray, core: np.ndarray, eps: float, near: np.ndarray, tree: bool = False) -> np.ndarray:
    """Labels from the core mask: components of core points, ``near`` non-core points within ``eps``
    of a core point to the nearest one's cluster (the lower core point on a tie)."""
    labels = np.full(len(points), -1, dtype=np.int64)
    core_idx = np.flatnonzero(core)
    if len(core_idx) == 0:
        return labels
    rest = np.flatnonzero(near & ~core)
    if tree:
        from scipy.spatial import cKDTree

        kd = cKDTree(points[core_idx])
        pairs = kd.query_pairs(eps, output_type="ndarray")
        component = components(len(core_idx), pairs[:, 0], pairs[:, 1])
        labels[core_idx] = component
        if len(rest):
            dist, nearest = kd.query(points[rest], k=1, distance_upper_bound=eps)
            hit = np.isfinite(dist) & (dist <= eps)
            labels[rest[hit]] = component[nearest[hit]]
        return labels
    own, span = _square_keys(points, eps)
    at, j, _ = _pairs(points, core_idx, core_idx, own, span, eps)
    position = np.full(len(points), -1, np.int64)
    position[core_idx] = np.arange(len(core_idx))
    first = at < position[j]
    component = components(len(core_idx), at[first], position[j][first])
    labels[core_idx] = component
    if len(rest):
        at, j, d2 = _pairs(points, rest, core_idx, own, span, eps)
        if len(at):
            order = np.lexsort((j, d2, at))  # per point: nearest core point, then the lower one
            at, j = at[order], j[order]
            lead = np.r_[True, at[1:] != at[:-1]]
            labels[rest[at[lead]]] = component[position[j[lead]]]
    return labels


def _square_keys(points: np.ndarray, eps: float) -> tuple[np.ndarray, int]:
    bx = np.floor(points[:, 0] / eps).astype(np.int64)
    by = np.floor(points[:, 1] / eps).astype(np.int64)
    bx -= bx.min() - 1
    by -= by.min() - 1
    span = int(by.max()) + 2
    return bx * span + by, span
