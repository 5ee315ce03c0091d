"""``geo-trygghet sample load|info``: the sample municipality in the remark database."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sample", help="load the sample municipality into the database, or show what is loaded",
                       description=__doc__)
    ssub = p.add_subparsers(dest="sample_command", metavar="ACTION", parser_class=type(p))
    ssub.required = True
    load = ssub.add_parser("load", help="create the sample's problemägare, demo users, walks and remarks",
                           description="Load sample_data/ into the database (idempotent).")
    load.add_argument("--force", action="store_true",
                      help="also reset the demo passwords and the organisations' details")
    load.add_argument("--dir", metavar="FOLDER", help="sample folder (default: the repository's sample_data/)")
    load.set_defaults(handler=run_load)
    info = ssub.add_parser("info", help="walks, remarks by state and demo logins in the database")
    info.set_defaults(handler=run_info)


def run_load(args: argparse.Namespace) -> int:
    from ..remarks import RemarkService
    from ..sample import load_sample

    service = RemarkService()
    try:
        summary = load_sample(service, args.dir, force=args.force)
    finally:
        service.close()
    for line in summary.summary_lines():
        print(line)
    return 0


def run_info(args: argparse.Namespace) -> int:
    from ..remarks import RemarkService
    from ..sample import sample_info

    service = RemarkService()
    try:
        lines = sample_info(service)
    finally:
        service.close()
    for line in lines:
        print(line)
    return 0
