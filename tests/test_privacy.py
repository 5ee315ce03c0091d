"""Sekretess: cells with 1–2 incidents never show their count in public outputs; 0 and ≥ 3 do."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from geo_trygghet import schema as S
from geo_trygghet import settings
from geo_trygghet.errors import GeoTrygghetError, SchemaError
from geo_trygghet.hotspots.privacy import (
    PrivacyError,
    assert_no_points,
    public_cells,
    public_clusters,
    suppress_small_cells,
)


def cells_frame(counts) -> gpd.GeoDataFrame:
    counts = np.asarray(counts, dtype=np.int64)
    n = len(counts)
    rng = np.random.default_rng(0)
    return gpd.GeoDataFrame({
        S.H3: [f"89{i:013x}" for i in range(n)],
        S.COUNT: counts,
        S.GI_Z: rng.normal(size=n),
        S.GI_P: rng.random(n),
        S.GI_Q: rng.random(n),
        S.GI_BIN: rng.integers(-3, 4, size=n),
        "top_crime_type": ["Misshandel"] * n,
    }, geometry=[box(17 + i * 0.01, 60, 17.005 + i * 0.01, 60.005) for i in range(n)], crs="EPSG:4326")


def test_one_and_two_are_hidden_zero_and_three_shown():
    cells = cells_frame([0, 1, 2, 3, 4, 10])
    before = cells.copy()
    out = suppress_small_cells(cells)
    pd.testing.assert_frame_equal(cells, before)  # input untouched
    assert out[S.COUNT].isna().tolist() == [False, True, True, False, False, False]
    assert out["suppressed"].tolist() == [False, True, True, False, False, False]
    assert out[S.COUNT].iloc[[0, 3, 4, 5]].tolist() == [0, 3, 4, 10]
    for col in (S.GI_Z, S.GI_P, S.GI_Q, S.GI_BIN):
        assert out[col].iloc[[1, 2]].isna().all()
        assert out[col].iloc[[0, 3]].notna().all()


def test_threshold_is_read_from_settings_at_call_time(monkeypatch):
    monkeypatch.setattr(settings, "suppress_below", 5)
    out = suppress_small_cells(cells_frame([0, 3, 4, 5]))
    assert out[S.COUNT].isna().tolist() == [False, True, True, False]
    out2 = suppress_small_cells(cells_frame([2, 3]), below=3)
    assert out2[S.COUNT].isna().tolist() == [True, False]


def test_public_cells_keeps_only_aggregate_columns(tmp_path):
    cells = cells_frame([0, 1, 2, 3, 7])
    pub = public_cells(cells)
    assert list(pub.columns) == [S.H3, S.COUNT, S.GI_BIN, "suppressed", "geometry"]
    assert pub[S.COUNT].isna().tolist() == [False, True, True, False, False]
    # survives a GeoPackage round trip without the small counts coming back
    path = tmp_path / "public.gpkg"
    pub.to_file(path, layer="cells")
    back = gpd.read_file(path, layer="cells")
    assert set(back.loc[back["suppressed"].astype(bool), S.COUNT].dropna()) == set()
    assert sorted(back[S.COUNT].dropna().astype(int)) == [0, 3, 7]
    assert not back.geom_type.isin(["Point", "MultiPoint"]).any()


def test_public_cells_accepts_a_result_object_and_drops_zero():
    class Result:
        cells = cells_frame([0, 0, 2, 5])

    pub = public_cells(Result(), drop_zero=True)
    assert len(pub) == 2
    assert pub[S.COUNT].isna().tolist() == [True, False]


def test_public_clusters_suppress_small_areas():
    clusters = gpd.GeoDataFrame({S.CLUSTER_ID: [1, 2], S.COUNT: [2, 40], S.AREA_M2: [1e4, 2e4],
                                 "members": ["a", "b"]},
                                geometry=[box(0, 0, 1, 1), box(2, 2, 3, 3)], crs="EPSG:4326")
    pub = public_clusters(clusters)
    assert pub[S.COUNT].isna().tolist() == [True, False]
    assert "members" not in pub.columns


def test_assert_no_points_guards():
    pts = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(17, 60)], crs="EPSG:4326")
    with pytest.raises(PrivacyError):
        assert_no_points(pts)
    with pytest.raises(PrivacyError):
        assert_no_points(pts.geometry)
    with pytest.raises(PrivacyError):
        assert_no_points(pd.DataFrame({S.LON: [17.0], S.LAT: [60.0]}))
    with pytest.raises(PrivacyError):
        assert_no_points([cells_frame([3]), pts])
    assert issubclass(PrivacyError, GeoTrygghetError)
    assert_no_points(cells_frame([3, 4]))  # polygons pass
    with pytest.raises(PrivacyError):
        public_cells(gpd.GeoDataFrame({S.COUNT: [5]}, geometry=[Point(17, 60)], crs="EPSG:4326"))


def test_missing_count_column_is_a_schema_error():
    with pytest.raises(SchemaError):
        suppress_small_cells(pd.DataFrame({"n": [1]}))


@hsettings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=40))
def test_no_count_of_one_or_two_ever_survives(counts):
    pub = public_cells(cells_frame(counts))
    shown = pub[S.COUNT].dropna().astype(int)
    assert not shown.isin([1, 2]).any()
    truth = np.asarray(counts)
    assert pub["suppressed"].to_numpy().tolist() == ((truth >= 1) & (truth <= 2)).tolist()
    assert (pub.loc[~pub["suppressed"], S.COUNT].astype(int).to_numpy() == truth[(truth == 0) | (truth >= 3)]).all()
