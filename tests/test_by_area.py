"""By-area runs: every incident in at most one area, and each area's result equal to running the
area alone (its polygon as the boundary); the CLI's GeoPackage, summary table and map."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from geo_trygghet import schema as S
from geo_trygghet.cli import main
from geo_trygghet.engines import ReadOptions, hotspots_run, make_engine
from geo_trygghet.engines.parts import assign_areas
from geo_trygghet.hotspots.by_area import AREA_ID, AreaSet, by_area_result, kommuner
from geo_trygghet.hotspots.gistar import hotspots
from geo_trygghet.ingest.incidents import read_incidents
from tests._scale_data import incident_frame, spread_points

#: four areas tiling part of the spread case's county, and one far away with no incidents
BOXES = [box(16.0, 59.2, 16.5, 59.6), box(16.5, 59.2, 17.0, 59.6), box(16.0, 59.6, 16.5, 60.0),
         box(16.5, 59.6, 17.2, 60.0), box(20.0, 65.0, 20.5, 65.3)]


@pytest.fixture(scope="module")
def incidents_csv(tmp_path_factory):
    lon, lat = spread_points(120_000, seed=51)
    path = tmp_path_factory.mktemp("byarea") / "county.csv"
    incident_frame(lon, lat, seed=52).to_csv(path, index=False)
    return path


def _areas() -> AreaSet:
    return AreaSet(ids=("A", "B", "C", "D", "E"), names=("A", "B", "C", "D", "E"), polygons=tuple(BOXES),
                   population=np.array([10_000, np.nan, 25_000, 5_000, 1_000.0]), label="test")


def test_every_point_lies_in_at_most_one_area_the_first_that_holds_it():
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(15.9, 17.3, 50_000), rng.uniform(59.1, 60.1, 50_000)
    overlapping = (*BOXES[:4], box(16.2, 59.4, 16.8, 59.8))  # the last overlaps the first four
    group = assign_areas(lon, lat, overlapping)
    expected = np.full(len(lon), -1)
    for g in range(len(overlapping) - 1, -1, -1):  # the first area holding a point wins
        expected[shapely.contains_xy(overlapping[g], lon, lat)] = g
    assert (group == expected).all()
    k = kommuner()
    assert len(k) == 290 and len(set(k.ids)) == 290


def test_each_area_equals_the_area_alone(incidents_csv):
    areas = _areas()
    read = ReadOptions.of(require_time=False, drop_centroids=True)
    with make_engine("pandas", incidents_csv, read) as engine:
        run = hotspots_run(engine, resolution=9, areas=areas.polygons)
    data = read_incidents(incidents_csv, require_time=False, drop_centroids=True)
    inc = data.gdf
    counted = sum(run.incidents.values())
    outside = run.report.dropped.get("outside every area", 0)
    assert counted + outside == len(inc)  # each incident once: in one area or outside them all
    assert run.skipped == {4: "no incidents"}
    for g in range(4):
        inside = shapely.contains_xy(BOXES[g], inc[S.LON].to_numpy(), inc[S.LAT].to_numpy())
        assert run.incidents[g] == int(inside.sum())
        alone = hotspots(inc.loc[inside], resolution=9, boundary=BOXES[g])
        mine = run.results[g]
        assert (mine.cells[S.H3].to_numpy() == alone.cells[S.H3].to_numpy()).all()
        assert (mine.cells[S.COUNT].to_numpy() == alone.cells[S.COUNT].to_numpy()).all()
        assert np.abs(mine.cells[S.GI_Z].to_numpy() - alone.cells[S.GI_Z].to_numpy()).max() <= 1e-12
        assert (mine.cells[S.GI_BIN].to_numpy() == alone.cells[S.GI_BIN].to_numpy()).all()
        cols = [S.CLUSTER_ID, S.COUNT]
        assert mine.clusters[cols].equals(alone.clusters[cols])
    result = by_area_result(areas, run)
    s = result.summary.set_index(AREA_ID)
    assert s.loc["A", "rate_per_100000"] == pytest.approx(run.incidents[0] / 10_000 * 100_000)
    assert np.isnan(s.loc["B", "rate_per_100000"]) and s.loc["E", "note"] == "no incidents"
    assert set(result.cells[AREA_ID]) == {"A", "B", "C", "D"} and result.clusters[AREA_ID].notna().all()


def test_cli_by_kommun_writes_area_ids_summary_and_map(incidents_csv, tmp_path, capsys):
    out = tmp_path / "kommuner.gpkg"
    assert main(["hotspots", str(incidents_csv), "-o", str(out), "--by", "kommun", "--resolution", "8",
                 "--map", str(tmp_path / "map.html")]) == 0
    said = capsys.readouterr().out
    assert "290 (kommun)" in said and "peak memory" in said
    cells = gpd.read_file(out, layer="cells")
    clusters = gpd.read_file(out, layer="clusters")
    areas = gpd.read_file(out, layer="areas")
    assert cells[AREA_ID].notna().all() and clusters[AREA_ID].notna().all() and len(areas) == 290
    table = pd.read_csv(tmp_path / "kommuner_areas.csv", dtype={AREA_ID: str})
    assert {"incidents", "rate_per_100000", "hot_cells", "top_cluster_incidents"} <= set(table.columns)
    assert table["incidents"].sum() + _outside(said) == 120_000
    assert set(cells[AREA_ID]) <= set(table.loc[table["incidents"] > 0, AREA_ID])
    assert (tmp_path / "map.html").stat().st_size > 0


def _outside(said: str) -> int:
    for line in said.splitlines():
        if "outside every area" in line:
            return int(line.split("left out:")[1].split("rows")[0].replace(",", "").strip())
    return 0


def test_cli_areas_file_with_population_and_wrong_column(incidents_csv, tmp_path, capsys):
    path = tmp_path / "areas.geojson"
    gpd.GeoDataFrame({"omrade": ["A", "B"], "inv": [10_000, 20_000]}, geometry=BOXES[:2], crs=4326).to_file(path)
    out = tmp_path / "o.gpkg"
    assert main(["hotspots", str(incidents_csv), "-o", str(out), "--areas", str(path), "--area-id", "omrade",
                 "--population", "inv", "--summary", str(tmp_path / "t.csv")]) == 0
    table = pd.read_csv(tmp_path / "t.csv")
    assert table["rate_per_100000"].notna().all()
    capsys.readouterr()
    assert main(["hotspots", str(incidents_csv), "-o", str(out), "--areas", str(path), "--area-id", "namn"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "'namn'" in err and "omrade" in err


def test_area_index_assigns_as_testing_every_polygon():
    """The H3 shortcut (cells no boundary crosses) gives each point the same area as testing every
    point against every polygon: all Swedish kommuner, and overlapping boxes."""
    from geo_trygghet.engines.areas import AreaIndex
    from tests._scale_data import national_points

    lon, lat = national_points(200_000, seed=71)
    for polygons, res in ((kommuner().polygons, 8), (kommuner().polygons, 7),
                          ((*BOXES[:4], box(16.2, 59.4, 16.8, 59.8)), 9)):
        index, _ = AreaIndex.build(tuple(polygons), res)
        if res == 9:
            rng = np.random.default_rng(4)
            lon, lat = rng.uniform(15.9, 17.3, 100_000), rng.uniform(59.1, 60.1, 100_000)
        assert (index.assign(lon, lat) == assign_areas(lon, lat, tuple(polygons))).all()


def test_the_cached_index_equals_the_built_one_and_a_broken_cache_is_built_again(tmp_path):
    """``index_of`` writes the index once, reads the same arrays back (per area cells too), keeps
    resolutions and polygons apart, and builds again over a file it cannot read."""
    from geo_trygghet.engines.areas import _ARRAYS, AreaIndex, index_of

    polygons = tuple(BOXES)
    built, built_cells = AreaIndex.build(polygons, 8)

    def same(got):
        index, cells = got
        assert all(np.array_equal(getattr(index, k), getattr(built, k)) for k in _ARRAYS)
        assert index.polygons == polygons and index.resolution == 8
        assert len(cells) == len(built_cells) and all(map(np.array_equal, cells, built_cells))

    same(index_of(polygons, 8, cache=tmp_path))
    saved = sorted(tmp_path.glob("area-index-*.npz"))
    assert len(saved) == 1
    stamp = saved[0].stat().st_mtime_ns
    same(index_of(polygons, 8, cache=tmp_path))
    assert saved[0].stat().st_mtime_ns == stamp  # read, not written again
    index_of(polygons, 7, cache=tmp_path)
    index_of(polygons[:4], 8, cache=tmp_path)
    assert len(list(tmp_path.glob("area-index-*.npz"))) == 3
    saved[0].write_bytes(b"not an index")
    same(index_of(polygons, 8, cache=tmp_path))
    with np.load(saved[0]) as fixed:
        assert np.array_equal(fixed["interior"], built.interior)
    assert not list(tmp_path.glob("*.tmp"))


def test_the_cache_directory_follows_the_environment_and_can_be_off(tmp_path, monkeypatch):
    from geo_trygghet import settings
    from geo_trygghet.engines.areas import index_of

    monkeypatch.setenv(settings.CACHE_DIR_ENV, str(tmp_path / "own"))
    assert settings.cache_dir() == tmp_path / "own"
    monkeypatch.delenv(settings.CACHE_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert settings.cache_dir() == tmp_path / "xdg" / "geo_trygghet"
    monkeypatch.setenv(settings.CACHE_DIR_ENV, "off")
    assert settings.cache_dir() is None
    index_of(tuple(BOXES[:2]), 8)
    assert not (tmp_path / "xdg").exists()


def test_an_area_gi_cannot_serve_is_left_out_and_the_hexagons_stay_with_their_cells(tmp_path):
    """An area of one cell passes the grid but not Gi* (two cells at least): it gets a note, and the
    hexagons built beside Gi* for every area are the remaining cells' own, in the file and the frame."""
    import h3
    import pyogrio

    rng = np.random.default_rng(8)
    lon, lat = rng.uniform(16.0, 17.0, 4000), rng.uniform(59.2, 59.6, 4000)
    cell = h3.latlng_to_cell(59.9, 16.2, 9)
    clat, clon = h3.cell_to_latlng(cell)
    tiny = shapely.Point(clon, clat).buffer(0.0003)  # inside one cell of resolution 9
    lon, lat = np.r_[lon, clon + 0.0001, clon - 0.0001], np.r_[lat, clat, clat]
    path = tmp_path / "two.csv"
    incident_frame(lon, lat, seed=9).to_csv(path, index=False)
    areas = AreaSet(ids=("tiny", "A", "B"), names=("tiny", "A", "B"), polygons=(tiny, BOXES[0], BOXES[1]),
                    population=np.full(3, np.nan), label="test")
    with make_engine("pandas", path, ReadOptions.of(require_time=False, drop_centroids=True)) as engine:
        run = hotspots_run(engine, resolution=9, areas=areas.polygons, wait=False)
    assert "Gi* needs at least two cells" in run.skipped[0]
    out = run.layer.write(tmp_path / "cells.gpkg", first={AREA_ID: np.asarray(areas.ids, object)[
        run.layer.columns["group"]]})
    written = pyogrio.read_dataframe(out, layer=S.LAYER_CELLS)
    assert set(written[AREA_ID]) == {"A", "B"}
    centres = written.geometry.representative_point()
    own = [h3.latlng_to_cell(y, x, 9) for x, y in zip(centres.x, centres.y, strict=True)]
    assert own == written[S.H3].tolist()  # each hexagon is its row's cell
    frame = run.wait().table
    assert shapely.equals_exact(frame.geometry.to_numpy(), written.geometry.to_numpy(), 1e-12).all()


def test_a_file_with_no_incident_in_any_area_is_one_line(tmp_path, capsys):
    src = tmp_path / "nowhere.csv"
    src.write_text("x,y\n1,2\n")
    assert main(["hotspots", str(src), "-o", str(tmp_path / "o.gpkg"), "--by", "kommun"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no incidents to analyse" in err
