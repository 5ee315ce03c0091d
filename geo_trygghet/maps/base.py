"""The base map and the pieces every map shares: bounds, boundary, legend, layer control."""

from __future__ import annotations

import base64
import html
from functools import cache
from pathlib import Path

import folium
import geopandas as gpd
from branca.element import Element, Figure, MacroElement, Template

from ..crs import to_wgs84
from ..i18n import text

ATTRIBUTION = "© OpenStreetMap contributors"
STATIC = Path(__file__).with_name("static")


@cache
def _data_uri(name: str, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode((STATIC / name).read_bytes()).decode("ascii")


def self_contained(m: folium.Map) -> folium.Map:
    """Embed Leaflet (vendored, BSD-2) instead of linking CDNs, and drop the
    jQuery/Bootstrap/awesome-marker links folium adds by default and our maps
    do not use: a saved map opens offline, in a locked-down municipal network,
    and in the test browser (only the background tiles need the network)."""
    m.default_js = [("leaflet", _data_uri("leaflet.js", "text/javascript"))]
    m.default_css = [("leaflet_css", _data_uri("leaflet.css", "text/css"))]
    return m


def add_draw_control(m: folium.Map) -> folium.Map:
    """A toolbar for drawing one polygon or rectangle (Leaflet.draw, vendored, MIT)."""
    from folium.plugins import Draw

    draw = Draw(export=False, position="topleft",
                draw_options={"polyline": False, "circle": False, "circlemarker": False, "marker": False,
                              "polygon": {"allowIntersection": False, "showArea": True}, "rectangle": True},
                edit_options={"edit": True, "remove": True})
    draw.default_js = [("leaflet_draw_js", _data_uri("leaflet.draw.js", "text/javascript"))]
    draw.default_css = [("leaflet_draw_css", _data_uri("leaflet.draw.css", "text/css"))]
    draw.add_to(m)
    return m


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (folium's ``control_scale`` shows feet and
    miles too, which Swedish users do not read), in a corner of the map (``position``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            L.control.scale({imperial: false, metric: true, position: {{ this.position|tojson }}})
                .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """)

    def __init__(self, position: str = "bottomleft") -> None:
        super().__init__()
        self._name = "MetricScale"
        self.position = position


def new_map(bounds: tuple[float, float, float, float] | None = None, *, tiles: str = "OpenStreetMap",
            height: str = "100%", scale_position: str = "bottomleft") -> folium.Map:
    """A Leaflet map fitted to WGS84 ``bounds`` (lon_min, lat_min, lon_max, lat_max), with a
    scale bar in metres and kilometres (:class:`MetricScale`) in the corner ``scale_position``
    (put it where the map's legend is not)."""
    m = folium.Map(location=[59.33, 18.07] if bounds is None else
                   [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
                   zoom_start=12, tiles=tiles, attr=ATTRIBUTION, control_scale=False,
                   prefer_canvas=True, height=height)
    MetricScale(scale_position).add_to(m)
    self_contained(m)
    if bounds is not None:
        corners = [[bounds[1], bounds[0]], [bounds[3], bounds[2]]]
        m.fit_bounds(corners)
        _RememberBounds(corners).add_to(m)
    return m


def add_boundary(m: folium.Map, boundary: gpd.GeoDataFrame, *, name: str | None = None,
                 lang: str = "sv") -> folium.Map:
    """Outline a study area or municipality boundary (no fill); ``name`` in the layer control
    (default the catalogue's "Gräns"/"Boundary")."""
    gdf = to_wgs84(boundary, "the boundary")[["geometry"]]
    folium.GeoJson(gdf.to_json(), name=name or text("maps.layer.boundary", lang), interactive=False,
                   style_function=lambda _: {"color": "#333333", "weight": 2, "fill": False,
                                             "dashArray": "6 4"}).add_to(m)
    return m


def js_string(text: str) -> str:
    """A JavaScript string literal of ``text`` that cannot end a <script> element (letters such
    as å, ä, ö stay readable in the page)."""
    import json

    return json.dumps(text, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace(
        "&", "\\u0026")


#: Below this map width (px) a legend starts folded to its title: on a phone it would cover the data.
NARROW_MAP_PX = 640


#: How a legend control folds: the title stays with a ▸ (folded) or ▾ (open).
LEGEND_CSS = ("<style>.gt-legend.gt-min .gt-row,.gt-legend.gt-min .gt-note,.gt-legend.gt-min .gt-summary"
              "{display:none}.gt-legend .gt-title::after{content:' \\25BE';font-weight:normal;color:#555}"
              ".gt-legend.gt-min .gt-title::after{content:' \\25B8'}"
              "@media (max-width:480px){.gt-legend.leaflet-control{font-size:10.5px}}</style>")


class LegendControl(MacroElement):
    """A legend as a Leaflet control in a bottom corner of the map (``corner`` "left" or
    "right"). As a control it stacks above the scale bar and the attribution instead of lying
    over them; on a narrow map (< :data:`NARROW_MAP_PX`) it starts folded to its title in the
    right-hand stack, and a tap folds or unfolds it. The map's first view is fitted again with room for the legend
    beside the data (see :func:`new_map`), so it never hides data by default. ``note`` is a line
    under the title in an element of ``note_class`` (a page may rewrite it in place)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var narrow = map.getSize().x < {{ this.narrow }};
            // on a narrow map every legend joins the right-hand stack, above the scale and the
            // attribution: side by side in the bottom corners they would overlap them
            var control = L.control({position: narrow ? "bottomright" : {{ this.position|tojson }}});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.classes|tojson }});
                div.innerHTML = {{ this.body_js }};
                div.setAttribute("role", "button");
                div.setAttribute("aria-expanded", narrow ? "false" : "true");
                if (narrow) { div.classList.add("gt-min"); }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                L.DomEvent.on(div, "click", function () {
                    var folded = div.classList.toggle("gt-min");
                    div.setAttribute("aria-expanded", folded ? "false" : "true");
                });
                return div;
            };
            control.addTo(map);
            var box = control.getContainer();
            // the first view leaves room for the legend: beside the data when it is open, under
            // them when it is folded (the corner's whole stack: legends, scale, attribution)
            var pad = map._gtLegendPad = map._gtLegendPad || {left: 0, right: 0, bottom: 0};
            if (narrow) {
                pad.bottom = Math.max(pad.bottom, box.parentNode.offsetHeight + 8);
            } else {
                pad[{{ this.corner|tojson }}] = Math.max(pad[{{ this.corner|tojson }}], box.offsetWidth + 12);
            }
            if (map._gtBounds) {
                map.fitBounds(map._gtBounds, {paddingTopLeft: [pad.left, 0],
                                              paddingBottomRight: [pad.right, pad.bottom]});
            }
        })();
        {% endmacro %}
        """)

    def render(self, **kwargs: object) -> str:
        root = self.get_root()
        if isinstance(root, Figure):  # the folding rules, once per page
            root.header.add_child(Element(LEGEND_CSS), name="gt_legend_css")
        return super().render(**kwargs)

    def __init__(self, title: str, entries: list[tuple[str, str]], *, corner: str = "left", css_class: str = "",
                 max_width_px: int | None = None, note: str | None = None, note_class: str = "gt-note",
                 narrow_px: int = NARROW_MAP_PX) -> None:
        super().__init__()
        self._name = "LegendControl"
        self.corner = "right" if corner == "right" else "left"
        self.position = f"bottom{self.corner}"
        self.classes = " ".join(c for c in ("gt-legend", "leaflet-control", css_class) if c)
        self.narrow = int(narrow_px)  # below this map width the legend starts folded
        self.body_js = js_string(_legend_body(title, entries, note=note, note_class=note_class,
                                              max_width_px=max_width_px))


def _legend_body(title: str, entries: list[tuple[str, str]], *, note: str | None, note_class: str,
                 max_width_px: int | None) -> str:
    """The legend's inside: a title that says it folds, an optional note, one row per entry (escaped)."""
    rows = "".join(
        f'<div class="gt-row"><span style="display:inline-block;width:14px;height:14px;background:{colour};'
        f'border:1px solid #999;margin-right:6px;vertical-align:middle"></span>{html.escape(label)}</div>'
        for colour, label in entries)
    extra = (f'<div class="{html.escape(note_class)}" style="font-size:11px;line-height:1.35;margin:2px 0 4px">'
             f'{html.escape(note)}</div>') if note is not None else ""
    width = f"max-width:{int(max_width_px)}px;" if max_width_px else ""
    return (f'<div style="{width}cursor:pointer;background:rgba(255,255,255,.92);padding:6px 9px;border-radius:6px;'
            f'font:12px/1.45 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)">'
            f'<b class="gt-title">{html.escape(title)}</b>{extra}{rows}</div>')


def add_legend(m: folium.Map, title: str, entries: list[tuple[str, str]], **options: object) -> folium.Map:
    """Add a :class:`LegendControl` (bottom left unless ``corner="right"``) to the map."""
    LegendControl(title, entries, **options).add_to(m)  # type: ignore[arg-type]
    return m


class _RememberBounds(MacroElement):
    """Keep the map's first view on the map object, for legends that make room beside it."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}._gtBounds = L.latLngBounds({{ this.bounds|tojson }});
        {% endmacro %}
        """)

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "RememberBounds"
        self.bounds = bounds


def finish_map(m: folium.Map) -> folium.Map:
    """Add the layer control (collapsed on phones)."""
    folium.LayerControl(collapsed=True).add_to(m)
    root = m.get_root()
    assert isinstance(root, Figure)  # a map's root is the HTML page
    root.header.add_child(Element(
        "<style>.leaflet-popup-content{font:13px/1.4 system-ui,sans-serif}"
        ".gt-legend.gt-min:not(.leaflet-control)>div{display:none}"
        "@media (max-width:480px){.gt-legend:not(.leaflet-control){font-size:10.5px!important;"
        "padding:5px 7px!important;max-width:55%}}</style>"))
    return m
