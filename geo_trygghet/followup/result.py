"""The result of an effect follow-up: one :class:`EvaluationResult` made of small dataclasses.

The core keeps codes and numbers (a :class:`Verdict`, a WDQ code, notes as
:class:`Note` codes with their figures); the texts come from the label
catalogue (:mod:`geo_trygghet.followup.wording`), in Swedish or English.
:meth:`EvaluationResult.to_dict` flattens the result into the JSON object that
``geo-trygghet evaluate`` prints (the README's contract: the same keys, in the
same order, with ``reading_sv``/``reading_en`` and ``notes`` in English).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from .windows import Windows

NAN = math.nan

#: ``model_errors`` of the JSON: how the count models' intervals were computed.
MODEL_ERRORS = "quasi-likelihood (Pearson dispersion), t quantile"


class Verdict(StrEnum):
    """What the comparison says; the value is the JSON's ``verdict``, :attr:`code` the short code."""

    FELL = "fell"
    ROSE = "rose"
    UNCLEAR = "no clear change"
    TOO_FEW = "not enough incidents to say"

    @property
    def code(self) -> str:
        """``fell``, ``rose``, ``unclear`` or ``too_few``."""
        return self.name.lower()


@dataclass(frozen=True)
class Estimate:
    """An effect size with its 95 % interval and p-value (NaN where not computed)."""

    value: float = NAN
    ci_low: float = NAN
    ci_high: float = NAN
    p: float = NAN

    @property
    def ci(self) -> tuple[float, float]:
        return (self.ci_low, self.ci_high)

    @property
    def has_value(self) -> bool:
        return math.isfinite(self.value)

    @property
    def has_ci(self) -> bool:
        return math.isfinite(self.ci_low) and math.isfinite(self.ci_high)


@dataclass(frozen=True)
class Wdd:
    """Weighted displacement difference with its Poisson variance, z and two-sided p."""

    value: float = NAN
    variance: float = NAN
    z: float = NAN
    p: float = NAN


@dataclass(frozen=True)
class Note:
    """Something the reader should know about the computation: a code and its figures.

    The text is the catalogue's ``fu.note.<code>`` (``fr.note.<code>`` for fixed remarks).
    """

    code: str
    fields: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        from .wording import note_text

        return note_text(self, lang)


@dataclass(frozen=True)
class ControlCounts:
    """One control area on its own: its counts and its odds ratio against the target."""

    name: str
    before: int
    after: int
    odds_ratio: Estimate = Estimate()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "control_before": self.before,
            "control_after": self.after,
            "odds_ratio": self.odds_ratio.value,
            "odds_ratio_ci": list(self.odds_ratio.ci),
        }


@dataclass
class CountModels:
    """Incident rate ratios (IRR, below 1: crime fell) of the difference-in-differences count models.

    ``poisson`` and ``negbin`` have quasi-likelihood intervals (the verdict's
    kind); ``poisson_hc`` heteroskedasticity-robust ones; the ``*_cluster``
    intervals (cluster-robust by area) only with enough areas, for reference.
    """

    poisson: Estimate = Estimate()
    negbin: Estimate = Estimate()
    poisson_hc: Estimate = Estimate()
    poisson_cluster: Estimate | None = None
    negbin_cluster: Estimate | None = None
    negbin_alpha: float = NAN
    errors: str | None = None
    notes: list[Note] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for key, est in (("irr_poisson", self.poisson), ("irr_negbin", self.negbin)):
            d[key] = est.value
            d[key + "_ci"] = list(est.ci)
            d[key + "_p"] = est.p
        d["irr_poisson_hc_ci"] = list(self.poisson_hc.ci)
        if self.poisson_cluster is not None or self.negbin_cluster is not None:
            d["irr_poisson_cluster_ci"] = list((self.poisson_cluster or Estimate()).ci)
            d["irr_negbin_cluster_ci"] = list((self.negbin_cluster or Estimate()).ci)
        d["negbin_alpha"] = self.negbin_alpha
        d["model_errors"] = self.errors
        return d


