"""``geo-trygghet remarks import|export|remind|sync|endpoint``: old protocols in, remarks out (CSV, Excel,
GeoPackage, Open311), reminders, and the exchange with problemägare's own Open311 systems."""

from __future__ import annotations

import argparse
import os

from ._common import REGISTER_ENV

IMPORT_EPILOG = """The file has the handbook's columns NR, ANMÄRKNING, KATEGORI, PROBLEMÄGARE,
ÅTGÄRDAT (any case; PLANERAT too) and coordinates: lat/lon (WGS84) or E/N, x/y
(SWEREF 99 TM, EPSG:3006, recognised from the values). A date under ÅTGÄRDAT
means fixed: the remark is assigned to its PROBLEMÄGARE (added if unknown) and
marked åtgärdad on that date. Importing the same file again adds nothing.

An old protocol without coordinates: --address COL --register FILE places each row
by its address (an ADRESS column, or ANMÄRKNING: "Trasig belysning på Åvägen nr 37")
against the address register; the match levels are printed, and rows placed only
to a postort or not at all are left out and listed with the reason."""

EXPORT_EPILOG = """Every format has SWEREF 99 TM (e, n; EPSG:3006) beside WGS84 (lon, lat).
gpkg: layer "remarks" in EPSG:4326. xlsx: the handbook's protocol layout.
open311: GeoReport v2 service requests (JSON). Reporter names are left out
(--with-reporter adds them to csv/xlsx/gpkg; never to open311)."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("remarks", help="import walk protocols (Excel/CSV) and export remarks",
                       description=__doc__)
    rsub = p.add_subparsers(dest="remarks_command", metavar="ACTION", parser_class=type(p))
    rsub.required = True

    imp = rsub.add_parser("import", help="import a protocol typed into Excel or CSV into a walk",
                          description="Import a walk protocol (Excel .xlsx or CSV) into a walk.",
                          epilog=IMPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    imp.add_argument("file", metavar="FILE", help="protocol file: .xlsx or .csv (; or , separated)")
    imp.add_argument("--walk", required=True, metavar="TITLE", help="the walk's title (created if no walk has it)")
    imp.add_argument("--date", metavar="YYYY-MM-DD", help="the walk's date, when the walk is created")
    imp.add_argument("--sheet", metavar="NAME", help="sheet of an Excel file (default: the first)")
    g = imp.add_argument_group("coordinate columns (recognised automatically; these override)")
    g.add_argument("--lat", metavar="COL", help="latitude column (WGS84)")
    g.add_argument("--lon", metavar="COL", help="longitude column (WGS84)")
    g.add_argument("--x", metavar="COL", help="easting column (with --crs)")
    g.add_argument("--y", metavar="COL", help="northing column (with --crs)")
    g.add_argument("--crs", metavar="EPSG", help="CRS of --x/--y, e.g. EPSG:3006 (SWEREF 99 TM)")
    a = imp.add_argument_group("addresses (old protocols without coordinates)")
    a.add_argument("--address", metavar="COL", help="place the rows without coordinates by the address in COL "
                                                    "(ANMÄRKNING when the address is written in the remark)")
    a.add_argument("--register", metavar="FILE", default=os.environ.get(REGISTER_ENV) or None,
                   help="address register: Lantmäteriet's belägenhetsadress GeoPackage or a CSV with street, "
                        f"number and position (default ${REGISTER_ENV}, used with --address)")
    a.add_argument("--postort", metavar="COL", help="postort column, when the protocol has one")
    a.add_argument("--kommun", metavar="NAME", help="read only this kommun's addresses of the register")
    imp.set_defaults(handler=run_import)

    exp = rsub.add_parser("export", help="export remarks as gpkg, csv, xlsx or open311 JSON",
                          description="Export remarks.", epilog=EXPORT_EPILOG,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    exp.add_argument("--format", required=True, choices=("gpkg", "csv", "xlsx", "open311"), help="file format")
    exp.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write")
    exp.add_argument("--walk", metavar="TITLE", help="only this walk (title, id or join code)")
    exp.add_argument("--as-of", metavar="YYYY-MM-DD", help="states as they were at the end of this date")
    exp.add_argument("--with-reporter", action="store_true", help="include reporter names (not for open311)")
    exp.set_defaults(handler=run_export)

    rem = rsub.add_parser("remind", help="e-mail each problemägare its overdue remarks",
                          description="Send one reminder e-mail per problemägare listing its overdue "
                                      "(försenade) remarks. SMTP comes from GEO_TRYGGHET_SMTP_HOST, _PORT, "
                                      "_SENDER, _USER, _PASSWORD, _STARTTLS; run it daily from cron.")
    rem.add_argument("--days", type=int, metavar="N",
                     help="overdue after N days without action since assignment (default 30)")
    rem.add_argument("--dry-run", action="store_true", help="list what would be sent, send nothing")
    rem.set_defaults(handler=run_remind)

    syn = rsub.add_parser("sync", help="send remarks to problemägare's own Open311 systems and take their fixes back",
                          description="Send each remark assigned to an organisation with its own Open311 endpoint "
                                      "there once (retried with backoff while it is down), and mark remarks that "
                                      "system reports closed as Åtgärdad. Run it from cron, e.g. every 10 minutes.")
    syn.add_argument("--timeout", type=float, default=15.0, metavar="S", help="seconds to wait for an answer")
    syn.set_defaults(handler=run_sync)

    end = rsub.add_parser("endpoint", help="give an organisation its own Open311 endpoint (or show them all)",
                          description="Set where remarks assigned to ORG are sent: the base URL of its Open311 "
                                      "endpoint (before requests.xml), its key for us, its jurisdiction_id and "
                                      "its service_code for each of our categories. Without ORG: list them.",
                          epilog="Example: geo-trygghet remarks endpoint Gatukontoret --url "
                                 "https://felanmalan.kommun.se/open311/v2 --key KEY --jurisdiction kommun.se "
                                 "--service belysning=STREETLIGHT --service klotter=GRAFFITI")
    end.add_argument("organisation", metavar="ORG", nargs="?", help="the organisation's name")
    end.add_argument("--url", metavar="URL", help="the endpoint's base URL")
    end.add_argument("--key", metavar="KEY", help="the API key that system gave us (kept as given)")
    end.add_argument("--jurisdiction", metavar="ID", help="its jurisdiction_id, if it needs one")
    end.add_argument("--service", action="append", default=[], metavar="CATEGORY=CODE",
                     help="our category and its service_code there (repeat for each category)")
    end.add_argument("--off", action="store_true", help="stop sending there (the settings are kept)")
    end.set_defaults(handler=run_endpoint)


def _date(value: str | None, flag: str) -> str | None:
    import datetime as dt

    from ..errors import DateError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        msg = f"{flag} '{value}' is not a date: write it as YYYY-MM-DD, e.g. 2024-06-30"
        raise DateError(msg) from None


def run_import(args: argparse.Namespace) -> int:
    from ..remarks import RemarkService
    from ..remarks.importer import import_protocol

    walk_date = _date(args.date, "--date")
    register = _register(args)
    service = RemarkService()
    try:
        summary = import_protocol(service, args.file, args.walk, walk_date=walk_date, sheet=args.sheet,
                                  lat=args.lat, lon=args.lon, x=args.x, y=args.y, crs=args.crs,
                                  address=args.address, register=register, postort=args.postort)
    finally:
        service.close()
    for line in summary.summary_lines():
        print(line)
    return 0


def _register(args: argparse.Namespace):
    """The address register of ``--register`` (read once; ``$GEO_TRYGGHET_ADDRESS_REGISTER`` only with
    ``--address``), or None."""
    from ..errors import InputError
    from ..ingest.geocode import read_register

    given = args.register if (args.address or args.register != os.environ.get(REGISTER_ENV)) else None
    if given is None:
        if args.address:
            msg = (f"--address '{args.address}' needs an address register to place the addresses: give --register "
                   f"FILE (Lantmäteriet's belägenhetsadress GeoPackage or a CSV) or set ${REGISTER_ENV}")
            raise InputError(msg)
        return None
    return read_register(given, kommun=args.kommun)


def run_export(args: argparse.Namespace) -> int:
    from ..remarks import RemarkService
    from ..remarks.export import export_remarks

    as_of = _date(args.as_of, "--as-of")
    service = RemarkService()
    try:
        walk = service.get_walk(args.walk) if args.walk else None
        n = export_remarks(service, args.output, args.format, walk=walk, as_of=as_of,
                           include_reporter=args.with_reporter and args.format != "open311")
    finally:
        service.close()
    what = f"walk '{walk.title}'" if walk else "all walks"
    when = f" as of {as_of}" if as_of else ""
    print(f"wrote {n} remarks ({what}{when}) to {args.output} ({args.format})")
    return 0


def run_remind(args: argparse.Namespace) -> int:
    from .. import settings
    from ..errors import InputError
    from ..remarks import Actor, RemarkService, send_overdue_reminders

    smtp = settings.smtp_settings()
    if smtp is None and not args.dry_run:
        msg = "no SMTP server set: export GEO_TRYGGHET_SMTP_HOST (and _PORT, _SENDER, …) or use --dry-run"
        raise InputError(msg)
    service = RemarkService()
    try:
        if args.dry_run:
            late = service.overdue(Actor.system(), days=args.days)
            owners: dict[str, int] = {}
            for r in late:
                name = r.owner_name or "(ingen problemägare)"
                owners[name] = owners.get(name, 0) + 1
            for name, n in sorted(owners.items()):
                print(f"{name}: {n} overdue")
            print(f"{len(late)} overdue remarks; nothing sent (--dry-run)")
            return 0
        assert smtp is not None  # refused above unless --dry-run
        sent = send_overdue_reminders(service, smtp["smtp_host"], smtp["smtp_port"], smtp["sender"],
                                      days=args.days, username=smtp["username"],
                                      password=smtp["password"], starttls=smtp["starttls"])
    finally:
        service.close()
    print(f"sent {sent} reminder e-mails via {smtp['smtp_host']}:{smtp['smtp_port']}")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    import sys

    from ..remarks import RemarkService
    from ..remarks.open311 import sync_endpoints

    service = RemarkService()
    try:
        report = sync_endpoints(service, timeout=args.timeout)
    finally:
        service.close()
    lines = report.lines()
    print(lines[0])
    for line in lines[1:]:
        print(line, file=sys.stderr)
    return 0


def _service_codes(pairs: list[str]) -> dict[str, str]:
    from ..errors import InputError

    codes: dict[str, str] = {}
    for pair in pairs:
        category, sep, code = pair.partition("=")
        if not sep or not category.strip() or not code.strip():
            msg = f"--service '{pair}' is not CATEGORY=CODE: write e.g. --service belysning=STREETLIGHT"
            raise InputError(msg)
        codes[category.strip()] = code.strip()
    return codes


def run_endpoint(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..remarks import Actor, RemarkService

    admin = Actor.system()
    service = RemarkService()
    try:
        if not args.organisation:
            for e in service.list_endpoints(admin):
                mapped = ", ".join(f"{k}={v}" for k, v in sorted(e.service_codes.items())) or "no categories mapped"
                print(f"{e.organisation_name}: {e.base_url} ({'on' if e.enabled else 'off'}; "
                      f"{'key set' if e.has_key else 'no key'}; {mapped})")
            return 0
        org = service.get_organisation(args.organisation)
        current = next((e for e in service.list_endpoints(admin) if e.organisation_id == org.id), None)
        url = args.url or (current.base_url if current else None)
        if not url:
            msg = f"organisation '{org.name}' has no endpoint yet: give its base URL with --url"
            raise InputError(msg)
        codes = {**(current.service_codes if current else {}), **_service_codes(args.service)}
        jurisdiction = args.jurisdiction if args.jurisdiction is not None else (current.jurisdiction_id if current
                                                                                 else None)
        endpoint = service.set_endpoint(admin, org.id, url, api_key=args.key, jurisdiction_id=jurisdiction,
                                        service_codes=codes, enabled=not args.off)
    finally:
        service.close()
    print(f"{endpoint.organisation_name}: remarks assigned to it are {'sent to' if endpoint.enabled else 'not sent'} "
          f"{endpoint.base_url} ({len(endpoint.service_codes)} categories mapped)")
    return 0
