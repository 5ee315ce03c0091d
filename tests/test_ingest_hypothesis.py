"""Malformed input never crashes ingest: a result, or one GeoTrygghetError line.

Hypothesis writes random bytes, random delimiters and encodings, random column
names, swapped / metre / out-of-range coordinates, bad dates, missing columns
and header-only files; :func:`read_incidents` must either return incidents or
raise a :class:`GeoTrygghetError` whose message is a single line. Any other
exception fails the test. The CLI must turn the same mistakes into exit status 2
and one line on stderr, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo_trygghet import schema
from geo_trygghet.errors import GeoTrygghetError
from geo_trygghet.ingest.incidents import incidents_from_frame, read_incidents

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # seeded: the same examples on every run
)

EXTENSIONS = [".csv", ".txt", ".tsv", ".xlsx", ".gpkg", ".shp", ".geojson", ".json", ".parquet"]
NAMES = [
    "lat", "lon", "latitude", "longitude", "Breddgrad", "Längdgrad", "x", "y", "E", "N", "öst", "nord",
    "x_sweref99tm", "y_sweref99tm", "datum", "tid", "date", "month", "Månad", "tidpunkt", "Händelsedatum",
    "klockslag", "brottstyp", "type", "category", "", " ", "lat", "datum",
]  # fmt: skip
CELLS = [
    "", "0", "0.0", "59.33", "18.07", "59,33", "18,07", "6580000", "674000", "1628000", "356000.5", "95", "-200",
    "2024-01-05", "2024-01-05 22:15", "2024-01-05T22:15:00+01:00", "31/31/2024", "2024-13-45", "20240105",
    "45296", "2022-01", "22:15", "2215", "25:99", "Stöld", "Misshandel", "nan", "NULL", "1e308", "inf", "-",
    '"', '""', "a;b", "\t", "åäö", "9999999999999999999999",
]  # fmt: skip


def _check(path: Path, **kwargs) -> None:
    try:
        inc = read_incidents(path, **kwargs)
    except GeoTrygghetError as err:
        text = str(err)
        assert text.strip(), "empty error message"
        assert "\n" not in text and "\r" not in text, f"multi-line message: {text!r}"
        return
    rep = inc.report
    assert 0 < rep.rows_used <= rep.rows_read
    assert rep.rows_used + sum(rep.dropped.values()) == rep.rows_read
    assert len(inc.gdf) == rep.rows_used
    assert inc.gdf[schema.LAT].between(-90, 90).all()
    assert inc.gdf[schema.LON].between(-180, 180).all()
    assert np.isfinite(inc.gdf[schema.LON].to_numpy()).all()


@SETTINGS
@given(data=st.binary(max_size=3000), ext=st.sampled_from(EXTENSIONS))
def test_random_bytes(data, ext):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"random{ext}"
        path.write_bytes(data)
        _check(path)


cell = st.one_of(
    st.sampled_from(CELLS),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**9), 10**9).map(str),
    st.text(max_size=8),
)


@SETTINGS
@given(
    names=st.lists(st.one_of(st.sampled_from(NAMES), st.text(max_size=8)), max_size=6),
    rows=st.lists(st.lists(cell, max_size=7), max_size=10),
    delim=st.sampled_from([",", ";", "\t", "|", " ", ":"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    crs=st.sampled_from([None, None, "EPSG:3006", "EPSG:4326", "EPSG:3021", "EPSG:3010", "bogus"]),
    since=st.sampled_from([None, None, "2024-01-01", "2030-01-01", "igår"]),
)
def test_random_tables(names, rows, delim, encoding, crs, since):
    text = "\n".join([delim.join(names), *(delim.join(r) for r in rows)]) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.csv"
        path.write_bytes(text.encode(encoding, errors="replace"))
        _check(path, crs=crs, since=since)


coord = st.one_of(
    st.floats(54, 70), st.floats(10, 25),  # Sweden, either way round
    st.floats(-1000, 1000), st.floats(1e5, 8e6),  # out of range, metres
    st.sampled_from([0.0, float("nan")]),
)
date_cell = st.one_of(
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat(sep=" ")),
    st.sampled_from(["31/31/2024", "2024-02-30", "", "5.1.2024", "2022-01", "45296", "x"]),
)


HEADERS = [
    ("datum", "lat", "lon", "brottstyp"),
    ("datum", "x", "y", "typ"),
    ("month", "latitude", "longitude", "type"),
    ("tidpunkt", "N", "E", "brott"),
    ("datum", "nord", "öst", "rubricering"),
]


@SETTINGS
@given(
    rows=st.lists(st.tuples(date_cell, coord, coord, st.sampled_from(["Stöld", "Okänt", ""])), min_size=1, max_size=30),
    header=st.sampled_from(HEADERS),
    delim=st.sampled_from([",", ";"]),
)
def test_coordinates_and_dates(rows, header, delim):
    lines = [delim.join(header)] + [delim.join(str(v) for v in r) for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        _check(path)


mixed_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(CELLS),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC])),
    st.dates(),
    st.times(),
    st.text(max_size=6),
)


@SETTINGS
@given(
    columns=st.dictionaries(
        st.sampled_from(NAMES + ["gps", "E", "N"]),
        st.one_of(
            st.lists(mixed_value, min_size=3, max_size=3),  # mixed object columns, as Excel gives
            st.lists(st.floats(-1e7, 1e7), min_size=3, max_size=3),
            st.lists(st.datetimes(), min_size=3, max_size=3),
        ),
        max_size=6,
    ),
    options=st.fixed_dictionaries(
        {},
        optional={
            "crs": st.sampled_from(["EPSG:3006", "EPSG:4326", "EPSG:3021", "EPSG:3857"]),
            "since": st.dates().map(str),
            "require_time": st.booleans(),
        },
    ),
)
def test_random_frames(columns, options):
    """The funnel every reader ends in copes with any column dtype (Excel's mixed cells too)."""
    df = pd.DataFrame({k: pd.Series(v, dtype=object if any(isinstance(x, str) for x in v) else None)
                       for k, v in columns.items()})  # fmt: skip
    try:
        inc = incidents_from_frame(df, source="frame", **options)
    except GeoTrygghetError as err:
        assert str(err).strip() and "\n" not in str(err)
        return
    assert inc.gdf[schema.LAT].between(-90, 90).all()


# --------------------------------------------------------------------------- the CLI


def _hotspots_available() -> bool:
    try:
        return importlib.util.find_spec("geo_trygghet.cli.hotspots") is not None
    except ModuleNotFoundError:
        return False


BAD_FILES = {
    "empty.csv": b"",
    "header_only.csv": b"datum;lat;lon\n",
    "binary.csv": bytes(range(256)) * 8,
    "swapped.csv": b"datum,lat,lon\n2024-01-05,18.07,59.33\n2024-01-06,18.08,59.34\n",
    "metres.csv": b"datum,lat,lon\n2024-01-05,6580000,674000\n2024-01-06,6580100,674100\n",
    "bad_dates.csv": b"datum,lat,lon\n31/31/2024,59.33,18.07\n2024-01-06,59.34,18.08\n",
    "out_of_range.csv": b"datum,lat,lon\n2024-01-05,95.5,18.07\n2024-01-06,59.34,18.08\n",
    "no_coords.csv": b"datum,plats\n2024-01-05,Storgatan 1\n",
}


@pytest.mark.skipif(not _hotspots_available(), reason="the hotspots subcommand is not in this checkout yet")
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_cli_bad_input_exit_2_one_line(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [sys.executable, "-m", "geo_trygghet", "hotspots", str(path), "-o", str(tmp_path / "out.gpkg")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert name in lines[0]
    assert not (tmp_path / "out.gpkg").exists()


# --------------------------------------------------------------------------- addresses


@SETTINGS
@given(text=st.text(max_size=80))
def test_address_normaliser_never_crashes(text):
    from geo_trygghet.ingest.geocode import parse_address, street_key

    a = parse_address(text)
    if a is not None:
        assert a.keys and all(k == street_key(k) for k in a.keys)  # keys are fixed points of street_key
        assert a.number is None or 0 <= a.number <= 9999
        assert a.number_to is None or a.number_to > a.number


@SETTINGS
@given(cells=st.lists(st.one_of(st.none(), st.text(max_size=30), st.integers(-5, 100_000)), min_size=1, max_size=8))
def test_geocoding_random_cells_is_a_level_per_row_or_one_line(cells):
    from geo_trygghet.ingest.geocode import LEVELS, geocode_frame, register_from_frame

    reg = register_from_frame(pd.DataFrame({"gatunamn": ["Storgatan", "Storgatan"], "nummer": [1, 3],
                                            "lat": [59.3, 59.3001], "lon": [18.0, 18.0001]}), source="r")
    try:
        res = geocode_frame(pd.DataFrame({"adress": pd.Series(cells, dtype=object)}), reg, address="adress")
    except GeoTrygghetError as err:
        assert "\n" not in str(err)
        return
    assert len(res) == len(cells) and set(res.level) <= set(LEVELS)
