"""How precise the positions of an incident file are: points, shared positions, area centroids.

Every read classifies each incident's position (the column ``location_quality``):

``point``     an ordinary position
``shared``    a position that :data:`SHARED_MIN` or more incidents share (police.uk's anonymised
              snap points, an address many repair orders name): still a position, kept everywhere
``centroid``  a position stacked with incidents at the central point of a kommun or län, as the
              police's public event feed places every event: it says only which area the
              incident was in
``place``     an address geocoded only to its postort's middle (or coarser)

Positions withheld (empty, 0/0) are left out by the reader and counted.

A position is an **area centroid** on two signals together:

1. *central*: it lies within the search radius of one of the central points bundled for the 290
   kommuner and 21 län (``ingest/data/area_points.csv``: each area's centroid, point-on-surface
   and, for a kommun, its largest tätort; made by ``scripts/make_area_points.py``), or within
   :data:`TIGHT_M` of a polygon's centroid or point-on-surface in the file's own ``areas``;
2. *stacked*: at least :data:`STACK_MIN` incidents on the one position, and at least as many as
   all the other (non-central) positions within :data:`SHARE_RADIUS_M` together; or, for a
   position within :data:`TIGHT_M` of a polygon's centroid or point-on-surface, :data:`DOMINANCE`
   times as many as any other position within :data:`DOMINANCE_RADIUS_M` (unknown locations
   filled in at a kommun's centroid amid precise points). A police station that a tenth of the
   frauds are recorded at is stacked in neither sense: the town's other incidents surround it.

Unless one of them lies on a polygon's centroid or point-on-surface, the stacked central positions
must belong to at least two areas (kommuner, or a kommun and its län, as the feed's events do): a
file whose incidents all sit on a couple of points in one town is a small extract, not a feed.

The police feed's points are a geocoder's points for the area's name (the town centre; Stockholm
59.329324,18.068581), up to a few kilometres from any polygon's centroid, hence the radii (3–12
km for a kommun, 5–40 km for a län, the tätort's equivalent radius for a town) and hence the
stacking signal, which real data near a town centre does not give. Police.uk snap points follow
the streets, many positions near each other: never stacked in that sense, and outside Sweden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..i18n import fmt_num, text

__all__ = [
    "CENTROID", "LEFT_OUT", "PLACE", "POINT", "SHARED", "LocationQuality", "StackedPosition", "area_points",
    "classify_positions", "classify_unique", "key_positions", "left_out_line", "position_keys",
]  # fmt: skip

POINT, SHARED, CENTROID, PLACE = "point", "shared", "centroid", "place"
#: location qualities left out of hot spots, clusters and emerging hot spots by default
LEFT_OUT = (CENTROID, PLACE)
#: incidents on one position that make it "shared by many"
SHARED_MIN = 10
#: incidents on one position that can make it an area centroid
STACK_MIN = 3
SHARE_RADIUS_M = 2000.0
#: a position this near a polygon's centroid or point-on-surface is *on* it (a GIS filled it in)
TIGHT_M = 250.0
DOMINANCE = 10.0
DOMINANCE_RADIUS_M = 1000.0
_M_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True)
class StackedPosition:
    """One area centroid found: where, how many incidents, and which area's central point it is."""

    lon: float
    lat: float
    count: int
    area: str
    level: str  # "kommun", "lan" or "areas"


@dataclass(frozen=True)
class LocationQuality:
    """Counts of the positions of the incidents used, and of those withheld."""

    points: int = 0
    shared: int = 0
    centroids: int = 0
    places: int = 0
    withheld: int = 0
    shared_positions: int = 0
    stacked: tuple[StackedPosition, ...] = field(default_factory=tuple)

    @property
    def left_out(self) -> int:
        """Incidents that hot spots leave out by default (area centroids and postort-only geocodes)."""
        return self.centroids + self.places

    def lines(self, lang: str = "en") -> list[str]:
        """The summary line, and one line naming the centroids found (if any)."""
        out = [text("location.summary", lang, points=fmt_num(self.points, lang), shared=fmt_num(self.shared, lang),
                    centroids=fmt_num(self.centroids, lang), places=fmt_num(self.places, lang),
                    withheld=fmt_num(self.withheld, lang))]
        if self.stacked:
            names = ", ".join(dict.fromkeys(s.area for s in self.stacked[:6])) + (" …" if len(self.stacked) > 6 else "")
            out.append(text("location.centroids_found", lang, n=fmt_num(self.centroids, lang), k=len(self.stacked),
                            names=names))
        return out


