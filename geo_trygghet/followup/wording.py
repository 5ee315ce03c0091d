"""The follow-up's results in words, Swedish or English, from the label catalogue.

The core keeps codes and numbers; this module words them with
:func:`geo_trygghet.i18n.text` (texts in ``i18n/catalogue/evaluation.toml``).
Ratios are written with two decimals and p-values with three, as the JSON's
``reading_sv``/``reading_en`` always had them (``1,62`` / ``1.62``, no
thousands separator).

Examples
--------
>>> wdq_reading("diffusion", "en")
'diffusion of benefits: crime also fell in the buffer'
>>> pooled_reading(k=3, odds_ratio=0.5, ci_low=0.3, ci_high=0.8, lang="en")
'Incidents near fixed remarks rose relative to the control locations (OR 0.50; 95 % CI 0.30–0.80; 3 remarks).'
"""

from __future__ import annotations

import math

from ..i18n import text
from ..i18n.formatting import localise
from .before_after import MIN_INCIDENTS
from .result import EvaluationResult, Note, Verdict

#: Catalogue keys of the main sentence per verdict (too few has its own, with the counts).
VERDICT_KEYS = {
    Verdict.FELL: "fu.reading.fell",
    Verdict.ROSE: "fu.reading.rose",
    Verdict.UNCLEAR: "fu.reading.unclear",
}

#: Catalogue keys of the WDQ readings (:data:`geo_trygghet.followup.effects.WDQ_CODES`).
WDQ_KEYS = {
    "not_interpreted": "fu.wdq.not_interpreted",
    "not_available": "fu.wdq.not_available",
    "negligible": "fu.wdq.negligible",
    "diffusion_more": "fu.wdq.diffusion_more",
    "diffusion": "fu.wdq.diffusion",
    "displacement_more": "fu.wdq.displacement_more",
    "displacement": "fu.wdq.displacement",
}

#: Catalogue keys of the notes of :func:`evaluate` and :func:`remark_effects`.
NOTE_KEYS = {
    "month_resolution": "fu.note.month_resolution",
    "too_few": "fu.note.too_few",
    "no_overdispersion": "fu.note.no_overdispersion",
    "zero_count": "fu.note.zero_count",
    "cluster_reference": "fu.note.cluster_reference",
    "poisson_failed": "fu.note.poisson_failed",
    "negbin_failed": "fu.note.negbin_failed",
    "buffer_cut": "fu.note.buffer_cut",
    "control_overlaps_buffer": "fu.note.control_overlaps_buffer",
    "no_dates": "fu.note.no_dates",
    "before_uncovered": "fu.note.before_uncovered",
    "after_uncovered": "fu.note.after_uncovered",
    "hours_without_time": "fr.note.hours_without_time",
    "zero_count_remarks": "fr.note.zero_count_remarks",
    "nothing_to_evaluate": "fr.note.nothing_to_evaluate",
}

#: Catalogue keys of the pooled reading per verdict code of a category of fixed remarks.
POOLED_KEYS = {
    "fell": "fr.reading.fell",
    "rose": "fr.reading.rose",
    "unclear": "fr.reading.unclear",
    "too_few": "fr.reading.too_few",
}


def ratio(x: float, lang: str, decimals: int = 2) -> str:
    """A ratio or p-value with fixed decimals, the language's way (``1,62`` / ``1.62``; no grouping)."""
    return localise(f"{x:.{decimals}f}", lang)


def note_text(note: Note, lang: str = "en") -> str:
    """The text of a note (English in the JSON, the interface's language in the app and reports)."""
    key = NOTE_KEYS.get(note.code)
    return text(key, lang, **note.fields) if key else note.code


def wdq_reading(code: str | None, lang: str = "sv") -> str | None:
    """How a WDQ reads (None for no code: no buffer, or too few incidents)."""
    return text(WDQ_KEYS[code], lang) if code else None


def _interval(res: EvaluationResult, lang: str) -> str:
    est = res.assessed
    label = text("fu.reading.label_or" if res.odds_ratio.has_value else "fu.reading.label_haldane", lang)
    return text(
        "fu.reading.ci",
        lang,
        label=label,
        value=ratio(est.value, lang),
        low=ratio(est.ci_low, lang),
        high=ratio(est.ci_high, lang),
    )


def _buffer_sentence(res: EvaluationResult, lang: str) -> str | None:
    """What the buffer says; read only after a certain fall in the target."""
    if not res.has_buffer or not res.wdq_code:
        return None
    if res.verdict != Verdict.FELL:
        # nothing certain to displace: the buffer's numbers are not read as a finding
        return text("fu.reading.buffer_not_read", lang)
    wdq = wdq_reading(res.wdq_code, lang)
    if math.isfinite(res.wdd.p) and res.wdd.p >= 0.05:  # the buffer's change itself is uncertain
        return text("fu.reading.buffer_uncertain", lang, wdq=wdq, p=ratio(res.wdd.p, lang, 3))
    return text("fu.reading.buffer", lang, wdq=wdq)


def reading(res: EvaluationResult, lang: str = "sv") -> str:
    """The plain reading of an :class:`EvaluationResult`: the verdict with its interval, then the buffer."""
    if res.verdict == Verdict.TOO_FEW:
        return text(
            "fu.reading.too_few",
            lang,
            target=res.target_before + res.target_after,
            control=res.control_before + res.control_after,
            minimum=MIN_INCIDENTS,
        )
    sentence = text(VERDICT_KEYS[res.verdict], lang, ci=_interval(res, lang))
    buffer = _buffer_sentence(res, lang)
    return f"{sentence} {buffer}" if buffer else sentence


def pooled_reading(*, k: int, odds_ratio: float, ci_low: float, ci_high: float, lang: str = "sv") -> str:
    """The reading of the pooled estimate of one category of fixed remarks."""
    code = pooled_verdict(k=k, ci_low=ci_low, ci_high=ci_high)
    if code == "too_few":
        return text(POOLED_KEYS[code], lang)
    ci = text(
        "fr.reading.ci", lang, value=ratio(odds_ratio, lang), low=ratio(ci_low, lang), high=ratio(ci_high, lang), k=k
    )
    return text(POOLED_KEYS[code], lang, ci=ci)


def pooled_verdict(*, k: int, ci_low: float, ci_high: float) -> str:
    """``fell``, ``rose``, ``unclear`` or ``too_few`` (no remark with an estimate) for a pooled estimate."""
    if not k:
        return "too_few"
    if ci_low > 1:
        return "fell"
    if ci_high < 1:
        return "rose"
    return "unclear"


__all__ = [
    "NOTE_KEYS",
    "POOLED_KEYS",
    "VERDICT_KEYS",
    "WDQ_KEYS",
    "note_text",
    "pooled_reading",
    "pooled_verdict",
    "ratio",
    "reading",
    "wdq_reading",
]
