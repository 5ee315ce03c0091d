"""Which area each incident lies in, for runs that make every area its own study area.

An incident belongs to the first area (in the areas' order) whose interior holds it. Testing
millions of points against hundreds of polygons one by one costs seconds; most points lie deep
inside an area (or far outside them all), where the H3 cell they fall in settles the question.
:class:`AreaIndex` knows, at one H3 resolution, the cells some area's boundary crosses; every
other cell lies wholly inside the one area that holds its centre, or outside every area. Only
the points in crossed cells are tested against the polygons.

A boundary crosses a cell only where it passes through it; the boundaries are sampled at
points at most a fifth of a cell's edge apart along every straight segment, and every cell
holding a sample, with its six neighbours, is treated as crossed. A segment through a cell has
samples inside it or within a fifth of an edge of it, so inside one of its neighbours: no crossed
cell is missed, and the answer is the same as testing every point against every polygon (the
tests check it).

Building the index of Sweden's 290 kommuner at resolution 8 takes a second and a half, every run
the same: :func:`index_of` keeps it in the cache directory (``settings.cache_dir()``), named by a
hash of the polygons, the resolution and the H3 library's version, and builds it only when it is
not there (or cannot be read).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import shapely

from .. import settings

#: boundary samples per cell edge length (at least)
_SAMPLES_PER_EDGE = 5


@dataclass(frozen=True)
class AreaIndex:
    """The areas' polygons (WGS84) and their interior H3 cells at ``resolution``."""

    polygons: tuple
    resolution: int
    interior: np.ndarray
    interior_area: np.ndarray
    crossed: np.ndarray
    crossed_area: np.ndarray

    def __len__(self) -> int:
        return len(self.polygons)

    @classmethod
    def build(cls, polygons: tuple, resolution: int) -> tuple[AreaIndex, tuple]:
        """The index, and per area the cells whose centre lies in it (its study area at ``resolution``)."""
        import h3

        from ..hotspots.grid import _polygon_cells

        cells = tuple(_polygon_cells(p, resolution) for p in polygons)
        every = np.concatenate(cells) if cells else np.empty(0, np.uint64)
        area = np.repeat(np.arange(len(cells)), [len(c) for c in cells])
        order = np.argsort(every, kind="stable")
        every, area = every[order], area[order]
        once = np.ones(len(every), bool)
        if len(every) > 1:
            twice = every[1:] == every[:-1]
            once[1:] &= ~twice
            once[:-1] &= ~twice
        edge_deg = h3.average_hexagon_edge_length(resolution, unit="m") * 0.6 / 111_320  # the smallest cells' edge
        shared = every[~once]  # a centre in two overlapping areas: test the points in that cell
        crossed, crossed_area = _crossed(polygons, edge_deg / _SAMPLES_PER_EDGE, resolution)
        candidates = np.concatenate([crossed, shared, every[np.isin(every, crossed)]])
        candidate_area = np.concatenate([crossed_area, area[~once], area[np.isin(every, crossed)]])
        pair_cells, pair_area = _distinct_pairs(candidates, candidate_area)
        keep = once & ~np.isin(every, crossed)
        return cls(tuple(polygons), int(resolution), every[keep], area[keep], pair_cells, pair_area), cells

    def assign(self, lon: np.ndarray, lat: np.ndarray, cells: np.ndarray | None = None) -> np.ndarray:
        """The first area (position) whose interior holds each point, or -1 (``cells``: the points'
        cells at the index's resolution, when already known)."""
        import pandas as pd

        from ..hotspots.grid import points_to_cell_ints

        out = np.full(len(lon), -1, np.int64)
        if len(lon) == 0:
            return out
        cells = points_to_cell_ints(lon, lat, self.resolution) if cells is None else cells
        # each distinct cell looked up once (hashed: the points come in file order, which a binary
        # search hates); a cell no boundary crosses lies wholly inside one area or outside them all
        codes, distinct = pd.factorize(cells, sort=False)
        area = np.full(len(distinct), -1, np.int64)
        if len(self.interior):
            pos = self._interior.get_indexer(distinct)
            hit = pos >= 0
            area[hit] = self.interior_area[pos[hit]]
        out[:] = area[codes]
        # the rest are tested against the areas whose boundary crosses the cell (or holds its centre)
        if len(self.crossed):
            crossed = self._crossed.get_indexer(distinct) >= 0
            rest = np.flatnonzero(crossed[codes])
            if len(rest):
                out[rest] = self._exact(lon[rest], lat[rest], codes[rest], distinct)
        return out

    def _exact(self, lon: np.ndarray, lat: np.ndarray, codes: np.ndarray, distinct: np.ndarray) -> np.ndarray:
        """The first area holding each point, testing it against the areas paired with its cell
        (``distinct[codes]``) in :attr:`crossed`."""
        from .keyed import key_order

        first, last = np.zeros(len(distinct), np.int64), np.zeros(len(distinct), np.int64)
        mine = np.unique(codes)  # each distinct cell of these points searched once
        first[mine] = np.searchsorted(self.crossed, distinct[mine], side="left")
        last[mine] = np.searchsorted(self.crossed, distinct[mine], side="right")
        lo, n = first[codes], (last - first)[codes]
        point = np.repeat(np.arange(len(codes)), n)
        area = self.crossed_area[np.repeat(lo, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))]
        order, area = key_order(area, len(self.polygons))  # by area, each area's points in order
        point = point[order]
        best = np.full(len(codes), len(self.polygons), np.int64)
        starts = np.flatnonzero(np.r_[True, area[1:] != area[:-1]]) if len(area) else np.empty(0, np.int64)
        for a, b in zip(starts, np.r_[starts[1:], len(area)], strict=True):
            g = int(area[a])
            points = point[a:b]  # each point once per area: the (cell, area) pairs are distinct
            held = points[shapely.contains_xy(self.prepared[g], lon[points], lat[points])]
            best[held] = np.minimum(best[held], g)
        return np.where(best < len(self.polygons), best, -1)

    @cached_property
    def prepared(self) -> tuple:
        """The polygons, prepared for many point tests (once)."""
        polys = self.polygons
        for p in polys:
            shapely.prepare(p)
        return polys

    @cached_property
    def _interior(self):
        import pandas as pd

        return pd.Index(self.interior)

    @cached_property
    def _crossed(self):
        import pandas as pd

        return pd.Index(np.unique(self.crossed))


