"""Random-effects pooling of log odds ratios (DerSimonian & Laird 1986), per category of fixed remarks.

Per category the estimates are pooled with a DerSimonian–Laird random-effects model on ln OR::

    w_i = 1/v_i,  θ_FE = Σ w_i θ_i / Σ w_i,  Q = Σ w_i (θ_i − θ_FE)²
    τ² = max(0, (Q − (k − 1)) / (Σ w_i − Σ w_i² / Σ w_i))
    w*_i = 1/(v_i + τ²),  θ_RE = Σ w*_i θ_i / Σ w*_i,  se = sqrt(1 / Σ w*_i)
    I² = max(0, (Q − (k − 1)) / Q)

(with one remark, τ², Q and I² are null and the pooled value is that remark's).

giving the pooled OR ``exp(θ_RE)`` with a 95 % CI ``exp(θ_RE ± z·se)``. Each category gets a
verdict code (``fell``, ``rose``, ``unclear``, ``too_few``), which
:meth:`geo_trygghet.followup.fixed_remarks.RemarkEffects.reading` words.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .wording import pooled_verdict

POOLED_COLUMNS = [
    "category",
    "remarks",
    "k",
    "corrected",
    "odds_ratio",
    "ci_lo",
    "ci_hi",
    "ln_or",
    "se",
    "tau2",
    "i2",
    "q",
    "p",
    "verdict",
]


def dersimonian_laird(ln_or: np.ndarray, variance: np.ndarray, *, level: float = 0.95) -> dict[str, float]:
    """Random-effects pooling of log odds ratios (DerSimonian & Laird 1986).

    Returns ``k``, ``ln_or``, ``se``, ``odds_ratio``, ``ci_lo``, ``ci_hi``,
    ``tau2``, ``q``, ``i2`` and ``p`` (two-sided, pooled OR = 1).

    Examples
    --------
    >>> r = dersimonian_laird(np.array([0.0, 0.0]), np.array([0.1, 0.1]))
    >>> r["odds_ratio"], r["tau2"], r["i2"]
    (1.0, 0.0, 0.0)
    """
    y = np.asarray(ln_or, dtype=float)
    v = np.asarray(variance, dtype=float)
    ok = np.isfinite(y) & np.isfinite(v) & (v > 0)
    y, v = y[ok], v[ok]
    k = len(y)
    nan = math.nan
    if k == 0:
        return {"k": 0, "ln_or": nan, "se": nan, "odds_ratio": nan, "ci_lo": nan, "ci_hi": nan, "tau2": nan,
                "q": nan, "i2": nan, "p": nan}
    w = 1 / v
    fixed = float((w * y).sum() / w.sum())
    q = float((w * (y - fixed) ** 2).sum())
    df = k - 1
    c = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (q - df) / c) if (k > 1 and c > 0) else 0.0
    ws = 1 / (v + tau2)
    theta = float((ws * y).sum() / ws.sum())
    se = math.sqrt(1 / ws.sum())
    z = float(stats.norm.ppf(1 - (1 - level) / 2))
    if k == 1:  # one study: no heterogeneity to estimate
        q, tau2, i2 = nan, nan, nan
    else:
        i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    return {
        "k": k,
        "ln_or": theta,
        "se": se,
        "odds_ratio": math.exp(theta),
        "ci_lo": math.exp(theta - z * se),
        "ci_hi": math.exp(theta + z * se),
        "tau2": tau2,
        "q": q,
        "i2": i2,
        "p": float(2 * stats.norm.sf(abs(theta / se))),
    }


def pool_categories(table: pd.DataFrame, *, used: tuple[str, ...], corrected: str) -> pd.DataFrame:
    """DerSimonian–Laird per ``category`` of ``table`` over the rows whose ``status`` is in ``used``.

    Returns one row per category with the columns of :data:`POOLED_COLUMNS`: how many remarks
    (``remarks``), how many with an estimate (``k``) and Haldane-corrected (``corrected``), the
    pooled estimate and the verdict code (:func:`geo_trygghet.followup.wording.pooled_verdict`).
    """
    pooled_rows = []
    for cat, grp in table.groupby("category", sort=True):
        use = grp[grp["status"].isin(list(used))]
        res: dict[str, Any] = dict(
            dersimonian_laird(use["ln_or"].to_numpy(float), use["se_ln_or"].to_numpy(float) ** 2)
        )
        res.update(
            {"category": cat, "remarks": len(grp), "corrected": int((use["status"] == corrected).sum())}
        )
        res["verdict"] = pooled_verdict(k=res["k"], ci_low=res["ci_lo"], ci_high=res["ci_hi"])
        pooled_rows.append(res)
    pooled = pd.DataFrame(pooled_rows)
    return pooled[POOLED_COLUMNS] if len(pooled) else pooled


__all__ = ["POOLED_COLUMNS", "dersimonian_laird", "pool_categories"]
