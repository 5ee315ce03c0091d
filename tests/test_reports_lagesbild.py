"""The lägesbild report: every section present, user text escaped, small counts
suppressed, and the PDF renders."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import numpy as np
import pandas as pd
import pytest

from geo_trygghet import schema as S
from geo_trygghet.errors import InputError
from geo_trygghet.hotspots.gistar import hotspots
from geo_trygghet.reports._html import esc, fmt_value, page, table_html
from geo_trygghet.reports.lagesbild import lagesbild_report, write_report

from .test_patterns import _areas, make_incidents

EVIL = '<img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    rng = np.random.default_rng(99)
    df = make_incidents(rng, months=24, base_per_day=3.0, growth_per_year=0.3, weekend_night_share=0.4,
                        hot_share=0.25)
    df.loc[df.index[:5], S.CRIME_TYPE] = EVIL  # a hostile crime-type text from a file
    return df


@pytest.fixture(scope="module")
def result(incidents):
    return hotspots(incidents, resolution=9, seed=1)


@pytest.fixture(scope="module")
def report(incidents, result) -> str:
    areas = _areas()
    areas.loc[0, "namn"] = "<script>alert('area')</script>"
    return lagesbild_report(incidents, title="Lägesbild <script>alert(1)</script>", areas=areas,
                            reference="kommun", hotspot_result=result, made_on=date(2025, 1, 15))


def test_report_has_every_section(report):
    for heading in ("Sammanfattning: stödfrågorna", "Vanligaste problemen", "Utveckling över tid", "Säsong",
                    "Veckodag och tid på dygnet", "Per 100 000 invånare och år", "Hot spots (Getis-Ord Gi*)",
                    "Största hot spot-områdena", "Utveckling per brottskategori", "Hetaste cellerna"):
        assert f"<h2>{heading}</h2>" in report or f"<h3>{heading}</h3>" in report, heading
    for q in ("Är fenomenet mer omfattande än referensvärdet?", "Har det skett en ökning eller minskning över tid?",
              "Finns det säsongsvariationer?", "Är fenomenet koncentrerat till vissa dagar?",
              "Är fenomenet koncentrerat till vissa tider på dygnet?", "Vilka problem är vanligast?"):
        assert esc(q) in report
    # trend chart, season chart, heatmap, rates chart, hot-spot map
    assert report.count('src="data:image/png;base64,') == 5
    assert "Framtagen: 2025-01-15" in report
    # planted +30 %/year in every category: the biggest one is judged rising in the per-category table
    section = report.split("<h3>Utveckling per brottskategori</h3>")[1].split("</table>")[0]
    first_row = section.split("<tbody>")[1].split("</tr>")[0]
    assert "Stöld, rån och andra tillgreppsbrott" in first_row and "ökande" in first_row


def test_user_text_is_escaped(report):
    assert "<script>" not in report
    assert EVIL not in report
    assert esc(EVIL) in report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert "&lt;script&gt;alert(&#x27;area&#x27;)&lt;/script&gt;" in report


def test_small_cells_never_show_their_count(incidents, result, report):
    cells = result.cells.set_index(S.H3)
    rows = re.findall(r"<tr><td>([0-9a-f]{15})</td><td class=\"num\">([^<]*)</td>", report)
    assert rows, "the hottest-cells table should list cells"
    for h3, shown in rows:
        true = int(cells.loc[h3, S.COUNT])
        if 1 <= true <= 2:
            assert shown == "–"
        else:
            assert shown.replace(" ", "") == str(true)
    # the crime type with 5 rows is shown; a table row with 1-2 would be blanked
    small = make_incidents(np.random.default_rng(1), months=12)
    small.loc[small.index[:2], S.CRIME_TYPE] = "Mycket ovanligt brott"
    html = lagesbild_report(small, title="t")
    row = re.search(r"<td>Mycket ovanligt brott</td><td class=\"num\">([^<]*)</td>", html)
    assert row is not None and row.group(1) == "–"


def test_suppressed_cell_with_high_z_is_blank():
    # a cell with 2 incidents surrounded by busy cells is hot by Gi* yet must not show its 2
    rng = np.random.default_rng(4)
    df = make_incidents(rng, months=12, base_per_day=0.2)
    import h3

    centre = h3.latlng_to_cell(60.67, 17.14, 9)
    lat0, lon0 = h3.cell_to_latlng(centre)
    ring = [c for c in h3.grid_ring(centre, 1)]
    extra = []
    for c in ring:
        la, lo = h3.cell_to_latlng(c)
        extra += [(la, lo)] * 40
    extra += [(lat0, lon0)] * 2
    more = pd.DataFrame({S.OCCURRED_AT: pd.Timestamp("2022-06-01 12:00"), S.TIME_RESOLUTION: "minute",
                         S.CRIME_TYPE: "Klotter", S.CATEGORY: "skadegorelse",
                         S.LAT: [e[0] for e in extra], S.LON: [e[1] for e in extra]})
    df = pd.concat([df, more], ignore_index=True)
    res = hotspots(df, resolution=9)
    row = res.cells.set_index(S.H3).loc[centre]
    assert row[S.COUNT] == 2 and row[S.GI_BIN] > 0
    html = lagesbild_report(df, title="t", hotspot_result=res)
    assert f"<td>{centre}</td>" not in html  # blanked cells are not listed among the hottest
    assert html.count("<td>89") >= 1


def test_english_report(incidents):
    html = lagesbild_report(incidents, title="Situation picture", lang="en", population=30_000,
                            reference=4000.0)
    assert "<h2>Summary: the guiding questions</h2>" in html
    assert "Is it more extensive than the reference value?" in html
    assert 'lang="en"' in html
    n = len(incidents)
    assert f"{n:,}" in html  # English thousands separator in the tables and sentences
    with pytest.raises(InputError):
        lagesbild_report(incidents, title="x", lang="fi")


def test_write_report_html_and_pdf(tmp_path, report):
    h = write_report(report, tmp_path / "lagesbild.html")
    assert h.read_text(encoding="utf-8") == report
    pdf = write_report(report, tmp_path / "out" / "lagesbild.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
                       check=True, capture_output=True)
        pngs = list(tmp_path.glob("p-*.png"))
        assert pngs and pngs[0].stat().st_size > 5_000
    with pytest.raises(InputError):
        write_report(report, tmp_path / "lagesbild.docx")


def test_html_helpers_escape_and_format():
    df = pd.DataFrame({"namn <b>": ["<i>x</i>", None], "antal": [1234, 5], "andel": [0.5, np.nan]})
    out = table_html(df)
    assert "<i>" not in out and "&lt;i&gt;x&lt;/i&gt;" in out and "namn &lt;b&gt;" in out
    assert "1 234" in out and "0,5" in out and "–" in out
    assert "<b>" in table_html(pd.DataFrame({"a": ["<b>ok</b>"]}), escape=False)
    en = table_html(df, lang="en")
    assert "1,234" in en and "0.5" in en
    assert fmt_value(-3.25, decimals=1) == "−3,2" and fmt_value(-3.25, decimals=1, lang="en") == "-3.2"
    assert fmt_value(np.int64(12345)) == "12 345" and fmt_value(True, lang="en") == "yes"
    doc = page("T <x>", "<p>body</p>", lang="en")
    assert "<title>T &lt;x&gt;</title>" in doc and "<p>body</p>" in doc and "@page" in doc
