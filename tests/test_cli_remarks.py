"""``geo-trygghet remarks import|export`` and ``protocol``: parsing, output and the one-line errors
in-process (``geo_trygghet.cli.main``), and a few real runs of ``python -m geo_trygghet`` for the
exit codes a shell sees."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from geo_trygghet.cli import main
from tests._protocol_files import ROWS, write_protocol_xlsx

REPO = Path(__file__).resolve().parents[1]
TITLE = "Centrum våren 2023"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def _run(tmp_path, *args, db="cli.sqlite") -> Result:
    """``geo-trygghet ARGS`` in this process, on the database ``db`` in ``tmp_path``."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEO_TRYGGHET_DATABASE_URL", f"sqlite:///{tmp_path / db}")
        mp.chdir(tmp_path)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as stop:  # argparse's usage errors and --help
                code = stop.code if isinstance(stop.code, int) else 2
    return Result(code, out.getvalue(), err.getvalue())


def _subprocess(tmp_path, *args, db="cli.sqlite") -> Result:
    """The real console entry, for exit codes as a shell sees them."""
    env = {**os.environ, "GEO_TRYGGHET_DATABASE_URL": f"sqlite:///{tmp_path / db}"}
    res = subprocess.run([sys.executable, "-m", "geo_trygghet", *map(str, args)], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=180, check=False)
    return Result(res.returncode, res.stdout, res.stderr)


