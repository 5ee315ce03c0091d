"""``geo-trygghet evaluate``: before/after in a target area against control areas, as one JSON object."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import InputError
from ._common import add_ingest_arguments, ingest_options, location_note

EPILOG = """Windows: before = the --before days (default 365) ending the day before the
intervention date; after = the --after days (default 365) starting on it. --same-months
compares the after window with the same calendar months one year earlier instead.

Prints one JSON object: target_before, target_after, control_before, control_after,
odds_ratio ((a·d)/(b·c), above 1 = crime fell in the target relative to control),
odds_ratio_ci (95 %, from var(ln OR) = 1/a+1/b+1/c+1/d), odds_ratio_ci_overdispersed,
wdd, wdd_z, irr_poisson, irr_negbin (with CIs), verdict, reading_sv, reading_en,
windows, notes; with --buffer also buffer_before, buffer_after and wdq."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate",
        help="before/after effect of a measure against control areas (JSON)",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "input",
        metavar="INPUT",
        help="incidents: CSV, Excel, GeoPackage, Shapefile, GeoJSON or Parquet",
    )
    p.add_argument(
        "--target",
        required=True,
        metavar="T.geojson",
        help="target area (polygons are unioned; points need --radius)",
    )
    p.add_argument(
        "--control",
        required=True,
        action="append",
        metavar="C.geojson",
        help="control area; repeat for several (added up as the control group)",
    )
    p.add_argument("--buffer", metavar="B.geojson", help="displacement buffer around the target")
    p.add_argument(
        "--control-buffer", metavar="CB.geojson", help="buffer around the control (WDD term ΔCD)"
    )
    p.add_argument(
        "--intervention", required=True, metavar="DATE", help="intervention date, YYYY-MM-DD"
    )
    p.add_argument(
        "--before", type=int, default=365, metavar="DAYS", help="days before (default 365)"
    )
    p.add_argument(
        "--after", type=int, default=365, metavar="DAYS", help="days after (default 365)"
    )
    p.add_argument(
        "--same-months",
        action="store_true",
        help="before = the after window's calendar months one year earlier",
    )
    p.add_argument(
        "--radius",
        type=float,
        metavar="METRES",
        help="make point targets/controls into circles of this radius",
    )
    add_ingest_arguments(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..followup import evaluate, make_windows, read_area
    from ..ingest.incidents import read_incidents

    if args.radius is not None and not args.radius > 0:
        msg = f"--radius {args.radius}: give a positive radius in metres, e.g. 150"
        raise InputError(msg)
    # check the cheap things before reading a large file
    make_windows(
        args.intervention,
        before_days=args.before,
        after_days=args.after,
        same_months=args.same_months,
    )
    target = read_area(args.target, radius_m=args.radius)
    controls = [read_area(c, radius_m=args.radius) for c in args.control]
    buffer = read_area(args.buffer) if args.buffer else None
    control_buffer = read_area(args.control_buffer) if args.control_buffer else None
    data = read_incidents(args.input, require_time=True, **ingest_options(args))
    location_note(data.report)
    names: list[str] = []
    for c in args.control:  # the file names, so that messages and per_control name them
        name = Path(c).name
        while name in names:
            name += "'"
        names.append(name)
    result = evaluate(
        data.gdf,
        target=target,
        controls=controls,
        buffer=buffer,
        control_buffer=control_buffer,
        intervention=args.intervention,
        before_days=args.before,
        after_days=args.after,
        same_months=args.same_months,
        control_names=names,
    )
    out = result.to_dict()
    for entry, path in zip(out["per_control"], args.control, strict=True):
        entry["file"] = path
    sys.stdout.write(json.dumps(out, ensure_ascii=False, allow_nan=False) + "\n")
    return 0
