"""Follow-up (effektuppföljning): before/after against control areas, displacement,
fixed remarks as interventions.

One module per concern:

``areas``         target, controls and buffer as WGS84 geometries; points in them
``windows``       the before/after windows and monthly periods
``effects``       odds ratio, overdispersion, WDQ, WDD
``models``        Poisson and negative-binomial difference-in-differences
``result``        :class:`EvaluationResult` and its small dataclasses, ``to_dict()``
``before_after``  :func:`evaluate` and :func:`effect_from_monthly`
``wording``       the result in Swedish or English, from the label catalogue
``controls``      similarity of control areas and suggestions
``fixed_remarks`` every fixed remark as an intervention
``pooling``       DerSimonian–Laird pooling of the fixed remarks per category

>>> from geo_trygghet.followup import evaluate, circle_area                     # doctest: +SKIP
>>> res = evaluate(incidents, target=circle_area(13.0, 55.6, 150), controls=[...],
...                intervention="2024-01-01")                                   # doctest: +SKIP
>>> res.verdict, res.odds_ratio.value, res.reading("en")                         # doctest: +SKIP
"""

from .areas import AreaLike, area_from_h3, as_area, circle_area, read_area
from .before_after import MIN_INCIDENTS, effect_from_monthly, evaluate
from .controls import control_similarity, suggest_controls
from .effects import odds_ratio, overdispersion_factor, wdd, wdq
from .models import MIN_CLUSTERS, did_models
from .result import ControlCounts, CountModels, Estimate, EvaluationResult, Note, Verdict, Wdd
from .windows import Windows, make_windows, monthly_periods, parse_date

__all__ = [
    "MIN_CLUSTERS",
    "MIN_INCIDENTS",
    "AreaLike",
    "ControlCounts",
    "CountModels",
    "Estimate",
    "EvaluationResult",
    "Note",
    "Verdict",
    "Wdd",
    "control_similarity",
    "suggest_controls",
    "Windows",
    "area_from_h3",
    "as_area",
    "circle_area",
    "did_models",
    "effect_from_monthly",
    "evaluate",
    "make_windows",
    "monthly_periods",
    "odds_ratio",
    "overdispersion_factor",
    "parse_date",
    "read_area",
    "wdd",
    "wdq",
]
