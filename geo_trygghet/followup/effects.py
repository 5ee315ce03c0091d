"""Effect sizes of a before/after comparison: odds ratio, overdispersion, WDQ and WDD.

a, b = target before/after; c, d = control before/after (several control
areas are added into one control group).

* Campbell odds ratio ``OR = (a·d)/(b·c)``; above 1 means crime fell in the
  target relative to control. 95 % CI ``exp(ln OR ± z·sqrt(1/a+1/b+1/c+1/d))``
  with ``z = Φ⁻¹(0.975)``.
* The same CI with an overdispersion adjustment (Farrington & Welsh): the
  variance is multiplied by a factor ``D`` estimated from the monthly counts,
  see :func:`overdispersion_factor`.
* WDQ (Bowers & Johnson 2003) and WDD (Wheeler & Ratcliffe 2018) when a
  buffer is given; :func:`wdq_code` says how a WDQ reads (the interfaces word
  the code through the label catalogue).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

Z975 = float(stats.norm.ppf(0.975))

#: |WDQ| below this reads as "little or no displacement or diffusion".
WDQ_NEGLIGIBLE = 0.1

#: How a WDQ reads, see :func:`wdq_code`.
WDQ_CODES = (
    "not_interpreted",
    "not_available",
    "negligible",
    "diffusion_more",
    "diffusion",
    "displacement_more",
    "displacement",
)


def odds_ratio(
    a: float,
    b: float,
    c: float,
    d: float,
    *,
    level: float = 0.95,
    variance_factor: float = 1.0,
    q: float | None = None,
) -> tuple[float, float, float, float]:
    """Campbell odds ratio ``(a·d)/(b·c)`` with its CI: ``(or, lo, hi, se_ln_or)``.

    ``se = sqrt(variance_factor · (1/a + 1/b + 1/c + 1/d))``; the interval is
    ``exp(ln OR ± q·se)`` with ``q = Φ⁻¹(1 - (1-level)/2)`` unless given.
    Returns NaNs when any count is 0.

    Examples
    --------
    >>> o, lo, hi, se = odds_ratio(100, 50, 100, 100)
    >>> round(o, 3), round(lo, 3), round(hi, 3)
    (2.0, 1.29, 3.1)
    """
    if min(a, b, c, d) <= 0:
        return (math.nan,) * 4
    if q is None:
        q = float(stats.norm.ppf(1 - (1 - level) / 2))
    o = (a * d) / (b * c)
    se = math.sqrt(variance_factor * (1 / a + 1 / b + 1 / c + 1 / d))
    return o, o * math.exp(-q * se), o * math.exp(q * se), se


def overdispersion_factor(series: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[float, int]:
    """Overdispersion factor ``D`` of monthly counts and its degrees of freedom.

    ``series`` holds, for each of the four cells of the 2×2 table (target
    before, target after, control before, control after), the monthly counts
    ``y_i`` and the months' exposures ``e_i`` (days). Under the Poisson model
    each cell has a constant rate, so the expected count of a month is
    ``μ_i = n·e_i/Σe`` with ``n = Σy`` the cell's total. The factor is the
    quasi-Poisson (Pearson) dispersion of all months of all four cells::

        D = max(1, Σ_cells Σ_i (y_i − μ_i)² / μ_i  /  (m − k))

    with m months in all and k non-empty cells. This is the ratio of the
    variance of the monthly counts to their mean (about 1 for Poisson counts)
    pooled over the before/after periods of target and control. Following
    Farrington & Welsh (2007, CCTV and street-lighting reviews), the
    overdispersion-adjusted variance is ``var(ln OR) = D·(1/a+1/b+1/c+1/d)``
    (they used the regression ``D = 0.0008·N + 1.2`` fitted to other studies'
    monthly counts; here D is estimated from this study's own months). D is
    not allowed below 1, so the adjusted CI is never narrower than the
    Poisson one. Seasonality within a window also raises D, which errs on the
    side of wider intervals. Returns ``(nan, 0)`` when there are no degrees
    of freedom.

    Examples
    --------
    >>> e = np.full(6, 30.0)
    >>> overdispersion_factor([(np.array([10, 10, 10, 10, 10, 10]), e)])
    (1.0, 5)
    >>> overdispersion_factor([(np.array([2, 18, 2, 18, 2, 18]), e)])
    (7.68, 5)
    """
    chi2 = 0.0
    m = 0
    k = 0
    for counts, exposure in series:
        y = np.asarray(counts, dtype=float)
        e = np.asarray(exposure, dtype=float)
        keep = e > 0
        y, e = y[keep], e[keep]
        n = y.sum()
        if len(y) == 0 or n <= 0:
            continue
        mu = n * e / e.sum()
        chi2 += float(((y - mu) ** 2 / mu).sum())
        m += len(y)
        k += 1
    df = m - k
    if df <= 0:
        return math.nan, 0
    return max(1.0, chi2 / df), df


def wdq(
    target_before: float,
    target_after: float,
    buffer_before: float,
    buffer_after: float,
    control_before: float,
    control_after: float,
) -> float:
    """Weighted displacement quotient (Bowers & Johnson 2003).

    ``WDQ = (Ba/Ca − Bb/Cb) / (Ta/Ca − Tb/Cb)``; the denominator (the success
    measure) must be negative, i.e. crime fell in the target relative to
    control, for the quotient to be read. WDQ > 0: diffusion of benefits to
    the buffer (> 1: larger in the buffer than in the target); WDQ < 0:
    displacement (< −1: more displaced than prevented); |WDQ| <
    :data:`WDQ_NEGLIGIBLE`: little or none.

    Examples
    --------
    >>> wdq(100, 50, 100, 150, 100, 100)
    -1.0
    """
    if min(control_before, control_after) <= 0:
        return math.nan
    den = target_after / control_after - target_before / control_before
    num = buffer_after / control_after - buffer_before / control_before
    if den == 0:
        return math.nan
    return num / den


def wdq_success(target_before: float, target_after: float, control_before: float, control_after: float) -> float:
    """The WDQ's success measure ``Ta/Ca − Tb/Cb`` (negative: crime fell in the target), NaN without controls."""
    if min(control_before, control_after) <= 0:
        return math.nan
    return target_after / control_after - target_before / control_before


def wdq_code(value: float, denominator: float) -> str:
    """How a WDQ value reads, given its success measure (one of :data:`WDQ_CODES`).

    Examples
    --------
    >>> wdq_code(0.5, -0.2), wdq_code(-1.5, -0.2), wdq_code(-0.5, 0.3)
    ('diffusion', 'displacement_more', 'not_interpreted')
    """
    if not math.isfinite(denominator) or denominator >= 0:
        return "not_interpreted"
    if not math.isfinite(value):
        return "not_available"
    if abs(value) < WDQ_NEGLIGIBLE:
        return "negligible"
    if value > 1:
        return "diffusion_more"
    if value > 0:
        return "diffusion"
    if value < -1:
        return "displacement_more"
    return "displacement"


def wdd(
    target_before: float,
    target_after: float,
    control_before: float,
    control_after: float,
    buffer_before: float | None = None,
    buffer_after: float | None = None,
    control_buffer_before: float | None = None,
    control_buffer_after: float | None = None,
) -> tuple[float, float, float, float]:
    """Weighted displacement difference (Wheeler & Ratcliffe 2018): ``(wdd, var, z, p)``.

    ``WDD = ΔT − ΔC + ΔD − ΔCD`` with Δ = after − before for target T,
    control C, displacement buffer D and the control's buffer CD (the buffer
    terms only when given). Negative WDD = crime fell. Poisson variance: the
    sum of all counts used; ``z = WDD / sqrt(var)``, p two-sided.

    Examples
    --------
    >>> w, v, z, p = wdd(100, 50, 100, 100)
    >>> w, v, round(z, 3)
    (-50, 350, -2.673)
    """
    w = (target_after - target_before) - (control_after - control_before)
    var = target_before + target_after + control_before + control_after
    if buffer_before is not None and buffer_after is not None:
        w += buffer_after - buffer_before
        var += buffer_before + buffer_after
    if control_buffer_before is not None and control_buffer_after is not None:
        w -= control_buffer_after - control_buffer_before
        var += control_buffer_before + control_buffer_after
    if var <= 0:
        return w, var, math.nan, math.nan
    z = w / math.sqrt(var)
    return w, var, z, float(2 * stats.norm.sf(abs(z)))


__all__ = [
    "WDQ_CODES",
    "WDQ_NEGLIGIBLE",
    "Z975",
    "odds_ratio",
    "overdispersion_factor",
    "wdd",
    "wdq",
    "wdq_code",
    "wdq_success",
]
