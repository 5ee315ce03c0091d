"""Import of handbook protocols and export of remarks, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from pyproj import Transformer

from geo_trygghet.errors import CRSError, DateError, InputError, SchemaError
from geo_trygghet.remarks import Actor
from geo_trygghet.remarks.categories import category_from_label
from geo_trygghet.remarks.export import export_remarks
from geo_trygghet.remarks.importer import import_protocol
from geo_trygghet.remarks.open311 import open311_requests
from geo_trygghet.remarks.protocol_file import remark_uuid
from geo_trygghet.settings import local_today
from tests._protocol_files import ROWS, WALK_DATE, XSS_SCRIPT, write_protocol_xlsx

ADMIN = Actor.system()
TO_SWEREF = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


def _import(service, tmp_path, *, crs="wgs84", title="Centrum våren 2023", **kw):
    path = write_protocol_xlsx(tmp_path / f"protokoll_{crs}.xlsx", crs=crs, **kw)
    return import_protocol(service, path, title, walk_date=WALK_DATE)


def _by_number(service, walk):
    return {r.number: r for r in service.list_remarks(ADMIN, walk=walk)}


# --------------------------------------------------------------------------- import


def test_import_builds_the_lifecycle_from_the_protocol(service, tmp_path):
    summary = _import(service, tmp_path)
    assert summary.walk_created and summary.imported == len(ROWS) and summary.already_present == 0
    assert summary.fixed == 2 and not summary.without_position
    assert summary.unknown_categories == {"4": "Brandrisk"}
    assert set(summary.new_organisations) == {"Gatukontoret", "Bostadsbolaget AB"}
    walk = service.get_walk("Centrum våren 2023")
    assert walk.walk_date == WALK_DATE
    r = _by_number(service, walk)
    assert sorted(r) == [1, 2, 3, 4, 5, 6]
    assert r[1].id == remark_uuid("Centrum våren 2023", 1)
    assert (r[1].state, r[1].owner_name, r[1].fixed_date) == (
        "atgardad",
        "Gatukontoret",
        dt.date(2023, 4, 30),
    )
    assert (r[2].state, r[2].planned_date, r[2].owner_name) == (
        "planerad",
        dt.date(2023, 6, 30),
        "Bostadsbolaget AB",
    )
    assert (r[3].state, r[3].category) == ("tilldelad", "overgivet_foremal")
    assert (r[4].state, r[4].category, r[4].fixed_date) == (
        "atgardad",
        "annat",
        dt.date(2023, 5, 10),
    )
    assert (r[5].state, r[5].text, r[5].owner_id) == ("ny", XSS_SCRIPT, None)
    assert r[6].category == "buskage" and r[1].position_source == "import"
    # the history is real and back-dated: ny on the walk day → tilldelad → (planerad) → åtgärdad on the fixed day
    h = service.history(ADMIN, r[4].id)
    assert [e.to_state for e in h] == ["ny", "tilldelad", "planerad", "atgardad"]
    assert h[0].at.date() == WALK_DATE and h[-1].at.date() == dt.date(2023, 5, 10)
    assert all(a.at < b.at for a, b in itertools.pairwise(h))
    assert [e.to_state for e in service.history(ADMIN, r[1].id)] == ["ny", "tilldelad", "atgardad"]


def test_reimport_is_idempotent_and_keeps_numbers(service, tmp_path):
    _import(service, tmp_path)
    walk = service.get_walk("Centrum våren 2023")
    before = {n: (r.id, r.state) for n, r in _by_number(service, walk).items()}
    events = {
        r.id: len(service.history(ADMIN, r.id)) for r in service.list_remarks(ADMIN, walk=walk)
    }
    again = _import(service, tmp_path)
    assert (again.imported, again.already_present, again.updated, again.walk_created) == (
        0,
        len(ROWS),
        0,
        False,
    )
    after = {n: (r.id, r.state) for n, r in _by_number(service, walk).items()}
    assert after == before
    assert {
        r.id: len(service.history(ADMIN, r.id)) for r in service.list_remarks(ADMIN, walk=walk)
    } == events
    assert len(service.list_organisations()) == 2


def test_reimport_moves_a_remark_forward_never_back(service, tmp_path):
    _import(service, tmp_path)
    rows = [list(r) for r in ROWS]
    rows[2][5] = dt.date(2023, 8, 1)  # NR 3 now fixed
    rows[0][5] = None  # NR 1's date erased in the file: the database keeps it fixed
    summary = _import(service, tmp_path, rows=[tuple(r) for r in rows])
    assert summary.updated == 1 and summary.imported == 0
    r = _by_number(service, service.get_walk("Centrum våren 2023"))
    assert (r[3].state, r[3].fixed_date) == ("atgardad", dt.date(2023, 8, 1))
    assert (r[1].state, r[1].fixed_date) == ("atgardad", dt.date(2023, 4, 30))


def test_sweref_and_wgs84_protocols_give_the_same_positions(service, tmp_path):
    a = _import(service, tmp_path, crs="wgs84", title="A")
    b = _import(service, tmp_path, crs="sweref", title="B", title_line=True)
    assert a.crs == "EPSG:4326" and b.crs == "EPSG:3006"
    ra, rb = _by_number(service, "A"), _by_number(service, "B")
    for n in ra:
        assert ra[n].lon == pytest.approx(rb[n].lon, abs=1e-7)
        assert ra[n].lat == pytest.approx(rb[n].lat, abs=1e-7)
        assert ra[n].text == rb[n].text


def test_rows_without_position_are_left_out_and_listed(service, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][6] = rows[1][7] = None
    summary = _import(service, tmp_path, rows=[tuple(r) for r in rows])
    assert summary.without_position == ("2",) and summary.imported == len(ROWS) - 1
    assert "NR 2" in "\n".join(summary.summary_lines())


def test_csv_semicolon_windows_1252(service, tmp_path):
    path = tmp_path / "protokoll.csv"
    text = (
        "NR;ANMÄRKNING;KATEGORI;PROBLEMÄGARE;ÅTGÄRDAT;lat;lon\n"
        "1;Mörkt vid gångtunneln, Åvägen;Gångtunnel/passage;Trafikverket;2023-10-25;58,98404;16,19848\n"
        "2;Skräp på torget;nedskräpning;;;58,9931;16,1937\n"
    )
    path.write_bytes(text.encode("cp1252"))
    summary = import_protocol(service, path, "Station", walk_date="2023-10-10")
    assert summary.imported == 2 and summary.fixed == 1
    r = _by_number(service, "Station")
    assert r[1].text == "Mörkt vid gångtunneln, Åvägen" and r[1].category == "gangtunnel"
    assert r[1].lat == pytest.approx(58.98404) and r[1].owner_name == "Trafikverket"
    assert r[2].category == "nedskrapning" and r[2].state == "ny"


@pytest.mark.parametrize(
    ("label", "slug", "known"),
    [
        ("Belysning", "belysning", True),
        ("BUSKAGE/SKYMD SIKT", "buskage", True),
        ("buskage", "buskage", True),
        ("Övergivet föremål", "overgivet_foremal", True),
        ("trygg plats", "trygg_plats", True),
        ("Lighting", "belysning", True),
        ("Brandrisk", "annat", False),
        ("", "annat", False),
    ],
)
def test_category_labels(label, slug, known):
    assert category_from_label(label) == (slug, known)


# --------------------------------------------------------------------------- bad input (SQLite is enough)


@pytest.fixture
def sqlite_service(tmp_path):
    from geo_trygghet.remarks import RemarkService

    svc = RemarkService(f"sqlite:///{tmp_path / 'bad.sqlite'}")
    yield svc
    svc.close()


def test_missing_anmarkning_column(sqlite_service, tmp_path):
    path = write_protocol_xlsx(
        tmp_path / "p.xlsx",
        headers=["NR", "Kommentar", "KATEGORI", "PROBLEMÄGARE", "PLANERAT", "ÅTGÄRDAT"],
    )
    with pytest.raises(SchemaError, match="ANMÄRKNING") as err:
        import_protocol(sqlite_service, path, "X")
    assert "\n" not in str(err.value) and "p.xlsx" in str(err.value)
    assert sqlite_service.list_walks(ADMIN) == []  # nothing written


def test_unparseable_fixed_date_names_the_row(sqlite_service, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[2][5] = "klart i maj"
    path = write_protocol_xlsx(tmp_path / "p.xlsx", rows=[tuple(r) for r in rows])
    with pytest.raises(DateError) as err:
        import_protocol(sqlite_service, path, "X")
    assert "row 4" in str(err.value) and "ÅTGÄRDAT" in str(err.value)
    assert sqlite_service.list_walks(ADMIN) == []


def test_coordinates_out_of_range(sqlite_service, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][7] = 123.4  # latitude
    path = write_protocol_xlsx(tmp_path / "p.xlsx", rows=[tuple(r) for r in rows])
    with pytest.raises(CRSError, match="out of range"):
        import_protocol(sqlite_service, path, "X")


def test_fixed_without_owner_and_future_dates_are_refused(sqlite_service, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][3] = None
    with pytest.raises(InputError, match="PROBLEMÄGARE"):
        import_protocol(
            sqlite_service,
            write_protocol_xlsx(tmp_path / "a.xlsx", rows=[tuple(r) for r in rows]),
            "X",
        )
    rows = [list(r) for r in ROWS]
    rows[0][5] = local_today() + dt.timedelta(days=30)
    with pytest.raises(DateError, match="future"):
        import_protocol(
            sqlite_service,
            write_protocol_xlsx(tmp_path / "b.xlsx", rows=[tuple(r) for r in rows]),
            "X",
        )


def test_duplicate_nr_is_refused(sqlite_service, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][0] = 1
    with pytest.raises(InputError, match="NR 1 appears twice"):
        import_protocol(
            sqlite_service,
            write_protocol_xlsx(tmp_path / "a.xlsx", rows=[tuple(r) for r in rows]),
            "X",
        )


# --------------------------------------------------------------------------- export


def _check_en(df):
    e, n = TO_SWEREF.transform(df["lon"].to_numpy(float), df["lat"].to_numpy(float))
    np.testing.assert_allclose(df["e"].to_numpy(float), e, atol=1e-3)
    np.testing.assert_allclose(df["n"].to_numpy(float), n, atol=1e-3)


def test_export_csv_xlsx_gpkg_round_trip(service, tmp_path):
    _import(service, tmp_path)
    walk = service.get_walk("Centrum våren 2023")

    csv_path = tmp_path / "out.csv"
    assert export_remarks(service, csv_path, "csv", walk=walk) == len(ROWS)
    df = pd.read_csv(csv_path, encoding="utf-8-sig")
    assert list(df["number"]) == [1, 2, 3, 4, 5, 6]
    assert "reporter_name" not in df.columns
    _check_en(df)
    row1 = df[df["number"] == 1].iloc[0]
    assert (row1["state"], row1["fixed_date"], row1["owner_name"]) == (
        "atgardad",
        "2023-04-30",
        "Gatukontoret",
    )
    assert row1["created_at"].endswith("+00:00")
    for nr, *_rest, lon, lat in ROWS:
        got = df[df["number"] == nr].iloc[0]
        assert got["lon"] == pytest.approx(lon) and got["lat"] == pytest.approx(lat)

    gpkg = tmp_path / "out.gpkg"
    export_remarks(service, gpkg, "gpkg", walk=walk)
    import pyogrio

    assert [name for name, _ in pyogrio.list_layers(gpkg)] == ["remarks"]
    g = gpd.read_file(gpkg, layer="remarks")
    assert g.crs.to_epsg() == 4326 and len(g) == len(ROWS)
    _check_en(g)
    np.testing.assert_allclose(g.geometry.x, g["lon"], atol=1e-9)
    assert set(g.loc[g["number"] == 4, "category"]) == {"annat"}

    xlsx = tmp_path / "out.xlsx"
    export_remarks(service, xlsx, "xlsx", walk=walk)
    ws = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in ws[1]]
    assert header[:7] == [
        "NR",
        "ANMÄRKNING",
        "KATEGORI",
        "PROBLEMÄGARE",
        "PLANERAT",
        "ÅTGÄRDAT",
        "STATUS",
    ]
    assert header[7:] == ["lat", "lon", "e", "n"]
    x = pd.read_excel(xlsx)
    _check_en(x)
    first = x[x["NR"] == 1].iloc[0]
    assert (
        pd.Timestamp(first["ÅTGÄRDAT"]).date() == dt.date(2023, 4, 30)
        and first["STATUS"] == "Åtgärdad"
    )

    # the exported protocol imports into a new walk with the same content
    again = import_protocol(service, xlsx, "Kopia", walk_date=WALK_DATE)
    assert again.imported == len(ROWS)
    a, b = _by_number(service, walk), _by_number(service, "Kopia")
    for n in a:
        assert (a[n].text, a[n].state, a[n].owner_name, a[n].fixed_date, a[n].planned_date) == (
            b[n].text,
            b[n].state,
            b[n].owner_name,
            b[n].fixed_date,
            b[n].planned_date,
        )
        assert a[n].lon == pytest.approx(b[n].lon, abs=1e-6)


OPEN311_TYPES = {
    "service_request_id": str,
    "status": str,
    "status_notes": (str, type(None)),
    "service_name": str,
    "service_code": str,
    "description": str,
    "agency_responsible": (str, type(None)),
    "service_notice": (str, type(None)),
    "requested_datetime": str,
    "updated_datetime": str,
    "expected_datetime": (str, type(None)),
    "address": (str, type(None)),
    "lat": float,
    "long": float,
    "media_url": (str, type(None)),
}


def test_open311_fields_types_and_status(service, tmp_path):
    _import(service, tmp_path)
    path = tmp_path / "out.json"
    export_remarks(service, path, "open311")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, list) and len(data) == len(ROWS)
    for req in data:
        for key, typ in OPEN311_TYPES.items():
            assert key in req and isinstance(req[key], typ), key
        assert req["status"] in ("open", "closed")
        for key in ("requested_datetime", "updated_datetime"):
            parsed = dt.datetime.fromisoformat(req[key])
            assert parsed.utcoffset() == dt.timedelta(0)
        assert "reporter" not in json.dumps(req) and req["media_url"] is None
    by_nr = {r["extended_attributes"]["number"]: r for r in data}
    assert by_nr[1]["status"] == "closed" and by_nr[1]["agency_responsible"] == "Gatukontoret"
    assert by_nr[2]["status"] == "open" and by_nr[2]["expected_datetime"].startswith("2023-06-30")
    assert by_nr[4]["service_code"] == "annat" and by_nr[4]["service_name"] == "Annat"
    assert by_nr[5]["description"] == XSS_SCRIPT and by_nr[5]["agency_responsible"] is None
    assert by_nr[1]["status_notes"]
    e, n = TO_SWEREF.transform(by_nr[1]["long"], by_nr[1]["lat"])
    assert by_nr[1]["extended_attributes"]["e"] == pytest.approx(e, abs=1e-3)
    assert by_nr[1]["extended_attributes"]["n"] == pytest.approx(n, abs=1e-3)


def test_export_as_of_rebuilds_states(service, tmp_path):
    _import(service, tmp_path)
    early = {
        r["extended_attributes"]["number"]: r for r in open311_requests(service, as_of="2023-04-01")
    }
    late = {
        r["extended_attributes"]["number"]: r for r in open311_requests(service, as_of="2023-05-31")
    }
    assert early[1]["status"] == "open" and early[1]["extended_attributes"]["state"] == "tilldelad"
    assert (
        late[1]["status"] == "closed"
        and late[1]["extended_attributes"]["fixed_date"] == "2023-04-30"
    )
    assert early[4]["extended_attributes"]["state"] == "planerad"  # planned the day after the walk
    assert early[4]["extended_attributes"]["planned_date"] == "2023-05-01"
    path = tmp_path / "early.csv"
    export_remarks(service, path, "csv", as_of="2023-03-08")  # before the walk: nothing yet
    assert len(pd.read_csv(path, encoding="utf-8-sig")) == 0


def test_reporter_names_only_on_request_and_never_in_open311(service, tmp_path):
    import uuid

    walk = service.create_walk(ADMIN, "Namn")
    service.submit_remark(
        ADMIN,
        walk,
        str(uuid.uuid4()),
        "belysning",
        "Mörkt",
        lon=16.19,
        lat=58.99,
        reporter_name="Anna Andersson",
    )
    plain, named, o311 = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.json"
    export_remarks(service, plain, "csv")
    export_remarks(service, named, "csv", include_reporter=True)
    export_remarks(service, o311, "open311")
    assert "Anna Andersson" not in plain.read_text(encoding="utf-8-sig")
    assert "Anna Andersson" in named.read_text(encoding="utf-8-sig")
    assert "Anna Andersson" not in o311.read_text(encoding="utf-8")


def test_spreadsheet_formulas_in_text_stay_text(service, tmp_path):
    rows = [(1, '=HYPERLINK("http://evil","klicka")', "Annat", None, None, None, 16.19, 58.99)]
    import_protocol(service, write_protocol_xlsx(tmp_path / "f.xlsx", rows=rows), "Formel")
    xlsx, csv_path = tmp_path / "f_out.xlsx", tmp_path / "f_out.csv"
    export_remarks(service, xlsx, "xlsx", walk="Formel")
    export_remarks(service, csv_path, "csv", walk="Formel")
    cell = openpyxl.load_workbook(xlsx).active["B2"]
    assert cell.data_type in ("s", "inlineStr") and cell.value.startswith("=HYPERLINK")
    assert pd.read_csv(csv_path, encoding="utf-8-sig")["text"].iloc[0] == "'" + rows[0][1]
    # the CSV export imports again, and our guard is undone on import
    again = import_protocol(service, csv_path, "Formel 2")
    assert again.imported == 1
    assert _by_number(service, "Formel 2")[1].text == rows[0][1]


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("30/4 2023", "2023-04-30"),
        ("30/4-23", "2023-04-30"),
        ("3.5.2023", "2023-05-03"),
        ("2 maj 2023", "2023-05-02"),
        ("12 okt. 2024", "2024-10-12"),
        ("31/2 2023", "31/2 2023"),
        ("snart", "snart"),
        ("", None),
    ],
)
def test_hand_typed_swedish_dates(typed, iso):
    from geo_trygghet.remarks.protocol_file import _swedish_date_text

    assert _swedish_date_text(typed) == iso


def test_hand_typed_dates_and_sweref_northing_first_in_csv(sqlite_service, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "nr;anmärkning;kategori;problemägare;åtgärdat;N;E\n"
        "1;Lampa;belysning;Gata;30/4 2023;6540000;568000\n"
        "2;Buske;Buskage;Park;2 maj 2023;6540100;568100\n",
        encoding="utf-8",
    )
    summary = import_protocol(sqlite_service, path, "Handskrivet", walk_date="2023-03-01")
    assert summary.fixed == 2 and summary.crs == "EPSG:3006"
    r = _by_number(sqlite_service, "Handskrivet")
    assert (r[1].fixed_date, r[2].fixed_date) == (dt.date(2023, 4, 30), dt.date(2023, 5, 2))
    e, n = TO_SWEREF.transform(r[1].lon, r[1].lat)
    assert (e, n) == (pytest.approx(568000, abs=1e-3), pytest.approx(6540000, abs=1e-3))


def test_no_coordinate_columns(sqlite_service, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("NR,ANMÄRKNING\n1,Lampa\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="no coordinate columns"):
        import_protocol(sqlite_service, path, "X")