def left_out_line(quality: LocationQuality, lang: str = "en", *, cli: bool = True) -> str:
    """One line: how many incidents hot spots leave out and why ("" when none)."""
    if not quality.left_out:
        return ""
    line = text("location.left_out", lang, n=fmt_num(quality.left_out, lang))
    return f"{line}; {text('location.keep_cli', lang)}" if cli else line


@lru_cache(maxsize=1)
def area_points() -> pd.DataFrame:
    """The bundled central points of Sweden's kommuner and län (level, code, name, kind, lon, lat, radius_m)."""
    with resources.files("geo_trygghet.ingest").joinpath("data/area_points.csv").open("rb") as fh:
        return pd.read_csv(fh, dtype={"code": str})


def _own_area_points(areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Centroid and point-on-surface of each polygon of a file's own areas, with a radius by size."""
    geoms = areas.to_crs(3006).geometry if areas.crs is not None else areas.geometry
    rows = []
    name_col = next((c for c in areas.columns
                     if c != areas.geometry.name and pd.api.types.is_string_dtype(areas[c].dtype)), None)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        name = str(areas[name_col].iloc[i]) if name_col else f"#{i + 1}"
        for kind, pt in (("centroid", g.centroid), ("surface", g.representative_point())):
            rows.append({"level": "areas", "name": name, "kind": kind, "x": pt.x, "y": pt.y, "radius_m": TIGHT_M})
    if not rows:
        return pd.DataFrame(columns=["level", "name", "kind", "lon", "lat", "radius_m"])
    df = pd.DataFrame(rows)
    pts = gpd.GeoSeries(shapely.points(df["x"], df["y"]), crs=3006).to_crs(4326)
    return df.assign(lon=pts.x.to_numpy(), lat=pts.y.to_numpy()).drop(columns=["x", "y"])


def _local_xy(lon: np.ndarray, lat: np.ndarray, lat0: float) -> np.ndarray:
    """Metres on a local equirectangular plane (good to a few parts in a thousand at kommun scale)."""
    return np.column_stack((lon * np.cos(np.radians(lat0)) * _M_PER_DEG_LAT, lat * _M_PER_DEG_LAT))


def position_keys(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """One ``int64`` per finite position, equal for positions that agree to six decimals."""
    # np.round(v, 6) is rint(v * 1e6) / 1e6, and that times 1e6 rounds back to the same whole number:
    # the micro-degrees straight away, in place (a million rows pass once, not five times)
    key = np.multiply(lon, 1e6, dtype=float)
    np.rint(key, out=key)
    out = key.astype(np.int64)
    out *= 1_000_000_000
    np.multiply(lat, 1e6, out=key, dtype=float)
    np.rint(key, out=key)
    out += key.astype(np.int64)
    return out


def key_positions(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (lon, lat) six-decimal positions of :func:`position_keys`."""
    keys = np.asarray(keys, dtype=np.int64)
    lon_i = np.floor_divide(keys + 500_000_000, 1_000_000_000)
    lat_i = keys - lon_i * 1_000_000_000
    return np.round(lon_i / 1e6, 6), np.round(lat_i / 1e6, 6)


def classify_positions(lon: np.ndarray, lat: np.ndarray, *, areas: gpd.GeoDataFrame | None = None,
                       coarse: np.ndarray | None = None) -> tuple[np.ndarray, tuple[StackedPosition, ...]]:
    """The location quality of each position (NaN positions get ``""``) and the area centroids found.

    ``coarse`` marks positions geocoded only to a postort (they become ``place``); ``areas`` are
    a file's own polygons whose central points count besides the bundled Swedish ones.
    """
    n = len(lon)
    out = np.full(n, "", dtype=object)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return out, ()
    q_lon = np.round(lon[ok], 6)
    q_lat = np.round(lat[ok], 6)
    key = position_keys(q_lon, q_lat)
    uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    first = np.zeros(len(uniq), dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(inverse))[::-1]
    quality, stacked = classify_unique(q_lon[first], q_lat[first], counts, areas=areas)
    out[ok] = quality[inverse]
    if coarse is not None:
        out[coarse & ok] = PLACE
    return out, stacked


def classify_unique(u_lon: np.ndarray, u_lat: np.ndarray, counts: np.ndarray, *,
                    areas: gpd.GeoDataFrame | None = None,
                    lat0: float | None = None) -> tuple[np.ndarray, tuple[StackedPosition, ...]]:
    """The quality (``point``, ``shared`` or ``centroid``) of distinct positions with their incident
    counts, and the area centroids found.

    ``lat0`` is the median latitude of all the file's distinct positions (the local plane the
    distances are measured on); by default that of the positions given. The engines pass it when
    they give only the positions that can matter: those with :data:`STACK_MIN` or more incidents
    and every position within :data:`SHARE_RADIUS_M` of one of them.
    """
    counts = np.asarray(counts)
    quality = np.where(counts >= SHARED_MIN, SHARED, POINT).astype(object)
    stacked = _stacked(np.asarray(u_lon, float), np.asarray(u_lat, float), counts, areas, lat0)
    for i, _sp in stacked:
        quality[i] = CENTROID
    return quality, tuple(sp for _, sp in stacked)


def _stacked(u_lon, u_lat, counts, areas, lat0: float | None = None) -> list[tuple[int, StackedPosition]]:
    cand = np.flatnonzero(counts >= STACK_MIN)
    if not len(cand):
        return []
    from scipy.spatial import cKDTree  # loaded only when some position is shared by several incidents

    refs = area_points()
    if areas is not None and len(areas):
        refs = pd.concat([refs, _own_area_points(areas)], ignore_index=True)
    lat0 = float(np.median(u_lat)) if lat0 is None else float(lat0)
    xy = _local_xy(u_lon, u_lat, lat0)
    ref_xy = _local_xy(refs["lon"].to_numpy(), refs["lat"].to_numpy(), lat0)
    ref_tree = cKDTree(ref_xy)
    radius = refs["radius_m"].to_numpy(dtype="float64")
    polygon_point = refs["kind"].isin(["centroid", "surface"]).to_numpy()
    central: dict[int, tuple[int, bool]] = {}
    for i, near in zip(cand.tolist(), ref_tree.query_ball_point(xy[cand], r=float(radius.max())), strict=True):
        if near:
            near_a = np.asarray(near, dtype=np.int64)
            d = np.hypot(*(ref_xy[near_a] - xy[i]).T)
            inside = np.flatnonzero(d <= radius[near_a])
            if len(inside):
                best = int(near_a[inside[np.argmin(d[inside])]])
                tight = bool(np.any((d <= TIGHT_M) & polygon_point[near_a]))
                central[int(i)] = (best, tight)
    if not central:
        return []
    tree = cKDTree(xy)
    is_central = np.zeros(len(counts), dtype=bool)
    is_central[list(central)] = True
    found = []
    on_polygon_point = False
    for i, (r, tight) in central.items():
        if _is_stacked(i, xy, counts, tree, is_central, tight):
            ref = refs.iloc[r]
            found.append((i, StackedPosition(float(u_lon[i]), float(u_lat[i]), int(counts[i]), str(ref["name"]),
                                             str(ref["level"]))))
            on_polygon_point |= tight
    if not on_polygon_point and len({(sp.level, sp.area) for _, sp in found}) < 2:
        return []  # one stack near one town's centre, nothing else: a place, not a feed of areas
    return sorted(found, key=lambda t: -t[1].count)


def _is_stacked(i: int, xy: np.ndarray, counts: np.ndarray, tree, is_central: np.ndarray,
                tight: bool) -> bool:
    """As many as all ordinary incidents around; or, on a polygon's point, DOMINANCE times any neighbour."""
    around = np.asarray(tree.query_ball_point(xy[i], r=SHARE_RADIUS_M), dtype=np.int64)
    others = around[(around != i) & ~is_central[around]]
    if counts[i] >= counts[others].sum():
        return True
    if not tight:
        return False
    close = others[np.hypot(*(xy[others] - xy[i]).T) <= DOMINANCE_RADIUS_M]
    return bool(counts[i] >= DOMINANCE * (counts[close].max() if len(close) else 0))
