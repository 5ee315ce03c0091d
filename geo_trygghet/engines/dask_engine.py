"""The Dask engine: CSV or Parquet read in partitions, counted on a Dask cluster.

The input is one file, a folder or a glob of CSV files or of Parquet files. Partitions are byte
ranges of a CSV file (cut at line ends, the header line put in front of each) or groups of a
Parquet file's row groups; each is read by a worker with the ingest's own parser, taken through
the ingest's first half with the command's options and counted
(:func:`~geo_trygghet.engines.parts.summarise`). The counts are added up on the workers in a tree;
the distinct positions are classified there too, so the driver only receives counts per cell,
period and density square, never the rows. For the hot-spot areas each worker keeps its
partitions' selected rows and snaps those the driver asks for.

The cluster is a ``distributed.LocalCluster`` of worker processes on this machine by default
(``workers``, default 2), or a running scheduler (``scheduler="tcp://host:8786"``) whose workers
can read the input at the same path (a shared disk or object store).
"""

from __future__ import annotations

import glob as globbing
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from .base import Engine, without_positions
from .parts import PartSpec, PartSummary, fetch_part, select, summarise
from .quality import settle

#: bytes of CSV per partition
CSV_BLOCK = 64 * 2**20
#: rows of Parquet per partition (whole row groups)
PARQUET_ROWS = 1_000_000
_CSV = (".csv", ".txt", ".tsv")
_PARQUET = (".parquet", ".geoparquet", ".pq")


@dataclass(frozen=True)
class Partition:
    """One part of the input: a byte range of a CSV file or row groups of a Parquet file."""

    path: str
    kind: str  # "csv" or "parquet"
    start: int = 0
    end: int = 0
    header: bytes = b""
    encoding: str = "utf-8"
    row_groups: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        return Path(self.path).name


def input_files(path: str | Path) -> list[Path]:
    """The files of ``path``: a file, a folder (its CSV or Parquet files) or a glob."""
    text = str(path)
    if any(ch in text for ch in "*?["):
        files = sorted(Path(f) for f in globbing.glob(text) if Path(f).is_file())
    elif Path(text).is_dir():
        files = sorted(f for f in Path(text).rglob("*") if f.is_file() and f.suffix.lower() in _CSV + _PARQUET)
    else:
        from ..ingest.files import check_path

        files = [check_path(text)]
    if not files:
        msg = f"{text}: no CSV or Parquet files found; give a file, a folder of them or a glob such as 'data/*.parquet'"
        raise InputError(msg)
    kinds = {_kind(f) for f in files}
    if len(kinds) > 1:
        msg = f"{text}: mixes CSV and Parquet files; give one kind at a time"
        raise InputError(msg)
    return files


def _kind(f: Path) -> str:
    ext = f.suffix.lower()
    if ext in _CSV:
        return "csv"
    if ext in _PARQUET:
        return "parquet"
    msg = f"{f.name}: --engine dask reads CSV or Parquet, not '{ext or '(none)'}'; save it as CSV or Parquet"
    raise InputError(msg)


def partitions(files: list[Path], csv_block: int = CSV_BLOCK, parquet_rows: int = PARQUET_ROWS) -> list[Partition]:
    """The partitions of the input files, in file order."""
    out: list[Partition] = []
    for f in files:
        out += _csv_partitions(f, csv_block) if _kind(f) == "csv" else _parquet_partitions(f, parquet_rows)
    return out


def _csv_partitions(f: Path, block: int) -> list[Partition]:
    import codecs

    size = f.stat().st_size
    with f.open("rb") as fh:
        head = fh.read(65536)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
            msg = f"{f.name} is UTF-16 text or binary; save it as CSV UTF-8 for --engine dask"
            raise InputError(msg)
        skip = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
        try:
            head.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            encoding = "utf-8" if exc.start > len(head) - 4 else "cp1252"  # a character cut at the block's end
        line_end = head.find(b"\n", skip)
        if line_end < 0:
            return [Partition(str(f), "csv", skip, size, b"", encoding)]
        header = head[skip:line_end + 1]
        starts = [line_end + 1]
        pos = line_end + 1 + block
        while pos < size:
            fh.seek(pos)
            chunk = fh.read(1 << 20)
            nl = chunk.find(b"\n")
            if nl < 0:
                break
            starts.append(pos + nl + 1)
            pos = pos + nl + 1 + block
    bounds = [*starts, size]
    return [Partition(str(f), "csv", a, b, header, encoding) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
            if b > a or a == starts[0]]


def _parquet_partitions(f: Path, rows: int) -> list[Partition]:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(f).metadata
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds on broken files
        msg = f"{f.name} is not a readable Parquet file ({str(exc)[:120]}); check that the file is complete"
        raise InputError(msg) from None
    groups: list[list[int]] = [[]]
    count = 0
    for i in range(meta.num_row_groups):
        n = meta.row_group(i).num_rows
        if groups[-1] and count + n > rows:
            groups.append([])
            count = 0
        groups[-1].append(i)
        count += n
    return [Partition(str(f), "parquet", row_groups=tuple(g)) for g in groups]


