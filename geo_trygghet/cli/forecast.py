"""``geo-trygghet forecast``: predict where incidents will be, scored on a held-out period (JSON)."""

from __future__ import annotations

import argparse
import json
import sys

from ._common import add_ingest_arguments, gpkg_output, ingest_options
from ._resolution import RESOLUTION_HELP, resolution_arg

EPILOG = """The incidents up to --train-until predict each H3 cell of the test period (the day after
--train-until to --test-until). Methods: count (the last 3 years, the baseline), decay (time-decayed
count, half-life 90 days), kde (the count smoothed over one ring of cells), auto (the best mean PEI
at 1, 3, 5, 10 % and --coverage in rolling-origin validation inside the training data; ties go to
the baseline).

Prints one JSON object: method, parameters, coverage [0.01, 0.03, 0.05, 0.1] and, at each of
them, hit_rate, pai (Chainey) and pei (Hunt: PAI over the best PAI possible), with true H3 cell
areas and ties in the prediction broken pessimistically (ptools::pai); at_coverage (the scores at
--coverage) and validation. The GeoPackage (EPSG:4326) has the layer 'forecast': h3, predicted,
rank, observed, hexagon; the study area is the one 'hotspots' uses for the same input."""


def _share(value: str) -> float:
    try:
        share = float(value)
    except ValueError:
        msg = f"--coverage must be a share of the area such as 0.03 (3 %), got {value!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if not 0 < share <= 1:
        msg = f"--coverage must be a share of the area above 0 and at most 1, such as 0.03 (3 %), got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return share


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("forecast", help="forecast where incidents will be and score it on held-out data (JSON)",
                       description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="INPUT", help="CSV, Excel, GeoPackage, Shapefile, GeoJSON or Parquet with dates")
    p.add_argument("--train-until", required=True, metavar="DATE", help="last day of the training period (YYYY-MM-DD)")
    p.add_argument("--test-until", required=True, metavar="DATE", help="last day of the test period (YYYY-MM-DD)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.gpkg", help="GeoPackage to write")
    p.add_argument("--method", choices=("auto", "count", "decay", "kde"), default="auto",
                   help="forecast method (default auto)")
    p.add_argument("--coverage", type=_share, default=0.03, metavar="SHARE",
                   help="a share of the area auto also weighs and at_coverage reports (default 0.03)")
    p.add_argument("--resolution", type=resolution_arg, default=9, metavar="N|auto", help=RESOLUTION_HELP)
    p.add_argument("--boundary", metavar="AREA", help="study area polygon (default: convex hull of the incidents)")
    add_ingest_arguments(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..hotspots.forecast import forecast
    from ..ingest.incidents import read_boundary, read_incidents

    out = gpkg_output(args)
    boundary_gdf = read_boundary(args.boundary) if args.boundary else None
    data = read_incidents(args.input, boundary=boundary_gdf, require_time=True, **ingest_options(args))
    boundary = boundary_gdf.geometry.union_all() if boundary_gdf is not None else None
    result = forecast(data.gdf, train_until=args.train_until, test_until=args.test_until, method=args.method,
                      resolution=args.resolution, boundary=boundary, coverage=args.coverage)
    out.parent.mkdir(parents=True, exist_ok=True)
    result.to_gpkg(out)
    sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False) + "\n")
    return 0
