"""The Lägesbild page's widgets: where the population and the reference come from, the rates
table for people, and the report download (HTML or PDF) of the page's one
:class:`~geo_trygghet.lagesbild.Lagesbild`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from pyogrio.errors import DataLayerError, DataSourceError

from ..errors import GeoTrygghetError
from ..lagesbild import Lagesbild
from ..reports.lagesbild import report_html, write_report
from .compute import RateInputs
from .dataset import Dataset, save_upload
from .formats import fmt_count, fmt_dec, styled
from .i18n import t

__all__ = ["rate_inputs", "rates_table", "rates_view", "report_bytes"]

_NAME_COLUMNS = ("name", "namn", "omrade", "område")


@st.cache_data(show_spinner=False, max_entries=8)
def _read_areas(path: str, mtime_ns: int) -> gpd.GeoDataFrame:
    from ..crs import to_wgs84

    return to_wgs84(gpd.read_file(path), Path(path).name)


@st.cache_data(show_spinner=False, max_entries=4)
def _read_reference(path: str, mtime_ns: int) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False)


def _areas_with_population(areas: gpd.GeoDataFrame, table_path: Path) -> gpd.GeoDataFrame | None:
    """The uploaded areas joined to an uploaded population table (rates.attach_population); the
    join is reported in a line, a failure in one line as an error (then None)."""
    from ..ingest.incidents import read_table
    from ..lagesbild.rates import attach_population

    try:
        joined = attach_population(areas, read_table(table_path))
    except GeoTrygghetError as exc:
        st.error(t("ds.error", why=str(exc)))
        return None
    info = joined.attrs["population_join"]
    st.caption(t("lb.pop_joined", matched=fmt_count(info["matched"]), areas=fmt_count(info["areas"]),
                 a=info["area_key"], b=info["table_key"], pop=info["population_col"]))
    if info["unmatched"]:
        st.caption(t("lb.pop_unmatched", n=fmt_count(len(info["unmatched"])), first=", ".join(info["unmatched"][:5])))
    return joined


def _uploaded_areas() -> tuple[gpd.GeoDataFrame | None, tuple]:
    """Areas uploaded as GeoJSON/GeoPackage, with a population table uploaded beside them if any."""
    c1, c2 = st.columns(2)
    up = c1.file_uploader(t("lb.pop_upload"), type=["geojson", "json", "gpkg", "zip"], key="lb_areas_upload")
    table_up = c2.file_uploader(t("lb.pop_table"), type=["csv", "txt", "xlsx", "parquet"],
                                key="lb_pop_table_upload", help=t("lb.pop_table_help"))
    areas, key = None, ("upload",)
    if up is not None:
        path = save_upload(up.getvalue(), up.name)
        try:
            areas = _read_areas(str(path), path.stat().st_mtime_ns)
        except (DataSourceError, DataLayerError, GeoTrygghetError, ValueError) as exc:  # the user's file: one line
            st.error(t("ds.error", why=str(exc).splitlines()[0][:200]))
        key = ("upload", str(path))
    if areas is not None and table_up is not None:
        table_path = save_upload(table_up.getvalue(), table_up.name)
        areas = _areas_with_population(areas, table_path)
        key = (*key, str(table_path))
    return areas, key


def _population_column(areas: gpd.GeoDataFrame, key: tuple) -> tuple[gpd.GeoDataFrame | None, tuple]:
    """Areas without a ``population`` column: the analyst picks which numeric column it is."""
    if "population" in areas.columns:
        return areas, key
    numeric = [c for c in areas.columns if c != "geometry" and pd.api.types.is_numeric_dtype(areas[c])]
    if not numeric:
        st.error(t("lb.no_population_column"))
        return None, key
    col = st.selectbox(t("lb.population"), numeric, key="lb_pop_col")
    return areas.rename(columns={col: "population"}), (*key, col)


def _population(ds: Dataset) -> tuple[gpd.GeoDataFrame | None, float | None, tuple]:
    """Where the population comes from: the dataset's areas, uploaded areas, or a typed number."""
    sources = (["sample"] if ds.areas_path else []) + ["upload", "number"]
    label = {"sample": t("lb.pop_sample"), "upload": t("lb.pop_upload"), "number": t("lb.pop_number")}
    source = st.radio(t("lb.population"), sources, format_func=label.get, key="lb_pop_source", horizontal=True)
    if source == "number":
        population = float(st.number_input(t("lb.pop_value"), min_value=1, value=30_000, step=500,
                                           key="lb_pop_value"))
        return None, population, (source, population)
    if source == "sample" and ds.areas_path is not None:
        areas, key = _read_areas(str(ds.areas_path), ds.areas_path.stat().st_mtime_ns), (source,)
    else:
        areas, key = _uploaded_areas()
    if areas is None:
        return None, None, key
    areas, key = _population_column(areas, key)
    return areas, None, key


