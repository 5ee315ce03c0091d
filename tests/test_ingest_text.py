"""Text tables parsed by pyarrow directly: the same DataFrame pandas' pyarrow engine makes."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest
from pandas._libs.parsers import STR_NA_VALUES

from geo_trygghet.ingest import text
from geo_trygghet.ingest.files import _arrow_frame

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
