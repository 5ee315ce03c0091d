"""Getis-Ord Gi* hot spots on the H3 grid, FDR-corrected, as a result object.

The statistic is Gi* (the cell itself included) with binary weights over the
cell and its ring-1 neighbours inside the study area, computed exactly as
``esda.G_Local(y, w, star=True, transform="B")`` does, so the z-scores agree
with esda to floating-point precision; the test suite checks that.

``gi_p`` is two-sided: ``2·(1 − Φ(|z|))`` analytically, or twice the folded
permutation pseudo p-value when permutations are asked for. Benjamini–Hochberg
q-values over all cells give ``gi_bin``: ±3, ±2, ±1 where q ≤ 0.01, 0.05, 0.10,
signed by z; 0 otherwise.

Examples
--------
>>> import numpy as np
>>> indptr, indices = np.array([0, 1, 3, 4]), np.array([1, 0, 2, 1])  # a path of three cells
>>> z, p = gi_star(np.array([1.0, 5.0, 1.0]), indptr, indices)
>>> z.round(3).tolist()
[0.707, 0.0, 0.707]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from .. import schema as S
from .. import settings
from ..errors import InsufficientDataError
from ..i18n import text
from .grid import Grid, build_grid, neighbour_graph
from .significance import conditional_permutation_p, fdr_bh

#: ColorBrewer RdBu, 7 classes: cold blue … hot red.
GI_BIN_COLOURS: dict[int, str] = {
    -3: "#2166ac", -2: "#67a9cf", -1: "#d1e5f0", 0: "#f7f7f7",
    1: "#fddbc7", 2: "#ef8a62", 3: "#b2182b",
}


def gi_bin_label(value: int, lang: str = "sv") -> str:
    """The glossary label of a ``gi_bin`` value (the catalogue's ``bin.<value>``).

    >>> gi_bin_label(3), gi_bin_label(-2, "en")
    ('Het punkt 99 %', 'Cold spot 95 %')
    """
    if int(value) not in GI_BIN_COLOURS:
        msg = f"gi_bin must be an integer from -3 to 3, got {value!r}"
        raise ValueError(msg)
    return text(f"bin.{int(value)}", lang)


def gi_star(y: np.ndarray, indptr: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Analytic Gi* z-scores and two-sided p-values with binary weights.

    ``indptr``/``indices`` are the CSR neighbour lists without the cell itself
    (see :func:`geo_trygghet.grid.neighbour_graph`).
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    total = y.sum()
    if n < 2 or total <= 0:
        msg = f"Gi* needs at least two cells and one incident; got {n} cells and {int(total)} incidents"
        raise InsufficientDataError(msg)
    k = np.diff(indptr)
    lag = np.add.reduceat(y[indices], indptr[:-1]) if len(indices) else np.zeros(n)
    lag[k == 0] = 0.0
    # esda.G_Local.calc with star=True, transform="B": the same operations in the same order
    statistic = (lag + y) / total
    mean = total / n
    mean_of_squares = (y**2).sum() / n
    variance = mean_of_squares - mean**2
    cardinality = (k + 1).astype(float)
    expected = cardinality / n
    var_g = cardinality * (n - cardinality)
    var_g /= n - 1
    var_g *= 1 / n**2
    var_g *= variance / (mean**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (statistic - expected) / np.sqrt(var_g)
    z = np.where(np.isfinite(z), z, 0.0)
    return z, two_sided_p(z)


_ERFC = np.frompyfunc(math.erfc, 1, 1)


def two_sided_p(z: np.ndarray) -> np.ndarray:
    """``2·(1 − Φ(|z|))`` = erfc(|z|/√2), to the last digit (without loading SciPy for it)."""
    return np.asarray(_ERFC(np.abs(np.asarray(z, float)) / math.sqrt(2.0)), dtype=float)


def bins_from_q(z: np.ndarray, q: np.ndarray, levels: tuple[float, float, float] | None = None) -> np.ndarray:
    """−3…3 confidence bins from FDR q-values, signed by z."""
    a99, a95, a90 = levels or settings.fdr_alpha_levels
    q = np.nan_to_num(np.asarray(q, dtype=float), nan=1.0)
    level = np.select([q <= a99, q <= a95, q <= a90], [3, 2, 1], default=0)
    return (level * np.sign(z)).astype(np.int64)


@dataclass
class HotSpotResult:
    """Gi* hot spots of one run.

    Attributes
    ----------
    cells
        GeoDataFrame (EPSG:4326), one row per study-area cell: ``h3``, ``count``,
        ``gi_z``, ``gi_p``, ``gi_q``, ``gi_bin``, hexagon geometry.
    clusters
        Density clusters (hot-spot areas): ``cluster_id``, ``count``, ``area_m2``, polygon.
    resolution, permutations, seed
        How it was computed.
    grid
        The grid (for time analyses per cell).
    """

    cells: gpd.GeoDataFrame
    clusters: gpd.GeoDataFrame
    resolution: int
    permutations: int
    seed: int | None
    grid: Grid | None = field(default=None, repr=False)

    def bin_counts(self) -> dict[int, int]:
        """Cells per ``gi_bin`` value, −3…3."""
        return bin_counts(self.cells[S.GI_BIN].to_numpy())

    def to_gpkg(self, path: str | Path) -> Path:
        """Write the ``cells`` and ``clusters`` layers (replacing the file)."""
        return write_layers(path, {S.LAYER_CELLS: self.cells, S.LAYER_CLUSTERS: self.clusters})


def bin_counts(gi_bin: np.ndarray) -> dict[int, int]:
    """Cells per ``gi_bin`` value, 3 … −3."""
    counts = np.bincount(np.asarray(gi_bin, np.int64) + 3, minlength=7)
    return {b: int(counts[b + 3]) for b in range(3, -4, -1)}


def write_layers(path: str | Path, layers: dict[str, gpd.GeoDataFrame], *, fresh: bool = True) -> Path:
    """Write GeoDataFrames as the layers of one GeoPackage through Arrow (whole columns to GDAL,
    a spatial index per layer): a new file, or with ``fresh=False`` more layers of an existing one."""
    import pyogrio

    path = Path(path)
    if fresh and path.exists():
        path.unlink()
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", use_arrow=len(frame) > 0)
    return path


def gi_columns(grid: Grid, counts: np.ndarray | None = None, *, permutations: int = 0,
               seed: int | None = None) -> dict[str, np.ndarray]:
    """``count``, ``gi_z``, ``gi_p``, ``gi_q`` and ``gi_bin`` of a built grid's cells (arrays)."""
    counts = grid.counts() if counts is None else np.asarray(counts)
    indptr, indices = neighbour_graph(grid.cells)
    z, p = gi_star(counts, indptr, indices)
    if permutations:
        p_sim = conditional_permutation_p(counts, indptr, indices, permutations=permutations, seed=seed)
        p = np.minimum(1.0, 2.0 * p_sim)
    q = fdr_bh(p)
    return {S.COUNT: np.asarray(counts, dtype=np.int64), S.GI_Z: z, S.GI_P: p, S.GI_Q: q, S.GI_BIN: bins_from_q(z, q)}


def cells_table(cells: np.ndarray, columns: dict[str, np.ndarray], first: dict | None = None) -> gpd.GeoDataFrame:
    """The ``cells`` layer of H3 cells (``uint64``) and their columns, hexagons built in whole arrays
    (``first``: columns to put before ``h3``)."""
    from .cells_layer import CellsLayer

    return CellsLayer(cells, columns, first).frame


def hotspots_for_grid(grid: Grid, counts: np.ndarray | None = None, *, permutations: int = 0,
                      seed: int | None = None) -> gpd.GeoDataFrame:
    """Gi* cells of a built grid (see :func:`hotspots` for the whole pipeline)."""
    return cells_table(grid.cells, gi_columns(grid, counts, permutations=permutations, seed=seed))


def hotspots(incidents: pd.DataFrame, *, resolution: int | None = None,
             boundary: BaseGeometry | None = None, permutations: int | None = None,
             seed: int | None = None, clusters: bool = True,
             cluster_eps_m: float | None = None, cluster_min_samples: int | None = None) -> HotSpotResult:
    """Incidents → H3 cells → Gi* with FDR → hot-spot areas.

    Parameters
    ----------
    incidents
        Frame with ``lon`` and ``lat`` (WGS84), as :func:`geo_trygghet.ingest.read_incidents` gives.
    resolution
        H3 resolution (default ``settings.h3_resolution``).
    boundary
        Study-area polygon in WGS84; default the convex hull of the incidents.
    permutations
        Conditional permutations for ``gi_p`` (0: analytic).
    seed
        Seed of the permutations.
    clusters
        Also find density clusters (hot-spot areas).
    """
    from .clusters import find_clusters

    resolution = settings.h3_resolution if resolution is None else resolution
    permutations = settings.permutations if permutations is None else int(permutations)
    if len(incidents) == 0:
        msg = "no incidents to analyse: check the file, the date filter and the boundary"
        raise InsufficientDataError(msg)
    lon = incidents[S.LON].to_numpy(float)
    lat = incidents[S.LAT].to_numpy(float)
    grid = build_grid(lon, lat, resolution=resolution, boundary=boundary)
    cells = hotspots_for_grid(grid, permutations=permutations, seed=seed)
    if clusters:
        inside = grid.incident_cell >= 0
        areas = find_clusters(lon[inside], lat[inside], eps_m=cluster_eps_m, min_samples=cluster_min_samples)
    else:
        from .clusters import empty_clusters

        areas = empty_clusters()
    return HotSpotResult(cells=cells, clusters=areas, resolution=grid.resolution,
                         permutations=permutations, seed=seed, grid=grid)
