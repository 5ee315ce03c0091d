"""Pieces the subcommands share: the ingest column flags and a progress bar."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


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


def ingest_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of :func:`geo_trygghet.ingest.read_incidents` from the flags."""
    return {"lat": args.lat, "lon": args.lon, "x": args.x, "y": args.y, "crs": args.crs,
            "time": args.time, "clock": args.clock, "crime_type": args.category,
            "since": args.since, "until": args.until, "layer": args.layer, "sheet": args.sheet}


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
