"""Folium maps: a base map (scale bar in metres), hot-spot layers, the explorer's map and a
proposed walk (:mod:`.explorer`), and (in :mod:`.remarks`) numbered walk remarks.

No Streamlit here: functions take data and return or extend a ``folium.Map``.
"""

from .base import MetricScale, add_boundary, add_draw_control, finish_map, new_map
from .explorer import explorer_map, walk_plan_map
from .hotspots import add_cells_layer, add_clusters_layer, hotspot_map

__all__ = ["new_map", "add_boundary", "add_draw_control", "finish_map", "MetricScale",
           "add_cells_layer", "add_clusters_layer", "hotspot_map", "explorer_map", "walk_plan_map"]
