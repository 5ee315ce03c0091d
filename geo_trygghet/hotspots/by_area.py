"""Every area its own study area: hot spots per kommun (or per polygon of a file) in one run.

``geo-trygghet hotspots INPUT --by kommun`` (the bundled boundaries of Sweden's 290 kommuner) or
``--areas FILE --area-id COL`` gives each incident to the first area whose interior holds it
(incidents outside every area are counted and left out), and analyses each area as
:func:`~geo_trygghet.hotspots.hotspots` would with that area as ``boundary``: its own grid, Gi*,
FDR and hot-spot areas. :class:`ByAreaResult` writes one GeoPackage (``cells`` and ``clusters``
with ``area_id`` on every row, and ``areas``: each area's polygon with its summary) and the
summary table: incidents, rate per 100 000 inhabitants where the population is known, cells,
hot cells, and the largest hot-spot area.

The bundled kommuner carry no population (see ``scripts/make_kommuner.py``); an areas file can
name its population column (``--population COL``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import schema as S
from ..crs import WGS84
from ..errors import InputError

AREA_ID = "area_id"
LAYER_AREAS = "areas"
#: the columns of the summary table (CSV and the ``areas`` layer)
SUMMARY_COLUMNS = (AREA_ID, "name", "incidents", "population", "rate_per_100000", "cells", "hot_cells",
                   "hot_cells_99", "top_cluster_incidents", "top_cluster_ha", "top_cluster_lat", "top_cluster_lon",
                   "note")


@dataclass(frozen=True)
class AreaSet:
    """Areas of a by-area run: ids, names, polygons (WGS84) and population (NaN where unknown)."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    polygons: tuple
    population: np.ndarray
    label: str

    def __len__(self) -> int:
        return len(self.ids)

    def frame(self) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame({AREA_ID: list(self.ids), "name": list(self.names)}, geometry=list(self.polygons),
                                crs=WGS84)


@lru_cache(maxsize=1)
def _kommuner() -> gpd.GeoDataFrame:
    with resources.files("geo_trygghet.hotspots").joinpath("data/kommuner.parquet").open("rb") as fh:
        return gpd.read_parquet(fh)


def kommuner() -> AreaSet:
    """Sweden's 290 kommuner (bundled; ``kommun_kod`` as the id, no population)."""
    k = _kommuner()
    return AreaSet(ids=tuple(k["kommun_kod"].astype(str)), names=tuple(k["kommun"].astype(str)),
                   polygons=tuple(k.geometry.to_numpy()), population=np.full(len(k), np.nan), label="kommun")


BY_CHOICES = ("kommun",)


def area_set(by: str | None = None, path: str | Path | None = None, id_col: str | None = None,
             population_col: str | None = None) -> AreaSet | None:
    """The areas of a by-area run from the CLI's ``--by`` or ``--areas FILE --area-id COL``."""
    if by is not None:
        if path is not None and id_col is not None:
            msg = "give either --by kommun or --areas FILE --area-id COL, not both"
            raise InputError(msg)
        if by not in BY_CHOICES:
            msg = f"--by must be one of {', '.join(BY_CHOICES)}, got {by!r}"
            raise InputError(msg)
        if population_col is not None:
            msg = "--population names a column of --areas FILE; the bundled kommuner carry no population"
            raise InputError(msg)
        return kommuner()
    if id_col is None:
        if population_col is not None:
            msg = "--population needs --areas FILE --area-id COL"
            raise InputError(msg)
        return None
    if path is None:
        msg = "--area-id needs --areas FILE (the polygons whose column it names)"
        raise InputError(msg)
    return read_areas(path, id_col, population_col)


