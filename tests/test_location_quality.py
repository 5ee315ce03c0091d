"""Location quality: area centroids (the police's event feed) recognised, snap points and stations left alone."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo_trygghet.cli import main
from geo_trygghet.ingest import incidents_from_frame, read_incidents
from geo_trygghet.ingest.location_quality import (
    CENTROID,
    PLACE,
    POINT,
    SHARED,
    area_points,
    classify_positions,
    left_out_line,
)


def _feed(points: gpd.GeoSeries, n: int, seed: int = 1) -> pd.DataFrame:
    """A police-feed-like file: every event at one of ``points`` (WGS84), as 'lat,lon' in location.gps."""
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(points), n)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    return pd.DataFrame({
        "datetime": days.strftime("%Y-%m-%d %H:%M:%S +01:00"), "type": "Stöld",
        "location.name": [f"area {i}" for i in pick],
        "location.gps": [f"{points.y.iloc[i]:.6f},{points.x.iloc[i]:.6f}" for i in pick],
    })


@pytest.fixture(scope="module")
def kommuner(shared_data) -> gpd.GeoDataFrame:
    return gpd.read_file(shared_data / "sweden" / "kommuner_sweref99tm.geojson")


@pytest.mark.parametrize("variant", ["centroid", "point_on_surface"])
def test_a_police_feed_built_from_kommun_boundaries_is_flagged(kommuner, variant):
    uppsala_lan = kommuner[kommuner["code"].str.startswith("03")]
    geoms = uppsala_lan.geometry.centroid if variant == "centroid" else uppsala_lan.geometry.representative_point()
    feed = _feed(gpd.GeoSeries(geoms, crs=3006).to_crs(4326), 1500)
    inc = incidents_from_frame(feed, source="events.json")
    q = inc.report.location
    assert (q.centroids, q.points, q.shared) == (1500, 0, 0)
    assert {s.area for s in q.stacked} == set(uppsala_lan["name"])
    assert (inc.gdf["location_quality"] == CENTROID).all()
    assert len(inc.mappable()) == 0 and len(inc.mappable(keep_centroids=True)) == 1500
    lines = inc.report.summary_lines()
    assert any("1,500 at area centroids" in line for line in lines)
    assert any("stacked on 8 central points of kommuner or län" in line for line in lines)


def test_the_police_feeds_own_points_are_flagged():
    # location.gps as the feed gives it for Stockholm, Eskilstuna, Västerås, Göteborg and Västra Götalands län
    gps = ((59.329324, 18.068581), (59.371249, 16.509805), (59.609901, 16.544809), (57.708870, 11.974560),
           (58.252793, 13.059643))
    lat = np.repeat([g[0] for g in gps], 30)
    lon = np.repeat([g[1] for g in gps], 30)
    quality, stacked = classify_positions(lon, lat)
    assert (quality == CENTROID).all()
    assert {"Stockholm", "Eskilstuna", "Västerås", "Göteborg"} <= {s.area for s in stacked}


def test_bundled_points_cover_every_kommun_and_lan():
    pts = area_points()
    assert pts.query("level == 'kommun'")["code"].nunique() == 290
    assert pts.query("level == 'lan'")["code"].nunique() == 21
    assert set(pts["kind"]) == {"centroid", "surface", "town"}


def test_lancashire_snap_points_are_not_centroids(lancashire, shared_data):
    quality, stacked = classify_positions(lancashire["lon"].to_numpy(), lancashire["lat"].to_numpy())
    assert stacked == ()
    assert set(quality) == {POINT, SHARED}
    districts = gpd.read_file(shared_data / "lancashire_asb_2022" / "lancashire_districts.geojson")
    quality, stacked = classify_positions(lancashire["lon"].to_numpy(), lancashire["lat"].to_numpy(), areas=districts)
    assert stacked == () and CENTROID not in set(quality)


def test_lancashire_read_counts_shared_positions(shared_data):
    inc = read_incidents(shared_data / "lancashire_asb_2022" / "lancashire_asb_2022.csv")
    q = inc.report.location
    assert q.centroids == 0 and q.places == 0
    assert q.points + q.shared == inc.report.rows_used
    assert q.shared > 10_000  # police.uk's snap points: many incidents share a point, and stay points


def test_a_police_station_full_of_frauds_is_shared_not_a_centroid():
    rng = np.random.default_rng(2)
    town = area_points().query("name == 'Katrineholm' and kind == 'town'").iloc[0]
    lon = np.r_[np.full(125, town.lon + 0.002), town.lon + rng.normal(0, 0.01, 4000)]
    lat = np.r_[np.full(125, town.lat + 0.001), town.lat + rng.normal(0, 0.005, 4000)]
    quality, stacked = classify_positions(lon, lat)
    assert stacked == ()
    assert (quality[:125] == SHARED).all()


def test_unknown_locations_filled_in_at_a_kommun_centroid_amid_precise_points():
    rng = np.random.default_rng(3)
    c = area_points().query("name == 'Eskilstuna' and kind == 'centroid'").iloc[0]
    lon = np.r_[np.full(300, c.lon), 16.51 + rng.normal(0, 0.02, 3000)]
    lat = np.r_[np.full(300, c.lat), 59.37 + rng.normal(0, 0.01, 3000)]
    quality, stacked = classify_positions(lon, lat)
    assert (quality[:300] == CENTROID).all() and (quality[300:] != CENTROID).all()
    assert [(s.area, s.count) for s in stacked] == [("Eskilstuna", 300)]


def test_a_small_extract_on_two_points_in_one_town_is_not_a_feed():
    quality, stacked = classify_positions(np.repeat([18.08, 18.05], 30), np.repeat([59.34, 59.33], 30))
    assert stacked == () and CENTROID not in set(quality)


def test_own_areas_mark_their_centroids(tmp_path):
    from shapely.geometry import box

    areas = gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=[box(10, 50, 10.2, 50.1), box(10.3, 50, 10.5, 50.1)],
                             crs=4326)
    c = areas.to_crs(3006).geometry.centroid.to_crs(4326)
    lon = np.r_[np.repeat(c.x.to_numpy(), 20), 10.05 + np.arange(50) * 0.001]
    lat = np.r_[np.repeat(c.y.to_numpy(), 20), np.full(50, 50.03)]
    quality, stacked = classify_positions(lon, lat)
    assert stacked == ()  # outside Sweden, nothing bundled
    quality, stacked = classify_positions(lon, lat, areas=areas)
    assert sorted(s.area for s in stacked) == ["A", "B"]
    assert (quality[:40] == CENTROID).all() and (quality[40:] == POINT).all()


def test_coarse_geocodes_are_places():
    quality, _ = classify_positions(np.array([15.0, 15.1]), np.array([59.0, 59.1]), coarse=np.array([False, True]))
    assert list(quality) == [POINT, PLACE]


def test_withheld_positions_are_counted(tmp_path):
    df = pd.DataFrame({"lat": [59.3, None, 0.0, 59.31], "lon": [18.0, None, 0.0, 18.01],
                       "datum": ["2024-01-01"] * 4})
    q = incidents_from_frame(df).report.location
    assert (q.points, q.withheld) == (2, 2)


def test_hotspots_cli_leaves_centroids_out_and_says_why(kommuner, tmp_path, capsys):
    lan = kommuner[kommuner["code"].str.startswith("03")]
    feed = _feed(gpd.GeoSeries(lan.geometry.centroid, crs=3006).to_crs(4326), 1500)
    rng = np.random.default_rng(4)
    real = pd.DataFrame({"datetime": "2024-02-01 10:00:00 +01:00", "type": "Stöld", "location.name": "x",
                         "location.gps": [f"{59.86 + a:.6f},{17.64 + b:.6f}" for a, b in
                                          zip(rng.normal(0, 0.01, 300), rng.normal(0, 0.02, 300), strict=True)]})
    path = tmp_path / "events.csv"
    pd.concat([feed, real]).to_csv(path, index=False)
    assert main(["hotspots", str(path), "-o", str(tmp_path / "h.gpkg")]) == 0
    out = capsys.readouterr().out
    assert "left out: 1,500 rows (at an area centroid or placed only to a postort)" in out
    assert ("1,500 incidents at area centroids or placed only to a postort are left out of hot spots and clusters; "
            "--keep-centroids keeps them") in out
    cells = gpd.read_file(tmp_path / "h.gpkg", layer="cells")
    assert int(cells["count"].sum()) == 300
    assert main(["hotspots", str(path), "-o", str(tmp_path / "k.gpkg"), "--keep-centroids"]) == 0
    assert "left out: 1,500" not in capsys.readouterr().out


def test_left_out_line_in_both_languages():
    from geo_trygghet.ingest.location_quality import LocationQuality

    q = LocationQuality(points=10, centroids=1234, places=2)
    assert left_out_line(q, "en").startswith("1,236 incidents at area centroids")
    assert left_out_line(q, "sv", cli=False).startswith("1\u00a0236 händelser") or \
        left_out_line(q, "sv", cli=False).startswith("1 236 händelser") or \
        left_out_line(q, "sv", cli=False).startswith("1\u202f236 händelser")
    assert left_out_line(LocationQuality(points=3)) == ""


def test_evaluate_leaves_centroids_out_with_one_line_on_stderr(kommuner, tmp_path, capsys):
    import json

    from shapely.geometry import box

    lan = kommuner[kommuner["code"].str.startswith("03")]
    feed = _feed(gpd.GeoSeries(lan.geometry.centroid, crs=3006).to_crs(4326), 600)
    rng = np.random.default_rng(5)
    n = 200
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    real = pd.DataFrame({"datetime": days.strftime("%Y-%m-%d 10:00:00 +01:00"), "type": "Stöld", "location.name": "x",
                         "location.gps": [f"{59.86 + 0.001 * (i % 2):.6f},{17.64 + 0.02 * (i % 4 > 1):.6f}"
                                          for i in range(n)]})
    path = tmp_path / "events.csv"
    pd.concat([feed, real]).to_csv(path, index=False)
    gpd.GeoDataFrame(geometry=[box(17.63, 59.855, 17.65, 59.865)], crs=4326).to_file(tmp_path / "t.geojson")
    gpd.GeoDataFrame(geometry=[box(17.65, 59.855, 17.67, 59.865)], crs=4326).to_file(tmp_path / "c.geojson")
    argv = ["evaluate", str(path), "--target", str(tmp_path / "t.geojson"), "--control", str(tmp_path / "c.geojson"),
            "--intervention", "2024-07-01", "--before", "180", "--after", "180"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("note: 600 incidents at area centroids")
    assert captured.err.count("\n") == 1
    dropped = json.loads(captured.out)
    assert dropped["target_before"] + dropped["target_after"] > 80  # the real points in the target
    assert main([*argv, "--keep-centroids"]) == 0
    kept = capsys.readouterr()
    assert kept.err == ""
    assert json.loads(kept.out)["target_before"] == dropped["target_before"]  # no centroid lies in the target
