"""Keyed tables (the engines' counts) against pandas' groupby, in each of the ways they are sorted:
one whole-number key (radix sort for small spans, key and row sorted together, an argsort), and
the columns' lexical sort when their spans multiply beyond one 64-bit number."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo_trygghet.engines.keyed import Keyed, key_order, packed_key, unpack

H3_LOW = np.uint64(0x8808000000000000)  # resolution-8 cells lie above this


def _columns(kind: str, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    if kind == "area and cell":  # a by-area run: a few hundred areas, H3 cells as uint64
        return {"group": rng.integers(0, 290, n), "cell": H3_LOW + rng.integers(0, 2**40, n).astype(np.uint64)
                * np.uint64(rng.integers(1, 3))}
    if kind == "small spans":
        return {"group": rng.integers(-3, 4, n), "period": rng.integers(0, 9, n)}
    if kind == "one wide key":
        return {"cell": rng.integers(-(2**40), 2**40, n)}
    if kind == "too wide to pack":  # 2**40 × 2**40: lexsort
        return {"a": rng.integers(0, 2**40, n), "b": H3_LOW + rng.integers(0, 2**40, n).astype(np.uint64)}
    if kind == "one value":
        return {"group": np.full(n, 7), "cell": np.full(n, H3_LOW)}
    raise AssertionError(kind)


def _reference(keys: dict[str, np.ndarray], values: dict[str, np.ndarray], maxed=(), minned=()) -> pd.DataFrame:
    frame = pd.DataFrame({**keys, **values})
    how = {k: "max" if k in maxed else "min" if k in minned else "sum" for k in values}
    return frame.groupby(list(keys), sort=True).agg(how).reset_index()


KINDS = ["area and cell", "small spans", "one wide key", "too wide to pack", "one value"]


@pytest.mark.parametrize("kind", KINDS)
def test_counts_equal_pandas_groupby(kind):
    rng = np.random.default_rng(KINDS.index(kind))
    for n in (1, 2, 500, 50_000):
        keys = _columns(kind, n, rng)
        if kind == "area and cell":  # many repeats, as incidents in cells
            pick = rng.integers(0, max(1, n // 20), n)
            keys = {k: v[pick] for k, v in keys.items()}
        got = Keyed.of(keys)
        ref = _reference(keys, {"count": np.ones(n, np.int64)})
        for k in keys:
            assert got.keys[k].dtype == keys[k].dtype
            assert np.array_equal(got.keys[k], ref[k].to_numpy()), (kind, n, k)
        assert np.array_equal(got.values["count"], ref["count"].to_numpy())


@pytest.mark.parametrize("kind", KINDS)
def test_sums_maxima_and_minima_equal_pandas_and_parts_add_up(kind):
    rng = np.random.default_rng(10 + KINDS.index(kind))
    n = 20_000
    keys = _columns(kind, n, rng)
    pick = rng.integers(0, 3_000, n)
    keys = {k: v[pick] for k, v in keys.items()}
    values = {"count": rng.integers(0, 5, n), "first": rng.integers(-10**12, 10**12, n),
              "last": rng.integers(-10**12, 10**12, n)}
    whole = Keyed.of(keys, values, maxed=("last",), minned=("first",))
    ref = _reference(keys, values, maxed=("last",), minned=("first",))
    for k in (*keys, *values):
        got = whole.keys[k] if k in keys else whole.values[k]
        assert np.array_equal(got, ref[k].to_numpy()), (kind, k)
    cut = [0, 7, 5_000, 5_001, n]
    parts = [Keyed.of({k: v[a:b] for k, v in keys.items()}, {k: v[a:b] for k, v in values.items()},
                      maxed=("last",), minned=("first",)) for a, b in zip(cut[:-1], cut[1:], strict=True)]
    added = Keyed.combine(parts)
    for k in keys:
        assert np.array_equal(added.keys[k], whole.keys[k])
    for k in values:
        assert np.array_equal(added.values[k], whole.values[k])


def test_packed_key_orders_as_the_columns_and_unpacks_to_them():
    rng = np.random.default_rng(3)
    a, b = rng.integers(-5, 300, 10_000), H3_LOW + rng.integers(0, 2**45, 10_000).astype(np.uint64)
    ranges = [(int(c.min()), int(c.max()) - int(c.min()) + 1) for c in (a, b)]
    key = packed_key([a, b], ranges)
    assert key is not None
    assert np.array_equal(np.argsort(key, kind="stable"), np.lexsort((b, a)))
    back = unpack(key, [a.dtype, b.dtype], ranges)
    assert np.array_equal(back[0], a) and np.array_equal(back[1], b) and back[1].dtype == np.uint64
    assert packed_key([a, b], [(0, 2**31), (0, 2**31)]) is None


@pytest.mark.parametrize("span", [2, 300, 2**16, 2**16 + 1, 2**40, 2**62])
def test_key_order_sorts_and_keeps_ties_in_row_order(span):
    rng = np.random.default_rng(span % 1000)
    key = rng.integers(0, min(span, 50), 100_000) * (span // 50 if span > 50 else 1)
    order, sorted_key = key_order(key, span)
    assert np.array_equal(order, np.argsort(key, kind="stable"))
    assert np.array_equal(sorted_key, key[order])


def test_no_rows_count_to_an_empty_table_with_the_columns_dtypes():
    keys = {"group": np.empty(0, np.int64), "cell": np.empty(0, np.uint64)}
    got = Keyed.of(keys)
    assert len(got) == 0 and got.keys["cell"].dtype == np.uint64 and len(got.values["count"]) == 0
