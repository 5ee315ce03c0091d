"""The follow-up report (reports.evaluation): content matches the result, user text is
escaped, the page is self-contained, and the PDF renders (checked as an image)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo_trygghet.followup import evaluate
from geo_trygghet.reports.evaluation import (
    counts_table,
    effect_table,
    evaluation_report,
    monthly_series,
    write_report,
)

REPO = Path(__file__).resolve().parents[1]
EVIL = '<img src=x onerror="alert(1)">'
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = REPO / "sample_data"
    if (folder / "incidents.csv").is_file():
        return folder
    out = tmp_path_factory.mktemp("sample")
    subprocess.run([sys.executable, str(folder / "make_sample.py"), str(out)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def incidents(sample):
    from geo_trygghet.ingest.incidents import read_incidents

    return read_incidents(sample / "incidents.csv").gdf


@pytest.fixture(scope="module")
def areas(sample) -> gpd.GeoDataFrame:
    """The sample's areas, with the names an uploaded file might carry (hostile)."""
    meta = json.loads((sample / "intervention.json").read_text(encoding="utf-8"))
    parts = [gpd.read_file(sample / meta["files"][k]) for k in ("target", "controls", "buffer")]
    gdf = pd.concat(parts, ignore_index=True)[["name", "role", "geometry"]]
    gdf.loc[gdf["role"] == "target", "name"] = f"Resecentrum {EVIL}"
    return gpd.GeoDataFrame(gdf, geometry="geometry", crs=parts[0].crs)


@pytest.fixture(scope="module")
def result(incidents, areas):
    controls = areas[areas["role"] == "control"]
    names = [f"{n} {SCRIPT}" if i == 0 else str(n) for i, n in enumerate(controls["name"])]
    return evaluate(incidents, target=areas[areas["role"] == "target"],
                    controls=[controls.iloc[[i]] for i in range(len(controls))], control_names=names,
                    buffer=areas[areas["role"] == "buffer"], intervention="2024-01-01")


def _text(page: str) -> str:
    """The page's visible text (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", page, flags=re.DOTALL)))


def test_report_shows_the_result(result, areas):
    page = evaluation_report(result, title="Uppföljning Resecentrum", areas=areas)
    text = " ".join(_text(page).split())
    counts = counts_table(result, "sv")
    assert list(counts["Före"][:2]) == [result.target_before, result.control_before]
    for n in (result.target_before, result.target_after, result.control_before, result.control_after,
              result.buffer_before, result.buffer_after):
        assert f'<td class="num">{n}</td>' in page, n
    assert result.reading("sv") in text
    effects = effect_table(result, "sv")
    for value, ci in zip(effects["Värde"], effects["95 % KI"], strict=True):
        assert value in text and ci in text
    assert f"{result.odds_ratio.value:.2f}".replace(".", ",") in text
    assert "2024-01-01" in text
    # two charts (time series, map), embedded, and nothing fetched from elsewhere
    assert page.count('src="data:image/png;base64,') == 2
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_report_escapes_user_text(result, areas):
    page = evaluation_report(result, title=f"Rapport {SCRIPT}", subtitle=EVIL, areas=areas)
    assert "<script>" not in page and "<img src=x" not in page
    assert html.escape(SCRIPT) in page  # title (and the control name in the tables)
    assert html.escape(EVIL, quote=True) in page
    assert "Kontroll: " + html.escape(result.per_control[0].name) in page


def test_english_report(result, areas):
    page = evaluation_report(result, title="Follow-up", areas=areas, lang="en")
    text = " ".join(_text(page).split())
    assert result.reading("en") in text
    assert "Odds ratio (Campbell), OR" in text and f"{result.odds_ratio.value:.2f}" in text


def test_too_few_incidents_report(incidents):
    from geo_trygghet.followup import circle_area

    # a 25 m circle in the countryside: no incidents in the target
    target = circle_area(16.30, 59.05, 25)
    control = circle_area(16.1962, 58.9921, 400)
    res = evaluate(incidents, target=target, controls=control, intervention="2024-01-01")
    page = evaluation_report(res, title="För få")
    text = _text(page)
    assert "För få brott för att säga något" in text
    assert effect_table(res, "sv")["Värde"].tolist() == ["–"]


def test_monthly_series_scales_to_30_days(result):
    long = monthly_series(result, "sv")
    target = long[long["role"] == "target"]
    mon = result.monthly[result.monthly["days"] > 0]
    assert np.allclose(target["value"].to_numpy(), mon["target"].to_numpy() * 30 / mon["days"].to_numpy())
    control = long[long["role"] == "control"]["value"].to_numpy()
    names = [pc.name for pc in result.per_control]
    assert np.allclose(control, mon[names].sum(axis=1).to_numpy() * 30 / mon["days"].to_numpy() / len(names))


def test_pdf_renders(result, areas, tmp_path):
    page = evaluation_report(result, title="Uppföljning − Resecentrum", areas=areas)
    pdf = write_report(page, tmp_path / "uppfoljning.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
    assert write_report(page, tmp_path / "uppfoljning.html").read_text(encoding="utf-8") == page
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: the PDF was written but not looked at")
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) >= 2  # tables and charts do not fit one A4 page
    from PIL import Image

    first = np.asarray(Image.open(pngs[0]).convert("L"), dtype=float)
    assert first.std() > 10  # not a blank page
    out = REPO / "test-artifacts" / "reports"
    out.mkdir(parents=True, exist_ok=True)
    for p in pngs:
        shutil.copy(p, out / f"evaluation_{p.name}")
