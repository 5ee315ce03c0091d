"""Walk remarks on a Folium map: numbered circles coloured by state, popups, legend.

Markers are ``folium.DivIcon`` circles with the remark's number, or, when the map holds
remarks of several walks (whose numbers repeat), tags with the remark's reference
``V3-9`` (no marker
plugins, nothing from a CDN: the maps embed the vendored Leaflet of
:mod:`.base`). Colours by state: red open, yellow planned (planerad), green
fixed (åtgärdad, kontrollerad), grey closed (dubblett, kan inte åtgärdas).
Popups show number, category, text, problemägare and state; every piece of
user text is ``html.escape``'d, and the popup markup is handed to Leaflet as a
JSON string (never through a JavaScript template literal), so a remark such
as ``<script>…</script>`` or ``${…}`` stays text.

The frame is the one :meth:`RemarkService.remarks_frame` returns; the public
summary's ``fixed`` frame (no state, no owner) works too.
"""

from __future__ import annotations

import html
import json
from typing import Any

import folium
import geopandas as gpd
from branca.element import MacroElement, Template

from .._values import is_missing
from ..i18n import text
from ..remarks.categories import POSITIVE_REMARK_CATEGORIES, is_positive
from ..remarks.states import STATES, is_planned, is_untouched
from .base import LegendControl, finish_map, new_map

#: marker colours by state group
STATE_COLOURS = {"open": "#d7301f", "planned": "#f2b705", "fixed": "#1a9850", "closed": "#777777",
                 "positive": "#2c7fb8"}
#: the groups in legend order
GROUPS = ("open", "planned", "fixed", "closed", "positive")
#: text colour on each marker (dark on yellow for contrast)
_TEXT_COLOURS = {"open": "#ffffff", "planned": "#222222", "fixed": "#ffffff", "closed": "#ffffff",
                 "positive": "#ffffff"}



def _texts(lang: str) -> dict[str, str]:
    """The map's words in ``lang`` (the catalogue's ``rmap.*``)."""
    return {k: text(f"rmap.{k}", lang) for k in (*GROUPS, "layer", "legend", "category", "owner", "state", "walk",
                                                 "planned_date", "fixed_date", "none", "area")}


def state_group(state: Any = None, state_kind: Any = None, fixed_date: Any = None, category: Any = None) -> str:
    """``open``, ``planned``, ``fixed`` or ``closed`` for a remark's state slug / kind;
    ``positive`` for a "Trygg plats" remark that nobody has to act on (still as sent)."""
    s = _str(state)
    known = s in STATES
    if is_positive(_str(category)) and (not s or (known and is_untouched(s))):
        return "positive"
    if known and is_planned(s):
        return "planned"
    kind = _str(state_kind) or (STATES[s].kind if known else "")
    if not kind:
        kind = "fixed" if _str(fixed_date) else "open"
    return kind if kind in STATE_COLOURS else "open"


#: categories that praise a place: shown in blue while nobody acts on them
POSITIVE_CATEGORIES = POSITIVE_REMARK_CATEGORIES


def _str(value: Any) -> str:
    if is_missing(value):
        return ""
    return str(value)


def _date(value: Any) -> str:
    text = _str(value)
    return text[:10]


def _js_string(text: str) -> str:
    """A JavaScript string literal that cannot end a <script> element."""
    return json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def marker_html(label: int | str, group: str, *, size: int = 24) -> str:
    """The DivIcon markup: a circle with the remark's number, or a rounded tag with its
    reference (``V3-9``) when the map holds several walks (no user text in it)."""
    bg, fg = STATE_COLOURS[group], _TEXT_COLOURS[group]
    text = html.escape(str(label))
    if isinstance(label, str) and not label.isdigit():
        tag = size - 4
        return (f'<div style="background:{bg};color:{fg};border-radius:{tag // 2}px;height:{tag}px;'
                f'padding:0 4px;width:max-content;transform:translateX(-50%);margin-left:{size // 2}px;'
                f'font:bold 10px/{tag - 2}px system-ui,sans-serif;border:1px solid #222;'
                f'box-shadow:0 1px 3px rgba(0,0,0,.45)">{text}</div>')
    number = int(label)
    font = 12 if number < 100 else 10
    return (f'<div style="background:{bg};color:{fg};border-radius:50%;width:{size}px;height:{size}px;'
            f'line-height:{size - 2}px;text-align:center;font:bold {font}px/{size - 2}px system-ui,sans-serif;'
            f'border:1px solid #222;box-shadow:0 1px 3px rgba(0,0,0,.45)">{number}</div>')


