"""Scale arithmetic shared by the engine: the one bisection, the scales a plan samples, and the
headroom rule.

Demand never falls as the scale grows and prices are never negative, so "this stack no longer
fits", "this limit is exceeded" and "this move saves enough" are monotone in the scale: once true,
true at every larger unit. ``first_true`` finds the first unit where such a predicate holds, to
one unit, in log2(hi - lo) evaluations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..catalog.models import Limit
from ..metrics import METRICS

__all__ = ["first_true", "sample_scales", "usable_limit", "usable_cap", "headroom_applies", "busy_day_applies"]


def first_true(lo: int, hi: int, pred: Callable[[int], bool]) -> int:
    """The first unit in (lo, hi] where the monotone ``pred`` holds, given that it does not hold
    at ``lo`` and holds at ``hi`` (neither end is evaluated)."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid
    return hi


def sample_scales(
    first: int, last: int, stages: Iterable[int], boundaries: Iterable[int], samples: int
) -> list[int]:
    """The scales a cost chart samples: the ends, the stages, every phase boundary, and
    ``samples`` more spread geometrically (evenly when the range is under 4x)."""
    xs = {first, last}
    xs.update(s for s in stages if first <= s <= last)
    xs.update(boundaries)
    if last > first:
        ratio = last / max(first, 1)
        for k in range(samples + 1):
            t = k / samples
            u = first * ratio**t if ratio > 4 else first + (last - first) * t
            xs.add(int(round(u)))
    return sorted(x for x in xs if first <= x <= last)


def usable_limit(lim: Limit, headroom: float, busy_day_factor: float = 1.0) -> float:
    """The headroom rule, the one place it is written: a plan's hard limit may be used up to
    ``headroom`` x its maximum, except where the limit says the headroom does not apply to it or
    the metric is one that does not grow into a limit (metrics.py: ``headroom``). A daily cap is
    met on the busiest day, not the average one the workload computes: its usable part is further
    divided by ``busy_day_factor`` (limits.busy_day_factor)."""
    usable = headroom * lim.max if headroom_applies(lim) else lim.max
    return usable / busy_day_factor if busy_day_applies(lim) else usable


def busy_day_applies(lim: Limit) -> bool:
    """Whether a limit is a daily cap (the workload gives average days: a busy day breaks it)."""
    return lim.headroom and METRICS[lim.metric].headroom and METRICS[lim.metric].period == "day"


def headroom_applies(lim: Limit) -> bool:
    """Whether the headroom rule applies to this limit (see ``usable_limit``)."""
    return lim.headroom and METRICS[lim.metric].headroom


def usable_cap(cap_usd: float, headroom: float) -> float:
    """The same rule for an account's spend cap: the usage it may bill is headroom x the cap."""
    return headroom * cap_usd
