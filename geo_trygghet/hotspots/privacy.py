"""Sekretess: what may leave the analyst's desk.

The Brå handbook: maps and tables must not make it possible to identify people.
DESIGN.md: public and exported aggregate layers suppress cells with 1–2
incidents (``settings.suppress_below`` = 3); raw incident points never reach a
public page. A cell with 0 incidents, or with 3 or more, is shown as it is.

- :func:`suppress_small_cells` blanks the count (and the Gi* figures) of cells
  with ``1 … below-1`` incidents and flags them ``suppressed``.
- :func:`public_cells` makes the whole public-safe cell layer (polygons, no
  points, only aggregate columns, small cells suppressed).
- :func:`public_clusters` does the same for hot-spot areas.
- :func:`assert_no_points` is the guard every public output passes through.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import schema as S
from .. import settings
from ..errors import GeoTrygghetError, SchemaError

__all__ = ["SUPPRESSED", "PrivacyError", "suppress_small_cells", "public_cells", "public_clusters",
           "assert_no_points"]

#: The flag column set to True where a count was hidden.
SUPPRESSED = "suppressed"
#: Columns derived from a cell's own count that would give it away.
GI_COLUMNS = (S.GI_Z, S.GI_P, S.GI_Q, S.GI_BIN)
#: Columns a public cell layer may carry.
PUBLIC_CELL_COLUMNS = (S.H3, S.COUNT, S.GI_BIN, SUPPRESSED)
#: Columns a public cluster layer may carry.
PUBLIC_CLUSTER_COLUMNS = (S.CLUSTER_ID, S.COUNT, S.AREA_M2, SUPPRESSED)
_POINT_TYPES = ("Point", "MultiPoint")
_INCIDENT_HINTS = (S.OCCURRED_AT, S.SOURCE_ROW, S.LON, S.LAT)


class PrivacyError(GeoTrygghetError, ValueError):
    """An output meant for the public would show incident points or unsuppressed small counts."""


def _threshold(below: int | None) -> int:
    return int(settings.suppress_below if below is None else below)


def suppress_small_cells(cells_gdf: pd.DataFrame, count_col: str = S.COUNT, below: int | None = None,
                         *, also: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy where rows with ``1 <= count < below`` have their count set to missing,
    their Gi* columns (``gi_z``, ``gi_p``, ``gi_q``, ``gi_bin``) and any ``also``
    columns blanked, and ``suppressed`` = True. ``below`` defaults to
    ``settings.suppress_below`` (3), read at call time. Works on any table
    with a count column (cells, clusters, per-area tables).
    """
    if count_col not in cells_gdf.columns:
        msg = f"the layer has no column '{count_col}' to suppress small counts on; pass count_col=..."
        raise SchemaError(msg)
    limit = _threshold(below)
    out = cells_gdf.copy()
    counts = pd.to_numeric(out[count_col], errors="coerce")
    small = ((counts >= 1) & (counts < limit)).fillna(False).to_numpy(bool)
    out[count_col] = counts.astype("Int64")
    out.loc[small, count_col] = pd.NA
    blank = [c for c in (*GI_COLUMNS, *also) if c in out.columns]
    for col in blank:
        if col == S.GI_BIN or pd.api.types.is_integer_dtype(out[col]):
            out[col] = out[col].astype("Int64")
            out.loc[small, col] = pd.NA
        else:
            out[col] = out[col].astype(float)
            out.loc[small, col] = np.nan
    out[SUPPRESSED] = small
    return out


def _geometry_types(layer: Any) -> np.ndarray:
    if isinstance(layer, gpd.GeoDataFrame):
        geom = layer.geometry
    elif isinstance(layer, gpd.GeoSeries):
        geom = layer
    else:
        return np.empty(0, dtype=object)
    return geom.geom_type.dropna().to_numpy()


def assert_no_points(layer: Any, what: str = "the public layer") -> None:
    """Raise :class:`PrivacyError` if ``layer`` holds point geometries or incident
    coordinates/rows (``lon``/``lat``/``occurred_at``/``source_row`` columns)."""
    if isinstance(layer, (list, tuple)):
        for i, part in enumerate(layer):
            assert_no_points(part, f"{what} (part {i + 1})")
        return
    types = _geometry_types(layer)
    if np.isin(types, _POINT_TYPES).any():
        msg = f"{what} contains point geometries: public outputs may only show aggregated cells or areas"
        raise PrivacyError(msg)
    if isinstance(layer, pd.DataFrame):
        cols = [c for c in _INCIDENT_HINTS if c in layer.columns]
        if cols:
            msg = (f"{what} carries incident-level columns ({', '.join(cols)}): "
                   f"public outputs may only show aggregated cells or areas")
            raise PrivacyError(msg)


def _cells_of(result_or_cells: Any) -> pd.DataFrame:
    cells = getattr(result_or_cells, "cells", result_or_cells)
    if not isinstance(cells, pd.DataFrame):
        msg = "public_cells needs a HotSpotResult or a cells GeoDataFrame (h3, count, …)"
        raise SchemaError(msg)
    return cells


def public_cells(cells: Any, *, below: int | None = None, keep: tuple[str, ...] = PUBLIC_CELL_COLUMNS,
                 drop_zero: bool = False) -> gpd.GeoDataFrame:
    """The public-safe cell layer: hexagon polygons with ``h3``, ``count`` and
    ``gi_bin`` only (other columns dropped), cells with 1 … below-1 incidents
    suppressed and flagged, and no points anywhere (checked).

    ``cells`` is a :class:`~geo_trygghet.hotspots.HotSpotResult` or its
    ``.cells`` GeoDataFrame. ``drop_zero`` leaves out empty cells (smaller
    files; zero is not sensitive, so the default keeps them).
    """
    frame = _cells_of(cells)
    if S.COUNT not in frame.columns:
        msg = "the cell layer has no 'count' column: public_cells needs counts per cell"
        raise SchemaError(msg)
    out = suppress_small_cells(frame, S.COUNT, below)
    cols = [c for c in keep if c in out.columns]
    geom_name = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None
    if geom_name is not None:
        out = gpd.GeoDataFrame(out[[*cols, geom_name]], geometry=geom_name, crs=out.crs)
    else:
        out = out[cols]
    if drop_zero:
        out = out[out[S.COUNT].fillna(-1) != 0]
    out = out.reset_index(drop=True)
    assert_no_points(out, "the public cell layer")
    return out


def public_clusters(clusters: Any, *, below: int | None = None) -> gpd.GeoDataFrame:
    """Hot-spot areas for the public: polygons with ``cluster_id``, ``count``
    (suppressed below the threshold) and ``area_m2`` only."""
    frame = getattr(clusters, "clusters", clusters)
    if not isinstance(frame, pd.DataFrame):
        msg = "public_clusters needs a HotSpotResult or a clusters GeoDataFrame"
        raise SchemaError(msg)
    out = suppress_small_cells(frame, S.COUNT, below)
    cols = [c for c in PUBLIC_CLUSTER_COLUMNS if c in out.columns]
    if isinstance(out, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out[[*cols, out.geometry.name]], geometry=out.geometry.name, crs=out.crs)
    else:
        out = out[cols]
    out = out.reset_index(drop=True)
    assert_no_points(out, "the public cluster layer")
    return out