@dataclass
class EvaluationResult:
    """Everything an effect follow-up computes. ``to_dict()`` is JSON-ready (NaN → null)."""

    windows: Windows
    target_before: int
    target_after: int
    control_before: int
    control_after: int
    buffer_before: int | None = None
    buffer_after: int | None = None
    #: Campbell odds ratio with the plain (Poisson) 95 % CI
    odds_ratio: Estimate = Estimate()
    ln_odds_ratio_se: float = NAN
    overdispersion: float = NAN
    overdispersion_df: int = 0
    #: the same odds ratio with the overdispersion-adjusted CI (the verdict's interval)
    odds_ratio_overdispersed: Estimate = Estimate()
    #: Haldane–Anscombe (+0.5) odds ratio, only when a count is 0
    odds_ratio_haldane: Estimate = Estimate()
    wdq: float = NAN
    #: how the WDQ reads (:data:`geo_trygghet.followup.effects.WDQ_CODES`), None without a buffer
    wdq_code: str | None = None
    wdd: Wdd = Wdd()
    models: CountModels = field(default_factory=CountModels)
    per_control: list[ControlCounts] = field(default_factory=list)
    time_resolution: str | None = None
    verdict: Verdict = Verdict.UNCLEAR
    notes: list[Note] = field(default_factory=list)
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def has_buffer(self) -> bool:
        return self.buffer_before is not None

    @property
    def assessed(self) -> Estimate:
        """The odds ratio and interval the verdict and the reading use.

        The overdispersion-adjusted interval when there is one, else the plain
        one, else (a count is 0) the Haldane-corrected estimate.
        """
        if self.odds_ratio_overdispersed.has_ci:
            return self.odds_ratio_overdispersed
        return self.odds_ratio if self.odds_ratio.has_value else self.odds_ratio_haldane

    def reading(self, lang: str = "sv") -> str:
        """The plain reading of the result in ``lang`` ("sv" or "en")."""
        from .wording import reading

        return reading(self, lang)

    def wdq_reading(self, lang: str = "sv") -> str | None:
        """How the WDQ reads in ``lang``, None without a buffer (or too few incidents)."""
        from .wording import wdq_reading

        return wdq_reading(self.wdq_code, lang)

    def note_texts(self, lang: str = "en") -> list[str]:
        return [note.text(lang) for note in self.notes]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``geo-trygghet evaluate`` (keys and order as the README documents)."""
        d: dict[str, Any] = {
            "target_before": self.target_before,
            "target_after": self.target_after,
            "control_before": self.control_before,
            "control_after": self.control_after,
        }
        if self.has_buffer:
            d["buffer_before"] = self.buffer_before
            d["buffer_after"] = self.buffer_after
        d["odds_ratio"] = self.odds_ratio.value
        d["odds_ratio_ci"] = list(self.odds_ratio.ci)
        d["ln_odds_ratio_se"] = self.ln_odds_ratio_se
        d["overdispersion"] = self.overdispersion
        d["overdispersion_df"] = self.overdispersion_df
        d["odds_ratio_ci_overdispersed"] = list(self.odds_ratio_overdispersed.ci)
        d["odds_ratio_haldane"] = self.odds_ratio_haldane.value
        d["odds_ratio_haldane_ci"] = list(self.odds_ratio_haldane.ci)
        if self.has_buffer:
            d["wdq"] = self.wdq
            d["wdq_reading"] = self.wdq_reading("en")
            d["wdq_reading_sv"] = self.wdq_reading("sv")
        d["wdd"] = self.wdd.value
        d["wdd_variance"] = self.wdd.variance
        d["wdd_z"] = self.wdd.z
        d["wdd_p"] = self.wdd.p
        d.update(self.models.to_dict())
        d["verdict"] = self.verdict.value
        d["reading_sv"] = self.reading("sv")
        d["reading_en"] = self.reading("en")
        d["time_resolution"] = self.time_resolution
        d["windows"] = self.windows.to_dict()
        d["per_control"] = [pc.to_dict() for pc in self.per_control]
        d["notes"] = self.note_texts("en")
        return jsonable(d)


def jsonable(obj: Any) -> Any:
    """``obj`` with tuples as lists, numpy numbers as Python ones and NaN/inf as None."""
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    return obj


__all__ = [
    "MODEL_ERRORS",
    "ControlCounts",
    "CountModels",
    "Estimate",
    "EvaluationResult",
    "Note",
    "Verdict",
    "Wdd",
    "jsonable",
]
