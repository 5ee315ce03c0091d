"""The computed follow-up on the sample municipality: its plan as `sample load` makes it, the
planted effect found, the numbers equal to `geo-trygghet evaluate`'s for the same area, controls,
buffer and dates, the goals counted, and `geo-trygghet plan follow-up`'s JSON object."""

from __future__ import annotations

import datetime as dt
import json
import os

import geopandas as gpd
import pytest
from shapely.geometry import shape

from geo_trygghet import schema as S
from geo_trygghet.actionplan import rules
from geo_trygghet.cli import main
from geo_trygghet.ingest.incidents import read_incidents
from geo_trygghet.sample import SAMPLE_DIR, load_sample
from tests._plan_helpers import SYSTEM

TITLE = "Åtgärdsplan Katrineholm 2024"
AS_OF = "2024-12-31"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sample(request, tmp_path_factory):
    from geo_trygghet.actionplan import PlanService
    from geo_trygghet.remarks import RemarkService

    url = None
    if request.param == "sqlite":
        db = f"sqlite:///{tmp_path_factory.mktemp('sample_plan') / 'sample.sqlite'}"
    else:
        from geo_trygghet.remarks.store import create_postgres_database
        from tests.conftest import postgres_server_url

        db = url = create_postgres_database(postgres_server_url())
    remarks = RemarkService(db)
    summary = load_sample(remarks)
    saved = os.environ.get("GEO_TRYGGHET_DATABASE_URL")
    os.environ["GEO_TRYGGHET_DATABASE_URL"] = db
    try:
        yield {"remarks": remarks, "plans": PlanService(remarks.store), "summary": summary}
    finally:
        if saved is None:
            os.environ.pop("GEO_TRYGGHET_DATABASE_URL", None)
        else:
            os.environ["GEO_TRYGGHET_DATABASE_URL"] = saved
        remarks.close()
        if url is not None:
            from geo_trygghet.remarks.store import drop_postgres_database

            drop_postgres_database(url)


@pytest.fixture(scope="module")
def incidents():
    return read_incidents(SAMPLE_DIR / "incidents.csv").gdf


@pytest.fixture(scope="module")
def result(sample, incidents):
    return sample["plans"].follow_up(SYSTEM, TITLE, incidents, as_of=AS_OF)


def test_the_sample_plan_is_realistic(sample):
    assert sample["summary"].plan == f"åtgärdsplan '{TITLE}' loaded: 5 actions, 1 medborgarlöfte"
    view = sample["plans"].get_plan(SYSTEM, TITLE)
    assert view.plan.status == rules.BESLUTAD and [a.nr for a in view.actions] == ["1a", "2a", "3a", "3b", "4a"]
    a = {x.nr: x for x in view.actions}
    intervention = json.loads((SAMPLE_DIR / "intervention.json").read_text(encoding="utf-8"))
    # the intervention with its place and date
    assert a["1a"].description == intervention["name"] and a["1a"].start_date.isoformat() == intervention["date"]
    assert a["1a"].place_kind == rules.PLACE_OWN and a["1a"].controls
    target = gpd.read_file(SAMPLE_DIR / "intervention_target.geojson").geometry.iloc[0]
    assert shape(json.loads(a["1a"].area)).symmetric_difference(target).area < 1e-10
    # the walks' lamp repairs, their remarks linked (the seven fixed ones and one still open)
    lamps = intervention["lamp_repairs"]["remarks"]
    linked = {(r.walk_title, r.number) for r in a["4a"].remarks}
    assert {(x["walk"], x["nr"]) for x in lamps} <= linked and len(linked) == 8
    assert all(r.category == "belysning" for r in a["4a"].remarks)
    # a social action without a place, measurable goals, one medborgarlöfte
    assert a["3b"].kind == rules.SOCIAL and a["3b"].place_kind == rules.PLACE_NONE
    assert sum(g.measurable for x in view.actions for g in x.goals) == 3
    assert [x.nr for x in view.actions if x.promise] == ["3a"]
    # problems keep the figures of the moment the plan was written (November 2023)
    figures = {p.title: p.figures for p in view.problems}
    station = figures["Stölder och skadegörelse vid Resecentrum och stationsområdet"]
    assert station["period_to"] == "2023-11-30" and station["incidents"] > 500
    assert {c for c, _ in station["by_category"]} == {"tillgreppsbrott", "skadegorelse", "brott_mot_frihet_och_frid"}
    # a second load changes nothing
    again = load_sample(sample["remarks"])
    assert again.plan == f"åtgärdsplan '{TITLE}' already present: 5 actions, 1 medborgarlöfte"
    assert [p.title for p in sample["plans"].list_plans(SYSTEM)] == [TITLE]