def _one_line_error(res, *pieces):
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    for p in pieces:
        assert p in lines[0], lines[0]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A database with one imported protocol (SWEREF 99 TM coordinates)."""
    tmp = tmp_path_factory.mktemp("cli")
    xlsx = write_protocol_xlsx(tmp / "protokoll.xlsx", crs="sweref", title_line=True)
    first = _run(tmp, "remarks", "import", xlsx, "--walk", TITLE, "--date", "2023-03-09")
    assert first.returncode == 0, first.stderr
    return tmp, xlsx, first


def test_import_prints_a_summary_and_is_idempotent(loaded):
    tmp, xlsx, first = loaded
    head = first.stdout.splitlines()[0]
    assert f"{len(ROWS)} rows read, {len(ROWS)} imported, 0 already present" in head
    assert "2 fixed, 0 without position" in head and "EPSG:3006" in first.stdout
    again = _run(tmp, "remarks", "import", xlsx, "--walk", TITLE)
    assert again.returncode == 0, again.stderr
    assert f"0 imported, {len(ROWS)} already present" in again.stdout


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "gpkg", "open311"])
def test_export_formats(loaded, fmt):
    tmp, _, _ = loaded
    out = tmp / f"export.{fmt}"
    res = _run(tmp, "remarks", "export", "--format", fmt, "-o", out, "--walk", TITLE)
    assert res.returncode == 0, res.stderr
    assert f"wrote {len(ROWS)} remarks" in res.stdout and out.stat().st_size > 0
    if fmt == "open311":
        data = json.loads(out.read_text(encoding="utf-8"))
        assert {d["status"] for d in data} == {"open", "closed"}
    elif fmt == "csv":
        df = pd.read_csv(out, encoding="utf-8-sig")
        assert {"e", "n", "lon", "lat"} <= set(df.columns) and len(df) == len(ROWS)


def test_export_as_of(loaded):
    tmp, _, _ = loaded
    out = tmp / "asof.json"
    res = _run(tmp, "remarks", "export", "--format", "open311", "-o", out, "--as-of", "2023-04-01")
    assert res.returncode == 0, res.stderr
    by_nr = {d["extended_attributes"]["number"]: d for d in json.loads(out.read_text(encoding="utf-8"))}
    assert by_nr[1]["status"] == "open"


def test_protocol_html_and_pdf(loaded):
    tmp, _, _ = loaded
    html_out, pdf_out = tmp / "p.html", tmp / "p.pdf"
    res = _run(tmp, "protocol", TITLE, "-o", html_out, "--as-of", "2023-05-31")
    assert res.returncode == 0, res.stderr and "as of 2023-05-31" in res.stdout
    page = html_out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    res = _run(tmp, "protocol", "1", "-o", pdf_out)  # by id
    assert res.returncode == 0, res.stderr
    assert pdf_out.read_bytes().startswith(b"%PDF")


def test_user_mistakes_exit_2_with_one_line(loaded, tmp_path):
    tmp, _, _ = loaded
    _one_line_error(_run(tmp, "remarks", "import", tmp / "missing.xlsx", "--walk", "X"), "missing.xlsx")
    bad = write_protocol_xlsx(tmp_path / "bad.xlsx", headers=["NR", "Kommentar", "KATEGORI", "PROBLEMÄGARE",
                                                            "PLANERAT", "ÅTGÄRDAT"])
    _one_line_error(_run(tmp, "remarks", "import", bad, "--walk", "X"), "ANMÄRKNING", "bad.xlsx")
    rows = [list(r) for r in ROWS]
    rows[3][5] = "snart"
    bad_date = write_protocol_xlsx(tmp_path / "date.xlsx", rows=[tuple(r) for r in rows])
    _one_line_error(_run(tmp, "remarks", "import", bad_date, "--walk", "X"), "row 5", "ÅTGÄRDAT")
    rows = [list(r) for r in ROWS]
    rows[0][6] = 250.0
    bad_pos = write_protocol_xlsx(tmp_path / "pos.xlsx", rows=[tuple(r) for r in rows])
    _one_line_error(_run(tmp, "remarks", "import", bad_pos, "--walk", "X"), "out of range")
    csv_bad = tmp_path / "bad.csv"
    csv_bad.write_bytes(b"")
    _one_line_error(_run(tmp, "remarks", "import", csv_bad, "--walk", "X"), "empty")
    _one_line_error(_run(tmp, "remarks", "import", tmp_path / "p.docx", "--walk", "X"), "p.docx")
    _one_line_error(_run(tmp, "protocol", "Finns inte", "-o", tmp / "x.html"), "Finns inte")
    _one_line_error(_run(tmp, "protocol", TITLE, "-o", tmp / "x.docx"), ".pdf")
    _one_line_error(_run(tmp, "protocol", TITLE, "-o", tmp / "x.html", "--as-of", "igår"), "--as-of")
    _one_line_error(_run(tmp, "remarks", "export", "--format", "csv", "-o", tmp / "nope" / "x.csv"), "does not exist")
    _one_line_error(_run(tmp, "remarks", "export", "--format", "csv", "-o", tmp / "x.csv", "--walk", "Nej"), "Nej")
    usage = _run(tmp, "remarks", "export", "--format", "pdf", "-o", tmp / "x.pdf")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr and "invalid choice: 'pdf'" in usage.stderr
    _one_line_error(_run(tmp, "remarks", "import", tmp_path / "x.xlsx"), "--walk")  # a required flag missing
    _one_line_error(_run(tmp, "remarks", "import", tmp / "missing.xlsx", "--walk", "X", "--date", "9/3"), "--date")
    # nothing was written by the refused imports
    listing = _run(tmp, "remarks", "export", "--format", "csv", "-o", tmp / "all.csv")
    assert f"wrote {len(ROWS)} remarks" in listing.stdout


def test_real_exit_codes_of_the_console_entry(loaded, tmp_path):
    """What a shell sees: 0 on success, 2 and one line for a user's mistake or a usage error."""
    tmp, xlsx, _ = loaded
    again = _subprocess(tmp, "remarks", "import", xlsx, "--walk", TITLE)
    assert again.returncode == 0, again.stderr
    assert f"0 imported, {len(ROWS)} already present" in again.stdout
    _one_line_error(_subprocess(tmp, "remarks", "import", tmp / "missing.xlsx", "--walk", "X"), "missing.xlsx")
    usage = _subprocess(tmp, "remarks", "export", "--format", "pdf", "-o", tmp / "x.pdf")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
