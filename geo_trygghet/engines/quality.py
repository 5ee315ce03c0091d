"""The location quality of a whole file from its positions counted in parts.

The ingest classifies each distinct position (six decimals) by how many incidents share it and
whether it is stacked on an area's central point
(:func:`~geo_trygghet.ingest.location_quality.classify_unique`). Counted in parts, the distinct
positions of the whole file are a :class:`~geo_trygghet.engines.keyed.Keyed` table with, per
position, all incidents on it (``all``) and those kept after the window and the boundary
(``kept``, geocodes placed only to a postort not counted). :func:`settle` classifies that table as
the ingest classifies a file read whole, and says which positions are area centroids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ingest.location_quality import (
    CENTROID,
    SHARED,
    SHARED_MIN,
    STACK_MIN,
    LocationQuality,
    classify_unique,
    key_positions,
)
from ..ingest.positions import NO_POSITION, ZERO_POSITION
from .keyed import Keyed


@dataclass(frozen=True)
class LocationOutcome:
    """The location quality of the incidents kept, and the positions that are area centroids."""

    quality: LocationQuality
    centroid_keys: np.ndarray


def settle(positions: Keyed, *, places: int, dropped: dict[str, int], areas=None) -> LocationOutcome:
    """Classify the distinct positions of a whole file (``positions``: keys with ``all`` and ``kept``)."""
    keys = positions.keys["key"] if len(positions) else np.empty(0, np.int64)
    n_all = positions.values["all"] if len(positions) else np.empty(0, np.int64)
    kept = positions.values["kept"] if len(positions) else np.empty(0, np.int64)
    withheld = dropped.get(NO_POSITION, 0) + dropped.get(ZERO_POSITION, 0)
    if len(keys) == 0:
        return LocationOutcome(LocationQuality(places=places, withheld=withheld), np.empty(0, np.int64))
    stacked: tuple = ()
    if (n_all >= STACK_MIN).any():
        u_lon, u_lat = key_positions(keys)
        quality, stacked = classify_unique(u_lon, u_lat, n_all, areas=areas)
        is_shared, is_centroid = quality == SHARED, quality == CENTROID
    else:  # nothing can be stacked: shared or not is all there is to tell
        is_shared, is_centroid = n_all >= SHARED_MIN, np.zeros(len(keys), bool)
    location = LocationQuality(
        points=int(kept[~is_shared & ~is_centroid].sum()), shared=int(kept[is_shared].sum()),
        centroids=int(kept[is_centroid].sum()), places=places, withheld=withheld, stacked=stacked,
        shared_positions=int((is_shared & (kept > 0)).sum()))
    return LocationOutcome(location, keys[is_centroid])