def _reference(ds: Dataset, areas: gpd.GeoDataFrame | None) -> tuple[Any, Any]:
    """What to compare with: nothing, the reference table beside the data, a typed value, the
    whole municipality or one of the areas. Returns (reference, its key)."""
    refs: list[tuple[str, Any]] = [(t("lb.ref_none"), None)]
    table = ds.areas_path.parent / "reference_rates.csv" if ds.areas_path else None
    if table is not None and table.is_file():
        refs.append((t("lb.ref_table", name=table.name), ("table", str(table))))
    refs.append((t("lb.ref_value"), ("value",)))
    if areas is not None:
        refs.append((t("lb.ref_kommun"), "kommun"))
        name_col = next((c for c in _NAME_COLUMNS if c in areas.columns), None)
        if name_col:
            refs += [(t("lb.ref_area", name=str(n)), str(n)) for n in areas[name_col].astype(str)]
    labels = [label for label, _ in refs]
    picked = st.selectbox(t("lb.reference"), labels, key="lb_reference")
    ref = refs[labels.index(picked)][1] if picked in labels else None
    if ref == ("value",):
        ref = float(st.number_input(t("lb.ref_value"), min_value=0.0, value=1000.0, step=50.0, key="lb_ref_value"))
    if isinstance(ref, tuple) and ref[0] == "table":
        return _read_reference(ref[1], Path(ref[1]).stat().st_mtime_ns), ref[1]
    return ref, ref


def rate_inputs(ds: Dataset) -> RateInputs:
    """Widgets: where the population comes from, and what to compare with."""
    areas, population, key = _population(ds)
    reference, ref_key = _reference(ds, areas)
    return RateInputs(areas=areas, population=population, reference=reference, key=(*key, ref_key))


_RATE_COLUMNS = ("name", "label", "population", "count", "years", "rate", "rate_low", "rate_high", "rate_eb",
                 "uncertain", "reference", "ratio", "ratio_low", "ratio_high", "verdict")
#: decimals shown per column (rates whole, ratios two decimals)
_DECIMALS = {"population": 0, "years": 1, "rate": 0, "rate_low": 0, "rate_high": 0, "rate_eb": 0, "reference": 0,
             "ratio": 2, "ratio_low": 2, "ratio_high": 2}


def rates_table(rates: pd.DataFrame) -> pd.DataFrame:
    """The rates table for people: labelled columns, whether each rate can be trusted in words,
    empty columns left out. Numbers stay numbers (sortable): show it with :func:`rates_view`."""
    out = pd.DataFrame(rates).drop(columns=["is_total", "category", "reliable"], errors="ignore")
    if "uncertain" in out.columns:
        out["uncertain"] = [t(f"lb.reliability.{r}") if isinstance(r, str) else t("lb.reliability.ok")
                            for r in out["uncertain"]]
    out = out[[c for c in _RATE_COLUMNS if c in out.columns and out[c].notna().any()]]
    for col in out.columns:
        if col in _DECIMALS:
            out[col] = pd.to_numeric(out[col], errors="coerce")
    if "verdict" in out.columns:
        out["verdict"] = [t(f"lagesbild.report.verdict.{v}") if isinstance(v, str) else "" for v in out["verdict"]]
    return out.rename(columns={c: t(f"lb.col.{c}") for c in out.columns})


def rates_view(rates: pd.DataFrame) -> Any:
    """:func:`rates_table` with its numbers written as the session's language writes them
    (``3 400`` invånare, not ``3,400``), for ``st.dataframe``."""
    table = rates_table(rates)
    decimals = {t(f"lb.col.{c}"): d for c, d in _DECIMALS.items()}
    uncertain = [isinstance(r, str) for r in pd.DataFrame(rates).get("uncertain", pd.Series(dtype=object))]
    shade = "color: #777; font-style: italic"  # an uncertain rate reads as one at a glance too

    def grey(row: pd.Series) -> list[str]:
        return [shade if row.name < len(uncertain) and uncertain[row.name] else ""] * len(row)

    return styled(table, decimals).apply(grey, axis=1)


def rates_caption(lb: Lagesbild) -> str:
    """The reliability rule and, with smoothed rates, the smoothing method, in a sentence each."""
    rates = lb.area_rates or lb.whole_rates
    from ..lagesbild.reliability import MAX_RELATIVE_CI_WIDTH, MIN_POPULATION

    minimum = rates.min_population if rates is not None else MIN_POPULATION
    width = rates.max_relative_ci_width if rates is not None else MAX_RELATIVE_CI_WIDTH
    text = t("lb.rates_rule", min=fmt_count(minimum), width=fmt_dec(width * 100, 0))
    if rates is not None and rates.smoothing:
        text += " " + t(f"lb.rates_method.{rates.smoothing}")
    return text


def report_bytes(lb: Lagesbild, *, fmt: str, title: str, subtitle: str | None = None) -> bytes:
    """The lägesbild report of ``lb`` as HTML or PDF bytes; no Streamlit calls (it runs in
    the download button's thread)."""
    body = report_html(lb, title=title, subtitle=subtitle)
    if fmt == "html":
        return body.encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        return write_report(body, Path(tmp) / "lagesbild.pdf").read_bytes()
