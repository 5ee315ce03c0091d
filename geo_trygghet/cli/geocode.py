"""``geo-trygghet geocode``: a table's addresses → positions, offline, against an address register."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ..errors import InputError
from ._common import REGISTER_ENV

EPILOG = """The register is Lantmäteriet's belägenhetsadress GeoPackage as published (layer
belagenhetsadress, SWEREF 99 TM) or any CSV/GeoPackage with street, number, letter, postcode,
postort and a position. Without --address or --street the address column is recognised by
name (adress, gatuadress, plats …); postcode and postort columns too.

OUT gets every input row and column plus lat, lon (WGS84), geocode_level (exact ·
letter_dropped · interpolated · street · postcode · postort · failed), geocode_score (0–1),
matched_address and geocode_note (why, when not exact). Nothing is dropped."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("geocode", help="place addresses offline against an address register",
                       description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="INPUT", help="CSV, Excel, GeoPackage, GeoJSON or Parquet with addresses")
    p.add_argument("--register", metavar="ADDR.gpkg|csv", default=os.environ.get(REGISTER_ENV) or None,
                   help=f"the address register (default ${REGISTER_ENV})")
    p.add_argument("-o", "--output", required=True, metavar="OUT.csv|gpkg", help="file to write")
    p.add_argument("--address", metavar="COL", help="column with the whole address (Storgatan 12 B)")
    p.add_argument("--street", metavar="COL", help="column with the street (with --number)")
    p.add_argument("--number", metavar="COL", help="column with the number (12, 12B, 85–89)")
    p.add_argument("--postort", metavar="COL", help="column with the postort (recognised by name)")
    p.add_argument("--kommun", metavar="NAME", help="use the register's addresses in this kommun only (name or code)")
    p.add_argument("--layer", metavar="NAME", help="layer of a GeoPackage input")
    p.add_argument("--sheet", metavar="NAME", help="sheet of an Excel input")
    p.add_argument("--lang", choices=("sv", "en"), default="en", help="language of geocode_note and the summary")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..i18n import fmt_num, text
    from ..ingest.files import check_path, read_any
    from ..ingest.geocode import geocode_frame, read_register

    out = Path(args.output)
    if out.suffix.lower() not in (".csv", ".gpkg"):
        msg = f"output '{out}' must end in .csv or .gpkg"
        raise InputError(msg)
    if not args.register:
        msg = f"no address register: give --register ADDR.gpkg|csv (or set {REGISTER_ENV})"
        raise InputError(msg)
    started = time.perf_counter()
    p = check_path(args.input)
    df, _how = read_any(p, layer=args.layer, sheet=args.sheet)
    if len(df) == 0:
        msg = f"{p.name} has no data rows; give a file with at least one address"
        raise InputError(msg)
    reg = read_register(args.register, kommun=args.kommun)
    result = geocode_frame(df, reg, address=args.address, street=args.street, number=args.number,
                           postort=args.postort, source=p.name)
    table = _table(df, result.frame(args.lang))
    out.parent.mkdir(parents=True, exist_ok=True)
    _write(table, out)
    lines = [*reg.notes, *result.summary_lines(args.lang)]
    lines.append(text("geocode.wrote", args.lang, path=out, rows=fmt_num(len(table), args.lang),
                      seconds=fmt_num(time.perf_counter() - started, args.lang, 1)))
    print("\n".join(lines), file=sys.stdout)
    return 0


def _table(df, added):
    import pandas as pd

    base = df.drop(columns=[c for c in df.columns if str(c) in added.columns or str(c) == "geometry"])
    return pd.concat([pd.DataFrame(base).reset_index(drop=True), added], axis=1)


def _write(table, out: Path) -> None:
    import geopandas as gpd

    if out.suffix.lower() == ".csv":
        table.to_csv(out, index=False)
        return
    placed = table["lat"].notna()
    geometry = gpd.points_from_xy(table["lon"].where(placed), table["lat"].where(placed))
    gdf = gpd.GeoDataFrame(table, geometry=geometry, crs="EPSG:4326")
    gdf.loc[~placed.to_numpy(), "geometry"] = None
    if out.exists():
        out.unlink()
    gdf.to_file(out, layer="geocoded", driver="GPKG", engine="pyogrio")
