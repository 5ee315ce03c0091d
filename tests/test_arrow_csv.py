"""The text-table parse in two halves (:mod:`geo_trygghet.ingest.arrow_csv`) against the frame
``pd.read_csv(engine="pyarrow")`` gives for the same bytes: the same frame, or an error from both."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_trygghet.ingest import arrow_csv
from geo_trygghet.ingest.files import parse_text


def _pandas(data: bytes, sep: str, decimal: str) -> pd.DataFrame | None:
    try:
        return pd.read_csv(pa.BufferReader(data), sep=sep, decimal=decimal, engine="pyarrow")
    except Exception:  # noqa: BLE001 - the point is whether both fail
        return None


def _halves(data: bytes, sep: str, decimal: str) -> pd.DataFrame | None:
    try:
        return arrow_csv.frame(arrow_csv.parse(data, sep, decimal))
    except Exception:  # noqa: BLE001
        return None


def _same(data: bytes, sep: str = ",", decimal: str = ".") -> None:
    want, got = _pandas(data, sep, decimal), _halves(data, sep, decimal)
    assert (want is None) == (got is None), data
    if want is not None:
        pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_the_missing_values_are_pandas_own():
    from pandas._libs.parsers import STR_NA_VALUES

    assert set(arrow_csv.NA_VALUES) == set(STR_NA_VALUES)


CASES = {
    "numbers and text": "datum,lat,lon,brottstyp\n2024-01-05,59.33,18.07,Rån\n2024-01-06,59.34,18.08,Stöld\n",
    "decimal comma": ("Datum;Breddgrad;Längdgrad\n2024-01-05;59,33;18,07\n2024-01-06;59,5;18\n", ";", ","),
    "missing values of every spelling": "a,b,c\n1,NA,x\nnan,2,null\n,N/A,None\n#N/A,<NA>,\n",
    "a column of nothing": "a,b\n1,\n2,\n",
    "whole numbers with a gap": "a,b\n1,x\n,y\n3,z\n",
    "times with and without a zone": ("t,u\n2024-01-05 22:15,2024-01-05T22:15:00+01:00\n"
                                      "2024-01-06 01:00,2024-01-06T01:00:00+01:00\n"),
    "true and false": "a,b\nTrue,true\nFalse,false\n",
    "empty and repeated names": "a,a,,a.1,\n1,2,3,4,5\n",
    "quoted delimiters": 'a,b\n"x, y",1\n"z",2\n',
    "numbers too large": "a\n123456789012345678901234567890\n1\n",
    "tabs": ("a\tb\n1\t2\n", "\t", "."),
    "pipes and blank lines": ("a|b\n1|2\n\n3|4\n\n", "|", "."),
    "a header only": "a,b\n",
    "too few fields": "a,b,c\n1,2\n",
    "too many fields": "a,b\n1,2,3\n",
    "a line break in a quote": 'a,b\n"x\ny",1\n',
    "nothing": "",
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_two_halves_give_pandas_frame(name):
    case = CASES[name]
    text, sep, decimal = (case, ",", ".") if isinstance(case, str) else case
    _same(text.encode(), sep, decimal)


TOKENS = ["1", "-2", "3.5", "4e3", "59,33", "0", "", "NA", "nan", "None", "null", "#N/A", "x", "Rån", "åäö ö",
          "True", "false", "2024-01-05", "2024-01-05 22:15", "2024-02-30", '"a,b"', '"q"', " 7 ",
          "99999999999999999999"]


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4).flatmap(lambda ncol: st.tuples(
    st.lists(st.sampled_from(["a", "b", "", "a.1", "lat", "Unnamed: 0"]), min_size=ncol, max_size=ncol),
    st.lists(st.lists(st.sampled_from(TOKENS), min_size=ncol, max_size=ncol), min_size=0, max_size=6))),
    st.sampled_from([(",", "."), (";", ","), (";", ".")]))
def test_any_table_of_tricky_cells_gives_pandas_frame(table, how):
    header, rows = table
    sep, decimal = how
    text = "\n".join(sep.join(r) for r in [header, *rows]) + "\n"
    _same(text.encode(), sep, decimal)


def test_parse_text_reads_a_swedish_export_and_falls_back_to_text_columns():
    df, how = parse_text(b"Datum;Breddgrad\n2024-01-05;59,33\n2024-01-06;59,5\n", "x.csv")
    assert df["Breddgrad"].tolist() == [59.33, 59.5] and "semicolon" in how
    df, _ = parse_text(b'a,b\n"x\ny",1\n', "y.csv")  # pyarrow cannot; pandas' own parser can
    assert df["a"].tolist() == ["x\ny"]
