"""``geo-trygghet emerging``: where hot spots are new, intensifying, persistent or fading (space-time cube)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..errors import InputError
from ._common import (
    add_ingest_arguments,
    add_run_arguments,
    gpkg_output,
    open_engine,
    progress,
    read_early,
    time_and_memory,
)
from ._resolution import RESOLUTION_HELP, resolution_arg

EPILOG = """A space-time cube of incidents per H3 cell and period over the whole study area (empty
cells and periods included; an end period the data cover less than 90 % of is left out). Gi* per
bin with the cell's ring-1 neighbours (or --k rings) in the period and the --time-window previous
ones, mean and variance of the whole cube, Benjamini-Hochberg FDR over all bins; Mann-Kendall on
each cell's series of z; ArcGIS Pro's 17 patterns by the rules in the README (at least 10 periods).

The GeoPackage (EPSG:4326) has the layer 'emerging': h3, pattern (e.g. intensifying_hot_spot,
no_pattern), pattern_sv, trend_z, trend_p, hot_periods, cold_periods, count, hexagon; with --cube
also 'cube': h3, period, count, gi_z, gi_bin, one row per cell and period.

--by kommun (or --areas FILE --area-id COL) builds every area's own cube: the layer gets an
'area_id' column and a table (CSV) lists the hot and cold patterns per area. --engine dask counts
per cell and period on Dask (inputs larger than memory); the results are the same."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("emerging", help="emerging hot spots: how hot spots change over time (17 patterns)",
                       description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="INPUT", help="CSV, Excel, GeoPackage, Shapefile, GeoJSON or Parquet with dates "
                                                  "(with --engine dask: CSV or Parquet files, a folder or a glob)")
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
    add_ingest_arguments(p, by_area=True)
    add_run_arguments(p)
    p.set_defaults(handler=run)


def _check(args: argparse.Namespace) -> Path:
    out = gpkg_output(args)
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
    out = _check(args)
    started = time.perf_counter()
    early = read_early(args)  # read while the rest loads
    from ..engines import emerging_run
    from ..hotspots.by_area import area_set
    from ..i18n import text
    from ..ingest.incidents import read_boundary

    areas = area_set(args.by, args.areas, args.area_id, args.population)
    with progress(4) as step:
        step("läser och räknar / reading and counting")
        boundary_gdf = read_boundary(args.boundary) if args.boundary else None
        with open_engine(args, require_time=True, boundary=boundary_gdf, progress=step, early=early) as engine:
            done = emerging_run(engine, interval=args.interval, time_window=args.time_window, k=args.k,
                                resolution=args.resolution, alpha=args.alpha,
                                areas=areas.polygons if areas is not None else None)
        workers_mb = getattr(engine, "workers_peak_mb", None)  # known once the engine is closed
        step("skriver GeoPackage / writing GeoPackage")
        out.parent.mkdir(parents=True, exist_ok=True)
        if areas is not None:
            from ..hotspots.by_area import emerging_by_area

            table = Path(args.summary) if args.summary else out.with_name(out.stem + "_areas.csv")
            summary = emerging_by_area(areas, done, out, table, cube=args.cube)
        else:
            done.result.to_gpkg(out, cube=args.cube)
        if args.map and areas is None:
            step("skriver karta / writing map")
            from ..maps.emerging import emerging_map

            Path(args.map).parent.mkdir(parents=True, exist_ok=True)
            emerging_map(done.result, boundary=boundary_gdf, lang=args.lang).save(args.map)
    lines = list(done.report.summary_lines())
    if areas is not None:
        lines += [f"areas: {len(summary):,} ({areas.label}), {int((summary['cells'] > 0).sum()):,} with a cube of "
                  f"their own; hot-spot patterns in {int((summary['hot_cells'] > 0).sum()):,} areas",
                  f"summary table: {table}"]
        if args.map:
            lines.append("note: --map draws one study area; open the GeoPackage's 'emerging' layer for every area")
    else:
        lines += summary_lines(done.result, args.time_window, args.k, args.alpha)
    files = f"{out}" + (f" and {args.map}" if args.map and areas is None else "")
    lines.append(text("emerging.cli.wrote", "en", files=files, seconds=time_and_memory(started, workers_mb)))
    print("\n".join(lines), file=sys.stdout)
    return 0


def summary_lines(result, time_window: int, k: int, alpha: float, lang: str = "en") -> list[str]:
    """What the command prints about the cube, the choice of scale and the patterns found."""
    from ..hotspots.cube import period_label
    from ..hotspots.emerging import pattern_label
    from ..i18n import fmt_pct, text

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
