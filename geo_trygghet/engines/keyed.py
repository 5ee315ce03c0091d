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
            ranges = _ranges(keys)
            varying = [k for k, (lo, span) in ranges.items() if span > 1]
            one = packed_key([keys[k] for k in varying], [ranges[k] for k in varying]) if len(varying) > 1 else None
            if len(varying) <= 1 or one is not None:  # one whole number to count: counts straight from np.unique
                key = one if one is not None else keys[varying[0]] if varying else next(iter(keys.values()))
                uniq, counts = np.unique(key, return_counts=True)
                columns = unpack(uniq, [keys[k].dtype for k in varying], [ranges[k] for k in varying]) \
                    if one is not None else [uniq]
                first = {k: c[:1].repeat(len(uniq)) for k, c in keys.items()}  # (no rows: none)
                first.update(zip(varying, columns, strict=False))
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
        if all(_span(c)[1] == 1 for c in self.keys.values()):  # one key (a time span, say): no sort
            return Keyed({k: v[:1] for k, v in self.keys.items()},
                         {k: np.array([_reducer(k, self.maxed, self.minned).reduce(v)], v.dtype)
                          for k, v in self.values.items()}, self.maxed, self.minned)
        order, new = row_order(list(self.keys.values()))
        starts = np.flatnonzero(new)
        firsts = order[starts]
        keys = {k: v[firsts] for k, v in self.keys.items()}
        values = {}
        for k, v in self.values.items():
            ufunc = _reducer(k, self.maxed, self.minned)
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


def _reducer(column: str, maxed: tuple[str, ...], minned: tuple[str, ...]) -> np.ufunc:
    """How a value column combines: maximum, minimum or sum."""
    return np.maximum if column in maxed else np.minimum if column in minned else np.add


def group_slices(group: np.ndarray) -> dict[int, slice]:
    """Group value → the slice of the rows holding it (``group`` sorted)."""
    if len(group) == 0:
        return {}
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)]
    return {int(group[s]): slice(int(s), int(e)) for s, e in zip(starts, ends, strict=True)}


def _ranges(columns: dict[str, np.ndarray]) -> dict[str, tuple[int, int]]:
    """Each column's lowest value and span (1 + highest - lowest)."""
    return {k: _span(c) for k, c in columns.items()}


def _span(column: np.ndarray) -> tuple[int, int]:
    lo = int(column.min()) if len(column) else 0
    return lo, (int(column.max()) - lo + 1) if len(column) else 1


def packed_key(columns: list[np.ndarray], ranges: list[tuple[int, int]]) -> np.ndarray | None:
    """The whole-number columns as one ``int64`` that orders the rows as they do (the first column
    first), or None when their spans multiply to 2**62 or more (``ranges``: each one's lowest value
    and span, see :func:`unpack`)."""
    total = 1
    for _, span in ranges:
        total *= span
    if total >= 1 << 62:
        return None
    key = np.zeros(len(columns[0]) if columns else 0, np.int64)
    for c, (lo, span) in zip(columns, ranges, strict=True):
        key *= span
        key += (c - c.dtype.type(lo)).astype(np.int64) if c.dtype.kind == "u" else c.astype(np.int64) - lo
    return key


def unpack(key: np.ndarray, dtypes: list, ranges: list[tuple[int, int]]) -> list[np.ndarray]:
    """The columns of :func:`packed_key`'s ``key``, in their own dtypes."""
    out = []
    rest = np.asarray(key, np.int64)
    for dtype, (lo, span) in zip(dtypes[::-1], ranges[::-1], strict=True):
        part, rest = rest % span, rest // span
        out.append(part.astype(dtype) + np.dtype(dtype).type(lo) if np.dtype(dtype).kind == "u"
                   else (part + lo).astype(dtype))
    return out[::-1]


def row_order(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The order that sorts the rows by the whole-number ``columns`` (the first first; ties in row
    order) and, in that order, where each new combination starts: one sort of the columns packed
    into one number (:func:`packed_key`, :func:`key_order`), or a lexical sort where they do not fit."""
    n = len(columns[0])
    ranges = [_span(c) for c in columns]
    varying = [(c, r) for c, r in zip(columns, ranges, strict=True) if r[1] > 1]
    key = packed_key([c for c, _ in varying], [r for _, r in varying]) if varying else np.zeros(n, np.int64)
    new = np.zeros(n, bool)
    new[:1] = True
    if key is not None:
        order, sorted_key = key_order(key)
        new[1:] = sorted_key[1:] != sorted_key[:-1]
        return order, new
    order = np.lexsort([c for c, _ in varying][::-1])
    for c, _ in varying:
        s = c[order]
        new[1:] |= s[1:] != s[:-1]
    return order, new


def key_order(key: np.ndarray, span: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The order that sorts ``key`` (whole numbers from 0 to ``span`` - 1; default: up to its
    largest), ties in row order, and the sorted key: a radix sort for small spans; else, where the
    row number fits in the low bits, a plain sort of key and row together (twice as fast as an
    argsort)."""
    n = len(key)
    span = (int(key.max()) + 1 if n else 1) if span is None else span
    if span <= 1 << 16:
        order = np.argsort(key.astype(np.uint16), kind="stable")  # NumPy sorts 16-bit keys by radix
        return order, key[order]
    bits = max(1, (n - 1).bit_length())
    if span < 1 << (63 - bits):
        packed = np.sort((key << bits) | np.arange(n, dtype=np.int64))
        return packed & ((1 << bits) - 1), packed >> bits
    order = np.argsort(key, kind="stable")
    return order, key[order]
