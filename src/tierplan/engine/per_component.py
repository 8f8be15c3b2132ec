"""Growth phases: sweep the scale and find, exactly, where the optimal stack changes.

A phase is a maximal range of scale (whole units) over which the optimal choice of every
component stays the same. Boundaries are found per component by interval bisection with a
proof rule, not by sampling:

An interval [lo, hi] on which the option c is optimal at both ends is *proven* (c optimal at
every unit inside) when, for every other option d, one of these holds:

1. d does not fit at lo: it cannot fit anywhere after (demand only grows);
2. cost_d(lo) > cost_c(hi) (or equal with c ranked first): costs only grow, so d never wins;
3. both c and d are affine on [lo, hi] (same instance counts, same tiers, same requirement set
   and demand regime at both ends) and cost_d - cost_c is at least one ranking unit at both ends
   (or >= 0 when c wins ties): an affine difference is then at least that in between.

Costs are ranked rounded to 1e-9 dollars (float noise is a tie that the static rank decides);
rounding is monotone, so rules 1 and 2 are unaffected.

Otherwise the interval is split in two. Intervals of length 1 are settled by evaluating both
ends. The assumptions behind the proof (demand nondecreasing in scale, costs nondecreasing in
demand, fits monotone) hold for every pricing primitive of the catalog; tests check the result
against evaluating every unit.
"""

from __future__ import annotations

import math

from ..pricing import Evaluation
from .planner import RANK_UNIT, Planner, StackPoint, cents, rank
from .result import Phase, Plan, StackDoesNotFit, Trigger
from .scale import first_true, sample_scales
from .triggers import newly_required, phase_events, reason_trigger, watch_limits

__all__ = ["per_component_analysis", "component_segments"]


# --------------------------------------------------------------------------- per component
def _affine_sig(planner: Planner, comp: str, u: int) -> tuple[object, ...]:
    d = planner.demand(u)
    linear_growth = (
        planner.profile.scale.growth is not None and planner.profile.scale.growth.monthly_added is not None
    )
    ctx = planner.context(u)
    return (d.components[comp].regime, ctx, "nonaffine" if linear_growth else "")


def _proven(planner: Planner, comp: str, lo: int, hi: int) -> bool:
    c_lo, c_hi = planner.best(comp, lo), planner.best(comp, hi)
    if c_lo is None or c_hi is None or c_lo.option.order != c_hi.option.order:
        return False
    ci = c_lo.option.order
    c_hi_key = rank(c_hi)
    affine_ok = (
        _affine_sig(planner, comp, lo) == _affine_sig(planner, comp, hi) and c_lo.signature == c_hi.signature
    )
    for lb, i in planner.by_lower_bound(comp, lo):
        if lb == math.inf or (cents(lb), i) > c_hi_key:
            break  # rule 1 (did not fit at or below lo) or rule 2 on a lower bound of cost_d(lo), for all the rest
        if i == ci:
            continue
        d_lo = planner.evaluate_one(comp, i, lo)
        if not d_lo.feasible or d_lo.monthly_usd is None:
            continue  # rule 1 (or unpriced: never ranked)
        if rank(d_lo) > c_hi_key:
            continue  # rule 2
        if not affine_ok:
            return False
        d_hi = planner.evaluate_one(comp, i, hi)
        if d_hi.feasible and d_hi.monthly_usd is not None and d_lo.signature == d_hi.signature:
            # rule 3: g = cost_d - cost_c is affine on [lo, hi]; costs are ranked in cents
            assert c_lo.monthly_usd is not None and c_hi.monthly_usd is not None
            g_lo = d_lo.monthly_usd - c_lo.monthly_usd
            g_hi = d_hi.monthly_usd - c_hi.monthly_usd
            u = RANK_UNIT
            if (g_lo >= u and g_hi >= u) or (i > ci and g_lo >= -u / 2 and g_hi >= -u / 2):
                continue
        return False
    return True


