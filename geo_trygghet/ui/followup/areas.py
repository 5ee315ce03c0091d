"""The areas the user chose for a follow-up: the :class:`Choice`, the sample's preset, uploads, rings."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import streamlit as st
from shapely.geometry.base import BaseGeometry

from ...crs import WGS84, metric_crs_for, to_wgs84
from ...errors import GeoTrygghetError
from ..data import SAMPLE_DIR
from ..dataset import save_upload
from ..i18n import t

PRESET, POINT, DRAW, CLUSTER, REMARK, UPLOAD = "preset", "point", "draw", "cluster", "remark", "upload"
K_POINT = "fu_point"            # (lon, lat) of the circle's centre
K_DRAWN = "fu_drawn"            # GeoJSON geometry of the drawn target
K_DATE_FOR = "fu_date_for"      # which target the date widget's default belongs to
UPLOAD_TYPES = ["geojson", "json", "gpkg", "zip"]
NAME_COLUMNS = ("name", "namn", "Name", "NAMN")


@dataclass
class Choice:
    """The areas and dates the user chose (WGS84 geometries)."""

    target: BaseGeometry | None = None
    target_name: str = ""
    default_date: dt.date | None = None
    point: tuple[float, float] | None = None
    controls: list[tuple[str, BaseGeometry]] = field(default_factory=list)
    candidates: gpd.GeoDataFrame | None = None
    buffer: BaseGeometry | None = None
    date: dt.date | None = None
    before: int = 365
    after: int = 365
    same_months: bool = False
    preset: dict | None = None


@st.cache_data(show_spinner=False)
def sample_preset(folder: str = str(SAMPLE_DIR)) -> dict | None:
    """The sample municipality's intervention: name, date, target, controls, buffer (WGS84), or None."""
    root = Path(folder)
    try:
        meta = json.loads((root / "intervention.json").read_text(encoding="utf-8"))
        files = meta["files"]
        target = to_wgs84(gpd.read_file(root / files["target"]), "target")
        controls = to_wgs84(gpd.read_file(root / files["controls"]), "controls")
        buffer = to_wgs84(gpd.read_file(root / files["buffer"]), "buffer")
    except (OSError, KeyError, ValueError):
        return None
    return {"name": str(target["name"].iloc[0]) if "name" in target else meta.get("name", ""),
            "date": dt.date.fromisoformat(meta["date"]), "target": target.geometry.union_all(),
            "controls": [(str(r.get("name") or f"K{i + 1}"), r.geometry) for i, r in controls.iterrows()],
            "buffer": buffer.geometry.union_all()}


def areas_from_upload(upload: Any) -> list[tuple[str, BaseGeometry]]:
    """One (name, polygon) per feature of an uploaded file; the name from ``name``/``namn`` or the file."""
    path = save_upload(upload.getvalue(), upload.name)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - the user's file; say so in one line
        why = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise GeoTrygghetError(t("fu.err.unreadable", name=upload.name, why=why)) from None
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    gdf = to_wgs84(gdf, upload.name)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty & gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    if not len(gdf):
        raise GeoTrygghetError(t("fu.err.no_polygons", name=upload.name))
    col = next((c for c in NAME_COLUMNS if c in gdf.columns), None)
    stem = Path(upload.name).stem
    out = []
    for i, row in enumerate(gdf.itertuples()):
        name = str(getattr(row, col)) if col and pd.notna(getattr(row, col)) else (
            stem if len(gdf) == 1 else f"{stem} {i + 1}")
        geom = row.geometry if row.geometry.is_valid else shapely.make_valid(row.geometry)
        out.append((name, geom))
    return out


def ring_around(geom: BaseGeometry, metres: float) -> BaseGeometry:
    """The ring of ``metres`` around ``geom`` (the area itself cut out), in WGS84."""
    c = geom.centroid
    crs = metric_crs_for(np.array([c.x]), np.array([c.y]))
    s = gpd.GeoSeries([geom], crs=WGS84).to_crs(crs)
    return s.buffer(float(metres)).difference(s).to_crs(WGS84).iloc[0]


def areas_frame(choice: Choice) -> gpd.GeoDataFrame:
    """The chosen areas as rows ``role``, ``name``, geometry (WGS84), for the map and the report."""
    rows = [("target", choice.target_name or t("fu.role.target"), choice.target)] if choice.target else []
    rows += [("control", n, g) for n, g in choice.controls]
    if choice.buffer is not None and not choice.buffer.is_empty:
        rows.append(("buffer", t("fu.role.buffer"), choice.buffer))
    return gpd.GeoDataFrame({"role": [r[0] for r in rows], "name": [r[1] for r in rows]},
                            geometry=[r[2] for r in rows], crs=WGS84)
