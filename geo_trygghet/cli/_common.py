"""Pieces the subcommands share: the ingest column flags, the engine and area flags, a progress
bar and the wall time and peak memory of a run.

Nothing here imports pandas or geopandas at module level: ``geo-trygghet --help`` builds every
subcommand's parser and must start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import InputError

#: the address register the commands (and the app) use when none is given
REGISTER_ENV = "GEO_TRYGGHET_ADDRESS_REGISTER"


def gpkg_output(args: argparse.Namespace) -> Path:
    """``--output`` as a path, refused unless it names a GeoPackage; with the by-area flags
    (where present), ``--boundary`` is refused too: each area is its own study area."""
    out = Path(args.output)
    if out.suffix.lower() != ".gpkg":
        msg = f"output '{out}' must end in .gpkg (a GeoPackage)"
        raise InputError(msg)
    if getattr(args, "boundary", None) and (getattr(args, "by", None) or getattr(args, "area_id", None)):
        msg = "--boundary and --by/--area-id exclude each other: each area is its own study area"
        raise InputError(msg)
    return out


def add_ingest_arguments(p: argparse.ArgumentParser, *, by_area: bool = False) -> None:
    """The column and filter flags of every command that reads incidents (``by_area``: the
    commands that can also run every area of ``--areas`` as its own study area)."""
    g = p.add_argument_group("columns and filters (recognised automatically; these override)")
    g.add_argument("--lat", metavar="COL", help="latitude column (WGS84)")
    g.add_argument("--lon", metavar="COL", help="longitude column (WGS84)")
    g.add_argument("--x", metavar="COL", help="easting column (with --crs)")
    g.add_argument("--y", metavar="COL", help="northing column (with --crs)")
    g.add_argument("--crs", metavar="EPSG", help="CRS of --x/--y, e.g. EPSG:3006 (SWEREF 99 TM)")
    g.add_argument("--time", metavar="COL", help="date or date-time column")
    g.add_argument("--clock", metavar="COL", help="separate time-of-day column (tid, klockslag)")
    g.add_argument("--category", metavar="COL", help="crime type column (brottstyp)")
    g.add_argument("--since", metavar="DATE", help="first day to include (YYYY-MM-DD)")
    g.add_argument("--until", metavar="DATE", help="last day to include (YYYY-MM-DD)")
    g.add_argument("--layer", metavar="NAME", help="layer of a GeoPackage")
    g.add_argument("--sheet", metavar="NAME", help="sheet of an Excel file")
    a = p.add_argument_group("addresses and locations")
    a.add_argument("--address", metavar="COL", help="place incidents by the addresses in COL (needs --register)")
    a.add_argument("--register", metavar="FILE", default=os.environ.get(REGISTER_ENV) or None,
                   help=f"address register: Lantmäteriet's belägenhetsadress GeoPackage or a CSV with street, "
                        f"number and position (default ${REGISTER_ENV})")
    areas_help = "polygons whose central points also mark area centroids (besides the bundled Swedish kommuner and län)"
    if by_area:
        areas_help += "; with --area-id COL each polygon is also its own study area (the same file serves both)"
    a.add_argument("--areas", metavar="FILE", help=areas_help)
    a.add_argument("--keep-centroids", action="store_true",
                   help="keep incidents at area centroids (and geocoded only to a postort) in the analysis")


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """``--by``/``--area-id``/``--population`` (every area its own study area) and the engine flags."""
    b = p.add_argument_group("every area its own study area")
    b.add_argument("--by", choices=("kommun",), help="run every kommun as its own study area (bundled boundaries)")
    b.add_argument("--area-id", metavar="COL", help="run every polygon of --areas FILE as its own study area, "
                                                    "named by COL")
    b.add_argument("--population", metavar="COL", help="population column of --areas FILE (rates per 100 000)")
    b.add_argument("--summary", metavar="FILE.csv",
                   help="per-area summary table (default: next to the GeoPackage, ending in _areas.csv)")
    e = p.add_argument_group("engine (large inputs)")
    e.add_argument("--engine", choices=("pandas", "dask"), default="pandas",
                   help="count in memory (pandas, default) or on Dask for inputs larger than memory: CSV or Parquet, "
                        "one file, a folder or a glob")
    e.add_argument("--scheduler", metavar="ADDRESS",
                   help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")
    e.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes of the local Dask cluster (default 2)")


def ingest_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of :func:`geo_trygghet.ingest.read_incidents` from the flags.

    Area centroids are left out (``drop_centroids``) unless ``--keep-centroids``; a register
    from ``$GEO_TRYGGHET_ADDRESS_REGISTER`` is used only with ``--address``.
    """
    register = args.register if (args.address or args.register != os.environ.get(REGISTER_ENV)) else None
    return {"lat": args.lat, "lon": args.lon, "x": args.x, "y": args.y, "crs": args.crs,
            "time": args.time, "clock": args.clock, "crime_type": args.category,
            "since": args.since, "until": args.until, "layer": args.layer, "sheet": args.sheet,
            "address": args.address, "register": register, "areas": args.areas,
            "drop_centroids": not args.keep_centroids}


