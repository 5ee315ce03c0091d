"""The space-time cube: incidents per (cell, period) over the whole study area, and Gi* per bin.

A bin is one H3 cell in one period (a month, an ISO week starting Monday, or a
quarter). Every cell of the study area and every period between the first and
the last is in the cube, zeros included. The first or last period is left out
when the data cover less than 90 % of its days (a half month at the end would
look like a sudden cold spot); the cube says which ones it left out.

Gi* per bin follows ArcGIS Pro's space-time hot spot analysis: the neighbours
of bin (i, t) are the cell i and its ring-1 cells (or all cells within ``k``
rings) in period t and in the ``time_window`` previous periods, with binary
weights; the mean and variance are those of the whole cube. The space-time
weights matrix is the Kronecker product of the spatial matrix (self included)
and a banded lower-triangular time matrix; :func:`space_time_weights` builds it
as a sparse matrix, and :func:`cube_gi_star` computes the same product in its
factorised form (a sparse product over space, a windowed cumulative sum over
time), without a loop over periods. Two-sided p-values are corrected with
Benjamini–Hochberg over all bins.

Examples
--------
>>> import numpy as np
>>> from scipy import sparse
>>> spatial = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]]))  # a path of three cells
>>> counts = np.array([[0, 1, 9], [1, 0, 8], [0, 0, 1]])
>>> z, p = cube_gi_star(counts, spatial, time_window=1)
>>> bool(z[1, 2] > z[1, 0])
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import ndtr

from .. import schema as S
from ..errors import InputError, InsufficientDataError
from .gistar import bins_from_q
from .grid import Grid, neighbour_graph
from .significance import fdr_bh

#: The intervals of a cube and how a period is written in messages.
INTERVALS = ("month", "week", "quarter")
#: A cube needs at least this many periods for emerging hot spots.
MIN_PERIODS = 10
#: An end period is kept when the data cover at least this share of its days.
MIN_COVERAGE = 0.9

_EPOCH_MONDAY = np.datetime64("1969-12-29", "D")  # the Monday before 1970-01-01


@dataclass(frozen=True)
class LeftOutPeriod:
    """A first or last period left out because the data cover only ``share`` of its days."""

    start: pd.Timestamp
    share: float


@dataclass
class SpaceTimeCube:
    """Incidents per (cell, period) over the whole study area.

    Attributes
    ----------
    grid
        The study area's cells (:class:`~geo_trygghet.hotspots.grid.Grid`).
    interval
        "month", "week" or "quarter".
    periods
        Start of each period (a ``DatetimeIndex``, oldest first).
    counts
        ``int64`` array of shape (cells, periods).
    left_out
        End periods left out for partial coverage.
    outside
        Incidents inside the study area but outside the kept periods.
    """

    grid: Grid
    interval: str
    periods: pd.DatetimeIndex
    counts: np.ndarray
    left_out: tuple[LeftOutPeriod, ...] = ()
    outside: int = 0

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.counts.shape[0]), int(self.counts.shape[1])

    def label(self, t: int) -> str:
        """The period ``t`` written as 2024-03, 2024-W10 or 2024-Q1."""
        return period_label(self.periods[t], self.interval)


def period_label(start: pd.Timestamp, interval: str) -> str:
    """A period start written as ``2024-03``, ``2024-W10`` (ISO week) or ``2024-Q1``."""
    start = pd.Timestamp(start)
    if interval == "week":
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if interval == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def _check_interval(interval: str) -> str:
    if interval not in INTERVALS:
        msg = f"--interval must be one of {', '.join(INTERVALS)}, got {interval!r}"
        raise InputError(msg)
    return interval


def period_ordinals(when: np.ndarray, interval: str) -> np.ndarray:
    """Whole periods since 1970 of ``datetime64`` values (months, Monday weeks or quarters)."""
    interval = _check_interval(interval)
    when = np.asarray(when, dtype="datetime64[ns]")
    if interval == "week":
        days = (when.astype("datetime64[D]") - _EPOCH_MONDAY).astype(np.int64)
        return np.floor_divide(days, 7)
    months = when.astype("datetime64[M]").astype(np.int64)
    return months if interval == "month" else np.floor_divide(months, 3)


def ordinal_start(ordinal: np.ndarray | int, interval: str) -> np.ndarray:
    """The first day (``datetime64[D]``) of period ordinals."""
    o = np.asarray(ordinal, dtype=np.int64)
    if interval == "week":
        return _EPOCH_MONDAY + o * 7
    months = o if interval == "month" else o * 3
    return months.astype("datetime64[M]").astype("datetime64[D]")


def _window_days(when: np.ndarray, month_resolution: bool, since: pd.Timestamp | None,
                 until: pd.Timestamp | None) -> tuple[np.datetime64, np.datetime64]:
    """The first and last day the data cover (inclusive)."""
    lo = np.datetime64(since.date(), "D") if since is not None else when.min().astype("datetime64[D]")
    if until is not None:
        hi = np.datetime64(until.date(), "D")
    elif month_resolution:  # a month given as its first day covers the whole month
        hi = (when.max().astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    else:
        hi = when.max().astype("datetime64[D]")
    return lo, hi


def period_range(occurred_at: np.ndarray | pd.Series, *, interval: str = "month", month_resolution: bool = False,
                 since: str | pd.Timestamp | None = None,
                 until: str | pd.Timestamp | None = None) -> tuple[int, int, tuple[LeftOutPeriod, ...]]:
    """The first and last complete period (ordinals) of dated incidents, and the end periods left out.

    ``month_resolution`` says the times give months only (police.uk files);
    weeks cannot be made from those. ``since``/``until`` set the covered
    window (default: the first and last incident's day). Raises a one-line
    error when no complete period remains.
    """
    interval = _check_interval(interval)
    if month_resolution and interval == "week":
        msg = "the dates give months only, so weeks cannot be counted: use --interval month or quarter"
        raise InputError(msg)
    when = _as_datetime(occurred_at)
    when = when[~np.isnat(when)]
    if len(when) == 0:
        msg = "no dated incidents inside the study area: check the time column and the boundary"
        raise InsufficientDataError(msg)
    lo, hi = _window_days(when, month_resolution, pd.Timestamp(since) if since is not None else None,
                          pd.Timestamp(until) if until is not None else None)
    first, last, left_out = _complete_periods(lo, hi, interval)
    if last < first:
        msg = (f"no complete {interval} between {lo} and {hi}: give a longer period "
               f"(--since/--until) or a shorter --interval")
        raise InputError(msg)
    return first, last, tuple(left_out)


def _as_datetime(values: np.ndarray | pd.Series) -> np.ndarray:
    return np.asarray(pd.to_datetime(pd.Series(np.asarray(values))), dtype="datetime64[ns]")


def build_cube(grid: Grid, occurred_at: np.ndarray | pd.Series, *, interval: str = "month",
               month_resolution: bool = False, since: str | pd.Timestamp | None = None,
               until: str | pd.Timestamp | None = None) -> SpaceTimeCube:
    """Count the grid's incidents per cell and period (see :func:`period_range` for the periods).

    ``occurred_at`` holds one time per incident of the grid; NaT, or a cell of
    -1 (outside the study area), is not counted.
    """
    when = _as_datetime(occurred_at)
    ok = (grid.incident_cell >= 0) & ~np.isnat(when)
    first, last, left_out = period_range(when[ok], interval=interval, month_resolution=month_resolution,
                                         since=since, until=until)
    n_periods = last - first + 1
    ordinal = period_ordinals(when[ok], interval)
    inside = (ordinal >= first) & (ordinal <= last)
    flat = grid.incident_cell[ok][inside] * n_periods + (ordinal[inside] - first)
    counts = np.bincount(flat, minlength=len(grid.cells) * n_periods).reshape(len(grid.cells), n_periods)
    periods = pd.DatetimeIndex(ordinal_start(np.arange(first, last + 1), interval).astype("datetime64[ns]"))
    return SpaceTimeCube(grid=grid, interval=interval, periods=periods, counts=counts.astype(np.int64),
                         left_out=left_out, outside=int((~inside).sum()))


def _day_number(day: np.datetime64 | np.ndarray) -> int:
    """Days since 1970-01-01."""
    return int(np.asarray(day, dtype="datetime64[D]").astype(np.int64))


def _complete_periods(lo: np.datetime64, hi: np.datetime64, interval: str) -> tuple[int, int, list[LeftOutPeriod]]:
    first = int(period_ordinals(np.array([lo], dtype="datetime64[ns]"), interval)[0])
    last = int(period_ordinals(np.array([hi], dtype="datetime64[ns]"), interval)[0])
    left_out: list[LeftOutPeriod] = []
    lo_day, hi_day = _day_number(lo), _day_number(hi)
    for end in ("first", "last"):
        if last < first:
            break
        o = first if end == "first" else last
        start, stop = _day_number(ordinal_start(o, interval)), _day_number(ordinal_start(o + 1, interval))
        share = (min(stop, hi_day + 1) - max(start, lo_day)) / (stop - start)
        if share < MIN_COVERAGE:
            left_out.append(LeftOutPeriod(pd.Timestamp(start, unit="D"), round(share, 3)))
            if end == "first":
                first += 1
            else:
                last -= 1
    return first, last, left_out


def require_periods(cube: SpaceTimeCube, minimum: int = MIN_PERIODS) -> None:
    """Raise a one-line error when the cube has fewer than ``minimum`` periods."""
    t = cube.shape[1]
    if t < minimum:
        span = f"{cube.label(0)} … {cube.label(t - 1)}" if t else "none"
        unit = {"month": "months", "week": "weeks", "quarter": "quarters"}[cube.interval]
        msg = (f"emerging hot spots need at least {minimum} complete periods, the data give {t} {unit} ({span}): "
               f"use a shorter --interval or a longer file")
        raise InsufficientDataError(msg)


def spatial_weights(cells: np.ndarray, k: int = 1) -> sparse.csr_matrix:
    """Binary neighbours within ``k`` rings, the cell itself included, as a sparse (n × n) matrix."""
    if int(k) < 1:
        msg = f"--k must be 1 or more (rings of neighbours), got {k}"
        raise InputError(msg)
    indptr, indices = neighbour_graph(cells)
    n = len(cells)
    ring1 = sparse.csr_matrix((np.ones(len(indices), dtype=np.int64), indices, indptr), shape=(n, n))
    step = (ring1 + sparse.identity(n, dtype=np.int64, format="csr")).tocsr()
    out = step
    for _ in range(int(k) - 1):
        out = out @ step
        out.data[:] = 1
    out = out.tocsr()
    out.data = np.ones_like(out.data, dtype=np.float64)
    out.sort_indices()
    return out


def time_weights(n_periods: int, time_window: int) -> sparse.csr_matrix:
    """(T × T) binary: period t looks at periods t − time_window … t."""
    if int(time_window) < 0:
        msg = f"--time-window must be 0 or more periods, got {time_window}"
        raise InputError(msg)
    offsets = list(range(0, -min(int(time_window), n_periods - 1) - 1, -1)) if n_periods else [0]
    return sparse.diags([np.ones(n_periods - abs(o)) for o in offsets], offsets,
                        shape=(n_periods, n_periods), format="csr")


def space_time_weights(spatial: sparse.spmatrix, n_periods: int, time_window: int) -> sparse.csr_matrix:
    """The space-time weights of the flattened cube (bin ``i·T + t``): ``spatial ⊗ time``."""
    return sparse.kron(spatial, time_weights(n_periods, time_window), format="csr")


def cube_gi_star(counts: np.ndarray, spatial: sparse.spmatrix, time_window: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z and two-sided p for every bin of a (cells × periods) cube.

    ``spatial`` is the binary spatial weights matrix with the cell itself
    included (:func:`spatial_weights`). The same numbers as Gi* with
    :func:`space_time_weights` over the flattened cube, computed as
    ``spatial @ counts`` followed by a windowed sum over time.
    """
    y = np.asarray(counts, dtype=float)
    n_cells, n_periods = y.shape
    n = y.size
    total = y.sum()
    if n < 2 or total <= 0:
        msg = f"Gi* needs at least two bins and one incident; got {n} bins and {int(total)} incidents"
        raise InsufficientDataError(msg)
    k = int(time_window)
    space_lag = np.asarray(spatial @ y)
    cum = np.cumsum(space_lag, axis=1)
    lag = cum.copy()
    if k + 1 < n_periods:
        lag[:, k + 1:] -= cum[:, :n_periods - k - 1]
    space_card = np.asarray(spatial.sum(axis=1), dtype=float).reshape(-1, 1)
    time_card = np.minimum(np.arange(n_periods) + 1, k + 1).astype(float).reshape(1, -1)
    cardinality = space_card * time_card
    # the statistic as esda.G_Local(star=True, transform="B") and gi_star write it
    statistic = lag / total
    mean = total / n
    variance = (y**2).sum() / n - mean**2
    expected = cardinality / n
    var_g = cardinality * (n - cardinality) / (n - 1) / n**2 * (variance / mean**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (statistic - expected) / np.sqrt(var_g)
    z = np.where(np.isfinite(z), z, 0.0)
    return z, 2.0 * ndtr(-np.abs(z))


@dataclass
class CubeGi:
    """Gi* of every bin: ``z``, ``p`` (two-sided), ``q`` (BH over all bins), ``bins`` (−3…3)."""

    z: np.ndarray
    p: np.ndarray
    q: np.ndarray
    bins: np.ndarray
    time_window: int = 1
    k: int = 1


def cube_hotspots(cube: SpaceTimeCube, *, time_window: int = 1, k: int = 1) -> CubeGi:
    """Gi* z, p, FDR q and the −3…3 bins of every bin of the cube."""
    spatial = spatial_weights(cube.grid.cells, k)
    z, p = cube_gi_star(cube.counts, spatial, time_window)
    q = fdr_bh(p.ravel()).reshape(p.shape)
    return CubeGi(z=z, p=p, q=q, bins=bins_from_q(z, q), time_window=int(time_window), k=int(k))


def cube_frame(cube: SpaceTimeCube, gi: CubeGi) -> pd.DataFrame:
    """The cube in long form: ``h3``, ``period`` (first day, YYYY-MM-DD), ``count``, ``gi_z``, ``gi_bin``."""
    n_cells, n_periods = cube.shape
    return pd.DataFrame({
        S.H3: np.repeat(cube.grid.h3, n_periods),
        "period": np.tile(cube.periods.strftime("%Y-%m-%d").to_numpy(dtype=object), n_cells),
        S.COUNT: cube.counts.ravel(),
        S.GI_Z: gi.z.ravel(),
        S.GI_BIN: gi.bins.ravel(),
    })
