"""Hot spots, trygghetsvandringar and effect follow-up for Swedish municipalities (geo-trygghet).

Each subcommand lives in its own module under :mod:`geo_trygghet.cli` and
exposes ``register(subparsers)``; the module's handler parses nothing itself
beyond its arguments, calls the core and prints. A :class:`GeoTrygghetError`
(a user's mistake) becomes one line on stderr and exit status 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from ..errors import GeoTrygghetError, one_line

#: the commands that analyse a file and end (glibc may keep their freed memory for reuse)
ANALYSES = frozenset({"hotspots", "emerging", "forecast", "evaluate", "geocode"})

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = ("hotspots", "emerging", "forecast", "evaluate", "geocode", "remarks", "protocol", "plan", "sample",
            "serve", "apikey")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="geo-trygghet", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f".{name}", __name__).register(sub)
    return parser


def _version() -> str:
    from .. import __version__

    return f"geo-trygghet {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.handler(args)
    except GeoTrygghetError as err:
        print(f"geo-trygghet {args.command}: error: {one_line(str(err))}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("geo-trygghet: interrupted", file=sys.stderr)
        return 130
    return int(result or 0)


def console() -> None:
    """The ``geo-trygghet`` command: :func:`main` (the analyses with glibc keeping freed memory
    for reuse, :func:`~._common.keep_freed_memory`, and OpenBLAS on one thread; not ``serve``,
    which runs for days), then straight out of the process.

    OpenBLAS starts a thread per core when NumPy and SciPy are loaded, and those threads spin
    while they wait for work: an analysis, whose matrices are small and whose own threads keep
    the cores busy, lost a second of CPU time to them in the national run. NumPy asks the kernel
    for huge pages for every array of 4 MB or more; where the kernel then compacts memory at the
    first touch (``defrag=madvise``, the usual setting), a run's many short-lived columns paid for
    it in system time (the national run 0.2–1.5 s of CPU, the town case 0.2 s), so the analyses
    ask for ordinary pages. The user's own ``OPENBLAS_NUM_THREADS`` and ``NUMPY_MADVISE_HUGEPAGE``
    are kept.

    A run leaves a million-row analysis behind (arrays, GDAL, PROJ, thread pools); tearing all
    that down object by object takes a fifth of a second that nobody waits for. Everything a
    command writes is closed by then (files by their writers, a Dask cluster by its engine), so
    the output streams are flushed and the process ends with the command's status.
    """
    from ._common import keep_freed_memory

    if len(sys.argv) > 1 and sys.argv[1] in ANALYSES:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # both before NumPy is loaded
        os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
        keep_freed_memory()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (| head): nothing more to say there
            stream.flush()
    os._exit(code)
