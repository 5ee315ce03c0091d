"""One place for coordinate reference systems.

Storage, H3 and folium use WGS84 (EPSG:4326). Swedish municipalities exchange
data in SWEREF 99 TM (EPSG:3006, metres). Distances (clusters, buffers,
radii) are computed in a metric CRS: SWEREF 99 TM inside Sweden, else the
local UTM zone of the data.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from pyproj import CRS
from pyproj.exceptions import CRSError as _PyprojCRSError

from .errors import CRSError

WGS84 = "EPSG:4326"
SWEREF99TM = "EPSG:3006"
RT90 = "EPSG:3021"
#: The CRSs a Swedish file is likely to be in: SWEREF 99 TM, the 12 local
#: SWEREF 99 zones (EPSG:3007–3018) and RT90 2.5 gon V.
SWEDISH_PROJECTED = ("EPSG:3006", *(f"EPSG:{c}" for c in range(3007, 3019)), RT90)

#: Sweden's extent in WGS84 (lon_min, lat_min, lon_max, lat_max), a little generous.
SWEDEN_BOUNDS = (10.0, 55.0, 24.5, 69.5)


def parse_crs(text: str | int | CRS) -> CRS:
    """Turn ``"EPSG:3006"``, ``"3006"``, ``3006`` or a WKT/PROJ string into a CRS.

    Raises :class:`CRSError` with the fix when the text names no CRS.
    """
    if isinstance(text, CRS):
        return text
    value = str(text).strip()
    if value.isdigit():
        value = f"EPSG:{value}"
    try:
        return CRS.from_user_input(value)
    except _PyprojCRSError:
        msg = f"unknown CRS '{text}': give an EPSG code such as EPSG:3006 (SWEREF 99 TM) or EPSG:4326 (WGS84)"
        raise CRSError(msg) from None


def require_crs(gdf: gpd.GeoDataFrame, what: str = "the layer") -> CRS:
    """Return the CRS of ``gdf`` or raise the one-line fix if it has none."""
    if gdf.crs is None:
        msg = f"{what} has no coordinate system: set one, e.g. gdf.set_crs('EPSG:3006'), or pass --crs"
        raise CRSError(msg)
    return CRS.from_user_input(gdf.crs)


def to_wgs84(gdf: gpd.GeoDataFrame, what: str = "the layer") -> gpd.GeoDataFrame:
    """A copy of ``gdf`` in WGS84 (no copy if it already is)."""
    crs = require_crs(gdf, what)
    if crs.equals(CRS.from_user_input(WGS84)):
        return gdf
    return gdf.to_crs(WGS84)


def in_sweden(lon: np.ndarray, lat: np.ndarray) -> bool:
    """True when the median of the points lies within Sweden's extent."""
    if len(lon) == 0:
        return False
    x, y = float(np.nanmedian(lon)), float(np.nanmedian(lat))
    lo0, la0, lo1, la1 = SWEDEN_BOUNDS
    return lo0 <= x <= lo1 and la0 <= y <= la1


def metric_crs_for(lon: np.ndarray, lat: np.ndarray) -> CRS:
    """SWEREF 99 TM for Swedish data, else the UTM zone of the points' median."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if in_sweden(lon, lat):
        return CRS.from_user_input(SWEREF99TM)
    x, y = float(np.nanmedian(lon)), float(np.nanmedian(lat))
    zone = int((x + 180) // 6) + 1
    epsg = (32600 if y >= 0 else 32700) + zone
    return CRS.from_epsg(epsg)


def to_metric(gdf: gpd.GeoDataFrame, what: str = "the layer") -> gpd.GeoDataFrame:
    """A copy of ``gdf`` in a metric CRS fitting its location (see :func:`metric_crs_for`)."""
    crs = require_crs(gdf, what)
    if crs.is_projected and crs.axis_info and crs.axis_info[0].unit_name == "metre":
        return gdf
    wgs = to_wgs84(gdf, what)
    if len(wgs) == 0:
        return wgs.to_crs(SWEREF99TM)
    c = wgs.geometry.representative_point()
    return wgs.to_crs(metric_crs_for(c.x.to_numpy(), c.y.to_numpy()))
