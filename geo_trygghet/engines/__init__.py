"""Engines: count incidents per cell and per (cell, period) in memory or on Dask.

The hot-spot analyses need counts, not rows: incidents per H3 cell (Gi*), per cell and period
(the space-time cube), per density square and snapped location (the hot-spot areas), per
distinct position (the location quality), plus the time span and the convex hull. An engine reads
an incident file in parts, takes each part through the ingest's first half and counts it
(:mod:`.parts`); the parts add up to the whole file's counts because every count is a whole
number (:mod:`.keyed`). Everything after the counts is the same in-memory code (:mod:`.runs`), so
both engines give identical results.

``pandas`` (the default, :class:`~.local.PandasEngine`)
    the whole file in memory as one part.
``dask`` (:class:`~.dask_engine.DaskEngine`)
    CSV or Parquet files (one file, a folder or a glob of them) read in partitions on a Dask
    cluster: a ``LocalCluster`` on this machine by default, or a running scheduler
    (``--scheduler tcp://host:8786``) for several machines. The driver only ever holds counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import Counted, Engine, Progress, ReadOptions
from .runs import EmergingRun, HotSpotRun, emerging_run, hotspots_run

ENGINES = ("pandas", "dask")

__all__ = ["ENGINES", "Counted", "EmergingRun", "Engine", "HotSpotRun", "Progress", "ReadOptions", "emerging_run",
           "hotspots_run", "make_engine"]


def make_engine(name: str, path: str | Path, read: ReadOptions, *, scheduler: str | None = None,
                workers: int | None = None, progress: Progress | None = None, early: Any = None) -> Engine:
    """The engine called ``name`` for ``path`` (``scheduler``/``workers`` for Dask only; ``early``:
    the future of the file being read already, for the default engine)."""
    if name == "pandas":
        if scheduler:
            from ..errors import InputError

            msg = "--scheduler needs --engine dask"
            raise InputError(msg)
        from .local import PandasEngine

        return PandasEngine(path, read, progress, early=early)
    if name == "dask":
        from .dask_engine import DaskEngine

        return DaskEngine(path, read, progress, scheduler=scheduler, workers=workers)
    from ..errors import InputError

    msg = f"--engine must be one of {', '.join(ENGINES)}, got {name!r}"
    raise InputError(msg)
