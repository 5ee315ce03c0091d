"""Hot spots: H3 grid, Getis-Ord Gi* with FDR, hot-spot areas, emerging hot spots (space-time),
automatic scale, forecasts scored with PAI/PEI (:mod:`.forecast`), privacy, the explorer's view."""

from .emerging import EmergingResult, emerging_hotspots
from .gistar import GI_BIN_COLOURS, HotSpotResult, gi_bin_label, gi_star, hotspots, hotspots_for_grid
from .scale import ScaleChoice, choose_resolution

__all__ = [
    "GI_BIN_COLOURS",
    "EmergingResult",
    "HotSpotResult",
    "ScaleChoice",
    "choose_resolution",
    "emerging_hotspots",
    "gi_bin_label",
    "gi_star",
    "hotspots",
    "hotspots_for_grid",
]
