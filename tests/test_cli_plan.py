"""`geo-trygghet plan list|import|export|follow-up` in-process (the parser, the handlers, the
one-line errors with exit status 2), and the migration that adds the plan's tables."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import pytest
from sqlalchemy import create_engine, inspect, text

from geo_trygghet.cli import main
from geo_trygghet.sample import SAMPLE_DIR

PLAN_TABLES = {"plans", "plan_problems", "plan_causes", "plan_actions", "plan_action_remarks", "plan_goals",
               "plan_events"}


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("GEO_TRYGGHET_DATABASE_URL", url)
    return url


def test_import_list_export_follow_up(db, tmp_path, capsys):
    assert main(["plan", "import", str(SAMPLE_DIR / "atgardsplan_2024.xlsx"), "--title", "Planen i Excel"]) == 0
    out = capsys.readouterr().out
    assert "imported plan 'Planen i Excel' (id 1): 4 causes, 5 actions" in out
    assert "organisations added:" in out  # the sample's VEM are new in an empty database
    assert main(["plan", "list"]) == 0
    assert capsys.readouterr().out == "1\tPlanen i Excel\n"
    for fmt in ("xlsx", "csv", "html", "pdf"):
        target = tmp_path / f"plan.{fmt}"
        assert main(["plan", "export", "1", "--format", fmt, "-o", str(target)]) == 0
        assert f"as {fmt} to {target}" in capsys.readouterr().out
        assert target.stat().st_size > 500
    sheet = openpyxl.load_workbook(tmp_path / "plan.xlsx").active
    assert [c.value for c in sheet[3]] == ["ORSAK", "ÅTGÄRD", "OPERATIVA MÅL", "NÄR", "VEM", "UPPFÖLJNING"]
    assert "Åtgärdsplanen med uppföljning" in (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert main(["plan", "follow-up", "Planen i Excel", "--incidents", str(SAMPLE_DIR / "incidents.csv"),
                 "--as-of", "2024-12-31"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [a["nr"] for a in result["actions"]] == ["1a", "2a", "3a", "3b", "4a"]
    # an imported plan has no places: no effects, lights from the reports and the Excel's colour words
    assert all(a["effect"] is None and a["effect_note"] == "no_place" for a in result["actions"])
    assert [a["light"] for a in result["actions"]] == ["gul", "gul", "gul", "gron", None]


@pytest.mark.parametrize(("argv", "message"), [
    (["plan", "follow-up", "Ingen sådan", "--incidents", "x.csv"], "no åtgärdsplan 'Ingen sådan'"),
    (["plan", "follow-up", "1", "--incidents", "x.csv", "--as-of", "31/12"], "--as-of '31/12' is not a date"),
    (["plan", "export", "1", "--format", "pdf", "-o", "plan.xlsx"], "end the file name in .pdf"),
    (["plan", "import", "finns-inte.xlsx", "--title", "X"], "finns-inte.xlsx"),
    (["plan", "export", "1", "--format", "docx", "-o", "x.docx"], "invalid choice"),
])
def test_mistakes_are_one_line_and_status_2(db, capsys, argv, message):
    from geo_trygghet.actionplan import PlanService
    from geo_trygghet.remarks import Actor

    PlanService(db).create_plan(Actor.system(), "Plan")
    if "docx" in argv:  # argparse's own choice check exits 2 itself
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2
    else:
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_the_console_script_has_the_plan_command():
    run = subprocess.run([sys.executable, "-m", "geo_trygghet", "plan", "--help"], capture_output=True, text=True,
                         timeout=60, check=False)
    assert run.returncode == 0
    for action in ("list", "import", "export", "follow-up"):
        assert action in run.stdout


def test_a_database_before_the_plan_is_upgraded_and_can_go_back(db):
    """A database at revision 0002 (before the åtgärdsplan) opens at head with its data; the plan's
    migration goes down again cleanly."""
    from alembic import command

    from geo_trygghet.actionplan import PlanService
    from geo_trygghet.remarks import Actor, RemarkService
    from geo_trygghet.remarks.store import alembic_config

    engine = create_engine(db)
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0002")
            conn.execute(text("INSERT INTO organisations (name, created_at) VALUES ('Gatukontoret', '2025-01-01')"))
        assert not PLAN_TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    plans = PlanService(db)
    try:
        plan = plans.create_plan(Actor.system(), "Efter uppgraderingen")
        plans.add_cause(Actor.system(), plan, "Orsak")
        plans.add_action(Actor.system(), plan, 1, "Åtgärd", responsible="Gatukontoret")
        assert [o.name for o in RemarkService(plans.store).list_organisations()] == ["Gatukontoret"]
    finally:
        plans.close()
    engine = create_engine(db)
    try:
        assert set(inspect(engine).get_table_names()) >= PLAN_TABLES
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0002")
        assert not PLAN_TABLES & set(inspect(engine).get_table_names())
        assert "organisations" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
