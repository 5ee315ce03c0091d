"""``geo-trygghet emerging``: where hot spots are new, intensifying, persistent or fading (space-time cube)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..errors import InputError
from ..i18n import fmt_pct, text
from ._common import add_ingest_arguments, ingest_options, progress
from ._resolution import RESOLUTION_HELP, resolution_arg

EPILOG = """A space-time cube of incidents per H3 cell and period over the whole study area (empty
cells and periods included; an end period the data cover less than 90 % of is left out). Gi* per
bin with the cell's ring-1 neighbours (or --k rings) in the period and the --time-window previous
ones, mean and variance of the whole cube, Benjamini-Hochberg FDR over all bins; Mann-Kendall on
each cell's series of z; ArcGIS Pro's 17 patterns by the rules in the README (at least 10 periods).

The GeoPackage (EPSG:4326) has the layer 'emerging': h3, pattern (e.g. intensifying_hot_spot,
no_pattern), pattern_sv, trend_z, trend_p, hot_periods, cold_periods, count, hexagon; with --cube
also 'cube': h3, period, count, gi_z, gi_bin, one row per cell and period."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("emerging", help="emerging hot spots: how hot spots change over time (17 patterns)",
                       description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="INPUT", help="CSV, Excel, GeoPackage, Shapefile, GeoJSON or Parquet with dates")
    p.add_argument("-o", "--output", required=True, metavar="OUT.gpkg", help="GeoPackage to write")
    p.add_argument("--interval", choices=("month", "week", "quarter"), default="month",
                   help="length of a period (default month; weeks run Monday to Sunday)")
    p.add_argument("--time-window", type=int, default=1, metavar="K",
                   help="previous periods in a bin's neighbourhood (default 1)")
    p.add_argument("--k", type=int, default=1, metavar="K", help="rings of neighbour cells (default 1: the six around)")
    p.add_argument("--resolution", type=resolution_arg, default=9, metavar="N|auto", help=RESOLUTION_HELP)
    p.add_argument("--boundary", metavar="AREA", help="study area polygon (default: convex hull of the incidents)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level of bins (after FDR) and trends")
    p.add_argument("--cube", action="store_true", help="also write the layer 'cube' (one row per cell and period)")
    p.add_argument("--map", metavar="MAP.html", help="also write an HTML map of the patterns")
    p.add_argument("--lang", choices=("sv", "en"), default="sv", help="language of the map (default sv)")
    add_ingest_arguments(p)
    p.set_defaults(handler=run)


def _check(args: argparse.Namespace) -> Path:
    out = Path(args.output)
    if out.suffix.lower() != ".gpkg":
        msg = f"output '{out}' must end in .gpkg (a GeoPackage)"
        raise InputError(msg)
    if args.time_window < 0:
        msg = f"--time-window must be 0 or more periods, got {args.time_window}"
        raise InputError(msg)
    if args.k < 1:
        msg = f"--k must be 1 or more rings, got {args.k}"
        raise InputError(msg)
    if not 0 < args.alpha < 1:
        msg = f"--alpha must lie between 0 and 1, e.g. 0.05, got {args.alpha}"
        raise InputError(msg)
    return out


def run(args: argparse.Namespace) -> int:
    from ..hotspots.emerging import emerging_hotspots
    from ..ingest.incidents import read_boundary, read_incidents

    out = _check(args)
    started = time.perf_counter()
    with progress(4) as step:
        step("läser händelser / reading incidents")
        boundary_gdf = read_boundary(args.boundary) if args.boundary else None
        data = read_incidents(args.input, boundary=boundary_gdf, require_time=True, **ingest_options(args))
        step("kub, Gi* och mönster / cube, Gi* and patterns")
        boundary = boundary_gdf.geometry.union_all() if boundary_gdf is not None else None
        result = emerging_hotspots(data.gdf, interval=args.interval, time_window=args.time_window, k=args.k,
                                   resolution=args.resolution, boundary=boundary, since=args.since,
                                   until=args.until, alpha=args.alpha)
        step("skriver GeoPackage / writing GeoPackage")
        out.parent.mkdir(parents=True, exist_ok=True)
        result.to_gpkg(out, cube=args.cube)
        if args.map:
            step("skriver karta / writing map")
            from ..maps.emerging import emerging_map

            Path(args.map).parent.mkdir(parents=True, exist_ok=True)
            emerging_map(result, boundary=boundary_gdf, lang=args.lang).save(args.map)
    lines = list(data.report.summary_lines()) + summary_lines(result, args.time_window, args.k, args.alpha)
    files = f"{out}" + (f" and {args.map}" if args.map else "")
    lines.append(text("emerging.cli.wrote", "en", files=files, seconds=f"{time.perf_counter() - started:.1f}"))
    print("\n".join(lines), file=sys.stdout)
    return 0


def summary_lines(result, time_window: int, k: int, alpha: float, lang: str = "en") -> list[str]:
    """What the command prints about the cube, the choice of scale and the patterns found."""
    from ..hotspots.cube import period_label
    from ..hotspots.emerging import pattern_label

    cube = result.cube
    n_cells, n_periods = cube.shape
    lines = [result.scale.reason(lang)] if result.scale is not None else []
    lines.append(text("emerging.cli.cube", lang, cells=f"{n_cells:,}", periods=n_periods,
                      interval=text(f"emerging.interval.{cube.interval}", lang),
                      first=period_label(cube.periods[0], cube.interval),
                      last=period_label(cube.periods[-1], cube.interval), resolution=result.resolution,
                      empty=f"{int((cube.counts.sum(axis=1) == 0).sum()):,}"))
    lines += [text("emerging.cli.left_out", lang, period=period_label(p.start, cube.interval),
                   share=fmt_pct(p.share, lang)) for p in cube.left_out]
    lines.append(text("emerging.cli.neighbours", lang, k=k, window=time_window, bins=f"{n_cells * n_periods:,}",
                      alpha=f"{alpha:g}"))
    counts = result.pattern_counts()
    if counts:
        listing = ", ".join(f"{pattern_label(p, lang).lower()} {n}" for p, n in counts.items())
        lines.append(text("emerging.cli.patterns", lang, listing=listing))
    else:
        lines.append(text("emerging.cli.none", lang))
    return lines
