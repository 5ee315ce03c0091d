"""Make the sample municipality: ``python sample_data/make_sample.py [OUTDIR]``.

Katrineholms kommun (exempel) -- a SYNTHETIC municipality placed in real
geography. The kommun boundary and the tätort populations are real (SCB via
``../shared/data/sweden/``); every street, incident, walk, remark and
organisation is made up here, with planted patterns whose truth is written
beside the data (see README.md in this folder).

Deterministic: fixed seeds, sorted rows, no timestamps in any file, so running
it twice gives byte-identical files (the .xlsx protocols: identical cell
values, and the zip entries get fixed times). Only numpy, pandas,
geopandas, shapely, pyproj and openpyxl are used, so it runs without the
geo_trygghet package.

Without OUTDIR the files are written next to this script.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from openpyxl import Workbook
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.ops import unary_union

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE.parent.parent / "shared" / "data" / "sweden"

#: Chosen among seeds 1-59 (see README) so that the realised intervention, buffer and
#: lamp figures lie close to the planted ones; any seed plants the same truths.
SEED = 12
KOMMUN_NAME = "Katrineholm"
KOMMUN_CODE = "0483"
TATORT = "Katrineholm"
LABEL = "Katrineholms kommun (exempel)"
SYNTHETIC_NOTE = ("Syntetiska exempeldata: verklig kommungräns och tätortsbefolkning, påhittade händelser, "
                  "gator och anmärkningar")
#: Kommun population (rounded; SCB reports about 34 500 for Katrineholm in 2020-2023).
KOMMUN_POPULATION = 34_500
POPULATION_YEAR = 2020
START = dt.date(2023, 1, 1)
END = dt.date(2024, 12, 31)
#: Centre of the main tätort, SWEREF 99 TM metres (the SCB tätort point, rounded).
CE, CN = 568_735.0, 6_539_793.0
TATORT_RADIUS = 2000.0

_TO_WGS = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)


# --------------------------------------------------------------------------- geometry helpers
def L(x: float, y: float) -> tuple[float, float]:
    """Local metres (east, north of the tätort centre) → SWEREF 99 TM."""
    return (CE + x, CN + y)


def lbox(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return box(CE + x0, CN + y0, CE + x1, CN + y1)


def lbox_c(x: float, y: float, w: float, h: float) -> Polygon:
    return lbox(x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def to_wgs(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_WGS.transform(xy[:, 0], xy[:, 1])))


_TO_SWEREF = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


def as_written(geom):
    """The geometry as a reader of our WGS84 GeoJSON (6 decimals) gets it back in SWEREF 99 TM."""
    wgs = shapely.transform(to_wgs(geom), lambda xy: np.round(xy, 6))
    return shapely.transform(wgs, lambda xy: np.column_stack(_TO_SWEREF.transform(xy[:, 0], xy[:, 1])))


def wgs_point(e: float, n: float) -> tuple[float, float]:
    lon, lat = _TO_WGS.transform(e, n)
    return round(float(lat), 6), round(float(lon), 6)


def _round_coords(obj, nd: int):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), nd) for v in obj]
        return [_round_coords(o, nd) for o in obj]
    return obj


def write_geojson(path: Path, gdf_sweref: gpd.GeoDataFrame, *, name: str) -> None:
    """WGS84 GeoJSON (RFC 7946), coordinates to 6 decimals, fixed key order."""
    feats = []
    props_cols = [c for c in gdf_sweref.columns if c != "geometry"]
    for _, row in gdf_sweref.iterrows():
        geom = shapely.geometry.mapping(to_wgs(row.geometry))
        geom = {"type": geom["type"], "coordinates": _round_coords(geom["coordinates"], 6)}
        props = {}
        for c in props_cols:
            v = row[c]
            if isinstance(v, (np.integer,)):
                v = int(v)
            elif isinstance(v, (np.floating,)):
                v = float(v)
            props[c] = v
        feats.append({"type": "Feature", "properties": props, "geometry": geom})
    doc = {"type": "FeatureCollection", "name": name, "features": feats}
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def sample_polygon(poly, n: int, rng: np.random.Generator) -> np.ndarray:
    """n uniform points in a polygon (rejection sampling in its bounds)."""
    out = np.empty((0, 2))
    x0, y0, x1, y1 = poly.bounds
    frac = max(poly.area / ((x1 - x0) * (y1 - y0)), 0.05)
    while len(out) < n:
        m = int((n - len(out)) / frac * 1.3) + 16
        pts = np.column_stack([rng.uniform(x0, x1, m), rng.uniform(y0, y1, m)])
        pts = pts[shapely.contains_xy(poly, pts[:, 0], pts[:, 1])]
        out = np.vstack([out, pts])
    return out[:n]


def sample_gauss(center, sigma: float, n: int, rng: np.random.Generator, clip: float | None = None) -> np.ndarray:
    pts = rng.normal(0.0, sigma, size=(n, 2))
    if clip is not None:
        r = np.hypot(pts[:, 0], pts[:, 1])
        over = r > clip
        pts[over] *= (clip * rng.uniform(0.2, 1.0, over.sum()) / r[over])[:, None]
    return pts + np.asarray(center)


# --------------------------------------------------------------------------- streets
#: name → (kind, polyline in local metres). House number n lies n*10 m from the
#: first vertex; odd numbers on the left-hand side, even on the right (8 m off).
STREETS: dict[str, tuple[str, list[tuple[float, float]]]] = {
    "Storgatan": ("gata", [(-1200, 0), (-400, 0), (0, 0), (400, 0), (1200, -20), (1950, -60)]),
    "Västerleden": ("gata", [(-1950, 40), (-1600, 20), (-1200, 0)]),
    "Torget": ("torg", [(-60, 75), (80, 75)]),
    "Kyrkogatan": ("gata", [(-150, 0), (-150, 560)]),
    "Bygatan": ("gata", [(-880, 250), (-300, 250), (600, 250)]),
    "Bivägen": ("gata", [(-640, 420), (-300, 520)]),
    "Åvägen": ("gata", [(-700, 800), (-690, 500), (-720, 150), (-690, -200), (-650, -500)]),
    "Skolgatan": ("gata", [(-300, 0), (-300, 1000)]),
    "Parkvägen": ("gata", [(600, 0), (600, 1100), (700, 1950)]),
    "Stationsgatan": ("gata", [(150, 0), (150, -840)]),
    "Järnvägsgatan": ("gata", [(-1500, -830), (1500, -830)]),
    "Gångtunneln": ("gångväg", [(450, -840), (450, -960)]),
    "Söderleden": ("gata", [(-1800, -1000), (1800, -1000)]),
    "Södra vägen": ("gata", [(-200, -1000), (-200, -1900)]),
    "Rosenvägen": ("gata", [(-1500, -1500), (1300, -1500)]),
    "Handelsvägen": ("gata", [(700, -400), (1950, -400)]),
    "Ängsvägen": ("gata", [(-1850, -150), (-1050, -150)]),
    "Björkvägen": ("gata", [(-1200, 1300), (1300, 1300)]),
    "Lindvägen": ("gata", [(-1200, 1600), (1200, 1600)]),
    "Ekvägen": ("gata", [(-800, 1850), (900, 1850)]),
    "Idrottsvägen": ("gata", [(900, 500), (1700, 800)]),
    "Västra vägen": ("gata", [(-1900, 650), (-900, 650)]),
}
STREET_LINES = {name: LineString([L(x, y) for x, y in pts]) for name, (_, pts) in STREETS.items()}


def address(street: str, number: int) -> tuple[float, float]:
    """SWEREF 99 TM point of a house number on a synthetic street."""
    line = STREET_LINES[street]
    d = min(number * 10.0, line.length)
    p = line.interpolate(d)
    q = line.interpolate(min(d + 1.0, line.length)) if d + 1.0 <= line.length else p
    r = line.interpolate(max(d - 1.0, 0.0))
    dx, dy = q.x - r.x, q.y - r.y
    norm = np.hypot(dx, dy) or 1.0
    side = 8.0 if number % 2 else -8.0
    return (p.x - dy / norm * side, p.y + dx / norm * side)


# --------------------------------------------------------------------------- places
TORGET = L(10, 75)
RESECENTRUM = L(150, -880)
GANGTUNNEL = L(450, -900)
KOPCENTRUM = L(1300, -480)
POLISHUSET = address("Kyrkogatan", 50)
ESTATE = L(-1450, -150)
SCHOOLS = {"Norra skolan": L(-200, 950), "Västra skolan": L(-1450, 950), "Södra skolan": L(300, -1650)}

#: Planted hot spots: (id, name, polygon in local metres, design rate ratio, crime types).
HOTSPOTS = [
    ("HS1", "Torget och Storgatan (nöjesliv)", (-750, -230, 450, 330), 4.0,
     ["Misshandel", "Grov misshandel", "Ordningsstörning", "Olaga hot", "Narkotikabrott", "Rån", "Sexuellt ofredande"]),
    ("HS2", "Resecentrum och stationsområdet", (-200, -1215, 800, -615), 4.0,
     ["Cykelstöld", "Stöld", "Skadegörelse", "Klotter", "Ofredande"]),
    ("HS3", "Köpcentrum Öster", (800, -1030, 1600, -280), 4.0,
     ["Butiksstöld", "Stöld ur fordon", "Stöld"]),
]
HS_POLY = {hid: lbox(*b) for hid, _, b, _, _ in HOTSPOTS}

#: Multipliers on the hot-spot components (tuned so each planted hot spot has
#: about its planted rate ratio against the tätort average).
HS_BOOST = {"HS1": 1.3, "HS2": 2.0, "HS3": 2.2}

#: The intervention: target, buffer, controls (local metres).
INTERVENTION_NAME = "Ny belysning och kameror vid Resecentrum"
INTERVENTION_DATE = dt.date(2024, 1, 1)
INTERVENTION_IRR = 0.6
BUFFER_IRR = 0.9
TARGET = lbox_c(150, -880, 400, 300)
BUFFER_WIDTH = 150.0
BUFFER = TARGET.buffer(BUFFER_WIDTH, quad_segs=4).difference(TARGET)
CONTROLS = [
    ("K1", "Västra torget", lbox_c(-1350, 650, 400, 300)),
    ("K2", "Idrottsplatsen", lbox_c(1300, 700, 400, 300)),
    ("K3", "Söders centrum", lbox_c(-600, -1550, 400, 300)),
]

#: Lamp repairs with a planted effect on night incidents within 150 m:
#: the extra "dark spot" incidents drop to LAMP_IRR after the fix date.
LAMP_IRR = 0.6
LAMP_RATE_PER_YEAR = 30.0


# --------------------------------------------------------------------------- areas
def load_geography():
    kommuner = gpd.read_file(DATA_DIR / "kommuner_sweref99tm.geojson")
    kommuner = kommuner.set_crs("EPSG:3006", allow_override=True)
    k = kommuner[kommuner["code"] == KOMMUN_CODE]
    assert len(k) == 1, "Katrineholm (0483) not found in kommuner_sweref99tm.geojson"
    kommun = shapely.make_valid(k.geometry.iloc[0])
    tat = pd.read_csv(DATA_DIR / "tatorter_2020_points_sweref99tm.csv", dtype={"mun_code": str})
    tat = tat[tat["mun_code"] == KOMMUN_CODE].sort_values("pop", ascending=False).reset_index(drop=True)
    return kommun, tat


def make_areas(kommun, tat: pd.DataFrame) -> gpd.GeoDataFrame:
    disc = Point(CE, CN).buffer(TATORT_RADIUS, quad_segs=16)
    urban = [
        ("A01", "Centrum", (-900, -400, 700, 550), 3400),
        ("A02", "Stationsområdet", (-900, -1300, 700, -400), 1800),
        ("A03", "Västermalm", (-2000, -1300, -900, 550), 5200),
        ("A04", "Norrmalm", (-2000, 550, 700, 1100), 3600),
        ("A05", "Norra villaområdet", (-2000, 1100, 2000, 2000), 4300),
        ("A06", "Östermalm och idrottsområdet", (700, 200, 2000, 1100), 1700),
        ("A07", "Öster (handelsområdet)", (700, -1300, 2000, 200), 600),
    ]
    main_pop = int(tat.loc[tat["name"] == TATORT, "pop"].iloc[0])
    urban.append(("A08", "Söder", (-2000, -2000, 2000, -1300), main_pop - sum(u[3] for u in urban)))
    rows = []
    for aid, name, b, pop in urban:
        rows.append((aid, name, "tätort", pop, lbox(*b).intersection(disc)))
    rural_geom = kommun.difference(disc)
    # three sectors by the bearing from the tätort centre
    far = 200_000.0

    def sector(a0: float, a1: float) -> Polygon:
        angs = np.radians(np.linspace(a0, a1, 32))
        pts = [(CE, CN)] + [(CE + far * np.cos(a), CN + far * np.sin(a)) for a in angs]
        return Polygon(pts)

    sectors = {
        "A09": ("Landsbygd norr (Bie, Äsköping)", sector(60, 200)),
        "A10": ("Landsbygd öst (Valla, Sköldinge)", sector(-20, 60)),
        "A11": ("Landsbygd syd (Forssjö, Strångsjö, Björkvik)", sector(200, 340)),
    }
    small = tat[tat["name"] != TATORT]
    rural_rest = KOMMUN_POPULATION - int(tat["pop"].sum())
    glesbygd_share = {"A09": 0.33, "A10": 0.32, "A11": 0.35}
    pops = {}
    for aid, (_name, sec) in sectors.items():
        inside = small[[sec.contains(Point(x, y))
                        for x, y in zip(small.x_sweref99tm, small.y_sweref99tm, strict=True)]]
        pops[aid] = int(inside["pop"].sum()) + int(round(rural_rest * glesbygd_share[aid]))
    pops["A11"] += KOMMUN_POPULATION - sum(r[3] for r in rows) - sum(pops.values())
    for aid, (name, sec) in sectors.items():
        g = rural_geom.intersection(sec)
        rows.append((aid, name, "landsbygd", pops[aid], g))
    gdf = gpd.GeoDataFrame(
        {
            "area_id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "kind": [r[2] for r in rows],
            "population": [int(r[3]) for r in rows],
            "year": POPULATION_YEAR,
        },
        geometry=[r[4] if r[4].geom_type in ("Polygon", "MultiPolygon") else MultiPolygon(
            [g for g in getattr(r[4], "geoms", []) if g.geom_type == "Polygon"]) for r in rows],
        crs="EPSG:3006",
    )
    assert gdf["population"].sum() == KOMMUN_POPULATION
    return gdf


# --------------------------------------------------------------------------- time model
DAYS = pd.date_range(START, END, freq="D")
N_DAYS = len(DAYS)
WEEKDAY = DAYS.day_of_week.to_numpy()
MONTH = DAYS.month.to_numpy()
YEARS_IN = (np.arange(N_DAYS) / 365.25)


def hour_profile(kind: str) -> np.ndarray:
    """7 × 24 weights (Monday = 0) for a kind of crime."""
    w = np.ones((7, 24))
    h = np.arange(24)
    if kind == "nightlife":
        w[:] = 0.4
        w[:, 8:18] = 0.6
        w[:, 18:22] = 1.2
        w[:, 22:24] = 1.8
        w[:, 0:3] = 1.5
        for d in (4, 5):  # Friday and Saturday evenings
            w[d, 22:24] = 10.0
        for d in (5, 6):  # the small hours of Saturday and Sunday
            w[d, 0:4] = 11.0
        w[:, 4:7] = 0.15
    elif kind == "shop":
        w[:] = 0.03
        w[0:5, 10:19] = 3.0
        w[0:5, 9] = 1.0
        w[0:5, 19] = 1.2
        w[5, 10:17] = 3.2
        w[6, 11:16] = 1.2
    elif kind == "burglary":
        w[:] = 0.35
        w[0:5, 9:17] = 3.0
        w[:, 17:21] = 1.2
        w[5:7, 10:18] = 1.2
    elif kind == "commute":
        w[:] = 0.2
        w[0:5, 6:19] = 2.0
        w[0:5, 7:9] = 3.0
        w[5:7, 9:20] = 1.0
    elif kind == "youth":
        w[:] = 0.2
        w[:, 17:24] = 2.5
        w[:, 0:2] = 1.0
        w[4:6, 21:24] = 4.0
        w[0:5, 8:16] = 0.5
    elif kind == "night":
        w[:] = 0.3
        w[:, 22:24] = 2.5
        w[:, 0:5] = 3.0
    elif kind == "dark":  # lamp spots: evening and night
        w[:] = 0.05
        w[:, 18:24] = 2.0
        w[:, 0:6] = 2.0
    elif kind == "traffic":
        w[:] = 0.4
        w[:, 15:20] = 1.0
        w[:, 20:24] = 1.8
        w[:, 0:4] = 1.8
        for d in (5, 6):
            w[d, 0:5] = 4.0
    elif kind == "office":
        w[:] = 0.1
        w[0:5, 8:18] = 2.5
        w[5:7, 10:18] = 0.8
    else:  # general
        w[:] = 0.5
        w[:, 8:23] = 1.5
        w[4:6, 22:24] = 2.5
        w[5:7, 0:3] = 2.0
    del h
    return w


SEASON = {
    "flat": np.ones(12),
    "summer": np.array([0.85, 0.85, 0.9, 1.0, 1.1, 1.2, 1.25, 1.2, 1.05, 0.95, 0.85, 0.9]),
    "bike": np.array([0.25, 0.25, 0.5, 0.9, 1.4, 1.8, 2.0, 1.9, 1.5, 0.9, 0.5, 0.3]),
    "dark": np.array([1.6, 1.5, 1.1, 0.8, 0.7, 0.6, 0.6, 0.7, 0.9, 1.3, 1.6, 1.7]),
    "shop": np.array([0.9, 0.85, 0.95, 0.95, 1.0, 0.95, 0.9, 0.95, 1.0, 1.0, 1.15, 1.45]),
}

#: crime type → (expected count in 2023, trend per year, hour profile, season,
#:               {spatial component: share}).
CRIME_TYPES: dict[str, tuple[float, float, str, str, dict[str, float]]] = {
    "Misshandel": (300, 0.03, "nightlife", "summer",
                   {"HS1": 0.6, "urban": 0.2, "estate": 0.07, "HS2": 0.05, "rural": 0.08}),
    "Grov misshandel": (35, 0.0, "nightlife", "summer", {"HS1": 0.65, "urban": 0.15, "estate": 0.1, "rural": 0.1}),
    "Olaga hot": (210, 0.03, "general", "flat",
                  {"HS1": 0.25, "urban": 0.3, "estate": 0.25, "HS2": 0.08, "rural": 0.12}),
    "Ofredande": (190, 0.03, "general", "flat", {"HS1": 0.2, "HS2": 0.3, "urban": 0.3, "HS3": 0.1, "rural": 0.1}),
    "Sexuellt ofredande": (40, 0.05, "nightlife", "summer",
                           {"HS1": 0.45, "HS2": 0.2, "urban": 0.15, "rural": 0.05, "zero": 0.15}),
    "Butiksstöld": (520, 0.05, "shop", "shop", {"HS3": 0.62, "HS1": 0.28, "rural": 0.1}),
    "Stöld": (420, 0.02, "general", "flat", {"HS1": 0.2, "HS2": 0.2, "HS3": 0.2, "urban": 0.25, "rural": 0.15}),
    "Cykelstöld": (300, 0.02, "commute", "bike", {"HS2": 0.65, "HS1": 0.15, "urban": 0.15, "schools": 0.05}),
    "Bostadsinbrott": (80, -0.08, "burglary", "dark", {"villa": 0.75, "rural": 0.25}),
    "Stöld ur fordon": (170, 0.0, "night", "dark", {"HS3": 0.45, "HS2": 0.2, "urban": 0.2, "rural": 0.15}),
    "Skadegörelse": (330, 0.03, "youth", "summer",
                     {"schools": 0.22, "estate": 0.3, "HS2": 0.2, "urban": 0.18, "rural": 0.1}),
    "Klotter": (220, 0.04, "youth", "summer", {"schools": 0.25, "tunnel": 0.25, "estate": 0.3, "urban": 0.2}),
    "Narkotikabrott": (260, 0.06, "general", "flat",
                       {"HS1": 0.35, "HS2": 0.2, "estate": 0.3, "urban": 0.05, "rural": 0.1}),
    "Rattfylleri": (110, 0.0, "traffic", "summer", {"roads": 0.6, "rural": 0.4}),
    "Ordningsstörning": (350, 0.03, "nightlife", "summer", {"HS1": 0.7, "urban": 0.15, "estate": 0.1, "rural": 0.05}),
    "Rån": (22, 0.0, "night", "flat", {"HS1": 0.4, "HS2": 0.3, "HS3": 0.1, "urban": 0.2}),
    "Bedrägeri": (600, 0.10, "office", "flat", {"none": 0.85, "police": 0.1, "zero": 0.05}),
}

#: Crime types at the intervention nodes (target + the three controls).
NODE_RATE_PER_YEAR = {"TARGET": 170.0, "K1": 170.0, "K2": 170.0, "K3": 170.0}
NODE_TYPES = {"Stöld": 0.25, "Cykelstöld": 0.15, "Skadegörelse": 0.15, "Ofredande": 0.15, "Klotter": 0.1,
              "Narkotikabrott": 0.1, "Olaga hot": 0.05, "Misshandel": 0.05}


def day_hour_weights(trend: float, profile: str, season: str) -> np.ndarray:
    """(N_DAYS × 24) probabilities of an incident in each hour of the period."""
    day_w = (1.0 + trend * YEARS_IN) * SEASON[season][MONTH - 1]
    hw = hour_profile(profile)[WEEKDAY]  # N_DAYS × 24
    w = day_w[:, None] * hw
    return w / w.sum()


def draw_times(n: int, probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """n timestamps (datetime64[m]) drawn from a day × hour probability table."""
    idx = rng.choice(probs.size, size=n, p=probs.ravel())
    day, hour = np.divmod(idx, 24)
    minute = rng.integers(0, 60, size=n)
    base = DAYS.to_numpy().astype("datetime64[m]")[day]
    return base + (hour * 60 + minute).astype("timedelta64[m]")


def expected_total(count_2023: float, trend: float, season: str) -> float:
    """Expected count over the whole period given the 2023 count."""
    day_w = (1.0 + trend * YEARS_IN) * SEASON[season][MONTH - 1]
    first_year = day_w[: 365].sum()
    return count_2023 * day_w.sum() / first_year


# --------------------------------------------------------------------------- incidents
class _Spatial:
    """Where the incidents of one spatial component fall (one method per component)."""

    def __init__(self, areas: gpd.GeoDataFrame, tat: pd.DataFrame, rng: np.random.Generator) -> None:
        self.areas, self.rng = areas, rng
        self.urban_areas = areas[areas["kind"] == "tätort"].reset_index(drop=True)
        self.rural_areas = areas[areas["kind"] == "landsbygd"].reset_index(drop=True)
        self.small = tat[tat["name"] != TATORT].reset_index(drop=True)
        self.villa_shares = {"A05": 0.45, "A08": 0.3, "A03": 0.15, "A04": 0.1}
        self.road_lines = [STREET_LINES[s] for s in ("Storgatan", "Västerleden", "Handelsvägen", "Söderleden",
                                                      "Järnvägsgatan")]
        self.draw = {"urban": self._urban, "estate": self._estate, "villa": self._villa, "schools": self._schools,
                     "tunnel": self._tunnel, "roads": self._roads, "rural": self._rural, "police": self._police}

    def __call__(self, component: str, n: int) -> np.ndarray:
        if n == 0:
            return np.empty((0, 2))
        if component in HS_POLY:
            return self._hotspot(component, n)
        if component in ("none", "zero"):
            return np.full((n, 2), np.nan if component == "none" else 0.0)
        if component not in self.draw:
            raise ValueError(component)
        return self.draw[component](n)

    def _in_area(self, area_id: str, n: int) -> np.ndarray:
        poly = self.areas.loc[self.areas["area_id"] == area_id, "geometry"].iloc[0]
        return sample_polygon(poly, n, self.rng)

    def _hotspot(self, component: str, n: int) -> np.ndarray:
        # 90 % uniform over the hot-spot polygon, 10 % around its focal point
        poly = HS_POLY[component]
        if component == "HS2":
            # the intervention target inside it has its own level (see NODE_RATE_PER_YEAR)
            return sample_polygon(poly.difference(TARGET), n, self.rng)
        focal = {"HS1": TORGET, "HS2": RESECENTRUM, "HS3": KOPCENTRUM}[component]
        k = int(round(n * 0.10))
        g = sample_gauss(focal, 90.0, k, self.rng, clip=200.0)
        return np.vstack([sample_polygon(poly, n - k, self.rng), g])

    def _urban(self, n: int) -> np.ndarray:
        p = self.urban_areas["population"].to_numpy(float)
        which = self.rng.choice(len(self.urban_areas), size=n, p=p / p.sum())
        out = np.empty((n, 2))
        for i in range(len(self.urban_areas)):
            m = which == i
            out[m] = sample_polygon(self.urban_areas.geometry.iloc[i], int(m.sum()), self.rng)
        return out

    def _estate(self, n: int) -> np.ndarray:
        # the Ängen housing estate: a milder concentration, not a planted hot spot
        return sample_gauss(ESTATE, 220.0, n, self.rng, clip=450.0)

    def _villa(self, n: int) -> np.ndarray:
        ids = list(self.villa_shares)
        which = self.rng.choice(len(ids), size=n, p=np.array([self.villa_shares[i] for i in ids]))
        out = np.empty((n, 2))
        for i, aid in enumerate(ids):
            m = which == i
            out[m] = self._in_area(aid, int(m.sum()))
        return out

    def _schools(self, n: int) -> np.ndarray:
        names = sorted(SCHOOLS)
        which = self.rng.integers(0, len(names), size=n)
        out = np.empty((n, 2))
        for i, s in enumerate(names):
            m = which == i
            out[m] = sample_gauss(SCHOOLS[s], 60.0, int(m.sum()), self.rng, clip=150.0)
        return out

    def _tunnel(self, n: int) -> np.ndarray:
        return sample_gauss(GANGTUNNEL, 25.0, n, self.rng, clip=60.0)

    def _roads(self, n: int) -> np.ndarray:
        which = self.rng.integers(0, len(self.road_lines), size=n)
        d = self.rng.uniform(0, 1, size=n)
        pts = [self.road_lines[w].interpolate(dd, normalized=True) for w, dd in zip(which, d, strict=True)]
        return np.array([(p.x, p.y) for p in pts]) + self.rng.normal(0, 6, size=(n, 2))

    def _rural(self, n: int) -> np.ndarray:
        # 70 % around the small tätorter (by population), 30 % anywhere rural
        k = int(round(n * 0.7))
        p = self.small["pop"].to_numpy(float)
        which = self.rng.choice(len(self.small), size=k, p=p / p.sum())
        pts = np.empty((k, 2))
        for i in range(len(self.small)):
            m = which == i
            c = (self.small.x_sweref99tm.iloc[i], self.small.y_sweref99tm.iloc[i])
            pts[m] = sample_gauss(c, 350.0, int(m.sum()), self.rng, clip=900.0)
        rest = sample_polygon(unary_union(list(self.rural_areas.geometry)), n - k, self.rng)
        return np.vstack([pts, rest])

    def _police(self, n: int) -> np.ndarray:
        return np.tile(np.asarray(POLISHUSET), (n, 1))


def make_incidents(areas: gpd.GeoDataFrame, kommun, tat: pd.DataFrame, lamps: list[dict],
                   rng: np.random.Generator) -> pd.DataFrame:
    spatial = _Spatial(areas, tat, rng)
    parts = []
    for ctype, (count, trend, profile, season, comps) in CRIME_TYPES.items():
        probs = day_hour_weights(trend, profile, season)
        total = expected_total(count, trend, season)
        for comp, share in comps.items():
            n = int(rng.poisson(total * share * HS_BOOST.get(comp, 1.0)))
            parts.append(pd.DataFrame({
                "brottstyp": ctype, "t": draw_times(n, probs, rng),
                "xy": list(spatial(comp, n)), "component": comp,
            }))
    # nodes: the intervention target and its controls share a mix of types
    node_polys = {"TARGET": TARGET, **{cid: poly for cid, _, poly in CONTROLS}}
    types = list(NODE_TYPES)
    tp = np.array([NODE_TYPES[t] for t in types])
    probs = day_hour_weights(0.03, "general", "flat")
    for nid in sorted(node_polys):
        n = int(rng.poisson(expected_total(NODE_RATE_PER_YEAR[nid], 0.03, "flat")))
        parts.append(pd.DataFrame({
            "brottstyp": np.array(types)[rng.choice(len(types), size=n, p=tp)],
            "t": draw_times(n, probs, rng), "xy": list(sample_polygon(node_polys[nid], n, rng)),
            "component": f"node_{nid}",
        }))
    # dark spots at the lamps repaired after the walks
    lamp_types = {"Misshandel": 0.2, "Ofredande": 0.2, "Skadegörelse": 0.25, "Stöld ur fordon": 0.15,
                  "Olaga hot": 0.1, "Rån": 0.1}
    ltypes = list(lamp_types)
    lp = np.array([lamp_types[t] for t in ltypes])
    probs = day_hour_weights(0.0, "dark", "dark")
    for lamp in lamps:
        n = int(rng.poisson(expected_total(LAMP_RATE_PER_YEAR, 0.0, "dark")))
        t = draw_times(n, probs, rng)
        fixed = np.datetime64(lamp["fixed"])
        keep = (t < fixed) | (rng.uniform(size=n) < LAMP_IRR)
        n_keep = int(keep.sum())
        parts.append(pd.DataFrame({
            "brottstyp": np.array(ltypes)[rng.choice(len(ltypes), size=n, p=lp)][keep],
            "t": t[keep], "xy": list(sample_gauss(lamp["xy"], 45.0, n_keep, rng, clip=110.0)),
            "component": f"lamp_{lamp['id']}",
        }))
    df = pd.concat(parts, ignore_index=True)
    xy = np.vstack(df["xy"].to_numpy())
    df["E"], df["N"] = xy[:, 0], xy[:, 1]
    df = df.drop(columns="xy")
    # positions outside the kommun (gaussian tails) are pulled back to the centre of their draw
    has = df["E"].notna() & (df["E"] != 0)
    outside = has & ~shapely.contains_xy(kommun, df["E"].to_numpy(), df["N"].to_numpy())
    df = df[~outside].reset_index(drop=True)
    # the intervention: fewer incidents in the target (and a little fewer in the buffer) from its date
    after = df["t"] >= np.datetime64(INTERVENTION_DATE)
    e, n = df["E"].to_numpy(), df["N"].to_numpy()
    in_target = shapely.contains_xy(TARGET, e, n)
    in_buffer = shapely.contains_xy(BUFFER, e, n)
    u = rng.uniform(size=len(df))
    drop = after & ((in_target & (u >= INTERVENTION_IRR)) | (in_buffer & (u >= BUFFER_IRR)))
    df = df[~drop.to_numpy()].reset_index(drop=True)
    return df


def finish_incidents(df: pd.DataFrame, tat: pd.DataFrame) -> pd.DataFrame:
    """Round, attach the nearest street (or village), sort, number like a police export."""
    df = df.copy()
    has = df["E"].notna() & (df["E"] != 0)
    df.loc[has, "E"] = df.loc[has, "E"].round(0)
    df.loc[has, "N"] = df.loc[has, "N"].round(0)
    names = sorted(STREET_LINES)
    lines = [STREET_LINES[s] for s in names]
    plats = np.full(len(df), "", dtype=object)
    idx = np.flatnonzero(has.to_numpy())
    pts = shapely.points(df.loc[has, "E"].to_numpy(), df.loc[has, "N"].to_numpy())
    dist = np.column_stack([shapely.distance(pts, ln) for ln in lines])
    best = dist.argmin(axis=1)
    near = dist[np.arange(len(idx)), best] <= 300
    plats[idx[near]] = np.array(names, dtype=object)[best[near]]
    small = tat[tat["name"] != TATORT]
    vdist = np.column_stack([shapely.distance(pts, Point(x, y))
                             for x, y in zip(small.x_sweref99tm, small.y_sweref99tm, strict=True)])
    vbest = vdist.argmin(axis=1)
    village = ~near & (vdist[np.arange(len(idx)), vbest] <= 1500)
    plats[idx[village]] = small["name"].to_numpy(dtype=object)[vbest[village]]
    plats[(df["component"] == "police").to_numpy()] = "Kyrkogatan"
    df["plats"] = plats
    df = df.sort_values(["t", "brottstyp", "E", "N"], kind="mergesort", na_position="last").reset_index(drop=True)
    year = df["t"].dt.year
    serial = df.groupby(year).cumcount() + 1
    df["händelsenummer"] = [f"4000-K{10000 + 37 * s:06d}-{y % 100:02d}" for s, y in zip(serial, year, strict=True)]
    df["datum"] = df["t"].dt.strftime("%Y-%m-%d")
    df["tid"] = df["t"].dt.strftime("%H:%M")
    return df


def write_incidents(df: pd.DataFrame, path: Path) -> None:
    out = df[["händelsenummer", "brottstyp", "datum", "tid", "plats", "E", "N"]].copy()
    for c in ("E", "N"):
        out[c] = out[c].map(lambda v: "" if pd.isna(v) else str(int(v)))
    out.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")


# --------------------------------------------------------------------------- walks and remarks
ORGANISATIONS = [
    ("Gatukontoret (Samhällsbyggnadsförvaltningen)", "kommun", "gatukontoret@example.se",
     ["Belysning", "Trafik", "Orienterbarhet", "Nedskräpning", "Övergivet föremål", "Klotter",
      "Gångtunnel/passage"], ""),
    ("Parkenheten (Samhällsbyggnadsförvaltningen)", "kommun", "parkenheten@example.se",
     ["Buskage/skymd sikt", "Nedskräpning"], ""),
    ("Kommunfastigheter (skolor och idrottshallar)", "kommun", "kommunfastigheter@example.se",
     ["Skadegörelse", "Klotter"], "Norrmalm|Östermalm och idrottsområdet"),
    ("Bostadsbolaget AB", "kommunalt bostadsbolag", "felanmalan@bostadsbolaget.example.se",
     ["Skadegörelse", "Klotter", "Belysning", "Annat"], "Centrum|Västermalm"),
    ("Fastighetsägare Bygatan", "privat fastighetsägare", "forvaltning@bygatan.example.se",
     ["Skadegörelse", "Nedskräpning", "Gångtunnel/passage", "Annat"], "Centrum"),
    ("Trafikverket", "statlig myndighet", "trafikverket@example.se",
     ["Belysning", "Gångtunnel/passage", "Skadegörelse", "Trafik"], "Stationsområdet"),
    ("Polisen (lokalpolisområde Katrineholm)", "polis", "polisen@example.se",
     ["Trafik", "Övergivet föremål", "Annat"], ""),
    # no remark categories: it answers for an action of the åtgärdsplan (föräldravandringar), not for remarks
    ("Fritidsgården (Kultur- och fritidsförvaltningen)", "kommun", "fritidsgarden@example.se", [], ""),
]
GATU, PARK, KFAST, BOSTAD, BYGATAN, TRV, POLIS, FRITID = (o[0] for o in ORGANISATIONS)

# (street, number) or a local-metres point; owner; planned; fixed
WALKS = [
    {
        "slug": "centrum_varen_2023", "title": "Centrum våren 2023", "date": "2023-03-09",
        "area": "Centrum", "group": "blandad", "organiser": "Brottsförebyggande samordnaren",
        "state": "uppföljd", "coords": "wgs84",
        "remarks": [
            ("Trasig belysning på Åvägen nr 37", "Belysning", GATU, ("Åvägen", 37), None, "2023-04-30"),
            ("Uppbrutna källardörrar Storgatan 85–89", "Skadegörelse", BOSTAD, ("Storgatan", 87), None, "2023-05-15"),
            ("Fem skrotbilar vändplanen vid Bygatan 3", "Övergivet föremål", GATU, ("Bygatan", 3), None, "2023-03-30"),
            ("Brandfarliga källargångar Bivägen 4–6", "Annat", BOSTAD, ("Bivägen", 5), None, "2023-03-25"),
            ("Trygg plats: välupplyst torg med folk i rörelse", "Trygg plats", "", (10, 80), None, None),
            ("Klotter på elskåp vid Kyrkogatan 12", "Klotter", GATU, ("Kyrkogatan", 12), None, "2023-04-04"),
            ("Höga buskar skymmer sikten längs gångvägen vid ån, Åvägen 20", "Buskage/skymd sikt", PARK,
             ("Åvägen", 20), "2023-05-31", "2023-05-22"),
            ("Mörk och trång passage mellan Storgatan 140 och Bygatan", "Gångtunnel/passage", BYGATAN,
             (-20, 160), "2024-06-30", None),
            ("Nedskräpning och glasflaskor på torget efter helgerna", "Nedskräpning", GATU, (40, 60), None, None),
            ("Otydlig skyltning till gångvägen mot stationen", "Orienterbarhet", GATU, ("Stationsgatan", 8),
             "2023-12-31", None),
            ("Bilar kör fort på Storgatan kvällstid", "Trafik", POLIS, ("Storgatan", 170), None, None),
            ("Trasig belysning i gångstråket vid Parkvägen 40", "Belysning", GATU, ("Parkvägen", 40),
             "2023-06-15", "2023-06-12"),
            ("Trygg plats: bibliotekets entré är välupplyst och bemannad", "Trygg plats", "", ("Kyrkogatan", 31),
             None, None),
        ],
    },
    {
        "slug": "stationsomradet_hosten_2023", "title": "Stationsområdet hösten 2023", "date": "2023-10-10",
        "area": "Stationsområdet", "group": "kvinnor", "organiser": "Brottsförebyggande samordnaren",
        "state": "uppföljd", "coords": "sweref",
        "remarks": [
            ("Mörkt och otryggt vid Resecentrums cykelparkering, önskar belysning och kameror", "Belysning", TRV,
             (150, -900), "2024-01-01", "2024-01-01"),
            ("Gångtunneln under spåren är mörk och känns otrygg", "Gångtunnel/passage", TRV, (450, -905),
             "2025-06-30", None),
            ("Klotter på väggarna i gångtunneln", "Klotter", GATU, (455, -880), None, "2023-10-25"),
            ("Övergivna cyklar i cykelställen vid Resecentrum", "Övergivet föremål", GATU, (100, -860), None,
             "2023-11-15"),
            ("Belysning saknas på Järnvägsgatan vid nr 30", "Belysning", GATU, ("Järnvägsgatan", 30), None,
             "2023-12-05"),
            ("Buskage vid busshållplatsen skymmer sikten", "Buskage/skymd sikt", PARK, (230, -800), None,
             "2023-11-02"),
            ("Trasiga rutor i väntsalen", "Skadegörelse", TRV, (160, -870), None, "2023-10-20"),
            ("Nedskräpning vid taxiplatsen", "Nedskräpning", GATU, (60, -820), None, None),
            ("Svårt att hitta gångvägen till pendelparkeringen", "Orienterbarhet", GATU, (-150, -900),
             "2024-03-31", None),
            ("Trygg plats: Stationsgatan är välbesökt och upplyst på kvällen", "Trygg plats", "",
             ("Stationsgatan", 60), None, None),
            ("Bilar parkerar på gångbanan vid Stationsgatan", "Trafik", POLIS, ("Stationsgatan", 75), None, None),
            ("Trasig belysning på Stationsgatan 35", "Belysning", GATU, ("Stationsgatan", 35), None, "2023-11-08"),
        ],
    },
    {
        "slug": "norra_villaomradet_2024", "title": "Norra villaområdet 2024", "date": "2024-04-16",
        "area": "Norra villaområdet", "group": "äldre", "organiser": "Kommunpolisen och samordnaren",
        "state": "genomförd", "coords": "wgs84",
        "remarks": [
            ("Trasig gatubelysning på Björkvägen 14", "Belysning", GATU, ("Björkvägen", 14), None, "2024-05-20"),
            ("Mörkt längs gångvägen vid Lindvägen 31", "Belysning", GATU, ("Lindvägen", 31), "2024-06-30",
             "2024-06-10"),
            ("Höga häckar skymmer sikten i korsningen Lindvägen/Parkvägen", "Buskage/skymd sikt", PARK,
             (595, 1600), None, "2024-05-06"),
            ("Klotter på transformatorstationen vid Ekvägen", "Klotter", GATU, ("Ekvägen", 60), None, "2024-05-02"),
            ("Fortkörning på Björkvägen, önskar farthinder", "Trafik", GATU, ("Björkvägen", 120), "2024-09-30",
             "2024-09-25"),
            ("Nedskräpning vid återvinningsstationen", "Nedskräpning", GATU, ("Ekvägen", 101), None, None),
            ("Övergiven husvagn på Ekvägen", "Övergivet föremål", POLIS, ("Ekvägen", 140), None, None),
            ("Trygg plats: välskött lekplats med bra belysning vid Lindvägen", "Trygg plats", "",
             ("Lindvägen", 150), None, None),
            ("Belysning saknas vid busshållplatsen på Parkvägen", "Belysning", GATU, ("Parkvägen", 131),
             "2024-12-31", None),
            ("Buskage längs gångvägen mot skolan", "Buskage/skymd sikt", PARK, (-300, 1150), None, None),
        ],
    },
    {
        "slug": "skolvagen_unga_2024", "title": "Skolvägen med unga hösten 2024", "date": "2024-09-10",
        "area": "Norrmalm", "group": "unga", "organiser": "Fritidsgården och samordnaren",
        "state": "genomförd", "coords": "wgs84",
        "remarks": [
            ("Trasig belysning på Skolgatan vid nr 70", "Belysning", GATU, ("Skolgatan", 70), None, "2024-10-01"),
            ("Klotter på skolans gavel", "Klotter", KFAST, (-180, 930), None, "2024-09-20"),
            ("Krossat glas vid cykelstället", "Skadegörelse", KFAST, (-220, 910), None, "2024-09-18"),
            ("Otrygg gångväg bakom idrottshallen", "Buskage/skymd sikt", PARK, (-120, 1010), None, None),
            ("Bilar kör fort vid övergångsstället på Skolgatan", "Trafik", GATU, ("Skolgatan", 55), "2025-04-30",
             None),
            ("Trygg plats: fritidsgården, vuxna finns på plats", "Trygg plats", "", ("Skolgatan", 42), None, None),
            ("Nedskräpning i parken vid Åvägen", "Nedskräpning", PARK, ("Åvägen", 12), None, "2024-09-30"),
            ("Mörk passage mellan skolan och Bygatan", "Gångtunnel/passage", BYGATAN, (-330, 300), None, None),
        ],
    },
]


#: One walk still open for remarks (state planerad, no protocol yet): a newcomer joins it with
#: the code `geo-trygghet sample load` prints and tries the participants' form at once.
OPEN_WALK = {
    "title": "Västermalm kvällsvandring (öppen för anmärkningar)", "date": "", "area": "Västermalm",
    "group": "boende", "organiser": "Brottsförebyggande samordnaren", "state": "planerad",
}


def remark_xy(where) -> tuple[float, float]:
    if isinstance(where[0], str):
        return address(where[0], int(where[1]))
    return L(*where)


def lamp_repairs() -> list[dict]:
    """Fixed lighting remarks that get a planted effect (all but the intervention's own)."""
    out = []
    for w in WALKS:
        for i, (text, cat, _owner, where, _planned, fixed) in enumerate(w["remarks"], start=1):
            if cat != "Belysning" or fixed is None:
                continue
            xy = remark_xy(where)
            if TARGET.buffer(BUFFER_WIDTH).contains(Point(xy)):
                continue  # the intervention itself (thinned as the target)
            out.append({"id": f"{w['slug']}_{i}", "walk": w["title"], "nr": i, "text": text,
                        "fixed": fixed, "xy": xy})
    return out


def write_protocol(walk: dict, path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Protokoll"
    coords = ["lat", "lon"] if walk["coords"] == "wgs84" else ["E", "N"]
    ws.append(["NR", "ANMÄRKNING", "KATEGORI", "PROBLEMÄGARE", "PLANERAT", "ÅTGÄRDAT", *coords])
    for i, (text, cat, owner, where, planned, fixed) in enumerate(walk["remarks"], start=1):
        e, n = remark_xy(where)
        if walk["coords"] == "wgs84":
            lat, lon = wgs_point(e, n)
            c = [lat, lon]
        else:
            c = [int(round(e)), int(round(n))]
        ws.append([i, text, cat, owner or None,
                   dt.date.fromisoformat(planned) if planned else None,
                   dt.date.fromisoformat(fixed) if fixed else None, *c])
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for col, width in zip("ABCDEFGH", (5, 70, 20, 44, 12, 12, 12, 12), strict=True):
        ws.column_dimensions[col].width = width
    fixed_time = dt.datetime(2025, 1, 1)
    wb.properties.creator = "geo_trygghet sample_data/make_sample.py"
    wb.properties.created = fixed_time
    wb.properties.modified = fixed_time
    wb.save(path)
    _freeze_zip(path)


def _freeze_zip(path: Path) -> None:
    """Make an .xlsx byte-identical between runs: fixed entry times and 'modified' stamp."""
    stamp = (2025, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2025-01-01T00:00:00Z\g<2>", data)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    path.write_bytes(buf.getvalue())


# --------------------------------------------------------------------------- the åtgärdsplan
#: The sample municipality's åtgärdsplan for 2024, decided by the styrgrupp in December 2023 from
#: the lägesbild of 2023: the planted hot spots HS1 and HS2 and the walks' lamp remarks are its
#: problems; the intervention is action 1a (with its planted effect), the walks' lamp repairs are
#: action 4a (its remarks linked), föräldravandringar are a social action without a place (3b),
#: three actions have measurable goals and one is a medborgarlöfte (3a). Places: "HS1"/"HS2" are
#: the hot-spot rectangles, "TARGET" the intervention's target, "CONTROLS" its control areas.
PLAN_TITLE = "Åtgärdsplan Katrineholm 2024"
PLAN = {
    "title": PLAN_TITLE, "area_name": LABEL, "period_start": "2024-01-01", "period_end": "2024-12-31",
    "decided_date": "2023-12-12", "figures_as_of": "2023-11-30",
    "problems": [
        {"key": "P1", "title": "Stölder och skadegörelse vid Resecentrum och stationsområdet", "place": "HS2",
         "categories": ["tillgreppsbrott", "skadegorelse", "brott_mot_frihet_och_frid"],
         "description": "En av kommunens tre brottskoncentrationer i lägesbilden 2023: cykelstölder, stölder, "
                        "skadegörelse, klotter och ofredanden, mest kvällar och vid pendeltider. Kvinnorna på "
                        "trygghetsvandringen i oktober beskrev cykelparkeringen som mörk och otrygg."},
        {"key": "P2", "title": "Våld och ordningsstörningar kring Torget och Storgatan helgnätter", "place": "HS1",
         "categories": ["brott_mot_liv_och_halsa", "ordningsstorning", "brott_mot_frihet_och_frid"],
         "description": "Misshandel, ordningsstörningar, olaga hot och sexuella ofredanden fredag och lördag "
                        "kl. 22–04 kring Torget och krogarna på Storgatan."},
        {"key": "P3", "title": "Mörka gångstråk och trasig belysning", "place": None, "categories": [],
         "description": "Trygghetsvandringarna 2023–2024 anmälde trasig eller saknad belysning i flera "
                        "stadsdelar; kvinnor och äldre undviker stråken kvällstid."},
    ],
    "causes": [
        {"number": 1, "problem": "P1", "text": "Mörkt och ingen naturlig övervakning vid Resecentrum och "
                                               "cykelparkeringen"},
        {"number": 2, "problem": "P1", "text": "Cyklar står i ställ där ramen inte kan låsas fast"},
        {"number": 3, "problem": "P2", "text": "Många berusade unga vuxna samlas vid Torget efter "
                                               "krogstängning, och få vuxna är ute"},
        {"number": 4, "problem": "P3", "text": "Trasig och saknad belysning längs gång- och cykelstråk"},
    ],
    "actions": [
        {"nr": "1a", "cause": 1, "description": INTERVENTION_NAME, "kind": "situationell", "responsible": TRV,
         "contact": "Stationsmiljö, Trafikverket region Öst", "start_date": "2024-01-01",
         "due_date": "2024-01-31", "position": 1, "place": "TARGET", "controls": "CONTROLS",
         "buffer_m": BUFFER_WIDTH, "remarks": [["Stationsområdet hösten 2023", 1]],
         "goals": [{"text": "20 % färre anmälda brott vid Resecentrum under 2024 än året före",
                    "measurable": True, "categories": [], "target_change": -0.2, "by_date": "2024-12-31"}],
         "reports": [{"at": "2024-01-08", "production": "genomford", "production_date": "2024-01-01",
                      "count": 16, "hours": 140,
                      "process_note": "Tolv nya armaturer och fyra kameror i drift före årsskiftet; skyltar om "
                                      "kamerabevakning uppsatta. Klart enligt plan."}]},
        {"nr": "2a", "cause": 2, "description": "Låsbara cykelställ och ett cykelgarage vid Resecentrum",
         "kind": "situationell", "responsible": GATU, "contact": "Trafikplanerare, gatukontoret@example.se",
         "start_date": "2024-03-01", "due_date": "2024-06-30", "position": 2, "place": "problem",
         "goals": [{"text": "15 % färre stölder i stationsområdet under 2024", "measurable": True,
                    "categories": ["tillgreppsbrott"], "target_change": -0.15, "by_date": "2024-12-31"}],
         "reports": [{"at": "2024-07-01", "production": "delvis", "production_date": "2024-06-28",
                      "count": 120, "hours": 260,
                      "process_note": "120 av 200 cykelplatser klara; cykelgaraget skjuts till våren 2025 "
                                      "efter fördröjda markarbeten."}]},
        {"nr": "3a", "cause": 3, "description": "Polisens synliga närvaro vid Torget fredag och lördag kl. 22–03",
         "kind": "situationell", "responsible": POLIS, "contact": "Kommunpolisen, polisen@example.se",
         "start_date": "2024-03-01", "due_date": "2024-12-31", "position": 1, "place": "problem",
         "promise": True,
         "promise_text": "Polisen och kommunen lovar: under 2024 finns poliser och vuxna ute kring Torget varje "
                         "fredags- och lördagskväll, så att det känns tryggare att gå hem från stan.",
         "goals": [{"text": "15 % färre våldsbrott och ordningsstörningar kring Torget under 2024",
                    "measurable": True, "categories": ["brott_mot_liv_och_halsa", "ordningsstorning"],
                    "target_change": -0.15, "by_date": "2024-12-31"}],
         "reports": [{"at": "2025-01-10", "production": "genomford", "production_date": "2024-12-31",
                      "count": 80, "hours": 640,
                      "process_note": "80 pass med två poliser kl. 22–03; tre sommarhelger uteblev vid "
                                      "samtidiga händelser."}]},
        {"nr": "3b", "cause": 3, "description": "Föräldravandringar fredagar kl. 21–01", "kind": "social",
         "responsible": FRITID, "contact": "Fritidsgårdens föreståndare", "start_date": "2024-02-02",
         "due_date": "2024-12-20", "position": 2, "place": None,
         "goals": [{"text": "Vuxna ute varje fredag under terminerna", "measurable": False}],
         "reports": [{"at": "2024-12-23", "production": "genomford", "production_date": "2024-12-20",
                      "count": 38, "hours": 456,
                      "process_note": "38 av 40 planerade fredagar, i snitt sex föräldrar per kväll; "
                                      "samordningen med polisens pass fungerade."}],
         "override": {"at": "2025-01-20", "light": "gron",
                      "reason": "Polis och fritidsgård bedömer att stöket vid Torget minskade de kvällar "
                                "föräldrarna var ute; en social insats utan egen plats syns inte i "
                                "brottsstatistiken."}},
        {"nr": "4a", "cause": 4, "description": "Laga belysningen längs gångstråken (trygghetsvandringarnas "
                                                "lampanmärkningar)",
         "kind": "situationell", "responsible": GATU, "contact": "Driftledare gatubelysning",
         "start_date": "2024-01-01", "due_date": "2024-12-31", "position": 1, "place": None,
         "remarks": "lamps",
         "goals": [{"text": "Varje trasig lampa som en trygghetsvandring anmäler lagas inom 30 dagar",
                    "measurable": False}],
         "reports": []},
    ],
}
#: The handbook's columns, as a kommun keeps the plan in Excel.
PLAN_HEADERS = ["ORSAK", "ÅTGÄRD", "OPERATIVA MÅL", "NÄR", "VEM", "UPPFÖLJNING"]
#: UPPFÖLJNING as the samordnare wrote it in the Excel copy of the plan (the follow-up meeting).
PLAN_XLSX_FOLLOW_UP = {
    "1a": "Genomförd 2024-01-01: tolv armaturer och fyra kameror.",
    "2a": "Delvis genomförd: 120 av 200 cykelplatser; garaget 2025.",
    "3a": "Genomförd: 80 pass.",
    "3b": "Genomförd: 38 fredagar. Grön: stöket minskade de kvällar föräldrarna var ute.",
    "4a": "Sju av åtta anmälda lampor lagade.",
}


def _geometry_json(geom) -> dict:
    g = shapely.geometry.mapping(to_wgs(geom))
    return {"type": g["type"], "coordinates": _round_coords(g["coordinates"], 6)}


def plan_document() -> dict:
    """The plan with its places as WGS84 GeoJSON and its linked remarks as (walk, nr)."""
    places = {"HS1": HS_POLY["HS1"], "HS2": HS_POLY["HS2"], "TARGET": TARGET}
    lamps = [[w["title"], i] for w in WALKS for i, r in enumerate(w["remarks"], start=1)
             if r[1] == "Belysning" and r[2] == GATU]
    doc = json.loads(json.dumps(PLAN))
    for problem in doc["problems"]:
        place = problem.pop("place")
        problem["area"] = _geometry_json(places[place]) if place else None
    for action in doc["actions"]:
        place = action.pop("place")
        action["place_kind"] = "own" if place in places else ("problem" if place == "problem" else "none")
        action["area"] = _geometry_json(places[place]) if place in places else None
        if action.pop("controls", None) == "CONTROLS":
            action["controls"] = {"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"name": name}, "geometry": _geometry_json(poly)}
                for _, name, poly in CONTROLS]}
        if action.get("remarks") == "lamps":
            action["remarks"] = lamps
    return doc


def write_plan_xlsx(doc: dict, path: Path) -> None:
    """The plan in the handbook's table: a title line, a blank line, the headers, one row per
    action; a cause's text only on its first action's row (the cell below is left empty)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Åtgärdsplan"
    ws.append([f"{doc['title']} (exempel)", None, None, None, None, None])
    ws.append([])
    ws.append(PLAN_HEADERS)
    causes = {c["number"]: c["text"] for c in doc["causes"]}
    shown: set[int] = set()
    for a in doc["actions"]:
        cause = a["cause"]
        orsak = f"{cause}. {causes[cause]}" if cause not in shown else None
        shown.add(cause)
        goals = "\n".join(g["text"] for g in a["goals"]) or None
        ws.append([orsak, f"{a['nr']}. {a['description']}", goals, f"{a['start_date']} – {a['due_date']}",
                   f"{a['responsible']}, {a['contact']}", PLAN_XLSX_FOLLOW_UP.get(a["nr"])])
    for col, width in zip("ABCDEF", (40, 50, 44, 24, 44, 44), strict=True):
        ws.column_dimensions[col].width = width
    fixed_time = dt.datetime(2025, 1, 1)
    wb.properties.creator = "geo_trygghet sample_data/make_sample.py"
    wb.properties.created = fixed_time
    wb.properties.modified = fixed_time
    wb.save(path)
    _freeze_zip(path)


# --------------------------------------------------------------------------- reference rates
#: Approximate national rates per 100 000 inhabitants (Brå, anmälda brott, around 2023),
#: rounded; for demonstrating comparisons only, not official figures.
REFERENCE_RATES = [
    ("brott_mot_liv_och_halsa", "Misshandel", 800), ("brott_mot_liv_och_halsa", "Grov misshandel", 75),
    ("brott_mot_frihet_och_frid", "Olaga hot", 550), ("brott_mot_frihet_och_frid", "Ofredande", 500),
    ("brott_mot_frihet_och_frid", "Sexuellt ofredande", 95),
    ("tillgreppsbrott", "Butiksstöld", 620), ("tillgreppsbrott", "Cykelstöld", 560),
    ("tillgreppsbrott", "Bostadsinbrott", 100), ("tillgreppsbrott", "Stöld ur fordon", 240),
    ("tillgreppsbrott", "Rån", 65), ("tillgreppsbrott", "Stöld", 1100),
    ("bedrageri", "Bedrägeri", 1900), ("skadegorelse", "Skadegörelse", 700), ("skadegorelse", "Klotter", 330),
    ("narkotika", "Narkotikabrott", 900), ("trafik", "Rattfylleri", 290),
    ("ordningsstorning", "Ordningsstörning", 500),
]


def write_reference_rates(path: Path) -> None:
    rows = []
    cats: dict[str, int] = {}
    for cat, ctype, rate in REFERENCE_RATES:
        rows.append((cat, ctype, rate))
        cats[cat] = cats.get(cat, 0) + rate
    for cat, rate in cats.items():
        rows.append((cat, "", rate))
    df = pd.DataFrame(rows, columns=["category", "crime_type", "rate_per_100000"])
    df["year"] = 2023
    df["level"] = np.where(df["crime_type"] == "", "kategori", "brottstyp")
    df["note"] = np.where(
        df["level"] == "kategori",
        "summan av brottstyperna ovan (de typer exemplet har), inte hela Brå-kategorin; "
        "ungefärligt, endast för exempel",
        "ungefärligt riksgenomsnitt, avrundat; endast för exempel (approximate national rate, not official)",
    )
    df = df.sort_values(["category", "level", "crime_type"], kind="mergesort")
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


# --------------------------------------------------------------------------- addresses (issue 14)
#: The address register of the sample (Lantmäteriet's belägenhetsadress layout) and an incident
#: file with addresses only, like a kommun's repair-order export. A section of its own: its own
#: random stream, so the files above do not change with it.
ADDRESS_SEED = (SEED, 14)
REGISTER_FILE = "belagenhetsadresser.gpkg"
WORK_ORDERS_FILE = "arbetsordrar_skadegorelse.csv"
WORK_ORDERS_TRUTH_FILE = "arbetsordrar_truth.csv"
#: Postnummer by tätort delområde (made up, in Katrineholm's real 641 xx range).
POSTCODES = {"A01": 64130, "A02": 64131, "A03": 64132, "A04": 64133, "A05": 64134, "A06": 64135, "A07": 64136,
             "A08": 64137}
POSTORT = "Katrineholm"
#: Share of plain numbers the register leaves out (not yet registered: the matcher interpolates).
MISSING_SHARE = 0.03
#: Share of numbers with two entrances (A, B) and with an added entrance (12 and 12 A).
ENTRANCES_AB, ENTRANCE_A = 0.08, 0.03
#: Reserved (not yet valid) numbers after the last one on a few streets: the reader leaves them out.
RESERVED = {"Handelsvägen": 3, "Idrottsvägen": 2, "Rosenvägen": 2}
#: How a work order's address is written (share of orders); see README.md, "Addresses".
SPELLINGS = (
    ("clean", 0.485), ("case", 0.08), ("abbreviated", 0.08), ("nr", 0.04), ("folded", 0.06), ("mojibake", 0.04),
    ("unit", 0.06), ("typo", 0.05), ("letter_dropped", 0.03), ("free_text", 0.05), ("no_number", 0.015),
    ("no_street", 0.01),
)  # fmt: skip
ORDER_TEXTS = {
    "Klotter": ("Klotter på fasad", "Klotter på elskåp", "Klotter i trapphus", "Taggar på busskur",
                "Klotter på plank"),
    "Skadegörelse": ("Krossad ruta", "Trasig entrédörr", "Sönderslagen belysning", "Skadad parkbänk",
                     "Vält papperskorg", "Uppbruten källardörr"),
}
NO_STREET_TEXTS = ("Gångtunneln under järnvägen", "Vid Norra skolan", "Lekplatsen bakom skolan",
                   "Busskuren vid idrottsplatsen")


def _entrance_point(street: str, number: int, entrance: int) -> tuple[float, float]:
    """As :func:`address`, the ``entrance``-th door (A = 0, B = 1) 5 m further along the street."""
    line = STREET_LINES[street]
    d = min(number * 10.0 + 5.0 * entrance, line.length)
    p = line.interpolate(d)
    q = line.interpolate(min(d + 1.0, line.length))
    r = line.interpolate(max(d - 1.0, 0.0))
    dx, dy = q.x - r.x, q.y - r.y
    norm = np.hypot(dx, dy) or 1.0
    side = 8.0 if number % 2 else -8.0
    return (p.x - dy / norm * side, p.y + dx / norm * side)


def make_address_points(areas: gpd.GeoDataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Every address of the sample's streets (not the footpath), numbered as :func:`address`
    places them: number n at n × 10 m from the street's first point, odd numbers on the left,
    even on the right; some numbers with entrances A and B. ``in_register`` is False for the
    numbers the register leaves out, ``status`` "Reserverad" for numbers not yet valid."""
    tatort = areas[areas["kind"] == "tätort"]
    rows = []
    for street in sorted(STREETS):
        kind, _ = STREETS[street]
        if kind == "gångväg":
            continue
        last = int(STREET_LINES[street].length // 10)
        for n in range(1, last + 1 + RESERVED.get(street, 0)):
            r = rng.random()
            letters = ["A", "B"] if r < ENTRANCES_AB else ["", "A"] if r < ENTRANCES_AB + ENTRANCE_A else [""]
            for j, letter in enumerate(letters):
                x, y = _entrance_point(street, n, j) if n <= last else _entrance_point(street, last, 0)
                if n > last:  # reserved: past the street's end, 10 m apart
                    x, y = x + 10.0 * (n - last), y
                rows.append({"street": street, "number": n, "letter": letter, "x": round(x, 2), "y": round(y, 2),
                             "status": "Reserverad" if n > last else "Gällande"})
    pts = pd.DataFrame(rows)
    # numbers the register lacks: plain, not the first two or last two of the street, not side by side
    plain = pts.groupby(["street", "number"])["letter"].transform("size") == 1
    lasts = pts[pts["status"] == "Gällande"].groupby("street")["number"].transform("max")
    inner = (pts["number"] > 2) & (pts["number"] < lasts.reindex(pts.index).fillna(0) - 1)
    candidate = (plain & inner & (pts["status"] == "Gällande")).to_numpy()
    missing = candidate & (rng.random(len(pts)) < MISSING_SHARE)
    for i in np.flatnonzero(missing):  # never two missing on the same side next to each other
        s, n = pts.at[i, "street"], pts.at[i, "number"]
        near = missing & (pts["street"] == s).to_numpy() & (np.abs(pts["number"].to_numpy() - n) == 2)
        if near.any():
            missing[i] = False
    pts["in_register"] = ~missing
    where = shapely.points(pts["x"].to_numpy(), pts["y"].to_numpy())
    pts["postnummer"] = 0
    for aid, geom in zip(tatort["area_id"], tatort.geometry, strict=True):
        pts.loc[shapely.contains(geom, where), "postnummer"] = POSTCODES[aid]
    pts.loc[pts["postnummer"] == 0, "postnummer"] = POSTCODES["A01"]  # a street end just outside the disc
    return pts


def write_register(points: pd.DataFrame, path: Path) -> None:
    """Lantmäteriet's *Belägenhetsadress* layout: layer ``belagenhetsadress``, SWEREF 99 TM, the
    published field names; rows sorted, object ids from the address, the file date fixed, no
    spatial index (a third of the file, and a reader of a few thousand points needs none)."""
    import uuid

    import pyogrio

    reg = points[points["in_register"]].sort_values(["street", "number", "letter"], kind="mergesort")
    ids = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"geo-trygghet-exempel/0483/{s}/{n}{lt}"))
           for s, n, lt in zip(reg["street"], reg["number"], reg["letter"], strict=True)]
    gdf = gpd.GeoDataFrame({
        "objektidentitet": ids,
        "adressomrade_faststalltnamn": reg["street"].to_numpy(),
        "gardsadressomrade_faststalltnamn": pd.Series([None] * len(reg), dtype=object),
        "adressplatsnummer": reg["number"].to_numpy(dtype=np.int32),
        "bokstavstillagg": [lt or None for lt in reg["letter"]],
        "postnummer": reg["postnummer"].to_numpy(dtype=np.int32),
        "postort": POSTORT,
        "kommunkod": KOMMUN_CODE,
        "kommunnamn": KOMMUN_NAME,
        "statusforbelagenhetsadress": reg["status"].to_numpy(),
    }, geometry=gpd.points_from_xy(reg["x"], reg["y"]), crs="EPSG:3006").rename_geometry("geom")
    if path.exists():
        path.unlink()
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2025-02-01T00:00:00Z"})  # no timestamp of the run
    try:
        gdf.to_file(path, layer="belagenhetsadress", driver="GPKG", engine="pyogrio", SPATIAL_INDEX="NO")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def _written(street: str, number: int, letter: str, rng: np.random.Generator) -> str:
    """The address as the register writes it, with the letter spaced or not."""
    if not letter:
        return f"{street} {number}"
    return f"{street} {number} {letter}" if rng.random() < 0.6 else f"{street} {number}{letter}"


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (small strings)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _typo(street: str, rng: np.random.Generator) -> str | None:
    """One character replaced, dropped or swapped, such that the street is still strictly the
    nearest name (else no one could tell which street was meant); None when no such typo."""
    names = [s.lower() for s in STREETS if s != street]
    for _ in range(20):
        s = list(street)
        j = int(rng.integers(1, len(s) - 1))
        op = int(rng.integers(3))
        if op == 0:
            s[j] = "abdefgiklmnoprstuv"[int(rng.integers(18))]
        elif op == 1:
            del s[j]
        else:
            s[j], s[j + 1] = s[j + 1], s[j]
        out = "".join(s)
        d_true = _edits(out.lower(), street.lower())
        if out != street and d_true >= 1 and all(_edits(out.lower(), o) > d_true + 1 for o in names):
            return out
    return None


