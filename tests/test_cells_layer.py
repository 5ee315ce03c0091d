"""The cells layer written from WKB in one Arrow table equals the GeoDataFrame written by GeoPandas."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyogrio
import shapely

from geo_trygghet import schema as S
from geo_trygghet.hotspots.cells_layer import CellsLayer
from geo_trygghet.hotspots.gistar import write_layers
from geo_trygghet.hotspots.grid import cell_polygon_array, cell_wkb, points_to_cell_ints


def _layer(n: int = 5000, seed: int = 3) -> tuple[np.ndarray, dict[str, np.ndarray], CellsLayer]:
    rng = np.random.default_rng(seed)
    cells = np.unique(points_to_cell_ints(rng.uniform(17.5, 18.5, n), rng.uniform(59.0, 59.6, n), 8))
    cols = {S.COUNT: rng.integers(0, 9, len(cells)), S.GI_Z: rng.normal(size=len(cells)),
            S.GI_P: rng.uniform(size=len(cells)), S.GI_Q: rng.uniform(size=len(cells)),
            S.GI_BIN: rng.integers(-3, 4, len(cells)).astype(np.int64)}
    group = np.repeat([0, 1], [len(cells) // 2, len(cells) - len(cells) // 2])
    return cells, cols, CellsLayer(cells, cols, first={"group": group})


def test_the_hexagons_are_the_same_as_shapely_builds_them():
    cells, _, layer = _layer()
    assert len(cell_wkb(cells)) == len(cells) > 100
    assert shapely.equals_exact(cell_polygon_array(cells), layer.frame.geometry.to_numpy(), 0).all()
    assert list(layer.frame.columns) == ["group", S.H3, S.COUNT, S.GI_Z, S.GI_P, S.GI_Q, S.GI_BIN, "geometry"]


def test_written_layer_equals_the_frame_written_by_geopandas(tmp_path):
    _, _, layer = _layer()
    ours = layer.write(tmp_path / "ours.gpkg")
    theirs = write_layers(tmp_path / "theirs.gpkg", {S.LAYER_CELLS: layer.frame.drop(columns="group")})
    a = pyogrio.read_dataframe(ours, layer=S.LAYER_CELLS)
    b = pyogrio.read_dataframe(theirs, layer=S.LAYER_CELLS)
    assert list(a.columns) == list(b.columns)
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    assert a.geometry.geom_equals_exact(b.geometry, 0).all()
    assert pyogrio.read_info(ours, layer=S.LAYER_CELLS)["geometry_type"] == "Polygon"


def test_first_columns_go_in_front_and_group_is_left_out(tmp_path):
    _, _, layer = _layer()
    ids = np.array(["0180", "0114"], dtype=object)[layer.columns["group"]]
    out = pyogrio.read_dataframe(layer.write(tmp_path / "areas.gpkg", first={"area_id": ids}), layer=S.LAYER_CELLS)
    assert list(out.columns[:2]) == ["area_id", S.H3] and "group" not in out.columns
    assert out["area_id"].tolist() == ids.tolist()


def test_an_empty_layer_is_written_with_its_columns(tmp_path):
    empty = {k: np.empty(0) for k in (S.COUNT, S.GI_Z, S.GI_P, S.GI_Q, S.GI_BIN)}
    layer = CellsLayer(np.empty(0, np.uint64), empty, first={"group": np.empty(0, np.int64)})
    out = layer.write(tmp_path / "empty.gpkg")
    assert pyogrio.read_info(out, layer=S.LAYER_CELLS)["features"] == 0
    assert S.GI_BIN in pyogrio.read_info(out, layer=S.LAYER_CELLS)["fields"]


def test_the_command_ends_with_its_status_and_says_everything(tmp_path):
    """``python -m geo_trygghet`` leaves through os._exit: its output is flushed and its status kept."""
    bad = subprocess.run([sys.executable, "-m", "geo_trygghet", "hotspots", str(tmp_path / "none.csv"), "-o",
                          str(tmp_path / "x.gpkg")], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "does not exist" in bad.stderr
    csv = tmp_path / "a.csv"
    rng = np.random.default_rng(1)
    lines = ["lat,lon,datum"] + [f"{59.3 + d:.6f},{18.0 + e:.6f},2024-01-0{1 + i % 9}"
                                 for i, (d, e) in enumerate(zip(rng.normal(0, 0.01, 400), rng.normal(0, 0.01, 400),
                                                                strict=True))]
    csv.write_text("\n".join(lines) + "\n")
    ok = subprocess.run([sys.executable, "-m", "geo_trygghet", "hotspots", str(csv), "-o", str(tmp_path / "a.gpkg")],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.rstrip().splitlines()[-1].startswith("wrote ") and "peak memory" in ok.stdout
    assert pyogrio.read_info(tmp_path / "a.gpkg", layer=S.LAYER_CELLS)["features"] > 0


def test_a_large_layer_written_by_a_child_process_is_the_same(tmp_path):
    """write_later hands a layer over a size to a child process (GDAL holds the GIL as it writes);
    the file is the same as written here, and nothing is left beside it."""
    _, _, layer = _layer()
    ids = np.array(["0180", "0114"], dtype=object)[layer.columns["group"]]
    here = layer.write(tmp_path / "here.gpkg", first={"area_id": ids})
    pending = layer.write_later(tmp_path / "there.gpkg", first={"area_id": ids}, elsewhere_from=10)
    assert type(pending).__name__ == "Pending"
    there = pending.wait()
    a = pyogrio.read_dataframe(here, layer=S.LAYER_CELLS)
    b = pyogrio.read_dataframe(there, layer=S.LAYER_CELLS)
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    assert a.geometry.geom_equals_exact(b.geometry, 0).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here.gpkg", "there.gpkg"]


def test_a_child_that_cannot_write_says_so_in_one_line(tmp_path):
    import pyarrow as pa
    import pytest

    from geo_trygghet.errors import InputError
    from geo_trygghet.hotspots.gpkg_writer import write_elsewhere

    table = pa.table({"h3": ["a"], "geometry": pa.array([b"x"])})
    pending = write_elsewhere(table, tmp_path / "x.gpkg", layer="cells", geometry_type="Polygon",
                              crs="EPSG:999999")  # a CRS GDAL does not know: the child fails
    with pytest.raises(InputError, match=r"^writing x.gpkg failed \(.+\)$"):
        pending.wait()
    assert not list(tmp_path.glob("*.arrow"))


def test_a_warm_writer_is_the_one_that_writes_and_a_spare_nobody_needs_ends(tmp_path):
    """:func:`warm` starts a writer before it knows what to write; the next layer written elsewhere
    goes to that process, and a spare whose input closes ends cleanly."""
    import pyarrow as pa

    from geo_trygghet.hotspots import gpkg_writer

    ints = points_to_cell_ints(np.array([18.06, 18.07]), np.array([59.33, 59.34]), 9)
    cells = np.array([format(int(c), "x") for c in ints])
    wkb = cell_wkb(ints)
    gpkg_writer.warm()
    spare = gpkg_writer._SPARE
    assert spare is not None and spare.poll() is None
    gpkg_writer.warm()
    assert gpkg_writer._SPARE is spare  # one spare at a time
    pending = gpkg_writer.write_elsewhere(pa.table({"h3": pa.array(cells.astype(object)), "geometry": wkb}),
                                          tmp_path / "warm.gpkg", layer="cells", geometry_type="Polygon",
                                          crs="EPSG:4326")
    assert pending.process is spare and gpkg_writer._SPARE is None
    written = pyogrio.read_dataframe(pending.wait(), layer="cells")
    assert written["h3"].tolist() == cells.tolist() and pending.peak_mb
    idle = subprocess.Popen([sys.executable, "-m", gpkg_writer.__name__], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = idle.communicate(b"", timeout=60)
    assert idle.returncode == 0 and out == b"" and err == b""


def test_only_runs_whose_layer_goes_to_a_child_start_a_writer_early():
    from geo_trygghet.hotspots.by_area import kommuner
    from geo_trygghet.hotspots.cells_layer import written_elsewhere

    every = kommuner().polygons  # about 830 000 cells at resolution 8, 120 000 at 7
    assert written_elsewhere(every, 8) and not written_elsewhere(every, 7)
    assert not written_elsewhere(every[:5], 8) and not written_elsewhere(every, "auto")
