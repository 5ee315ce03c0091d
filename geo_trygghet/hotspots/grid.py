"""The H3 grid: points to cells, the study area (empty cells included), cell
polygons, counts per cell and per period, and the ring-1 neighbour graph.

H3 stays behind this module. Cell ids are ``str`` in frames and files (the
``basic_str`` convention) and ``uint64`` inside, where the speed is.

Examples
--------
>>> import numpy as np
>>> cells = points_to_cells(np.array([18.07]), np.array([59.33]), 9)
>>> cells[0]
'891f30f5e33ffff'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat

import geopandas as gpd
import h3
import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from .. import schema as S
from ..crs import WGS84
from ..errors import InputError

#: Points per thread at least when binning in parallel.
_CHUNK = 250_000
#: The largest study area (in cells) we build before asking for a coarser grid.
MAX_CELLS = 3_000_000


def _check_resolution(resolution: int) -> int:
    if not isinstance(resolution, (int, np.integer)) or not 0 <= int(resolution) <= 15:
        msg = (f"H3 resolution must be a whole number from 0 to 15, got {resolution!r}; "
               "9 (cells of about 0.1 km²) suits a town")
        raise InputError(msg)
    return int(resolution)


def points_to_cell_ints(lon: np.ndarray, lat: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cells (``uint64``) of WGS84 points, binned in whole-array steps.

    h3ronpy (H3's algorithm in Rust over the whole array, without the GIL) bins the
    points; the test suite checks it against h3-py cell for cell on 10^6 points in
    Sweden. Arrays that are not all finite go through h3-py point by point, which
    raises H3's own error for the bad one.
    """
    resolution = _check_resolution(resolution)
    lon = np.ascontiguousarray(lon, dtype=float)
    lat = np.ascontiguousarray(lat, dtype=float)
    if len(lon) == 0:
        return np.empty(0, dtype=np.uint64)
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        return points_to_cell_ints_h3py(lon, lat, resolution)
    from h3ronpy.vector import coordinates_to_cells

    def part(rows: slice) -> np.ndarray:
        return np.asarray(coordinates_to_cells(lat[rows], lon[rows], resolution), dtype=np.uint64)

    return _in_parallel(part, len(lon), _CHUNK)  # h3ronpy releases the GIL: one chunk per core