def _labels_by_ref(frame: Any) -> bool:
    """Whether the remarks come from more than one walk: then numbers repeat, and the markers,
    tooltips and popups name each remark by its reference."""
    if frame is None or "ref" not in getattr(frame, "columns", ()):
        return False
    walks = frame["walk_id"] if "walk_id" in frame.columns else frame.get("walk_title")
    return walks is not None and walks.nunique(dropna=True) > 1


def popup_html(row: Any, *, lang: str = "sv", by_ref: bool = False) -> str:
    """Popup markup for one remark (a row of the remarks frame); all values escaped. With
    ``by_ref`` the remark is named by its reference (``V3-9``) instead of its number."""
    t = _texts(lang)
    get = (lambda k: row.get(k)) if isinstance(row, dict) else (lambda k: getattr(row, k, None))
    number = html.escape(_str(get("ref"))) if by_ref and _str(get("ref")) else int(get("number") or 0)
    category = html.escape(_str(get("category_label")) or _str(get("category")))
    text = html.escape(_str(get("text"))).replace("\n", "<br>")
    owner = html.escape(_str(get("owner_name"))) or f"<i>{html.escape(t['none'])}</i>"
    group = state_group(get("state"), get("state_kind"), get("fixed_date"), get("category"))
    state = html.escape(_str(get("state_label")) or t[group])
    parts = [f"<b>{number}. {category}</b>"]
    if text:
        parts.append(f'<div style="margin:4px 0">{text}</div>')
    if "owner_name" in _keys(row):
        parts.append(f"{html.escape(t['owner'])}: {owner}")
    parts.append(f'{html.escape(t["state"])}: <span style="color:{STATE_COLOURS[group]};font-weight:bold">'
                 f"&#9679;</span> {state}")
    if _date(get("planned_date")) and group != "fixed":
        parts.append(f"{html.escape(t['planned_date'])}: {html.escape(_date(get('planned_date')))}")
    if _date(get("fixed_date")):
        parts.append(f"{html.escape(t['fixed_date'])}: {html.escape(_date(get('fixed_date')))}")
    if _str(get("walk_title")):
        walk = html.escape(_str(get("walk_title")))
        parts.append(f'<span style="color:#666">{html.escape(t["walk"])}: {walk}</span>')
    return "<br>".join(parts)


def _keys(row: Any) -> set[str]:
    if isinstance(row, dict):
        return set(row)
    fields = getattr(row, "_fields", None)
    return set(fields) if fields else set(dir(row))


