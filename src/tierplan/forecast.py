"""When each limit of the plan will be reached, from the measured history (pure functions).

Per series (a component's metric over time): a straight line and an exponential are fitted by least
squares (the exponential on the logarithm of the values, so it needs them all positive); the one
with the smaller squared error on the measured values themselves is kept (equal: the line). A
prediction interval around it (Student's t, ``LEVEL``) gives the earliest and the latest date the
series may cross a threshold: the earliest where the upper bound crosses, the latest where the lower
bound does. Where the measurements fit the other model nearly as well (Akaike weight above 5%),
the interval spans both models' intervals: a line and an exponential that agree on the past part
ways ahead, and the data cannot tell which one the app follows. Two measurements fit any line
exactly and leave no spread to estimate, so they give a date without an interval.

The triggers forecast are those of the plan's current phase (the phase holding the app's latest
measured scale): every limit its stack watches (phases' LimitWatch), at the threshold the plan
itself moves at (headroom x limit). A measured figure per day stands for one per month (x 365/12)
and the other way round.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .metrics import DAYS_PER_MONTH, SECONDS_PER_DAY

__all__ = ["Fit", "fit_series", "Eta", "eta", "LEVEL", "HORIZON_DAYS", "series_for", "figure_as"]

#: two-sided level of the prediction interval
LEVEL = 0.9
#: how far ahead a crossing is looked for (24 months)
HORIZON_DAYS = 730.0
#: the other model stays plausible while its Akaike criterion is within this of the best's (its
#: Akaike weight is then above 5%: 2 ln 19)
PLAUSIBLE_AIC_GAP = 2 * math.log(19)

Model = Literal["linear", "exponential"]


@dataclass(frozen=True)
class Fit:
    """y = a + b t (linear) or ln y = a + b t (exponential), t in days since ``t0``."""

    model: Model
    a: float
    b: float
    t0: dt.datetime
    n: int
    #: residual standard error in the fitted space; None with two points (no spread to estimate)
    s: float | None
    t_mean: float
    sxx: float
    #: squared error on the measured values
    sse: float
    #: the other model, when the measurements fit it nearly as well (its interval widens this one's)
    other: Fit | None = None

    def days(self, at: dt.datetime) -> float:
        return (at - self.t0).total_seconds() / SECONDS_PER_DAY

    def at_days(self, t: float) -> dt.datetime:
        return self.t0 + dt.timedelta(days=t)

    def _out(self, z: float) -> float:
        return math.exp(min(z, 700.0)) if self.model == "exponential" else z

    def value(self, t: float) -> float:
        return self._out(self.a + self.b * t)

    def bounds(self, t: float) -> tuple[float, float] | None:
        """The prediction interval of one new measurement at day t, or None without spread."""
        if self.s is None:
            return None
        from scipy.stats import t as student

        q = float(student.ppf(0.5 + LEVEL / 2, self.n - 2))
        half = q * self.s * math.sqrt(1 + 1 / self.n + (t - self.t_mean) ** 2 / self.sxx)
        z = self.a + self.b * t
        return self._out(z - half), self._out(z + half)


def _least_squares(ts: list[float], ys: list[float]) -> tuple[float, float, float, float]:
    n = len(ts)
    tm = sum(ts) / n
    ym = sum(ys) / n
    sxx = sum((t - tm) ** 2 for t in ts)
    b = sum((t - tm) * (y - ym) for t, y in zip(ts, ys, strict=True)) / sxx
    return ym - b * tm, b, tm, sxx


def fit_series(points: list[tuple[dt.datetime, float]]) -> Fit | None:
    """The better of a line and an exponential through ``points``; None with fewer than two
    distinct times."""
    pts = sorted(points)
    if len({p[0] for p in pts}) < 2:
        return None
    t0 = pts[0][0]
    ts = [(p[0] - t0).total_seconds() / SECONDS_PER_DAY for p in pts]
    ys = [p[1] for p in pts]
    n = len(pts)
    fits: list[Fit] = []
    models: tuple[Model, ...] = ("linear", "exponential")
    for model in models:
        if model == "exponential" and min(ys) <= 0:
            continue
        zs = ys if model == "linear" else [math.log(y) for y in ys]
        a, b, tm, sxx = _least_squares(ts, zs)
        resid = [z - (a + b * t) for t, z in zip(ts, zs, strict=True)]
        s = math.sqrt(sum(r * r for r in resid) / (n - 2)) if n > 2 else None
        f = Fit(model, a, b, t0, n, s, tm, sxx, 0.0)
        sse = sum((y - f.value(t)) ** 2 for t, y in zip(ts, ys, strict=True))
        fits.append(dataclasses.replace(f, sse=sse))
    # the smaller error on the values; a relative margin keeps the line where both fit as well
    best, other = fits[0], (fits[1] if len(fits) > 1 else None)
    if other is not None and other.sse < best.sse * (1 - 1e-9) - 1e-12:
        best, other = other, best
    if other is not None and best.s is not None and _aic_gap(best, other) < PLAUSIBLE_AIC_GAP:
        # the data cannot tell the two apart: the interval spans both (they part ways ahead)
        return dataclasses.replace(best, other=other)
    return best


def _aic_gap(best: Fit, other: Fit) -> float:
    """How much worse ``other`` explains the values (Akaike's criterion, equal parameters)."""
    if best.sse <= 0:
        return math.inf if other.sse > 0 else 0.0
    return best.n * math.log(other.sse / best.sse)


@dataclass(frozen=True)
class Eta:
    """When a series reaches a threshold: ``at`` (the fit), ``low`` / ``high`` (the interval's
    earliest and latest); None where not within the horizon (or, for low/high, not estimable)."""

    at: dt.datetime | None
    low: dt.datetime | None
    high: dt.datetime | None
    reached: bool


def _first_crossing(start: float, end: float, above: Callable[[float], bool]) -> float | None:
    """The first day in [start, end] where ``above(t)`` holds (a daily scan, then bisection to
    the minute); None when it never does."""
    step = 1.0
    t = start
    prev = start
    if above(start):
        return start
    while t < end:
        t = min(t + step, end)
        if above(t):
            lo, hi = prev, t
            while hi - lo > 1 / 1440:
                mid = (lo + hi) / 2
                if above(mid):
                    hi = mid
                else:
                    lo = mid
            return hi
        prev = t
    return None


def eta(f: Fit, threshold: float, last: dt.datetime, current: float, horizon_days: float = HORIZON_DAYS) -> Eta:
    """When the series fitted by ``f`` reaches ``threshold``, looking from ``last`` (its latest
    measurement, ``current``) up to ``horizon_days`` ahead."""
    if current >= threshold:
        return Eta(last, last, last, True)
    start = f.days(last)
    end = start + horizon_days

    def central(t: float) -> bool:
        return f.value(t) >= threshold

    fits = [f] if f.other is None else [f, f.other]

    def upper(t: float) -> bool:
        return any((b := g.bounds(t)) is not None and b[1] >= threshold for g in fits)

    def lower(t: float) -> bool:
        return all((b := g.bounds(t)) is not None and b[0] >= threshold for g in fits)

    at = _first_crossing(start, end, central)
    if f.s is None:
        return Eta(None if at is None else f.at_days(at), None, None, False)
    low = _first_crossing(start, end, upper)
    high = _first_crossing(start, end, lower)
    return Eta(
        None if at is None else f.at_days(at),
        None if low is None else f.at_days(low),
        None if high is None else f.at_days(high),
        False,
    )


def _twins(metric: str) -> list[tuple[str, float]]:
    """The figure itself, then its per-day / per-month twin with the factor that converts it."""
    out = [(metric, 1.0)]
    if metric.endswith("_per_month"):
        out.append((metric[: -len("_per_month")] + "_per_day", DAYS_PER_MONTH))
    elif metric.endswith("_per_day"):
        out.append((metric[: -len("_per_day")] + "_per_month", 1 / DAYS_PER_MONTH))
    return out


def figure_as(figures: dict[str, float], metric: str) -> float | None:
    """``metric`` from ``figures``: itself, or its per-day / per-month twin converted."""
    for name, factor in _twins(metric):
        if name in figures:
            return figures[name] * factor
    return None


def series_for(
    figures_over_time: list[tuple[dt.datetime, dict[str, float]]], metric: str
) -> tuple[str, list[tuple[dt.datetime, float]]] | None:
    """The measured series that stands for ``metric`` (itself, or its per-day / per-month twin
    converted), and the name measured; None when nothing was."""
    for name, factor in _twins(metric):
        pts = [(at, figs[name] * factor) for at, figs in figures_over_time if name in figs]
        if pts:
            return name, pts
    return None
