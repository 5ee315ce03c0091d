"""Every fixed remark as an intervention: did fixing it change incidents nearby?

A remark marked åtgärdad (a street lamp repaired on a date, bushes cut back)
is a small intervention with a place and a date. For each fixed remark:

* target = the circle of ``radius_m`` metres (default
  :data:`geo_trygghet.settings.evaluation_radius_m`, 150 m) around it;
* windows = ``before_days`` ending the day before the fixed date and
  ``after_days`` starting on it, clipped to the time span of the data (the
  control areas share the windows, so unequal lengths cancel in the odds
  ratio); a remark with less than ``min_window_days`` of data on either side
  is skipped;
* controls = ``n_controls`` matched locations: circles of the same radius at
  random points (seeded) ``control_min_m``–``control_max_m`` metres from the
  remark, not within two radii of any remark in the table (so no control
  overlaps a target), chosen among ``candidates`` such points as those whose
  before-window count within ``match_radius_m`` (default 500 m) is closest
  to the remark's; their counts are added up. Matching on the wider 500 m
  level rather than on the target circle's own before count matters:
  controls picked to equal the target's own count inherit its chance
  fluctuation, which makes the Campbell standard error too large (pooled CIs
  covered 0.98 instead of 0.95 in ``benchmarks/bench_evaluation_coverage.py``;
  0.957 with 500 m matching);
* the Campbell odds ratio ``(a·d)/(b·c)`` (above 1: incidents fell near the
  fixed remark relative to its controls), ln OR and its standard error
  ``sqrt(1/a + 1/b + 1/c + 1/d)``. A zero count gets 0.5 added to all four
  counts (Haldane–Anscombe; the row says so). A remark with fewer than
  ``min_incidents`` incidents in its target circle (before + after) gets no
  estimate ("too few incidents") and does not enter the pooling.

Per remark category the estimates are pooled with a DerSimonian–Laird
random-effects model on ln OR::

    w_i = 1/v_i,  θ_FE = Σ w_i θ_i / Σ w_i,  Q = Σ w_i (θ_i − θ_FE)²
    τ² = max(0, (Q − (k − 1)) / (Σ w_i − Σ w_i² / Σ w_i))
    w*_i = 1/(v_i + τ²),  θ_RE = Σ w*_i θ_i / Σ w*_i,  se = sqrt(1 / Σ w*_i)
    I² = max(0, (Q − (k − 1)) / Q)

(with one remark, τ², Q and I² are null and the pooled value is that remark's).

giving the pooled OR ``exp(θ_RE)`` with a 95 % CI ``exp(θ_RE ± z·se)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy import stats
from scipy.spatial import cKDTree

from .. import schema, settings
from ..crs import WGS84, metric_crs_for
from ..errors import InputError, SchemaError
from .evaluation import Z975, _resolution, _times, _xy, parse_date

REMARK_COLUMNS = ("remark_id", "category", "lon", "lat", "fixed_date")

STATUS_OK = "ok"
STATUS_CORRECTED = "ok, 0.5 added to every count (a count was 0)"
STATUS_TOO_FEW = "too few incidents"
STATUS_NO_DATA = "too little data around the fixed date"
STATUS_NO_CONTROLS = "no control locations"


@dataclass
class RemarkEffects:
    """Per-remark estimates (``table``) and per-category pooled estimates (``pooled``)."""

    table: pd.DataFrame
    pooled: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for rec in df.to_dict(orient="records"):
                clean = {}
                for k, v in rec.items():
                    if isinstance(v, pd.Timestamp):
                        v = v.date().isoformat()
                    elif isinstance(v, (np.integer,)):
                        v = int(v)
                    elif isinstance(v, (float, np.floating)):
                        v = float(v) if math.isfinite(v) else None
                    elif isinstance(v, np.bool_):
                        v = bool(v)
                    clean[k] = v
                out.append(clean)
            return out

        return {
            "remarks": rows(self.table),
            "pooled": rows(self.pooled),
            "settings": self.settings,
            "notes": list(self.notes),
        }


def dersimonian_laird(
    ln_or: np.ndarray, variance: np.ndarray, *, level: float = 0.95
) -> dict[str, float]:
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
        return {
            "k": 0,
            "ln_or": nan,
            "se": nan,
            "odds_ratio": nan,
            "ci_lo": nan,
            "ci_hi": nan,
            "tau2": nan,
            "q": nan,
            "i2": nan,
            "p": nan,
        }
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


def _check_remarks(remarks: pd.DataFrame) -> pd.DataFrame:
    df = remarks.copy()
    if "geometry" in df.columns and (schema.LON not in df or schema.LAT not in df):
        import geopandas as gpd

        g = gpd.GeoDataFrame(df, geometry="geometry")
        if g.crs is not None:
            g = g.to_crs(WGS84)
        df[schema.LON], df[schema.LAT] = g.geometry.x, g.geometry.y
    missing = [c for c in REMARK_COLUMNS if c not in df.columns]
    if missing:
        msg = f"the fixed remarks lack the column(s) {', '.join(missing)}; give {', '.join(REMARK_COLUMNS)}"
        raise SchemaError(msg)
    df["fixed_date"] = pd.to_datetime(df["fixed_date"], errors="coerce")
    if getattr(df["fixed_date"].dt, "tz", None) is not None:
        df["fixed_date"] = df["fixed_date"].dt.tz_convert(None)
    df["fixed_date"] = df["fixed_date"].dt.normalize()
    df = df[
        df["fixed_date"].notna()
        & np.isfinite(df[schema.LON].astype(float))
        & np.isfinite(df[schema.LAT].astype(float))
    ]
    return df.reset_index(drop=True)


def _hour_mask(t: pd.Series, hours: tuple[int, int] | None) -> np.ndarray:
    if hours is None:
        return np.ones(len(t), dtype=bool)
    start, end = (int(h) % 24 for h in hours)
    h = t.dt.hour.to_numpy()
    return (h >= start) & (h < end) if start < end else (h >= start) | (h < end)


def remark_effects(
    remarks: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    radius_m: float | None = None,
    before_days: int = 365,
    after_days: int = 365,
    n_controls: int = 5,
    candidates: int = 40,
    control_min_m: float = 500.0,
    control_max_m: float = 3000.0,
    min_incidents: int = 5,
    min_window_days: int = 30,
    match_radius_m: float = 500.0,
    hours: tuple[int, int] | None = None,
    seed: int = 0,
) -> RemarkEffects:
    """Evaluate every fixed remark as an intervention and pool the estimates per category.

    Parameters
    ----------
    remarks
        One row per fixed remark: ``remark_id``, ``category``, ``lon``,
        ``lat`` (WGS84; or a point geometry), ``fixed_date``. Rows without a
        fixed date are left out.
    incidents
        Incidents as :func:`geo_trygghet.ingest.read_incidents` returns them.
    radius_m
        Radius of the target circle (default ``settings.evaluation_radius_m``).
    match_radius_m
        Controls are matched on the before-window count within this radius
        (set it equal to ``radius_m`` to match on the target circle itself).
    hours
        Only count incidents in these hours, e.g. ``(18, 6)`` for the dark
        hours when evaluating lighting (needs incidents with a time of day).
    seed
        Seed for the random control locations.

    Returns
    -------
    RemarkEffects
        ``table``: per remark ``target_before``, ``target_after``,
        ``control_before``, ``control_after``, ``n_controls``,
        ``before_days``, ``after_days``, ``odds_ratio``, ``ln_or``,
        ``se_ln_or``, ``ci_lo``, ``ci_hi``, ``status``; ``pooled``: per
        category ``k``, ``odds_ratio``, ``ci_lo``, ``ci_hi``, ``ln_or``,
        ``se``, ``tau2``, ``i2``, ``q``, ``p``, ``reading_sv``, ``reading_en``.
    """
    radius = float(settings.evaluation_radius_m if radius_m is None else radius_m)
    if (
        not radius > 0
        or not 0 <= control_min_m < control_max_m
        or n_controls < 1
        or candidates < n_controls
    ):
        msg = (
            f"radius {radius} m, controls {control_min_m}–{control_max_m} m, {n_controls} of {candidates}: "
            "give a positive radius, 0 ≤ min < max distance, and at least as many candidates as controls"
        )
        raise InputError(msg)
    rem = _check_remarks(remarks)
    t = _times(incidents)
    x, y = _xy(incidents)
    ok = np.isfinite(x) & np.isfinite(y) & t.notna().to_numpy() & _hour_mask(t, hours)
    notes: list[str] = []
    if hours is not None and _resolution(incidents) in (
        schema.RESOLUTION_DAY,
        schema.RESOLUTION_MONTH,
    ):
        notes.append(
            "the incidents have no time of day, so the hours filter keeps only those stamped in its hours"
        )
    t_ok = t[ok].to_numpy(dtype="datetime64[ns]")
    lon, lat = x[ok], y[ok]
    if len(rem) == 0 or len(lon) == 0:
        empty = pd.DataFrame(columns=[*REMARK_COLUMNS, "status"])
        return RemarkEffects(
            empty,
            pd.DataFrame(columns=["category", "k"]),
            notes=["no fixed remarks or no incidents"],
        )

    crs = metric_crs_for(lon, lat)
    tr = Transformer.from_crs(WGS84, crs, always_xy=True)
    ix, iy = tr.transform(lon, lat)
    rx, ry = tr.transform(rem[schema.LON].to_numpy(float), rem[schema.LAT].to_numpy(float))
    tree = cKDTree(np.column_stack([ix, iy]))
    remark_tree = cKDTree(np.column_stack([rx, ry]))
    data_start = pd.Timestamp(t_ok.min()).normalize()
    last = pd.Timestamp(t_ok.max())
    data_end = (
        (last + pd.offsets.MonthBegin(1)).normalize()
        if _resolution(incidents) == schema.RESOLUTION_MONTH
        else last.normalize() + pd.Timedelta(days=1)
    )
    rng = np.random.default_rng(seed)

    rows = []
    for i, r in rem.iterrows():
        f = parse_date(r["fixed_date"], what=f"the fixed date of remark {r['remark_id']}")
        b0 = max(f - pd.Timedelta(days=int(before_days)), data_start)
        a1 = min(f + pd.Timedelta(days=int(after_days)), data_end)
        row: dict[str, Any] = {c: r[c] for c in REMARK_COLUMNS}
        row.update({"before_days": int((f - b0).days), "after_days": int((a1 - f).days)})
        # draw the candidate control points every time, so one remark's skip does not shift the others' draws
        ang = rng.uniform(0, 2 * np.pi, candidates * 3)
        dist = np.sqrt(rng.uniform(control_min_m**2, control_max_m**2, candidates * 3))
        if row["before_days"] < min_window_days or row["after_days"] < min_window_days:
            rows.append({**row, "status": STATUS_NO_DATA})
            continue
        cx, cy = rx[i] + dist * np.cos(ang), ry[i] + dist * np.sin(ang)
        near_remark = remark_tree.query(np.column_stack([cx, cy]), k=1)[0] < 2 * radius
        cx, cy = cx[~near_remark][:candidates], cy[~near_remark][:candidates]
        if len(cx) < n_controls:
            rows.append({**row, "status": STATUS_NO_CONTROLS})
            continue
        b0n, fn, a1n = (np.datetime64(v.to_datetime64(), "ns") for v in (b0, f, a1))

        def counts(idx: list[int], b0n=b0n, fn=fn, a1n=a1n) -> tuple[int, int]:
            tt = t_ok[idx]
            return int(((tt >= b0n) & (tt < fn)).sum()), int(((tt >= fn) & (tt < a1n)).sum())

        a, b = counts(tree.query_ball_point([rx[i], ry[i]], radius))
        cand = [counts(ix_) for ix_ in tree.query_ball_point(np.column_stack([cx, cy]), radius)]
        if match_radius_m == radius:
            level, pre = a, np.array([c[0] for c in cand])
        else:
            level = counts(tree.query_ball_point([rx[i], ry[i]], match_radius_m))[0]
            pre = np.array(
                [
                    counts(ix_)[0]
                    for ix_ in tree.query_ball_point(np.column_stack([cx, cy]), match_radius_m)
                ]
            )
        order = np.lexsort((rng.permutation(len(pre)), np.abs(pre - level)))[:n_controls]
        c = int(sum(cand[j][0] for j in order))
        d = int(sum(cand[j][1] for j in order))
        row.update(
            {
                "target_before": a,
                "target_after": b,
                "control_before": c,
                "control_after": d,
                "n_controls": len(order),
                "control_distance_m": float(
                    np.mean(np.hypot(cx[order] - rx[i], cy[order] - ry[i]))
                ),
            }
        )
        if a + b < min_incidents:
            rows.append({**row, "status": STATUS_TOO_FEW})
            continue
        corrected = min(a, b, c, d) == 0
        aa, bb, cc, dd = (v + 0.5 for v in (a, b, c, d)) if corrected else (a, b, c, d)
        ln_or = math.log(aa * dd / (bb * cc))
        se = math.sqrt(1 / aa + 1 / bb + 1 / cc + 1 / dd)
        row.update(
            {
                "odds_ratio": math.exp(ln_or),
                "ln_or": ln_or,
                "se_ln_or": se,
                "ci_lo": math.exp(ln_or - Z975 * se),
                "ci_hi": math.exp(ln_or + Z975 * se),
                "status": STATUS_CORRECTED if corrected else STATUS_OK,
            }
        )
        rows.append(row)

    cols = [
        *REMARK_COLUMNS,
        "before_days",
        "after_days",
        "target_before",
        "target_after",
        "control_before",
        "control_after",
        "n_controls",
        "control_distance_m",
        "odds_ratio",
        "ln_or",
        "se_ln_or",
        "ci_lo",
        "ci_hi",
        "status",
    ]
    table = pd.DataFrame(rows).reindex(columns=cols)
    for col in ("target_before", "target_after", "control_before", "control_after", "n_controls"):
        table[col] = table[col].astype("Int64")
    pooled_rows = []
    for cat, grp in table.groupby("category", sort=True):
        use = grp[grp["status"].isin([STATUS_OK, STATUS_CORRECTED])]
        res = dersimonian_laird(use["ln_or"].to_numpy(float), use["se_ln_or"].to_numpy(float) ** 2)
        res.update(
            {
                "category": cat,
                "remarks": len(grp),
                "corrected": int((use["status"] == STATUS_CORRECTED).sum()),
            }
        )
        res["reading_sv"], res["reading_en"] = _pooled_reading(res)
        pooled_rows.append(res)
    pooled = pd.DataFrame(pooled_rows)
    if len(pooled):
        pooled = pooled[
            [
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
                "reading_sv",
                "reading_en",
            ]
        ]
    if (table["status"] == STATUS_CORRECTED).any():
        notes.append(
            "remarks with a zero count have 0.5 added to all four counts (Haldane–Anscombe), "
            "which pulls their odds ratio towards 1"
        )
    return RemarkEffects(
        table,
        pooled,
        notes=notes,
        settings={
            "radius_m": radius,
            "before_days": int(before_days),
            "after_days": int(after_days),
            "n_controls": n_controls,
            "candidates": candidates,
            "control_min_m": control_min_m,
            "control_max_m": control_max_m,
            "min_incidents": min_incidents,
            "match_radius_m": match_radius_m,
            "hours": list(hours) if hours else None,
            "seed": seed,
            "metric_crs": crs.to_string(),
        },
    )


def _pooled_reading(res: dict[str, Any]) -> tuple[str, str]:
    k = res["k"]
    if k == 0:
        return (
            "För få brott nära de åtgärdade anmärkningarna för att säga något.",
            "Not enough incidents near the fixed remarks to say.",
        )
    o, lo, hi = res["odds_ratio"], res["ci_lo"], res["ci_hi"]
    sv_ci = f"(OR {o:.2f}; 95 % KI {lo:.2f}–{hi:.2f}; {k} anmärkningar)".replace(".", ",")
    en_ci = f"(OR {o:.2f}; 95 % CI {lo:.2f}–{hi:.2f}; {k} remarks)"
    if lo > 1:
        return (
            f"Brotten nära åtgärdade anmärkningar minskade i förhållande till kontrollplatserna {sv_ci}.",
            f"Incidents near fixed remarks fell relative to the control locations {en_ci}.",
        )
    if hi < 1:
        return (
            f"Brotten nära åtgärdade anmärkningar ökade i förhållande till kontrollplatserna {sv_ci}.",
            f"Incidents near fixed remarks rose relative to the control locations {en_ci}.",
        )
    return (
        f"Ingen säker förändring nära åtgärdade anmärkningar {sv_ci}.",
        f"No clear change near fixed remarks {en_ci}.",
    )


__all__ = ["REMARK_COLUMNS", "RemarkEffects", "dersimonian_laird", "remark_effects"]
