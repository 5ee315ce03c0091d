"""Crime types → the Brå handbook's crime categories.

The handbook (*Samverkan i lokalt brottsförebyggande arbete*) groups reported
crimes into a handful of categories. :data:`BRA_CATEGORIES` holds them, in the
order maps and tables list them; their Swedish and English labels are in the label catalogue.

Raw crime-type strings (police event types, brottstyper, police.uk types) are
mapped to those categories by an editable table,
``geo_trygghet/ingest/data/crime_types.csv`` (columns ``crime_type``, ``category``,
``comment``). Matching ignores case, surrounding and repeated whitespace and
diacritics; a type that is not in the table is tried once more with only the
text before its first comma (``"Trafikolycka, vilt"`` → ``"trafikolycka"``).
Types that still match nothing are *reported* by :func:`categorize`, never
silently dropped.

Remark categories (what walk participants pick on the phone) are not crime types:
they live in :mod:`geo_trygghet.remarks.categories`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, SchemaError
from ..i18n import text

#: Brå crime categories (slugs) in display order; their labels are the catalogue's
#: ``crime_category.<slug>`` (``geo_trygghet/i18n/catalogue/crime_types.toml``).
BRA_CATEGORIES: tuple[str, ...] = (
    "brott_mot_liv_och_halsa",
    "brott_mot_frihet_och_frid",
    "tillgreppsbrott",
    "bedrageri",
    "skadegorelse",
    "narkotika",
    "trafik",
    "ordningsstorning",
    "ovrigt",
)

#: The mapping table shipped with the package.
DEFAULT_TABLE_PATH = Path(__file__).resolve().parent / "data" / "crime_types.csv"

TABLE_COLUMNS = ("crime_type", "category")

_LANGS = ("sv", "en")


def category_label(slug: str, lang: str = "sv") -> str:
    """The Swedish (``lang="sv"``) or English label of a Brå category slug (from the catalogue)."""
    if lang not in _LANGS:
        msg = f"unknown language '{lang}': use 'sv' or 'en'"
        raise InputError(msg)
    if slug not in BRA_CATEGORIES:
        msg = f"unknown crime category '{slug}': use one of {', '.join(BRA_CATEGORIES)}"
        raise InputError(msg)
    return text(f"crime_category.{slug}", lang)


def normalize_type(text: object) -> str:
    """The key a crime type is matched on: lower case, no diacritics, single spaces.

    Purely numeric codes lose leading zeros and a trailing ``.0`` (``"0393"``,
    ``393`` and ``393.0`` all give ``"393"``).
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    s = str(text)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = " ".join(s.lower().split())
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    if s.isdigit():
        s = s.lstrip("0") or "0"
    return s


@lru_cache(maxsize=8)
def _load_table_cached(path: str, mtime: float) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#", encoding="utf-8-sig")
    except FileNotFoundError:
        msg = f"crime-type table {path} does not exist: give an existing CSV with columns crime_type,category"
        raise InputError(msg) from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = " ".join(str(exc).split())[:160]
        msg = (f"crime-type table {path} cannot be read ({reason}): "
               "save it as UTF-8 CSV with columns crime_type,category")
        raise InputError(msg) from None
    return _validate_table(table, path)


def _validate_table(table: pd.DataFrame, where: str) -> pd.DataFrame:
    table = table.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in TABLE_COLUMNS if c not in table.columns]
    if missing:
        msg = (
            f"crime-type table {where} has no column {', '.join(repr(c) for c in missing)}: "
            f"it needs columns crime_type,category (found {', '.join(map(str, table.columns))})"
        )
        raise SchemaError(msg)
    table = table.copy()
    table["crime_type"] = table["crime_type"].astype(str).str.strip()
    table["category"] = table["category"].astype(str).str.strip().str.lower()
    table = table[table["crime_type"] != ""]
    bad = ~table["category"].isin(list(BRA_CATEGORIES))
    if bad.any():
        first = table.index[bad.to_numpy()][0]
        msg = (
            f"crime-type table {where}, row {int(first) + 1}: unknown category "
            f"'{table.loc[first, 'category']}' for '{table.loc[first, 'crime_type']}'; "
            f"use one of {', '.join(BRA_CATEGORIES)}"
        )
        raise SchemaError(msg)
    return table.reset_index(drop=True)


def load_crime_type_table(path: str | Path | None = None) -> pd.DataFrame:
    """The crime type → Brå category table (a copy), validated.

    ``path`` defaults to the table shipped with the package. Columns:
    ``crime_type``, ``category`` and whatever else the file has (``comment``).
    Raises :class:`SchemaError` for a category that is not a Brå slug.
    """
    p = Path(path) if path is not None else DEFAULT_TABLE_PATH
    try:
        mtime = p.stat().st_mtime
    except OSError:
        mtime = -1.0
    return _load_table_cached(str(p), mtime).copy()


def _lookup(table: pd.DataFrame | str | Path | Mapping[str, str] | None) -> dict[str, str]:
    if table is None or isinstance(table, (str, Path)):
        frame = load_crime_type_table(table)
    elif isinstance(table, pd.DataFrame):
        frame = _validate_table(table, "given")
    elif isinstance(table, Mapping):
        frame = _validate_table(
            pd.DataFrame({"crime_type": list(table.keys()), "category": list(table.values())}), "given"
        )
    else:
        msg = f"crime-type table must be a DataFrame, a path or a mapping, not {type(table).__name__}"
        raise InputError(msg)
    keys = [normalize_type(t) for t in frame["crime_type"]]
    # later rows win, so a user can append overrides to the shipped table
    return dict(zip(keys, frame["category"], strict=True))


def categorize(
    types: pd.Series, table: pd.DataFrame | str | Path | Mapping[str, str] | None = None
) -> tuple[pd.Series, dict[str, int]]:
    """Map raw crime types to Brå category slugs.

    Parameters
    ----------
    types
        Raw crime-type strings (or codes); missing values stay missing.
    table
        The mapping (DataFrame with ``crime_type``/``category``, a CSV path, or a
        ``{type: slug}`` mapping); default: the shipped table.

    Returns
    -------
    (categories, unmapped)
        ``categories``: a string Series aligned with ``types``, the slug or
        missing; ``unmapped``: raw type (stripped) → number of rows, for every
        non-empty type the table does not know, most frequent first.
    """
    lookup = _lookup(table)
    s = pd.Series(types)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped: list[object] = []
    for raw in uniques:
        key = normalize_type(raw)
        slug = lookup.get(key)
        if slug is None and "," in key:
            slug = lookup.get(key.split(",", 1)[0].strip())
        mapped.append(slug if slug is not None else np.nan)
    mapped_arr = np.asarray(mapped + [np.nan], dtype=object)  # index -1 → missing
    out = pd.Series(mapped_arr[codes], index=s.index, dtype="str", name="category")
    unmapped: dict[str, int] = {}
    if len(uniques):
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        for i, raw in enumerate(uniques):
            if isinstance(mapped[i], str):
                continue
            label = " ".join(str(raw).split())
            if not label:
                continue
            unmapped[label] = unmapped.get(label, 0) + int(counts[i])
    unmapped = dict(sorted(unmapped.items(), key=lambda kv: (-kv[1], kv[0])))
    return out, unmapped
