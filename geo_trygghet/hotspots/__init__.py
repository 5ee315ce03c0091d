"""Hot spots: H3 grid, Getis-Ord Gi* with FDR, hot-spot areas, privacy, the explorer's view."""

from .gistar import GI_BIN_COLOURS, HotSpotResult, gi_bin_label, gi_star, hotspots, hotspots_for_grid

__all__ = [
    "GI_BIN_COLOURS",
    "HotSpotResult",
    "gi_bin_label",
    "gi_star",
    "hotspots",
    "hotspots_for_grid",
]
