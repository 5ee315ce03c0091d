"""``geo-trygghet hotspots``: incidents → H3 Gi* hot spots → GeoPackage (+ HTML map)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .. import schema as S
from ..errors import InputError
from ._common import add_ingest_arguments, ingest_options, progress
from ._resolution import RESOLUTION_HELP, resolution_arg

EPILOG = """Columns are recognised by name (lat/latitude, lon/longitude, x/y or E/N with a CRS,
datum/date/month, brottstyp/type …); the flags override. The GeoPackage has the layers
'cells' (h3, count, gi_z, gi_p, gi_q, gi_bin; every cell of the study area, empty ones
included) and 'clusters' (cluster_id, count, area_m2), in EPSG:4326."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hotspots", help="find significant hot spots (Getis-Ord Gi*) in an incident file",
                       description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="INPUT", help="CSV, Excel, GeoPackage, Shapefile, GeoJSON or Parquet")
    p.add_argument("-o", "--output", required=True, metavar="OUT.gpkg", help="GeoPackage to write")
    p.add_argument("--map", metavar="MAP.html", help="also write an HTML map")
    p.add_argument("--resolution", type=resolution_arg, default=9, metavar="N|auto", help=RESOLUTION_HELP)
    add_ingest_arguments(p)
    p.add_argument("--boundary", metavar="AREA.geojson",
                   help="study area polygon (default: convex hull of the incidents)")
    p.add_argument("--permutations", type=int, default=0, metavar="N",
                   help="conditional permutations for gi_p (default 0: analytic p-values)")
    p.add_argument("--seed", type=int, default=None, help="seed for the permutations")
    p.add_argument("--lang", choices=("sv", "en"), default="sv", help="language of the map")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..hotspots.gistar import hotspots
    from ..ingest.incidents import read_boundary, read_incidents

    out = Path(args.output)
    if out.suffix.lower() != ".gpkg":
        msg = f"output '{out}' must end in .gpkg (a GeoPackage)"
        raise InputError(msg)
    if args.permutations < 0:
        msg = f"--permutations must be 0 or more, got {args.permutations}"
        raise InputError(msg)
    started = time.perf_counter()
    with progress(5) as step:
        step("läser händelser / reading incidents")
        boundary_gdf = read_boundary(args.boundary) if args.boundary else None
        data = read_incidents(args.input, boundary=boundary_gdf, require_time=False, **ingest_options(args))
        step("Gi* och kluster / Gi* and clusters")
        boundary = boundary_gdf.geometry.union_all() if boundary_gdf is not None else None
        scale = _auto_scale(data.gdf) if args.resolution == "auto" else None
        result = hotspots(data.gdf, resolution=scale.resolution if scale else args.resolution, boundary=boundary,
                          permutations=args.permutations, seed=args.seed)
        step("skriver GeoPackage / writing GeoPackage")
        out.parent.mkdir(parents=True, exist_ok=True)
        result.to_gpkg(out)
        if args.map:
            step("skriver karta / writing map")
            from ..maps import hotspot_map

            Path(args.map).parent.mkdir(parents=True, exist_ok=True)
            hotspot_map(result, boundary=boundary_gdf, lang=args.lang).save(args.map)
    _summary(data.report, result, out, args.map, time.perf_counter() - started, scale)
    return 0


def _auto_scale(incidents):
    """The resolution ``--resolution auto`` chooses (one period: the whole file)."""
    from .. import schema as S
    from ..hotspots.scale import choose_resolution

    return choose_resolution(incidents[S.LON].to_numpy(float), incidents[S.LAT].to_numpy(float))


def _summary(report, result, out: Path, map_path: str | None, seconds: float, scale=None) -> None:
    cells = result.cells
    lines = list(report.summary_lines())
    if scale is not None:
        lines.append(scale.reason("en"))
    bins = result.bin_counts()
    lines.append(f"cells: {len(cells):,} at H3 resolution {result.resolution} "
                 f"({int((cells[S.COUNT] == 0).sum()):,} without incidents)")
    lines.append("hot cells: " + ", ".join(f"{bins[b]} at {lvl} %" for b, lvl in ((3, 99), (2, 95), (1, 90)))
                 + "; cold cells: " + ", ".join(f"{bins[-b]} at {lvl} %" for b, lvl in ((3, 99), (2, 95), (1, 90))))
    inference = f"{result.permutations} permutations (seed {result.seed})" if result.permutations else "analytic"
    lines.append(f"inference: {inference}, Benjamini–Hochberg FDR")
    top = result.clusters.head(5)
    if len(top):
        lines.append("top clusters: " + "; ".join(
            f"#{r.cluster_id} {r.count} incidents, {r.area_m2 / 10_000:.1f} ha" for r in top.itertuples()))
    else:
        lines.append("clusters: none at these settings")
    lines.append(f"wrote {out}" + (f" and {map_path}" if map_path else "") + f" in {seconds:.1f} s")
    print("\n".join(lines), file=sys.stdout)
