"""The handbook's table in and out: a plan kept in Excel (headers in other case and order, title
lines, blank rows, causes spanning several actions, numbered causes and actions), the same as CSV,
the errors a person can make, and the export read back."""

from __future__ import annotations

import datetime as dt
import uuid

import openpyxl
import pandas as pd
import pytest

from geo_trygghet.actionplan import rules
from geo_trygghet.actionplan.export import HEADERS, export_plan, handbook_table
from geo_trygghet.actionplan.importer import import_plan, read_plan_rows
from geo_trygghet.errors import InputError, SchemaError
from tests._plan_helpers import SYSTEM, make_plan, module_env_fixture


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def env(request, tmp_path_factory):
    yield from module_env_fixture(request, tmp_path_factory)


def _title() -> str:
    return f"Importerad {uuid.uuid4().hex[:8]}"


def handbook_workbook(path) -> None:
    """A plan as a samordnare keeps it: a title, a blank line, the headers in another order and case,
    a cause merged over two actions, another repeated by number, blank rows, dates in two forms."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Åtgärdsplan Centrum 2024 – beslutad i styrgruppen 12 december"])
    ws.append([])
    ws.append(["Vem", "åtgärd", "Orsak", "när", "Uppföljning", "operativa mål"])
    ws.append(["Gatukontoret, Anna Andersson 0150-123 45", "1a. Byt armaturer längs Åvägen", "1. Mörka gångstråk",
               "2024-03-01 – 2024-04-30", "Genomförd 2024-04-20. Grön: färre anmälningar", "Alla lampor lagade"])
    ws.append(["Gatukontoret", "1b) Klipp buskarna vid gångtunneln", None, dt.datetime(2024, 5, 31),
               "Delvis genomförd", "Fri sikt\nBättre belysning"])
    ws.append([None, None, None, None, None, None])
    ws.append(["Fritidsgården; föreståndaren", "2a Föräldravandringar fredagar", "2) Få vuxna ute på kvällarna",
               "hela hösten", "Ej genomförd: inga föräldrar anmälde sig. Röd", None])
    ws.append(["Polisen", "1c. Polisen patrullerar Åvägen", "1", "juni 2024", None, None])
    ws.merge_cells("C4:C5")
    wb.save(path)


def test_a_handbook_style_excel_is_read_row_by_row(tmp_path):
    handbook_workbook(tmp_path / "plan.xlsx")
    rows, notes = read_plan_rows(tmp_path / "plan.xlsx")
    assert notes == []
    assert [(r.cause_key, r.action_text) for r in rows] == [
        (1, "Byt armaturer längs Åvägen"), (1, "Klipp buskarna vid gångtunneln"),
        (2, "Föräldravandringar fredagar"), (1, "Polisen patrullerar Åvägen")]
    assert rows[1].cause_text == rows[0].cause_text == "Mörka gångstråk"  # the merged cell spans both
    assert (rows[0].start, rows[0].due) == (dt.date(2024, 3, 1), dt.date(2024, 4, 30))
    assert (rows[1].start, rows[1].due) == (None, dt.date(2024, 5, 31))
    assert rows[2].when_text == "hela hösten" and rows[2].due is None
    assert rows[3].due == dt.date(2024, 6, 30) and rows[3].when_text == "juni 2024"
    assert rows[1].goals == ("Fri sikt", "Bättre belysning")
    assert (rows[0].production, rows[0].production_date, rows[0].light) == (rules.GENOMFORD, dt.date(2024, 4, 20),
                                                                            rules.GRON)
    assert (rows[1].production, rows[2].production, rows[2].light) == (rules.DELVIS, rules.EJ_GENOMFORD, rules.ROD)
    assert rows[3].follow_up is None


def test_import_makes_the_plan_with_owners_and_contacts(env, tmp_path):
    handbook_workbook(tmp_path / "plan.xlsx")
    title = _title()
    summary = import_plan(env.plans, tmp_path / "plan.xlsx", title)
    assert (summary.causes, summary.actions, summary.goals, summary.reports, summary.lights) == (2, 4, 3, 3, 2)
    assert set(summary.organisations_created) <= {"Fritidsgården", "Polisen"}
    view = env.plans.get_plan(SYSTEM, title)
    assert [a.nr for a in view.actions] == ["1a", "1b", "1c", "2a"]
    a = {x.nr: x for x in view.actions}
    assert (a["1a"].responsible_name, a["1a"].contact) == ("Gatukontoret", "Anna Andersson 0150-123 45")
    assert (a["2a"].responsible_name, a["2a"].contact) == ("Fritidsgården", "föreståndaren")
    assert (a["1a"].production, a["1a"].production_date, a["1a"].light_override) == (
        rules.GENOMFORD, dt.date(2024, 4, 20), rules.GRON)
    assert "UPPFÖLJNING" in a["1a"].light_reason and "färre anmälningar" in a["1a"].light_reason
    assert a["1b"].process_note == "Delvis genomförd" and a["1b"].light_override is None
    assert a["1c"].production == rules.EJ_RAPPORTERAD
    assert view.causes[0].text == "Mörka gångstråk" and view.causes[1].text == "Få vuxna ute på kvällarna"
    history = env.plans.history(SYSTEM, title)
    assert any(e.note and "plan.xlsx row 4" in e.note for e in history)


def test_the_same_plan_as_csv_with_semicolons(env, tmp_path):
    rows = [["ÅTGÄRD", "ORSAK", "NÄR", "VEM"], ["1a. Laga lampan", "1. Mörkt", "2024-02-01", "Gatukontoret"],
            ["1b. Skylta om", "", "", ""], ["", "", "", ""], ["2a. Vandra", "2. Otryggt", "2024-09-01", ""]]
    (tmp_path / "plan.csv").write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    summary = import_plan(env.plans, tmp_path / "plan.csv", _title())
    view = env.plans.get_plan(SYSTEM, summary.plan_id)
    assert [(a.nr, a.description, a.due_date) for a in view.actions] == [
        ("1a", "Laga lampan", dt.date(2024, 2, 1)), ("1b", "Skylta om", None), ("2a", "Vandra", dt.date(2024, 9, 1))]
    assert any("no OPERATIVA MÅL" in n for n in summary.notes)


@pytest.mark.parametrize(("rows", "error", "match"), [
    ([["ORSAK", "MÅLGRUPP"], ["1. x", "y"]], SchemaError, "ORSAK, ÅTGÄRD"),
    ([["ÅTGÄRD", "VEM"], ["Laga lampan", "Gatukontoret"]], InputError, "row 2: ÅTGÄRD 'Laga lampan' has no ORSAK"),
    ([["ORSAK", "ÅTGÄRD"], ["1. En", "1a. x"], ["1. Annan text", "1b. y"]], InputError, "row 3: ORSAK 1 is written"),
    ([["ORSAK", "ÅTGÄRD", "NÄR"], ["1. En", "1a. x", "2024-02-30"]], InputError, "row 2: NÄR"),
    ([["ORSAK", "ÅTGÄRD"], ["1. En", ""]], InputError, "no actions"),
])
def test_errors_name_the_file_row_and_fix(tmp_path, rows, error, match):
    (tmp_path / "fel.csv").write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(error, match=match) as caught:
        read_plan_rows(tmp_path / "fel.csv")
    assert "fel.csv" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_is_the_handbooks_table_and_reads_back(env, tmp_path, fmt):
    made = make_plan(env, _title())
    env.plans.report(SYSTEM, made["a2"].id, production="delvis", production_date="2024-05-01", count=3)
    view = env.plans.get_plan(SYSTEM, made["plan"])
    out = export_plan(view, tmp_path / f"plan.{fmt}")
    frame = pd.read_excel(out, header=2) if fmt == "xlsx" else pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame.columns) == list(HEADERS)
    assert frame["ÅTGÄRD"].tolist() == ["1a. Laga belysningen", "1b. Trimma buskarna", "2a. Föräldravandringar"]
    assert frame["ORSAK"].fillna("").tolist() == ["1. Trasig belysning", "", "2. Få vuxna ute på kvällen"]
    assert frame["UPPFÖLJNING"].tolist()[1].startswith("Gul. Delvis genomförd 2024-05-01 (3 st)")
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(out).active
        assert sheet.cell(5, 6).fill.fgColor.rgb.endswith("FCE8B2")  # 1b's UPPFÖLJNING is yellow
    back = import_plan(env.plans, out, _title())
    again = env.plans.get_plan(SYSTEM, back.plan_id)
    assert [(a.nr, a.description, a.responsible_name, a.start_date, a.due_date) for a in again.actions] == [
        (a.nr, a.description, a.responsible_name, a.start_date, a.due_date) for a in view.actions]
    assert [c.text for c in again.causes] == [c.text for c in view.causes]
    assert again.action("1b").production == rules.DELVIS


def test_the_sample_plans_excel_copy_imports(env):
    from geo_trygghet.sample import SAMPLE_DIR

    summary = import_plan(env.plans, SAMPLE_DIR / "atgardsplan_2024.xlsx", _title())
    assert (summary.causes, summary.actions) == (4, 5)
    view = env.plans.get_plan(SYSTEM, summary.plan_id)
    assert view.action("3b").light_override == rules.GRON and view.action("1a").due_date == dt.date(2024, 1, 31)
    table = handbook_table(view)
    assert table["ORSAK"].tolist()[3] == ""  # 3b continues cause 3
