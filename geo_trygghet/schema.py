"""Canonical column names. Nothing else in the package spells these strings.

Incidents (what :mod:`geo_trygghet.ingest` returns, EPSG:4326)
    ``occurred_at``     datetime64[ns], naive local time (Sweden: Europe/Stockholm)
    ``time_resolution`` "minute", "day" or "month" (police.uk files give months only)
    ``crime_type``      the raw crime type / brottstyp text, or missing
    ``category``        Brå crime category slug (see :mod:`geo_trygghet.categories`)
    ``lon``, ``lat``    float64 WGS84 degrees (also the point geometry)
    ``source_row``      1-based row number in the input file (for messages)
    ``location_quality`` "point", "shared", "centroid" (an area's central point) or "place"
                        (geocoded only to a postort); see :mod:`geo_trygghet.ingest.location_quality`
    ``geocode_level``, ``geocode_score``, ``matched_address``  when read through an address register

Cells (the ``cells`` layer of the hot-spot GeoPackage, EPSG:4326)
    ``h3``, ``count``, ``gi_z``, ``gi_p`` (two-sided), ``gi_q`` (FDR-adjusted),
    ``gi_bin`` (-3..3), geometry = hexagon.

Clusters (the ``clusters`` layer)
    ``cluster_id``, ``count``, ``area_m2``, geometry = polygon.
"""

from __future__ import annotations

# incidents
OCCURRED_AT = "occurred_at"
TIME_RESOLUTION = "time_resolution"
CRIME_TYPE = "crime_type"
CATEGORY = "category"
LON = "lon"
LAT = "lat"
SOURCE_ROW = "source_row"
LOCATION_QUALITY = "location_quality"
INCIDENT_COLUMNS = (OCCURRED_AT, TIME_RESOLUTION, CRIME_TYPE, CATEGORY, LON, LAT, SOURCE_ROW, LOCATION_QUALITY)
GEOCODE_LEVEL = "geocode_level"
GEOCODE_SCORE = "geocode_score"
MATCHED_ADDRESS = "matched_address"

RESOLUTION_MINUTE = "minute"
RESOLUTION_DAY = "day"
RESOLUTION_MONTH = "month"

# cells
H3 = "h3"
COUNT = "count"
GI_Z = "gi_z"
GI_P = "gi_p"
GI_Q = "gi_q"
GI_BIN = "gi_bin"
CELL_COLUMNS = (H3, COUNT, GI_Z, GI_P, GI_Q, GI_BIN)

# clusters
CLUSTER_ID = "cluster_id"
AREA_M2 = "area_m2"
CLUSTER_COLUMNS = (CLUSTER_ID, COUNT, AREA_M2)

# GeoPackage layers
LAYER_CELLS = "cells"
LAYER_CLUSTERS = "clusters"
