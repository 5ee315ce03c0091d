"""Incident ingest: formats, columns, CRSs, dates, filters and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from geo_trygghet import schema
from geo_trygghet.errors import CRSError, DateError, GeoTrygghetError, InputError, SchemaError
from geo_trygghet.ingest.incidents import (
    Incidents,
    IngestReport,
    incidents_from_frame,
    read_boundary,
    read_incidents,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
LANCASHIRE = DATA / "lancashire_asb_2022" / "lancashire_asb_2022.csv"

# known WGS84 points (lon, lat): Stockholm, Göteborg, Malmö, Umeå, Norrköping
SWEDEN = [(18.0686, 59.3293), (11.9746, 57.7089), (13.0038, 55.6050), (20.2630, 63.8258), (16.1826, 58.5877)]
# points around the meridian of SWEREF 99 16 30 (EPSG:3010): Norrköping, Västerås, Nyköping
ZONE_1630 = [(16.1826, 58.5877), (16.5448, 59.6099), (17.0086, 58.7530)]
DATES = ["2024-01-05 22:15", "2024-02-10 08:00", "2024-03-01 13:45", "2024-04-20 00:30", "2024-05-31 23:59"]
TYPES = ["Misshandel", "Stöld", "Skadegörelse", "Okänd typ", "Cykelstöld"]


def project(points, epsg):
    t = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    xs, ys = t.transform([p[0] for p in points], [p[1] for p in points])
    return np.asarray(xs), np.asarray(ys)


def wgs_frame(points=SWEDEN, dates=DATES, types=TYPES):
    n = len(points)
    return pd.DataFrame(
        {
            "datum": dates[:n],
            "lat": [p[1] for p in points],
            "lon": [p[0] for p in points],
            "brottstyp": types[:n],
        }
    )


def assert_points(inc: Incidents, points, atol=1e-6):
    got = inc.gdf[[schema.LON, schema.LAT]].to_numpy()
    np.testing.assert_allclose(got, np.asarray(points), atol=atol)
    np.testing.assert_allclose(inc.gdf.geometry.x, got[:, 0])
    np.testing.assert_allclose(inc.gdf.geometry.y, got[:, 1])


def write_csv(path: Path, df: pd.DataFrame, sep=",", encoding="utf-8", decimal="."):
    df.to_csv(path, sep=sep, index=False, encoding=encoding, decimal=decimal)
    return path


# --------------------------------------------------------------------------- output shape


def test_output_columns_dtypes_and_report(tmp_path):
    inc = read_incidents(write_csv(tmp_path / "a.csv", wgs_frame()))
    gdf = inc.gdf
    assert list(gdf.columns) == [*schema.INCIDENT_COLUMNS, "geometry"]
    assert gdf.crs.to_epsg() == 4326
    assert str(gdf[schema.OCCURRED_AT].dtype) == "datetime64[ns]"
    assert gdf[schema.OCCURRED_AT].dt.tz is None
    assert gdf[schema.LON].dtype == np.float64
    assert list(gdf.index) == list(range(5))
    assert gdf[schema.SOURCE_ROW].tolist() == [1, 2, 3, 4, 5]
    assert gdf[schema.TIME_RESOLUTION].unique().tolist() == ["minute"]
    assert gdf[schema.OCCURRED_AT].iloc[0] == pd.Timestamp("2024-01-05 22:15")
    assert gdf[schema.CRIME_TYPE].tolist() == TYPES
    assert gdf[schema.CATEGORY].iloc[0] == "brott_mot_liv_och_halsa"
    assert gdf[schema.CATEGORY].iloc[4] == "tillgreppsbrott"
    assert pd.isna(gdf[schema.CATEGORY].iloc[3])
    assert_points(inc, SWEDEN)
    rep = inc.report
    assert isinstance(rep, IngestReport)
    assert (rep.source, rep.rows_read, rep.rows_used) == ("a.csv", 5, 5)
    assert rep.columns == {"lat": "lat", "lon": "lon", "date": "datum", "crime_type": "brottstyp"}
    assert rep.crs == "EPSG:4326"
    assert rep.time_resolution == "minute"
    assert rep.unmapped_types == {"Okänd typ": 1}
    lines = rep.summary_lines()
    assert lines[0].startswith("a.csv: 5 rows read, 5 used")
    assert any("Okänd typ" in ln for ln in lines)


def test_extra_columns_are_not_carried_and_input_not_mutated():
    df = wgs_frame()
    df["extra"] = 1
    before = df.copy()
    inc = incidents_from_frame(df)
    assert "extra" not in inc.gdf.columns
    pd.testing.assert_frame_equal(df, before)
    assert inc.report.source == "the table"


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_csv_any_delimiter(tmp_path, sep):
    inc = read_incidents(write_csv(tmp_path / "d.csv", wgs_frame(), sep=sep))
    assert inc.report.rows_used == 5
    assert_points(inc, SWEDEN)


def test_csv_semicolon_windows_1252_swedish_names_and_decimal_comma(tmp_path):
    df = pd.DataFrame(
        {
            "Händelsedatum": ["2024-01-05", "2024-01-06", "2024-01-07"],
            "Klockslag": ["22:15", "2215", "22.15"],
            "Breddgrad": [p[1] for p in SWEDEN[:3]],
            "Längdgrad": [p[0] for p in SWEDEN[:3]],
            "Brottstyp": ["Skadegörelse", "Misshandel", "Rån"],
        }
    )
    path = write_csv(tmp_path / "polisen.csv", df, sep=";", encoding="cp1252", decimal=",")
    assert b"\xe4" in path.read_bytes()  # really Windows-1252
    inc = read_incidents(path)
    assert_points(inc, SWEDEN[:3])
    assert inc.gdf[schema.CRIME_TYPE].tolist() == ["Skadegörelse", "Misshandel", "Rån"]
    assert inc.gdf[schema.CATEGORY].tolist() == ["skadegorelse", "brott_mot_liv_och_halsa", "tillgreppsbrott"]
    assert inc.gdf[schema.OCCURRED_AT].dt.strftime("%H:%M").tolist() == ["22:15"] * 3
    assert inc.report.columns["date"] == "Händelsedatum"
    assert inc.report.columns["clock"] == "Klockslag"
    assert any("Windows-1252" in n for n in inc.report.notes)


def test_utf8_is_told_from_other_bytes_as_python_tells_it():
    """The UTF-8 check (Arrow's, in place) agrees with Python's decoder: overlong forms,
    surrogates, code points beyond U+10FFFF, cut sequences and random bytes."""
    from geo_trygghet.ingest.text import _valid_utf8

    rng = np.random.default_rng(0)
    samples = [b"", b"datum,lat", "Rån;Skadegörelse".encode(), "å".encode()[:1], b"\xe5\xe4\xf6", b"\xc0\xaf",
               b"\xed\xa0\x80", b"\xf4\x90\x80\x80", "😀".encode(), "😀".encode()[:3]]
    samples += [bytes(rng.integers(0x7E, 0x100, int(rng.integers(1, 6))).astype(np.uint8)) for _ in range(20_000)]
    for raw in samples:
        try:
            raw.decode("utf-8")
            python = True
        except UnicodeDecodeError:
            python = False
        assert _valid_utf8(raw) == python, raw


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_csv_with_bom(tmp_path, encoding):
    df = wgs_frame().rename(columns={"datum": "händelsetid"})
    inc = read_incidents(write_csv(tmp_path / "b.csv", df, encoding=encoding))
    assert inc.report.columns["time"] == "händelsetid"
    assert inc.gdf[schema.CRIME_TYPE].iloc[2] == "Skadegörelse"


def test_xlsx_with_datetime_cells_and_sheet(tmp_path):
    df = wgs_frame()
    df["datum"] = pd.to_datetime(df["datum"])
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"info": ["title page"]}).to_excel(w, sheet_name="Info", index=False)
        df.to_excel(w, sheet_name="Brott", index=False)
    inc = read_incidents(path, sheet="Brott")
    assert_points(inc, SWEDEN)
    assert inc.gdf[schema.OCCURRED_AT].iloc[0] == pd.Timestamp("2024-01-05 22:15")
    assert inc.report.time_resolution == "minute"
    assert read_incidents(path, sheet=1).report.rows_used == 5
    with pytest.raises(InputError, match=r"export.xlsx has no sheet 'Nope'; its sheets are 'Info', 'Brott'"):
        read_incidents(path, sheet="Nope")
    with pytest.raises(SchemaError, match="no coordinate columns found"):
        read_incidents(path)  # first sheet has no incidents


def test_xlsx_excel_serial_numbers_and_separate_time_cells(tmp_path):
    df = wgs_frame()[["lat", "lon"]].iloc[:2].copy()
    df["datum"] = [45296, 45297.5]  # 2024-01-05, 2024-01-06 12:00
    path = tmp_path / "serial.xlsx"
    df.to_excel(path, index=False)
    inc = read_incidents(path)
    assert inc.gdf[schema.OCCURRED_AT].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-06 12:00")]
    assert inc.report.time_resolution == "minute"


def sweref_gdf(points=SWEDEN, epsg=3006):
    xs, ys = project(points, epsg)
    return gpd.GeoDataFrame(
        {"datum": DATES[: len(points)], "brottstyp": TYPES[: len(points)]},
        geometry=gpd.points_from_xy(xs, ys),
        crs=f"EPSG:{epsg}",
    )


def test_geopackage_with_layer_in_sweref(tmp_path):
    path = tmp_path / "inc.gpkg"
    sweref_gdf().to_file(path, layer="brott")
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs=4326).to_file(path, layer="other")
    inc = read_incidents(path, layer="brott")
    assert_points(inc, SWEDEN)
    assert inc.report.crs == "EPSG:3006"
    assert inc.report.columns["geometry"]
    with pytest.raises(InputError, match=r"inc.gpkg has no layer 'x'; its layers are brott, other"):
        read_incidents(path, layer="x")


def test_shapefile_in_rt90(tmp_path):
    path = tmp_path / "inc.shp"
    sweref_gdf(epsg=3021).to_file(path)
    inc = read_incidents(path)
    assert_points(inc, SWEDEN)
    assert inc.report.crs == "EPSG:3021"


def test_geojson_wgs84_and_legacy_crs_member(tmp_path):
    plain = tmp_path / "plain.geojson"
    sweref_gdf().to_crs(4326).to_file(plain, driver="GeoJSON")
    assert_points(read_incidents(plain), SWEDEN)
    xs, ys = project(SWEDEN, 3006)
    fc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
        "features": [
            {"type": "Feature", "properties": {"datum": d}, "geometry": {"type": "Point", "coordinates": [x, y]}}
            for d, x, y in zip(DATES, xs, ys, strict=True)
        ],
    }
    legacy = tmp_path / "legacy.geojson"
    legacy.write_text(json.dumps(fc), encoding="utf-8")
    inc = read_incidents(legacy)
    assert_points(inc, SWEDEN)
    assert inc.report.crs == "EPSG:3006"
    del fc["crs"]
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(fc), encoding="utf-8")
    pattern = r"bare.json: the geometry hold values like .* look like metres.*--crs EPSG:3006"
    with pytest.raises(CRSError, match=pattern):
        read_incidents(bare)
    assert_points(read_incidents(bare, crs="EPSG:3006"), SWEDEN)


def test_parquet_plain_and_geoparquet(tmp_path):
    plain = tmp_path / "plain.parquet"
    wgs_frame().to_parquet(plain)
    assert_points(read_incidents(plain), SWEDEN)
    geo = tmp_path / "geo.parquet"
    sweref_gdf().to_parquet(geo)
    inc = read_incidents(geo)
    assert_points(inc, SWEDEN)
    assert inc.report.crs == "EPSG:3006"


def test_non_point_layer_is_rejected(tmp_path):
    path = tmp_path / "areas.gpkg"
    gpd.GeoDataFrame({"datum": ["2024-01-01"]}, geometry=[box(0, 0, 1, 1)], crs=4326).to_file(path)
    with pytest.raises(SchemaError, match="holds Polygon geometries; incidents must be points"):
        read_incidents(path)


# --------------------------------------------------------------------------- coordinates and CRS


def xy_frame(xs, ys, names=("x", "y")):
    n = len(xs)
    return pd.DataFrame({"datum": DATES[:n], names[0]: xs, names[1]: ys, "brottstyp": TYPES[:n]})


def test_sweref_guessed_with_x_as_northing(tmp_path):
    e, n = project(SWEDEN, 3006)
    inc = read_incidents(write_csv(tmp_path / "s.csv", xy_frame(n, e)))  # Lantmäteriet: x = north
    assert_points(inc, SWEDEN)
    assert inc.report.crs == "EPSG:3006"
    assert any("northings" in note for note in inc.report.notes)
    assert any("SWEREF 99 TM" in note and "--crs" in note for note in inc.report.notes)


def test_sweref_easting_first_and_explicit_flags(tmp_path):
    e, n = project(SWEDEN, 3006)
    df = xy_frame(e, n, ("col_a", "col_b"))
    inc = read_incidents(write_csv(tmp_path / "s.csv", df), x="col_a", y="col_b", crs="EPSG:3006")
    assert_points(inc, SWEDEN)
    assert not any("northings" in note for note in inc.report.notes)
    assert inc.report.columns["x"] == "col_a"


def test_rt90_guessed(tmp_path):
    x, y = project(SWEDEN, 3021)
    inc = read_incidents(write_csv(tmp_path / "r.csv", xy_frame(x, y, ("E", "N"))))
    assert_points(inc, SWEDEN)
    assert inc.report.crs == "EPSG:3021"
    assert any("RT90" in note for note in inc.report.notes)


def test_local_zone_needs_crs_and_then_round_trips(tmp_path):
    e, n = project(ZONE_1630, 3010)
    path = write_csv(tmp_path / "z.csv", xy_frame(e, n, ("Öst", "Nord")))
    with pytest.raises(CRSError, match=r"z.csv: .*local SWEREF 99 zone.*--crs"):
        read_incidents(path)
    inc = read_incidents(path, crs="EPSG:3010")
    assert_points(inc, ZONE_1630)
    assert inc.report.crs == "EPSG:3010"
    assert inc.report.columns == {"x": "Öst", "y": "Nord", "date": "datum", "crime_type": "brottstyp"}


def test_any_epsg_code(tmp_path):
    pts = [(-2.4646, 53.7655), (-2.70, 53.76), (-3.05, 53.81)]  # Lancashire in British National Grid
    e, n = project(pts, 27700)
    inc = read_incidents(write_csv(tmp_path / "uk.csv", xy_frame(e, n, ("easting", "northing"))), crs=27700)
    assert_points(inc, pts)
    assert inc.report.crs == "EPSG:27700"
    with pytest.raises(CRSError, match=r"fit neither WGS84 degrees nor SWEREF 99 TM or RT90.*--crs"):
        read_incidents(tmp_path / "uk.csv")


@pytest.mark.parametrize(
    ("xname", "yname"),
    [("x_sweref99tm", "y_sweref99tm"), ("E", "N"), ("easting", "northing"), ("öst", "nord"), ("ost", "nord"),
     ("East", "North"), ("X-koordinat", "Y-koordinat"), ("SWEREF99TM_X", "SWEREF99TM_Y")],
)  # fmt: skip
def test_swedish_and_english_projected_names(tmp_path, xname, yname):
    e, n = project(SWEDEN, 3006)
    inc = read_incidents(write_csv(tmp_path / "n.csv", xy_frame(e, n, (xname, yname))))
    assert_points(inc, SWEDEN)
    assert (inc.report.columns["x"], inc.report.columns["y"]) == (xname, yname)


@pytest.mark.parametrize(
    ("latname", "lonname"),
    [("Latitude", "Longitude"), ("breddgrad", "längdgrad"), ("LAT", "LNG"), (" lat ", " long "),
     ("lat_wgs84", "lon_wgs84")],
)
def test_latlon_names(tmp_path, latname, lonname):
    df = wgs_frame().rename(columns={"lat": latname, "lon": lonname})
    inc = read_incidents(write_csv(tmp_path / "n.csv", df))
    assert_points(inc, SWEDEN)


def test_xy_in_degrees_are_read_as_wgs84(tmp_path):
    xs = [p[0] for p in SWEDEN]
    ys = [p[1] for p in SWEDEN]
    inc = read_incidents(write_csv(tmp_path / "deg.csv", xy_frame(xs, ys)))
    assert_points(inc, SWEDEN)
    assert inc.report.crs == "EPSG:4326"


def test_zero_and_empty_positions_are_dropped_with_counts(tmp_path):
    df = wgs_frame()
    df.loc[1, ["lat", "lon"]] = 0.0
    df.loc[3, "lat"] = np.nan
    inc = read_incidents(write_csv(tmp_path / "z.csv", df))
    assert inc.report.rows_read == 5
    assert inc.report.rows_used == 3
    assert inc.report.dropped == {"no position": 1, "position 0/0": 1}
    assert inc.gdf[schema.SOURCE_ROW].tolist() == [1, 3, 5]
    assert list(inc.gdf.index) == [0, 1, 2]
    assert any("left out: 1 rows (position 0/0)" in ln for ln in inc.report.summary_lines())


def test_all_positions_missing_is_an_error(tmp_path):
    df = wgs_frame()
    df["lat"] = 0.0
    df["lon"] = 0.0
    with pytest.raises(CRSError, match=r"z.csv: no row has a usable position in 'lon'/'lat' \(0 empty, 5 at 0/0\)"):
        read_incidents(write_csv(tmp_path / "z.csv", df))


# --------------------------------------------------------------------------- bad coordinates


def test_lat_lon_swapped_beyond_90(tmp_path):
    pts = [(-2.46, 53.76), (-2.47, 53.77)]
    df = pd.DataFrame({"date": ["2022-01-01", "2022-01-02"], "latitude": [150.0, 151.0], "longitude": [40.0, 41.0]})
    with pytest.raises(CRSError, match=r"latitude and longitude look swapped.*--lat longitude --lon latitude"):
        read_incidents(write_csv(tmp_path / "s.csv", df))
    assert pts  # the UK points are fine the right way round


def test_lat_lon_swapped_in_sweden(tmp_path):
    df = wgs_frame().rename(columns={"lat": "lon", "lon": "lat"})
    with pytest.raises(CRSError, match=r"s.csv: latitude and longitude look swapped: 'lat' holds values like 1[0-9]"):
        read_incidents(write_csv(tmp_path / "s.csv", df))


def test_metres_as_degrees(tmp_path):
    e, n = project(SWEDEN, 3006)
    df = wgs_frame()
    df["lat"], df["lon"] = n, e
    pattern = r"look like metres \(e.g. SWEREF 99 TM\), not degrees; use --x/--y with --crs EPSG:3006"
    with pytest.raises(CRSError, match=pattern):
        read_incidents(write_csv(tmp_path / "m.csv", df))


def test_coordinates_out_of_range_name_rows(tmp_path):
    df = wgs_frame()
    df.loc[2, "lat"] = 95.5
    with pytest.raises(CRSError, match=r"1 rows have coordinates out of range .* row 3 \(95.5, 13.0038\)"):
        read_incidents(write_csv(tmp_path / "r.csv", df))


def test_degrees_with_projected_crs(tmp_path):
    with pytest.raises(CRSError, match="look like degrees, not metres of EPSG:3006"):
        read_incidents(write_csv(tmp_path / "d.csv", wgs_frame()), x="lon", y="lat", crs="EPSG:3006")


def test_wrong_crs_lands_outside_its_area(tmp_path):
    e, n = project(SWEDEN, 3006)
    with pytest.raises(CRSError, match=r"outside the area that CRS is for"):
        read_incidents(write_csv(tmp_path / "w.csv", xy_frame(e, n, ("E", "N"))), crs="EPSG:2056")


def test_unknown_crs_text(tmp_path):
    with pytest.raises(CRSError, match="unknown CRS 'EPSG:99999'"):
        read_incidents(write_csv(tmp_path / "a.csv", wgs_frame()), crs="EPSG:99999")


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("values", "expected", "resolution"),
    [
        (["2024-01-05", "2024-12-31"], ["2024-01-05", "2024-12-31"], "day"),
        (["2024-01-05T22:15:00", "2024-12-31T08:00"], ["2024-01-05 22:15", "2024-12-31 08:00"], "minute"),
        (["2024-01-05 22:15", "2024-12-31 08:00"], ["2024-01-05 22:15", "2024-12-31 08:00"], "minute"),
        (["2024-01-05 22.15", "2024-12-31 08.00"], ["2024-01-05 22:15", "2024-12-31 08:00"], "minute"),
        (["2024-01-05 kl. 22:15", "2024-12-31 kl. 08:00"], ["2024-01-05 22:15", "2024-12-31 08:00"], "minute"),
        # aware values are converted to Swedish local time (CET in winter, CEST in summer)
        (["2024-01-05T21:15:00Z", "2024-07-01T10:00:00+00:00"], ["2024-01-05 22:15", "2024-07-01 12:00"], "minute"),
        (["2024-01-05T22:15:00+01:00", "2024-07-01T12:00+02:00"], ["2024-01-05 22:15", "2024-07-01 12:00"], "minute"),
        (["20240105", "20241231"], ["2024-01-05", "2024-12-31"], "day"),
        ([20240105, 20241231], ["2024-01-05", "2024-12-31"], "day"),
        ([45296, 45657], ["2024-01-05", "2024-12-31"], "day"),
        ([45296.927083333336, 45657.25], ["2024-01-05 22:15", "2024-12-31 06:00"], "minute"),
        (["5.1.2024", "31.12.2024"], ["2024-01-05", "2024-12-31"], "day"),
        (["5/1 2024", "31/12 2024"], ["2024-01-05", "2024-12-31"], "day"),
        (["2024/01/05", "2024/12/31"], ["2024-01-05", "2024-12-31"], "day"),
        (["2022-01", "2022-12"], ["2022-01-01", "2022-12-01"], "month"),
    ],
)
def test_date_formats(values, expected, resolution):
    df = pd.DataFrame({"tidpunkt": values, "lat": [59.3, 59.4], "lon": [18.0, 18.1]})
    inc = incidents_from_frame(df)
    assert inc.gdf[schema.OCCURRED_AT].tolist() == [pd.Timestamp(v) for v in expected]
    assert inc.report.time_resolution == resolution


def test_date_formats_through_csv(tmp_path):
    df = pd.DataFrame(
        {"tidpunkt": ["2024-01-05T21:15:00Z", "2024-07-01T10:00:00Z"], "lat": [59.3, 59.4], "lon": [18.0, 18.1]}
    )
    inc = read_incidents(write_csv(tmp_path / "tz.csv", df))
    assert inc.gdf[schema.OCCURRED_AT].tolist() == [pd.Timestamp("2024-01-05 22:15"), pd.Timestamp("2024-07-01 12:00")]


@pytest.mark.parametrize("clock", [["22:15", "08:05"], ["2215", "0805"], ["22.15", "8.05"], [2215, 805],
                                   ["22:15:00", "8:05"]])
def test_separate_date_and_time_columns(tmp_path, clock):
    df = pd.DataFrame({"datum": ["2024-01-05", "2024-01-06"], "tid": clock, "lat": [59.3, 59.4], "lon": [18.0, 18.1]})
    inc = read_incidents(write_csv(tmp_path / "dt.csv", df))
    assert inc.gdf[schema.OCCURRED_AT].tolist() == [pd.Timestamp("2024-01-05 22:15"), pd.Timestamp("2024-01-06 08:05")]
    assert inc.report.time_resolution == "minute"
    assert inc.report.columns["clock"] == "tid"


def test_explicit_date_and_clock_flags():
    df = pd.DataFrame({"d": ["2024-01-05"], "k": ["23:59"], "lat": [59.3], "lon": [18.0]})
    inc = incidents_from_frame(df, date="d", clock="k")
    assert inc.gdf[schema.OCCURRED_AT].iloc[0] == pd.Timestamp("2024-01-05 23:59")


def test_bad_clock_values():
    df = pd.DataFrame({"datum": ["2024-01-05", "2024-01-06"], "tid": ["25:99", "08:00"], "lat": [59.3, 59.4],
                       "lon": [18.0, 18.1]})
    pattern = r"column 'tid': 1 row cannot be read as times of day, e.g. row 1 '25:99'; use HH:MM"
    with pytest.raises(DateError, match=pattern):
        incidents_from_frame(df, clock="tid")


def test_police_uk_month_column_is_month_resolution():
    df = pd.DataFrame({"Month": ["2022-01-01", "2022-02-01"], "Latitude": [53.7, 53.8], "Longitude": [-2.4, -2.5]})
    inc = incidents_from_frame(df)
    assert inc.report.time_resolution == "month"
    assert inc.gdf[schema.TIME_RESOLUTION].tolist() == ["month", "month"]
    assert inc.gdf[schema.OCCURRED_AT].tolist() == [pd.Timestamp("2022-01-01"), pd.Timestamp("2022-02-01")]
    df2 = pd.DataFrame({"månad": ["2022-03", "2022-04"], "lat": [59.3, 59.4], "lon": [18.0, 18.1]})
    assert incidents_from_frame(df2).report.time_resolution == "month"


def test_unparseable_dates_name_the_first_five_rows(tmp_path):
    df = pd.DataFrame(
        {
            "datum": ["2024-01-05", "31/31/2024", "2024-01-07", "x", "bad", "13/13/13", "??", "nope", "2024-01-09"],
            "lat": [59.3] * 9,
            "lon": [18.0] * 9,
        }
    )
    with pytest.raises(DateError) as err:
        read_incidents(write_csv(tmp_path / "dates.csv", df))
    msg = str(err.value)
    expected = "dates.csv, column 'datum': 6 rows cannot be read as dates, e.g. row 2 '31/31/2024', row 4 'x'"
    assert msg.startswith(expected)
    assert "row 7 '??'" in msg
    assert "row 8" not in msg
    assert msg.endswith("use YYYY-MM-DD (or YYYY-MM-DD HH:MM)")
    assert "\n" not in msg


def test_numbers_that_are_not_dates():
    df = pd.DataFrame({"datum": [5, 7], "lat": [59.3, 59.4], "lon": [18.0, 18.1]})
    with pytest.raises(DateError, match="holds numbers such as row 1 '5'"):
        incidents_from_frame(df)


def test_rows_without_date_are_dropped_and_counted():
    df = pd.DataFrame({"datum": ["2024-01-05", None, ""], "lat": [59.3, 59.4, 59.5], "lon": [18.0, 18.1, 18.2]})
    inc = incidents_from_frame(df)
    assert inc.report.dropped == {"no date": 2}
    assert inc.report.rows_used == 1


def test_require_time_false():
    df = pd.DataFrame({"lat": [59.3, 59.4], "lon": [18.0, 18.1]})
    pattern = r"the table: no time column found among \['lat', 'lon'\]; name it with --time"
    with pytest.raises(SchemaError, match=pattern):
        incidents_from_frame(df)
    inc = incidents_from_frame(df, require_time=False)
    assert inc.report.time_resolution == "unknown"
    assert inc.gdf[schema.OCCURRED_AT].isna().all()
    assert str(inc.gdf[schema.OCCURRED_AT].dtype) == "datetime64[ns]"
    with pytest.raises(SchemaError, match="need a time column"):
        incidents_from_frame(df, require_time=False, since="2024-01-01")


def test_time_flag_overrides_detection():
    df = pd.DataFrame(
        {"datum": ["2000-01-01", "2000-01-02"], "anmäld": ["2024-03-01", "2024-03-02"], "lat": [59.3, 59.4],
         "lon": [18.0, 18.1]}
    )
    assert incidents_from_frame(df).report.columns["date"] == "datum"
    inc = incidents_from_frame(df, time="Anmäld")
    assert inc.report.columns["time"] == "anmäld"
    assert inc.gdf[schema.OCCURRED_AT].dt.year.tolist() == [2024, 2024]


# --------------------------------------------------------------------------- since / until / boundary


def test_since_until_inclusive_days():
    df = pd.DataFrame(
        {
            "datum": ["2024-01-31 23:59", "2024-02-01 00:00", "2024-02-29 23:59", "2024-03-01 00:00"],
            "lat": [59.3] * 4,
            "lon": [18.0] * 4,
        }
    )
    inc = incidents_from_frame(df, since="2024-02-01", until=pd.Timestamp("2024-02-29").date())
    assert inc.gdf[schema.SOURCE_ROW].tolist() == [2, 3]
    assert inc.report.dropped == {"before --since": 1, "after --until": 1}
    pattern = r"no incidents from 2025-01-01 to …; the file's dates run from 2024-01-31 to 2024-03-01"
    with pytest.raises(DateError, match=pattern):
        incidents_from_frame(df, since="2025-01-01")
    with pytest.raises(DateError, match="--since 'förra året' is not a date; use YYYY-MM-DD"):
        incidents_from_frame(df, since="förra året")
    with pytest.raises(DateError, match="is before --since"):
        incidents_from_frame(df, since="2024-03-01", until="2024-02-01")


def test_boundary_drops_outside_and_errors_when_all_outside(tmp_path):
    # Stockholm area in SWEREF 99 TM, written as GeoJSON with a legacy crs member
    area = gpd.GeoDataFrame(geometry=[box(17.5, 59.0, 18.5, 59.6)], crs=4326).to_crs(3006)
    path = tmp_path / "area.geojson"
    fc = json.loads(area.to_json())
    fc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}
    path.write_text(json.dumps(fc), encoding="utf-8")
    inc = incidents_from_frame(wgs_frame(), boundary=path)
    assert inc.report.rows_used == 1
    assert inc.report.dropped == {"outside boundary": 4}
    assert_points(inc, SWEDEN[:1])
    far = wgs_frame(points=[(-2.46, 53.76), (-2.47, 53.77)])
    with pytest.raises(CRSError, match=r"all 2 points lie outside boundary area.geojson"):
        incidents_from_frame(far, boundary=path)
    swapped = pd.DataFrame({"datum": ["2024-01-01"], "lat": [18.07], "lon": [59.33]})
    with pytest.raises(CRSError, match="look swapped"):
        incidents_from_frame(swapped, boundary=path)
    xy = pd.DataFrame({"datum": ["2024-01-01"], "x": [18.07], "y": [59.33]})
    with pytest.raises(CRSError, match="swapped: check --lat/--lon"):
        incidents_from_frame(xy, boundary=path, crs="EPSG:4326", x="y", y="x")
    assert incidents_from_frame(wgs_frame(), boundary=area).report.rows_used == 1


def test_boundary_hints_at_guessed_crs(tmp_path):
    # numbers inside the SWEREF 99 TM range are guessed as SWEREF; when they miss the boundary, say so
    e, n = project([(18.0686, 59.3293)], 3006)
    df = xy_frame(e + 300_000, n, ("E", "N"))  # shifted 300 km east: still in range, wrong place
    area = gpd.GeoDataFrame(geometry=[box(17.5, 59.0, 18.5, 59.6)], crs=4326)
    with pytest.raises(CRSError, match="the coordinates were taken to be EPSG:3006: pass the right --crs"):
        incidents_from_frame(df, boundary=area)


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_read_boundary_errors(tmp_path):
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(InputError, match="boundary empty.geojson has no features"):
        read_boundary(empty)
    pts = tmp_path / "pts.geojson"
    gpd.GeoDataFrame(geometry=[Point(18, 59)], crs=4326).to_file(pts)
    with pytest.raises(InputError, match=r"boundary pts.geojson has no polygons \(found Point\)"):
        read_boundary(pts)
    metres = tmp_path / "metres.geojson"
    metres.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {},
         "geometry": json.loads(gpd.GeoSeries([box(600000, 6500000, 700000, 6600000)]).to_json())["features"][0][
             "geometry"]}
    ]}), encoding="utf-8")  # fmt: skip
    with pytest.raises(CRSError, match="says WGS84 .* look like metres"):
        read_boundary(metres)
    shp = tmp_path / "nocrs.shp"
    gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]).to_file(shp)
    with pytest.raises(CRSError, match="boundary nocrs.shp has no coordinate system"):
        read_boundary(shp)
    with pytest.raises(InputError, match="boundary file .*missing.geojson does not exist"):
        read_boundary(tmp_path / "missing.geojson")
    kommuner = read_boundary(DATA / "sweden" / "kommuner_sweref99tm.geojson")
    assert kommuner.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = kommuner.total_bounds
    assert 10 < minx < maxx < 25 and 55 < miny < maxy < 70


# --------------------------------------------------------------------------- bad files


def test_empty_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty.csv is empty: it has no header and no data rows"):
        read_incidents(empty)
    header = tmp_path / "header.csv"
    header.write_text("datum;lat;lon\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"header.csv has no data rows \(only a header\)"):
        read_incidents(header)


def test_missing_columns_name_the_columns(tmp_path):
    df = pd.DataFrame({"datum": ["2024-01-01"], "plats": ["Storgatan 1"]})
    pattern = r"no coordinate columns found among \['datum', 'plats'\]; name them with --lat/--lon"
    with pytest.raises(SchemaError, match=pattern):
        read_incidents(write_csv(tmp_path / "m.csv", df))
    with pytest.raises(SchemaError, match="found coordinate column 'lat' but not its pair; name it with --lon"):
        incidents_from_frame(pd.DataFrame({"datum": ["2024-01-01"], "lat": [59.3]}))
    with pytest.raises(SchemaError, match=r"no column 'latt' \(given with --lat\); its columns are"):
        incidents_from_frame(wgs_frame(), lat="latt", lon="lon")


def test_binary_garbage_and_wrong_extension(tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputError, match="junk.csv is not a text table"):
        read_incidents(junk)
    odd = tmp_path / "data.dbf"
    odd.write_bytes(b"x")
    with pytest.raises(InputError, match=r"data.dbf: unsupported file type '.dbf'; use one of .csv"):
        read_incidents(odd)
    with pytest.raises(InputError, match="does not exist"):
        read_incidents(tmp_path / "nope.csv")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="fake.xlsx is not a readable Excel .xlsx file"):
        read_incidents(fake)
    fake_gpkg = tmp_path / "fake.gpkg"
    fake_gpkg.write_text("nope", encoding="utf-8")
    with pytest.raises(InputError, match="fake.gpkg cannot be read as a GeoPackage"):
        read_incidents(fake_gpkg)
    fake_pq = tmp_path / "fake.parquet"
    fake_pq.write_text("nope", encoding="utf-8")
    with pytest.raises(InputError, match="fake.parquet is not a readable Parquet file"):
        read_incidents(fake_pq)


def test_ragged_csv_names_the_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("datum,lat,lon\n2024-01-01,59.3,18.0\n2024-01-02,59.3,18.0,extra,more\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"ragged.csv: line 3 has 5 fields where the header has 3"):
        read_incidents(path)


def test_every_error_is_one_line(tmp_path):
    df = pd.DataFrame({"datum": ["bad\nvalue"], "lat": [59.3], "lon": [18.0]})
    with pytest.raises(GeoTrygghetError) as err:
        incidents_from_frame(df)
    assert "\n" not in str(err.value)


# --------------------------------------------------------------------------- real data


@pytest.mark.skipif(not LANCASHIRE.exists(), reason="shared data not present")
def test_lancashire_police_uk_file():
    inc = read_incidents(LANCASHIRE)
    rep = inc.report
    assert rep.rows_read == 56_434
    assert rep.rows_used + sum(rep.dropped.values()) == rep.rows_read
    assert rep.time_resolution == "month"
    assert rep.columns["lat"] == "latitude" and rep.columns["time"] == "month"
    assert rep.unmapped_types == {}
    assert inc.gdf[schema.CATEGORY].isna().all()
    assert any("no crime-type column" in note for note in rep.notes)
    assert inc.gdf[schema.OCCURRED_AT].dt.year.unique().tolist() == [2022]
    assert inc.gdf[schema.OCCURRED_AT].dt.day.unique().tolist() == [1]
    assert inc.gdf[schema.LAT].between(53, 55).all() and inc.gdf[schema.LON].between(-4, -1).all()
    wards = DATA / "lancashire_asb_2022" / "lancashire_districts.geojson"
    if wards.exists():
        clipped = read_incidents(LANCASHIRE, boundary=wards, since="2022-06-01", until="2022-06-30")
        assert 0 < clipped.report.rows_used < rep.rows_used
        assert clipped.gdf[schema.OCCURRED_AT].dt.month.unique().tolist() == [6]


def test_single_gps_column_as_in_the_police_event_feed():
    df = pd.DataFrame(
        {"datetime": ["2024-01-05 22:15:00 +01:00", "2024-01-06 10:00:00 +01:00"], "type": ["Misshandel", "Rån"],
         "gps": ["59.329324,18.068581", "57.708870,11.974560"]}
    )  # fmt: skip
    inc = incidents_from_frame(df)
    assert_points(inc, [(18.068581, 59.329324), (11.97456, 57.70887)])
    assert inc.report.columns["position"] == "gps"
    assert inc.gdf[schema.OCCURRED_AT].iloc[0] == pd.Timestamp("2024-01-05 22:15")
    df["gps"] = ["18.068581, 59.329324", "11.974560, 57.708870"]
    inc = incidents_from_frame(df)
    assert_points(inc, [(18.068581, 59.329324), (11.97456, 57.70887)])
    assert any("'longitude,latitude'" in note for note in inc.report.notes)


def test_xlsx_with_title_rows_above_the_header(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Anmälda brott, Exempelkommun 2024"])
    ws.append([])
    ws.append(["Brottstyp", "Datum", "Tid", "N", "E"])
    e, n = project(SWEDEN[:2], 3006)
    ws.append(["Stöld", "2024-01-05", "22:15", float(n[0]), float(e[0])])
    ws.append(["Rån", "2024-01-06", "08:00", float(n[1]), float(e[1])])
    path = tmp_path / "titled.xlsx"
    wb.save(path)
    inc = read_incidents(path)
    assert_points(inc, SWEDEN[:2])
    assert inc.gdf[schema.SOURCE_ROW].tolist() == [1, 2]
    assert inc.gdf[schema.OCCURRED_AT].iloc[0] == pd.Timestamp("2024-01-05 22:15")
    assert any("header in row 3" in note for note in inc.report.notes)


def test_utf16_without_bom_and_line_breaks_inside_names(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes("datum,lat,lon\n2024-01-05,59.3,18.0\n".encode("utf-16-le"))
    assert read_incidents(path).report.rows_used == 1
    multi = tmp_path / "multi.csv"
    multi.write_text('"da\ntum","la\nt"\n2024-01-05,59.3\n', encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        read_incidents(multi)
    assert "\n" not in str(err.value)


def test_decimal_commas_dots_and_thousand_spaces_in_one_file(tmp_path):
    e, n = project(SWEDEN[:2], 3006)
    path = tmp_path / "mixed.csv"
    def spaced(v):  # 6 580 000,5
        return f"{v:,.1f}".replace(",", " ").replace(".", ",")

    path.write_text(
        "datum;N;E;lat;lon\n"
        f"2024-01-05;{spaced(n[0])};{e[0]:.1f};59,3293;18.0686\n"
        f"2024-01-06;{spaced(n[1])};{e[1]:.1f};57,7089;11.9746\n",
        encoding="utf-8",
    )
    inc = read_incidents(path)  # lat with commas, lon with dots
    assert_points(inc, SWEDEN[:2], atol=1e-4)
    inc = read_incidents(path, x="E", y="N", crs="EPSG:3006")  # N with spaces and a decimal comma
    assert_points(inc, SWEDEN[:2], atol=1e-5)


def test_excel_saved_with_a_csv_name(tmp_path):
    path = tmp_path / "export.csv"
    wgs_frame().to_excel(path, index=False, engine="openpyxl")
    pattern = r"export.csv is an Excel workbook or another zip file, not a text table: rename it to .xlsx"
    with pytest.raises(InputError, match=pattern):
        read_incidents(path)


def test_unmapped_types_count_the_rows_kept_and_numeric_codes_map():
    df = pd.DataFrame(
        {"datum": ["2024-01-05"] * 4, "lat": [59.3, 0.0, 59.4, 59.5], "lon": [18.0, 0.0, 18.1, 18.2],
         "brottskod": [393.0, 9999.0, 9999.0, np.nan]}
    )  # fmt: skip
    inc = incidents_from_frame(df, crime_type_table={"0393": "trafik"})
    assert inc.gdf[schema.CRIME_TYPE].tolist()[:2] == ["393", "9999"]
    assert inc.gdf[schema.CATEGORY].tolist()[0] == "trafik"
    assert inc.report.unmapped_types == {"9999": 1}  # the 0/0 row is not counted
    assert any("1 rows have no crime type" in note for note in inc.report.notes)


def test_xlsx_mixed_cells_date_time_and_text(tmp_path):
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Händelsedatum", "Klockslag", "Nord", "Öst", "Brottstyp"])
    e, n = project(SWEDEN[:3], 3006)
    ws.append([dt.date(2024, 1, 5), dt.time(22, 15), n[0], e[0], "Misshandel"])
    ws.append([dt.datetime(2024, 1, 6), dt.time(8, 5), n[1], e[1], "Klotter"])
    ws.append(["2024-01-07", "23:00", n[2], e[2], "Rån"])
    path = tmp_path / "mixed.xlsx"
    wb.save(path)
    inc = read_incidents(path)
    assert_points(inc, SWEDEN[:3])
    assert inc.gdf[schema.OCCURRED_AT].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2024-01-05 22:15", "2024-01-06 08:05", "2024-01-07 23:00"
    ]  # fmt: skip
    assert inc.report.columns["clock"] == "Klockslag"


def test_police_event_feed_json(tmp_path):
    events = [
        {"id": 1, "datetime": "2024-01-05 22:15:00 +01:00", "name": "05 januari 22.15, Misshandel, Stockholm",
         "type": "Misshandel", "location": {"name": "Stockholm", "gps": "59.329324,18.068581"}},
        {"id": 2, "datetime": "2024-07-01 12:00:00 +02:00", "name": "01 juli 12.00, Trafikolycka, Göteborg",
         "type": "Trafikolycka, personskada", "location": {"name": "Göteborg", "gps": "57.70887,11.97456"}},
    ]  # fmt: skip
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
    inc = read_incidents(path)
    assert_points(inc, [(18.068581, 59.329324), (11.97456, 57.70887)])
    assert inc.gdf[schema.OCCURRED_AT].tolist() == [pd.Timestamp("2024-01-05 22:15"), pd.Timestamp("2024-07-01 12:00")]
    assert inc.gdf[schema.CATEGORY].tolist() == ["brott_mot_liv_och_halsa", "trafik"]
    assert inc.report.columns["position"] == "location.gps"
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": 1', encoding="utf-8")
    with pytest.raises(InputError, match="bad.json is neither GeoJSON nor a JSON table"):
        read_incidents(bad)
