"""Inference helpers shared by the statistics: conditional permutation pseudo
p-values and the Benjamini–Hochberg false discovery rate.

The permutation scheme is esda's (``esda.crand``): one set of ``k_max``
random positions per permutation, drawn without replacement from the other
``n - 1`` observations and shared by every cell, shifted past the cell itself.
Sharing the draws lets the simulated local sums be computed as a step function
of the cell's position, in O(n) per permutation for all cells at once.
"""

from __future__ import annotations

import numpy as np

from ..errors import InsufficientDataError


def fdr_bh(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values); NaN stays NaN.

    Examples
    --------
    >>> fdr_bh(np.array([0.01, 0.04, 0.03, 0.5])).round(3).tolist()
    [0.04, 0.04, 0.04, 0.5]
    """
    p = np.asarray(p, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return q
    pv = p[ok]
    order = np.argsort(pv)
    ranked = pv[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(ranked, 1.0)
    q[ok] = out
    return q


def _draw_positions(n_other: int, k_max: int, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """``permutations`` rows of ``k_max`` distinct positions in ``[0, n_other)``."""
    if k_max == 0:
        return np.empty((permutations, 0), dtype=np.int64)
    if n_other < k_max:
        msg = f"too few cells ({n_other + 1}) for conditional permutations with {k_max} neighbours"
        raise InsufficientDataError(msg)
    if n_other < 4 * k_max:  # small study areas: exact draws row by row
        return np.array([rng.choice(n_other, k_max, replace=False) for _ in range(permutations)])
    draws = rng.integers(0, n_other, size=(permutations, k_max))
    while True:
        s = np.sort(draws, axis=1)
        bad = np.flatnonzero((s[:, 1:] == s[:, :-1]).any(axis=1))
        if len(bad) == 0:
            return draws
        draws[bad] = rng.integers(0, n_other, size=(len(bad), k_max))


def conditional_permutation_p(y: np.ndarray, indptr: np.ndarray, indices: np.ndarray, *,
                              permutations: int, seed: int | None = None) -> np.ndarray:
    """Folded pseudo p-values of local sums under conditional permutation.

    For each cell ``i`` with ``k_i`` neighbours, the observed neighbour sum is
    compared with the sums of ``k_i`` values drawn at random from the other
    cells (the cell's own value held fixed, as in Gi*). Returns esda's folded
    pseudo p ``(min(larger, P - larger) + 1) / (P + 1)``: one tail, the one
    the observation lies in.
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    k = np.diff(indptr)
    observed = np.add.reduceat(y[indices], indptr[:-1]) if len(indices) else np.zeros(n)
    observed[k == 0] = 0.0
    k_max = int(k.max()) if n else 0
    rng = np.random.default_rng(seed)
    draws = _draw_positions(n - 1, k_max, permutations, rng)
    larger = np.zeros(n, dtype=np.int64)
    for kk in np.unique(k):
        members = np.flatnonzero(k == kk)  # sorted positions of the cells with kk neighbours
        obs = observed[members]
        if kk == 0:
            larger[members] = permutations  # nothing varies: sim == obs every time
            continue
        r = np.sort(draws[:, :kk], axis=1)  # positions among "the others"
        base = y[r].sum(axis=1)
        # a drawn position r >= i means cell r + 1 (the cell itself is skipped)
        shift = y[np.minimum(r + 1, n - 1)] - y[r]
        suffix = np.concatenate([np.cumsum(shift[:, ::-1], axis=1)[:, ::-1],
                                 np.zeros((permutations, 1))], axis=1)
        # cells at positions <= r_j have r_j >= i: boundaries in the member list
        bounds = np.searchsorted(members, r, side="right")  # P x kk, non-decreasing per row
        lengths = np.diff(np.concatenate([np.zeros((permutations, 1), np.int64), bounds,
                                          np.full((permutations, 1), len(members))], axis=1), axis=1)
        # segment s (s = 0..kk) holds cells with s drawn positions below them: level = base + suffix[s]
        levels = base[:, None] + suffix
        for p in range(permutations):
            sim = np.repeat(levels[p], lengths[p])
            larger[members] += sim >= obs - 1e-9
    fold = (permutations - larger) < larger
    larger = np.where(fold, permutations - larger, larger)
    return (larger + 1) / (permutations + 1)