def component_segments(planner: Planner, comp: str, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """[(start, end, option order)] covering [lo, hi], each end inclusive, adjacent merged."""
    out: list[tuple[int, int, int]] = []
    stack = [(lo, hi)]
    # depth-first, left to right
    while stack:
        a, b = stack.pop()
        ea, eb = planner.best(comp, a), planner.best(comp, b)
        if ea is None:
            raise planner.infeasible(comp, a)
        if eb is None:
            # the first infeasible unit, exactly (feasibility of "some option fits" is monotone)
            raise planner.infeasible(comp, first_true(a, b, lambda m: planner.best(comp, m) is None))
        if a == b or _proven(planner, comp, a, b):
            _append(out, (a, b, ea.option.order))
            continue
        if b - a == 1:
            _append(out, (a, a, ea.option.order))
            _append(out, (b, b, eb.option.order))
            continue
        m = (a + b) // 2
        stack.append((m, b))
        stack.append((a, m))
    return out


def _append(out: list[tuple[int, int, int]], seg: tuple[int, int, int]) -> None:
    if out:
        s, e, k = out[-1]
        if k == seg[2] and seg[0] <= e + 1:
            out[-1] = (s, max(e, seg[1]), k)
            return
        if seg[0] <= e:  # overlapping endpoint: it belongs to the previous segment
            seg = (e + 1, seg[1], seg[2])
            if seg[0] > seg[1]:
                return
    out.append(seg)


# --------------------------------------------------------------------------- the analysis
def per_component_analysis(
    planner: Planner, first: int | None = None, last: int | None = None, samples: int = 48
) -> Plan:
    """Each component chosen on its own at every unit, with every boundary exact to one unit: an
    analysis of where each component's own optimum changes (no moves, no migration costs, no
    coupling), not a plan to follow (`tierplan plan --per-component`)."""
    p = planner.profile
    first = p.scale.first if first is None else first
    last = p.scale.last if last is None else last
    if last < first:
        last = first
    for comp in p.components:  # fail early, with the component's reasons
        if planner.best(comp, first) is None:
            raise planner.infeasible(comp, first)
    segs = {c: component_segments(planner, c, first, last) for c in p.components}
    starts = sorted({s for ss in segs.values() for s, _, _ in ss})
    phases: list[Phase] = []
    for i, s in enumerate(starts):
        e = starts[i + 1] - 1 if i + 1 < len(starts) else last
        ph = Phase(
            s,
            e if i + 1 < len(starts) else None,
            e,
            planner.point(s),
            planner.point(e, alternatives=3),
        )
        phases.append(ph)
    for i, ph in enumerate(phases[:-1]):
        ph.triggers = _triggers(planner, ph, phases[i + 1])
    for ph in phases:
        ph.watch = watch_limits(planner, ph, last)

    def price(u: int) -> StackPoint:
        ph = next((x for x in phases if x.contains(u)), phases[0])  # below the first unit: the first
        pt = planner.point_with(u, {c: e.option.order for c, e in ph.stack_start.choices.items()})
        if any(not e.feasible or e.monthly_usd is None for e in pt.choices.values()):
            raise StackDoesNotFit(f"the stack does not fit at {u:,}")
        return pt

    for ph in phases:
        orders = {c: e.option.order for c, e in ph.stack_start.choices.items()}

        def item(comp: str, u: int, orders: dict[str, int] = orders) -> Evaluation:
            """The phase's option of ``comp`` at u (it fits all through its proven phase)."""
            return planner.evaluate_one(comp, orders[comp], u)

        ph.events = phase_events(planner, ph, item, p.scale.unit)
    bounds = [x for ph in phases for x in (ph.start, ph.last_scale)]
    points = [price(u) for u in sample_scales(first, last, p.scale.stages or [], bounds, samples)]
    return Plan(first, last, phases, points, points, planner.evaluations_done, 0, True, price)


def _triggers(planner: Planner, ph: Phase, nxt: Phase) -> list[Trigger]:
    """Why the stack changes between ph.end and nxt.start: for each component whose option changes,
    the old option's reasons for not fitting at nxt.start, or the cheaper option that replaces it."""
    at = nxt.start
    month = planner.month_of(at)
    out: list[Trigger] = []
    required = newly_required(planner, at)
    for comp in planner.profile.components:
        old = ph.stack_end.choices[comp]
        new = nxt.stack_start.choices[comp]
        if old.option.order == new.option.order:
            continue
        e_next = planner.evaluate_one(comp, old.option.order, at)
        if not e_next.feasible:
            for rs in e_next.reasons:
                out.append(reason_trigger(comp, rs, at, month, old, new))
            continue
        a, b = _usd_pair(new.monthly_usd, e_next.monthly_usd)
        why = ""
        if (
            required
            and (e_next.monthly_usd or 0) > (old.monthly_usd or 0) + 1e-9
            and e_next.running_hours > old.running_hours
        ):
            why = f" ({'; '.join(required)}: it must now run all month)"
        out.append(
            Trigger(
                comp,
                "monthly_usd",
                e_next.monthly_usd,
                new.monthly_usd,
                at,
                f"{new.option.label} ({a}) becomes cheaper than {old.option.label} ({b}){why}",
                "cheaper",
                month,
            )
        )
    return out


def _usd_pair(a: float | None, b: float | None) -> tuple[str, str]:
    """Format two prices so that they differ visibly (more decimals when cents are equal)."""
    a, b = a or 0.0, b or 0.0
    nd = 2 if f"{a:.2f}" != f"{b:.2f}" else 4
    return f"${a:,.{nd}f}", f"${b:,.{nd}f}"


