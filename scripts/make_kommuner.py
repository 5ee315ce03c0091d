"""Make the bundled kommun boundaries for ``--by kommun`` (``geo_trygghet/hotspots/data/kommuner.parquet``).

    python scripts/make_kommuner.py [SHARED_DATA_DIR]    # default ../shared/data/sweden

Reads the 290 kommun polygons of the shared data folder (``kommuner_sweref99tm.geojson``: SCB's
digital boundaries via the R package swemapdata, CC0, already simplified) and writes them as
GeoParquet in WGS84 with the columns ``kommun_kod`` (four digits) and ``kommun`` (the name). Two
neighbouring polygons overlap by a few hundred square metres in the source; each polygon loses
what an earlier one (in kommun-code order) already covers, so that the areas tile without
overlaps (in WGS84, the CRS the
points are tested in) and every point lies in at most one kommun. The package reads only this small file
at run time, never the shared folder.

No population is bundled: the shared urban-area (tätort) populations leave out everyone living
outside a tätort (a tenth of Sweden, half of some kommuner), so a rate per 100 000 inhabitants
from them would be wrong; give ``--areas FILE --area-id COL --population COL`` for rates.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import shapely

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "geo_trygghet" / "hotspots" / "data" / "kommuner.parquet"
DEFAULT = REPO.parent.parent / "shared" / "data" / "sweden"


def build(folder: Path) -> gpd.GeoDataFrame:
    src = gpd.read_file(folder / "kommuner_sweref99tm.geojson").to_crs(4326)
    src["kommun_kod"] = src["code"].astype(str).str.zfill(4)
    src = src.sort_values("kommun_kod").reset_index(drop=True)
    geoms = list(shapely.make_valid(src.geometry.to_numpy()))
    taken = None
    for i, g in enumerate(geoms):
        if taken is not None and g.intersects(taken):
            g = shapely.make_valid(g.difference(taken))
            geoms[i] = shapely.MultiPolygon([p for p in getattr(g, "geoms", [g]) if p.geom_type == "Polygon"]) \
                if g.geom_type != "Polygon" else g
        taken = g if taken is None else shapely.union(taken, g)
    return gpd.GeoDataFrame({"kommun_kod": src["kommun_kod"], "kommun": src["name"].astype(str)},
                            geometry=geoms, crs=4326)


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT
    out = build(folder)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    out.to_parquet(OUT, index=False, compression="zstd")
    print(f"wrote {OUT} ({len(out)} kommuner, {OUT.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
