"""``geo-trygghet serve``: start the app: Streamlit (``app.py``), the phone form and its API.

One process on one port: ``streamlit run geo_trygghet/web/asgi.py`` serves the Streamlit
app of ``app.py`` at the repository root and, beside it, the participants' phone form at
``/walk/`` and its JSON API at ``/api/v1`` (:mod:`geo_trygghet.web`).

Phones give the browser's position (and keep the form offline) only for pages served
over HTTPS (or localhost); ``--cert FILE --key FILE`` passes a certificate to Streamlit
(``--server.sslCertFile`` / ``--server.sslKeyFile``), e.g. one made with
``openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=geo-trygghet
-keyout key.pem -out cert.pem``. Arguments after ``--`` go to ``streamlit run``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import InputError
from ..settings import DATABASE_URL_ENV


def app_path() -> Path:
    """``app.py`` beside the package (the repository root of an editable install)."""
    import geo_trygghet

    return Path(geo_trygghet.__file__).resolve().parents[1] / "app.py"


def entry_path() -> Path:
    """The ASGI entry ``streamlit run`` starts: Streamlit's app and the phone form's routes."""
    return Path(__file__).resolve().parents[1] / "web" / "asgi.py"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="start the web app (Streamlit, the phone form at /walk/ and its API at /api/v1)",
        description=__doc__.splitlines()[0],
        epilog="Example: geo-trygghet serve --address 0.0.0.0 --cert cert.pem --key key.pem",
    )
    parser.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    parser.add_argument(
        "--address", default=None, help="address to listen on (default: all; 127.0.0.1 for local only)"
    )
    parser.add_argument("--cert", type=Path, help="TLS certificate (PEM) to serve over HTTPS")
    parser.add_argument("--key", type=Path, help="TLS private key (PEM) for --cert")
    parser.add_argument(
        "--database", metavar="URL", help=f"SQLAlchemy database URL (sets {DATABASE_URL_ENV})"
    )
    parser.add_argument(
        "streamlit_args", nargs=argparse.REMAINDER, help="further `streamlit run` options after --"
    )
    parser.set_defaults(handler=run)


def streamlit_command(args: argparse.Namespace) -> list[str]:
    """The ``python -m streamlit run …`` command line for ``args``."""
    app = app_path()
    if not app.is_file():
        raise InputError(
            f"{app}: app.py not found; `geo-trygghet serve` needs the source checkout "
            "(pip install -e .), run it from there"
        )
    if (args.cert is None) != (args.key is None):
        raise InputError("--cert and --key go together: give both files to serve over HTTPS")
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(entry_path()),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
        "--server.port", str(args.port),
    ]
    if args.address:
        cmd += ["--server.address", args.address]
    for flag, path in (("--server.sslCertFile", args.cert), ("--server.sslKeyFile", args.key)):
        if path is not None:
            if not path.is_file():
                raise InputError(f"{path}: file not found; give an existing PEM file to {flag}")
            cmd += [flag, str(path.resolve())]
    extra = list(args.streamlit_args or [])
    if extra and extra[0] == "--":
        extra = extra[1:]
    return cmd + extra


def run(args: argparse.Namespace) -> int:
    cmd = streamlit_command(args)
    env = dict(os.environ)
    if args.database:
        env[DATABASE_URL_ENV] = args.database
    scheme = "https" if args.cert else "http"
    host = args.address if args.address not in (None, "0.0.0.0", "::") else "localhost"
    print(f"geo-trygghet: starting the app at {scheme}://{host}:{args.port}  (Ctrl+C stops it); "
          f"the walk participants' form is at {scheme}://{host}:{args.port}/walk/",
          file=sys.stderr, flush=True)
    if not args.cert and args.address not in (None, "localhost", "127.0.0.1", "::1"):
        print("geo-trygghet: note: phones share their GPS position only with https:// pages; "
              "serve with --cert FILE --key FILE (see geo-trygghet serve --help)",
              file=sys.stderr, flush=True)
    os.execve(sys.executable, cmd, env)
    return 0  # pragma: no cover (execve does not return)