class _Bind(MacroElement):
    """Bind a popup and a tooltip (both JSON strings) to the parent marker."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.bindPopup({{ this.popup }}, {maxWidth: 300});"
        "{{ this._parent.get_name() }}.bindTooltip({{ this.tooltip }}, {direction: \"top\", offset: [0, -12]});"
        "{% endmacro %}"
    )

    def __init__(self, popup: str, tooltip: str) -> None:
        super().__init__()
        self._name = "RemarkPopup"
        self.popup = _js_string(popup)
        self.tooltip = _js_string(tooltip)


def add_remarks_layer(m: folium.Map, remarks_gdf: gpd.GeoDataFrame, *, lang: str = "sv", numbered: bool = True,
                      show: bool = True, legend: bool = True, name: str | None = None) -> folium.Map:
    """Add the remarks as numbered circles coloured by state, with popups and a legend."""
    t = _texts(lang)
    group_layer = folium.FeatureGroup(name=name or t["layer"], show=show)
    gdf = remarks_gdf
    if gdf is not None and len(gdf):
        if gdf.crs is not None and str(gdf.crs).upper() not in ("EPSG:4326", "OGC:CRS84"):
            gdf = gdf.to_crs("EPSG:4326")
        gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
        by_ref = _labels_by_ref(gdf)
        counts = {g: 0 for g in STATE_COLOURS}
        for i, row in enumerate(gdf.itertuples(index=False)):
            number: int | str = int(getattr(row, "number", 0) or (i + 1))
            if by_ref:
                number = str(row.ref)
            grp = state_group(getattr(row, "state", None), getattr(row, "state_kind", None),
                              getattr(row, "fixed_date", None), getattr(row, "category", None))
            counts[grp] += 1
            geom = row.geometry
            if numbered:
                icon = folium.DivIcon(html=marker_html(number, grp), icon_size=(24, 24), icon_anchor=(12, 12),
                                      class_name="gt-remark gt-ref" if by_ref else "gt-remark")
                marker = folium.Marker([geom.y, geom.x], icon=icon)
            else:
                marker = folium.CircleMarker([geom.y, geom.x], radius=7, color="#222222", weight=1, fill=True,
                                             fill_color=STATE_COLOURS[grp], fill_opacity=0.9)
            label = _str(getattr(row, "category_label", None)) or _str(getattr(row, "category", None))
            tooltip = f"{html.escape(str(number))}. {html.escape(label)}"
            marker.add_child(_Bind(popup_html(row, lang=lang, by_ref=by_ref), tooltip))
            marker.add_to(group_layer)
        if legend:
            entries = [(STATE_COLOURS[g], f"{t[g]} ({counts[g]})") for g in GROUPS
                       if counts[g] or g in ("open", "planned", "fixed")]
            _add_legend_top(m, t["legend"], entries)
    group_layer.add_to(m)
    return m


def _add_legend_top(m: folium.Map, title: str, entries: list[tuple[str, str]]) -> None:
    """The remarks legend, a control at the bottom right (the hot-spot legend sits bottom left)."""
    LegendControl(title, entries, corner="right").add_to(m)


def _area_gdf(area: Any) -> gpd.GeoDataFrame | None:
    if area is None:
        return None
    if isinstance(area, gpd.GeoDataFrame):
        return area.to_crs("EPSG:4326") if area.crs is not None else area.set_crs("EPSG:4326")
    from shapely.geometry import shape
    from shapely.geometry.base import BaseGeometry

    if isinstance(area, BaseGeometry):
        geom = area
    else:
        data = json.loads(area) if isinstance(area, str) else area
        if data.get("type") == "FeatureCollection":
            return gpd.GeoDataFrame.from_features(data["features"], crs="EPSG:4326")
        if data.get("type") == "Feature":
            data = data["geometry"]
        geom = shape(data)
    return gpd.GeoDataFrame(geometry=[geom], crs="EPSG:4326")


def remarks_map(remarks_gdf: gpd.GeoDataFrame, *, lang: str = "sv", area: Any = None,
                height: str = "100%") -> folium.Map:
    """A map of the walk's remarks (numbered, by state) with the walk area outlined.

    ``area``: GeoJSON text/dict, a shapely geometry or a GeoDataFrame (WGS84).
    """
    t = _texts(lang)
    area_gdf = _area_gdf(area)
    bounds = None
    frames = []
    if remarks_gdf is not None and len(remarks_gdf):
        frames.append(remarks_gdf.to_crs("EPSG:4326").total_bounds if remarks_gdf.crs is not None
                      else remarks_gdf.total_bounds)
    if area_gdf is not None and len(area_gdf):
        frames.append(area_gdf.total_bounds)
    if frames:
        x0 = min(f[0] for f in frames)
        y0 = min(f[1] for f in frames)
        x1 = max(f[2] for f in frames)
        y1 = max(f[3] for f in frames)
        pad = 0.002
        bounds = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    m = new_map(bounds, height=height)
    if area_gdf is not None and len(area_gdf):
        folium.GeoJson(area_gdf[["geometry"]].to_json(), name=t["area"], interactive=False,
                       style_function=lambda _: {"color": "#1b3a5c", "weight": 2, "fill": True,
                                                 "fillOpacity": 0.05, "dashArray": "6 4"}).add_to(m)
    add_remarks_layer(m, remarks_gdf, lang=lang)
    return finish_map(m)


__all__ = ["GROUPS", "POSITIVE_CATEGORIES", "STATE_COLOURS", "add_remarks_layer", "marker_html", "popup_html",
           "remarks_map", "state_group"]
