"""The åtgärdsplan on a Folium map: the actions' places coloured by their light, over the hot
spots, with the problems' places and the control areas of the effect follow-up.

Every popup is built from escaped text (``html.escape``) and handed to Leaflet as a JSON string
(never through a template literal or a GeoJSON property the browser renders), so an action
called ``<script>…</script>`` stays text. Markers carry only the action's number.
"""

from __future__ import annotations

import html
import json
from typing import Any

import folium
import geopandas as gpd
from branca.element import MacroElement, Template
from shapely.geometry import mapping, shape

from .. import schema as S
from ..actionplan import rules
from ..actionplan.outcomes import PlanFollowUp
from ..actionplan.records import PlanView, PublicPromise
from ..i18n import fmt_num, text
from .base import add_legend, finish_map, new_map

__all__ = ["plan_map", "promise_map"]

_PROBLEM_COLOUR = "#1b3a5c"
_CONTROL_COLOUR = "#555555"


def _js(value: str) -> str:
    """A JavaScript string literal that cannot end a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _Popup(MacroElement):
    """Bind a popup and a tooltip (escaped markup, as JSON strings) to the parent layer."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.bindPopup({{ this.popup }}, {maxWidth: 320});"
        "{{ this._parent.get_name() }}.bindTooltip({{ this.tooltip }}, {sticky: true});"
        "{% endmacro %}"
    )

    def __init__(self, popup: str, tooltip: str) -> None:
        super().__init__()
        self._name = "PlanPopup"
        self.popup = _js(popup)
        self.tooltip = _js(tooltip)


def _bounds(geoms: list[Any]) -> tuple[float, float, float, float] | None:
    if not geoms:
        return None
    x0, y0, x1, y1 = (float(v) for v in gpd.GeoSeries(geoms, crs="EPSG:4326").total_bounds)
    return x0, y0, x1, y1


def _shape(area: Any) -> Any:
    if not area:
        return None
    data = json.loads(area) if isinstance(area, str) else area
    if data.get("type") == "FeatureCollection":
        from shapely.ops import unary_union

        return unary_union([shape(f["geometry"]) for f in data["features"]])
    return shape(data)


def _polygon(m: folium.Map | folium.FeatureGroup, geom: Any, style: dict[str, Any], popup: str,
             tooltip: str) -> None:
    layer = folium.GeoJson({"type": "Feature", "properties": {}, "geometry": mapping(geom)},
                           style_function=lambda _: style)
    layer.add_child(_Popup(popup, tooltip))
    layer.add_to(m)


def _marker(group: folium.FeatureGroup, geom: Any, label: str, colour: str, popup: str) -> None:
    point = geom.representative_point()
    dark = colour in (rules.LIGHT_COLOURS[rules.GUL], rules.LIGHT_COLOURS[None])
    icon = folium.DivIcon(
        html=(f'<div style="background:{colour};color:{"#222" if dark else "#fff"};border-radius:12px;'
              f'padding:1px 6px;font:bold 12px/18px system-ui,sans-serif;border:1px solid #222;'
              f'white-space:nowrap;box-shadow:0 1px 3px rgba(0,0,0,.45)">{html.escape(label)}</div>'),
        icon_size=(36, 20), icon_anchor=(18, 10), class_name="gt-plan-action")
    marker = folium.Marker([point.y, point.x], icon=icon)
    marker.add_child(_Popup(popup, label))
    marker.add_to(group)


def _action_popup(view: PlanView, follow: Any, action: Any, lang: str) -> str:
    light = follow.light if follow is not None else rules.decide_light(action.production, rules.UNKNOWN,
                                                                          action.light_override)
    colour = rules.LIGHT_COLOURS[light.light]
    due = action.due_date.isoformat() if action.due_date else "–"
    lines = [f"<b>{html.escape(action.nr)}. {html.escape(action.description)}</b>",
             f"{html.escape(text('ap.col.who', lang))}: {html.escape(action.responsible_name or '–')}",
             f"{html.escape(text('ap.col.due', lang))}: {html.escape(due)}",
             f'{html.escape(text("ap.col.light", lang))}: <span style="color:{colour};font-weight:bold">&#9679;</span> '
             f"{html.escape(light.label(lang))}",
             f"{html.escape(text('ap.col.production', lang))}: "
             f"{html.escape(rules.label('production', follow.production if follow else action.production, lang))}"]
    if follow is not None and follow.effect is not None:
        e = follow.effect
        ratio = fmt_num(e.odds_ratio, lang, 2) if e.odds_ratio is not None else "–"
        lines.append(html.escape(text("ap.map.effect", lang, before=e.target_before, after=e.target_after,
                                      ratio=ratio)))
    problem = view.problem_of(action)
    if problem is not None:
        lines.append(f'<span style="color:#666">{html.escape(problem.title)}</span>')
    return "<br>".join(lines)