def read_areas(path: str | Path, id_col: str, population_col: str | None = None) -> AreaSet:
    """Polygons of a file (GeoPackage, GeoJSON, Shapefile, GeoParquet) as the areas of a by-area run."""
    from ..ingest.files import check_path, read_parquet, read_vector
    from ..ingest.incidents import read_boundary

    p = check_path(path, "areas file")
    label = f"areas {p.name}"
    raw = read_parquet(p, label)[0] if p.suffix.lower() in (".parquet", ".geoparquet") else read_vector(
        p, None, label)[0]
    for flag, col in (("--area-id", id_col), ("--population", population_col)):
        if col is not None and col not in raw.columns:
            shown = ", ".join(str(c) for c in raw.columns if c != "geometry")
            msg = f"{label} has no column '{col}' ({flag}); its columns are {shown}"
            raise InputError(msg)
    area = read_boundary(raw)  # polygons only, WGS84, valid; the boundary's one-line errors
    keep = raw.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy() & ~raw.geometry.is_empty.to_numpy()
    rows = raw.loc[keep].reset_index(drop=True)
    ids = rows[id_col].astype(str).str.strip()
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        msg = f"{label}: column '{id_col}' names '{dup}' twice; give each area its own id"
        raise InputError(msg)
    name_col = next((c for c in ("name", "namn", "kommun", "NAME", "Name") if c in rows.columns and c != id_col),
                    None)
    names = rows[name_col].astype(str) if name_col else ids
    population = np.full(len(rows), np.nan)
    if population_col is not None:
        population = pd.to_numeric(rows[population_col], errors="coerce").to_numpy(float)
    return AreaSet(ids=tuple(ids), names=tuple(names), polygons=tuple(area.geometry.to_numpy()),
                   population=population, label=p.name)


@dataclass
class ByAreaResult:
    """Hot spots of every area: ``cells`` and ``clusters`` with ``area_id``, and the summary table.

    ``cells`` is built from the run's layer when first asked for (a national run has close to a
    million hexagons, which writing the GeoPackage does not need as shapely objects)."""

    areas: AreaSet
    layer: Any = field(repr=False)  # the run's CellsLayer, the area's position as ``group``
    clusters: gpd.GeoDataFrame
    summary: pd.DataFrame
    _cells: gpd.GeoDataFrame | None = field(default=None, repr=False)

    @property
    def cells(self) -> gpd.GeoDataFrame:
        """Every area's cells, ``area_id`` first."""
        if self._cells is None:
            self._cells = area_cells(self.areas, self.layer)
        return self._cells

    def to_gpkg(self, path: str | Path, *, cells: bool = True) -> Path:
        """Write ``cells``, ``clusters`` and ``areas`` (each area's polygon and summary), replacing the
        file; ``cells=False`` adds the last two to a file that has its cells already
        (:func:`write_cells`)."""
        from .gistar import write_layers

        path = Path(path)
        areas = gpd.GeoDataFrame(self.summary.copy(), geometry=list(self.areas.polygons), crs=WGS84)
        layers = {S.LAYER_CLUSTERS: self.clusters, LAYER_AREAS: areas}
        write_layers(path, {S.LAYER_CELLS: self.cells, **layers} if cells else layers, fresh=cells)
        return path

    def to_csv(self, path: str | Path) -> Path:
        path = Path(path)
        self.summary.to_csv(path, index=False)
        return path


def area_cells(areas: AreaSet, layer) -> gpd.GeoDataFrame:
    """Every area's cells in one layer, ``area_id`` first (from a by-area run's CellsLayer)."""
    table = layer.frame
    cells = table.drop(columns="group")
    cells.insert(0, AREA_ID, np.asarray(areas.ids, dtype=object)[table["group"].to_numpy()])
    return gpd.GeoDataFrame(cells, crs=WGS84)


def write_cells(path: str | Path, areas: AreaSet, run):
    """Start a by-area GeoPackage with its ``cells`` layer (while the hot-spot areas are computed):
    the same columns as :func:`area_cells`, written from the run's layer; ``.wait()`` on what it
    returns before writing more layers (a national layer is written by a child process)."""
    ids = np.asarray(areas.ids, dtype=object)[run.layer.columns["group"]]
    return run.layer.write_later(path, first={AREA_ID: ids})


