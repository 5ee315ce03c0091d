"""The engines: pandas and Dask (a LocalCluster of 2 worker processes) give identical results.

About a million incidents, read in partitions (Parquet files and row groups; CSV byte ranges),
for hot spots and emerging hot spots: counts exactly equal, z and p within 1e-12, the same
hot-spot areas and the same ingest report. Times are measured in benchmarks/, never here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo_trygghet import schema as S
from geo_trygghet.engines import ReadOptions, emerging_run, hotspots_run, make_engine
from geo_trygghet.engines.median import MedianProbe
from tests._main import restore as restore_main
from tests._scale_data import incident_frame, spread_points, town_points

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    restore_main()  # module-scoped: before the autouse fixture of the first test (tests/_main.py)

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=50)
    with Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def parquet_folder(tmp_path_factory):
    """1,000,000 incidents (800,000 spread over a county, 200,000 in a town) over two years, sorted
    by date in 4 Parquet files of 100,000-row row groups: early partitions fall wholly before
    --since."""
    lon, lat = spread_points(1_000_000, seed=21)
    df = incident_frame(lon, lat, seed=22, text=False)
    df = df.sort_values("datum", kind="stable").reset_index(drop=True)
    folder = tmp_path_factory.mktemp("parquet")
    for i, rows in enumerate(np.array_split(np.arange(len(df)), 4)):
        df.iloc[rows].to_parquet(folder / f"part-{i}.parquet", index=False, row_group_size=100_000)
    return folder


def _dask(path, read, client, **kw):
    from geo_trygghet.engines.dask_engine import DaskEngine

    return DaskEngine(path, read, client=client, parquet_rows=250_000, **kw)


def _same_cells(a, b) -> None:
    assert len(a) == len(b)
    assert (a[S.H3].to_numpy() == b[S.H3].to_numpy()).all()
    assert (a[S.COUNT].to_numpy() == b[S.COUNT].to_numpy()).all()
    assert np.abs(a[S.GI_Z].to_numpy() - b[S.GI_Z].to_numpy()).max() <= 1e-12
    assert np.abs(a[S.GI_P].to_numpy() - b[S.GI_P].to_numpy()).max() <= 1e-12
    assert (a[S.GI_BIN].to_numpy() == b[S.GI_BIN].to_numpy()).all()


def _same_clusters(a, b) -> None:
    cols = [S.CLUSTER_ID, S.COUNT, S.AREA_M2]
    assert a[cols].reset_index(drop=True).equals(b[cols].reset_index(drop=True))
    assert a.geometry.geom_equals_exact(b.geometry, 0).all()


def test_hotspots_dask_equals_pandas_on_a_million_parquet_rows(parquet_folder, client):
    read = ReadOptions.of(require_time=False, drop_centroids=True, since="2023-04-01")
    with make_engine("pandas", parquet_folder, read) as engine:
        a = hotspots_run(engine, resolution=9)
    with _dask(parquet_folder, read, client) as engine:
        assert len(engine.parts) == 4 * 1  # 250,000-row files, one partition each
        b = hotspots_run(engine, resolution=9)
    assert a.report.summary_lines() == b.report.summary_lines()
    assert a.report.dropped["before --since"] > 100_000  # whole partitions left out, no error
    _same_cells(a.result.cells, b.result.cells)
    assert len(a.result.clusters) >= 1
    _same_clusters(a.result.clusters, b.result.clusters)


def test_emerging_dask_equals_pandas_on_a_million_rows(parquet_folder, client):
    read = ReadOptions.of(require_time=True, drop_centroids=True)
    with make_engine("pandas", parquet_folder, read) as engine:
        a = emerging_run(engine, resolution=8)
    with _dask(parquet_folder, read, client) as engine:
        b = emerging_run(engine, resolution=8)
    ca, cb = a.result.cube, b.result.cube
    assert ca.shape == cb.shape and (ca.counts == cb.counts).all() and (ca.periods == cb.periods).all()
    assert np.abs(a.result.gi.z - b.result.gi.z).max() <= 1e-12
    assert np.abs(a.result.gi.p - b.result.gi.p).max() <= 1e-12
    assert (a.result.cells["pattern"].to_numpy() == b.result.cells["pattern"].to_numpy()).all()
    assert a.report.summary_lines() == b.report.summary_lines()


def test_csv_in_byte_ranges_with_a_boundary_and_area_centroids(tmp_path, client):
    """CSV cut at line ends into partitions; a boundary; incidents stacked on kommun centroids spread
    over several partitions are found and left out as in the whole file."""
    import shapely
    from shapely.geometry import box

    from geo_trygghet.ingest.incidents import read_boundary

    lon, lat = town_points(150_000, seed=31)
    df = incident_frame(lon, lat, seed=32)
    rng = np.random.default_rng(33)
    # the central points of Eskilstuna and Köping, 400 incidents each, scattered through the file
    from geo_trygghet.ingest.location_quality import area_points

    refs = area_points()
    refs = refs[(refs["kind"] == "surface") & refs["code"].isin(["0484", "1983"])]
    feed = incident_frame(np.repeat(refs["lon"].round(6).to_numpy(), 400), np.repeat(refs["lat"].round(6).to_numpy(),
                                                                                       400), seed=34)
    df = pd.concat([df, feed]).iloc[rng.permutation(len(df) + len(feed))]
    path = tmp_path / "incidents.csv"
    df.to_csv(path, index=False)
    area = read_boundary(__import__("geopandas").GeoDataFrame(geometry=[box(15.9, 59.3, 16.8, 59.8)], crs=4326))
    read = ReadOptions.of(require_time=False, drop_centroids=True, boundary=area)
    with make_engine("pandas", path, read) as engine:
        a = hotspots_run(engine, resolution=9)
    with _dask(path, read, client, csv_block=1 << 20) as engine:
        assert len(engine.parts) >= 5
        b = hotspots_run(engine, resolution=9)
    assert a.report.summary_lines() == b.report.summary_lines()
    assert len(a.report.location.stacked) == 2  # both found, though no partition holds all their incidents
    assert a.report.dropped["at an area centroid or placed only to a postort"] == a.report.location.centroids >= 400
    assert a.report.dropped["outside boundary"] > 0
    _same_cells(a.result.cells, b.result.cells)
    _same_clusters(a.result.clusters, b.result.clusters)
    assert shapely.contains_xy(area.geometry.iloc[0], *np.array(a.result.cells.geometry.centroid.get_coordinates()).T
                               ).mean() > 0.99


def test_engine_equals_the_in_memory_functions(tmp_path):
    """The default engine's hot spots are today's read_incidents + hotspots, cell for cell."""
    from geo_trygghet.hotspots.gistar import hotspots
    from geo_trygghet.ingest.incidents import read_incidents

    lon, lat = town_points(60_000, seed=41)
    path = tmp_path / "town.csv"
    incident_frame(lon, lat, seed=42).to_csv(path, index=False)
    data = read_incidents(path, require_time=False, drop_centroids=True, since="2023-06-01")
    old = hotspots(data.gdf, resolution=9)
    with make_engine("pandas", path, ReadOptions.of(require_time=False, drop_centroids=True,
                                                     since="2023-06-01")) as engine:
        new = hotspots_run(engine, resolution=9)
    assert data.report.summary_lines() == new.report.summary_lines()
    _same_cells(old.cells, new.result.cells)
    assert old.cells.geometry.geom_equals_exact(new.result.cells.geometry, 0).all()
    _same_clusters(old.clusters, new.result.clusters)


def test_median_probe_decides_the_metric_crs_as_the_whole_file_does():
    from geo_trygghet.crs import metric_crs_for

    rng = np.random.default_rng(5)
    edges_lon = np.array([9.9, 10.0, 10.1, 24.4, 24.5, 24.6, -3.0, 0.0, 3.0, 6.0, 16.0])
    edges_lat = np.array([54.9, 55.0, 55.1, 69.4, 69.5, 69.6, 0.0, -1.0, 60.0])
    for trial in range(400):
        n = int(rng.integers(1, 12))
        lon = rng.choice(edges_lon, n) if trial % 2 else rng.uniform(-20, 30, n)
        lat = rng.choice(edges_lat, n) if trial % 3 else rng.uniform(-10, 75, n)
        k = int(rng.integers(0, n + 1))
        probe = MedianProbe.of(lon[:k], lat[:k]).combine(MedianProbe.of(lon[k:], lat[k:]))
        assert probe.metric_crs() == metric_crs_for(lon, lat), (lon, lat)


def test_cli_engine_dask_writes_what_pandas_writes(tmp_path, capsys):
    """The CLI wiring: --engine dask (its own local cluster) on a glob of Parquet files, and a
    by-kommun emerging run; the same GeoPackages as the default engine."""
    import geopandas as gpd

    from geo_trygghet.cli import main

    lon, lat = town_points(40_000, seed=61)
    df = incident_frame(lon, lat, seed=62, text=False)
    for i, rows in enumerate(np.array_split(np.arange(len(df)), 3)):
        df.iloc[rows].to_parquet(tmp_path / f"p{i}.parquet", index=False)
    pattern = str(tmp_path / "p*.parquet")
    for engine in ("pandas", "dask"):
        argv = ["emerging", pattern, "-o", str(tmp_path / f"{engine}.gpkg"), "--by", "kommun", "--resolution", "8",
                "--engine", engine]
        assert main(argv + (["--workers", "2"] if engine == "dask" else [])) == 0
        said = capsys.readouterr().out
        assert "peak memory" in said and ("Dask workers' peak" in said) == (engine == "dask")
    a = gpd.read_file(tmp_path / "pandas.gpkg", layer="emerging")
    b = gpd.read_file(tmp_path / "dask.gpkg", layer="emerging")
    assert len(a) > 0 and a.drop(columns="geometry").equals(b.drop(columns="geometry"))
