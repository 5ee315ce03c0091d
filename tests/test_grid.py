import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from geo_trygghet.errors import InputError
from geo_trygghet.hotspots import grid

from ._synthetic import CENTRE, points_in_cells, study_cells


def test_points_to_cells_matches_h3():
    rng = np.random.default_rng(1)
    lat = CENTRE[0] + rng.normal(0, 0.01, 500)
    lon = CENTRE[1] + rng.normal(0, 0.02, 500)
    got = grid.points_to_cells(lon, lat, 9)
    want = [h3.latlng_to_cell(a, b, 9) for a, b in zip(lat, lon, strict=True)]
    assert list(got) == want


def test_study_area_keeps_empty_cells_and_every_incident():
    rng = np.random.default_rng(2)
    cells = study_cells(radius=6)
    counts = np.zeros(len(cells), int)
    counts[[0, len(cells) // 3, -1]] = [4, 2, 7]
    pts = points_in_cells(cells, counts, rng)
    g = grid.build_grid(pts.lon.to_numpy(), pts.lat.to_numpy(), resolution=9)
    assert (g.incident_cell >= 0).all(), "no incident may fall outside its own study area"
    assert g.counts().sum() == counts.sum()
    assert (g.counts() == 0).sum() > 0
    frame = grid.cells_frame(g)
    assert frame.crs.to_epsg() == 4326
    assert set(frame.columns) >= {"h3", "count", "geometry"}
    # every cell polygon contains its own centre
    centres = [h3.cell_to_latlng(c) for c in frame.h3]
    assert all(shapely.contains_xy(geom, lng, lat) for geom, (lat, lng) in zip(frame.geometry, centres, strict=True))


def test_boundary_drops_points_outside_and_uses_its_cells():
    cells = study_cells(radius=5)
    pts = points_in_cells(cells, np.ones(len(cells), int), np.random.default_rng(3))
    lat0, lon0 = CENTRE
    box = shapely.box(lon0 - 0.004, lat0 - 0.002, lon0 + 0.004, lat0 + 0.002)
    g = grid.build_grid(pts.lon.to_numpy(), pts.lat.to_numpy(), resolution=9, boundary=box)
    inside = shapely.contains_xy(box, pts.lon.to_numpy(), pts.lat.to_numpy())
    assert g.counts().sum() == inside.sum()
    assert (g.incident_cell[~inside] == -1).all()


def test_neighbour_graph_is_ring_one_within_area():
    cells = grid.to_int(study_cells(radius=3))
    cells.sort()
    indptr, indices = grid.neighbour_graph(cells)
    strs = grid.to_str(cells)
    present = set(strs)
    for i, c in enumerate(strs):
        want = {x for x in h3.grid_disk(c, 1) if x in present and x != c}
        got = {strs[j] for j in indices[indptr[i]:indptr[i + 1]]}
        assert got == want


def test_counts_by_period_month_and_week():
    cells = study_cells(radius=2)
    pts = points_in_cells(cells, np.full(len(cells), 2), np.random.default_rng(4))
    when = pd.to_datetime("2024-01-15") + pd.to_timedelta(np.arange(len(pts)) * 5, unit="D")
    g = grid.build_grid(pts.lon.to_numpy(), pts.lat.to_numpy(), resolution=9)
    monthly = grid.counts_by_period(g, when, "MS")
    assert monthly["count"].sum() == len(pts)
    assert set(monthly["period"].dt.day) == {1}
    weekly = grid.counts_by_period(g, when, "W")
    assert weekly["count"].sum() == len(pts)
    assert set(weekly["period"].dt.day_of_week) == {0}  # weeks start on Monday


@pytest.mark.parametrize("bad", [-1, 16, 9.5])
def test_bad_resolution_is_a_clear_error(bad):
    with pytest.raises(InputError, match="resolution"):
        grid.build_grid(np.array([16.5]), np.array([59.6]), resolution=bad)


def test_neighbour_graph_local_ij_equals_grid_disk_on_a_large_patch():
    from geo_trygghet.hotspots.grid import _neighbours_grid_disk, _neighbours_local_ij

    cells = np.sort(grid.to_int(h3.grid_disk(h3.latlng_to_cell(55.6, 13.0, 9), 40)))
    # punch holes so the study area is irregular
    cells = cells[np.random.default_rng(0).uniform(size=len(cells)) > 0.2]
    a = set(zip(*_neighbours_local_ij(cells), strict=True))
    b = set(zip(*_neighbours_grid_disk(cells), strict=True))
    assert a == b and len(a) > 10_000


def test_neighbour_graph_of_scattered_patches_equals_grid_disk():
    """Patches far apart span a lattice much larger than their cells: the neighbours are then
    sought by binary search instead of a table of every lattice position; both equal grid_disk."""
    from geo_trygghet.hotspots.grid import _neighbours_grid_disk, _neighbours_local_ij

    centres = [(59.30, 18.00), (59.90, 17.60), (58.40, 15.60)]
    cells = np.unique(np.concatenate([grid.to_int(h3.grid_disk(h3.latlng_to_cell(lat, lon, 9), 6))
                                      for lat, lon in centres]))
    local = h3.cell_to_local_ij  # the lattice the patches span is far larger than 8 × their cells
    ij = np.array([local(format(int(cells[len(cells) // 2]), "x"), format(int(c), "x")) for c in cells])
    assert np.ptp(ij[:, 0]) * np.ptp(ij[:, 1]) > 8 * len(cells) + 1024
    a = set(zip(*_neighbours_local_ij(cells), strict=True))
    b = set(zip(*_neighbours_grid_disk(cells), strict=True))
    assert a == b and len(a) > 500


def test_a_study_area_around_a_pentagon_is_linked_by_grid_disk():
    """Local IJ coordinates break down at a pentagon: the graph then comes from grid_disk."""
    from geo_trygghet.hotspots.grid import _has_pentagon, _neighbours_local_ij, neighbour_graph

    pentagon = sorted(h3.get_pentagons(7))[3]
    cells = np.sort(grid.to_int(h3.grid_disk(pentagon, 3)))
    assert _has_pentagon(cells) and not _has_pentagon(cells[cells != grid.to_int([pentagon])[0]])
    with pytest.raises(ValueError, match="pentagon"):
        _neighbours_local_ij(cells)
    indptr, nb = neighbour_graph(cells)
    at = int(np.searchsorted(cells, grid.to_int([pentagon])[0]))
    assert indptr[at + 1] - indptr[at] == 5  # a pentagon has five neighbours
