"""``geo-trygghet hotspots``: incidents → H3 Gi* hot spots → GeoPackage (+ HTML map)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .. import schema as S
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

EPILOG = """Columns are recognised by name (lat/latitude, lon/longitude, x/y or E/N with a CRS,
datum/date/month, brottstyp/type …); the flags override. The GeoPackage has the layers
'cells' (h3, count, gi_z, gi_p, gi_q, gi_bin; every cell of the study area, empty ones
included) and 'clusters' (cluster_id, count, area_m2), in EPSG:4326.

--by kommun (or --areas FILE --area-id COL) runs every area as its own study area, with its own
Gi* and FDR: the layers get an 'area_id' column, a layer 'areas' holds each area's summary, and
a table (CSV) lists per area the incidents, the rate per 100 000 inhabitants where the population
is known (--population COL), the hot cells and the largest hot-spot area.

--engine dask counts on Dask (a local cluster of --workers processes, or --scheduler ADDRESS)
for inputs larger than memory; the results are the same as with the default engine."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hotspots", help="find significant hot spots (Getis-Ord Gi*) in an incident file",
                       description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="INPUT", help="CSV, Excel, GeoPackage, Shapefile, GeoJSON or Parquet "
                                                  "(with --engine dask: CSV or Parquet files, a folder or a glob)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.gpkg", help="GeoPackage to write")
    p.add_argument("--map", metavar="MAP.html", help="also write an HTML map")
    p.add_argument("--resolution", type=resolution_arg, default=9, metavar="N|auto", help=RESOLUTION_HELP)
    add_ingest_arguments(p, by_area=True)
    p.add_argument("--boundary", metavar="AREA.geojson",
                   help="study area polygon (default: convex hull of the incidents)")
    p.add_argument("--permutations", type=int, default=0, metavar="N",
                   help="conditional permutations for gi_p (default 0: analytic p-values)")
    p.add_argument("--seed", type=int, default=None, help="seed for the permutations")
    p.add_argument("--lang", choices=("sv", "en"), default="sv", help="language of the map")
    add_run_arguments(p)
    p.set_defaults(handler=run)


def _check(args: argparse.Namespace) -> Path:
    out = gpkg_output(args)
    if args.permutations < 0:
        msg = f"--permutations must be 0 or more, got {args.permutations}"
        raise InputError(msg)
    return out


def run(args: argparse.Namespace) -> int:
    out = _check(args)
    started = time.perf_counter()
    early = read_early(args)  # read while the rest loads
    from ..engines import hotspots_run
    from ..hotspots.by_area import area_set
    from ..ingest.incidents import read_boundary

    areas = area_set(args.by, args.areas, args.area_id, args.population)
    from ..hotspots.cells_layer import written_elsewhere

    if areas is not None and written_elsewhere(areas.polygons, args.resolution):
        from ..hotspots.gpkg_writer import warm

        warm()  # the layer's writer loads GDAL while the file is read
    with progress(5) as step:
        step("läser och räknar / reading and counting")
        boundary_gdf = read_boundary(args.boundary) if args.boundary else None
        with open_engine(args, require_time=False, boundary=boundary_gdf, progress=step, early=early) as engine:
            done = hotspots_run(engine, resolution=args.resolution, permutations=args.permutations, seed=args.seed,
                                areas=areas.polygons if areas is not None else None, wait=False)
            step("skriver GeoPackage / writing GeoPackage")
            out.parent.mkdir(parents=True, exist_ok=True)
            result, writer = _write(out, args, areas, done)  # the cells while the hot-spot areas are computed
        workers_mb = getattr(engine, "workers_peak_mb", None)  # known once the engine is closed
        if areas is not None:
            table = Path(args.summary) if args.summary else out.with_name(out.stem + "_areas.csv")
            result.to_csv(table)
        if args.map:
            step("skriver karta / writing map")
            Path(args.map).parent.mkdir(parents=True, exist_ok=True)
            _write_map(args, result, boundary_gdf)
    lines = list(done.report.summary_lines())
    if areas is not None:
        lines += _area_lines(result, table)
    else:
        lines += _result_lines(done, done.scale)
    lines.append(f"wrote {out}" + (f" and {args.map}" if args.map else "") + f" in "
                 f"{time_and_memory(started, workers_mb, writer=writer)}")
    print("\n".join(lines), file=sys.stdout)
    return 0