def by_area_result(areas: AreaSet, run) -> ByAreaResult:
    """Collect a by-area :class:`~geo_trygghet.engines.runs.HotSpotRun` into one result."""
    from .clusters import empty_clusters

    ids = np.asarray(areas.ids, dtype=object)
    n = len(areas)
    columns = run.wait(frames=False).layer.columns
    group = columns["group"]
    bins = columns[S.GI_BIN]
    incidents = np.array([run.incidents.get(g, 0) for g in range(n)], np.int64)
    population = np.asarray(areas.population, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(np.isfinite(population) & (population > 0), incidents / population * 100_000, np.nan)
    summary = pd.DataFrame({
        AREA_ID: list(areas.ids), "name": list(areas.names), "incidents": incidents, "population": population,
        "rate_per_100000": rate, "cells": np.bincount(group, minlength=n),
        "hot_cells": np.bincount(group[bins > 0], minlength=n),
        "hot_cells_99": np.bincount(group[bins == 3], minlength=n),
        "top_cluster_incidents": np.zeros(n, np.int64), "top_cluster_ha": np.full(n, np.nan),
        "top_cluster_lat": np.full(n, np.nan), "top_cluster_lon": np.full(n, np.nan),
        "note": [run.skipped.get(g, "") for g in range(n)]}, columns=list(SUMMARY_COLUMNS))
    found = run.clusters_table if run.clusters_table is not None else empty_clusters().assign(
        group=np.empty(0, np.int64))
    top = found[found[S.CLUSTER_ID].to_numpy() == 1]
    if len(top):
        g = top["group"].to_numpy()
        centre = top.geometry.representative_point()
        summary.loc[g, "top_cluster_incidents"] = top[S.COUNT].to_numpy()
        summary.loc[g, "top_cluster_ha"] = top[S.AREA_M2].to_numpy() / 10_000
        summary.loc[g, "top_cluster_lat"] = centre.y.to_numpy()
        summary.loc[g, "top_cluster_lon"] = centre.x.to_numpy()
    all_clusters = found.drop(columns="group")
    all_clusters.insert(0, AREA_ID, ids[found["group"].to_numpy()] if len(found) else pd.Series([], dtype=str))
    summary["top_cluster_incidents"] = summary["top_cluster_incidents"].astype(np.int64)
    return ByAreaResult(areas=areas, layer=run.layer, clusters=gpd.GeoDataFrame(all_clusters, crs=WGS84),
                        summary=summary)


#: the columns of the emerging by-area summary table
EMERGING_SUMMARY_COLUMNS = (AREA_ID, "name", "incidents", "cells", "periods", "hot_cells", "cold_cells",
                            "top_pattern", "top_pattern_cells", "note")


def emerging_by_area(areas: AreaSet, run, path: str | Path, table: str | Path, *, cube: bool = False) -> pd.DataFrame:
    """Write a by-area emerging run: the ``emerging`` layer (and ``cube``) with ``area_id`` on every
    row, the ``areas`` layer and the summary table (CSV); returns the table."""
    from .emerging import LAYER_CUBE, LAYER_EMERGING, NO_PATTERN
    from .gistar import write_layers

    layers, cubes, rows = [], [], []
    for g, area_id in enumerate(areas.ids):
        res = run.results.get(g)
        row = {AREA_ID: area_id, "name": areas.names[g], "incidents": run.incidents.get(g, 0), "cells": 0,
               "periods": 0, "hot_cells": 0, "cold_cells": 0, "top_pattern": "", "top_pattern_cells": 0,
               "note": run.skipped.get(g, "")}
        if res is not None:
            pattern = res.cells["pattern"]
            found = pattern[pattern != NO_PATTERN].value_counts()
            row.update(cells=len(res.cells), periods=res.cube.shape[1],
                       hot_cells=int(pattern.str.endswith("hot_spot").sum()),
                       cold_cells=int(pattern.str.endswith("cold_spot").sum()),
                       top_pattern=str(found.index[0]) if len(found) else "",
                       top_pattern_cells=int(found.iloc[0]) if len(found) else 0)
            layers.append(res.cells.assign(**{AREA_ID: area_id})[[AREA_ID, *res.cells.columns]])
            if cube:
                cubes.append(res.cube_table().assign(**{AREA_ID: area_id}))
        rows.append(row)
    summary = pd.DataFrame(rows, columns=list(EMERGING_SUMMARY_COLUMNS))
    out: dict[str, gpd.GeoDataFrame] = {}
    if layers:
        out[LAYER_EMERGING] = gpd.GeoDataFrame(pd.concat(layers, ignore_index=True), crs=WGS84)
    out[LAYER_AREAS] = gpd.GeoDataFrame(summary.copy(), geometry=list(areas.polygons), crs=WGS84)
    write_layers(path, out)
    if cubes:
        import pyogrio

        table_rows = pd.concat(cubes, ignore_index=True)
        pyogrio.write_dataframe(table_rows[[AREA_ID, *[c for c in table_rows.columns if c != AREA_ID]]], path,
                                layer=LAYER_CUBE, driver="GPKG")
    summary.to_csv(table, index=False)
    return summary
