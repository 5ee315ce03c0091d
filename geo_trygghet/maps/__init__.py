"""Folium maps: a base map, hot-spot layers and (in :mod:`.remarks`) numbered walk remarks.

No Streamlit here: functions take data and return or extend a ``folium.Map``.
"""

from .base import add_boundary, add_draw_control, finish_map, legend_html, new_map
from .hotspots import add_cells_layer, add_clusters_layer, hotspot_map

__all__ = ["new_map", "add_boundary", "add_draw_control", "finish_map", "legend_html", "add_cells_layer",
           "add_clusters_layer", "hotspot_map"]
