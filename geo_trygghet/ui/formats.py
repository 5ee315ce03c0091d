"""How the pages write numbers, tables and chart axes in the session's language.

Streamlit's own number formats ("localized", printf) and Leaflet's ``toLocaleString`` follow
the *browser's* locale, so a Swedish page in an English browser showed "3,400" inhabitants
and rates "216,852", which a Swede reads as decimals. Here the interface language decides:

- :func:`fmt_count`, :func:`fmt_dec`: a number in a sentence or a metric;
- :func:`styled`: a table for ``st.dataframe`` whose numbers are written by
  :mod:`geo_trygghet.i18n.formatting` (a pandas Styler: the cells still sort as numbers);
- :func:`localised`: an Altair chart with a Vega format locale (``1 234,5``, Swedish month
  names) for its axes and tooltips; use :data:`AXIS_NUMBER` / :data:`AXIS_DECIMAL` formats.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..i18n.formatting import fmt_num, fmt_value
from .i18n import lang

__all__ = ["AXIS_DECIMAL", "AXIS_MONTH", "AXIS_NUMBER", "XLSX", "fmt_count", "fmt_dec", "localised", "styled",
           "unbroken", "vega_locale", "xlsx_bytes"]

#: The MIME type of an Excel workbook (for download buttons).
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Chart formats: ISO months (2024-03), whole numbers and one decimal with the locale's separators.
AXIS_MONTH, AXIS_NUMBER, AXIS_DECIMAL = "%Y-%m", ",.0f", ",.1f"

_SV_NUMBER = {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0kr"],
              "minus": "\u2212", "percent": "\u00a0%"}
_EN_NUMBER = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]}
_SV_TIME = {
    "dateTime": "%A %e %B %Y %H:%M", "date": "%Y-%m-%d", "time": "%H:%M:%S", "periods": ["fm", "em"],
    "days": ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
    "shortDays": ["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
    "months": ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
               "november", "december"],
    "shortMonths": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
}
_EN_TIME = {
    "dateTime": "%a %e %B %Y %H:%M", "date": "%Y-%m-%d", "time": "%H:%M:%S", "periods": ["AM", "PM"],
    "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
    "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
    "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"],
    "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def fmt_count(value: float) -> str:
    """A whole number with the thousands separator of the interface language (a narrow
    no-break space in Swedish, so that ``56 434`` never breaks over two lines)."""
    return fmt_num(int(value), lang()).replace(" ", "\u202f")


def fmt_dec(value: float, decimals: int = 1) -> str:
    """A decimal number in the interface language: ``3,4`` in Swedish, ``3.4`` in English."""
    return fmt_num(float(value), lang(), decimals)


def unbroken(text: str) -> str:
    """``text`` with the spaces inside numbers made no-break ("5 831" must not end a line with
    "5" and start the next with "831")."""
    import re

    return re.sub(r"(?<=\d) (?=\d{3}\b)", "\u00a0", text)


def vega_locale(lang_: str) -> dict[str, Any]:
    """A Vega ``config.locale`` (number and time formats) for ``lang_``."""
    return {"number": _SV_NUMBER, "time": _SV_TIME} if lang_ != "en" else {"number": _EN_NUMBER, "time": _EN_TIME}


def localised(chart: Any) -> Any:
    """``chart`` (an Altair chart) with the session language's number and date locale."""
    return chart.configure(locale=vega_locale(lang()))


def _cell(decimals: int, lang_: str) -> Any:
    def write(value: Any) -> str:  # no-break spaces: "11 661" never splits over two lines of a cell
        return fmt_value(value, decimals=decimals, lang=lang_).replace(" ", "\u00a0")
    return write


def styled(frame: pd.DataFrame, decimals: Mapping[str, int] | None = None, *, default: int = 1) -> Any:
    """``frame`` as a Styler for ``st.dataframe``: every number column written in the session's
    language (``3 400``, ``42,3``), whole-number columns without decimals, float columns with
    ``decimals[column]`` (else ``default``) decimals, missing values as "–". Do not give those
    columns a ``NumberColumn(format=...)``: Streamlit's column formats win over a Styler."""
    lg, decimals = lang(), dict(decimals or {})
    formats = {}
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            continue
        whole = pd.api.types.is_integer_dtype(series)
        formats[col] = _cell(0 if whole and col not in decimals else decimals.get(col, default), lg)
    return frame.style.format(formats, na_rep="–")


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """An Excel workbook, one sheet per frame: numbers stay numbers, so Excel shows them in the
    reader's own format (a CSV's "1,5" or "1.5" depends on the Windows region; an .xlsx does not).
    Column widths fit the headers; geometry columns are left out."""
    import io

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            table = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
            table.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for i, col in enumerate(table.columns, start=1):
                sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = max(10, len(str(col)) + 2)
    return buffer.getvalue()
