"""The Swedish address normaliser: addresses as kommuner's exports, protocols and the police write them."""

from __future__ import annotations

import pytest

from geo_trygghet.ingest.geocode import fix_text, parse_address, parse_number, parse_postcode, street_key, street_keys

# (as written, first street key, number, letter, number_to, postcode)
CASES = [
    # the handbook's four walk examples (the protocol's ANMÄRKNING column)
    ("Trasig belysning på Åvägen nr 37", "avagen", 37, "", None, ""),
    ("Uppbrutna källardörrar Storgatan 85–89", "storgatan", 85, "", 89, ""),
    ("Fem skrotbilar vändplanen vid Bygatan 3", "bygatan", 3, "", None, ""),
    ("Brandfarliga källargångar Bivägen 4–6", "bivagen", 4, "", 6, ""),
    # plain, case and spacing
    ("Storgatan 12", "storgatan", 12, "", None, ""),
    ("STORGATAN 12", "storgatan", 12, "", None, ""),
    ("storgatan 12", "storgatan", 12, "", None, ""),
    ("  Storgatan   12 ", "storgatan", 12, "", None, ""),
    ("Storgatan\u00a012", "storgatan", 12, "", None, ""),
    ("Storgatan 12.", "storgatan", 12, "", None, ""),
    # letters
    ("Storgatan 12B", "storgatan", 12, "B", None, ""),
    ("Storgatan 12 B", "storgatan", 12, "B", None, ""),
    ("Storgatan 12 b", "storgatan", 12, "B", None, ""),
    ("storgatan 12b", "storgatan", 12, "B", None, ""),
    ("STORGATAN 12 B", "storgatan", 12, "B", None, ""),
    ("Bygatan 3 i Växjö", "bygatan", 3, "", None, ""),
    # nr
    ("Åvägen nr 37", "avagen", 37, "", None, ""),
    ("Åvägen Nr. 37", "avagen", 37, "", None, ""),
    ("Åvägen nr37", "avagen", 37, "", None, ""),
    # ranges
    ("Storgatan 85-89", "storgatan", 85, "", 89, ""),
    ("Storgatan 85 - 89", "storgatan", 85, "", 89, ""),
    ("Bivägen 4–6", "bivagen", 4, "", 6, ""),
    ("Storgatan 12A-C", "storgatan", 12, "A", None, ""),
    # apartment, floor and c/o tails
    ("Storgatan 12 lgh 1102", "storgatan", 12, "", None, ""),
    ("Storgatan 12, lgh 1102", "storgatan", 12, "", None, ""),
    ("Storgatan 12 B, lgh 1102", "storgatan", 12, "B", None, ""),
    ("Storgatan 12, 2 tr", "storgatan", 12, "", None, ""),
    ("Storgatan 12 2tr", "storgatan", 12, "", None, ""),
    ("Storgatan 12, vån 3", "storgatan", 12, "", None, ""),
    ("Storgatan 12, uppg B", "storgatan", 12, "", None, ""),
    ("Storgatan 12 c/o Andersson", "storgatan", 12, "", None, ""),
    # postcodes and postort
    ("Storgatan 12, 123 45 Storstad", "storgatan", 12, "", None, "12345"),
    ("Storgatan 12, 12345 Storstad", "storgatan", 12, "", None, "12345"),
    ("Storgatan 12 B, 641 30 Katrineholm", "storgatan", 12, "B", None, "64130"),
    ("Storgatan 12, SE-641 30 Katrineholm", "storgatan", 12, "", None, "64130"),
    ("Storgatan 12, 64130", "storgatan", 12, "", None, "64130"),
    # abbreviations at the end
    ("Storg. 12", "storgatan", 12, "", None, ""),
    ("Kungsg. 19", "kungsgatan", 19, "", None, ""),
    ("Storgat. 12", "storgatan", 12, "", None, ""),
    ("Skolv. 4", "skolvagen", 4, "", None, ""),
    ("Skolvg 4", "skolvagen", 4, "", None, ""),
    ("Järnvägspl. 1", "jarnvagsplatsen", 1, "", None, ""),
    ("Drottning Kristinas v. 5", "drottningkristinasvagen", 5, "", None, ""),
    ("Stora tg 2", "storatorget", 2, "", None, ""),
    # abbreviations at the start
    ("St. Nygatan 4", "storanygatan", 4, "", None, ""),
    ("Sto Nygatan 4", "storanygatan", 4, "", None, ""),
    ("N. Ringvägen 10", "norraringvagen", 10, "", None, ""),
    ("V. Storgatan 3", "vastrastorgatan", 3, "", None, ""),
    ("Ö. Långgatan 7", "ostralanggatan", 7, "", None, ""),
    ("L. Torget 1", "lillatorget", 1, "", None, ""),
    ("G:a Kyrkvägen 2", "gamlakyrkvagen", 2, "", None, ""),
    ("S:t Persgatan 4A", "sanktpersgatan", 4, "A", None, ""),
    ("Sankt Persgatan 4 A", "sanktpersgatan", 4, "A", None, ""),
    ("1:a Långgatan 12", "forstalanggatan", 12, "", None, ""),
    ("Karl XI:s gata 4", "karlxisgata", 4, "", None, ""),
    # å/ä/ö as a/o, ae, HTML entities, mojibake
    ("Avagen 37", "avagen", 37, "", None, ""),
    ("Hagg vagen 3", "haggvagen", 3, "", None, ""),
    ("Haeggvaegen 3", "haggvagen", 3, "", None, ""),
    ("&Aring;v&auml;gen 37", "avagen", 37, "", None, ""),
    ("&#197;v&#228;gen 37", "avagen", 37, "", None, ""),
    ("Ã…vÃ¤gen 37", "avagen", 37, "", None, ""),
    ("BjÃ¶rkvÃ¤gen 2", "bjorkvagen", 2, "", None, ""),
    ("Österlånggatan 5", "osterlanggatan", 5, "", None, ""),
    ("Ö-vägen 5", "ovagen", 5, "", None, ""),
    # free text places (the police's event feed) and sentences
    ("Vällingby, Bergslagsvägen, Stockholm", "bergslagsvagen", None, "", None, ""),
    ("Hötorget, Stockholm", "hotorget", None, "", None, ""),
    ("Klotter på elskåp vid Kyrkogatan 12", "kyrkogatan", 12, "", None, ""),
    ("2 st trasiga lampor Storgatan 5", "storgatan", 5, "", None, ""),
    ("Storgatan", "storgatan", None, "", None, ""),
    ("Kvarnbacken 2", "kvarnbacken", 2, "", None, ""),
    ("Myrö 912", "myro", 912, "", None, ""),
]


