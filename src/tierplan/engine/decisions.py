"""Decision scales of the whole-stack plan: where it looks for a move, where it solves the
fresh-start optimum up front, and the decision scales it can pass over without solving anything.

A profile may list many stages (a long growth curve written out stage by stage). Every stage stays
a decision scale, but the fresh-start optimum (a MILP) is solved up front only at
``MAX_OPTIMUM_POINTS`` of them (all of them when there are no more): the report's ``points``.
At the others the plan passes over *quiet* stages, where its stack still fits and no move can pay,
in blocks (``quiet_until``): both are monotone in the scale, so a block is quiet when its last
stage's bill, less the optimum solved at or below its first stage, is under the least saving any
move must reach there. Where that does not prove it, the optimum is solved at the stage itself
and the plan decides exactly as it would have with every stage solved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .planner import Planner
from .scale import first_true

if TYPE_CHECKING:  # pragma: no cover
    from .moves import CoupledState
    from .whole_stack import Solution

__all__ = [
    "MAX_OPTIMUM_POINTS",
    "decision_scales",
    "chart_scales",
    "min_saving",
    "floors_valid",
    "quiet_until",
]

#: decision scales where the fresh-start optimum is solved up front, at most (the rest: when needed)
MAX_OPTIMUM_POINTS = 32


def decision_scales(planner: Planner, first: int, last: int, samples: int) -> list[int]:
    """The stages (or months of the growth curve, at most 13 of them), the units where a
    requirement starts (and the unit before), and with fewer than 4 stages a short grid."""
    p = planner.profile
    cands = {first, last}
    cands.update(s for s in (p.scale.stages or []) if first <= s <= last)
    r = p.requirements
    for x in (
        r.zero_downtime_from,
        r.high_availability_from,
        r.database_failover_from,
        r.no_cold_starts_from,
        r.backups_from,
    ):
        if x is not None:
            cands.update(v for v in (x - 1, x) if first <= v <= last)
    g = p.scale.growth
    if g is not None:
        from ..profile import units_at_month

        step = max(1, g.horizon_months // 12)
        for month in [*range(0, g.horizon_months + 1, step), g.horizon_months]:
            cands.add(min(last, max(first, int(round(units_at_month(g, month))))))
    elif last > first and len(p.scale.stages or []) < 4:
        ratio = last / max(first, 1)
        for k in range(samples + 1):
            t = k / samples
            cands.add(int(round(first * ratio**t if ratio > 4 else first + (last - first) * t)))
    return sorted(x for x in cands if first <= x <= last)


def chart_scales(pts: list[int]) -> list[int]:
    """The decision scales where the optimum is solved up front: all of them when there are at
    most MAX_OPTIMUM_POINTS, else that many spread evenly over them (the first and last included)."""
    n = MAX_OPTIMUM_POINTS
    if len(pts) <= n:
        return list(pts)
    step = (len(pts) - 1) / (n - 1)
    return sorted({pts[round(i * step)] for i in range(n)})


def min_saving(planner: Planner, monthly_usd: float) -> float:
    """The least monthly saving worth a voluntary move from a stack that costs ``monthly_usd``:
    migration.min_saving_usd_month, and min_saving_fraction of the bill."""
    m = planner.profile.migration
    return max(m.min_saving_usd_month, m.min_saving_fraction * monthly_usd)


def floors_valid(planner: Planner) -> bool:
    """Whether the optimum solved at a scale is a lower bound on what every stack the plan can move
    to costs at any larger scale: the optimum's cost never falls (a stack that fits at a scale fits
    below it and costs no more there) as long as the problem's rules are the same at every scale
    and its objective is the bill. Not with a bonus for preferred providers (the objective is then
    not the bill) or a default latency limit (the best achievable latency plus a slack: it may
    loosen as options stop fitting)."""
    from .whole_stack import call_graph

    r = planner.profile.requirements
    if r.providers.prefer and r.providers.prefer_bonus_usd_month > 0:
        return False
    return r.max_latency_ms is not None or not call_graph(planner)


def quiet_until(st: CoupledState, cur: Solution, pts: list[int], i: int) -> int:
    """The first index j >= i of a decision scale the plan must look at from stack ``cur``: at
    ``pts[i:j]`` the stack fits and no voluntary move can pay (``_voluntary`` there would return
    nothing). ``i`` itself when the shortcut does not apply (``floors_valid``).

    Fitting is monotone, so the stages where ``cur`` fits are found by one bisection. No move from
    ``cur`` saves more than its bill less the optimum (solved at or below the scale), and every move
    must save at least the cheapest move's cost over the payback period and the minimum saving: a
    block of stages is quiet when that holds with the bill at its last stage, the optimum at or
    below its first and the minimum saving at its first. A stage that is not proven quiet gets its
    optimum solved (as every decision scale is when there are few) and is tested again."""
    planner = st.planner
    n = len(pts)
    payback = planner.profile.migration.payback_months
    if i >= n or payback <= 0 or not floors_valid(planner):
        return i
    if st.fixed(cur, pts[-1]) is not None:
        end = n
    elif st.fixed(cur, pts[i]) is None:
        return i
    else:
        end = first_true(i, n - 1, lambda k: st.fixed(cur, pts[k]) is None)
    least = st.cheapest_move_usd() / payback

    def floor(u: int) -> float:
        return max((s.objective for v, s in st.solutions.items() if v <= u), default=0.0)

    def quiet(a: int, b: int) -> bool:
        """Every decision scale in pts[a..b] is quiet (the bill and the floor only grow)."""
        now = st.cost(cur, pts[b])
        return now - floor(pts[a]) < max(least, min_saving(planner, st.cost(cur, pts[a]))) - 1e-9

    def first_loud(a: int, b: int) -> int | None:
        if quiet(a, b):
            return None
        if a == b:
            return a
        mid = (a + b) // 2
        left = first_loud(a, mid)
        return left if left is not None else first_loud(mid + 1, b)

    k = i
    while k < end:
        j = first_loud(k, end - 1)
        if j is None:
            return end
        if pts[j] in st.solutions:
            return j
        st.solution(pts[j])
        if not quiet(j, j):
            return j
        k = j + 1
    return end