def points_to_cell_ints_h3py(lon: np.ndarray, lat: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cells (``uint64``) of WGS84 points, one h3-py call per point (the reference)."""
    resolution = _check_resolution(resolution)
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    cells = map(h3i.latlng_to_cell, lat.tolist(), lon.tolist(), repeat(resolution))
    return np.fromiter(cells, dtype=np.uint64, count=len(lat))


def to_str(cells: np.ndarray) -> np.ndarray:
    """``uint64`` cells to H3 strings (an object array)."""
    ints = np.asarray(cells, dtype=np.uint64)
    if len(ints) > 1000:
        import pyarrow as pa
        from h3ronpy import cells_to_string

        try:  # whole array at once; h3ronpy refuses invalid cells, which the loop below writes all the same
            return np.asarray(pa.array(cells_to_string(pa.array(ints))).to_numpy(zero_copy_only=False), dtype=object)
        except ValueError:
            pass
    return np.array([format(int(c), "x") for c in ints], dtype=object)


@lru_cache(maxsize=1)
def WGS84_CRS():
    """The WGS84 CRS object (parsing "EPSG:4326" for every frame costs more than the frame)."""
    from pyproj import CRS

    return CRS.from_user_input(WGS84)


def to_int(cells) -> np.ndarray:
    """H3 strings to ``uint64`` cells."""
    return np.fromiter((int(c, 16) for c in cells), dtype=np.uint64)


def points_to_cells(lon: np.ndarray, lat: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cell ids (``str``) of WGS84 points."""
    return to_str(points_to_cell_ints(lon, lat, resolution))


def cell_polygons(cells) -> gpd.GeoSeries:
    """Hexagon polygons (EPSG:4326) of H3 cells given as strings or ``uint64``."""
    return gpd.GeoSeries(cell_polygon_array(cells), crs=WGS84)


def cell_polygon_array(cells) -> np.ndarray:
    """Hexagon (and pentagon) polygons of H3 cells as a shapely array, built in whole-array steps
    (h3ronpy's boundaries as WKB, :func:`cell_wkb`; H3's vertices to within 1e-13°)."""
    ints = _as_ints(cells)
    if len(ints) == 0:
        return np.empty(0, dtype=object)
    return shapely.from_wkb(cell_wkb(ints))


def cell_wkb(cells: np.ndarray):
    """The hexagons (and pentagons) of ``uint64`` cells as a pyarrow array of WKB, built by
    h3ronpy outside the GIL, a chunk per core."""
    import pyarrow as pa
    from h3ronpy.vector import cells_to_wkb_polygons

    ints = np.asarray(cells, dtype=np.uint64)
    parts = in_parallel(lambda rows: pa.array(cells_to_wkb_polygons(pa.array(ints[rows]))), len(ints), _CHUNK // 8)
    return parts[0] if len(parts) == 1 else pa.chunked_array(parts).combine_chunks()


def core_slices(n: int, chunk: int) -> list[slice]:
    """``n`` rows cut into one slice per core (at most four, each at least ``chunk`` rows; one
    slice when there are few rows)."""
    workers = max(1, min(os.cpu_count() or 1, 4, n // chunk))
    cuts = np.linspace(0, n, workers + 1).astype(int)
    return [slice(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


def in_parallel(part, n: int, chunk: int) -> list:
    """``part`` over :func:`core_slices` of ``n`` rows, a thread each (for work that runs outside
    the GIL: h3ronpy, GEOS, PROJ), the results in order."""
    slices = core_slices(n, chunk)
    if len(slices) < 2:
        return [part(slices[0])]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(slices)) as pool:
        return list(pool.map(part, slices))


def in_background(work, *args, name: str):
    """``work(*args)`` in a thread of its own (for work that runs outside the GIL while this
    thread goes on); the future of its result."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1, thread_name_prefix=name)
    later = pool.submit(work, *args)
    pool.shutdown(wait=False)
    return later


def _in_parallel(part, n: int, chunk: int) -> np.ndarray:
    """:func:`in_parallel`, the parts' arrays concatenated."""
    parts = in_parallel(part, n, chunk)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _as_ints(cells) -> np.ndarray:
    arr = np.asarray(cells)
    if arr.dtype.kind in "ui":
        return arr.astype(np.uint64)
    return to_int(arr)


def _hull(lon: np.ndarray, lat: np.ndarray) -> BaseGeometry:
    """The convex hull of the points (a line or a point when they do not span an area)."""
    return shapely.MultiPoint(hull_corners(lon, lat)).convex_hull


def hull_corners(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The corners of the points' convex hull as (lon, lat) rows (the distinct points when they do
    not span an area). Points well inside the polygon of the eight extreme points (least and most
    lon, lat, lon + lat and lon − lat) cannot be corners and are left out first (Akl–Toussaint);
    GEOS makes the hull of the rest."""
    x, y = np.asarray(lon, float), np.asarray(lat, float)
    pts = _outside_octagon(x, y) if len(x) > 64 else np.column_stack([x, y])
    hull = shapely.convex_hull(shapely.multipoints(pts)) if len(pts) else shapely.Polygon()
    if hull.geom_type == "Polygon" and not hull.is_empty:
        return shapely.get_coordinates(hull.exterior)[:-1]
    return np.unique(pts, axis=0)


def _outside_octagon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The points (lon, lat rows) not well inside the polygon of the eight extreme points. Most
    points lie in a box inside that polygon, which four comparisons rule out; only the rest are
    tested against its eight edges."""
    extremes = np.unique([f(v) for v in (x, y, x + y, x - y) for f in (np.argmin, np.argmax)])
    corner = np.column_stack([x[extremes], y[extremes]])
    centre = corner.mean(axis=0)
    ring = corner[np.argsort(np.arctan2(corner[:, 1] - centre[1], corner[:, 0] - centre[0]))]
    if len(ring) < 3:
        return np.column_stack([x, y])
    scale = float(max(np.ptp(x), np.ptp(y))) or 1.0
    edges = list(zip(ring, np.roll(ring, -1, axis=0), strict=True))  # a counter-clockwise ring

    def inside(px: np.ndarray, py: np.ndarray, margin: float = 1e-9 * scale * scale) -> np.ndarray:
        ok = np.ones(len(px), bool)
        for a, b in edges:
            ok &= (b[0] - a[0]) * (py - a[1]) - (b[1] - a[1]) * (px - a[0]) > margin
        return ok

    rest = np.arange(len(x))
    box = _inner_box(ring, centre, lambda px, py: inside(px, py, 2e-9 * scale * scale))
    if box is not None:  # inside (by twice the margin) at its corners, so everywhere in it
        x0, x1, y0, y1 = box
        rest = np.flatnonzero((x <= x0) | (x >= x1) | (y <= y0) | (y >= y1))
    px, py = x[rest], y[rest]
    out = ~inside(px, py)
    return np.column_stack([px[out], py[out]])


def _inner_box(ring: np.ndarray, centre: np.ndarray, inside) -> tuple[float, float, float, float] | None:
    """The largest box (x0, x1, y0, y1) around ``centre`` like the ring's bounding box, shrunk
    towards it, whose corners are all ``inside`` (None where none is)."""
    lo, hi = ring.min(axis=0), ring.max(axis=0)

    def box(s: float) -> tuple[float, float, float, float]:
        (x0, y0), (x1, y1) = centre + s * (lo - centre), centre + s * (hi - centre)
        return float(x0), float(x1), float(y0), float(y1)

    def fits(s: float) -> bool:
        x0, x1, y0, y1 = box(s)
        return bool(inside(np.array([x0, x1, x1, x0]), np.array([y0, y0, y1, y1])).all())

    if not fits(0.0):
        return None
    a, b = 0.0, 1.0
    for _ in range(24):
        m = (a + b) / 2
        a, b = (m, b) if fits(m) else (a, m)
    return box(a)


def _polygon_cells(geom: BaseGeometry, resolution: int) -> np.ndarray:
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return np.empty(0, dtype=np.uint64)
    estimate = estimated_cells(geom, resolution)
    if estimate > MAX_CELLS:
        msg = (f"the study area would have about {estimate:,} H3 cells at resolution {resolution}; "
               f"use a coarser --resolution or a smaller --boundary")
        raise InputError(msg)
    return np.sort(np.asarray(h3i.geo_to_cells(geom, resolution), dtype=np.uint64))


def estimated_cells(geom: BaseGeometry, resolution: int) -> int:
    """About how many H3 cells at ``resolution`` cover ``geom`` (from its area in degrees)."""
    lat = geom.centroid.y
    # area in km² from degrees (good enough for an estimate)
    km2 = geom.area * (111.32**2) * max(np.cos(np.radians(lat)), 0.05)
    return int(km2 / h3.average_hexagon_area(resolution, unit="km^2"))


@dataclass(frozen=True)
class Grid:
    """The cells of a study area and, for each incident, the row of its cell.

    Attributes
    ----------
    cells
        Sorted ``uint64`` cell ids of the study area (empty cells included).
    incident_cell
        For each incident given, the position of its cell in ``cells``, or -1
        when it lies outside the study area.
    resolution
        The H3 resolution.
    """

    cells: np.ndarray
    incident_cell: np.ndarray
    resolution: int

    @property
    def h3(self) -> np.ndarray:
        return to_str(self.cells)

    def counts(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Incidents per cell (``int64``), optionally only where ``mask`` is true."""
        idx = self.incident_cell if mask is None else self.incident_cell[np.asarray(mask, bool)]
        idx = idx[idx >= 0]
        return np.bincount(idx, minlength=len(self.cells)).astype(np.int64)


def build_grid(lon: np.ndarray, lat: np.ndarray, *, resolution: int = 9,
               boundary: BaseGeometry | None = None) -> Grid:
    """Bin WGS84 points into H3 cells over the whole study area.

    The study area is ``boundary`` (cells whose centre lies inside it) or else
    the cells whose centre lies within the convex hull of the points; in both
    cases every cell that holds a point inside the area is added, so no
    incident is lost at the edge. Cells without incidents are kept.
    """
    resolution = _check_resolution(resolution)
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    point_cells = points_to_cell_ints(lon, lat, resolution)
    if boundary is not None:
        inside = shapely.contains_xy(boundary, lon, lat)
        area = _polygon_cells(boundary, resolution)
        extra = point_cells[inside]
    else:
        inside = np.ones(len(lon), dtype=bool)
        area = _polygon_cells(_hull(lon, lat), resolution) if len(lon) else np.empty(0, np.uint64)
        extra = point_cells
    cells = np.union1d(area, np.unique(extra)).astype(np.uint64)
    pos = np.searchsorted(cells, point_cells)
    pos = np.clip(pos, 0, max(len(cells) - 1, 0))
    found = (cells[pos] == point_cells) & inside if len(cells) else np.zeros(len(lon), bool)
    incident_cell = np.where(found, pos, -1).astype(np.int64)
    return Grid(cells=cells, incident_cell=incident_cell, resolution=resolution)


def grid_from_counts(point_cells: np.ndarray, counts: np.ndarray, *, resolution: int,
                     area: BaseGeometry | None = None, corners: np.ndarray | None = None,
                     study: np.ndarray | None = None) -> tuple[Grid, np.ndarray]:
    """The study area's grid and its incidents per cell, from incidents counted per cell.

    ``point_cells`` (sorted ``uint64``) and ``counts`` are the cells holding incidents; the
    study area is ``area`` (cells whose centre lies inside it) or, without one, the cells within
    the convex hull of ``corners`` (lon, lat rows: the incidents' hull corners); the cells holding
    incidents are always in it, as :func:`build_grid` does. The grid has no per-incident rows.
    ``study`` gives the cells of ``area`` when they are known already.
    """
    resolution = _check_resolution(resolution)
    point_cells = np.asarray(point_cells, dtype=np.uint64)
    if study is None:
        if area is None:
            pts = np.asarray(corners, float).reshape(-1, 2) if corners is not None else np.empty((0, 2))
            area = _hull(pts[:, 0], pts[:, 1]) if len(pts) else None
        study = _polygon_cells(area, resolution) if area is not None else np.empty(0, np.uint64)
    cells = _union_sorted(np.asarray(study, np.uint64), point_cells)
    full = np.zeros(len(cells), np.int64)
    if len(point_cells):
        full[np.searchsorted(cells, point_cells)] = np.asarray(counts, np.int64)
    return Grid(cells=cells, incident_cell=np.empty(0, np.int64), resolution=resolution), full


def _union_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The union of two sorted arrays of distinct cells, sorted: ``a`` itself when it holds all of
    ``b`` already (the study area holds the cells with incidents, as a rule)."""
    if len(a) and len(b):
        pos = np.minimum(np.searchsorted(a, b), len(a) - 1)
        if (a[pos] == b).all():
            return a
    return np.union1d(a, b).astype(np.uint64)


def neighbour_graph(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ring-1 neighbours within the study area, as CSR arrays ``(indptr, indices)``.

    ``cells`` must be sorted ``uint64`` ids (as in :class:`Grid`). The cell
    itself is not among its neighbours; Gi* adds it. Neighbours are found in
    H3's local IJ coordinates (one cheap call per cell, then vectorised
    look-ups of the six lattice offsets); where local IJ is undefined (a
    pentagon, or cells too far apart) it falls back to ``grid_disk``. Both give
    exactly ``grid_disk(cell, 1)`` restricted to the study area. The local IJ
    coordinates come from h3ronpy for the whole array (the same as h3-py's
    ``cell_to_local_ij``, checked by the tests).
    """
    cells = np.asarray(cells, dtype=np.uint64)
    n = len(cells)
    if n == 0:
        return np.zeros(1, dtype=np.int64), np.empty(0, dtype=np.int64)
    try:
        owner, nb = _neighbours_local_ij(cells)
    except (h3.H3BaseException, ValueError):
        owner, nb = _neighbours_grid_disk(cells)
    order = np.argsort(owner, kind="stable")
    owner, nb = owner[order], nb[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=indptr[1:])
    return indptr, nb.astype(np.int64)


#: The six ring-1 offsets in H3's IJ coordinates.
_IJ_OFFSETS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1))


def _neighbours_local_ij(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if any(h3i.is_pentagon(int(c)) for c in cells[:1]) or _has_pentagon(cells):
        raise ValueError("pentagon in the study area")
    import pyarrow as pa
    from h3ronpy import cells_to_localij

    origin = int(cells[len(cells) // 2])
    local = pa.record_batch(cells_to_localij(pa.array(cells), origin))  # h3-py's cell_to_local_ij, whole array
    i = local.column("i").to_numpy().astype(np.int64)
    j = local.column("j").to_numpy().astype(np.int64)
    lo_i, lo_j = i.min() - 1, j.min() - 1
    span = int(j.max() - lo_j) + 2
    key = (i - lo_i) * span + (j - lo_j)
    size = (int(i.max() - lo_i) + 2) * span
    owners, nbs = [], []
    if size <= 8 * len(cells) + 1024:  # a compact area: each lattice position's cell looked up directly
        at = np.full(size, -1, np.int64)
        at[key] = np.arange(len(key))
        for di, dj in _IJ_OFFSETS:
            nb = at[key + (di * span + dj)]
            hit = np.flatnonzero(nb >= 0)
            owners.append(hit)
            nbs.append(nb[hit])
        return np.concatenate(owners), np.concatenate(nbs)
    order = np.argsort(key)
    skey = key[order]
    for di, dj in _IJ_OFFSETS:  # sought in key order (a binary search that walks the array once)
        want = skey + (di * span + dj)
        pos = np.minimum(np.searchsorted(skey, want), len(skey) - 1)
        hit = skey[pos] == want
        owners.append(order[hit])
        nbs.append(order[pos[hit]])
    return np.concatenate(owners), np.concatenate(nbs)


def _has_pentagon(cells: np.ndarray) -> bool:
    res = h3i.get_resolution(int(cells[0]))
    pentagons = np.asarray(h3i.get_pentagons(res), dtype=np.uint64)
    return bool(np.isin(cells, pentagons).any())  # twelve comparisons of the cells, not a sort of them


def _neighbours_grid_disk(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(cells)
    disk = h3i.grid_disk
    rings = [disk(int(c), 1) for c in cells.tolist()]
    lengths = np.fromiter((len(r) for r in rings), dtype=np.int64, count=n)
    flat = np.concatenate(rings).astype(np.uint64)
    owner = np.repeat(np.arange(n), lengths)
    pos = np.clip(np.searchsorted(cells, flat), 0, n - 1)
    keep = (cells[pos] == flat) & (pos != owner)
    return owner[keep], pos[keep]


def cells_frame(grid: Grid, counts: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """A GeoDataFrame of the grid's cells: ``h3``, ``count`` and the hexagon."""
    counts = grid.counts() if counts is None else counts
    return gpd.GeoDataFrame({S.H3: grid.h3, S.COUNT: np.asarray(counts, dtype=np.int64)},
                            geometry=cell_polygon_array(grid.cells), crs=WGS84_CRS())


def counts_by_period(grid: Grid, occurred_at: pd.Series | np.ndarray, freq: str = "MS") -> pd.DataFrame:
    """Incidents per cell and period, long format: ``h3``, ``period``, ``count``.

    ``freq`` is a pandas period start frequency: ``"MS"`` months, ``"W-MON"``
    weeks starting Monday. Only non-zero combinations are listed; every cell of
    the grid is a zero where it is missing.
    """
    when = pd.to_datetime(pd.Series(np.asarray(occurred_at)))
    ok = (grid.incident_cell >= 0) & when.notna().to_numpy()
    if freq == "MS":
        period = when[ok].dt.to_period("M").dt.start_time
    elif freq.startswith("W"):
        period = when[ok].dt.to_period("W-SUN").dt.start_time
    else:
        period = when[ok].dt.to_period(freq).dt.start_time
    frame = pd.DataFrame({"cell": grid.incident_cell[ok], "period": period.to_numpy()})
    out = frame.groupby(["cell", "period"], sort=True).size().rename(S.COUNT).reset_index()
    out.insert(0, S.H3, grid.h3[out.pop("cell").to_numpy()])
    return out
