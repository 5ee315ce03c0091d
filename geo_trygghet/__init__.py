"""geo_trygghet: hot spots, trygghetsvandringar and effect follow-up for Swedish
municipalities' local crime-prevention work.

The everyday functions, importable from here (loaded on first use, so that
``import geo_trygghet`` and the command line start fast)::

    import geo_trygghet as gt
    inc = gt.read_incidents("sample_data/incidents.csv")
    res = gt.hotspots(inc.gdf, resolution=9)
    ev = gt.evaluate(inc.gdf, target=..., control=..., intervention="2024-01-01")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_API: dict[str, str] = {
    "read_incidents": "geo_trygghet.ingest",
    "incidents_from_frame": "geo_trygghet.ingest",
    "read_boundary": "geo_trygghet.ingest",
    "Incidents": "geo_trygghet.ingest",
    "geocode": "geo_trygghet.ingest.geocode",
    "read_register": "geo_trygghet.ingest.geocode",
    "hotspots": "geo_trygghet.hotspots",
    "HotSpotResult": "geo_trygghet.hotspots",
    "emerging_hotspots": "geo_trygghet.hotspots",
    "EmergingResult": "geo_trygghet.hotspots",
    "forecast": "geo_trygghet.hotspots.forecast",
    "ForecastResult": "geo_trygghet.hotspots.forecast",
    "evaluate": "geo_trygghet.followup",
    "EvaluationResult": "geo_trygghet.followup",
}

__all__ = [
    "EmergingResult",
    "EvaluationResult",
    "ForecastResult",
    "HotSpotResult",
    "Incidents",
    "__version__",
    "emerging_hotspots",
    "evaluate",
    "forecast",
    "geocode",
    "hotspots",
    "incidents_from_frame",
    "read_boundary",
    "read_incidents",
    "read_register",
]

if TYPE_CHECKING:  # pragma: no cover
    from .followup import EvaluationResult, evaluate
    from .hotspots import EmergingResult, HotSpotResult, emerging_hotspots, hotspots
    from .hotspots.forecast import ForecastResult, forecast
    from .ingest import Incidents, incidents_from_frame, read_boundary, read_incidents
    from .ingest.geocode import geocode, read_register


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        msg = f"module 'geo_trygghet' has no attribute '{name}'"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
