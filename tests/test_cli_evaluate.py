"""``geo-trygghet evaluate`` against hand computation on real data, and its bad-input behaviour."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo_trygghet.cli import main

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "lancashire_asb_2022"
CSV = DATA / "lancashire_asb_2022.csv"
needs_data = pytest.mark.skipif(
    not CSV.exists(), reason="../shared/data/lancashire_asb_2022 is not here"
)


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def lancashire(tmp_path_factory):
    """The check script's set-up: busiest ward = target, touching wards = buffer, a similar ward far away = control."""
    tmp = tmp_path_factory.mktemp("lancs")
    inc = pd.read_csv(CSV)
    pts = gpd.GeoDataFrame(inc, geometry=gpd.points_from_xy(inc.longitude, inc.latitude), crs=4326)
    wards = gpd.read_file(DATA / "lancashire_wards.gpkg").to_crs(4326)
    wards["n"] = (
        gpd.sjoin(wards, pts, predicate="contains")
        .groupby(level=0)
        .size()
        .reindex(wards.index)
        .fillna(0)
    )
    target = wards.loc[wards.n.idxmax()]
    touching = wards[wards.touches(target.geometry)]
    buffer_geom = touching.union_all().difference(target.geometry)
    far = wards[~wards.index.isin(touching.index) & (wards.index != target.name)]
    control = far.loc[(far.n - target.n).abs().idxmin()]
    # a second control written in British National Grid, to exercise reprojection
    control2 = far.drop(index=control.name).loc[
        (far.drop(index=control.name).n - target.n).abs().idxmin()
    ]
    files = {}
    for name, geom, crs in [
        ("target", target.geometry, None),
        ("buffer", buffer_geom, None),
        ("control", control.geometry, None),
        ("control2", control2.geometry, 27700),
    ]:
        g = gpd.GeoDataFrame({"name": [name]}, geometry=[geom], crs=4326)
        path = tmp / (f"{name}.gpkg" if crs else f"{name}.geojson")
        (g.to_crs(crs) if crs else g).to_file(path)
        files[name] = path
    return {
        "pts": pts,
        "t": pd.to_datetime(inc.month),
        "target": target.geometry,
        "buffer": buffer_geom,
        "control": control.geometry,
        "control2": control2.geometry,
        "files": files,
    }


def _by_hand(fx, geom, day, n_before, n_after):
    inside = fx["pts"].within(geom)
    t = fx["t"]
    before = inside & (t >= day - pd.Timedelta(days=n_before)) & (t < day)
    after = inside & (t >= day) & (t < day + pd.Timedelta(days=n_after))
    return int(before.sum()), int(after.sum())


