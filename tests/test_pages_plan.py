"""AppTest of the åtgärdsplan's pages through app.py on a fresh SQLite database and the kept sample
incidents: an analyst builds a plan from a hot spot (plan, problem with its figures, cause, action
with an owner and dates), the "Lägg till i åtgärdsplan" widget on its own, a problemägare reports
its action in "Mina uppgifter", the public page shows the medborgarlöfte without names, and
hostile text stays text on the pages."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo_trygghet.actionplan import rules
from tests._plan_helpers import SYSTEM, make_env, make_plan

REPO = Path(__file__).resolve().parents[1]
XSS = "<img src=x onerror=alert(1)> <script>alert(2)</script> **fet**"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('plan_pages') / 'app.sqlite'}"
    saved = os.environ.get("GEO_TRYGGHET_DATABASE_URL")
    os.environ["GEO_TRYGGHET_DATABASE_URL"] = url
    e = make_env(url)
    try:
        yield e
    finally:
        e.close()
        if saved is None:
            os.environ.pop("GEO_TRYGGHET_DATABASE_URL", None)
        else:
            os.environ["GEO_TRYGGHET_DATABASE_URL"] = saved


def open_page(env, role: str, page: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    at.session_state["role"] = role
    at.session_state["actor"] = env.actors[{"analytiker": "anna", "problemagare": "gata"}.get(role, role)]
    at.run()
    at.switch_page(f"geo_trygghet/ui/pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    at.button[[b.label for b in at.button].index(label)].click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == []
    return at


def handbook(at: AppTest):
    """The handbook's table on the plan page (the dataframe with an ÅTGÄRD column)."""
    return next(d.value for d in at.dataframe if "ÅTGÄRD" in d.value.columns)


def live_html(text: str) -> bool:
    """Whether markdown source holds an HTML tag that is not backslash-escaped (CommonMark shows
    ``\\<img …`` as text; an unescaped ``<img`` or ``<script`` would be markup)."""
    return re.search(r"(?<!\\)<(img|script)", text) is not None


def markdown_text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def test_an_analyst_builds_a_plan_from_a_hot_spot(env):
    at = open_page(env, "analytiker", "plan")
    title = "Åtgärdsplan från lägesbilden"
    at.text_input(key="ap_new_title").set_value(title)
    at.text_input(key="ap_new_area").set_value("Centrum")
    click(at, "Skapa planen")
    plan = next(p for p in env.plans.list_plans(SYSTEM) if p.title == title)
    assert at.session_state["ap_plan"] == plan.id  # the new plan is shown

    # the problem: a hot-spot area of the kept sample data, with the figures of the moment
    assert at.radio(key="ap_problem_source").value == "hotspot"
    assert at.radio(key="ap_hs_kind").value == "area"
    area = at.selectbox(key="ap_hs_area")
    assert area.options, "the sample's hot spots give hot-spot areas"
    assert any("händelser" in c.value for c in at.caption)  # the figures shown before adding
    at.text_input(key="ap_add_title").set_value("Stölder vid Resecentrum")
    click(at, "Lägg till i åtgärdsplan")
    view = env.plans.get_plan(SYSTEM, plan)
    (problem,) = view.problems
    assert problem.title == "Stölder vid Resecentrum" and problem.place_kind == "polygon"
    assert problem.figures["incidents"] > 0 and problem.figures["by_category"]

    at.text_area(key="ap_cause_text").set_value("Mörkt och ingen naturlig övervakning")
    at.selectbox(key="ap_cause_problem").set_value(problem.id)
    click(at, "Lägg till orsak")
    at.text_area(key="ap_action_new_description").set_value("Ny belysning vid cykelparkeringen")
    at.selectbox(key="ap_action_new_responsible").set_value(env.orgs["gata"].id)
    at.date_input(key="ap_action_new_start").set_value(dt.date(2024, 3, 1))
    at.date_input(key="ap_action_new_due").set_value(dt.date(2024, 4, 30))
    at.radio(key="ap_action_new_place").set_value("problem")
    click(at, "Lägg till åtgärd")
    (action,) = env.plans.get_plan(SYSTEM, plan).actions
    assert (action.nr, action.responsible_name, action.start_date, action.due_date, action.place_kind) == (
        "1a", "Gatukontoret", dt.date(2024, 3, 1), dt.date(2024, 4, 30), "problem")
    # the handbook's table on the first tab, with the action and its (not yet judged) light
    table = handbook(at)
    assert table.iloc[0]["ÅTGÄRD"] == "1a. Ny belysning vid cykelparkeringen"
    assert table.iloc[0]["Färg"] == "● Ej bedömd"
    events = [e.what for e in env.plans.history(SYSTEM, plan)]
    assert events == ["plan_created", "problem_added", "cause_added", "action_added"]