def read_partition(part: Partition):
    """A partition as a (Geo)DataFrame and the note on how it was read (on a worker)."""
    from ..ingest.files import _unique_names, parse_text

    if part.kind == "csv":
        with open(part.path, "rb") as fh:
            fh.seek(part.start)
            body = fh.read(part.end - part.start)
        data = part.header + body
        if part.encoding != "utf-8":
            data = data.decode(part.encoding).encode("utf-8")
        return parse_text(data, part.name, "UTF-8" if part.encoding == "utf-8" else "Windows-1252")
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(part.path)
    table = pf.read_row_groups(list(part.row_groups)) if part.row_groups else pf.read()
    if table.schema.metadata and b"geo" in table.schema.metadata:
        from geopandas.io.arrow import _arrow_to_geopandas

        df = _arrow_to_geopandas(table)
        return df, "read as GeoParquet"
    df = table.to_pandas()
    df.columns = _unique_names(df.columns)
    return df, "read as Parquet"


def _rows(part: Partition, columns: dict):
    from ..ingest.incidents import incident_rows

    df, how = read_partition(part)
    return incident_rows(df, source=part.name, _how=how, **columns)


def _count_part(part: Partition, columns: dict, spec: PartSpec, keep: bool):
    """(summary, selection or None) of one partition."""
    r = _rows(part, columns)
    chosen = select(r, spec)
    return summarise(r, spec, chosen), (chosen if keep else None)


def _combine(*parts: PartSummary) -> PartSummary:
    return PartSummary.combine(list(parts))


def _settle(summary: PartSummary, areas) -> tuple[PartSummary, Any]:
    outcome = settle(summary.positions, places=summary.places, dropped=summary.dropped, areas=areas)
    return without_positions(summary), outcome


def _fetch(sel, spec: PartSpec, wanted: np.ndarray, bounds: np.ndarray, crs, snap: float):
    return fetch_part(sel, spec, wanted, bounds, crs, snap)


def _combine_located(*parts):
    from ..hotspots.locations import SnappedLocations

    return SnappedLocations.combine(list(parts))


def _peak_mb() -> float:
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


class DaskEngine(Engine):
    """Counts the partitions of CSV or Parquet input on a Dask cluster (see the module docstring)."""

    name = "dask"

    def __init__(self, path, read, progress=None, *, scheduler: str | None = None, workers: int | None = None,
                 csv_block: int = CSV_BLOCK, parquet_rows: int = PARQUET_ROWS, client: Any = None) -> None:
        super().__init__(path, read, progress)
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            msg = "--engine dask needs dask and distributed: pip install 'geo_trygghet[dask]'"
            raise InputError(msg) from None
        self.parts = partitions(input_files(path), csv_block, parquet_rows)
        self._cluster = None
        self._own_client = client is None
        if client is not None:
            self.client = client
        elif scheduler:
            try:
                self.client = Client(scheduler, timeout="20s")
            except OSError as exc:
                msg = (f"no Dask scheduler answers at {scheduler} ({exc}); "
                       "start one (dask scheduler) or drop --scheduler")
                raise InputError(msg) from None
        else:
            self._cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True,
                                         dashboard_address=":0", silence_logs=50)
            self.client = Client(self._cluster)
        self._selected: tuple[PartSpec, list] | None = None
        self._sample = None

    @property
    def source(self) -> str:
        return self.path.name or str(self.path)

    def close(self) -> None:
        try:
            self.workers_peak_mb = max(self.client.run(_peak_mb).values(), default=None)
        except Exception:  # noqa: BLE001 - a cluster that went away has no figure to give
            self.workers_peak_mb = None
        if self._own_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def sample(self):
        if self._sample is None:
            self._sample = _rows(self.parts[0], self.read.columns)
        return self._sample

    def _tree(self, futures: list, combine, label: str):
        """Add futures up on the workers, pairwise as they finish; progress per partition."""
        from distributed import as_completed

        total, done = len(futures), 0
        originals = {f.key for f in futures}
        self.progress(label, 0, total)
        waiting = None
        queue = as_completed(futures)
        for fut in queue:
            if fut.key in originals:
                done += 1
                self.progress(label, done, total)
            if waiting is None:
                waiting = fut
            else:
                queue.add(self.client.submit(combine, waiting, fut, pure=False))
                waiting = None
        return waiting

    def summary(self, spec: PartSpec):
        keep = spec.eps_m is not None
        shipped = self.client.scatter(spec, broadcast=True)  # the areas' index once per worker, not per task
        counted = self.client.map(_count_part, self.parts, columns=self.read.columns, spec=shipped, keep=keep,
                                  pure=False)
        summaries = [self.client.submit(operator.getitem, f, 0, pure=False) for f in counted]
        if keep:
            self._selected = (spec, [self.client.submit(operator.getitem, f, 1, pure=False) for f in counted])
        del counted
        total = self._tree(summaries, _combine, "räknar / counting")
        areas = None
        if self.read.areas is not None:
            from ..ingest.incidents import _read_areas

            areas = _read_areas(self.read.areas)
        return self.client.submit(_settle, total, areas, pure=False).result()

    def fetch(self, spec: PartSpec, crs, snap: float):
        if self._selected is None or self._selected[0] is not spec:
            self.summary(spec)
        assert self._selected is not None
        selections = self._selected[1]

        def fetch(wanted: np.ndarray, bounds: np.ndarray):
            w, b, shipped = self.client.scatter([wanted, bounds, spec], broadcast=True)
            located = [self.client.submit(_fetch, s, shipped, w, b, crs, snap, pure=False) for s in selections]
            return self._tree(located, _combine_located, "tätheter / dense locations").result()

        return fetch
