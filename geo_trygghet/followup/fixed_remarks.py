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

Per remark category the estimates are pooled by random effects
(:mod:`geo_trygghet.followup.pooling`, DerSimonian–Laird on ln OR), and each category gets a
verdict code (``fell``, ``rose``, ``unclear``, ``too_few``); :meth:`RemarkEffects.reading` words it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

from .. import schema, settings
from ..crs import WGS84, metric_crs_for
from ..errors import InputError, SchemaError
from .areas import incident_xy
from .effects import Z975
from .pooling import pool_categories
from .result import Note, jsonable
from .windows import incident_times, parse_date, time_resolution
from .wording import pooled_reading

REMARK_COLUMNS = ("remark_id", "category", "lon", "lat", "fixed_date")

#: ``status`` of a remark's row (codes; the app words them).
STATUS_OK = "ok"
STATUS_CORRECTED = "corrected"  # 0.5 added to every count, a count was 0
STATUS_TOO_FEW = "too_few"
STATUS_NO_DATA = "no_data"  # too little data around the fixed date
STATUS_NO_CONTROLS = "no_controls"
STATUSES = (STATUS_OK, STATUS_CORRECTED, STATUS_TOO_FEW, STATUS_NO_DATA, STATUS_NO_CONTROLS)

TABLE_COLUMNS = [
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
@dataclass
class RemarkEffects:
    """Per-remark estimates (``table``) and per-category pooled estimates (``pooled``)."""

    table: pd.DataFrame
    pooled: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    def reading(self, category: str, lang: str = "sv") -> str:
        """The pooled reading of one category in ``lang``."""
        row = self.pooled.loc[self.pooled["category"] == category].iloc[0]
        return pooled_reading(
            k=int(row["k"]), odds_ratio=row["odds_ratio"], ci_low=row["ci_lo"], ci_high=row["ci_hi"], lang=lang
        )

    def note_texts(self, lang: str = "en") -> list[str]:
        return [note.text(lang) for note in self.notes]

    def to_dict(self) -> dict[str, Any]:
        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for rec in df.to_dict(orient="records"):
                clean = {}
                for k, v in rec.items():
                    if isinstance(v, pd.Timestamp):
                        v = v.date().isoformat()
                    elif isinstance(v, np.bool_):
                        v = bool(v)
                    elif v is pd.NA:
                        v = None
                    clean[str(k)] = jsonable(v)
                out.append(clean)
            return out

        return {
            "remarks": rows(self.table),
            "pooled": rows(self.pooled),
            "settings": self.settings,
            "notes": self.note_texts("en"),
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


@dataclass(frozen=True)
class _Options:
    """The settings of :func:`remark_effects`, checked."""

    radius: float
    before_days: int
    after_days: int
    n_controls: int
    candidates: int
    control_min_m: float
    control_max_m: float
    min_incidents: int
    min_window_days: int
    match_radius_m: float

    def check(self) -> None:
        if (
            not self.radius > 0
            or not 0 <= self.control_min_m < self.control_max_m
            or self.n_controls < 1
            or self.candidates < self.n_controls
        ):
            msg = (
                f"radius {self.radius} m, controls {self.control_min_m}–{self.control_max_m} m, "
                f"{self.n_controls} of {self.candidates}: "
                "give a positive radius, 0 ≤ min < max distance, and at least as many candidates as controls"
            )
            raise InputError(msg)


@dataclass
class _Scene:
    """The incidents and remarks in metres, with search trees, the data's time span and the random source."""

    t: np.ndarray  # incident times, datetime64[ns]
    tree: cKDTree  # incidents
    remark_tree: cKDTree
    rx: np.ndarray  # remark positions in metres
    ry: np.ndarray
    data_start: pd.Timestamp
    data_end: pd.Timestamp
    rng: np.random.Generator

    def counts(self, idx: list[int], b0: np.datetime64, f: np.datetime64, a1: np.datetime64) -> tuple[int, int]:
        tt = self.t[idx]
        return int(((tt >= b0) & (tt < f)).sum()), int(((tt >= f) & (tt < a1)).sum())


def _match_controls(scene: _Scene, i: int, opt: _Options, edges: tuple[np.datetime64, ...],
                    cx: np.ndarray, cy: np.ndarray) -> dict[str, Any]:
    """Target and matched control counts of remark ``i`` among the candidate points (cx, cy)."""
    rx, ry = scene.rx[i], scene.ry[i]
    a, b = scene.counts(scene.tree.query_ball_point([rx, ry], opt.radius), *edges)
    cand = [scene.counts(ix, *edges) for ix in scene.tree.query_ball_point(np.column_stack([cx, cy]), opt.radius)]
    if opt.match_radius_m == opt.radius:
        level, pre = a, np.array([c[0] for c in cand])
    else:
        level = scene.counts(scene.tree.query_ball_point([rx, ry], opt.match_radius_m), *edges)[0]
        near = scene.tree.query_ball_point(np.column_stack([cx, cy]), opt.match_radius_m)
        pre = np.array([scene.counts(ix, *edges)[0] for ix in near])
    order = np.lexsort((scene.rng.permutation(len(pre)), np.abs(pre - level)))[: opt.n_controls]
    return {
        "target_before": a,
        "target_after": b,
        "control_before": int(sum(cand[j][0] for j in order)),
        "control_after": int(sum(cand[j][1] for j in order)),
        "n_controls": len(order),
        "control_distance_m": float(np.mean(np.hypot(cx[order] - rx, cy[order] - ry))),
    }


def _estimate(row: dict[str, Any], min_incidents: int) -> dict[str, Any]:
    """The remark's odds ratio with its CI (Haldane-corrected when a count is 0), or the status why not."""
    a, b, c, d = (row[k] for k in ("target_before", "target_after", "control_before", "control_after"))
    if a + b < min_incidents:
        return {"status": STATUS_TOO_FEW}
    corrected = min(a, b, c, d) == 0
    aa, bb, cc, dd = (v + 0.5 for v in (a, b, c, d)) if corrected else (a, b, c, d)
    ln_or = math.log(aa * dd / (bb * cc))
    se = math.sqrt(1 / aa + 1 / bb + 1 / cc + 1 / dd)
    return {
        "odds_ratio": math.exp(ln_or),
        "ln_or": ln_or,
        "se_ln_or": se,
        "ci_lo": math.exp(ln_or - Z975 * se),
        "ci_hi": math.exp(ln_or + Z975 * se),
        "status": STATUS_CORRECTED if corrected else STATUS_OK,
    }


def _remark_row(scene: _Scene, i: int, r: pd.Series, opt: _Options) -> dict[str, Any]:
    """One remark: its windows clipped to the data, random candidate controls, counts and estimate."""
    f = parse_date(r["fixed_date"], what=f"the fixed date of remark {r['remark_id']}")
    b0 = max(f - pd.Timedelta(days=opt.before_days), scene.data_start)
    a1 = min(f + pd.Timedelta(days=opt.after_days), scene.data_end)
    row: dict[str, Any] = {c: r[c] for c in REMARK_COLUMNS}
    row.update({"before_days": int((f - b0).days), "after_days": int((a1 - f).days)})
    # draw the candidate control points every time, so one remark's skip does not shift the others' draws
    ang = scene.rng.uniform(0, 2 * np.pi, opt.candidates * 3)
    dist = np.sqrt(scene.rng.uniform(opt.control_min_m**2, opt.control_max_m**2, opt.candidates * 3))
    if row["before_days"] < opt.min_window_days or row["after_days"] < opt.min_window_days:
        return {**row, "status": STATUS_NO_DATA}
    cx, cy = scene.rx[i] + dist * np.cos(ang), scene.ry[i] + dist * np.sin(ang)
    near_remark = scene.remark_tree.query(np.column_stack([cx, cy]), k=1)[0] < 2 * opt.radius
    cx, cy = cx[~near_remark][: opt.candidates], cy[~near_remark][: opt.candidates]
    if len(cx) < opt.n_controls:
        return {**row, "status": STATUS_NO_CONTROLS}
    edges = tuple(np.datetime64(v.value, "ns") for v in (b0, f, a1))
    row.update(_match_controls(scene, i, opt, edges, cx, cy))
    return {**row, **_estimate(row, opt.min_incidents)}


def _scene(rem: pd.DataFrame, lon: np.ndarray, lat: np.ndarray, t_ok: np.ndarray, month_resolution: bool,
           seed: int) -> tuple[_Scene, Any]:
    crs = metric_crs_for(lon, lat)
    tr = Transformer.from_crs(WGS84, crs, always_xy=True)
    ix, iy = tr.transform(lon, lat)
    rx, ry = tr.transform(rem[schema.LON].to_numpy(float), rem[schema.LAT].to_numpy(float))
    last = pd.Timestamp(t_ok.max())
    data_end = (
        (last + pd.offsets.MonthBegin(1)).normalize() if month_resolution else last.normalize() + pd.Timedelta(days=1)
    )
    scene = _Scene(
        t=t_ok,
        tree=cKDTree(np.column_stack([ix, iy])),
        remark_tree=cKDTree(np.column_stack([rx, ry])),
        rx=np.asarray(rx),
        ry=np.asarray(ry),
        data_start=pd.Timestamp(t_ok.min()).normalize(),
        data_end=data_end,
        rng=np.random.default_rng(seed),
    )
    return scene, crs


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
        ``se_ln_or``, ``ci_lo``, ``ci_hi``, ``status`` (one of
        :data:`STATUSES`); ``pooled``: per category ``k``, ``odds_ratio``,
        ``ci_lo``, ``ci_hi``, ``ln_or``, ``se``, ``tau2``, ``i2``, ``q``,
        ``p``, ``verdict`` (``fell``, ``rose``, ``unclear``, ``too_few``;
        :meth:`RemarkEffects.reading` words it).
    """
    opt = _Options(
        radius=float(settings.evaluation_radius_m if radius_m is None else radius_m),
        before_days=int(before_days),
        after_days=int(after_days),
        n_controls=n_controls,
        candidates=candidates,
        control_min_m=control_min_m,
        control_max_m=control_max_m,
        min_incidents=min_incidents,
        min_window_days=min_window_days,
        match_radius_m=match_radius_m,
    )
    opt.check()
    rem = _check_remarks(remarks)
    t = incident_times(incidents)
    x, y = incident_xy(incidents)
    ok = np.isfinite(x) & np.isfinite(y) & t.notna().to_numpy() & _hour_mask(t, hours)
    notes: list[Note] = []
    resolution = time_resolution(incidents)
    if hours is not None and resolution in (schema.RESOLUTION_DAY, schema.RESOLUTION_MONTH):
        notes.append(Note("hours_without_time"))
    t_ok = t[ok].to_numpy(dtype="datetime64[ns]")
    lon, lat = x[ok], y[ok]
    if len(rem) == 0 or len(lon) == 0:
        empty = pd.DataFrame(columns=[*REMARK_COLUMNS, "status"])
        return RemarkEffects(empty, pd.DataFrame(columns=["category", "k"]), notes=[Note("nothing_to_evaluate")])

    scene, crs = _scene(rem, lon, lat, t_ok, resolution == schema.RESOLUTION_MONTH, seed)
    rows = [_remark_row(scene, i, r, opt) for i, (_, r) in enumerate(rem.iterrows())]
    table = pd.DataFrame(rows).reindex(columns=TABLE_COLUMNS)
    for col in ("target_before", "target_after", "control_before", "control_after", "n_controls"):
        table[col] = table[col].astype("Int64")
    if (table["status"] == STATUS_CORRECTED).any():
        notes.append(Note("zero_count_remarks"))
    return RemarkEffects(
        table,
        pool_categories(table, used=(STATUS_OK, STATUS_CORRECTED), corrected=STATUS_CORRECTED),
        notes=notes,
        settings={
            "radius_m": opt.radius,
            "before_days": opt.before_days,
            "after_days": opt.after_days,
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


__all__ = ["REMARK_COLUMNS", "STATUSES", "RemarkEffects", "remark_effects"]
