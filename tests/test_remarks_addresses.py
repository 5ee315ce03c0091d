"""Old walk protocols with an address but no coordinates: ``remarks import --address COL --register FILE``.

The sample's first protocol (the handbook's remarks, "Trasig belysning på Åvägen nr 37" …) with its
coordinates taken away is placed against the sample's address register; its own coordinates are
the truth the placed remarks are checked against.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geo_trygghet.cli import main

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"
REGISTER = SAMPLE / "belagenhetsadresser.gpkg"
PROTOCOL = SAMPLE / "protokoll_centrum_varen_2023.xlsx"
TITLE = "Centrum våren 2023 (adresser)"
_TO_SWEREF = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


def _run(tmp_path: Path, *args, env: dict | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEO_TRYGGHET_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
        mp.delenv("GEO_TRYGGHET_ADDRESS_REGISTER", raising=False)
        for k, v in (env or {}).items():
            mp.setenv(k, v)
        mp.chdir(tmp_path)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def _one_line_error(res: tuple[int, str, str], *pieces: str) -> None:
    code, _out, err = res
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for p in pieces:
        assert p in lines[0], lines[0]


@pytest.fixture(scope="module")
def protocol() -> pd.DataFrame:
    return pd.read_excel(PROTOCOL)


@pytest.fixture
def without_coordinates(tmp_path, protocol) -> Path:
    path = tmp_path / "gammalt_protokoll.xlsx"
    protocol.drop(columns=["lat", "lon"]).to_excel(path, index=False)
    return path


def _metres(lon, lat) -> np.ndarray:
    return np.column_stack(_TO_SWEREF.transform(np.asarray(lon, float), np.asarray(lat, float)))


def test_import_places_the_remarks_by_the_addresses_in_their_text(tmp_path, without_coordinates, protocol):
    code, out, err = _run(tmp_path, "remarks", "import", without_coordinates, "--walk", TITLE, "--date",
                          "2023-03-09", "--address", "ANMÄRKNING", "--register", REGISTER)
    assert code == 0, err
    head = out.splitlines()[0]
    # nothing dropped silently: every row is either imported or listed with its reason
    assert "13 rows read, 8 imported" in head and "5 without position" in head
    assert "geocoded 13 rows against belagenhetsadresser.gpkg (column 'ANMÄRKNING'): exact 6, " \
           "letter dropped 2, failed 5" in out
    assert "NR 5 'Trygg plats: välupplyst torg med folk i ': the address names no street (failed)" in out
    assert "NR 6 'Klotter på elskåp vid Kyrkogatan 12' → Kyrkogatan 12 A, Katrineholm (letter dropped)" in out

    from geo_trygghet.remarks import Actor, RemarkService, open_store

    service = RemarkService(open_store(f"sqlite:///{tmp_path / 'cli.sqlite'}"))
    try:
        remarks = service.remarks_frame(Actor.system(), walk=TITLE)
    finally:
        service.close()
    assert len(remarks) == 8
    truth = protocol.set_index("ANMÄRKNING")
    placed = _metres(remarks.geometry.x, remarks.geometry.y)
    known = _metres(truth.loc[remarks["text"], "lon"], truth.loc[remarks["text"], "lat"])
    dist = dict(zip(remarks["text"], np.hypot(*(placed - known).T).round(1), strict=True))
    # the protocol's points: a range (85–89, 4–6) at its middle number, 20 m from the first
    assert dist["Trasig belysning på Åvägen nr 37"] < 1 and dist["Fem skrotbilar vändplanen vid Bygatan 3"] < 1
    # (the passage "mellan Storgatan 140 och Bygatan" is drawn in the protocol where the two streets meet)
    dist.pop("Mörk och trång passage mellan Storgatan 140 och Bygatan")
    assert all(d < 25 for d in dist.values()), dist
    assert set(remarks["position_source"]) == {"address"}

    again = _run(tmp_path, "remarks", "import", without_coordinates, "--walk", TITLE, "--address", "ANMÄRKNING",
                 "--register", REGISTER)
    assert again[0] == 0 and "0 imported, 8 already present" in again[1]


def test_rows_with_coordinates_keep_them_and_an_address_column_is_recognised(tmp_path, protocol):
    """A protocol with an ADRESS column: rows without coordinates are placed by it, the others keep theirs;
    the register comes from GEO_TRYGGHET_ADDRESS_REGISTER."""
    df = protocol.copy()
    df["Adress"] = ["Åvägen 37", "Storgatan 85–89", "Bygatan 3", "Bivägen 4-6", "", "Kyrkogatan 12 B",
                    "Åvägen 20", "Storgatan 140 A", "Okändgatan 3", "", "Storg. 30", "Parkvägen 40", ""]
    df.loc[df["NR"].isin([1, 2, 3, 9, 11]), ["lat", "lon"]] = np.nan
    path = tmp_path / "blandat.xlsx"
    df.to_excel(path, index=False)
    code, out, err = _run(tmp_path, "remarks", "import", path, "--walk", "Blandat", "--date", "2023-03-09",
                          "--address", "Adress", env={"GEO_TRYGGHET_ADDRESS_REGISTER": str(REGISTER)})
    assert code == 0, err
    assert "13 rows read, 12 imported" in out and "1 without position" in out
    assert "geocoded 5 rows" in out and "8 rows kept their coordinates" in out
    assert "NR 9 'Okändgatan 3': street 'Okändgatan' is not in the address register" in out


def test_address_mistakes_exit_2_with_one_line(tmp_path, without_coordinates):
    _one_line_error(_run(tmp_path, "remarks", "import", without_coordinates, "--walk", "X", "--address",
                         "ANMÄRKNING"), "--address 'ANMÄRKNING' needs an address register", "--register")
    _one_line_error(_run(tmp_path, "remarks", "import", without_coordinates, "--walk", "X"),
                    "no coordinate columns", "--address COL --register FILE")
    _one_line_error(_run(tmp_path, "remarks", "import", without_coordinates, "--walk", "X", "--address", "Gata",
                         "--register", REGISTER), "Gata")
    _one_line_error(_run(tmp_path, "remarks", "import", without_coordinates, "--walk", "X", "--address",
                         "ANMÄRKNING", "--register", tmp_path / "saknas.gpkg"), "saknas.gpkg")
    _one_line_error(_run(tmp_path, "remarks", "import", without_coordinates, "--walk", "X", "--address",
                         "ANMÄRKNING", "--register", REGISTER, "--kommun", "Flen"), "Flen")


def test_import_with_addresses_through_the_service(service, without_coordinates):
    """The same import on SQLite and PostgreSQL: positions from the register, levels in the summary."""
    from geo_trygghet.ingest.geocode import read_register
    from geo_trygghet.remarks import Actor
    from geo_trygghet.remarks.importer import import_protocol

    summary = import_protocol(service, without_coordinates, TITLE, walk_date="2023-03-09", address="ANMÄRKNING",
                              register=read_register(REGISTER))
    assert summary.imported == 8 and summary.without_position == ("5", "9", "10", "11", "13")
    assert summary.geocoded == {"exact": 6, "letter_dropped": 2, "failed": 5}
    assert set(summary.address_notes) == {"5", "6", "8", "9", "10", "11", "13"}
    walk = service.get_walk(TITLE)
    first = next(r for r in service.list_remarks(Actor.system(), walk=walk) if r.number == 1)
    assert first.position_source == "address" and first.text == "Trasig belysning på Åvägen nr 37"
