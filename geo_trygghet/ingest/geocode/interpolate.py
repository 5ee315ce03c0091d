"""Where a number the register lacks lies on its street, and where a street, postcode or postort lies.

The register holds the numbers that exist. A repair order for "Storgatan 13" where the register
has 11 and 15 on that side of the street (odd numbers on one side, even on the other, as Swedish
numbering goes) is placed between them in proportion to the number: :class:`StreetSides`. A
street without a usable number is placed at its middle, and a postcode or postort area at its
middle: the address point nearest the mean of the area's points (a point on the street, never
off it as the mean of a curved street would be): :func:`medoids`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["MAX_GAP", "StreetSides", "medoids"]

#: the widest gap in numbers (on one side) that is interpolated across; wider gaps give the street level
MAX_GAP = 60
#: how far beyond the last known number of a side a number is still placed (one step: 11 → 13)
STEP = 2


def medoids(group: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each group id 0..k-1: the index of the point nearest the group's mean, and the group's size."""
    k = int(group.max()) + 1 if len(group) else 0
    n = np.bincount(group, minlength=k).astype("float64")
    mx = np.bincount(group, weights=x, minlength=k) / np.maximum(n, 1)
    my = np.bincount(group, weights=y, minlength=k) / np.maximum(n, 1)
    d = (x - mx[group]) ** 2 + (y - my[group]) ** 2
    order = np.lexsort((d, group))
    first = np.ones(len(order), dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    best = np.full(k, -1, dtype=np.int64)
    best[group[order][first]] = order[first]
    return best, n.astype(np.int64)


@dataclass
class StreetSides:
    """Sorted numbers of each (street unit, side) with their points, for interpolation."""

    numbers: np.ndarray
    x: np.ndarray
    y: np.ndarray
    spans: dict[tuple[int, int], tuple[int, int]]

    @classmethod
    def build(cls, unit: np.ndarray, number: np.ndarray, x: np.ndarray, y: np.ndarray) -> StreetSides:
        """One point per (unit, number) (its first entrance), sorted by unit, side and number."""
        ok = number > 0
        frame = pd.DataFrame({"unit": unit[ok], "number": number[ok], "x": x[ok], "y": y[ok]})
        frame = frame.drop_duplicates(["unit", "number"]).assign(side=lambda f: f["number"] % 2)
        frame = frame.sort_values(["unit", "side", "number"], kind="stable").reset_index(drop=True)
        keys = frame["unit"].to_numpy() * 2 + frame["side"].to_numpy()
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.array([], dtype=np.int64)
        ends = np.r_[starts[1:], len(keys)] if len(keys) else starts
        spans = {(int(keys[s] // 2), int(keys[s] % 2)): (int(s), int(e)) for s, e in zip(starts, ends, strict=True)}
        return cls(frame["number"].to_numpy(), frame["x"].to_numpy(), frame["y"].to_numpy(), spans)

    def between(self, unit: int, number: int) -> tuple[float, float, int, int] | None:
        """(x, y, lower, upper) interpolated between the nearest numbers on the same side, or ``None``.

        A number one step beyond the last known number of its side (13 where 11 is the last odd
        number) is placed one step on along the line of the last two; ``lower == upper`` then
        names that last number.
        """
        span = self.spans.get((unit, number % 2))
        if span is None:
            return None
        lo, hi = span
        nums = self.numbers[lo:hi]
        i = int(np.searchsorted(nums, number))
        if len(nums) >= 2 and ((i == 0 and nums[0] - number <= STEP) or (i == len(nums) and number - nums[-1] <= STEP)):
            a, b = (lo, lo + 1) if i == 0 else (hi - 2, hi - 1)
            end = int(self.numbers[lo] if i == 0 else self.numbers[hi - 1])
            return (*self._along(a, b, number), end, end)
        if i == 0 or i == len(nums) or nums[i] == number:
            return None
        a, b = lo + i - 1, lo + i
        if int(self.numbers[b]) - int(self.numbers[a]) > MAX_GAP:
            return None
        return (*self._along(a, b, number), int(self.numbers[a]), int(self.numbers[b]))

    def _along(self, a: int, b: int, number: int) -> tuple[float, float]:
        na, nb = int(self.numbers[a]), int(self.numbers[b])
        t = (number - na) / (nb - na)
        return float(self.x[a] + t * (self.x[b] - self.x[a])), float(self.y[a] + t * (self.y[b] - self.y[a]))
