"""Handbook-style protocol files for the import/export/protocol tests (built with openpyxl)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pyproj import Transformer

XSS_SCRIPT = "<script>alert(1)</script> vid busshållplatsen"
XSS_IMG = "<img src=x onerror=alert(1)> klotter på muren"

#: NR, text, KATEGORI label, PROBLEMÄGARE, PLANERAT, ÅTGÄRDAT, lon, lat (Katrineholm)
ROWS = [
    (1, "Trasig belysning på Åvägen nr 37", "Belysning", "Gatukontoret", None, dt.date(2023, 4, 30),
     16.184315, 58.996119),
    (2, "Uppbrutna källardörrar Storgatan 85–89", "skadegörelse", "Bostadsbolaget AB", dt.date(2023, 6, 30), None,
     16.190413, 58.992276),
    (3, "Fem skrotbilar vändplanen vid Bygatan 3", "ÖVERGIVET FÖREMÅL", "Gatukontoret", None, None,
     16.181443, 58.994603),
    (4, "Brandfarliga källargångar Bivägen 4–6", "Brandrisk", "Bostadsbolaget AB", dt.date(2023, 5, 1),
     dt.date(2023, 5, 10), 16.185949, 58.996213),
    (5, XSS_SCRIPT, "Klotter", None, None, None, 16.196351, 58.992868),
    (6, XSS_IMG, "buskage/skymd sikt", None, None, None, 16.193719, 58.993251),
]
WALK_DATE = dt.date(2023, 3, 9)
#: headers in odd case, as people type them
HEADERS = ["Nr", "Anmärkning", "kategori", "ProblemÄgare", "planerat", "ÅTGÄRDAT"]

_TO_SWEREF = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


def sweref(lon: float, lat: float) -> tuple[float, float]:
    e, n = _TO_SWEREF.transform(lon, lat)
    return float(e), float(n)


def write_protocol_xlsx(path: Path, *, crs: str = "wgs84", rows=None, title_line: bool = False,
                        headers=None) -> Path:
    """Write a protocol: ``crs`` "wgs84" (lat/lon columns) or "sweref" (E/N columns)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Protokoll"
    if title_line:
        ws.append(["Protokoll trygghetsvandring Centrum 2023-03-09"])
        ws.append([])
    coord = ["lat", "lon"] if crs == "wgs84" else ["E", "N"]
    ws.append(list(headers or HEADERS) + coord)
    for nr, text, cat, owner, planned, fixed, lon, lat in rows or ROWS:
        if crs == "wgs84":
            xy = [lat, lon]
        else:
            e, n = sweref(lon, lat)
            xy = [round(e, 3), round(n, 3)]
        ws.append([nr, text, cat, owner, planned, fixed, *xy])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # typed text, not a formula
    wb.save(path)
    return path
