"""The default engine: the whole file in memory as one part (pandas and NumPy)."""

from __future__ import annotations

from typing import Any

from ..ingest.incidents import IncidentRows, _read_areas, incident_rows
from .base import Counted, Engine, Ready, report_of, without_positions
from .parts import (
    PartSpec,
    PartSummary,
    Prebinned,
    Selection,
    _dated_span,
    early_counts,
    fetch_part,
    select,
    summarise,
)
from .quality import LocationOutcome, settle


class PandasEngine(Engine):
    """Reads the file with the ingest's own readers and counts it as one part."""

    name = "pandas"

    def __init__(self, *args: Any, early: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._early = early  # the future of the file being read already (cli._common.read_early)
        self._rows: IncidentRows | None = None
        self._selected: tuple[PartSpec, Selection] | None = None
        self._binning: Prebinned | None = None

    def rows(self) -> IncidentRows:
        """The whole file taken through the ingest's first half (read once)."""
        if self._rows is None:
            from ..ingest.files import check_path, read_any

            text = str(self.path)
            if self.path.is_dir() or any(ch in text for ch in "*?["):  # a folder or glob of CSV/Parquet files
                import pandas as pd

                from .dask_engine import input_files

                read = [read_any(f) for f in input_files(self.path)]
                df, how, name = pd.concat([r[0] for r in read], ignore_index=True), read[0][1], self.source
            else:
                p = check_path(self.path)
                early, self._early = self._early, None
                df, how = early.result() if early is not None else read_any(p, layer=self.read.layer,
                                                                             sheet=self.read.sheet)
                name = p.name
            self._rows = incident_rows(df, source=name, _how=how, **self.read.columns)
        return self._rows

    def prepare(self, resolutions: tuple[int, ...] = ()) -> None:
        rows = self.rows()
        if resolutions and self._binning is None:
            self._binning = Prebinned(rows.pos.lon, rows.pos.lat, tuple(sorted(set(resolutions))))

    def sample(self) -> IncidentRows:
        return self.rows()

    def _select(self, spec: PartSpec) -> Selection:
        if self._selected is None or self._selected[0] is not spec:
            rows = self.rows()
            resolutions = tuple(sorted({*spec.resolutions, *([spec.areas.resolution] if spec.areas else [])}))
            if self._binning is None or self._binning.resolutions != resolutions:
                self._binning = Prebinned(rows.pos.lon, rows.pos.lat, resolutions)  # binned while selecting
            self._selected = (spec, select(rows, spec, self._binning))
        return self._selected[1]

    def summary(self, spec: PartSpec) -> tuple[PartSummary, LocationOutcome]:
        chosen = self._select(spec)
        return without_positions(summarise(self.rows(), spec, chosen)), self._settle(chosen)

    def _settle(self, chosen: Selection) -> LocationOutcome:
        areas = _read_areas(self.read.areas) if self.read.areas is not None else None
        return settle(chosen.positions, places=chosen.places, dropped=chosen.dropped, areas=areas)

    def count(self, spec: PartSpec, ready: Ready | None = None) -> Counted:
        """As :meth:`Engine.count`, but the positions are settled (and area centroids left out)
        before anything is counted, and ``ready`` is told the density squares before the cells
        are binned: the hot-spot areas are searched meanwhile."""
        chosen = self._select(spec)
        outcome = self._settle(chosen)
        self._check(chosen.stages, spec, lambda: _dated_span(self.rows()))
        if spec.drop_centroids and len(outcome.centroid_keys):
            spec = spec.with_exclude(outcome.centroid_keys)
            chosen = self._select(spec)
        if ready is not None:
            ready(spec, *early_counts(chosen, spec))
        summary = without_positions(summarise(self.rows(), spec, chosen))
        return Counted(summary, report_of(summary, outcome, self.source), spec, outcome)

    def fetch(self, spec: PartSpec, crs, snap: float):
        chosen = self._select(spec)

        def fetch(wanted, bounds):
            return fetch_part(chosen, spec, wanted, bounds, crs, snap)

        return fetch
