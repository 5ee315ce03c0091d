"""Follow-up (effektuppföljning): before/after against control areas, displacement,
fixed remarks as interventions."""

from .evaluation import EvaluationResult, evaluate

__all__ = ["EvaluationResult", "evaluate"]