#: bump when what :meth:`AreaIndex.build` computes changes: older cached indexes are then not read
_INDEX_FORMAT = 1
_ARRAYS = ("interior", "interior_area", "crossed", "crossed_area")


def index_of(polygons: tuple, resolution: int, cache: Path | None = None) -> tuple[AreaIndex, tuple]:
    """:meth:`AreaIndex.build`, kept in ``cache`` (default ``settings.cache_dir()``; None when
    that is off) and read from there when the same polygons come at the same resolution again."""
    cache = settings.cache_dir() if cache is None else cache
    if cache is None:
        return AreaIndex.build(polygons, resolution)
    path = cache / f"area-index-{_fingerprint(polygons, resolution)}.npz"
    try:
        with np.load(path) as saved:
            lengths = saved["lengths"]
            flat = saved["cells"]
            if len(lengths) == len(polygons) and int(lengths.sum()) == len(flat):
                cells = tuple(np.split(flat, np.cumsum(lengths)[:-1])) if len(lengths) else ()
                return AreaIndex(tuple(polygons), int(resolution), *(saved[k] for k in _ARRAYS)), cells
    except (OSError, ValueError, KeyError, EOFError):  # not there, or not readable: build it again
        pass
    index, cells = AreaIndex.build(polygons, resolution)
    _save(path, {**{k: getattr(index, k) for k in _ARRAYS},
                 "cells": np.concatenate(cells) if cells else np.empty(0, np.uint64),
                 "lengths": np.array([len(c) for c in cells], np.int64)})
    return index, cells


def _fingerprint(polygons: tuple, resolution: int) -> str:
    import h3

    digest = hashlib.sha256(f"{_INDEX_FORMAT}:{resolution}:{h3.__version__}:{len(polygons)}".encode())
    for wkb in shapely.to_wkb(np.asarray(polygons, dtype=object), byte_order=1):
        digest.update(len(wkb).to_bytes(8, "little"))
        digest.update(wkb)
    return digest.hexdigest()[:32]


def _save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write the arrays to ``path`` whole or not at all (a cache that cannot be written is no error)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        pass


def _crossed(polygons: tuple, step: float, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """The cells an area's boundary passes through, and their neighbours, with that area:
    (cell, area) pairs sorted by cell."""
    from ..hotspots.grid import points_to_cell_ints

    parts, part_of = shapely.get_parts(np.asarray(polygons, dtype=object), return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    if len(coords) < 2:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    owner = part_of[ring_of[ring]]  # the area of each coordinate
    same = ring[1:] == ring[:-1]
    a, b, who = coords[:-1][same], coords[1:][same], owner[:-1][same]
    pieces = np.maximum(np.ceil(np.abs(b - a).max(axis=1) / step).astype(np.int64), 1)
    seg = np.repeat(np.arange(len(a)), pieces)
    t = (np.arange(len(seg)) - np.repeat(np.cumsum(pieces) - pieces, pieces)) / np.repeat(pieces, pieces)
    samples = np.concatenate([a[seg] + (b - a)[seg] * t[:, None], coords])
    area = np.concatenate([who[seg], owner])
    hit, area = _distinct_pairs(points_to_cell_ints(samples[:, 0], samples[:, 1], resolution), area)
    near, which = _disk(hit)
    return _distinct_pairs(near, area[which])


def _distinct_pairs(cells: np.ndarray, area: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (cell, area) pairs, sorted by cell, then area."""
    if len(cells) == 0:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    order = np.lexsort((area, cells))
    c, a = cells[order], area[order]
    new = np.r_[True, (c[1:] != c[:-1]) | (a[1:] != a[:-1])]
    return c[new], a[new].astype(np.int64)


def _disk(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each cell and its ring-1 neighbours, with the position of the cell they came from."""
    import pyarrow as pa
    from h3ronpy import grid_disk

    disks = pa.array(grid_disk(pa.array(cells), 1))
    flat = np.asarray(disks.flatten().to_numpy(zero_copy_only=False), dtype=np.uint64)
    lengths = np.diff(np.asarray(disks.offsets.to_numpy()))
    return flat, np.repeat(np.arange(len(cells)), lengths)