@needs_data
def test_lancashire_matches_hand_computation(lancashire, capsys):
    fx = lancashire
    day = pd.Timestamp("2022-07-01")
    code, out, err = _run(
        [
            "evaluate",
            CSV,
            "--target",
            fx["files"]["target"],
            "--control",
            fx["files"]["control"],
            "--buffer",
            fx["files"]["buffer"],
            "--intervention",
            "2022-07-01",
            "--before",
            181,
            "--after",
            181,
        ],
        capsys,
    )
    assert code == 0, err
    res = json.loads(out)
    a, b = _by_hand(fx, fx["target"], day, 181, 181)
    c, d = _by_hand(fx, fx["control"], day, 181, 181)
    b0, b1 = _by_hand(fx, fx["buffer"], day, 181, 181)
    assert (
        res["target_before"],
        res["target_after"],
        res["control_before"],
        res["control_after"],
    ) == (a, b, c, d)
    assert (res["buffer_before"], res["buffer_after"]) == (b0, b1)
    assert all(
        isinstance(res[k], int)
        for k in ("target_before", "target_after", "control_before", "control_after")
    )
    odds = (a * d) / (b * c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert res["odds_ratio"] == pytest.approx(odds, rel=1e-12)
    assert res["odds_ratio_ci"] == pytest.approx(
        [odds * math.exp(-1.959964 * se), odds * math.exp(1.959964 * se)], rel=1e-6
    )
    assert res["wdq"] == pytest.approx((b1 / d - b0 / c) / (b / d - a / c), rel=1e-12)
    assert res["wdd"] == (b - a) - (d - c) + (b1 - b0)
    assert res["irr_poisson"] == pytest.approx(1 / odds, rel=1e-6)
    assert res["time_resolution"] == "month"
    assert res["windows"]["before"] == ["2022-01-01", "2022-06-30"]
    lo, hi = res["odds_ratio_ci_overdispersed"]
    assert lo <= res["odds_ratio_ci"][0] and hi >= res["odds_ratio_ci"][1]
    assert res["reading_sv"] and res["verdict"]


@needs_data
def test_lancashire_two_controls_default_windows(lancashire, capsys):
    fx = lancashire
    day = pd.Timestamp("2022-07-01")
    code, out, err = _run(
        [
            "evaluate",
            CSV,
            "--target",
            fx["files"]["target"],
            "--control",
            fx["files"]["control"],
            "--control",
            fx["files"]["control2"],
            "--intervention",
            "2022-07-01",
        ],
        capsys,
    )
    assert code == 0, err
    res = json.loads(out)
    c1 = _by_hand(fx, fx["control"], day, 365, 365)
    c2 = _by_hand(fx, fx["control2"], day, 365, 365)
    assert (res["control_before"], res["control_after"]) == (c1[0] + c2[0], c1[1] + c2[1])
    assert [p["control_before"] for p in res["per_control"]] == [c1[0], c2[0]]
    assert "wdq" not in res and "buffer_before" not in res


def test_python_dash_m_prints_one_json_object(tmp_path):
    day = pd.Timestamp("2023-03-01")
    rows = []
    for i in range(30):
        rows.append(
            {"date": (day - pd.Timedelta(days=5 + i)).date(), "lat": 59.3305, "lon": 18.0605}
        )
        rows.append({"date": (day + pd.Timedelta(days=i)).date(), "lat": 59.3305, "lon": 18.0605})
        rows.append(
            {"date": (day - pd.Timedelta(days=5 + i)).date(), "lat": 59.3405, "lon": 18.0805}
        )
    pd.DataFrame(rows).to_csv(tmp_path / "inc.csv", index=False)
    gpd.GeoDataFrame(geometry=[box(18.06, 59.33, 18.061, 59.331)], crs=4326).to_file(
        tmp_path / "t.geojson"
    )
    gpd.GeoDataFrame(geometry=[box(18.08, 59.34, 18.081, 59.341)], crs=4326).to_file(
        tmp_path / "c.geojson"
    )
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo_trygghet",
            "evaluate",
            str(tmp_path / "inc.csv"),
            "--target",
            str(tmp_path / "t.geojson"),
            "--control",
            str(tmp_path / "c.geojson"),
            "--intervention",
            "2023-03-01",
            "--before",
            "60",
            "--after",
            "60",
        ],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert r.stdout.count("\n") == 1
    assert (
        res["target_before"],
        res["target_after"],
        res["control_before"],
        res["control_after"],
    ) == (30, 30, 30, 0)
    assert res["odds_ratio"] is None and res["odds_ratio_haldane"] is not None