def test_the_planted_effect_and_the_lights(result):
    f = {x.action.nr: x for x in result.actions}
    e = f["1a"].effect
    assert e is not None and e.control_source == "chosen"
    assert e.verdict == "fell" and e.odds_ratio > 1.3 and e.odds_ratio_ci[0] > 1
    assert (f["1a"].production, f["1a"].light.light) == (rules.GENOMFORD, rules.GRON)
    assert f["2a"].effect.control_source == "suggested" and len(f["2a"].effect.control_names) == 3
    assert (f["2a"].production, f["2a"].light.light) == (rules.DELVIS, rules.GUL)
    assert f["3b"].effect is None and f["3b"].effect_note == "no_place"
    assert (f["3b"].light.light, f["3b"].light.source) == (rules.GRON, "override")
    assert rules.light_for(f["3b"].production, f["3b"].outcome) == rules.GUL  # what the rule alone says
    assert f["4a"].production_from_remarks and f["4a"].remarks.to_dict() == {"linked": 8, "fixed": 7, "closed": 0}
    assert (f["4a"].production, f["4a"].light.light) == (rules.DELVIS, rules.GUL)


def test_a_measurable_goal_counts_the_place(result, incidents):
    goal = result.of("1a").goals[0]
    realised = json.loads((SAMPLE_DIR / "intervention.json").read_text(encoding="utf-8"))["realised"]
    assert goal.baseline == realised["target_before"]  # 2023: the 365 days before the intervention
    assert abs(goal.current - realised["target_after"]) <= 2  # 2024 has 366 days, the evaluation's window 365
    assert goal.target == pytest.approx(0.8 * realised["target_before"])
    assert goal.status == rules.GOAL_MET and goal.met is True
    torget = result.of("3a").goals[0]
    place = shape(json.loads(result.view.place_of(result.of("3a").action)))
    mine = incidents[incidents[S.CATEGORY].isin(["brott_mot_liv_och_halsa", "ordningsstorning"])]
    t = mine[S.OCCURRED_AT]
    inside = mine.geometry.within(place.buffer(1e-9))
    assert torget.current == int((inside & (t >= "2024-01-01") & (t < "2025-01-01")).sum())
    assert torget.baseline == int((inside & (t >= "2023-03-01") & (t < "2024-03-01")).sum())
    assert torget.target == pytest.approx(0.85 * torget.baseline)
    assert torget.status == (rules.GOAL_MET if torget.current <= torget.target else rules.GOAL_NOT_MET)


def _write(path, geometry) -> str:
    path.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": geometry}), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("nr", ["1a", "2a", "3a"])
def test_the_numbers_equal_geo_trygghet_evaluates(result, incidents, tmp_path, capsys, nr):
    """The same area, controls, buffer and dates through the evaluate command give the same numbers."""
    f = result.of(nr)
    e = f.effect
    chosen = incidents[incidents[S.CATEGORY].isin(list(e.categories))] if e.categories else incidents
    frame = chosen[[S.OCCURRED_AT, S.LON, S.LAT]].rename(columns={S.LON: "lon", S.LAT: "lat"})
    frame.to_csv(tmp_path / "incidents.csv", index=False)
    args = ["evaluate", str(tmp_path / "incidents.csv"),
            "--target", _write(tmp_path / "target.geojson", json.loads(result.view.place_of(f.action))),
            "--buffer", _write(tmp_path / "buffer.geojson", json.loads(e.buffer)),
            "--intervention", e.intervention.isoformat(), "--before", str(e.before_days), "--after", str(e.after_days)]
    for i, feature in enumerate(json.loads(e.controls)["features"]):
        args += ["--control", _write(tmp_path / f"control_{i}.geojson", feature["geometry"])]
    assert main(args) == 0
    cli = json.loads(capsys.readouterr().out)
    mine = e.to_dict()
    for key in ("target_before", "target_after", "control_before", "control_after", "buffer_before", "buffer_after",
                "verdict", "reading_sv"):
        assert mine[key] == cli[key], key
    assert mine["odds_ratio"] == pytest.approx(cli["odds_ratio"], rel=1e-12)
    assert mine["odds_ratio_ci"] == pytest.approx(cli["odds_ratio_ci"], rel=1e-12)
    assert mine["wdq"] == pytest.approx(cli["wdq"], rel=1e-12)
    last = min(dt.date(2024, 12, 31), e.intervention + dt.timedelta(days=364))
    assert e.after_days == (last - e.intervention).days + 1


def test_plan_follow_up_prints_the_json_object_of_design(sample, capsys):
    assert main(["plan", "follow-up", TITLE, "--incidents", str(SAMPLE_DIR / "incidents.csv"),
                 "--as-of", AS_OF]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"plan", "actions"} and out["plan"]["title"] == TITLE and out["plan"]["as_of"] == AS_OF
    first = out["actions"][0]
    assert {"nr", "action", "responsible", "due", "production", "effect", "goal", "light"} <= set(first)
    assert (first["nr"], first["responsible"], first["due"], first["light"]) == ("1a", "Trafikverket", "2024-01-31",
                                                                                 "gron")
    assert {"odds_ratio", "odds_ratio_ci", "verdict"} <= set(first["effect"])
    assert len(first["effect"]["odds_ratio_ci"]) == 2
    assert {"baseline", "current", "target", "met"} <= set(first["goal"]) and first["goal"]["met"] is True
    social = next(a for a in out["actions"] if a["nr"] == "3b")
    assert social["effect"] is None and social["goal"] is None and social["light"] == "gron"
    assert [a["light"] for a in out["actions"]] == ["gron", "gul", "gul", "gron", "gul"]
