"""The ``cells`` layer of a run, built once in whole arrays and written without a detour.

A county at resolution 9 has a hundred thousand cells, and building their hexagons as shapely
objects, only for the GeoPackage writer to turn them back into WKB, costs as much as the Gi* that
came before. :class:`CellsLayer` keeps the layer's columns and the hexagons as WKB (h3ronpy's,
built outside the GIL): that is all :meth:`CellsLayer.write` needs to hand GDAL one Arrow table.
The GeoDataFrame the analyses and maps take is built from the same WKB when first asked for
(:attr:`CellsLayer.frame`): the same rows in the same order, so the file and the frame agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np

from .. import schema as S

#: cells from which :meth:`CellsLayer.write_later` writes in a child process (GDAL holds the GIL
#: while it writes; a national layer takes seconds, a town's a tenth of one)
ELSEWHERE_FROM = 300_000
#: the columns of the layer after the ``first`` ones, in order
COLUMNS = (S.H3, S.COUNT, S.GI_Z, S.GI_P, S.GI_Q, S.GI_BIN)


def written_elsewhere(polygons, resolution) -> bool:
    """Whether the cells of these study areas at ``resolution`` (an estimate from their areas) make a
    layer that :meth:`CellsLayer.write_later` gives to a child process."""
    from .grid import estimated_cells

    return isinstance(resolution, int) and sum(estimated_cells(p, resolution) for p in polygons) >= ELSEWHERE_FROM


class CellsLayer:
    """A cells layer: ``first`` columns (e.g. the area's position ``group``), ``h3`` and the Gi*
    ``columns`` of ``cells``, with the hexagons as WKB; the GeoDataFrame in :attr:`frame`."""

    def __init__(self, cells: np.ndarray, columns: dict[str, np.ndarray], first: dict | None = None,
                 wkb=None) -> None:
        from .grid import cell_wkb, to_str

        cells = np.asarray(cells, dtype=np.uint64)
        self.columns: dict[str, np.ndarray] = {**(first or {}), S.H3: to_str(cells),
                                               **{k: np.asarray(columns[k]) for k in COLUMNS[1:]}}
        self.wkb = cell_wkb(cells) if wkb is None else wkb  # (``wkb``: the hexagons, built already)
        self._frame: gpd.GeoDataFrame | None = None

    def __len__(self) -> int:
        return len(self.wkb)

    @property
    def frame(self) -> gpd.GeoDataFrame:
        """The layer as a GeoDataFrame (``first`` columns, ``h3`` … ``gi_bin``, geometry), built
        from the WKB when first asked for."""
        if self._frame is None:
            import shapely

            from .grid import WGS84_CRS

            geometry = shapely.from_wkb(self.wkb) if len(self) else np.empty(0, dtype=object)
            self._frame = gpd.GeoDataFrame(dict(self.columns), geometry=geometry, crs=WGS84_CRS())
        return self._frame

    def write(self, path: str | Path, *, first: dict[str, np.ndarray] | None = None,
              drop: tuple[str, ...] = ("group",), fresh: bool = True) -> Path:
        """Write the layer as ``cells`` of the GeoPackage ``path`` (a new file unless ``fresh`` is
        False), with ``first`` columns in front and the columns in ``drop`` left out."""
        return self.write_later(path, first=first, drop=drop, fresh=fresh, elsewhere_from=None).wait()

    def write_later(self, path: str | Path, *, first: dict[str, np.ndarray] | None = None,
                    drop: tuple[str, ...] = ("group",), fresh: bool = True,
                    elsewhere_from: int | None = ELSEWHERE_FROM):
        """As :meth:`write`, but a layer of ``elsewhere_from`` cells or more is written by a child
        process (:mod:`.gpkg_writer`) while this one goes on; ``.wait()`` on what it returns."""
        import pyarrow as pa
        import pyogrio

        path = Path(path)
        if fresh and path.exists():
            path.unlink()
        if len(self) == 0:  # GDAL's Arrow writer needs rows to learn the types from
            frame = self.frame.drop(columns=[c for c in drop if c in self.frame.columns])
            for i, (name, values) in enumerate((first or {}).items()):
                frame.insert(i, name, values)
            pyogrio.write_dataframe(frame, path, layer=S.LAYER_CELLS, driver="GPKG")
            return Written(path)
        data = {**(first or {}), **{k: v for k, v in self.columns.items() if k not in drop}}
        table = pa.table({**{k: _arrow(v) for k, v in data.items()}, "geometry": self.wkb})
        if elsewhere_from is not None and len(self) >= elsewhere_from and fresh:
            from .gpkg_writer import write_elsewhere

            return write_elsewhere(table, path, layer=S.LAYER_CELLS, geometry_type="Polygon", crs="EPSG:4326")
        pyogrio.write_arrow(table, path, layer=S.LAYER_CELLS, driver="GPKG", geometry_name="geometry",
                            geometry_type="Polygon", crs="EPSG:4326")
        return Written(path)


@dataclass(frozen=True)
class Written:
    """A layer written already (what :meth:`CellsLayer.write_later` gives for a small one)."""

    path: Path

    def wait(self) -> Path:
        return self.path


def _arrow(values: np.ndarray):
    """A column as Arrow (an object column's type inferred as pandas would: text, or whole numbers)."""
    import pyarrow as pa

    return pa.array(np.asarray(values), from_pandas=True)