@pytest.mark.parametrize(
    "case",
    [
        "missing_target",
        "bad_date",
        "points_no_radius",
        "overlap",
        "bad_before",
        "not_geo",
        "no_time_column",
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, case):
    pd.DataFrame(
        {"date": ["2023-01-05"] * 12, "lat": [59.3305] * 12, "lon": [18.0605] * 12}
    ).to_csv(tmp_path / "inc.csv", index=False)
    gpd.GeoDataFrame(geometry=[box(18.06, 59.33, 18.061, 59.331)], crs=4326).to_file(
        tmp_path / "t.geojson"
    )
    gpd.GeoDataFrame(geometry=[box(18.08, 59.34, 18.081, 59.341)], crs=4326).to_file(
        tmp_path / "c.geojson"
    )
    gpd.GeoDataFrame(geometry=gpd.points_from_xy([18.07], [59.335]), crs=4326).to_file(
        tmp_path / "p.geojson"
    )
    (tmp_path / "junk.geojson").write_text("this is not geojson")
    args = {
        "input": tmp_path / "inc.csv",
        "--target": tmp_path / "t.geojson",
        "--control": tmp_path / "c.geojson",
        "--intervention": "2023-01-01",
    }
    want = None
    if case == "missing_target":
        args["--target"], want = tmp_path / "nope.geojson", "no such file"
    elif case == "bad_date":
        args["--intervention"], want = "1 januari", "YYYY-MM-DD"
    elif case == "points_no_radius":
        args["--control"], want = tmp_path / "p.geojson", "--radius"
    elif case == "overlap":
        args["--control"], want = tmp_path / "t.geojson", "overlaps the target"
    elif case == "bad_before":
        args["--before"], want = "0", "--before"
    elif case == "not_geo":
        args["--control"], want = tmp_path / "junk.geojson", "junk.geojson"
    elif case == "no_time_column":
        pd.DataFrame({"lat": [59.3305] * 3, "lon": [18.0605] * 3}).to_csv(
            tmp_path / "inc.csv", index=False
        )
    argv = ["evaluate", args.pop("input")]
    for k, v in args.items():
        argv += [k, v]
    code, out, err = _run(argv, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    if want:
        assert want in err


def test_radius_turns_point_target_into_circle(tmp_path, capsys):
    rows = (
        [{"date": "2023-02-10", "lat": 59.3305, "lon": 18.0605}] * 8
        + [{"date": "2022-12-10", "lat": 59.3305, "lon": 18.0605}] * 12
        + [{"date": "2022-12-10", "lat": 59.3405, "lon": 18.0805}] * 10
        + [{"date": "2023-02-10", "lat": 59.3405, "lon": 18.0805}] * 10
        + [{"date": "2023-02-10", "lat": 59.3325, "lon": 18.0605}] * 5
    )  # 222 m north: outside 150 m
    pd.DataFrame(rows).to_csv(tmp_path / "inc.csv", index=False)
    gpd.GeoDataFrame(geometry=gpd.points_from_xy([18.0605], [59.3305]), crs=4326).to_file(
        tmp_path / "t.geojson"
    )
    gpd.GeoDataFrame(geometry=gpd.points_from_xy([18.0805], [59.3405]), crs=4326).to_file(
        tmp_path / "c.geojson"
    )
    code, out, err = _run(
        [
            "evaluate",
            tmp_path / "inc.csv",
            "--target",
            tmp_path / "t.geojson",
            "--control",
            tmp_path / "c.geojson",
            "--radius",
            150,
            "--intervention",
            "2023-01-01",
        ],
        capsys,
    )
    assert code == 0, err
    res = json.loads(out)
    assert (
        res["target_before"],
        res["target_after"],
        res["control_before"],
        res["control_after"],
    ) == (12, 8, 10, 10)
    assert res["odds_ratio"] == pytest.approx(12 * 10 / (8 * 10))


SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.mark.skipif(
    not (SAMPLE / "intervention.json").exists(), reason="sample_data has no intervention yet"
)
def test_sample_municipality_planted_effect_is_recovered(capsys):
    meta = json.loads((SAMPLE / "intervention.json").read_text(encoding="utf-8"))
    files = {k: SAMPLE / v for k, v in meta["files"].items()}
    code, out, err = _run(
        [
            "evaluate",
            files["incidents"],
            "--target",
            files["target"],
            "--control",
            files["controls"],
            "--buffer",
            files["buffer"],
            "--intervention",
            meta["date"],
        ],
        capsys,
    )
    assert code == 0, err
    res = json.loads(out)
    planted_or = 1 / meta["planted_incident_rate_ratio"]
    lo, hi = res["odds_ratio_ci_overdispersed"]
    assert lo <= planted_or <= hi
    assert res["odds_ratio_ci"][0] <= planted_or <= res["odds_ratio_ci"][1]
    lo, hi = res["irr_negbin_ci"]
    assert lo <= meta["planted_incident_rate_ratio"] <= hi
    assert res["verdict"] == "fell"
    # the buffer was thinned to 90 %: diffusion of benefits, not displacement
    if meta.get("planted_buffer_rate_ratio", 1) < 1:
        assert res["wdq"] > 0


def test_same_months_flag(tmp_path, capsys):
    rows = [
        {"date": "2022-03-10", "lat": 59.3305, "lon": 18.0605}
    ] * 12  # same months, one year earlier
    rows += [
        {"date": "2022-09-10", "lat": 59.3305, "lon": 18.0605}
    ] * 40  # in the plain before window only
    rows += [{"date": "2023-03-10", "lat": 59.3305, "lon": 18.0605}] * 6
    rows += [{"date": "2022-03-10", "lat": 59.3405, "lon": 18.0805}] * 10
    rows += [{"date": "2023-03-10", "lat": 59.3405, "lon": 18.0805}] * 10
    pd.DataFrame(rows).to_csv(tmp_path / "inc.csv", index=False)
    gpd.GeoDataFrame(geometry=[box(18.06, 59.33, 18.061, 59.331)], crs=4326).to_file(
        tmp_path / "t.geojson"
    )
    gpd.GeoDataFrame(geometry=[box(18.08, 59.34, 18.081, 59.341)], crs=4326).to_file(
        tmp_path / "c.geojson"
    )
    argv = [
        "evaluate",
        tmp_path / "inc.csv",
        "--target",
        tmp_path / "t.geojson",
        "--control",
        tmp_path / "c.geojson",
        "--intervention",
        "2023-03-01",
        "--after",
        31,
        "--same-months",
    ]
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    res = json.loads(out)
    assert res["windows"]["same_months"] is True
    assert res["windows"]["before"] == ["2022-03-01", "2022-03-31"]
    assert (
        res["target_before"],
        res["target_after"],
        res["control_before"],
        res["control_after"],
    ) == (12, 6, 10, 10)


#: The README's `evaluate` JSON: every key, in this order (with a buffer; without one the three
#: buffer keys and wdq, wdq_reading, wdq_reading_sv are left out).
CONTRACT_KEYS = [
    "target_before", "target_after", "control_before", "control_after", "buffer_before", "buffer_after",
    "odds_ratio", "odds_ratio_ci", "ln_odds_ratio_se", "overdispersion", "overdispersion_df",
    "odds_ratio_ci_overdispersed", "odds_ratio_haldane", "odds_ratio_haldane_ci", "wdq", "wdq_reading",
    "wdq_reading_sv", "wdd", "wdd_variance", "wdd_z", "wdd_p", "irr_poisson", "irr_poisson_ci", "irr_poisson_p",
    "irr_negbin", "irr_negbin_ci", "irr_negbin_p", "irr_poisson_hc_ci", "negbin_alpha", "model_errors", "verdict",
    "reading_sv", "reading_en", "time_resolution", "windows", "per_control", "notes",
]
BUFFER_KEYS = {"buffer_before", "buffer_after", "wdq", "wdq_reading", "wdq_reading_sv"}


@pytest.mark.skipif(not (SAMPLE / "intervention.json").exists(), reason="sample_data has no intervention yet")
def test_the_sample_json_is_pinned_key_by_key(capsys):
    """The README's command on the sample: the keys in their order, the counts, the effect sizes and the
    exact readings (the JSON was byte-identical before and after the follow-up was split into modules)."""
    files = [SAMPLE / f for f in ("incidents.csv", "intervention_target.geojson", "intervention_controls.geojson",
                                  "intervention_buffer.geojson")]
    argv = ["evaluate", files[0], "--target", files[1], "--control", files[2], "--intervention", "2024-01-01"]
    code, out, err = _run([*argv, "--buffer", files[3]], capsys)
    assert code == 0, err
    res = json.loads(out)
    assert list(res) == CONTRACT_KEYS
    assert [res[k] for k in CONTRACT_KEYS[:6]] == [165, 97, 548, 523, 620, 565]
    assert res["odds_ratio"] == pytest.approx(1.6234291519301678, rel=1e-12)
    assert res["odds_ratio_ci"] == pytest.approx([1.2295167192569527, 2.1435432069028373], rel=1e-12)
    assert res["odds_ratio_ci_overdispersed"] == pytest.approx([1.2198953155108823, 2.160449489252255], rel=1e-12)
    assert (res["overdispersion"], res["overdispersion_df"]) == (1.0, 44)
    assert res["odds_ratio_haldane"] is None and res["odds_ratio_haldane_ci"] == [None, None]
    assert res["wdq"] == pytest.approx(0.4417755514650421, rel=1e-12)
    assert (res["wdd"], res["wdd_variance"]) == (-98, 165 + 97 + 548 + 523 + 620 + 565)
    assert res["wdd_p"] == pytest.approx(0.05082174290132679, rel=1e-9)
    assert res["irr_poisson"] == pytest.approx(0.6159800683701259, rel=1e-6)
    assert res["irr_negbin"] == pytest.approx(0.6159800462218417, rel=1e-5)
    assert res["model_errors"] == "quasi-likelihood (Pearson dispersion), t quantile"
    assert res["verdict"] == "fell"
    assert res["wdq_reading"] == "diffusion of benefits: crime also fell in the buffer"
    assert res["wdq_reading_sv"] == "spridning av nytta: brotten minskade även i buffertzonen"
    assert res["reading_sv"] == (
        "Brotten minskade i målområdet i förhållande till kontrollområdet (OR 1,62; 95 % KI 1,22–2,16). "
        "I buffertzonen – spridning av nytta: brotten minskade även i buffertzonen (osäkert: WDD p = 0,051).")
    assert res["reading_en"] == (
        "Crime fell in the target area relative to the control area (OR 1.62; 95 % CI 1.22–2.16). "
        "In the buffer – diffusion of benefits: crime also fell in the buffer (uncertain: WDD p = 0.051).")
    assert res["time_resolution"] == "minute"
    assert res["windows"] == {"intervention": "2024-01-01", "before": ["2023-01-01", "2023-12-31"],
                              "after": ["2024-01-01", "2024-12-30"], "before_days": 365, "after_days": 365,
                              "same_months": False}
    assert [(p["name"], p["control_before"], p["control_after"]) for p in res["per_control"]] == [
        ("intervention_controls.geojson", 548, 523)]
    assert res["notes"] == []
    # without a buffer the buffer keys are left out, the rest keeps its order
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    assert list(json.loads(out)) == [k for k in CONTRACT_KEYS if k not in BUFFER_KEYS]


def test_too_few_incidents_json(tmp_path, capsys):
    """Under ten incidents in the target: the verdict, null effect sizes, the counts and the readings."""
    rows = [{"date": "2022-03-10", "lat": 59.3305, "lon": 18.0605}] * 3
    rows += [{"date": "2023-03-10", "lat": 59.3305, "lon": 18.0605}] * 2
    rows += [{"date": "2022-03-10", "lat": 59.3405, "lon": 18.0805}] * 1200
    rows += [{"date": "2023-03-10", "lat": 59.3405, "lon": 18.0805}] * 30
    pd.DataFrame(rows).to_csv(tmp_path / "inc.csv", index=False)
    gpd.GeoDataFrame(geometry=[box(18.06, 59.33, 18.061, 59.331)], crs=4326).to_file(tmp_path / "t.geojson")
    gpd.GeoDataFrame(geometry=[box(18.08, 59.34, 18.081, 59.341)], crs=4326).to_file(tmp_path / "c.geojson")
    code, out, err = _run(["evaluate", tmp_path / "inc.csv", "--target", tmp_path / "t.geojson", "--control",
                           tmp_path / "c.geojson", "--intervention", "2023-01-01"], capsys)
    assert code == 0, err
    res = json.loads(out)
    assert res["verdict"] == "not enough incidents to say"
    assert [res[k] for k in ("target_before", "target_after", "control_before", "control_after")] == [3, 2, 1200, 30]
    assert res["odds_ratio"] is None and res["irr_poisson"] is None and res["model_errors"] is None
    assert res["reading_sv"] == ("För få brott för att säga något: 5 i målområdet och 1230 i kontrollområdet "
                                 "(minst 10 behövs i vardera).")
    assert res["reading_en"] == ("Not enough incidents to say: 5 in the target and 1230 in the control area "
                                 "(at least 10 needed in each).")
    assert res["notes"][-1] == ("fewer than 10 incidents in the target (5) or the control group (1230): no effect "
                                "sizes are given because any number would look more certain than it is")
