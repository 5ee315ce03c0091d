"""Crime types → Brå categories (remark categories: tests/test_remarks_states.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from geo_trygghet.errors import InputError, SchemaError
from geo_trygghet.ingest.crime_types import (
    BRA_CATEGORIES,
    categorize,
    category_label,
    load_crime_type_table,
    normalize_type,
)


def test_bra_categories_in_handbook_order_with_labels():
    assert list(BRA_CATEGORIES)[:5] == [
        "brott_mot_liv_och_halsa",
        "brott_mot_frihet_och_frid",
        "tillgreppsbrott",
        "bedrageri",
        "skadegorelse",
    ]
    assert set(BRA_CATEGORIES) >= {"narkotika", "trafik", "ordningsstorning", "ovrigt"}
    assert category_label("tillgreppsbrott") == "Stöld, rån och andra tillgreppsbrott"
    assert category_label("bedrageri", "sv") == "Bedrägeri och annan oredlighet"
    assert category_label("ovrigt", lang="en") == "Other offences"


def test_unknown_slug_and_language_are_clear_errors():
    with pytest.raises(InputError, match="unknown crime category 'x'"):
        category_label("x")
    with pytest.raises(InputError, match="unknown language 'de'"):
        category_label("trafik", "de")


def test_shipped_table_only_uses_known_slugs_and_has_no_conflicting_duplicates():
    table = load_crime_type_table()
    assert set(table["category"]) <= set(BRA_CATEGORIES)
    keys = table["crime_type"].map(normalize_type)
    dup = table[keys.duplicated(keep=False)]
    assert dup.groupby(keys[dup.index])["category"].nunique().le(1).all()
    assert len(table) > 100


@pytest.mark.parametrize(
    ("raw", "slug"),
    [
        ("Misshandel", "brott_mot_liv_och_halsa"),
        ("  GROV   misshandel ", "brott_mot_liv_och_halsa"),
        ("Misshandel, grov", "brott_mot_liv_och_halsa"),
        ("Våld mot tjänsteman", "brott_mot_liv_och_halsa"),
        ("Olaga hot", "brott_mot_frihet_och_frid"),
        ("ofredande", "brott_mot_frihet_och_frid"),
        ("Hemfridsbrott", "brott_mot_frihet_och_frid"),
        ("Sexuellt ofredande", "brott_mot_frihet_och_frid"),
        ("Våldtäkt", "brott_mot_liv_och_halsa"),
        ("Snatteri", "tillgreppsbrott"),
        ("Butiksstöld", "tillgreppsbrott"),
        ("Cykelstöld", "tillgreppsbrott"),
        ("Bostadsinbrott", "tillgreppsbrott"),
        ("Stöld ur/från fordon", "tillgreppsbrott"),
        ("Fordonsstöld", "tillgreppsbrott"),
        ("Personrån", "tillgreppsbrott"),
        ("Bedrägeri", "bedrageri"),
        ("Skadegörelse", "skadegorelse"),
        ("SKADEGORELSE", "skadegorelse"),  # diacritics dropped in an ASCII export
        ("Klotter", "skadegorelse"),
        ("Mordbrand", "skadegorelse"),
        ("Narkotikabrott", "narkotika"),
        ("Eget bruk", "narkotika"),
        ("Rattfälleri", "trafik"),
        ("Olovlig körning", "trafik"),
        ("Trafikolycka", "trafik"),
        ("Trafikolycka, vilt", "trafik"),
        ("Trafikolycka, något nytt", "trafik"),  # text before the comma
        ("Fylleri/LOB", "ordningsstorning"),
        ("Bråk", "ordningsstorning"),
        ("Störande av allmän ordning", "ordningsstorning"),
        ("Anti-social behaviour", "ordningsstorning"),
        ("Violence and sexual offences", "brott_mot_liv_och_halsa"),
        ("Burglary", "tillgreppsbrott"),
        ("Shoplifting", "tillgreppsbrott"),
        ("Vehicle crime", "tillgreppsbrott"),
        ("Criminal damage and arson", "skadegorelse"),
        ("Drugs", "narkotika"),
        ("Public order", "ordningsstorning"),
        ("Robbery", "tillgreppsbrott"),
        ("Theft from the person", "tillgreppsbrott"),
        ("Bicycle theft", "tillgreppsbrott"),
        ("Other theft", "tillgreppsbrott"),
        ("Possession of weapons", "ovrigt"),
        ("Other crime", "ovrigt"),
    ],
)
def test_categorize_known_types(raw, slug):
    cats, unmapped = categorize(pd.Series([raw]))
    assert cats.iloc[0] == slug
    assert unmapped == {}


def test_unmapped_types_are_reported_with_counts_not_dropped():
    s = pd.Series(["Stöld", "Okänd sak", None, "okänd sak", "Okänd sak", "", "Stöld"], index=list("abcdefg"))
    cats, unmapped = categorize(s)
    assert list(cats.index) == list("abcdefg")
    assert cats["a"] == "tillgreppsbrott"
    assert cats[["b", "c", "d", "e", "f"]].isna().all()
    assert unmapped == {"Okänd sak": 2, "okänd sak": 1}


def test_custom_table_as_mapping_dataframe_and_csv(tmp_path):
    s = pd.Series(["Foo", "bar", "Stöld"])
    cats, unmapped = categorize(s, {"foo": "ovrigt", "BAR": "trafik"})
    assert cats.tolist()[:2] == ["ovrigt", "trafik"]
    assert unmapped == {"Stöld": 1}
    df = pd.DataFrame({"crime_type": ["Stöld"], "category": ["bedrageri"]})
    assert categorize(s, df)[0].iloc[2] == "bedrageri"
    path = tmp_path / "types.csv"
    path.write_text("# my table\ncrime_type,category\nfoo,narkotika\n", encoding="utf-8")
    assert categorize(s, path)[0].iloc[0] == "narkotika"


def test_numeric_codes_match_without_leading_zeros():
    cats, _ = categorize(pd.Series([393, "0393", 393.0]), {"0393": "trafik"})
    assert cats.tolist() == ["trafik", "trafik", "trafik"]


def test_bad_table_names_row_and_fix(tmp_path):
    path = tmp_path / "types.csv"
    path.write_text("crime_type,category\nStöld,tillgrepp\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"row 1: unknown category 'tillgrepp'.*use one of"):
        load_crime_type_table(path)
    path.write_text("typ,kat\nStöld,trafik\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="no column 'crime_type'"):
        load_crime_type_table(path)
    with pytest.raises(InputError, match="does not exist"):
        load_crime_type_table(tmp_path / "nope.csv")


def test_categorize_is_vectorised_over_unique_values():
    s = pd.Series(["Stöld", "Misshandel", "Xyz"] * 100_000)
    cats, unmapped = categorize(s)
    assert cats.value_counts()["tillgreppsbrott"] == 100_000
    assert unmapped == {"Xyz": 100_000}
