"""Every fixed remark as an intervention: per-remark odds ratios and DerSimonian–Laird pooling."""

from __future__ import annotations

import glob
import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geo_trygghet.errors import SchemaError
from geo_trygghet.followup.fixed_remarks import (
    STATUS_CORRECTED,
    STATUS_NO_DATA,
    STATUS_OK,
    STATUS_TOO_FEW,
    remark_effects,
)
from geo_trygghet.followup.pooling import dersimonian_laird

TO_WGS = Transformer.from_crs(3006, 4326, always_xy=True)
X0, Y0 = 370_000.0, 6_160_000.0  # SWEREF 99 TM, near Malmö
START, END = pd.Timestamp("2022-01-01"), pd.Timestamp("2024-01-01")


def _town(seed=0, effect=0.6, per_circle_year=25.0, spacing=600.0):
    """Uniform background incidents over 6 × 6 km; 16 lighting remarks whose 150 m circles are thinned
    to ``effect`` after their fixed date, 16 graffiti remarks with no effect."""
    rng = np.random.default_rng(seed)
    side = 6000.0
    years = (END - START).days / 365.25
    n = rng.poisson(per_circle_year * years * side**2 / (math.pi * 150**2))
    x = X0 + rng.uniform(0, side, n)
    y = Y0 + rng.uniform(0, side, n)
    t = START + pd.to_timedelta(rng.integers(0, (END - START).days, n), unit="D")
    gx, gy = np.meshgrid(np.arange(8) * spacing + 900, np.arange(4) * spacing * 2 + 900)
    rx, ry = X0 + gx.ravel(), Y0 + gy.ravel()
    cats = np.array(["Belysning", "Klotter"] * 16)
    fixed = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(-60, 60, len(rx)), unit="D")
    keep = np.ones(n, dtype=bool)
    for i in np.flatnonzero(cats == "Belysning"):
        near = np.hypot(x - rx[i], y - ry[i]) <= 150
        after = np.asarray(t >= fixed[i])
        keep &= ~(near & after & (rng.uniform(size=n) > effect))
    lon, lat = TO_WGS.transform(x[keep], y[keep])
    inc = gpd.GeoDataFrame(
        {"occurred_at": t[keep], "time_resolution": "day", "lon": lon, "lat": lat},
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )
    rlon, rlat = TO_WGS.transform(rx, ry)
    remarks = pd.DataFrame(
        {
            "remark_id": [f"r{i}" for i in range(len(rx))],
            "category": cats,
            "lon": rlon,
            "lat": rlat,
            "fixed_date": fixed,
        }
    )
    return inc, remarks


def test_dersimonian_laird_by_hand():
    y = np.array([0.2, 0.5, -0.1])
    v = np.array([0.04, 0.09, 0.05])
    w = 1 / v
    fe = (w * y).sum() / w.sum()
    q = (w * (y - fe) ** 2).sum()
    tau2 = max(0, (q - 2) / (w.sum() - (w**2).sum() / w.sum()))
    ws = 1 / (v + tau2)
    theta = (ws * y).sum() / ws.sum()
    r = dersimonian_laird(y, v)
    assert r["k"] == 3
    assert r["q"] == pytest.approx(q)
    assert r["tau2"] == pytest.approx(tau2)
    assert r["ln_or"] == pytest.approx(theta)
    assert r["se"] == pytest.approx(math.sqrt(1 / ws.sum()))
    assert r["i2"] == pytest.approx(max(0, (q - 2) / q))
    # heterogeneous studies: tau² > 0 and a wider CI than the fixed-effect one
    r2 = dersimonian_laird(np.array([-1.0, 1.0, 0.0, 2.0]), np.full(4, 0.01))
    assert r2["tau2"] > 0.5 and r2["i2"] > 0.9
    one = dersimonian_laird(np.array([0.3]), np.array([0.04]))
    assert one["odds_ratio"] == pytest.approx(math.exp(0.3)) and math.isnan(one["i2"])


def test_planted_lighting_effect_is_pooled_and_null_category_is_not():
    inc, remarks = _town(seed=3)
    res = remark_effects(remarks, inc, before_days=365, after_days=365, seed=1)
    tab = res.table
    assert len(tab) == 32 and set(tab["status"]) <= {STATUS_OK, STATUS_CORRECTED}
    assert (tab["n_controls"] == 5).all()
    assert (tab["control_distance_m"].between(500, 3000)).all()
    pooled = res.pooled.set_index("category")
    light, graffiti = pooled.loc["Belysning"], pooled.loc["Klotter"]
    assert light["k"] == 16
    assert light["ci_lo"] <= 1 / 0.6 <= light["ci_hi"]
    assert light["ci_lo"] > 1
    assert graffiti["ci_lo"] <= 1 <= graffiti["ci_hi"]
    assert light["verdict"] == "fell"
    assert res.reading("Belysning", "sv").startswith("Brotten nära åtgärdade anmärkningar minskade")
    assert res.reading("Belysning", "en").startswith("Incidents near fixed remarks fell")
    json.dumps(res.to_dict(), allow_nan=False)


