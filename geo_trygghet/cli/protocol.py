"""``geo-trygghet protocol``: the walk protocol (map with numbered marks and the table) as HTML or PDF."""

from __future__ import annotations

import argparse

from .. import settings

EPILOG = """The table NR · ANMÄRKNING · KATEGORI · PROBLEMÄGARE · PLANERAT · ÅTGÄRDAT is
rebuilt from the event log as it stood at the end of --as-of (default today).
Markers: red open, yellow planned, green fixed, grey closed without a fix.
The HTML has an interactive map; the PDF a static map (no web tiles)."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("protocol", help="print a walk's protocol (HTML or PDF)", description=__doc__,
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("walk", metavar="WALK", help="the walk's title, id or join code")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.html or FILE.pdf")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="show the state at the end of this date (default today)")
    p.add_argument("--lang", choices=("sv", "en"), default="sv", help="language (default sv)")
    p.add_argument("--streets", metavar="FILE", help="street lines (GeoJSON/GeoPackage) drawn under the static map")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import datetime as dt

    from ..errors import DateError, InputError
    from ..remarks import RemarkService
    from ..reports.protocol import write_protocol

    as_of = None
    if args.as_of:
        try:
            as_of = dt.date.fromisoformat(args.as_of.strip())
        except ValueError:
            msg = f"--as-of '{args.as_of}' is not a date: write it as YYYY-MM-DD, e.g. 2024-06-30"
            raise DateError(msg) from None
    if not args.output.lower().endswith((".html", ".htm", ".pdf")):
        msg = f"-o {args.output}: end the file name in .html or .pdf"
        raise InputError(msg)
    streets = _read_streets(args.streets) if args.streets else None
    service = RemarkService()
    try:
        walk = service.get_walk(args.walk)
        out = write_protocol(service, walk, args.output, as_of=as_of, lang=args.lang, streets=streets)
    finally:
        service.close()
    day = (as_of or settings.local_today()).isoformat()
    print(f"wrote the protocol of '{walk.title}' as of {day} ({walk.remark_count} remarks) to {out}")
    return 0


def _read_streets(path: str):
    from ..errors import InputError
    from ..ingest.files import check_path, read_vector

    p = check_path(path, "streets file")
    gdf, _ = read_vector(p, None, f"streets file {p.name}")
    if gdf.crs is None:
        msg = f"streets file {p.name} has no coordinate system: save it with one (EPSG:4326 or EPSG:3006)"
        raise InputError(msg)
    return gdf
