import numpy as np
import shapely

from geo_trygghet.hotspots.clusters import HotSpotAreas, density_min_samples, find_clusters


def _blob(rng, lon, lat, n, sd_m):
    return (lon + rng.normal(0, sd_m / 56_000, n), lat + rng.normal(0, sd_m / 111_000, n))


def test_two_planted_blobs_are_two_areas_with_their_counts():
    rng = np.random.default_rng(1)
    ax, ay = _blob(rng, 16.540, 59.610, 400, 40)
    bx, by = _blob(rng, 16.575, 59.620, 200, 40)
    nx, ny = rng.uniform(16.50, 16.62, 300), rng.uniform(59.58, 59.64, 300)  # background noise
    lon, lat = np.concatenate([ax, bx, nx]), np.concatenate([ay, by, ny])
    areas = find_clusters(lon, lat, eps_m=100, min_samples=30)
    assert len(areas) == 2
    assert areas.crs.to_epsg() == 4326
    first, second = areas.iloc[0], areas.iloc[1]
    assert first.cluster_id == 1 and first["count"] >= second["count"]
    assert shapely.contains_xy(first.geometry, 16.540, 59.610)
    assert shapely.contains_xy(second.geometry, 16.575, 59.620)
    assert 380 <= first["count"] <= 440 and 180 <= second["count"] <= 230
    assert (areas.area_m2 > 0).all()


def test_weighted_locations_match_unweighted_dbscan_on_duplicates():
    """Snapping and weighting must give the same clusters as DBSCAN on every raw point
    when points repeat exactly (as police.uk's anonymised map points do)."""
    from pyproj import Transformer
    from sklearn.cluster import DBSCAN

    rng = np.random.default_rng(2)
    sites_lon = 16.5 + rng.uniform(0, 0.05, 40)
    sites_lat = 59.6 + rng.uniform(0, 0.02, 40)
    pick = rng.integers(0, 40, 3000)
    lon, lat = sites_lon[pick], sites_lat[pick]
    model = HotSpotAreas(eps_m=250, min_samples=150).fit(lon, lat)
    x, y = Transformer.from_crs(4326, 3006, always_xy=True).transform(lon, lat)
    raw = DBSCAN(eps=250, min_samples=150).fit(np.column_stack([x, y])).labels_
    # same partition up to label names (snapping to eps/5 can only matter at the eps edge)
    agree = np.mean([(a == -1) == (b == -1) for a, b in zip(model.labels_, raw, strict=True)])
    assert agree > 0.97


def test_no_points_and_default_min_samples():
    assert len(find_clusters(np.empty(0), np.empty(0))) == 0
    # a tenth of the incidents live at density >= 50 here: that is the threshold
    nb = np.array([5.0, 10.0, 50.0, 100.0])
    w = np.array([60, 30, 5, 5])
    assert density_min_samples(nb, w) == 50.0
    assert density_min_samples(np.array([1.0, 2.0]), np.array([1, 1])) == 10.0  # the floor


def test_weighted_dbscan_equals_sklearn_on_core_points():
    from sklearn.cluster import DBSCAN

    from geo_trygghet.hotspots.clusters import weighted_dbscan

    rng = np.random.default_rng(4)
    pts = np.concatenate([rng.normal(0, 30, (300, 2)), rng.normal(400, 40, (200, 2)), rng.uniform(-500, 900, (200, 2))])
    w = rng.integers(1, 5, len(pts))
    ours = weighted_dbscan(pts, w, eps=50, min_samples=40)
    ref = DBSCAN(eps=50, min_samples=40).fit(pts, sample_weight=w)
    core = np.zeros(len(pts), bool)
    core[ref.core_sample_indices_] = True
    assert np.array_equal(ours == -1, ref.labels_ == -1)
    # the same partition of core points, up to the names of the clusters
    pairs = set(zip(ours[core], ref.labels_[core], strict=True))
    assert len(pairs) == len(set(ours[core])) == len(set(ref.labels_[core]))


def test_sample_municipality_clusters_are_the_planted_hot_spots():
    """With default settings the hot-spot areas of the sample are its three planted hot spots."""
    from pathlib import Path

    import geopandas as gpd

    from geo_trygghet.hotspots.gistar import hotspots
    from geo_trygghet.ingest.incidents import read_incidents

    sample = Path(__file__).resolve().parents[1] / "sample_data"
    incidents = read_incidents(sample / "incidents.csv").gdf
    truth = gpd.read_file(sample / "hotspots_truth.geojson").to_crs(4326)
    result = hotspots(incidents)
    assert len(result.clusters) == len(truth)
    for geom in truth.geometry:
        c = geom.representative_point()
        assert result.clusters.contains(c).sum() == 1


def test_square_rows_count_and_find_the_points_of_squares_as_a_scan_does():
    from geo_trygghet.hotspots.locations import SquareRows

    rng = np.random.default_rng(8)
    keys = rng.integers(0, 2**40, 300)[rng.integers(0, 300, 50_000)]  # file order, many repeats
    rows = SquareRows.of(keys)
    uniq, counts = np.unique(keys, return_counts=True)
    assert np.array_equal(rows.squares, uniq) and np.array_equal(rows.counts(), counts)
    wanted = np.sort(np.r_[uniq[::3], rng.integers(0, 2**40, 20)])  # some squares with no point
    taken, at = rows.members(wanted)
    scan = np.flatnonzero(np.isin(keys, wanted))
    assert np.array_equal(taken, scan) and np.array_equal(wanted[at], keys[scan])
    assert len(rows.members(wanted[:0])[0]) == 0 and len(SquareRows.of(keys[:0]).members(wanted)[0]) == 0