def plan_map(view: PlanView, follow_up: PlanFollowUp | None = None, *, hotspot_cells: gpd.GeoDataFrame | None = None,
             lang: str = "sv", height: str = "100%") -> folium.Map:
    """The actions' places (coloured by light, numbered) over the hot-spot cells (Gi* hot bins),
    the problems' places outlined, and the control areas the effect follow-up used."""
    from .hotspots import add_cells_layer

    geoms = [g for g in (_shape(p.area) for p in view.problems) if g is not None]
    geoms += [g for g in (_shape(view.place_of(a)) for a in view.actions) if g is not None]
    m = new_map(_bounds(geoms), height=height)
    if hotspot_cells is not None and len(hotspot_cells):
        hot = hotspot_cells[hotspot_cells[S.GI_BIN] > 0]
        if len(hot):
            add_cells_layer(m, hot, by=S.GI_BIN, lang=lang)
    problems = folium.FeatureGroup(name=text("ap.map.problems", lang))
    for p in view.problems:
        geom = _shape(p.area)
        if geom is not None:
            _polygon(problems, geom, {"color": _PROBLEM_COLOUR, "weight": 2, "fill": False, "dashArray": "6 4"},
                     f"<b>{html.escape(p.title)}</b>", html.escape(p.title))
    problems.add_to(m)
    controls = folium.FeatureGroup(name=text("ap.map.controls", lang), show=False)
    actions = folium.FeatureGroup(name=text("ap.map.actions", lang))
    for a in view.actions:
        follow = follow_up.of(a) if follow_up is not None else None
        geom = _shape(view.place_of(a))
        if geom is None:
            continue
        light = follow.light.light if follow is not None else a.light_override
        colour = rules.LIGHT_COLOURS[light]
        popup = _action_popup(view, follow, a, lang)
        _polygon(actions, geom, {"color": colour, "weight": 3, "fillColor": colour, "fillOpacity": 0.25},
                 popup, html.escape(f"{a.nr}. {a.description}"))
        _marker(actions, geom, a.nr, colour, popup)
        if follow is not None and follow.effect is not None:
            for f in json.loads(follow.effect.controls).get("features", []):
                name = html.escape(str((f.get("properties") or {}).get("name") or ""))
                _polygon(controls, shape(f["geometry"]), {"color": _CONTROL_COLOUR, "weight": 1.5, "fill": False,
                                                          "dashArray": "3 3"},
                         f"{html.escape(text('ap.map.control_of', lang, nr=a.nr))}: {name}", name)
    actions.add_to(m)
    controls.add_to(m)
    add_legend(m, text("ap.map.legend", lang),
               [(rules.LIGHT_COLOURS[light], rules.label("light", light or "none", lang))
                for light in (*rules.LIGHTS, None)])
    return finish_map(m)


def promise_map(promises: list[PublicPromise], *, lang: str = "sv", height: str = "100%") -> folium.Map | None:
    """The medborgarlöften that have a place, for the public page (their text and state only)."""
    placed = [(p, _shape(p.place)) for p in promises if p.place]
    if not placed:
        return None
    m = new_map(_bounds([g for _, g in placed]), height=height)
    for p, geom in placed:
        popup = (f"<b>{html.escape(p.text)}</b><br>{html.escape(text('ap.pub.state', lang))}: "
                 f"{html.escape(p.production_label(lang))}")
        _polygon(m, geom, {"color": _PROBLEM_COLOUR, "weight": 2, "fillColor": _PROBLEM_COLOUR, "fillOpacity": 0.15},
                 popup, html.escape(p.production_label(lang)))
    return finish_map(m)