def test_the_add_to_plan_widget_takes_a_selection(env):
    def script() -> None:
        import streamlit as st

        from geo_trygghet.actionplan import PlanSelection
        from geo_trygghet.ui.plan_widgets import add_to_plan

        selection = PlanSelection.from_polygon(
            {"type": "Polygon", "coordinates": [[[16.19, 58.99], [16.2, 58.99], [16.2, 58.995], [16.19, 58.99]]]},
            label=st.session_state.get("label", "Torget"), categories=["skadegorelse"])
        made = add_to_plan(selection, key="w")
        if made is not None:
            st.session_state["made"] = made.id

    at = AppTest.from_function(script, default_timeout=60)
    at.session_state["actor"] = env.actors["anna"]
    at.session_state["label"] = XSS
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="w_plan").set_value(-1)  # a new plan
    at.text_input(key="w_new_title").set_value("Plan från widgeten")
    at.button[0].click().run()
    assert not at.exception, at.exception
    view = env.plans.get_plan(SYSTEM, "Plan från widgeten")
    (problem,) = view.problems
    assert problem.id == at.session_state["made"] and problem.title == " ".join(XSS.split())
    assert problem.categories == ("skadegorelse",)
    assert at.session_state["ap_plan_next"] == view.plan.id  # the plan page will show it
    assert not any(live_html(m.value) for m in at.markdown)
    # not for the public or a problemägare
    for who in (None, env.actors["gata"]):
        other = AppTest.from_function(script, default_timeout=60)
        other.session_state["actor"] = who
        other.run()
        assert not other.exception and not other.button
        assert "Analytiker och samordnare" in other.caption[0].value


def test_a_problem_owner_reports_its_action_in_my_tasks(env):
    made = make_plan(env, "Plan för Mina uppgifter")
    at = open_page(env, "problemagare", "owner")
    mine = [a for v in env.plans.my_actions(env.actors["gata"]) for a in v.actions]
    assert {a.responsible_name for a in mine} == {"Gatukontoret"}
    assert any(t.label == f"Åtgärder i åtgärdsplanen ({len(mine)})" for t in at.tabs)
    labels = [e.label for e in at.expander]
    assert any("1a. Laga belysningen" in x for x in labels) and not any("Trimma buskarna" in x for x in labels)
    key = f"ap_report_{made['a1'].id}"
    at.selectbox(key=f"{key}_status").set_value(rules.GENOMFORD)
    at.date_input(key=f"{key}_date").set_value(dt.date(2024, 3, 20))
    at.number_input(key=f"{key}_hours").set_value(12.0)
    at.text_area(key=f"{key}_note").set_value("Klart före april")
    at.button(key=f"FormSubmitter:{key}-Rapportera").click().run()
    assert not at.exception, at.exception
    a1 = env.plans.get_plan(SYSTEM, made["plan"]).action("1a")
    assert (a1.production, a1.production_date, a1.production_hours, a1.process_note) == (
        rules.GENOMFORD, dt.date(2024, 3, 20), 12.0, "Klart före april")
    assert env.plans.history(SYSTEM, made["plan"])[-1].actor == "user:gata"
    assert "1a är rapporterad: Genomförd." in [s.value for s in at.success] + [
        str(getattr(t, "value", "")) for t in at.toast]


def test_the_public_page_shows_the_medborgarlofte_without_names(env):
    made = make_plan(env, "Plan med löfte")
    env.plans.update_action(SYSTEM, made["a1"].id, promise_text=f"Vi lagar lamporna {XSS}")
    at = open_page(env, "public", "public")
    assert "Medborgarlöften" in [s.value for s in at.subheader]
    text = markdown_text(at)
    assert "Vi lagar lamporna" in text and "Gatukontoret" not in text and "Driftledaren" not in text
    assert not live_html(text) and "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in text
    assert "klart senast 2024\\-03\\-31" in text


def test_hostile_text_stays_text_on_the_plan_page(env):
    made = make_plan(env, f"Plan {XSS}")
    env.plans.update_action(SYSTEM, made["a2"].id, description=f"Åtgärd {XSS}")
    env.plans.add_goal(SYSTEM, made["a2"].id, f"Mål {XSS}")
    env.plans.report(SYSTEM, made["a2"].id, process_note=f"Not {XSS}")
    at = open_page(env, "analytiker", "plan")
    at.selectbox(key="ap_plan").set_value(made["plan"].id).run()
    assert not at.exception, at.exception
    assert not any(live_html(m.value) for m in at.markdown)
    table = handbook(at)
    assert table.iloc[1]["ÅTGÄRD"] == f"1b. Åtgärd {XSS}"  # plain text cells (the widget never renders HTML)
    from geo_trygghet.ui.remark_display import md

    assert any(md(f"Åtgärd {XSS}") in e.label for e in at.expander)  # escaped: labels take markdown
