"""The walk protocol: as of any date from the events, escaped HTML, a PDF with the table text."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from geo_trygghet.remarks.importer import import_protocol
from geo_trygghet.reports.protocol import (
    protocol_html,
    protocol_remarks,
    protocol_table,
    static_map_figure,
    write_protocol,
)
from tests._protocol_files import WALK_DATE, XSS_IMG, XSS_SCRIPT, write_protocol_xlsx

TITLE = "Centrum våren 2023"


class _Doc(HTMLParser):
    """Tags, attributes and text of a page, with the rows of table.protocol."""

    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []
        self.rows, self._row, self._cell, self._in_protocol = [], None, None, False
        self.srcdoc = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        self.attrs.extend(a)
        if tag == "table" and "protocol" in (a.get("class") or ""):
            self._in_protocol = True
        elif tag == "tr" and self._in_protocol:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "iframe":
            self.srcdoc = a.get("srcdoc")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).replace("\u200b", "").strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._in_protocol = False

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _parse(text):
    d = _Doc()
    d.feed(text)
    return d


@pytest.fixture
def walk_service(service, tmp_path):
    import_protocol(service, write_protocol_xlsx(tmp_path / "p.xlsx"), TITLE, walk_date=WALK_DATE)
    return service


def _row(doc, nr):
    return next(r for r in doc.rows[1:] if r[0] == str(nr))


def test_protocol_as_of_dates_is_rebuilt_from_the_events(walk_service):
    before = _parse(protocol_html(walk_service, TITLE, as_of=dt.date(2023, 4, 29)))
    after = _parse(protocol_html(walk_service, TITLE, as_of="2023-04-30"))
    assert before.rows[0] == ["NR", "ANMÄRKNING", "KATEGORI", "PROBLEMÄGARE", "PLANERAT", "ÅTGÄRDAT", "STATUS"]
    b1, a1 = _row(before, 1), _row(after, 1)
    assert b1[1] == "Trasig belysning på Åvägen nr 37" and b1[3] == "Gatukontoret"
    assert (b1[5], b1[6]) == ("", "Tilldelad")
    assert (a1[5], a1[6]) == ("2023-04-30", "Åtgärdad")
    # NR 4: planned 2023-05-01, fixed 2023-05-10
    assert _row(after, 4)[4:] == ["2023-05-01", "", "Planerad"]
    late = _parse(protocol_html(walk_service, TITLE, as_of="2023-06-01"))
    assert _row(late, 4)[5:] == ["2023-05-10", "Åtgärdad"]
    # before the walk: no remarks yet
    empty = _parse(protocol_html(walk_service, TITLE, as_of="2023-03-01"))
    assert empty.rows == [] and "Inga anmärkningar" in "".join(empty.text)
    # the title block
    text = " ".join(after.text)
    assert TITLE in text and "2023-03-09" in text and "Läget per" in text and "2023-04-30" in text


def test_protocol_table_frame(walk_service):
    _walk, remarks = protocol_remarks(walk_service, TITLE, as_of="2023-06-01")
    df = protocol_table(remarks)
    assert list(df["NR"]) == [1, 2, 3, 4, 5, 6]
    assert df.loc[df["NR"] == 2, "PLANERAT"].iloc[0] == dt.date(2023, 6, 30)
    en = protocol_table(remarks, lang="en")
    assert list(en.columns)[:3] == ["NO.", "REMARK", "CATEGORY"]


def test_protocol_html_escapes_user_text(walk_service, tmp_path):
    out = write_protocol(walk_service, TITLE, tmp_path / "p.html")
    page = out.read_text(encoding="utf-8")
    doc = _parse(page)
    assert "script" not in doc.tags
    # the only <img> is the static (print) map, a data URI without handlers
    assert doc.tags.count("img") == 1 and "onerror" not in doc.attrs
    assert "<script>alert" not in page and "<img src=x" not in page
    cells = [c for r in doc.rows for c in r]
    assert XSS_SCRIPT in cells and XSS_IMG in cells  # shown as the text that was typed
    # the interactive map inside the iframe: popups escaped too
    inner = doc.srcdoc
    assert inner and "bindPopup" in inner
    assert "<script>alert" not in inner and "<img src=x" not in inner
    inner_doc = _parse(inner)
    assert "onerror" not in inner_doc.attrs


def test_protocol_pdf_has_the_table_text(walk_service, tmp_path):
    out = write_protocol(walk_service, TITLE, tmp_path / "p.pdf", as_of="2023-06-01")
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    try:
        from pypdf import PdfReader

        text = "\n".join(p.extract_text() for p in PdfReader(str(out)).pages)
    except ImportError:  # pragma: no cover
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    for part in ("ÅTGÄRDAT", "PROBLEMÄGARE", "Trasig belysning på Åvägen nr 37", "Gatukontoret",
                 "2023-04-30", "<script>alert(1)</script>", "Bostadsbolaget AB", "Åtgärdad"):
        assert part in flat, part


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_protocol_pdf_renders(walk_service, tmp_path):
    out = write_protocol(walk_service, TITLE, tmp_path / "p.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
                   check=True)
    assert list(tmp_path.glob("page*.png"))


def test_static_map_draws_numbers_in_state_colours(walk_service):
    from matplotlib.colors import to_hex

    from geo_trygghet.maps.remarks import STATE_COLOURS

    _walk, remarks = protocol_remarks(walk_service, TITLE, as_of="2023-06-01")
    fig = static_map_figure(remarks)
    ax = fig.axes[0]
    numbers = sorted(int(t.get_text()) for t in ax.texts if t.get_text().isdigit())
    assert numbers == [1, 2, 3, 4, 5, 6]
    colours = {to_hex(c.get_facecolor()[0]) for c in ax.collections if len(c.get_offsets()) == 1}
    assert {STATE_COLOURS["fixed"], STATE_COLOURS["planned"], STATE_COLOURS["open"]} <= colours


def test_unknown_walk_and_bad_suffix(walk_service, tmp_path):
    from geo_trygghet.errors import InputError, NotFoundError

    with pytest.raises(NotFoundError):
        write_protocol(walk_service, "Ingen sådan vandring", tmp_path / "p.html")
    with pytest.raises(InputError, match=r"\.html or \.pdf"):
        write_protocol(walk_service, TITLE, tmp_path / "p.docx")
