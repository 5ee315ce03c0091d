"""A text table parsed as pandas' pyarrow engine parses it, in two halves: the parse needs pyarrow
alone, the frame needs pandas.

``pd.read_csv(data, sep=…, decimal=…, engine="pyarrow")`` hands ``pyarrow.csv`` the options below
and turns the table into a frame with pandas' own conversion. Split in two, a command parses the
file (outside the GIL, on every core) while pandas is still loading, which takes longer than the
parse of a million rows. ``tests/test_ingest.py`` holds the two halves to the frame
``pd.read_csv`` gives, on tables with every kind of column, missing value and header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: the strings pandas reads as missing (``pandas._libs.parsers.STR_NA_VALUES``; a test checks them)
NA_VALUES = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
             "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")


class EmptyTable(ValueError):
    """The text has no columns at all (pandas' ``EmptyDataError``)."""


def parse(data: bytes, delimiter: str, decimal: str = ".") -> pa.Table:
    """The bytes (UTF-8) parsed by pyarrow with the options pandas' pyarrow engine gives it;
    :class:`EmptyTable` when there are no columns, pyarrow's own error for a malformed table."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    try:
        return pcsv.read_csv(
            pa.BufferReader(data),
            read_options=pcsv.ReadOptions(autogenerate_column_names=False, skip_rows=0, skip_rows_after_names=0,
                                          encoding="utf-8"),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, quote_char='"', ignore_empty_lines=True),
            convert_options=pcsv.ConvertOptions(null_values=list(NA_VALUES), decimal_point=decimal,
                                                strings_can_be_null=True),
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            raise EmptyTable(str(exc)) from None
        raise


def frame(table: pa.Table) -> pd.DataFrame:
    """The frame pandas' pyarrow engine makes of the table: columns of nothing but missing values
    as floats, empty and repeated header names made unique as pandas makes them, pandas' own
    conversion of the columns (text as pandas' string type)."""
    import pandas  # noqa: F401 - the package first: another thread may be loading it, and asking
    import pyarrow as pa  # for a module of it by name then waits on locks in the wrong order
    from pandas.io._util import arrow_table_to_pandas
    from pandas.io.common import mangle_dupe_names

    schema = table.schema
    for i, kind in enumerate(schema.types):
        if pa.types.is_null(kind):
            schema = schema.set(i, schema.field(i).with_type(pa.float64()))
    table = table.cast(schema)
    names = [f"Unnamed: {i}" if name == "" else name for i, name in enumerate(table.column_names)]
    unnamed = [i for i, name in enumerate(table.column_names) if name == ""]
    names = [str(n) for n in mangle_dupe_names(names, unnamed)]
    if names != table.column_names:
        table = table.rename_columns(names)
    return arrow_table_to_pandas(table, null_to_int64=True)
