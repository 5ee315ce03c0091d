"""The default engine: the whole file in memory as one part (pandas and NumPy)."""

from __future__ import annotations

from typing import Any

from ..ingest.incidents import IncidentRows, _read_areas, incident_rows
from .base import Engine, without_positions
from .parts import PartSpec, PartSummary, Selection, fetch_part, select, summarise
from .quality import LocationOutcome, settle


class PandasEngine(Engine):
    """Reads the file with the ingest's own readers and counts it as one part."""

    name = "pandas"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rows: IncidentRows | None = None
        self._selected: tuple[PartSpec, Selection] | None = None

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
                df, how = read_any(p, layer=self.read.layer, sheet=self.read.sheet)
                name = p.name
            self._rows = incident_rows(df, source=name, _how=how, **self.read.columns)
        return self._rows

    def prepare(self) -> None:
        self.rows()

    def sample(self) -> IncidentRows:
        return self.rows()

    def _select(self, spec: PartSpec) -> Selection:
        if self._selected is None or self._selected[0] is not spec:
            self._selected = (spec, select(self.rows(), spec))
        return self._selected[1]

    def summary(self, spec: PartSpec) -> tuple[PartSummary, LocationOutcome]:
        summary = summarise(self.rows(), spec, self._select(spec))
        areas = _read_areas(self.read.areas) if self.read.areas is not None else None
        outcome = settle(summary.positions, places=summary.places, dropped=summary.dropped, areas=areas)
        return without_positions(summary), outcome

    def fetch(self, spec: PartSpec, crs, snap: float):
        chosen = self._select(spec)

        def fetch(wanted, bounds):
            return fetch_part(chosen, spec, wanted, bounds, crs, snap)

        return fetch