def location_note(report) -> None:
    """The one line on stderr saying how many incidents at area centroids were left out and why."""
    from ..ingest.location_quality import left_out_line

    if report.dropped.get("at an area centroid or placed only to a postort"):
        print(f"note: {left_out_line(report.location)}", file=sys.stderr)


def read_early(args: argparse.Namespace):
    """Start reading ``args.input`` in a background thread, when the default engine will read it
    whole and it is a text table: pyarrow parses it outside the GIL while the command loads pandas,
    GeoPandas, PROJ and the analyses, which take longer than the parse of a million rows. The
    future of what :func:`~geo_trygghet.ingest.files.read_any` gives, for :func:`open_engine`; or
    None. (The modules themselves are loaded on this thread: a second thread loading them only
    contends for the GIL, which cost the spread case 0.06–0.16 s.)"""
    if getattr(args, "engine", "pandas") != "pandas":
        return None
    from ..ingest.files import TEXT_EXTENSIONS, read_any  # (loads neither pandas nor GeoPandas)

    path = Path(args.input)
    if path.suffix.lower() not in TEXT_EXTENSIONS or not path.is_file():
        return None  # (what is wrong with it is said where it is read)
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1, thread_name_prefix="read")
    later = pool.submit(read_any, path)
    pool.shutdown(wait=False)
    return later


def open_engine(args: argparse.Namespace, *, require_time: bool, boundary: Any, progress: Any, early: Any = None):
    """The engine the flags ask for, reading ``args.input`` with the ingest flags (``early``: the
    file being read already, :func:`read_early`)."""
    from ..engines import ReadOptions, make_engine
    from ..errors import InputError

    if args.workers is not None and args.workers < 1:
        msg = f"--workers must be 1 or more, got {args.workers}"
        raise InputError(msg)
    if args.engine == "dask" and args.address:
        msg = "--engine dask places no addresses: geocode first (geo-trygghet geocode) and read the result"
        raise InputError(msg)
    read = ReadOptions.of(boundary=boundary, require_time=require_time, **ingest_options(args))
    return make_engine(args.engine, args.input, read, scheduler=args.scheduler, workers=args.workers,
                       progress=progress.parts, early=early)


def keep_freed_memory() -> None:
    """Let glibc reuse the memory of freed arrays instead of handing it back to the kernel.

    By default glibc maps every large array (a column of a million rows is 8 MB) freshly from the
    kernel and unmaps it when it is freed, so the next array of that size starts with two
    thousand page faults again: a million-row run spends a third of a second in the kernel on
    them. Raising the mmap and trim thresholds keeps freed blocks in the heap for the next
    array (at the cost of a tenth more peak memory). Only glibc on Linux; elsewhere nothing."""
    if not sys.platform.startswith("linux") or os.environ.get("GT_DEFAULT_MALLOC"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl or another libc: leave it as it is
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 1 << 30)
    mallopt(m_trim_threshold, 1 << 30)


def peak_memory_mb() -> float | None:
    """This process's peak resident memory in MB (None where the platform does not say)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def time_and_memory(started: float, workers_mb: float | None = None, *, writer: float | None = None) -> str:
    """``3.2 s, peak memory 850 MB`` (with the Dask workers' peak when given, and the peak of a
    child process that wrote the GeoPackage's cells, ``writer`` MB)."""
    seconds = time.perf_counter() - started
    peak = peak_memory_mb()
    text = f"{seconds:.1f} s"
    if peak is not None:
        own = workers_mb is not None or writer is not None
        text += f", peak memory {peak:,.0f} MB" + (" (this process)" if own else "")
    if workers_mb is not None:
        text += f", Dask workers' peak {workers_mb:,.0f} MB"
    if writer is not None:
        text += f", the GeoPackage writer's {writer:,.0f} MB"
    return text


class Progress:
    """Steps of a command, and parts of a step (Dask partitions), as bars on stderr when it is a
    terminal; silent otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._bar: Any = None
        self._parts: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self._tqdm = tqdm
            self._bar = tqdm(total=total, file=sys.stderr, leave=False, position=0,
                             bar_format="{desc} {bar} {n}/{total} [{elapsed}]")

    def __call__(self, label: str) -> None:
        """The next step."""
        if self._bar is not None:
            self._close_parts()
            self._bar.set_description(label)
            self._bar.update(1)

    def parts(self, label: str, done: int, total: int) -> None:
        """``done`` of ``total`` parts of the current step."""
        if self._bar is None or total <= 1:
            return
        if self._parts is None:
            self._parts = self._tqdm(total=total, file=sys.stderr, leave=False, position=1,
                                     bar_format="  {desc} {bar} {n}/{total} partitions [{elapsed}<{remaining}]")
        self._parts.set_description(label)
        self._parts.total = total
        self._parts.n = done
        self._parts.refresh()
        if done >= total:
            self._close_parts()

    def _close_parts(self) -> None:
        if self._parts is not None:
            self._parts.close()
            self._parts = None

    def close(self) -> None:
        self._close_parts()
        if self._bar is not None:
            self._bar.close()


@contextmanager
def progress(total: int) -> Iterator[Progress]:
    """A step progress bar on stderr when it is a terminal; silent otherwise."""
    bar = Progress(total)
    try:
        yield bar
    finally:
        bar.close()
