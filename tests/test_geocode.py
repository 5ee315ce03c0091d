"""Geocoding against an address register: the reader, the matcher's levels, the CLI and its bad input."""

from __future__ import annotations

import importlib.util
import re
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geo_trygghet.cli import main
from geo_trygghet.errors import InputError, SchemaError
from geo_trygghet.ingest import read_incidents
from geo_trygghet.ingest.geocode import (
    AddressMatcher,
    geocode_frame,
    max_edits,
    parse_address,
    read_register,
    register_from_frame,
)

REPO = Path(__file__).resolve().parents[1]
TO_3006 = Transformer.from_crs(4326, 3006, always_xy=True)


def _generator():
    spec = importlib.util.spec_from_file_location("make_addresses", REPO / "benchmarks" / "make_addresses.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _street(name, numbers, x0, y0, *, postort="Storstad", postcode=64130, letters=None, kommun="Storstad"):
    """Odd numbers on the north side, even on the south, 10 m per step along x."""
    rows = []
    for n in numbers:
        for letter in (letters or {}).get(n, [""]):
            rows.append({"adressomrade_faststalltnamn": name, "adressplatsnummer": n, "bokstavstillagg": letter,
                         "postnummer": postcode, "postort": postort, "kommunnamn": kommun,
                         "x": x0 + (n // 2) * 10.0 + (3.0 if letter == "B" else 0.0),
                         "y": y0 + (8.0 if n % 2 else -8.0)})
    return rows


@pytest.fixture(scope="module")
def register_frame() -> pd.DataFrame:
    rows = (
        _street("Storgatan", [1, 3, 5, 9, 2, 4, 6, 8, 12], 568000, 6540000, letters={3: ["", "A", "B"], 8: ["A", "B"]})
        + _street("Åvägen", [33, 35, 37, 39], 568000, 6540500)
        + _street("Bygatan", [1, 3, 5], 568500, 6540000)
        + _street("Bivägen", [4, 6, 8], 568500, 6540500)
        + _street("S:t Persgatan", [2, 4], 567500, 6540000)
        + _street("Kyrkogatan", [10, 12], 569000, 6541000, postort="Lillby", postcode=64150)
        + _street("Storgatan", [1, 2], 590000, 6560000, postort="Lillby", postcode=64150)
        + _street("Lindvägen", [1, 3], 568000, 6541000)
        + _street("Lundvägen", [1, 3], 568200, 6541000)
    )
    return pd.DataFrame(rows).rename(columns={"x": "E", "y": "N"})


@pytest.fixture(scope="module")
def matcher(register_frame) -> AddressMatcher:
    return AddressMatcher(register_from_frame(register_frame, source="test"))


def _xy(reg_frame, street, number, letter="", postort="Storstad"):
    r = reg_frame[(reg_frame.adressomrade_faststalltnamn == street) & (reg_frame.adressplatsnummer == number)
                  & (reg_frame.bokstavstillagg == letter) & (reg_frame.postort == postort)].iloc[0]
    return float(r.E), float(r.N)


def _match(matcher, text, postort="", postcode=""):
    return matcher.match(parse_address(text), postort=postort, postcode=postcode)


# --------------------------------------------------------------------------- levels


def test_exact(matcher, register_frame):
    m = _match(matcher, "Storgatan 5", "Storstad")
    assert (m.level, m.score, m.address) == ("exact", 1.0, "Storgatan 5, Storstad")
    assert (m.x, m.y) == pytest.approx(_xy(register_frame, "Storgatan", 5))


def test_exact_with_letter(matcher, register_frame):
    m = _match(matcher, "storgatan 3 b", "Storstad")
    assert (m.level, m.address) == ("exact", "Storgatan 3 B, Storstad")
    assert (m.x, m.y) == pytest.approx(_xy(register_frame, "Storgatan", 3, "B"))


def test_letter_dropped(matcher, register_frame):
    m = _match(matcher, "Storgatan 5 C", "Storstad")
    assert (m.level, m.score, m.reason) == ("letter_dropped", 0.9, "letter_unknown")
    assert (m.x, m.y) == pytest.approx(_xy(register_frame, "Storgatan", 5))
    entrances_only = _match(matcher, "Storgatan 8", "Storstad")  # the register has 8 A and 8 B only
    assert (entrances_only.level, entrances_only.address) == ("letter_dropped", "Storgatan 8 A, Storstad")


def test_interpolated_on_the_odd_side(matcher, register_frame):
    m = _match(matcher, "Storgatan 7", "Storstad")
    x5, y5 = _xy(register_frame, "Storgatan", 5)
    x9, y9 = _xy(register_frame, "Storgatan", 9)
    assert (m.level, m.score, m.reason) == ("interpolated", 0.75, "interpolated")
    assert (m.x, m.y) == pytest.approx(((x5 + x9) / 2, (y5 + y9) / 2))
    assert m.y > 6540000  # north: the odd side


def test_interpolated_on_the_even_side(matcher, register_frame):
    m = _match(matcher, "Storgatan 10", "Storstad")
    x8, _ = _xy(register_frame, "Storgatan", 8, "A")
    x12, y12 = _xy(register_frame, "Storgatan", 12)
    assert m.level == "interpolated"
    assert m.detail == "lower=8;upper=12"
    assert m.x == pytest.approx((x8 + x12) / 2)
    assert m.y == pytest.approx(y12)  # south: the even side, not between 9 and 11 across the street


def test_one_step_past_the_last_number(matcher, register_frame):
    m = _match(matcher, "Storgatan 14", "Storstad")
    x12, y12 = _xy(register_frame, "Storgatan", 12)
    assert (m.level, m.reason) == ("interpolated", "extrapolated")
    assert m.x > x12 and m.y == pytest.approx(y12)


def test_street_middle(matcher):
    m = _match(matcher, "Storgatan 99", "Storstad")
    assert (m.level, m.score, m.reason) == ("street", 0.5, "number_unknown")
    assert m.address == "Storgatan, Storstad"
    assert _match(matcher, "Storgatan", "Storstad").level == "street"


def test_postcode_and_postort(matcher):
    m = _match(matcher, "Okändgatan 1", "Storstad", "64130")
    assert (m.level, m.score, m.reason) == ("postcode", 0.35, "street_unknown")
    m = _match(matcher, "Okändgatan 1", "Storstad")
    assert (m.level, m.score, m.address) == ("postort", 0.2, "Storstad")


def test_failed_with_reason(matcher):
    m = _match(matcher, "Okändgatan 1")
    assert (m.level, m.score, m.reason) == ("failed", 0.0, "street_unknown")
    assert np.isnan(m.x)
    assert matcher.match(None).reason == "no_street"


def test_handbook_walk_examples_are_placed_exactly(matcher):
    for text in ("Trasig belysning på Åvägen nr 37", "Uppbrutna källardörrar Storgatan 85–89",
                 "Fem skrotbilar vändplanen vid Bygatan 3", "Brandfarliga källargångar Bivägen 4–6"):
        m = _match(matcher, text, "Storstad")
        assert m.level in ("exact", "street"), text
    assert _match(matcher, "Brandfarliga källargångar Bivägen 4–6", "Storstad").address == "Bivägen 4, Storstad"
    assert _match(matcher, "Trasig belysning på Åvägen nr 37").level == "exact"


def test_fuzzy_street_within_the_threshold(matcher):
    m = _match(matcher, "Storgtan 5", "Storstad")
    assert m.level == "exact"
    assert m.score == pytest.approx(1 - 1 / 9, abs=1e-3)
    assert m.reason == "fuzzy"
    assert max_edits("storgatan") == 2 and max_edits("avagen") == 1 and max_edits("abc") == 0


def test_misspelling_as_near_two_streets_is_not_guessed(matcher):
    m = _match(matcher, "Landvägen 3", "Storstad")  # one edit from Lindvägen and from Lundvägen
    assert m.level == "postort"
    assert m.reason == "fuzzy_ambiguous"


def test_same_name_in_two_postorter(matcher):
    assert _match(matcher, "Storgatan 1", "Lillby").address == "Storgatan 1, Lillby"
    assert _match(matcher, "Storgatan 1", "Storstad").address == "Storgatan 1, Storstad"
    nowhere = _match(matcher, "Storgatan 1")  # 30 km apart, no postort: not guessed
    assert (nowhere.level, nowhere.reason) == ("failed", "street_ambiguous")
    assert _match(matcher, "Storgatan 12").address == "Storgatan 12, Storstad"  # only Storstad has a 12


def test_saint_and_abbreviations(matcher):
    assert _match(matcher, "S:t Persgatan 4", "Storstad").level == "exact"
    assert _match(matcher, "Sankt Persgatan 4", "Storstad").level == "exact"
    assert _match(matcher, "Storg. 5", "Storstad").level == "exact"


# --------------------------------------------------------------------------- the table level


def test_geocode_frame_keeps_every_row(register_frame):
    reg = register_from_frame(register_frame, source="test")
    df = pd.DataFrame({"Adress": ["Storgatan 5", "Okändgatan 1", None, "Storgatan 7"],
                       "Postort": ["Storstad", "", "", "Storstad"]})
    res = geocode_frame(df, reg)
    assert list(res.level) == ["exact", "failed", "failed", "interpolated"]
    out = res.frame()
    assert list(out.columns)[:5] == ["lat", "lon", "geocode_level", "geocode_score", "matched_address"]
    assert out["lat"].isna().tolist() == [False, True, True, False]
    assert res.counts()["failed"] == 2
    assert res.unmatched()[0].startswith("row 2 'Okändgatan 1': street 'Okändgatan' is not in the address register")


def test_street_and_number_columns(register_frame):
    reg = register_from_frame(register_frame, source="test")
    df = pd.DataFrame({"gata": ["Storgatan", "Storgatan"], "nr": ["3 B", "7"], "ort": ["Storstad", "Storstad"]})
    res = geocode_frame(df, reg, street="gata", number="nr", postort="ort")
    assert list(res.level) == ["exact", "interpolated"]
    assert res.matched[0] == "Storgatan 3 B, Storstad"


# --------------------------------------------------------------------------- the register reader


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    gen = _generator()
    reg = gen.make_register(9000, seed=3)
    folder = tmp_path_factory.mktemp("register")
    gpkg, csv = gen.write_register(reg, folder)
    return gen, reg, gpkg, csv


def test_lantmateriet_geopackage_in_sweref(synthetic):
    gen, reg, gpkg, _ = synthetic
    r = read_register(gpkg)
    assert len(r) == len(reg)
    assert r.columns["street"] == "adressomrade_faststalltnamn"
    assert r.columns["number"] == "adressplatsnummer"
    assert r.columns["letter"] == "bokstavstillagg"
    assert r.columns["geometry"] == "geometry"
    assert np.allclose(r.points["x"].to_numpy(), reg["x"].to_numpy(), atol=0.01)
    in_orebro = int((reg["kommunnamn"] == "Örebro").sum())
    assert 0 < in_orebro < len(reg)
    assert len(read_register(gpkg, kommun="Örebro")) == len(read_register(gpkg, kommun="1880")) == in_orebro
    assert len(read_register(gpkg, kommun="örebro")) == in_orebro  # another case: filtered after reading


def test_csv_in_wgs84_gives_the_same_points(synthetic):
    gen, reg, _, csv = synthetic
    r = read_register(csv)
    assert (r.columns["street"], r.columns["lat"]) == ("gatunamn", "lat")
    assert np.allclose(r.points["x"].to_numpy(), reg["x"].to_numpy(), atol=0.05)


def test_csv_in_sweref_with_a_combined_address_column(tmp_path, register_frame):
    df = register_frame.assign(adress=[f"{s} {n}{lt}" for s, n, lt in zip(
        register_frame.adressomrade_faststalltnamn, register_frame.adressplatsnummer, register_frame.bokstavstillagg,
        strict=True)])[["adress", "postort", "E", "N"]]
    df.to_csv(tmp_path / "reg.csv", sep=";", index=False)
    r = read_register(tmp_path / "reg.csv")
    assert r.columns["address"] == "adress"
    assert set(r.points["letter"]) == {"", "A", "B"}
    m = AddressMatcher(r).match(parse_address("Storgatan 3 B"), postort="Storstad")
    assert m.level == "exact"


def test_reserved_addresses_and_kommun_filter(register_frame, tmp_path):
    df = register_frame.assign(statusforbelagenhetsadress="Gällande")
    df.loc[0, "statusforbelagenhetsadress"] = "Reserverad"
    r = register_from_frame(df, source="t")
    assert len(r) == len(df) - 1
    assert any("not in force" in n for n in r.notes)
    assert len(register_from_frame(df, source="t", kommun="storstad")) == len(df) - 1
    with pytest.raises(InputError, match="no addresses in kommun 'Malmö'.*check --kommun"):
        register_from_frame(df, source="t", kommun="Malmö")


def test_clean_and_dirty_synthetic_addresses(synthetic):
    gen, reg, gpkg, _ = synthetic
    register = read_register(gpkg)
    clean = gen.clean_queries(reg, 400)
    res = geocode_frame(clean, register, address="Adress")
    x, y = TO_3006.transform(res.lon, res.lat)
    assert np.mean((res.level == "exact") & (np.hypot(x - clean.truth_x, y - clean.truth_y) <= 5)) >= 0.99
    dirty, drop = gen.dirty_queries(reg, 400)
    res = geocode_frame(dirty, register_from_frame(reg.loc[~drop].rename(columns={"x": "E", "y": "N"})),
                        address="Adress")
    x, y = TO_3006.transform(res.lon, res.lat)
    assert np.mean(np.hypot(x - dirty.truth_x, y - dirty.truth_y) <= 50) >= 0.95


# --------------------------------------------------------------------------- the CLI and bad input


def _write_inc(tmp_path, rows) -> Path:
    p = tmp_path / "order.csv"
    pd.DataFrame(rows).to_csv(p, index=False)
    return p


def test_geocode_command_csv_and_gpkg(tmp_path, register_frame, capsys):
    reg = tmp_path / "reg.csv"
    register_frame.to_csv(reg, index=False)
    inp = _write_inc(tmp_path, {"Ärende": [1, 2, 3], "Adress": ["Storgatan 5", "Storgatan 7", "Nowhere 1"],
                                "Postort": ["Storstad", "Storstad", ""]})
    assert main(["geocode", str(inp), "--register", str(reg), "-o", str(tmp_path / "out.csv")]) == 0
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns) == ["Ärende", "Adress", "Postort", "lat", "lon", "geocode_level", "geocode_score",
                                 "matched_address", "geocode_note"]
    assert out["geocode_level"].tolist() == ["exact", "interpolated", "failed"]
    printed = capsys.readouterr().out
    assert "3 addresses against reg.csv: exact 1, interpolated 1, failed 1" in printed
    assert "row 3 'Nowhere 1'" in printed
    assert main(["geocode", str(inp), "--register", str(reg), "--address", "Adress", "--kommun", "Storstad",
                 "-o", str(tmp_path / "out.gpkg"), "--lang", "sv"]) == 0
    g = gpd.read_file(tmp_path / "out.gpkg")
    assert len(g) == 3 and g.geometry.isna().sum() + g.geometry.is_empty.sum() == 1


@pytest.mark.parametrize(("case", "message"), [
    ("no_street", r"address register reg.csv: no street column found among .*; name it 'gatunamn' or 'street'"),
    ("numbers", r"order.csv: column 'Ärende' holds numbers, not addresses \(e.g. row 1 '1'\); name the address"),
    ("empty", r"address register reg.csv has no address points \(only a header\)"),
    ("uk_crs", r"address register reg.gpkg: its points lie around lon -2\.\d+, lat 53\.\d+ .*outside Sweden"),
    ("uk_csv", r"address register reg.csv: its positions cannot be read as SWEREF 99 TM or WGS84 in Sweden"),
    ("no_register", r"no address register: give --register"),
])
def test_bad_input_is_exit_2_and_one_line(case, message, tmp_path, register_frame, capsys, monkeypatch):
    monkeypatch.delenv("GEO_TRYGGHET_ADDRESS_REGISTER", raising=False)
    inp = _write_inc(tmp_path, {"Ärende": [1, 2], "Adress": ["Storgatan 5", "Storgatan 7"]})
    reg = tmp_path / "reg.csv"
    extra: list[str] = []
    if case == "no_street":
        register_frame.drop(columns="adressomrade_faststalltnamn").to_csv(reg, index=False)
    elif case == "numbers":
        register_frame.to_csv(reg, index=False)
        extra = ["--address", "Ärende"]
    elif case == "empty":
        register_frame.iloc[:0].to_csv(reg, index=False)
    elif case == "uk_crs":
        reg = tmp_path / "reg.gpkg"
        gpd.GeoDataFrame(register_frame.drop(columns=["E", "N"]),
                         geometry=gpd.points_from_xy(350000 + register_frame.E / 100, 430000 + register_frame.N / 1e4),
                         crs="EPSG:27700").to_file(reg, layer="belagenhetsadress")
    elif case == "uk_csv":
        register_frame.assign(E=350000.0, N=430000.0).to_csv(reg, index=False)
    argv = ["geocode", str(inp), "-o", str(tmp_path / "o.csv"), *extra]
    if case != "no_register":
        argv += ["--register", str(reg)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert re.search(message, err), err


# --------------------------------------------------------------------------- read_incidents through a register


def test_read_incidents_by_address(tmp_path, register_frame):
    reg = register_from_frame(register_frame, source="reg")
    inp = _write_inc(tmp_path, {"datum": ["2024-01-02", "2024-01-03", "2024-01-04"],
                                "adress": ["Storgatan 5", "Storgatan 7", "Okändgatan 1"],
                                "postort": ["Storstad", "Storstad", "Storstad"]})
    inc = read_incidents(inp, address="adress", register=reg)
    gdf = inc.gdf
    assert gdf["geocode_level"].tolist() == ["exact", "interpolated", "postort"]
    assert gdf["location_quality"].tolist() == ["point", "point", "place"]
    assert inc.report.columns["address"] == "adress"
    assert inc.report.geocoded["exact"] == 1
    assert len(inc.mappable()) == 2 and len(inc.mappable(keep_centroids=True)) == 3
    dropped = read_incidents(inp, address="adress", register=reg, drop_centroids=True)
    assert dropped.report.dropped["at an area centroid or placed only to a postort"] == 1
    assert any("left out of hot spots" in line for line in dropped.report.summary_lines())


def test_address_without_register_and_hint(tmp_path):
    inp = _write_inc(tmp_path, {"datum": ["2024-01-02"], "Adress": ["Storgatan 5"]})
    with pytest.raises(SchemaError, match="needs an address register"):
        read_incidents(inp, address="Adress")
    hint = r"or place the addresses in column 'Adress' with --address 'Adress' --register"
    with pytest.raises(SchemaError, match=hint):
        read_incidents(inp)


def test_hotspots_cli_reads_addresses(tmp_path, register_frame, capsys):
    reg = tmp_path / "reg.csv"
    register_frame.to_csv(reg, index=False)
    rng = np.random.default_rng(1)
    streets = rng.choice(["Storgatan 1", "Storgatan 2", "Storgatan 3 A", "Åvägen 35", "Bygatan 3", "Bivägen 6"], 80)
    inp = _write_inc(tmp_path, {"datum": ["2024-01-02"] * 80, "Adress": streets, "Postort": ["Storstad"] * 80})
    assert main(["hotspots", str(inp), "-o", str(tmp_path / "h.gpkg"), "--address", "Adress",
                 "--register", str(reg)]) == 0
    out = capsys.readouterr().out
    assert "geocoded: exact 80" in out


def test_sqlite_gpkg_layer_is_belagenhetsadress(synthetic):
    _, _, gpkg, _ = synthetic
    con = sqlite3.connect(gpkg)
    try:
        names = {r[0] for r in con.execute("select table_name from gpkg_contents")}
    finally:
        con.close()
    assert "belagenhetsadress" in names
