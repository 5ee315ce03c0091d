"""Synthetic incident data with known truth, for the statistical tests."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd

from geo_trygghet import schema as S

#: A study area in Sweden: a patch of H3 resolution-9 cells around central Västerås.
CENTRE = (59.6099, 16.5448)


def study_cells(radius: int = 9, resolution: int = 9) -> list[str]:
    """A hexagonal patch of cells (grid disk) around :data:`CENTRE`."""
    return sorted(h3.grid_disk(h3.latlng_to_cell(*CENTRE, resolution), radius))


def points_in_cells(cells: list[str], counts: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """``counts[i]`` points at random positions inside ``cells[i]`` (a frame with lon, lat)."""
    lat_all, lon_all = [], []
    for cell, n in zip(cells, counts, strict=True):
        if n == 0:
            continue
        lat0, lon0 = h3.cell_to_latlng(cell)
        # sample within the inscribed circle (~70 % of the edge) so every point stays in its cell
        edge_deg = h3.average_hexagon_edge_length(h3.get_resolution(cell), unit="m") / 111_320 * 0.7
        r = edge_deg * np.sqrt(rng.uniform(0, 1, n))
        a = rng.uniform(0, 2 * np.pi, n)
        lat_all.append(lat0 + r * np.sin(a))
        lon_all.append(lon0 + r * np.cos(a) / np.cos(np.radians(lat0)))
    lat = np.concatenate(lat_all) if lat_all else np.empty(0)
    lon = np.concatenate(lon_all) if lon_all else np.empty(0)
    return pd.DataFrame({S.LON: lon, S.LAT: lat})


def planted(cells: list[str], *, base_rate: float, ratio: float, n_hot: int,
            rng: np.random.Generator) -> tuple[np.ndarray, set[str]]:
    """Poisson counts with a compact block of ``n_hot`` cells at ``ratio`` × the base rate."""
    centre = cells[len(cells) // 2]
    ring = [c for k in range(0, 4) for c in sorted(h3.grid_ring(centre, k))]
    hot = set(ring[:n_hot])
    rates = np.array([base_rate * (ratio if c in hot else 1.0) for c in cells])
    return rng.poisson(rates), hot
