"""``geo-trygghet apikey create|list|revoke``: partners' API keys for the Open311 endpoint.

A key is shown once, when it is made; the database keeps only its SHA-256. ``read`` lets a partner
read requests (``requests``, ``requests/{id}``, ``tokens/{token}``), ``read-write`` also post them;
the partner's requests become remarks of the channel ``Open311: PARTNER``, numbered in their own
series. A revoked key is refused from then on.
"""

from __future__ import annotations

import argparse

EPILOG = """Examples:
  geo-trygghet apikey create fixamingata --scope read-write
  geo-trygghet apikey list
  geo-trygghet apikey revoke o311_AbC123     (the prefix that list shows, or the key's id)"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("apikey", help="make, list and revoke partners' Open311 API keys", description=__doc__,
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ksub = p.add_subparsers(dest="apikey_command", metavar="ACTION", parser_class=type(p))
    ksub.required = True
    create = ksub.add_parser("create", help="make a key for a partner (printed once)",
                             description="Make a key for a partner; it is printed once and never shown again.")
    create.add_argument("partner", metavar="PARTNER", help="the partner's name, e.g. fixamingata")
    create.add_argument("--scope", choices=("read", "read-write"), default="read",
                        help="read: read requests; read-write: also post them (default read)")
    create.set_defaults(handler=run_create)
    listing = ksub.add_parser("list", help="list every key (prefix, partner, scope, revoked)",
                              description="List every key ever made, newest first.")
    listing.set_defaults(handler=run_list)
    revoke = ksub.add_parser("revoke", help="refuse a key from now on",
                             description="Revoke a key: it is refused from now on (the row is kept).")
    revoke.add_argument("key", metavar="ID|PREFIX", help="the key's id or its prefix as `apikey list` shows it")
    revoke.set_defaults(handler=run_revoke)


def run_create(args: argparse.Namespace) -> int:
    from ..remarks import Actor, RemarkService

    service = RemarkService()
    try:
        issued = service.create_api_key(Actor.system(), args.partner, args.scope)
    finally:
        service.close()
    print(issued.secret)
    print(f"key {issued.key.id} for {issued.key.partner} ({issued.key.scope}); its requests come in as "
          f"'{issued.key.channel}'. Copy the key now: it is not shown again.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from ..remarks import Actor, RemarkService

    service = RemarkService()
    try:
        keys = service.list_api_keys(Actor.system())
    finally:
        service.close()
    if not keys:
        print("no API keys yet: make one with `geo-trygghet apikey create PARTNER`")
        return 0
    print(f"{'id':>4}  {'prefix':<12}  {'partner':<24}  {'scope':<10}  {'created':<16}  revoked")
    for k in keys:
        revoked = k.revoked_at.strftime("%Y-%m-%d %H:%M") if k.revoked_at else "-"
        print(f"{k.id:>4}  {k.prefix:<12}  {k.partner[:24]:<24}  {k.scope:<10}  "
              f"{k.created_at:%Y-%m-%d %H:%M}  {revoked}")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from ..remarks import Actor, RemarkService

    service = RemarkService()
    try:
        key = service.revoke_api_key(Actor.system(), args.key)
    finally:
        service.close()
    print(f"key {key.id} ({key.prefix}…) of {key.partner} is revoked since {key.revoked_at:%Y-%m-%d %H:%M} UTC")
    return 0
