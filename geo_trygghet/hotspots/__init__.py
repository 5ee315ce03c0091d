"""Hot spots: H3 grid, Getis-Ord Gi* with FDR, hot-spot areas, emerging hot spots (space-time),
automatic scale, forecasts scored with PAI/PEI (:mod:`.forecast`), privacy, the explorer's view.

The names below load on first use, so that a command importing one module of the package (the
hot-spot command needs neither the space-time cube nor its statistics) starts fast.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

_API: dict[str, str] = {
    "EmergingResult": ".emerging", "emerging_hotspots": ".emerging",
    "GI_BIN_COLOURS": ".gistar", "HotSpotResult": ".gistar", "gi_bin_label": ".gistar", "gi_star": ".gistar",
    "hotspots": ".gistar", "hotspots_for_grid": ".gistar",
    "ScaleChoice": ".scale", "choose_resolution": ".scale",
}

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


def __getattr__(name: str) -> Any:
    if name in _API:
        value = getattr(importlib.import_module(_API[name], __name__), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from .emerging import EmergingResult, emerging_hotspots
    from .gistar import GI_BIN_COLOURS, HotSpotResult, gi_bin_label, gi_star, hotspots, hotspots_for_grid
    from .scale import ScaleChoice, choose_resolution


class _HotspotsPackage(types.ModuleType):
    """``geo_trygghet.hotspots`` is both this folder and the everyday function of the curated
    API (``gt.hotspots(incidents)``): once any submodule is imported, Python binds the attribute
    ``geo_trygghet.hotspots`` to this package, so the package itself calls :func:`hotspots`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from .gistar import hotspots as run

        return run(*args, **kwargs)


sys.modules[__name__].__class__ = _HotspotsPackage
