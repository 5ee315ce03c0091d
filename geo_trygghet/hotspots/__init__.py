"""Hot spots: H3 grid, Getis-Ord Gi* with FDR, hot-spot areas, emerging hot spots (space-time),
automatic scale, forecasts scored with PAI/PEI (:mod:`.forecast`), privacy, the explorer's view."""

import sys
import types
from typing import Any

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


class _HotspotsPackage(types.ModuleType):
    """``geo_trygghet.hotspots`` is both this folder and the everyday function of the curated
    API (``gt.hotspots(incidents)``): once any submodule is imported, Python binds the attribute
    ``geo_trygghet.hotspots`` to this package, so the package itself calls :func:`hotspots`."""

    def __call__(self, *args: Any, **kwargs: Any) -> HotSpotResult:
        return hotspots(*args, **kwargs)


sys.modules[__name__].__class__ = _HotspotsPackage