def test_per_remark_counts_are_exact():
    inc, remarks = _town(seed=4)
    res = remark_effects(remarks.iloc[:3], inc, before_days=200, after_days=100, seed=2)
    tm = inc.to_crs(3006)
    for _, row in res.table.iterrows():
        r = remarks.set_index("remark_id").loc[row["remark_id"]]
        centre = (
            gpd.GeoSeries(gpd.points_from_xy([r["lon"]], [r["lat"]]), crs=4326).to_crs(3006).iloc[0]
        )
        near = (tm.distance(centre) <= 150).to_numpy()
        f = r["fixed_date"].normalize()
        t = inc["occurred_at"]
        before = near & ((t >= f - pd.Timedelta(days=200)) & (t < f)).to_numpy()
        after = near & ((t >= f) & (t < f + pd.Timedelta(days=100))).to_numpy()
        assert (row["target_before"], row["target_after"]) == (before.sum(), after.sum())
        a, b, c, d = (
            row["target_before"],
            row["target_after"],
            row["control_before"],
            row["control_after"],
        )
        assert row["odds_ratio"] == pytest.approx(a * d / (b * c))
        assert row["se_ln_or"] == pytest.approx(math.sqrt(1 / a + 1 / b + 1 / c + 1 / d))


def test_seeded_and_reproducible():
    inc, remarks = _town(seed=5)
    one = remark_effects(remarks.iloc[:6], inc, seed=9).table
    two = remark_effects(remarks.iloc[:6], inc, seed=9).table
    pd.testing.assert_frame_equal(one, two)


def test_zero_counts_tiny_counts_and_missing_data():
    inc, remarks = _town(seed=6, per_circle_year=1.5)
    extra = pd.DataFrame(
        {
            "remark_id": ["late", "unfixed"],
            "category": ["Annat", "Annat"],
            "lon": remarks["lon"].iloc[:2].to_numpy(),
            "lat": remarks["lat"].iloc[:2].to_numpy(),
            "fixed_date": [pd.Timestamp("2023-12-25"), pd.NaT],
        }
    )
    res = remark_effects(
        pd.concat([remarks, extra], ignore_index=True), inc, min_incidents=3, seed=0
    )
    tab = res.table.set_index("remark_id")
    assert "unfixed" not in tab.index
    assert tab.loc["late", "status"] == STATUS_NO_DATA  # only 7 days of data after the fixed date
    assert (tab["status"] == STATUS_TOO_FEW).any()
    assert tab.loc[tab["status"] == STATUS_TOO_FEW, "odds_ratio"].isna().all()
    corr = tab[tab["status"] == STATUS_CORRECTED]
    assert len(corr) > 0
    r = corr.iloc[0]
    a, b, c, d = (
        r[k] + 0.5 for k in ("target_before", "target_after", "control_before", "control_after")
    )
    assert r["odds_ratio"] == pytest.approx(a * d / (b * c))
    assert any("0.5" in n for n in res.note_texts("en"))


def test_missing_columns_is_a_schema_error():
    inc, remarks = _town(seed=7)
    with pytest.raises(SchemaError, match="fixed_date"):
        remark_effects(remarks.drop(columns="fixed_date"), inc)


SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.mark.skipif(
    not list(SAMPLE.glob("protokoll_*.xlsx")) or not (SAMPLE / "incidents.csv").exists(),
    reason="sample_data has no walk protocols yet",
)
def test_sample_municipality_fixed_lamps():
    from geo_trygghet.ingest.incidents import read_incidents

    inc = read_incidents(SAMPLE / "incidents.csv").gdf
    frames = []
    for f in sorted(glob.glob(str(SAMPLE / "protokoll_*.xlsx"))):
        x = pd.read_excel(f)
        cols = {c.lower(): c for c in x.columns}
        if "lat" not in cols:
            x["lon"], x["lat"] = TO_WGS.transform(
                x[cols["e"]].to_numpy(float), x[cols["n"]].to_numpy(float)
            )
        x["remark_id"] = Path(f).stem + "#" + x["NR"].astype(str)
        frames.append(x.rename(columns={"KATEGORI": "category", "ÅTGÄRDAT": "fixed_date"}))
    remarks = pd.concat(frames, ignore_index=True)[
        ["remark_id", "category", "lon", "lat", "fixed_date"]
    ]
    res = remark_effects(remarks, inc, hours=(18, 6), seed=1)
    light = res.pooled.set_index("category").loc["Belysning"]
    assert light["k"] >= 5
    # the sample plants extra night incidents near each repaired lamp that drop to 60 % after the fix
    assert light["ci_lo"] > 1
    # no effect was planted for graffiti
    graffiti = res.pooled.set_index("category").loc["Klotter"]
    assert graffiti["ci_lo"] <= 1 <= graffiti["ci_hi"]
