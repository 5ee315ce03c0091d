"""``geo-trygghet plan list|import|export|follow-up``: the åtgärdsplan in the database."""

from __future__ import annotations

import argparse
import json
import sys

from ._common import add_ingest_arguments, ingest_options

IMPORT_EPILOG = """The file has the handbook's columns ORSAK, ÅTGÄRD, OPERATIVA MÅL, NÄR, VEM,
UPPFÖLJNING (any case, any order; title lines and blank rows are skipped). Causes are numbered
1, 2 … and actions 1a, 1b …; an empty ORSAK cell continues the cause above. NÄR holds the due
date or "start – due"; VEM the organisation (added as a problemägare if unknown) and a contact
after a comma; UPPFÖLJNING is kept as the process note, "genomförd"/"delvis"/"ej genomförd"
report the production and a colour word (grön, gul, röd) is kept as a light set by hand."""

EXPORT_EPILOG = """xlsx and csv: the handbook's table ORSAK · ÅTGÄRD · OPERATIVA MÅL · NÄR · VEM ·
UPPFÖLJNING (the UPPFÖLJNING cell coloured by the light in xlsx). html and pdf: the styrgrupp's
report (the table with the lights, effect per action, goals, a map over the hot spots, production
and process notes, medborgarlöften). With --incidents the effects, goals and hot spots are
computed as `plan follow-up` does; without, the lights use the production reports only."""

FOLLOW_UP_EPILOG = """Prints one JSON object {"plan": {...}, "actions": [{"nr", "action", "responsible",
"due", "production", "effect": {"odds_ratio", "odds_ratio_ci", "verdict", ...} or null,
"goal": {"baseline", "current", "target", "met"} or null, "light"}, ...]}.
The effect of an action with a place and a start date is geo-trygghet evaluate's, for the
incidents of the problem's crime categories, in the place against its chosen (or suggested)
control areas with a buffer ring: before = 365 days ending the day before the start; after =
from the start up to 365 days, cut at --as-of and at the last incident ("after_days").
Lights: grön (done, good effect), gul (done without a clear or measurable effect, or partly
done), röd (not done, or crime rose), null (no production reported); or set by hand."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plan", help="åtgärdsplaner: list, import, export, follow-up", description=__doc__)
    psub = p.add_subparsers(dest="plan_command", metavar="ACTION", parser_class=type(p))
    psub.required = True

    ls = psub.add_parser("list", help="print id<TAB>title per plan", description="List the plans.")
    ls.set_defaults(handler=run_list)

    imp = psub.add_parser("import", help="import a plan kept in Excel or CSV (the handbook's table)",
                          description="Import an åtgärdsplan from .xlsx or .csv.", epilog=IMPORT_EPILOG,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    imp.add_argument("file", metavar="FILE", help="the plan: .xlsx or .csv")
    imp.add_argument("--title", required=True, metavar="T", help="the new plan's title (unique)")
    imp.add_argument("--sheet", metavar="NAME", help="sheet of an Excel file (default: the first)")
    imp.set_defaults(handler=run_import)

    exp = psub.add_parser("export", help="write a plan as xlsx/csv or its report as html/pdf",
                          description="Export an åtgärdsplan.", epilog=EXPORT_EPILOG,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    exp.add_argument("plan", metavar="PLAN", help="the plan's id or title")
    exp.add_argument("--format", required=True, choices=("xlsx", "csv", "html", "pdf"), help="file format")
    exp.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write")
    exp.add_argument("--incidents", metavar="FILE", help="incidents for the effects, goals and hot spots")
    exp.add_argument("--as-of", metavar="DATE", help="follow up as of this date (default today)")
    exp.add_argument("--boundary", metavar="AREA", help="study area of the report's hot spots (GeoJSON/GeoPackage)")
    exp.add_argument("--lang", choices=("sv", "en"), default="sv", help="language (default sv)")
    add_ingest_arguments(exp)
    exp.set_defaults(handler=run_export)

    fu = psub.add_parser("follow-up", help="the computed follow-up of a plan as JSON",
                         description="Follow up an åtgärdsplan on incidents; prints one JSON object.",
                         epilog=FOLLOW_UP_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    fu.add_argument("plan", metavar="PLAN", help="the plan's id or title")
    fu.add_argument("--incidents", required=True, metavar="FILE",
                    help="incidents: CSV, Excel, GeoPackage, GeoJSON or Parquet")
    fu.add_argument("--as-of", metavar="DATE", help="follow up as of this date (default today)")
    add_ingest_arguments(fu)
    fu.set_defaults(handler=run_follow_up)


def _as_of(value: str | None):
    from ..errors import DateError

    if not value:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        msg = f"--as-of '{value}' is not a date: write it as YYYY-MM-DD, e.g. 2024-12-31"
        raise DateError(msg) from None


def _service():
    from ..actionplan import PlanService
    from ..remarks import Actor

    return PlanService(), Actor.system()


def run_list(args: argparse.Namespace) -> int:
    service, me = _service()
    try:
        for plan in service.list_plans(me):
            sys.stdout.write(f"{plan.id}\t{plan.title}\n")
    finally:
        service.close()
    return 0


def run_import(args: argparse.Namespace) -> int:
    from ..actionplan.importer import import_plan

    service, me = _service()
    try:
        summary = import_plan(service, args.file, args.title, actor=me, sheet=args.sheet)
    finally:
        service.close()
    for line in summary.lines():
        print(line)
    return 0


def _incidents(args: argparse.Namespace):
    from ..ingest.incidents import read_incidents

    return read_incidents(args.incidents, require_time=True, **ingest_options(args)).gdf


def run_follow_up(args: argparse.Namespace) -> int:
    as_of = _as_of(args.as_of)
    service, me = _service()
    try:
        service.get_plan(me, args.plan)  # a wrong PLAN is told before a large file is read
        result = service.follow_up(me, args.plan, _incidents(args), as_of=as_of)
    finally:
        service.close()
    sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False) + "\n")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import InputError

    as_of = _as_of(args.as_of)
    out = Path(args.output)
    if out.suffix.lower().lstrip(".") != args.format and not (args.format == "html" and out.suffix.lower() == ".htm"):
        msg = f"-o {args.output}: end the file name in .{args.format} for --format {args.format}"
        raise InputError(msg)
    service, me = _service()
    try:
        view = service.get_plan(me, args.plan)
        incidents = _incidents(args) if args.incidents else None
        follow = service.follow_up(me, args.plan, incidents, as_of=as_of)
    finally:
        service.close()
    if args.format in ("xlsx", "csv"):
        from ..actionplan.export import export_plan

        export_plan(view, out, args.format, follow_up=follow, lang=args.lang)
    else:
        from ..reports.actionplan import write_plan_report

        cells = _hotspot_cells(incidents, args.boundary) if incidents is not None else None
        write_plan_report(view, out, follow, hotspot_cells=cells, lang=args.lang)
    print(f"wrote '{view.plan.title}' ({len(view.actions)} actions) as {args.format} to {out}")
    return 0


def _hotspot_cells(incidents, boundary: str | None):
    from ..errors import InsufficientDataError
    from ..hotspots import hotspots
    from ..ingest.incidents import read_boundary

    area = read_boundary(boundary).geometry.union_all() if boundary else None
    try:
        return hotspots(incidents, boundary=area, clusters=False).cells
    except InsufficientDataError:
        return None
