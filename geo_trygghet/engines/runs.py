"""Hot spots and emerging hot spots of a file counted by an engine: the same in-memory code after the counts.

:func:`hotspots_run` and :func:`emerging_run` count a file with any :class:`~.base.Engine`,
build the study area's grid from the counts per cell (the boundary, or the cells within the
incidents' convex hull) and hand it to the very functions :func:`geo_trygghet.hotspots.hotspots`
and :func:`geo_trygghet.hotspots.emerging_hotspots` use (Gi*, FDR, space-time cube,
Mann-Kendall, patterns), so every engine gives the same results as the in-memory functions.
With ``areas`` each area is its own study area (a by-area run, :mod:`geo_trygghet.hotspots.by_area`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import schema as S
from .. import settings
from ..errors import InputError, InsufficientDataError
from .base import Counted, Engine
from .keyed import Keyed, group_slices

NO_INCIDENTS = "no incidents to analyse: check the file, the date filter and the boundary (or the areas)"


@dataclass
class HotSpotRun:
    """A hot-spot run: one result per study area (group 0 without areas), the ingest report,
    the scale chosen per area (``--resolution auto``) and why areas were left without a result."""

    results: dict[int, Any]
    report: Any
    scales: dict[int, Any] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)
    incidents: dict[int, int] = field(default_factory=dict)
    layer: Any = None  # every area's cells (a CellsLayer), with the area's position as ``group``
    clusters_table: Any = None  # every area's hot-spot areas in one GeoDataFrame, with ``group``
    pending: Any = None  # the hot-spot areas, while they are computed
    grids: list = field(default_factory=list)  # (area, grid) of the areas with a result, in the layer's order
    settings: dict = field(default_factory=dict)  # permutations and seed
    _cluster_rows: dict = field(default_factory=dict, repr=False)  # area → its rows of ``clusters_table``

    @property
    def table(self):
        """Every area's cells in one GeoDataFrame, with the area's position as ``group``."""
        return self.layer.frame if self.layer is not None else None

    def wait(self, *, frames: bool = True) -> HotSpotRun:
        """Finish the hot-spot areas and (unless ``frames`` is False: a caller that needs only the
        layer's columns) each area's result with its cells as a GeoDataFrame."""
        from ..hotspots.gistar import HotSpotResult

        if frames and self.grids and not self.results:
            table = self.table
            bounds = np.r_[0, np.cumsum([len(grid.cells) for _, grid in self.grids])]
            for (g, grid), lo, hi in zip(self.grids, bounds[:-1], bounds[1:], strict=True):
                cells = table.iloc[lo:hi, 1:] if len(self.grids) > 1 else table.drop(columns="group")
                self.results[g] = HotSpotResult(cells=cells.reset_index(drop=True), clusters=None,
                                                resolution=grid.resolution, grid=grid, **self.settings)
        found = self.pending.result() if self.pending is not None else None
        self.pending = None
        if found is not None:
            self.clusters_table = found
            self._cluster_rows = group_slices(found["group"].to_numpy())
        for g, result in self.results.items():
            if result.clusters is None:
                result.clusters = self.clusters_of(g)
        return self

    def clusters_of(self, group: int):
        """The hot-spot areas of one area (of the run, without areas: group 0), once waited for."""
        from ..hotspots.clusters import empty_clusters

        rows = self._cluster_rows.get(group)
        if rows is None:
            return empty_clusters()
        return self.clusters_table.iloc[rows].drop(columns="group").reset_index(drop=True)

    @property
    def result(self):
        """The result of a run without areas."""
        return self.results[0]

    @property
    def scale(self):
        return self.scales.get(0)


def _groups(keyed: Keyed) -> dict[int, slice]:
    return keyed.slices("group")


def _resolutions(resolution: int | str) -> tuple[int, ...]:
    from ..hotspots.scale import CANDIDATES

    return tuple(sorted(CANDIDATES)) if resolution == "auto" else (int(resolution),)


def _choose(counted: Counted, group: int, rows: slice, *, periods: int = 1, interval: str | None = None):
    from ..hotspots.scale import CANDIDATES, choice_of, shares_of_cells

    cells = counted.summary.cells[max(CANDIDATES)]
    mine = _groups(cells).get(group)
    if mine is None:
        raise InsufficientDataError("no incidents to choose a resolution from: check the file, the date filter and "
                                    "the boundary")
    shares = shares_of_cells(cells.keys["cell"][mine], cells.values["count"][mine], periods=periods)
    return choice_of(shares, periods=periods, interval=interval)


def _grid(counted: Counted, group: int, resolution: int, area, study: tuple | None = None):
    from ..hotspots.grid import grid_from_counts

    cells = counted.summary.cells[resolution]
    rows = _groups(cells).get(group, slice(0, 0))
    corners = counted.summary.hull if area is None else None
    index = counted.spec.areas
    known = study[group] if study is not None and index is not None and index.resolution == resolution else None
    return grid_from_counts(cells.keys["cell"][rows], cells.values["count"][rows], resolution=resolution,
                            area=area, corners=corners, study=known)


def _areas_of(counted: Counted) -> list:
    spec = counted.spec
    return list(spec.areas.polygons) if spec.areas is not None else [spec.boundary]


def _index_resolution(resolutions: tuple[int, ...]) -> int:
    """The resolution of a by-area run's :class:`~.areas.AreaIndex`: the run's up to 8, else 7."""
    res = min(resolutions)
    return res if res <= 8 else 7


def _index(areas: tuple | None, resolutions: tuple[int, ...]):
    """The :class:`~.areas.AreaIndex` of a by-area run and each area's cells at its resolution."""
    if areas is None:
        return None, None
    from .areas import index_of

    return index_of(tuple(areas), _index_resolution(resolutions))


def hotspots_run(engine: Engine, *, resolution: int | str = 9, permutations: int = 0, seed: int | None = None,
                 clusters: bool = True, areas: tuple | None = None, wait: bool = True) -> HotSpotRun:
    """Gi* hot spots (and hot-spot areas) of a file, per area when ``areas`` (WGS84 polygons) are given.

    With ``wait=False`` it returns once the cells' columns are known: the layer can be written
    (``run.layer.write``) while the hot-spot areas and the cells' GeoDataFrame are still being
    computed; :meth:`HotSpotRun.wait` finishes them and fills ``results``."""
    from concurrent.futures import ThreadPoolExecutor

    from ..hotspots.cells_layer import CellsLayer
    from ..hotspots.clusters import areas_by_group
    from ..hotspots.gistar import gi_columns
    from ..hotspots.grid import cell_wkb, in_background

    resolutions = _resolutions(resolution)
    pool = ThreadPoolExecutor(1)  # work beside the main thread's (both mostly outside the GIL)
    index_later = pool.submit(_index, areas, resolutions)
    engine.prepare((*resolutions, *([_index_resolution(resolutions)] if areas else [])))  # read and start binning
    index, study = index_later.result()
    spec = engine.spec(resolutions=resolutions, areas=index,
                       hull=areas is None and engine.read.boundary is None,
                       eps_m=settings.cluster_eps_m if clusters else None)
    later: list = []  # the hot-spot areas, searched while the cells are counted

    def ready(final, squares, probe) -> None:
        if squares is not None and len(squares):
            later.append(pool.submit(_clusters, engine, final, squares, probe, areas_by_group))

    try:
        counted = engine.count(spec, ready=ready if clusters else None)
    finally:
        pool.shutdown(wait=False)
    summary = counted.summary
    if summary.rows_used == 0:
        raise InsufficientDataError(NO_INCIDENTS)
    areas_later = later[0] if later else None
    run = HotSpotRun(results={}, report=counted.report, pending=areas_later,
                     settings={"permutations": permutations, "seed": seed})
    errors: list[Exception] = []
    first = summary.cells[spec.resolutions[0]]
    incidents = {g: int(first.values["count"][s].sum()) for g, s in _groups(first).items()}
    grids: list[tuple[int, Any, np.ndarray]] = []
    for g, polygon in enumerate(_areas_of(counted)):
        run.incidents[g] = incidents.get(g, 0)
        if not run.incidents[g]:
            run.skipped[g] = "no incidents"
            continue
        try:
            scale = _choose(counted, g, slice(None)) if resolution == "auto" else None
            res = scale.resolution if scale is not None else int(resolution)
            grid, counts = _grid(counted, g, res, polygon, study)
        except (InsufficientDataError, InputError) as err:
            if areas is None:
                raise
            run.skipped[g] = str(err)
            errors.append(err)
            continue
        grids.append((g, grid, counts))
        if scale is not None:
            run.scales[g] = scale
    _raise_if_none(grids, errors)
    # the hexagons are built (outside the GIL) while Gi* is computed
    wkb_later = in_background(cell_wkb, np.concatenate([grid.cells for _, grid, _ in grids]), name="hexagons")
    done: list[tuple[int, Any, dict]] = []
    kept = []
    for i, (g, grid, counts) in enumerate(grids):
        try:
            done.append((g, grid, gi_columns(grid, counts, permutations=permutations, seed=seed)))
        except (InsufficientDataError, InputError) as err:
            if areas is None:
                raise
            run.skipped[g] = str(err)
            run.scales.pop(g, None)
            errors.append(err)
            continue
        kept.append(i)
    _raise_if_none(done, errors)
    # one layer of every area's cells: hexagons and names built in whole arrays, once
    sizes = [len(grid.cells) for _, grid, _ in done]
    wkb = wkb_later.result()
    if len(kept) < len(grids):
        bounds = np.r_[0, np.cumsum([len(grid.cells) for _, grid, _ in grids])]
        wkb = wkb.take(np.concatenate([np.arange(bounds[i], bounds[i + 1]) for i in kept]))
    run.layer = CellsLayer(np.concatenate([grid.cells for _, grid, _ in done]),
                           {k: np.concatenate([cols[k] for _, _, cols in done]) for k in done[0][2]},
                           first={"group": np.repeat([g for g, _, _ in done], sizes)}, wkb=wkb)
    run.grids = [(g, grid) for g, grid, _ in done]
    return run.wait() if wait else run


def _raise_if_none(results, errors: list) -> None:
    """The first error when no area has a result (in a by-area run: a mistake, not an area's data)."""
    if not results and errors:
        raise errors[0]


def _clusters(engine: Engine, spec, squares: Keyed, probe, areas_by_group) -> Any:
    assert spec.eps_m is not None
    crs = probe.metric_crs()
    fetch = engine.fetch(spec, crs, spec.eps_m / 4.0)
    return areas_by_group(squares.keys["square"], squares.values["count"], fetch, eps_m=spec.eps_m)


@dataclass
class EmergingRun:
    """An emerging-hot-spot run: one result per study area, the ingest report, areas left out."""

    results: dict[int, Any]
    report: Any
    skipped: dict[int, str] = field(default_factory=dict)
    incidents: dict[int, int] = field(default_factory=dict)

    @property
    def result(self):
        return self.results[0]


def emerging_run(engine: Engine, *, interval: str = "month", time_window: int = 1, k: int = 1,
                 resolution: int | str = 9, alpha: float = 0.05, areas: tuple | None = None) -> EmergingRun:
    """Emerging hot spots of a file (per area when ``areas`` are given)."""
    from ..hotspots.cube import _check_interval
    from ..hotspots.emerging import emerging_for_cube

    _check_interval(interval)
    index, study = _index(areas, _resolutions(resolution))
    spec = engine.spec(resolutions=_resolutions(resolution), interval=interval, areas=index,
                       hull=areas is None and engine.read.boundary is None)
    counted = engine.count(spec)
    summary = counted.summary
    if summary.rows_used == 0:
        raise InsufficientDataError(NO_INCIDENTS)
    month_only = summary.time_resolution == S.RESOLUTION_MONTH
    times = summary.times
    spans = _groups(times)
    run = EmergingRun(results={}, report=counted.report)
    errors: list[Exception] = []
    first = summary.cells[spec.resolutions[0]]
    incidents = {g: int(first.values["count"][s].sum()) for g, s in _groups(first).items()}
    for g, polygon in enumerate(_areas_of(counted)):
        run.incidents[g] = incidents.get(g, 0)
        if not run.incidents[g]:
            run.skipped[g] = "no incidents"
            continue
        rows = spans.get(g, slice(0, 0))
        span = np.r_[times.values["first"][rows], times.values["last"][rows]].astype("datetime64[ns]")
        try:
            scale = None
            if resolution == "auto":
                from ..hotspots.cube import period_range

                lo, hi, _ = period_range(span, interval=interval, month_resolution=month_only,
                                         since=engine.read.since, until=engine.read.until)
                scale = _choose(counted, g, slice(None), periods=hi - lo + 1, interval=interval)
            res = scale.resolution if scale is not None else int(resolution)
            grid, _ = _grid(counted, g, res, polygon, study)
            cube = cube_from_counts(grid, summary.periods[res] if summary.periods else None, g, span,
                                    interval=interval, month_resolution=month_only, since=engine.read.since,
                                    until=engine.read.until)
            run.results[g] = emerging_for_cube(cube, time_window=time_window, k=k, alpha=alpha, scale=scale)
        except (InsufficientDataError, InputError) as err:
            if areas is None:
                raise
            run.skipped[g] = str(err)
            errors.append(err)
    _raise_if_none(run.results, errors)
    return run


def cube_from_counts(grid, periods: Keyed | None, group: int, span: np.ndarray, *, interval: str,
                     month_resolution: bool, since=None, until=None):
    """The space-time cube of a grid from incidents counted per (group, cell, period ordinal);
    the same cube :func:`~geo_trygghet.hotspots.cube.build_cube` makes from the incidents."""
    from ..hotspots.cube import SpaceTimeCube, ordinal_start, period_range

    first, last, left_out = period_range(span, interval=interval, month_resolution=month_resolution, since=since,
                                         until=until)
    n_periods = last - first + 1
    rows = _groups(periods).get(group, slice(0, 0)) if periods is not None else slice(0, 0)
    cell = periods.keys["cell"][rows] if periods is not None else np.empty(0, np.uint64)
    ordinal = periods.keys["period"][rows] if periods is not None else np.empty(0, np.int64)
    count = periods.values["count"][rows] if periods is not None else np.empty(0, np.int64)
    inside = (ordinal >= first) & (ordinal <= last)
    pos = np.searchsorted(grid.cells, cell[inside])
    flat = pos * n_periods + (ordinal[inside] - first)
    counts = np.bincount(flat, weights=count[inside], minlength=len(grid.cells) * n_periods)
    counts = np.rint(counts).astype(np.int64).reshape(len(grid.cells), n_periods)
    index = pd.DatetimeIndex(ordinal_start(np.arange(first, last + 1), interval).astype("datetime64[ns]"))
    return SpaceTimeCube(grid=grid, interval=interval, periods=index, counts=counts, left_out=left_out,
                         outside=int(count[~inside].sum()))
