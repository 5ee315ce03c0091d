"""Tables of counts keyed by whole numbers, that parts of a file add up to: the currency of the engines.

A :class:`Keyed` holds key columns (``int64``/``uint64``) and value columns; :meth:`Keyed.combine`
adds the parts up (sums, or max/min for the columns named so), sorted by the keys. Whole numbers
add up the same in any order, so a file counted in one piece and in a hundred gives the same table.

>>> import numpy as np
>>> a = Keyed({"cell": np.array([5, 3])}, {"count": np.array([1, 2])})
>>> b = Keyed({"cell": np.array([3])}, {"count": np.array([4])})
>>> t = Keyed.combine([a, b])
>>> t.keys["cell"].tolist(), t.values["count"].tolist()
([3, 5], [6, 1])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Keyed:
    """Key columns and value columns of equal length; ``maxed``/``minned`` name value columns that
    combine by maximum/minimum instead of by sum."""

    keys: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    maxed: tuple[str, ...] = field(default=())
    minned: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        first = next(iter(self.keys.values()), None)
        return 0 if first is None else len(first)

    @classmethod
    def of(cls, keys: dict[str, np.ndarray], values: dict[str, np.ndarray] | None = None, *,
           maxed: tuple[str, ...] = (), minned: tuple[str, ...] = ()) -> Keyed:
        """Rows grouped by their keys (``values`` default: one per row, as ``count``)."""
        if values is None:
            varying = [k for k, c in keys.items() if len(c) and (c[0] != c[-1] or c.min() != c.max())]
            if len(varying) <= 1:  # one key to sort: counts straight from np.unique
                col = keys[varying[0]] if varying else next(iter(keys.values()))
                uniq, counts = np.unique(col, return_counts=True)
                first = {k: np.full(len(uniq), c[0], c.dtype) if k not in varying else uniq for k, c in keys.items()}
                return cls(first, {"count": counts.astype(np.int64)}, maxed, minned)
            values = {"count": np.ones(len(next(iter(keys.values()))), np.int64)}
        return cls(keys, values, maxed, minned).reduced()

    @classmethod
    def combine(cls, parts: list[Keyed]) -> Keyed:
        """The parts added up (all with the same columns)."""
        parts = [p for p in parts if p is not None]
        first = parts[0]
        keys = {k: np.concatenate([p.keys[k] for p in parts]) for k in first.keys}
        values = {k: np.concatenate([p.values[k] for p in parts]) for k in first.values}
        return cls(keys, values, first.maxed, first.minned).reduced()

    def reduced(self) -> Keyed:
        """Equal keys merged, rows sorted by the keys (the first key column first)."""
        n = len(self)
        if n == 0:
            return self
        varying = [c for c in self.keys.values() if c[0] != c[-1] or c.min() != c.max()]
        if not varying:
            order = np.arange(n)
        elif len(varying) == 1:
            order = np.argsort(varying[0])
        else:
            order = np.lexsort(varying[::-1])
        new = np.zeros(n, bool)
        new[0] = True
        for c in varying:
            s = c[order]
            new[1:] |= s[1:] != s[:-1]
        starts = np.flatnonzero(new)
        keys = {k: v[order][starts] for k, v in self.keys.items()}
        values = {}
        for k, v in self.values.items():
            ufunc = np.maximum if k in self.maxed else np.minimum if k in self.minned else np.add
            values[k] = ufunc.reduceat(v[order], starts) if len(starts) < n else v[order]
        return Keyed(keys, values, self.maxed, self.minned)

    def slices(self, column: str = "group") -> dict[int, slice]:
        """Value → the slice of the rows holding it, for the first key column (the rows are
        sorted by it); worked out once per table."""
        cache = self.__dict__.setdefault("_slices", {})
        if column not in cache:
            cache[column] = group_slices(self.keys[column]) if len(self) else {}
        return cache[column]

    def where(self, mask: np.ndarray) -> Keyed:
        """The rows where ``mask`` holds."""
        return Keyed({k: v[mask] for k, v in self.keys.items()}, {k: v[mask] for k, v in self.values.items()},
                     self.maxed, self.minned)


def group_slices(group: np.ndarray) -> dict[int, slice]:
    """Group value → the slice of the rows holding it (``group`` sorted)."""
    if len(group) == 0:
        return {}
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)]
    return {int(group[s]): slice(int(s), int(e)) for s, e in zip(starts, ends, strict=True)}
