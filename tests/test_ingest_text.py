"""Text tables parsed by pyarrow ahead of pandas: the same DataFrame pandas' pyarrow engine makes."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest
from pandas._libs.parsers import STR_NA_VALUES

from geo_trygghet.ingest import text
from geo_trygghet.ingest.files import _arrow_frame, read_text_table

AWKWARD = {
    "plain": "datum,brottstyp,lat,lon\n2024-08-15 09:33,klotter,59.5,16.5\n2023-03-04 12:34,rån,59.6,16.6\n",
    "missing": "a,b,c,d\n1,,NA,x\n,null,2,\nN/A,3,None,<NA>\n",
    "all missing column": "a,b\n1,\n2,\n",
    "repeated and empty names": "a,a,,b,a\n1,2,3,4,5\n6,7,8,9,10\n",
    "semicolon decimal comma": "lat;lon;datum\n59,33;18,06;2024-01-02\n59,34;18,07;2024-01-03\n",
    "quoted": 'id,text\n1,"hej, där"\n2,"citat ""så"""\n',
    "booleans and ints": "a,b,c\ntrue,1,2024-01-01\nFalse,2,2024-01-02\n",
}


@pytest.mark.parametrize("name", list(AWKWARD))
def test_the_frame_equals_pandas_read_csv_with_pyarrow(name):
    data = AWKWARD[name].encode("utf-8")
    head = data.decode("utf-8")
    delim = text.sniff_delimiter(head)
    comma = text.decimal_comma(delim, head)
    ours = _arrow_frame(text.arrow_csv(data, delim, comma))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pd.read_csv(io.BytesIO(data), sep=delim, engine="pyarrow", **({"decimal": ","} if comma else {}))
    pd.testing.assert_frame_equal(ours, theirs)


def test_the_missing_values_are_pandas_own():
    assert set(text.NA_VALUES) == set(STR_NA_VALUES)


def test_a_prefetched_file_reads_the_same_and_is_taken_once(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text(AWKWARD["semicolon decimal comma"], encoding="cp1252")
    text.prefetch(p)
    fetched = text.take(p)
    assert fetched is not None and fetched.table is not None and fetched.comma and fetched.delim == ";"
    assert text.take(p) is None  # taken once
    text.prefetch(p)
    ahead, how = read_text_table(p)
    again, how_again = read_text_table(p)  # nothing fetched ahead this time
    pd.testing.assert_frame_equal(ahead, again)
    assert how == how_again and ahead["lat"].tolist() == [59.33, 59.34]


def test_a_changed_file_is_read_again_not_from_what_was_fetched(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("x,y\n1,2\n")
    text.prefetch(p)
    text.take(p)  # let the thread finish, then start another and change the file under it
    text.prefetch(p)
    p.write_text("x,y,z\n1,2,3\n4,5,6\n")
    df, _ = read_text_table(p)
    assert list(df.columns) == ["x", "y", "z"] and len(df) == 2


def test_a_binary_or_empty_file_fetched_ahead_gets_the_readers_own_error(tmp_path):
    from geo_trygghet.errors import InputError

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\n\n")
    zipped = tmp_path / "book.csv"
    zipped.write_bytes(b"PK\x03\x04rest of a workbook")
    for p, said in ((empty, "is empty"), (zipped, "Excel workbook")):
        text.prefetch(p)
        with pytest.raises(InputError, match=said):
            read_text_table(p)