def _write(out: Path, args: argparse.Namespace, areas, done):
    """Write the GeoPackage: the cells first, then (once they are done) the hot-spot areas; the
    result (None without areas and without a map) and the peak memory (MB) of the child process
    that wrote the cells, if one did."""
    from ..hotspots.gistar import write_layers

    if areas is None:
        done.layer.write(out)
        done.wait(frames=bool(args.map))  # the cells as a GeoDataFrame only for the map
        write_layers(out, {S.LAYER_CLUSTERS: done.clusters_of(0)}, fresh=False)
        return (done.result if args.map else None), None
    from ..hotspots.by_area import by_area_result, write_cells
    from ..hotspots.gpkg_writer import Pending

    cells = write_cells(out, areas, done)
    result = by_area_result(areas, done)
    cells.wait()
    result.to_gpkg(out, cells=False)
    return result, cells.peak_mb if isinstance(cells, Pending) else None  # a child wrote a national layer


def _write_map(args: argparse.Namespace, result, boundary_gdf) -> None:
    """The hot-spot map, or for a by-area run the map of every area's hot cells and areas."""
    from ..hotspots.by_area import ByAreaResult

    if isinstance(result, ByAreaResult):
        from ..maps.by_area import by_area_map

        by_area_map(result, lang=args.lang).save(args.map)
    else:
        from ..maps import hotspot_map

        hotspot_map(result, boundary=boundary_gdf, lang=args.lang).save(args.map)


def _result_lines(done, scale=None) -> list[str]:
    """The summary of a run without areas, from its cells layer's columns (no GeoDataFrame needed)."""
    from ..hotspots.gistar import bin_counts

    columns = done.layer.columns
    resolution = done.grids[0][1].resolution
    permutations, seed = done.settings["permutations"], done.settings["seed"]
    lines = [scale.reason("en")] if scale is not None else []
    bins = bin_counts(columns[S.GI_BIN])
    lines.append(f"cells: {len(done.layer):,} at H3 resolution {resolution} "
                 f"({int((columns[S.COUNT] == 0).sum()):,} without incidents)")
    lines.append("hot cells: " + ", ".join(f"{bins[b]} at {lvl} %" for b, lvl in ((3, 99), (2, 95), (1, 90)))
                 + "; cold cells: " + ", ".join(f"{bins[-b]} at {lvl} %" for b, lvl in ((3, 99), (2, 95), (1, 90))))
    inference = f"{permutations} permutations (seed {seed})" if permutations else "analytic"
    lines.append(f"inference: {inference}, Benjamini–Hochberg FDR")
    top = done.clusters_of(0).head(5)
    if len(top):
        lines.append("top clusters: " + "; ".join(
            f"#{r.cluster_id} {r.count} incidents, {r.area_m2 / 10_000:.1f} ha" for r in top.itertuples()))
    else:
        lines.append("clusters: none at these settings")
    return lines


def _area_lines(result, table: Path) -> list[str]:
    s = result.summary
    analysed = int((s["cells"] > 0).sum())
    lines = [f"areas: {len(s):,} ({result.areas.label}), {analysed:,} analysed each as its own study area, "
             f"{len(s) - analysed:,} without a result (see the 'note' column)",
             f"cells: {int(s['cells'].sum()):,}; hot cells: {int(s['hot_cells'].sum()):,} "
             f"({int(s['hot_cells_99'].sum()):,} at 99 %) in {int((s['hot_cells'] > 0).sum()):,} areas; "
             f"hot-spot areas: {len(result.clusters):,}"]
    top = s.sort_values(["hot_cells", "incidents"], ascending=False).head(5)
    if len(top) and top["hot_cells"].iloc[0] > 0:
        lines.append("most hot cells: " + "; ".join(f"{r.name} ({r.area_id}) {r.hot_cells}"
                                                    for r in top.itertuples() if r.hot_cells > 0))
    if s["population"].notna().any():
        lines.append(f"rates per 100 000 for {int(s['population'].notna().sum()):,} areas with a population")
    lines.append(f"summary table: {table}")
    return lines
