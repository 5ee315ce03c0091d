"""Small shared helpers for the HTML/PDF reports (lägesbild, walk protocol, evaluation).

Everything a user typed (titles, remark texts, crime types, area names) goes
through :func:`esc` or :func:`table_html` before it reaches the page. The page
CSS is kept to what xhtml2pdf understands, so the same HTML prints from a
browser and converts to PDF with :func:`html_to_pdf`.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import pandas as pd

from ..i18n.formatting import fmt_value

__all__ = ["PAGE_CSS", "esc", "fmt_value", "page", "table_html", "figure_png_base64", "img_tag",
           "html_to_pdf"]

#: Print CSS (A4, xhtml2pdf-compatible: no flexbox, no CSS variables).
PAGE_CSS = """
@page { size: a4 portrait; margin: 1.6cm 1.5cm 1.6cm 1.5cm; }
body { font-family: Helvetica, Arial, sans-serif; font-size: 10pt; color: #222; line-height: 1.35; }
h1 { font-size: 18pt; margin: 0 0 6pt 0; color: #1b3a5c; }
h2 { font-size: 13pt; margin: 14pt 0 4pt 0; color: #1b3a5c; border-bottom: 1px solid #c9d3de;
     padding-bottom: 2pt; }
h3 { font-size: 11pt; margin: 10pt 0 3pt 0; }
p { margin: 3pt 0 5pt 0; }
.meta { color: #555; font-size: 9pt; }
.note { color: #555; font-size: 8.5pt; }
table.data { margin: 4pt 0 8pt 0; width: 100%; }
table.data th { background-color: #e8eef4; text-align: left; padding: 3pt 4pt;
                border-bottom: 1px solid #8aa0b6; font-size: 9pt; }
table.data td { padding: 2pt 4pt; border-bottom: 1px solid #dde3ea; font-size: 9pt;
                vertical-align: top; }
table.data td.num, table.data th.num { text-align: right; }
img.figure { margin: 4pt 0 8pt 0; }
.pagebreak { page-break-before: always; }
@media print { a { color: #222; text-decoration: none; } }
"""


def esc(text: Any) -> str:
    """HTML-escape anything (``None`` and missing values become an empty string)."""
    if text is None:
        return ""
    try:
        if pd.isna(text):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(text), quote=True)


def page(title: str, body_html: str, lang: str = "sv", *, extra_css: str = "") -> str:
    """A complete HTML document: ``title`` is escaped, ``body_html`` is trusted markup
    built by the caller (escape user text in it with :func:`esc`)."""
    t = esc(title)
    lang_attr = esc(lang or "sv")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang_attr}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{t}</title>\n<style>{PAGE_CSS}{extra_css}</style>\n</head>\n"
        f"<body>\n<h1>{t}</h1>\n{body_html}\n</body>\n</html>\n"
    )


def table_html(
    df: pd.DataFrame,
    escape: bool = True,
    *,
    index: bool | None = None,
    decimals: int = 1,
    css_class: str = "data",
    max_rows: int | None = None,
    lang: str = "sv",
) -> str:
    """A DataFrame as an HTML table. Headers and cells are escaped unless ``escape=False``
    (only for cells the caller built as markup). ``index=None`` shows the index when it
    is not a plain RangeIndex. Numbers are right-aligned and formatted by :func:`fmt_value`."""
    if index is None:
        index = not isinstance(df.index, pd.RangeIndex)
    frame = df.head(max_rows) if max_rows is not None else df
    cell = esc if escape else (lambda v: "" if v is None else str(v))

    def is_num(series: pd.Series) -> bool:
        return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)

    cols = list(frame.columns)
    numeric = {c: is_num(frame[c]) for c in cols}
    head = []
    if index:
        head.append(f"<th>{cell(frame.index.name or '')}</th>")
    for c in cols:
        cls = ' class="num"' if numeric[c] else ""
        head.append(f"<th{cls}>{cell(c)}</th>")
    rows = []
    for idx, row in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        tds = []
        if index:
            tds.append(f"<td>{cell(fmt_value(idx, lang=lang))}</td>")
        for c, v in zip(cols, row, strict=True):
            if numeric[c]:
                tds.append(f'<td class="num">{cell(fmt_value(v, decimals=decimals, lang=lang))}</td>')
            else:
                tds.append(f"<td>{cell(fmt_value(v, na='', lang=lang))}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return (f'<table class="{esc(css_class)}" cellspacing="0">\n<thead><tr>{"".join(head)}</tr></thead>\n'
            f"<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>")


def figure_png_base64(fig: Any, *, dpi: int = 110) -> str:
    """Render a matplotlib figure to PNG and return the base64 text.

    Build figures with ``matplotlib.figure.Figure()`` (no pyplot: thread-safe in
    the app, no display needed); a pyplot figure is closed after rendering."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    if getattr(fig.canvas, "manager", None) is not None:  # made by pyplot: free it
        import matplotlib.pyplot as plt

        plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def img_tag(fig: Any, alt: str = "", *, width_pt: int = 480, dpi: int = 110) -> str:
    """An ``<img>`` with the figure embedded as a data URI (``alt`` escaped).
    ``width_pt`` is the printed width (xhtml2pdf reads the width attribute)."""
    data = figure_png_base64(fig, dpi=dpi)
    return (f'<img class="figure" alt="{esc(alt)}" width="{int(width_pt)}" '
            f'style="max-width:100%;height:auto" src="data:image/png;base64,{data}">')


def _pdf_font_css() -> str:
    """@font-face rules for DejaVu Sans (shipped with matplotlib), whose glyphs cover
    what Helvetica lacks in the PDF (− ≤ ≥ – ’ and most scripts a remark may hold)."""
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = [("DejaVuSans.ttf", "normal", "normal"), ("DejaVuSans-Bold.ttf", "bold", "normal"),
             ("DejaVuSans-Oblique.ttf", "normal", "italic"), ("DejaVuSans-BoldOblique.ttf", "bold", "italic")]
    rules = [f'@font-face {{ font-family: "DejaVuSans"; src: url("{(ttf / name).as_posix()}"); '
             f"font-weight: {weight}; font-style: {style}; }}"
             for name, weight, style in faces if (ttf / name).exists()]
    if not rules:
        return ""
    return "\n".join(rules) + '\nbody, p, td, th, h1, h2, h3, li, span, div, b { font-family: "DejaVuSans"; }\n'


def html_to_pdf(html_text: str, path: str | Path) -> Path:
    """Convert a page made by :func:`page` to a PDF file with xhtml2pdf (DejaVu Sans
    embedded so that every character of the page has a glyph)."""
    from xhtml2pdf import pisa

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fonts = _pdf_font_css()
    if fonts and "</head>" in html_text:
        html_text = html_text.replace("</head>", f"<style>{fonts}</style>\n</head>", 1)
    kwargs: dict[str, Any] = {}
    try:  # newer xhtml2pdf confines file reads: allow the font folder only, nothing remote
        import matplotlib
        from xhtml2pdf.config.resources import ResourceAccessPolicy

        fonts_dir = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        kwargs["resource_policy"] = ResourceAccessPolicy(allow_remote=False, base_dir=fonts_dir)
    except ImportError:  # pragma: no cover - older xhtml2pdf reads local files freely
        pass
    with out.open("wb") as fh:
        status = pisa.CreatePDF(html_text, dest=fh, encoding="utf-8", **kwargs)
    if status.err:
        msg = f"PDF conversion failed for {out} ({status.err} errors)"
        raise RuntimeError(msg)
    return out