def _abbreviated(street: str) -> str | None:
    for full, short in (("gatan", "g."), ("vägen", "v."), ("leden", "l.")):
        if street.endswith(full) and " " not in street:
            return street[: -len(full)] + short if full != "leden" else None
    return None


def spell_address(kind: str, street: str, number: int, letter: str, rng: np.random.Generator) -> tuple[str, str]:
    """(how the address is written, the kind actually used): a kind that does not apply to this
    address (folding a name without å/ä/ö, dropping a letter it has not) falls back to ``clean``."""
    plain = _written(street, number, letter, rng)
    out: str | None = None
    if kind == "clean":
        out = plain
    elif kind == "case":
        out = plain.upper() if rng.random() < 0.5 else plain.lower()
    elif kind == "abbreviated":
        short = _abbreviated(street)
        out = _written(short, number, letter, rng) if short else None
    elif kind == "nr":
        out = f"{street} nr {number}{letter}"
    elif kind == "folded" and re.search("[åäöÅÄÖ]", street):
        table = str.maketrans("åäöÅÄÖ", "aaoAAO") if rng.random() < 0.7 else str.maketrans("åäöÅÄÖ", "äåöÄÅÖ")
        out = _written(street.translate(table), number, letter, rng)
    elif kind == "mojibake" and re.search("[åäöÅÄÖé]", plain):
        out = plain.encode("utf-8").decode("cp1252", errors="replace")
    elif kind == "unit":
        out = plain + (", lgh 1102" if rng.random() < 0.5 else f" {int(rng.integers(1, 5))} tr")
    elif kind == "typo":
        wrong = _typo(street, rng)
        out = _written(wrong, number, letter, rng) if wrong else None
    elif kind == "letter_dropped" and letter:
        out = f"{street} {number}"
    elif kind == "free_text":
        forms = (f"{POSTORT}, {plain}", f"{plain}, {POSTORT}", f"Vid entrén, {plain}")
        out = forms[int(rng.integers(len(forms)))]
    elif kind == "no_number":
        out = street
    elif kind == "no_street":
        out = NO_STREET_TEXTS[int(rng.integers(len(NO_STREET_TEXTS)))]
    return (out, kind) if out is not None else (plain, "clean")