@pytest.mark.parametrize(("written", "key", "number", "letter", "number_to", "postcode"), CASES,
                         ids=[c[0] for c in CASES])
def test_normaliser_table(written, key, number, letter, number_to, postcode):
    a = parse_address(written)
    assert a is not None, written
    assert a.keys[0] == key
    assert (a.number, a.letter, a.number_to, a.postcode) == (number, letter, number_to, postcode)


def test_at_least_sixty_real_shaped_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize("written", ["", "   ", None, "Box 123, 123 45 Storstad", "123 45", "12"])
def test_no_street_gives_none(written):
    assert parse_address(written) is None


def test_places_are_kept_as_hints():
    a = parse_address("Vällingby, Bergslagsvägen, Stockholm")
    assert a.places == ("Vällingby", "Stockholm")
    assert parse_address("Storgatan 12, 123 45 Storstad").places == ("Storstad",)


def test_abbreviations_give_every_spelling_most_likely_first():
    assert street_keys("St. Torget")[:3] == ("storatorget", "stortorget", "sankttorget")
    assert street_keys("Kristinas v.") == ("kristinasvagen", "kristinasvag")
    assert street_keys("Storgatan") == ("storgatan",)


def test_key_spells_alike_what_means_alike():
    assert street_key("S:t Persgatan") == street_key("Sankt Pers-gatan") == "sanktpersgatan"
    assert street_key("G:a Kyrkvägen") == street_key("Gamla Kyrkvägen")
    assert street_key("ÅVÄGEN") == street_key("Avagen") == street_key("Aavaegen") == "avagen"


def test_fix_text_repairs_entities_and_mojibake():
    assert fix_text("Ã…vÃ¤gen") == "Åvägen"
    assert fix_text("&Ouml;rebro") == "Örebro"
    assert fix_text(" Stor  gatan\u00a0") == "Stor gatan"
    assert fix_text("Åvägen") == "Åvägen"


@pytest.mark.parametrize(("cell", "expected"), [
    ("12", (12, "", None)), ("12B", (12, "B", None)), ("12 b", (12, "B", None)), ("nr 12", (12, "", None)),
    ("85–89", (85, "", 89)), (12.0, (12, "", None)), ("", (None, "", None)), ("tolv", (None, "", None)),
])
def test_number_column(cell, expected):
    assert parse_number(cell) == expected


@pytest.mark.parametrize(("text", "code"), [("123 45", "12345"), ("12345", "12345"), ("SE-123 45", "12345"),
                                            ("1234", ""), ("", "")])
def test_postcode(text, code):
    assert parse_postcode(text) == code
