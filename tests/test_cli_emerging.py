"""The emerging and forecast commands, and --resolution auto: files, JSON, messages, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geo_trygghet.cli import main
from geo_trygghet.hotspots.emerging import PATTERNS, pattern_label

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "incidents.csv"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_emerging_writes_the_layers_and_a_swedish_map(tmp_path, capsys) -> None:
    out, html = tmp_path / "e.gpkg", tmp_path / "e.html"
    code, text, _ = run(capsys, "emerging", SAMPLE, "-o", out, "--cube", "--map", html)
    assert code == 0
    assert "cube: 15,604 cells × 24 periods (month, 2023-01 – 2024-12) at H3 resolution 9" in text
    assert "patterns: " in text and "persistent hot spot" in text
    layers = dict(pyogrio.list_layers(out))
    assert layers == {"emerging": "Polygon", "cube": None}
    cells = pyogrio.read_dataframe(out, layer="emerging")
    assert list(cells.columns) == ["h3", "pattern", "pattern_sv", "trend_z", "trend_p", "hot_periods",
                                   "cold_periods", "count", "geometry"]
    assert set(cells["pattern"]) <= set(PATTERNS)
    assert (cells["pattern_sv"] == [pattern_label(p, "sv") for p in cells["pattern"]]).all()
    assert cells.crs.to_epsg() == 4326
    cube = pyogrio.read_dataframe(out, layer="cube")
    assert list(cube.columns) == ["h3", "period", "count", "gi_z", "gi_bin"]
    assert len(cube) == len(cells) * 24 and cube["count"].sum() == cells["count"].sum()
    page = html.read_text(encoding="utf-8")
    assert "Utveckling över tid" in page and "Ihållande het punkt" in page


def test_resolution_auto_chooses_the_same_twice_and_says_why(tmp_path, capsys) -> None:
    chosen = []
    for i in range(2):
        code, text, _ = run(capsys, "emerging", SAMPLE, "-o", tmp_path / f"e{i}.gpkg", "--resolution", "auto")
        assert code == 0
        line = next(x for x in text.splitlines() if "chosen automatically" in x)
        assert "at least 50% of the incidents" in line and "per month" in line
        chosen.append(line)
    assert chosen[0] == chosen[1] and chosen[0].startswith("H3 resolution 9 chosen automatically")
    code, text, _ = run(capsys, "hotspots", SAMPLE, "-o", tmp_path / "h.gpkg", "--resolution", "auto")
    assert code == 0
    line = next(x for x in text.splitlines() if "chosen automatically" in x)
    res = int(line.split()[2])
    assert f"at H3 resolution {res}" in text and 7 <= res <= 10


def _one_line_exit_2(code: int, err: str) -> str:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    return lines[0]


def test_fewer_than_ten_periods_is_exit_2_and_one_line(tmp_path, capsys) -> None:
    code, _, err = run(capsys, "emerging", SAMPLE, "-o", tmp_path / "e.gpkg", "--since", "2024-01-01",
                       "--until", "2024-06-30")
    line = _one_line_exit_2(code, err)
    assert "at least 10 complete periods" in line and "6 months (2024-01 … 2024-06)" in line


def test_month_only_data_asked_for_weeks_is_exit_2_and_one_line(tmp_path, capsys) -> None:
    path = tmp_path / "asb.csv"
    months = pd.date_range("2022-01-01", periods=12, freq="MS").strftime("%Y-%m-%d")
    pd.DataFrame({"month": list(months) * 3, "longitude": [-2.46] * 36, "latitude": [53.76] * 36}).to_csv(path)
    code, _, err = run(capsys, "emerging", path, "-o", tmp_path / "e.gpkg", "--interval", "week")
    assert "months only" in _one_line_exit_2(code, err) and "--interval month or quarter" in err


def test_an_empty_period_range_is_exit_2_and_one_line(tmp_path, capsys) -> None:
    code, _, err = run(capsys, "emerging", SAMPLE, "-o", tmp_path / "e.gpkg", "--since", "2024-03-10",
                       "--until", "2024-03-20")
    assert "no complete month between 2024-03-10 and 2024-03-20" in _one_line_exit_2(code, err)


def test_bad_flags_are_exit_2(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["hotspots", str(SAMPLE), "-o", str(tmp_path / "h.gpkg"), "--resolution", "16"])
    assert exc.value.code == 2 and "'auto'" in capsys.readouterr().err
    code, _, err = run(capsys, "emerging", SAMPLE, "-o", tmp_path / "e.gpkg", "--time-window", "-1")
    assert "--time-window" in _one_line_exit_2(code, err)


def test_forecast_prints_one_json_object_and_writes_the_layer(tmp_path, capsys) -> None:
    out = tmp_path / "f.gpkg"
    code, text, _ = run(capsys, "forecast", SAMPLE, "--train-until", "2024-06-30", "--test-until", "2024-12-31",
                        "-o", out)
    assert code == 0
    assert len(text.strip().splitlines()) == 1
    result = json.loads(text)
    assert result["method"] in ("count", "decay", "kde")
    assert result["coverage"] == [0.01, 0.03, 0.05, 0.1]
    for key in ("hit_rate", "pai", "pei"):
        assert len(result[key]) == 4 and all(v > 0 for v in result[key])
    assert all(0 < v <= 1 for v in result["pei"])
    assert result["at_coverage"]["coverage"] == 0.03 and result["validation"]["candidates"]
    layer = pyogrio.read_dataframe(out, layer="forecast")
    assert list(layer.columns) == ["h3", "predicted", "rank", "observed", "geometry"]
    assert layer["observed"].sum() == result["test_incidents"]
    hot = pyogrio.read_dataframe(tmp_path / "f.gpkg", layer="forecast")["h3"]
    code, _, _ = run(capsys, "hotspots", SAMPLE, "-o", tmp_path / "h.gpkg")
    assert pyogrio.read_dataframe(tmp_path / "h.gpkg", layer="cells")["h3"].tolist() == hot.tolist()


def test_forecast_bad_periods_are_exit_2_and_one_line(tmp_path, capsys) -> None:
    code, _, err = run(capsys, "forecast", SAMPLE, "--train-until", "2024-06-30", "--test-until", "2024-01-31",
                       "-o", tmp_path / "f.gpkg")
    assert "must be after --train-until" in _one_line_exit_2(code, err)
    code, _, err = run(capsys, "forecast", SAMPLE, "--train-until", "2024-12-31", "--test-until", "2025-06-30",
                       "-o", tmp_path / "f.gpkg")
    assert "no incidents from 2025-01-01 to 2025-06-30" in _one_line_exit_2(code, err)
    with pytest.raises(SystemExit) as exc:
        main(["forecast", str(SAMPLE), "--train-until", "2024-06-30", "--test-until", "2024-12-31",
              "-o", str(tmp_path / "f.gpkg"), "--coverage", "3"])
    assert exc.value.code == 2