def make_work_orders(inc: pd.DataFrame, points: pd.DataFrame,
                     rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Skadegörelse and klotter work orders at the nearest address of each positioned police
    incident of those types in the tätort (within 150 m of an address), addresses written as
    exports write them (:data:`SPELLINGS`). Returns (the export, its truth)."""
    from scipy.spatial import cKDTree

    valid = points[points["status"] == "Gällande"].reset_index(drop=True)
    has = inc["brottstyp"].isin(list(ORDER_TEXTS)) & inc["E"].notna() & (inc["E"] != 0)
    sub = inc[has].reset_index(drop=True)
    xy = np.column_stack([sub["E"].to_numpy(float), sub["N"].to_numpy(float)])
    dist, nearest = cKDTree(valid[["x", "y"]].to_numpy()).query(xy)
    sub, nearest = sub[dist <= 150].reset_index(drop=True), nearest[dist <= 150]
    kinds = [k for k, _ in SPELLINGS]
    probs = np.array([p for _, p in SPELLINGS])
    drawn = rng.choice(len(kinds), size=len(sub), p=probs / probs.sum())
    orders, truth = [], []
    year_serial: dict[int, int] = {}
    for i, row in sub.iterrows():
        a = valid.iloc[int(nearest[i])]
        written, kind = spell_address(kinds[int(drawn[i])], a["street"], int(a["number"]), a["letter"], rng)
        year = int(row["datum"][:4])
        year_serial[year] = year_serial.get(year, 0) + 1
        order = f"AO-{year}-{year_serial[year]:05d}"
        texts = ORDER_TEXTS[row["brottstyp"]]
        r = rng.random()
        postort = POSTORT if r < 0.85 else "" if r < 0.95 else POSTORT.upper()
        orders.append({"Ordernr": order, "Datum": row["datum"], "Typ": row["brottstyp"], "Adress": written,
                       "Postort": postort, "Beskrivning": texts[int(rng.integers(len(texts)))]})
        true_address = f"{a['street']} {int(a['number'])}" + (f" {a['letter']}" if a["letter"] else "")
        truth.append({"ordernr": order, "adress": true_address, "E": a["x"], "N": a["y"],
                      "i_registret": int(bool(a["in_register"])), "skrivsatt": kind})
    return pd.DataFrame(orders), pd.DataFrame(truth)


def write_address_files(out: Path, inc: pd.DataFrame, areas: gpd.GeoDataFrame) -> None:
    """The sample's address register and its address-only work orders (with their truth)."""
    rng = np.random.default_rng(ADDRESS_SEED)
    points = make_address_points(areas, rng)
    write_register(points, out / REGISTER_FILE)
    orders, truth = make_work_orders(inc, points, rng)
    orders.to_csv(out / WORK_ORDERS_FILE, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    truth.to_csv(out / WORK_ORDERS_TRUTH_FILE, index=False, encoding="utf-8", lineterminator="\n",
                 float_format="%.2f")


# --------------------------------------------------------------------------- main
def main(outdir: Path | None = None) -> Path:
    out = Path(outdir) if outdir is not None else HERE
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    kommun, tat = load_geography()
    areas = make_areas(kommun, tat)

    # kommun
    kg = gpd.GeoDataFrame({"kommunkod": [KOMMUN_CODE], "name": [KOMMUN_NAME], "label": [LABEL],
                           "population": [KOMMUN_POPULATION], "population_year": [POPULATION_YEAR],
                           "note": [SYNTHETIC_NOTE]}, geometry=[kommun], crs="EPSG:3006")
    write_geojson(out / "kommun.geojson", kg, name="kommun")
    write_geojson(out / "omraden.geojson", areas, name="omraden")
    urban = areas[areas["kind"] == "tätort"]
    tg = gpd.GeoDataFrame({"name": [TATORT], "kind": ["tätort"], "population": [int(urban["population"].sum())],
                           "note": ["union of the tätort delområden: use as --boundary for hot spots in the town"]},
                          geometry=[unary_union(list(urban.geometry))], crs="EPSG:3006")
    write_geojson(out / "tatort.geojson", tg, name="tatort")
    areas[["area_id", "name", "population", "year"]].to_csv(out / "population.csv", index=False,
                                                           lineterminator="\n")
    write_reference_rates(out / "reference_rates.csv")
    # streets
    sg = gpd.GeoDataFrame({"name": list(STREETS), "kind": [STREETS[s][0] for s in STREETS]},
                          geometry=[STREET_LINES[s] for s in STREETS], crs="EPSG:3006")
    sg = sg.sort_values("name").reset_index(drop=True)
    write_geojson(out / "streets.geojson", sg, name="streets")

    lamps = lamp_repairs()
    inc = finish_incidents(make_incidents(areas, kommun, tat, lamps, rng), tat)
    write_incidents(inc, out / "incidents.csv")
    write_address_files(out, inc, areas)

    # hot-spot truth, with the rate ratio measured on the data written
    has = inc["E"].notna() & (inc["E"] != 0)
    e, n = inc.loc[has, "E"].to_numpy(), inc.loc[has, "N"].to_numpy()
    tatort = unary_union([as_written(g) for g in areas.loc[areas["kind"] == "tätort", "geometry"]])
    avg = shapely.contains_xy(tatort, e, n).sum() / tatort.area
    hs = []
    for hid, name, _b, ratio, types in HOTSPOTS:
        poly = HS_POLY[hid]
        written = as_written(poly)
        measured = shapely.contains_xy(written, e, n).sum() / written.area / avg
        hs.append((hid, name, ratio, round(float(measured), 2), ", ".join(types), poly))
    hg = gpd.GeoDataFrame({"hotspot_id": [h[0] for h in hs], "name": [h[1] for h in hs],
                           "planted_rate_ratio": [h[2] for h in hs], "measured_rate_ratio": [h[3] for h in hs],
                           "crime_types": [h[4] for h in hs]}, geometry=[h[5] for h in hs], crs="EPSG:3006")
    write_geojson(out / "hotspots_truth.geojson", hg, name="hotspots_truth")

    # intervention
    write_geojson(out / "intervention_target.geojson",
                  gpd.GeoDataFrame({"name": ["Resecentrum"], "role": ["target"]}, geometry=[TARGET], crs=3006),
                  name="intervention_target")
    write_geojson(out / "intervention_buffer.geojson",
                  gpd.GeoDataFrame({"name": [f"Resecentrum, buffert {BUFFER_WIDTH:.0f} m"], "role": ["buffer"]},
                                   geometry=[BUFFER], crs=3006), name="intervention_buffer")
    write_geojson(out / "intervention_controls.geojson",
                  gpd.GeoDataFrame({"control_id": [c[0] for c in CONTROLS], "name": [c[1] for c in CONTROLS],
                                    "role": "control"}, geometry=[c[2] for c in CONTROLS], crs=3006),
                  name="intervention_controls")
    # realised counts in the windows of DESIGN.md (365 days before / from the date)
    t_all = pd.to_datetime(inc["datum"] + " " + inc["tid"])
    d0 = pd.Timestamp(INTERVENTION_DATE)
    before = ((t_all >= d0 - pd.Timedelta(days=365)) & (t_all < d0)).to_numpy()
    after_w = ((t_all >= d0) & (t_all < d0 + pd.Timedelta(days=365))).to_numpy()
    ea, na = inc["E"].to_numpy(float), inc["N"].to_numpy(float)

    def _count(poly) -> tuple[int, int]:
        inside = shapely.contains_xy(as_written(poly), ea, na)
        return int((inside & before).sum()), int((inside & after_w).sum())

    tb, ta = _count(TARGET)
    bb, ba = _count(BUFFER)
    cb = ca = 0
    for _, _, poly in CONTROLS:
        b_, a_ = _count(poly)
        cb, ca = cb + b_, ca + a_
    realised = {
        "target_before": tb, "target_after": ta, "control_before": cb, "control_after": ca,
        "buffer_before": bb, "buffer_after": ba,
        "odds_ratio": round(tb * ca / (ta * cb), 3),
        "wdq": round((ba / ca - bb / cb) / (ta / ca - tb / cb), 3),
    }
    info = {
        "name": INTERVENTION_NAME,
        "date": INTERVENTION_DATE.isoformat(),
        "planted_incident_rate_ratio": INTERVENTION_IRR,
        "expected_odds_ratio": round(1.0 / INTERVENTION_IRR, 3),
        "planted_buffer_rate_ratio": BUFFER_IRR,
        "expected_wdq": round((1 - BUFFER_IRR) * bb / ((1 - INTERVENTION_IRR) * tb), 2),
        "expected_wdq_note": "(1 - buffer ratio) x buffer_before / ((1 - target ratio) x target_before): "
                             "between 0 and 1 = diffusion of benefits smaller than the target's fall",
        "realised": realised,
        "reading": "all incidents in the target are thinned to 60 % from the date; the buffer to 90 % "
                   "(diffusion of benefits); controls get no change",
        "files": {"target": "intervention_target.geojson", "controls": "intervention_controls.geojson",
                  "buffer": "intervention_buffer.geojson", "incidents": "incidents.csv"},
        "buffer_width_m": BUFFER_WIDTH,
        "suggested_command": "geo-trygghet evaluate sample_data/incidents.csv "
                             "--target sample_data/intervention_target.geojson "
                             "--control sample_data/intervention_controls.geojson "
                             "--buffer sample_data/intervention_buffer.geojson "
                             "--intervention 2024-01-01",
        "lamp_repairs": {
            "planted_rate_ratio": LAMP_IRR,
            "radius_m": 150,
            "hours": "18-06",
            "reading": "each fixed Belysning remark (except the intervention's own) has extra night incidents "
                       "within about 110 m that drop to 60 % after its ÅTGÄRDAT date",
            "remarks": [{"walk": lp["walk"], "nr": lp["nr"], "text": lp["text"], "fixed": lp["fixed"]}
                        for lp in lamps],
        },
    }
    (out / "intervention.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    # organisations, walks, protocols
    org = pd.DataFrame([(o[0], o[1], o[2], "|".join(o[3]), o[4]) for o in ORGANISATIONS],
                       columns=["name", "kind", "email", "categories", "areas"])
    org.to_csv(out / "organisations.csv", index=False, lineterminator="\n")
    walks = pd.DataFrame([(w["title"], w["date"], w["area"], w["group"], w["organiser"], w["state"],
                           f"protokoll_{w['slug']}.xlsx", "lat/lon (WGS84)" if w["coords"] == "wgs84"
                           else "E/N (SWEREF 99 TM)") for w in WALKS]
                         + [(OPEN_WALK["title"], OPEN_WALK["date"], OPEN_WALK["area"], OPEN_WALK["group"],
                             OPEN_WALK["organiser"], OPEN_WALK["state"], "", "")],
                         columns=["title", "date", "area", "group", "organiser", "state", "protocol", "coordinates"])
    walks.to_csv(out / "walks.csv", index=False, lineterminator="\n")
    for w in WALKS:
        write_protocol(w, out / f"protokoll_{w['slug']}.xlsx")
    # the åtgärdsplan (sample load reads the JSON; the Excel copy is for `geo-trygghet plan import`)
    plan = plan_document()
    (out / "atgardsplan_2024.json").write_text(json.dumps(plan, ensure_ascii=False, indent=1) + "\n",
                                               encoding="utf-8")
    write_plan_xlsx(plan, out / "atgardsplan_2024.xlsx")
    return out


if __name__ == "__main__":
    where = main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"sample data written to {where}")
