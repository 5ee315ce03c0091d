"""The walk protocol (the handbook's "protokoll"): a map with numbered marks and the table
NR · ANMÄRKNING · KATEGORI · PROBLEMÄGARE · PLANERAT · ÅTGÄRDAT, as of any date.

The table is rebuilt from the event log (:meth:`RemarkService.remarks_as_of`),
so a protocol printed "as of 2023-04-01" shows what was known that day. The
HTML has an interactive Folium map (self-contained, see
:mod:`geo_trygghet.maps.base`) and, for printing, the same static map the PDF
carries: numbered circles coloured by state (red open, yellow planned, green
fixed, grey closed) over the walk area and streets, drawn with matplotlib in
SWEREF 99 TM, with no web tiles. Every remark text, owner name and title is
escaped before it reaches the page.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from .. import settings
from ..i18n import text as catalogue_text
from ._html import esc, html_to_pdf, img_tag, page

__all__ = ["protocol_html", "protocol_pdf_bytes", "protocol_remarks", "protocol_table", "spread_positions",
           "static_map_figure", "write_protocol"]

#: the groups of :func:`geo_trygghet.maps.remarks.state_group`, in legend order
_GROUPS = ("open", "planned", "fixed", "closed", "positive")
_WORDS = ("title", "date", "group", "organiser", "area", "as_of", "remarks", "map", "table", "area_drawn", "none",
          "empty", "footer", "printed", *_GROUPS, *(f"{g}_1" for g in _GROUPS))


def _texts(lang: str) -> dict[str, Any]:
    """The protocol's words in ``lang`` (the catalogue's ``proto.*``)."""
    out: dict[str, Any] = {k: catalogue_text(f"proto.{k}", lang) for k in _WORDS}
    out["cols"] = tuple(catalogue_text(f"proto.col.{i}", lang) for i in range(7))
    out["legend"] = {g: catalogue_text(f"proto.legend.{g}", lang) for g in _GROUPS}
    return out


_EXTRA_CSS = """
table.meta td { padding: 1pt 8pt 1pt 0; font-size: 9.5pt; vertical-align: top; }
table.meta td.k { color: #555; }
table.protocol { width: 100%; margin: 4pt 0 8pt 0; }
table.protocol th { background-color: #e8eef4; text-align: left; padding: 3pt 3pt; font-size: 7.5pt;
                    border-bottom: 1px solid #8aa0b6; }
table.protocol td { padding: 3pt 3pt; border-bottom: 1px solid #dde3ea; font-size: 8.5pt; vertical-align: top; }
td.nr { text-align: center; font-weight: bold; color: #ffffff; }
td.nr.planned { color: #222222; }
td.date { white-space: nowrap; }
iframe.map { width: 100%; height: 460px; border: 1px solid #c9d3de; }
.print-only { display: none; }
@media print { .print-only { display: block; } .screen-only { display: none; } }
"""


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "sv"


def _as_date(value: Any) -> dt.date:
    if value is None:
        return settings.local_today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip()[:10])


def protocol_remarks(service: Any, walk: Any, *, as_of: Any = None, actor: Any = None) -> tuple[Any, list[Any]]:
    """The walk record and its remarks as they stood at the end of ``as_of`` (default today)."""
    w = service.get_walk(walk)
    day = _as_date(as_of)
    return w, service.remarks_as_of(w, day, actor=actor)


def _group(remark: Any) -> str:
    from ..maps.remarks import state_group

    return state_group(remark.state, remark.state_kind, remark.fixed_date, remark.category)


def protocol_table(remarks: list[Any], *, lang: str = "sv") -> pd.DataFrame:
    """The protocol table: NR · ANMÄRKNING · KATEGORI · PROBLEMÄGARE · PLANERAT · ÅTGÄRDAT · STATUS
    (raw values; escape before HTML)."""
    cols = _texts(lang)["cols"]
    rows = [(r.number, r.text, r.category_label(lang), r.owner_name or "", r.planned_date, r.fixed_date,
             r.state_label(lang)) for r in sorted(remarks, key=lambda r: r.number)]
    return pd.DataFrame(rows, columns=list(cols))


def _table_html(remarks: list[Any], lang: str, pdf: bool = False) -> str:
    from ..maps.remarks import STATE_COLOURS

    t = _texts(lang)
    if not remarks:
        return f"<p>{esc(t['empty'])}</p>"
    widths = ("5%", "27%", "13%", "24%", "11%", "11%", "9%")
    head = "".join(f'<th width="{w}">{esc(c)}</th>' for c, w in zip(t["cols"], widths, strict=True))
    body = []
    for r in sorted(remarks, key=lambda r: r.number):
        g = _group(r)
        text = esc(r.text).replace("\n", "<br>")
        body.append(
            "<tr>"
            f'<td class="nr {g}" style="background-color:{STATE_COLOURS[g]}">{int(r.number)}</td>'
            f"<td>{text}</td><td>{_breakable(r.category_label(lang), pdf)}</td>"
            f"<td>{_breakable(r.owner_name or '', pdf)}</td>"
            f'<td class="date">{esc(r.planned_date.isoformat() if r.planned_date else "")}</td>'
            f'<td class="date">{esc(r.fixed_date.isoformat() if r.fixed_date else "")}</td>'
            f"<td>{esc(r.state_label(lang))}</td>"
            "</tr>"
        )
    return (f'<table class="protocol" cellspacing="0" repeat="1"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _breakable(text: str, pdf: bool = False, longest: int = 20) -> str:
    """Escaped text with break chances in long words and after "/": zero-width
    spaces for browsers; for the PDF (whose table cells do not break words) a
    hyphen and a space inside words longer than ``longest``."""
    zw = "\u200b"
    out = []
    for word in str(text).split(" "):
        if pdf:
            word = word.replace("/", "/ ")
            parts = []
            for w in word.split(" "):
                while len(w) > longest:
                    cut = len(w) // 2 if len(w) < 2 * longest else longest
                    parts.append(w[:cut] + "-")
                    w = w[cut:]
                parts.append(w)
            word = " ".join(parts)
        else:
            word = word.replace("/", "/" + zw)
            if len(word) > longest:
                word = zw.join(word[i:i + longest] for i in range(0, len(word), longest))
        out.append(word)
    return esc(" ".join(out))


def _area_geometry(area: Any):
    if not area:
        return None
    from shapely.geometry import shape

    try:
        data = json.loads(area) if isinstance(area, str) else area
        if data.get("type") == "Feature":
            data = data["geometry"]
        return shape(data)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _hectares(geom: Any) -> float:
    import geopandas as gpd

    return float(gpd.GeoSeries([geom], crs="EPSG:4326").to_crs("EPSG:3006").area.iloc[0] / 10_000)


def static_map_figure(remarks: list[Any], *, area: Any = None, streets: Any = None, lang: str = "sv"):
    """A matplotlib Figure: the walk area, streets, and numbered circles coloured
    by state, in SWEREF 99 TM with a scale bar (offline: no tiles)."""
    import geopandas as gpd
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from shapely.geometry import Point, box

    from ..maps.remarks import _TEXT_COLOURS, GROUPS, STATE_COLOURS

    t = _texts(lang)
    fig = Figure(figsize=(7.4, 5.2))
    ax = fig.add_subplot(1, 1, 1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    pts = gpd.GeoDataFrame(
        {"number": [r.number for r in remarks], "group": [_group(r) for r in remarks]},
        geometry=[Point(r.lon, r.lat) for r in remarks], crs="EPSG:4326",
    ).to_crs("EPSG:3006")
    area_geom = _area_geometry(area)
    area_gs = gpd.GeoSeries([area_geom], crs="EPSG:4326").to_crs("EPSG:3006") if area_geom is not None else None
    parts = []
    if len(pts):
        parts.append(pts.total_bounds)
    if area_gs is not None:
        parts.append(area_gs.total_bounds)
    if parts:
        x0, y0 = min(p[0] for p in parts), min(p[1] for p in parts)
        x1, y1 = max(p[2] for p in parts), max(p[3] for p in parts)
    else:
        x0, y0, x1, y1 = 0.0, 0.0, 1.0, 1.0
    span = max(x1 - x0, y1 - y0, 300.0)
    pad = span * 0.08 + 40
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = max((x1 - x0) / 2 + pad, span * 0.35)
    half_h = max((y1 - y0) / 2 + pad, span * 0.25)
    ext = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    ax.set_xlim(ext[0], ext[2])
    ax.set_ylim(ext[1], ext[3])
    ax.add_patch(Rectangle(
        (ext[0], ext[1]), ext[2] - ext[0], ext[3] - ext[1], facecolor="#f7f5f0", edgecolor="#999999", lw=0.8,
        zorder=0))
    if streets is not None and len(streets):
        s = streets.to_crs("EPSG:3006") if streets.crs is not None else streets.set_crs("EPSG:4326").to_crs("EPSG:3006")
        s = s[s.intersects(box(*ext))]
        if len(s):
            s.plot(ax=ax, color="#b9b4aa", linewidth=2.2, zorder=1)
            name_col = next((c for c in ("name", "namn", "gatunamn") if c in s.columns), None)
            if name_col is not None:
                clip = box(*ext).buffer(-span * 0.02)
                for _, row in s.iterrows():
                    geom = row.geometry.intersection(clip)
                    if geom.is_empty or geom.length < span * 0.12:
                        continue
                    mid = geom.interpolate(0.5, normalized=True)
                    ax.text(mid.x, mid.y, str(row[name_col]), fontsize=6.5, color="#6b665c", ha="center",
                            va="bottom", zorder=2, clip_on=True)
    if area_gs is not None:
        area_gs.plot(ax=ax, facecolor="#1b3a5c", alpha=0.06, edgecolor="none", zorder=1)
        area_gs.boundary.plot(ax=ax, color="#1b3a5c", linewidth=1.4, linestyle="--", zorder=2)
    # markers that would overlap are spread on a small circle, with a leader line to the place
    metres_per_pt = max((ext[2] - ext[0]) / (7.2 * 72), (ext[3] - ext[1]) / (5.1 * 72))
    xy = np.column_stack([pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()]) if len(pts) else np.zeros((0, 2))
    shown = spread_positions(xy, 15.5 * metres_per_pt)
    for (x, y), (lx, ly), row in zip(xy, shown, pts.itertuples(index=False), strict=True):
        g = row.group
        if (lx, ly) != (x, y):
            ax.plot([x, lx], [y, ly], color="#333333", lw=0.6, zorder=3)
            ax.scatter([x], [y], s=10, color=STATE_COLOURS[g], edgecolors="#222222", linewidths=0.4, zorder=3)
        ax.scatter([lx], [ly], s=190, color=STATE_COLOURS[g], edgecolors="#222222", linewidths=0.8, zorder=4)
        ax.text(lx, ly, str(int(row.number)), ha="center", va="center",
                fontsize=7.5 if row.number < 100 else 6, fontweight="bold", color=_TEXT_COLOURS[g], zorder=5)
    # scale bar
    width = ext[2] - ext[0]
    nice = [50, 100, 200, 250, 500, 1000, 2000, 5000]
    bar = max([n for n in nice if n <= width / 4] or [nice[0]])
    bx, by = ext[0] + width * 0.04, ext[1] + (ext[3] - ext[1]) * 0.05
    ax.plot([bx, bx + bar], [by, by], color="#222222", lw=2.5, zorder=6, solid_capstyle="butt")
    ax.text(bx + bar / 2, by + (ext[3] - ext[1]) * 0.015, f"{bar} m" if bar < 1000 else f"{bar // 1000} km",
            ha="center", va="bottom", fontsize=7.5, zorder=6)
    nx, ny = ext[2] - width * 0.05, ext[3] - (ext[3] - ext[1]) * 0.14
    ax.annotate("N", xy=(nx, ny + (ext[3] - ext[1]) * 0.08), xytext=(nx, ny), ha="center", va="center",
                fontsize=9, fontweight="bold", arrowprops={"arrowstyle": "-|>", "color": "#222222"}, zorder=6)
    present = [g for g in GROUPS if g in set(pts["group"])] or ["open"]
    handles = [Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor=STATE_COLOURS[g],
                      markeredgecolor="#222222", label=t["legend"][g]) for g in present]
    ax.legend(handles=handles, loc="upper left", fontsize=7.5, frameon=True, framealpha=0.9)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    return fig


def spread_positions(xy: Any, min_dist: float) -> Any:
    """Where to draw each marker: points closer than ``min_dist`` to another are
    grouped and placed evenly on a circle around their group's centre (in the
    order of their directions from it); lone points stay where they are."""
    import numpy as np

    pts = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(pts)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if np.hypot(*(pts[i] - pts[j])) < min_dist:
                parent[find(i)] = find(j)
    out = pts.copy()
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    for members in groups.values():
        k = len(members)
        if k < 2:
            continue
        centre = pts[members].mean(axis=0)
        radius = max(min_dist * 0.8, min_dist * 1.05 / (2 * np.sin(np.pi / k)))
        angles = np.arctan2(pts[members, 1] - centre[1], pts[members, 0] - centre[0])
        order = np.argsort(angles)
        start = float(angles[order[0]])
        for rank, idx in enumerate(order):
            a = start + 2 * np.pi * rank / k
            out[members[idx]] = centre + radius * np.array([np.cos(a), np.sin(a)])
    return out


def _meta_html(w: Any, remarks: list[Any], as_of: dt.date, lang: str) -> str:
    t = _texts(lang)
    counts = dict.fromkeys(_GROUPS, 0)
    for r in remarks:
        counts[_group(r)] += 1
    summary = (f"{len(remarks)}: " + ", ".join(f"{n} {t[g + '_1'] if n == 1 else t[g]}"
                                                for g, n in counts.items() if n)) if remarks else "0"
    area = _area_geometry(w.area)
    area_text = t["area_drawn"].format(ha=f"{_hectares(area):.1f}".replace(".", ",")) if area is not None else t["none"]
    rows = [
        (t["date"], w.walk_date.isoformat() if w.walk_date else t["none"]),
        (t["group"], w.group_label(lang) or t["none"]),
        (t["organiser"], w.organiser or t["none"]),
        (t["area"], area_text),
        (t["as_of"], as_of.isoformat()),
        (t["remarks"], summary),
    ]
    cells = "".join(f'<tr><td class="k" width="22%">{esc(k)}</td><td width="78%">{esc(v)}</td></tr>'
                    for k, v in rows)
    return f'<table class="meta" cellspacing="0" width="100%">{cells}</table>'


def _iframe(remarks: list[Any], w: Any, lang: str) -> str:
    from ..maps.remarks import remarks_map
    from ..remarks.views import remarks_to_frame

    m = remarks_map(remarks_to_frame(remarks, lang=lang), lang=lang, area=w.area)
    doc = m.get_root().render()
    return f'<iframe class="map" title="{esc(w.title)}" srcdoc="{html.escape(doc, quote=True)}"></iframe>'


def protocol_html(service: Any, walk: Any, *, as_of: Any = None, lang: str = "sv", streets: Any = None,
                  actor: Any = None, for_pdf: bool = False) -> str:
    """The protocol as one self-contained HTML page (``for_pdf``: the static map only)."""
    lang = _lang(lang)
    t = _texts(lang)
    day = _as_date(as_of)
    w, remarks = protocol_remarks(service, walk, as_of=day, actor=actor)
    fig = static_map_figure(remarks, area=w.area, streets=streets, lang=lang)
    static = img_tag(fig, alt=f"{t['map']}: {w.title}", width_pt=500, dpi=150)
    if for_pdf:
        map_html = static
    else:
        map_html = (f'<div class="screen-only">{_iframe(remarks, w, lang)}</div>'
                    f'<div class="print-only">{static}</div>')
    body = (
        f'<p class="meta">{esc(t["title"])}</p>'
        f"{_meta_html(w, remarks, day, lang)}"
        f"<h2>{esc(t['map'])}</h2>{map_html}"
        f"<h2>{esc(t['table'])}</h2>{_table_html(remarks, lang, for_pdf)}"
        f'<p class="note">{esc(t["footer"].format(d=day.isoformat()))} '
        f'{esc(t["printed"].format(d=settings.local_today().isoformat()))}</p>'
    )
    return page(w.title, body, lang=lang, extra_css=_EXTRA_CSS)


def protocol_pdf_bytes(service: Any, walk: Any, *, as_of: Any = None, lang: str = "sv", streets: Any = None,
                       actor: Any = None) -> bytes:
    """The protocol as PDF bytes (for a download button)."""
    text = protocol_html(service, walk, as_of=as_of, lang=lang, streets=streets, actor=actor, for_pdf=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = html_to_pdf(text, Path(tmp) / "protokoll.pdf")
        return out.read_bytes()


def write_protocol(service: Any, walk: Any, path: str | Path, *, as_of: Any = None, lang: str = "sv",
                   streets: Any = None, actor: Any = None) -> Path:
    """Write the protocol to ``path``: ``.pdf`` as PDF, anything else as HTML."""
    from ..errors import InputError

    out = Path(path)
    if out.parent and not out.parent.exists():
        msg = f"folder {out.parent} does not exist: create it or choose another -o path"
        raise InputError(msg)
    suffix = out.suffix.lower()
    if suffix == ".pdf":
        out.write_bytes(protocol_pdf_bytes(service, walk, as_of=as_of, lang=lang, streets=streets, actor=actor))
    elif suffix in (".html", ".htm"):
        out.write_text(protocol_html(service, walk, as_of=as_of, lang=lang, streets=streets, actor=actor),
                       encoding="utf-8")
    else:
        msg = f"cannot tell the protocol format from '{out.name}': end the file name in .html or .pdf"
        raise InputError(msg)
    return out

