"""Pieces the subcommands share: the ingest column flags and a progress bar."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: the address register the commands (and the app) use when none is given
REGISTER_ENV = "GEO_TRYGGHET_ADDRESS_REGISTER"


def add_ingest_arguments(p: argparse.ArgumentParser) -> None:
    """The column and filter flags of every command that reads incidents."""
    g = p.add_argument_group("columns and filters (recognised automatically; these override)")
    g.add_argument("--lat", metavar="COL", help="latitude column (WGS84)")
    g.add_argument("--lon", metavar="COL", help="longitude column (WGS84)")
    g.add_argument("--x", metavar="COL", help="easting column (with --crs)")
    g.add_argument("--y", metavar="COL", help="northing column (with --crs)")
    g.add_argument("--crs", metavar="EPSG", help="CRS of --x/--y, e.g. EPSG:3006 (SWEREF 99 TM)")
    g.add_argument("--time", metavar="COL", help="date or date-time column")
    g.add_argument("--clock", metavar="COL", help="separate time-of-day column (tid, klockslag)")
    g.add_argument("--category", metavar="COL", help="crime type column (brottstyp)")
    g.add_argument("--since", metavar="DATE", help="first day to include (YYYY-MM-DD)")
    g.add_argument("--until", metavar="DATE", help="last day to include (YYYY-MM-DD)")
    g.add_argument("--layer", metavar="NAME", help="layer of a GeoPackage")
    g.add_argument("--sheet", metavar="NAME", help="sheet of an Excel file")
    a = p.add_argument_group("addresses and locations")
    a.add_argument("--address", metavar="COL", help="place incidents by the addresses in COL (needs --register)")
    a.add_argument("--register", metavar="FILE", default=os.environ.get(REGISTER_ENV) or None,
                   help=f"address register: Lantmäteriet's belägenhetsadress GeoPackage or a CSV with street, "
                        f"number and position (default ${REGISTER_ENV})")
    a.add_argument("--areas", metavar="FILE", help="polygons whose central points also mark area centroids "
                                                   "(besides the bundled Swedish kommuner and län)")
    a.add_argument("--keep-centroids", action="store_true",
                   help="keep incidents at area centroids (and geocoded only to a postort) in the analysis")


def ingest_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of :func:`geo_trygghet.ingest.read_incidents` from the flags.

    Area centroids are left out (``drop_centroids``) unless ``--keep-centroids``; a register
    from ``$GEO_TRYGGHET_ADDRESS_REGISTER`` is used only with ``--address``.
    """
    register = args.register if (args.address or args.register != os.environ.get(REGISTER_ENV)) else None
    return {"lat": args.lat, "lon": args.lon, "x": args.x, "y": args.y, "crs": args.crs,
            "time": args.time, "clock": args.clock, "crime_type": args.category,
            "since": args.since, "until": args.until, "layer": args.layer, "sheet": args.sheet,
            "address": args.address, "register": register, "areas": args.areas,
            "drop_centroids": not args.keep_centroids}


def location_note(report) -> None:
    """The one line on stderr saying how many incidents at area centroids were left out and why."""
    from ..ingest.location_quality import left_out_line

    if report.dropped.get("at an area centroid or placed only to a postort"):
        print(f"note: {left_out_line(report.location)}", file=sys.stderr)


@contextmanager
def progress(total: int) -> Iterator[Callable[[str], None]]:
    """A step progress bar on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda _label: None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, file=sys.stderr, leave=False, bar_format="{desc} {bar} {n}/{total} [{elapsed}]")
    try:
        def step(label: str) -> None:
            bar.set_description(label)
            bar.update(1)

        yield step
    finally:
        bar.close()
