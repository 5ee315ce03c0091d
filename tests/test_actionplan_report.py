"""The styrgrupp's report (HTML and PDF), the plan's map and the exports, with hostile text in
every free-text field: it stays text in the report, the map's popups and the spreadsheets. The PDF
is rendered to images with pdftoppm (poppler-utils) and its text read back with pdftotext."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest

from geo_trygghet.actionplan import follow_up
from geo_trygghet.actionplan.export import export_plan
from geo_trygghet.maps.actionplan import plan_map, promise_map
from geo_trygghet.remarks import Actor, RemarkService
from geo_trygghet.reports.actionplan import plan_report_html, write_plan_report
from tests._plan_helpers import TORGET

SYSTEM = Actor.system()
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)> ${1+1} **fet**'
FORMULA = '=HYPERLINK("http://example.com","klicka")'
RAW = ("<script>alert", "<img src=x onerror", "<img src=x")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A plan whose every free-text field (and its organisation's name) is hostile."""
    from geo_trygghet.actionplan import PlanService

    remarks = RemarkService(f"sqlite:///{tmp_path_factory.mktemp('xss') / 'xss.sqlite'}")
    plans = PlanService(remarks.store)
    remarks.create_organisation(SYSTEM, f"Org {XSS}")
    walk = remarks.create_walk(SYSTEM, "Vandring")
    r = remarks.submit_remark(Actor.participant(walk.join_code), walk, "00000000-0000-0000-0000-0000000000aa",
                              "belysning", XSS, lon=16.195, lat=58.992)
    plan = plans.create_plan(SYSTEM, f"Plan {XSS}", area_name=XSS, period_start="2024-01-01", period_end="2024-12-31",
                             decided_date="2023-12-01")
    problem = plans.add_problem(SYSTEM, plan, f"Problem {XSS}", description=XSS, area=TORGET)
    plans.add_cause(SYSTEM, plan, f"Orsak {XSS}", problem_id=problem.id)
    action = plans.add_action(SYSTEM, plan, 1, f"Åtgärd {XSS}", responsible=f"Org {XSS}", contact=XSS, when_text=XSS,
                              start_date="2024-02-01", due_date="2024-03-01", place_kind="problem", promise=True,
                              promise_text=f"Löfte {XSS}", remark_ids=[r.id])
    plans.add_goal(SYSTEM, action.id, f"Mål {XSS}", measurable=True, target_change=-0.1)
    plans.report(SYSTEM, action.id, production="genomford", production_date="2024-03-01", process_note=FORMULA)
    plans.override_light(SYSTEM, action.id, "grön", f"Skäl {XSS}")
    view = plans.get_plan(SYSTEM, plan)
    yield {"view": view, "plans": plans, "follow": follow_up(view, None, as_of="2024-12-31")}
    remarks.close()


def _assert_inert(doc: str) -> None:
    for raw in RAW:
        assert raw not in doc, raw


def test_the_report_html_keeps_every_field_as_text(hostile):
    for for_pdf in (False, True):
        doc = plan_report_html(hostile["view"], hostile["follow"], for_pdf=for_pdf)
        _assert_inert(doc)
        visible = doc.replace("\u200b", "").replace("- ", "").replace("/ ", "/")
        for piece in ("Plan &lt;script&gt;", "Problem", "Orsak &lt;script&gt;", "Åtgärd &lt;script&gt;",
                      "Löfte &lt;script&gt;", "Mål &lt;script&gt;", "Skäl &lt;script&gt;", "Org &lt;script&gt;",
                      "&lt;img src=x onerror=alert(1)&gt;"):
            assert piece in visible, piece
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in visible


def test_the_maps_popups_are_json_strings_of_escaped_text(hostile):
    doc = plan_map(hostile["view"], hostile["follow"]).get_root().render()
    _assert_inert(doc)
    popups = re.findall(r"bindPopup\((\".*?\"), \{maxWidth", doc)
    assert popups, "no popup bound"
    texts = [json.loads(p) for p in popups]
    assert any("Åtgärd &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img" in x for x in texts)
    assert all("<script" not in x and "<img" not in x for x in texts)
    public = promise_map(hostile["plans"].public_promises(None)).get_root().render()
    _assert_inert(public)
    assert "Org" not in " ".join(json.loads(p) for p in re.findall(r"bindPopup\((\".*?\"), \{", public))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_exports_keep_text_and_refuse_formulas(hostile, tmp_path, fmt):
    out = export_plan(hostile["view"], tmp_path / f"plan.{fmt}", follow_up=hostile["follow"])
    if fmt == "xlsx":
        cells = [str(c.value) for row in openpyxl.load_workbook(out).active.iter_rows() for c in row if c.value]
    else:
        cells = [str(v) for v in pd.read_csv(out, encoding="utf-8-sig").to_numpy().ravel() if isinstance(v, str)]
    joined = "\n".join(cells)
    assert f"Åtgärd {XSS}" in joined and f"Orsak {XSS}" in joined
    followup = next(c for c in cells if "Skäl" in c)
    assert FORMULA in followup and not followup.startswith("=")
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_pdf_renders_and_holds_the_text(hostile, tmp_path):
    pdf = write_plan_report(hostile["view"], tmp_path / "rapport.pdf", hostile["follow"])
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and all(p.stat().st_size > 2000 for p in pages)
    if shutil.which("pdftotext"):
        subprocess.run(["pdftotext", str(pdf), str(tmp_path / "rapport.txt")], check=True, timeout=60)
        words = " ".join((tmp_path / "rapport.txt").read_text(encoding="utf-8").split()).replace("- ", "")
        assert "<script>" in words.replace(" ", "") and "onerror" in words


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_sample_plans_report(tmp_path):
    """The sample's report as the styrgrupp gets it: every section, the lights, the map image."""
    from geo_trygghet.actionplan import PlanService
    from geo_trygghet.hotspots import hotspots
    from geo_trygghet.ingest.incidents import read_boundary, read_incidents
    from geo_trygghet.sample import SAMPLE_DIR, load_sample

    remarks = RemarkService(f"sqlite:///{tmp_path / 's.sqlite'}")
    try:
        load_sample(remarks)
        plans = PlanService(remarks.store)
        incidents = read_incidents(SAMPLE_DIR / "incidents.csv").gdf
        view = plans.get_plan(SYSTEM, "Åtgärdsplan Katrineholm 2024")
        follow = follow_up(view, incidents, as_of="2024-12-31")
        cells = hotspots(incidents, boundary=read_boundary(SAMPLE_DIR / "tatort.geojson").geometry.union_all()).cells
        doc = plan_report_html(view, follow, hotspot_cells=cells, for_pdf=True)
        for heading in ("Åtgärdsplanen med uppföljning", "Effekt per åtgärd", "Operativa mål", "Karta",
                        "Genomförande och process", "Medborgarlöften", "Så sätts färgerna"):
            assert heading in doc, heading
        assert doc.count('class="light"') == 5 + 1  # five actions in the table, one light set by hand
        assert 'src="data:image/png;base64,' in doc
        pdf = write_plan_report(view, tmp_path / "rapport.pdf", follow, hotspot_cells=cells)
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "p")], check=True, timeout=120)
        assert len(list(tmp_path.glob("p*.png"))) >= 3
    finally:
        remarks.close()
