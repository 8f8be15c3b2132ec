"""Phases of the whole-stack plan: the optimal coupled stack along the scale, and when to move.

1. Decision scales: the stages (or, with a growth curve, the months, at most 13 of them), the
   requirement thresholds and a short geometric grid. The whole-stack optimum (a MILP,
   whole_stack.py) is solved at each, and again wherever a forced move happens.
2. The plan keeps a stack until it must move or a move pays for itself:
   * a *forced* move happens at the first unit where the current stack no longer fits (found
     exactly by bisection: fitting is monotone in scale);
   * a *voluntary* move to a cheaper stack happens when its monthly saving repays the one-time
     migration cost (engineering hours, downtime, data transfer) within `migration.payback_months`
     (found exactly by bisection on the saving). With a growth curve the schedule over the months
     is chosen by dynamic programming over the candidate stacks instead: it minimises the total of
     monthly costs and migration costs over the horizon.
3. For each move the report gives its one-time cost and what moving a step earlier or later would
   cost.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import InfeasibleError
from ..kinds import KINDS
from ..pricing import Evaluation, Option
from .connections import actual_connections, connection_cap, connection_limit, redis_clients
from .decisions import chart_scales, decision_scales, floors_valid, min_saving, quiet_until
from .planner import Planner, StackPoint
from .polish import polish_lasting
from .result import Move, Phase, Plan, StackDoesNotFit, Trigger
from .scale import first_true, sample_scales
from .triggers import phase_events, reason_trigger, watch_limits
from .whole_stack import (
    Column,
    Problem,
    Solution,
    build_problem,
    call_graph,
    callers_of,
    class_columns,
    fixed_solution,
    place_label,
    place_rtt,
    placement,
    placement_class,
    redis_connection_rows,
    solve,
)

__all__ = [
    "whole_stack_plan",
    "CoupledState",
    "migration",
    "migration_between",
    "component_migration",
    "min_saving",
]


@dataclass
class CoupledState:
    planner: Planner
    problems: dict[int, Problem] = field(default_factory=dict)
    solutions: dict[int, Solution] = field(default_factory=dict)
    solves: int = 0
    _fixed: dict[Any, Solution | None] = field(default_factory=dict)
    _moves: dict[Any, Solution] = field(default_factory=dict)
    _lasts: dict[Any, int] = field(default_factory=dict)
    latency_limit_ms: float | None = None
    #: the last scale of the plan (how far an option must last to last the whole range)
    last: int = 0

    def __post_init__(self) -> None:
        if not self.last:
            self.last = self.planner.profile.scale.last

    def problem(self, u: int) -> Problem:
        p = self.problems.get(u)
        if p is None:
            p = self.problems[u] = build_problem(self.planner, u)
            if self.latency_limit_ms is None:
                self.latency_limit_ms = p.latency_limit_ms
        return p

    def solution(self, u: int) -> Solution:
        """The fresh-start optimum at u; among stacks of the same cost, the one that lasts."""
        s = self.solutions.get(u)
        if s is None:
            s = solve(self.problem(u))
            self.solves += 1
            if not s.feasible:
                raise self.infeasible(u)
            s = self.solutions[u] = polish_lasting(self.planner, self.problem(u), s, lambda c, col: self.lasts(c, col, u))
        return s

    def lasts(self, comp: str, col: Column, u: int) -> int:
        """The first unit where the column's placement no longer fits (it fits at u), or one past
        the plan's last scale when it lasts the whole range. Fitting is monotone in the scale."""
        key = (comp, placement(col.remote.option))
        n = self._lasts.get(key)
        if n is None:
            gone = placement_gone(self.planner, comp, col.remote.option)
            n = self.last + 1 if not gone(self.last) else first_true(u, self.last, gone)
            self._lasts[key] = n
        return n

    def move_from(self, cur: Solution, u: int) -> Solution:
        """The best stack to move to from ``cur`` at u: monthly cost plus each component's one-time
        migration cost spread over the payback period, with staying put offered for every
        component. Where staying and moving cost the same, the component stays."""
        key = (cur.key(), u)
        cached = self._moves.get(key)
        if cached is not None:
            return cached
        keep = {c: placement_class(self.planner, c, col.remote.option) for c, col in cur.chosen.items()}
        prob = _with_columns(self.planner, self.problem(u), build_problem(self.planner, u, only=keep))
        payback = max(self.planner.profile.migration.payback_months, 1e-9)
        # a component that could stay moves only when that alone would be worth a voluntary move:
        # its saving repays its one-time cost within the payback period and is at least the
        # minimum saving (migration.min_saving_*)
        bill = next((c for c in (self.cost(cur, u), self.cost(cur, u - 1)) if math.isfinite(c)), 0.0)
        floor = min_saving(self.planner, bill)
        penalty: dict[tuple[str, int], float] = {}
        for comp, cols in prob.columns.items():
            prev = cur.chosen.get(comp)
            for col in cols:
                if col.klass == keep.get(comp):
                    continue
                usd = component_migration(
                    self.planner, comp, prev.remote.option if prev is not None else None, col.remote.option, u
                )[0]
                # a tiny fixed part keeps a component in place when moving would cost nothing
                penalty[(comp, col.klass.index)] = max(usd / payback, floor) + 1e-6
        sol = solve(prob, penalty=penalty)
        self.solves += 1
        if not sol.feasible:
            sol = self.solution(u)
        else:
            sol = polish_lasting(self.planner, prob, sol, lambda c, col: self.lasts(c, col, u), penalty)
        self._moves[key] = sol
        return sol

    def cheapest_move_usd(self) -> float:
        """A lower bound on the one-time cost of any move: the fewest hours any one component's
        move takes (a plan change, or the quickest kind), at the hourly rate."""
        m = self.planner.profile.migration
        a = self.planner.assumptions
        hours = [a["migration.hours.plan_change"], a["migration.hours.default"], *m.hours.values()]
        hours += [a[KINDS[c.kind].migration_hours_key] for c in self.planner.profile.components.values()]
        return (min(hours) + overhead_hours(self.planner)) * m.hourly_rate_usd

    def infeasible(self, u: int) -> InfeasibleError:
        """Why nothing fits, at the first unit where nothing fits (found by bisection from the
        largest scale solved below u: fitting only gets harder as demand grows)."""
        from .infeasible import explain

        below = [v for v, sol in self.solutions.items() if v < u and sol.feasible]

        def nothing_fits(mid: int) -> bool:
            if any(self.planner.best(c, mid) is None for c in self.planner.profile.components):
                return True
            self.solves += 1
            return not solve(self.problem(mid)).feasible

        return explain(self.planner, first_true(max(below), u, nothing_fits) if below else u)

    # ---------------------------------------------------------------- a fixed stack elsewhere
    def fixed(self, stack: Solution, u: int) -> Solution | None:
        """The same classes (and co-location) at scale u, priced; None if they no longer fit."""
        key = (stack.key(), u)
        if key in self._fixed:
            return self._fixed[key]
        res = self._fixed[key] = self._fixed_uncached(stack, u)
        return res

    def _fixed_uncached(self, stack: Solution, u: int) -> Solution | None:
        only = {c: placement_class(self.planner, c, col.remote.option) for c, col in stack.chosen.items()}
        sol = fixed_solution(self.planner, only, u)
        if sol is not None:
            sol.latency_ms = dict(stack.latency_ms)
            sol.latency_parts = dict(stack.latency_parts)
        return sol

    def component_at(self, stack: Solution, comp: str, u: int) -> Evaluation:
        """What ``point(stack, u)`` prices ``comp`` with (its size, count and utilization), from
        the component's own columns when that is exact: when its placement stands as one column at
        u, the stack's problem there takes that column, co-located exactly when its callers'
        places match (whole_stack.colocated_flags). Otherwise (several columns that trade off
        shared parts, or none) from the whole stack."""
        planner = self.planner
        cols = class_columns(planner, comp, placement_class(planner, comp, stack.chosen[comp].remote.option), u)
        if len(cols) != 1:
            return self.point(stack, u).choices[comp]
        col = cols[0]
        if col.colocated is None:
            return col.remote
        callers = [w for w in callers_of(planner).get(comp, []) if w in stack.chosen]
        here = col.klass.colocation
        coloc = bool(callers) and all(
            placement_class(planner, w, stack.chosen[w].remote.option).colocation == here for w in callers
        )
        return col.colocated if coloc else col.remote

    def cost(self, stack: Solution, u: int) -> float:
        s = self.fixed(stack, u)
        return math.inf if s is None else s.objective

    def point(self, stack: Solution, u: int) -> StackPoint:
        sol = self.fixed(stack, u)
        if sol is None:
            raise StackDoesNotFit(f"the stack does not fit at {u:,}")
        d = self.planner.demand(u)
        pt = StackPoint(u, d.month, d, self.planner.context(u), dict(sol.items))
        opt = self.solution(u) if u in self.solutions else None
        pt.coupled = {
            "latency_ms": dict(stack.latency_ms),
            "latency_parts": dict(stack.latency_parts),
            "latency_limit_ms": self.latency_limit_ms,
            "accounts": dict(sol.accounts),
            "vendors": list(sol.vendors),
            "colocated": {c: v for c, v in sol.colocated.items() if v},
            "optimal_here_usd": opt.monthly_usd if opt is not None else None,
        }
        return pt


def _with_columns(planner: Planner, full: Problem, extra: Problem) -> Problem:
    """``full`` with the columns of ``extra`` (a few placements priced at the same scale) added.

    Their locations are among ``full``'s (a placement fits only where its class does), so the
    round-trip tables cover them; accounts, pools and caps are the same at the same scale; the
    Redis connection rows are derived again over all columns."""
    from dataclasses import replace

    columns = {c: [*cols, *extra.columns.get(c, [])] for c, cols in full.columns.items()}
    user_rtt = {c: {**extra.user_rtt.get(c, {}), **v} for c, v in full.user_rtt.items()}
    caps = dict(full.pool_caps)
    for key, thr in extra.pool_caps.items():
        caps[key] = min(caps.get(key, thr), thr)
    return replace(
        full,
        columns=columns,
        accounts={**extra.accounts, **full.accounts},
        provider_accounts={
            pv: sorted(set(full.provider_accounts.get(pv, [])) | set(extra.provider_accounts.get(pv, [])))
            for pv in {*full.provider_accounts, *extra.provider_accounts}
        },
        user_rtt=user_rtt,
        rtt={**extra.rtt, **full.rtt},
        pools={**extra.pools, **full.pools},
        pool_caps=caps,
        redis_connections=redis_connection_rows(planner, columns),
    )


# --------------------------------------------------------------------------- migration cost
def migration(
    planner: Planner, old: Solution, new: Solution, u: int
) -> tuple[float, tuple[tuple[str, float, float, float], ...]]:
    """One-time cost of moving from stack ``old`` to ``new`` at scale u: (usd, per-component detail).
    A migration that moves anything also pays its fixed part once (``overhead_hours``)."""
    total = 0.0
    detail = []
    for comp, col in new.chosen.items():
        prev = old.chosen.get(comp)
        if prev is not None and placement(prev.remote.option) == placement(col.remote.option):
            continue
        usd, hours, minutes, gb = component_migration(
            planner, comp, prev.remote.option if prev is not None else None, col.remote.option, u
        )
        total += usd
        detail.append((comp, hours, minutes, gb))
    if detail:
        total += overhead_hours(planner) * planner.profile.migration.hourly_rate_usd
    return total, tuple(detail)


def migration_between(
    planner: Planner, old: dict[str, Evaluation], new: dict[str, Evaluation], u: int
) -> tuple[float, tuple[str, ...]]:
    """One-time cost of moving from one priced stack to another at u (as ``migration``, for
    stacks given by their evaluations): (usd, components that move)."""
    total, moved = 0.0, []
    for comp, ev in new.items():
        prev = old.get(comp)
        if prev is not None and placement(prev.option) == placement(ev.option):
            continue
        total += component_migration(planner, comp, prev.option if prev is not None else None, ev.option, u)[0]
        moved.append(comp)
    if moved:
        total += overhead_hours(planner) * planner.profile.migration.hourly_rate_usd
    return total, tuple(moved)


def overhead_hours(planner: Planner) -> float:
    """Hours every migration costs once, whatever moves (assumption migration.hours.per_move)."""
    return planner.assumptions["migration.hours.per_move"]


def component_migration(
    planner: Planner, comp: str, po: Option | None, no: Option, u: int
) -> tuple[float, float, float, float]:
    """One-time cost of moving one component from option ``po`` (None: nowhere yet) to ``no`` at
    u: (usd, hours, downtime minutes, GB transferred).

    A plan change with the same provider and location is a plan-change's hours; anything else is a
    move: engineering hours by kind, data transfer for data stores, downtime for databases."""
    p = planner.profile
    a = planner.assumptions
    m = p.migration
    kind = p.components[comp].kind
    # same provider and same place (region, or the provider's global service): a plan change
    same_place = (
        po is not None
        and po.provider == no.provider
        and (po.region.id if po.region is not None else None)
        == (no.region.id if no.region is not None else None)
    )
    if same_place:
        hours = a["migration.hours.plan_change"]
        minutes = 0.0
        gb = 0.0
    else:
        hours = m.hours.get(kind, a[KINDS[kind].migration_hours_key])
        gb = (
            planner.demand(u).components[comp].metrics.get("storage_gb", 0.0)
            if KINDS[kind].moves_stored_data
            else 0.0
        )
        minutes = (
            (a["migration.downtime_minutes_fixed"] + gb * a["migration.downtime_minutes_per_gb"])
            if KINDS[kind].database
            else 0.0
        )
    # code written against one provider's APIs is rewritten when it leaves that provider
    wf = p.components[comp].written_for
    if wf is not None and wf.rewrite_hours is not None and no.provider != wf.provider:
        if po is None or po.provider == wf.provider:
            hours += wf.rewrite_hours
    usd = (
        hours * m.hourly_rate_usd
        + minutes * m.downtime_cost_usd_per_minute
        + gb * a["migration.transfer_usd_per_gb"]
    )
    return usd, hours, minutes, gb


# --------------------------------------------------------------------------- sweep
def placement_gone(planner: Planner, comp: str, option: Option) -> Callable[[int], bool]:
    """Whether ``comp``'s placement (the class of ``option``: provider, plan, region) no longer
    fits at a scale: no member of the class fits there. Monotone in the scale (first_true)."""
    members = placement_class(planner, comp, option).members
    return lambda u: planner.best_among(comp, members, u) is None


def _first_unfit(st: CoupledState, stack: Solution, lo: int, hi: int) -> int:
    """First unit in (lo, hi] where ``stack`` no longer fits (it fits at lo, not at hi).

    Components whose placement still fits at hi fit everywhere below it, so only the ones that do
    not are bisected, each on its own (cheap); the whole stack (shared caps) is then checked just
    below the earliest of them, and bisected as a whole only if it already fails there."""
    planner = st.planner
    firsts = []
    for comp, col in stack.chosen.items():
        gone = placement_gone(planner, comp, col.remote.option)
        if gone(hi):
            firsts.append(first_true(lo, hi, gone))
    if firsts:
        first = min(firsts)
        if first - 1 <= lo or st.fixed(stack, first - 1) is not None:
            return first
        hi = first - 1
    return first_true(lo, hi, lambda mid: st.fixed(stack, mid) is None)


def _first_worth(st: CoupledState, cur: Solution, new: Solution, lo: int, hi: int, threshold: float) -> int:
    """First unit in (lo, hi] where moving from ``cur`` to ``new`` saves at least ``threshold``/month."""

    def worth(u: int) -> bool:
        return st.cost(cur, u) - st.cost(new, u) >= threshold - 1e-9

    return first_true(lo, hi, worth)


def whole_stack_plan(
    planner: Planner, first: int | None = None, last: int | None = None, samples: int = 6
) -> Plan:
    """The plan over the scale: the whole-stack optimum at the decision scales, kept until it must
    move or a move pays back (module docstring), as a typed ``Plan``."""
    p = planner.profile
    first = p.scale.first if first is None else first
    last = max(first, p.scale.last if last is None else last)
    st = CoupledState(planner, last=last)
    pts = decision_scales(planner, first, last, samples)
    chart = chart_scales(pts)
    # every decision scale when the optimum there may be needed as a floor (decisions.py)
    for u in chart if floors_valid(planner) else pts:
        st.solution(u)
    if p.scale.growth is not None:
        starts, moves = _schedule_by_months(st, pts)
    else:
        starts, moves = _schedule_by_payback(st, pts)
    phases: list[Phase] = []
    for i, (s, stack) in enumerate(starts):
        e = starts[i + 1][0] - 1 if i + 1 < len(starts) else last
        end_pt = st.point(stack, e)
        end_pt.alternatives = {
            c: planner.alternatives(c, e, 3, stack.chosen[c].remote.option.plan.key) for c in p.components
        }
        phases.append(
            Phase(s, e if i + 1 < len(starts) else None, e, st.point(stack, s), end_pt, move=moves.get(s))
        )
    for i, ph in enumerate(phases[:-1]):
        ph.triggers = _triggers(st, ph, phases[i + 1], moves[phases[i + 1].start])
    for ph in phases:
        ph.watch = watch_limits(planner, ph, last)

    def price(u: int) -> StackPoint:
        """The planned stack (its phase's) priced at u; below the first unit, the first phase's."""
        return st.point(next((stk for s, stk in reversed(starts) if s <= u), starts[0][1]), u)

    # optimum points: the whole-stack optimum at every scale where it was solved (it never falls
    # as the scale grows); plan points: the planned stack's cost along the scale (it drops after a
    # move)
    for ph, (_s, stack) in zip(phases, starts, strict=True):

        def item(comp: str, u: int, stack: Solution = stack) -> Evaluation:
            return st.component_at(stack, comp, u)

        ph.events = phase_events(planner, ph, item, p.scale.unit)
    # with more decision scales than MAX_OPTIMUM_POINTS, both are bounded: the optimum where it was
    # solved up front, the plan at the stages among those (and the phase bounds and samples)
    few = len(chart) == len(pts)
    optimum_points = [st.point(st.solutions[u], u) for u in (sorted(st.solutions) if few else chart)]
    bounds = [x for ph in phases for x in (ph.start, ph.last_scale)]
    stages = p.scale.stages or []
    if not few:
        shown = set(chart)
        stages = [x for x in stages if x in shown]
    plan_points = [price(u) for u in sample_scales(first, last, stages, bounds, 32)]
    return Plan(
        first, last, phases, optimum_points, plan_points, planner.evaluations_done, st.solves, False, price
    )


def _schedule_by_payback(
    st: CoupledState, pts: list[int]
) -> tuple[list[tuple[int, Solution]], dict[int, Move]]:
    """Keep a stack until it must move (forced, found to one unit) or a move repays its one-time
    cost within the payback period (voluntary, found to one unit by bisection on the saving).
    Voluntary moves are looked for at every decision scale and just before every forced move."""
    planner = st.planner
    cur = st.solution(pts[0])
    starts: list[tuple[int, Solution]] = [(pts[0], cur)]
    moves: dict[int, Move] = {}
    prev = pts[0]
    i = 1
    while i < len(pts):
        # decision scales where the stack fits and no move can pay are passed over (decisions.py)
        j = quiet_until(st, cur, pts, i)
        if j > i:
            prev, i = pts[j - 1], j
            if i == len(pts):
                break
        u = pts[i]
        i += 1
        while True:
            if st.fixed(cur, u) is None:
                at = _first_unfit(st, cur, prev, u)
                new = st.move_from(cur, at)
                # components the forced move takes along although they still fit: if moving
                # them alone paid for itself earlier, that move comes first
                if at - 1 > prev:
                    vol = _partial_voluntary(st, cur, new, prev, at)
                    if vol is not None:
                        v_at, v_new, v_move = vol
                        moves[v_at] = v_move
                        starts.append((v_at, v_new))
                        cur, prev = v_new, v_at
                        continue
                usd, detail = migration(planner, cur, new, at)
                moves[at] = Move(
                    at,
                    True,
                    usd,
                    0.0,
                    tuple(d[0] for d in detail),
                    _monthly_gap(st, new, cur, at - 1),
                    None,
                    detail=detail,
                    overhead_hours=overhead_hours(planner),
                )
                starts.append((at, new))
                cur, prev = new, at
                continue
            vol = _voluntary(st, cur, prev, u)
            if vol is not None:
                v_at, v_new, v_move = vol
                moves[v_at] = v_move
                starts.append((v_at, v_new))
                cur, prev = v_new, v_at
                if v_at < u:
                    continue
            break
        prev = u
    starts, moves = _merge_forced(st, starts, moves)
    _start_on_what_lasts(st, starts, moves)
    _last_phase_lasts(st, starts, moves, pts[-1])
    return starts, moves


def _extra_over_phase(st: CoupledState, a: Solution, b: Solution, s1: int, s2: int) -> float:
    """How much more a month stack b costs than stack a over the phase [s1, s2), at its ends (0
    when b is not dearer)."""
    return max(st.cost(b, s1) - st.cost(a, s1), st.cost(b, s2 - 1) - st.cost(a, s2 - 1), 0.0)


def _start_on_what_lasts(st: CoupledState, starts: list[tuple[int, Solution]], moves: dict[int, Move]) -> None:
    """A first stack that must be left in a forced move is not chosen when the stack the plan
    moves to already fits at the start, its extra monthly cost over the first phase does not
    repay, within the payback period, the migration it avoids, and either the forced move comes
    soon (within migration.merge_within_growth more scale, as for two forced moves) or the extra
    cost is below the minimum saving worth acting on (migration.min_saving_*): an engineer starts
    on what lasts rather than saving a few dollars a month until a forced move (Amebo: a realtime
    server on a free daily quota for 30 users of growth, then a move). Repeated while the new
    first phase ends the same way."""
    planner = st.planner
    payback = planner.profile.migration.payback_months
    while len(starts) > 1:
        (s1, a), (s2, b) = starts[0], starts[1]
        m2 = moves.get(s2)
        if m2 is None or not m2.forced:
            return
        if st.fixed(b, s1) is None:
            return  # the next stack does not fit at the start
        extra = _extra_over_phase(st, a, b, s1, s2)
        if extra * payback > m2.migration_usd + 1e-9:
            return
        soon = s2 <= s1 * (1 + planner.assumptions["migration.merge_within_growth"])
        if not soon and extra >= min_saving(planner, st.cost(a, s1)) - 1e-9:
            return
        # the move after the dropped phase left b already: it stays as it is
        del starts[1]
        starts[0] = (s1, b)
        moves.pop(s2)


#: the last phase's stack must fit up to this multiple of the phase's first unit
LAST_PHASE_LASTS = 2


def _last_phase_lasts(
    st: CoupledState, starts: list[tuple[int, Solution]], moves: dict[int, Move], last: int
) -> None:
    """The last phase is open-ended: its stack is what the app runs from the phase's start on. A
    move into it does not pick a stack that runs out just past the planned range: when the
    scale can double from the phase's start beyond the last scale, the move goes to the best stack
    that still fits there (the migration-aware move at that scale, priced from the phase's start),
    taking along the components that would soon have to move on their own (``Move.lasting``). A
    voluntary move does so only while the move to that stack still pays back; when it does not,
    the voluntary move is not made (its saving would be followed by a forced move soon after) and
    the previous phase, which fits to the last scale, becomes the last one."""
    at, stack = starts[-1]
    horizon = LAST_PHASE_LASTS * at
    m = moves.get(at)
    if horizon <= last or m is None or len(starts) < 2:
        return
    if st.fixed(stack, horizon) is not None:
        return
    prev = starts[-2][1]

    def drop_voluntary() -> None:
        if not m.forced and st.fixed(prev, last) is not None:
            starts.pop()
            moves.pop(at)
            _last_phase_lasts(st, starts, moves, last)

    try:
        alt = st.move_from(prev, horizon)
    except InfeasibleError:
        return  # nothing fits that far: the move stays as it is
    if st.fixed(alt, at) is None or st.fixed(alt, horizon) is None:
        drop_voluntary()
        return
    planner = st.planner
    usd, detail = migration(planner, prev, alt, at)
    saving = m.saving_usd_month
    if not m.forced:
        # a voluntary move goes to the stack that lasts only while that move still pays back
        now = st.cost(prev, at)
        saving = now - st.cost(alt, at)
        threshold = max(usd / planner.profile.migration.payback_months, min_saving(planner, now))
        if not (saving > 1e-9 and saving >= threshold - 1e-9):
            drop_voluntary()
            return
    moved = tuple(d[0] for d in detail)
    ahead = []
    for c in moved:
        gone = placement_gone(planner, c, stack.chosen[c].remote.option)
        if c not in m.components and gone(horizon):
            ahead.append((c, first_true(at, horizon, gone)))
    moves[at] = replace(
        m,
        migration_usd=usd,
        saving_usd_month=saving,
        components=moved,
        detail=detail,
        earlier_usd=_monthly_gap(st, alt, prev, at - 1),
        later_usd=m.later_usd if m.forced else saving,
        ahead=tuple(sorted({*m.ahead, *ahead})),
        lasting=horizon,
    )
    starts[-1] = (at, alt)


def _merge_forced(
    st: CoupledState, starts: list[tuple[int, Solution]], moves: dict[int, Move]
) -> tuple[list[tuple[int, Solution]], dict[int, Move]]:
    """Two forced moves close together (the second within migration.merge_within_growth more
    scale than the first) become one when moving straight to the second stack at
    the first move costs less overall: the one-time cost it saves (one migration instead of two)
    repays, within the payback period, what the second stack costs more a month over the short
    phase between them. An engineer migrates once rather than twice in quick succession."""
    planner = st.planner
    payback = planner.profile.migration.payback_months
    merged = True
    while merged:
        merged = False
        for i in range(1, len(starts) - 1):
            (s1, a), (s2, b) = starts[i], starts[i + 1]
            m1, m2 = moves.get(s1), moves.get(s2)
            if m1 is None or m2 is None or not (m1.forced and m2.forced):
                continue
            if s2 > s1 * (1 + planner.assumptions["migration.merge_within_growth"]):
                continue  # not close together: the second move is a separate project
            if st.fixed(b, s1) is None:
                continue  # the second stack does not fit yet where the first move happens
            prev = starts[i - 1][1]
            direct, detail = migration(planner, prev, b, s1)
            saved = m1.migration_usd + m2.migration_usd - direct
            extra = _extra_over_phase(st, a, b, s1, s2)
            if saved <= 1e-9 or extra * payback > saved + 1e-9:
                continue
            del starts[i + 1]
            starts[i] = (s1, b)
            moves.pop(s2)
            moves[s1] = Move(
                s1,
                True,
                direct,
                0.0,
                tuple(d[0] for d in detail),
                _monthly_gap(st, b, prev, s1 - 1),
                None,
                detail=detail,
                overhead_hours=overhead_hours(planner),
                ahead=(*m1.ahead, *((c, s2) for c in m2.components if c not in m1.components)),
            )
            merged = True
            break
    return starts, moves


def _partial_voluntary(
    st: CoupledState, cur: Solution, new: Solution, lo: int, at: int
) -> tuple[int, Solution, Move] | None:
    """Before a forced move at ``at`` from ``cur`` to ``new``: the components ``new`` moves although
    their placement still fits, moved alone, as a voluntary move in (lo, at), if it pays back."""
    planner = st.planner
    moved = []
    for comp, col in new.chosen.items():
        old = cur.chosen.get(comp)
        if old is None or placement(old.remote.option) == placement(col.remote.option):
            continue
        k = placement_class(planner, comp, old.remote.option)
        if planner.best_among(comp, k.members, at) is not None:
            moved.append(comp)
    if not moved:
        return None
    part = Solution(at - 1, True)
    part.chosen = {c: (new.chosen[c] if c in moved else col) for c, col in cur.chosen.items()}
    accounts: dict[str, set[str]] = {}
    for col in part.chosen.values():
        if col.remote.account is not None:
            accounts.setdefault(col.remote.option.provider, set()).add(col.remote.account)
    if any(len(a) > 1 for a in accounts.values()):
        return None  # one account, one plan
    part.latency_ms, part.latency_parts = _latency(planner, part)
    limit = st.latency_limit_ms
    if limit is not None and any(v > limit + 1e-9 for v in part.latency_ms.values()):
        return None
    u = at - 1
    fixed = st.fixed(part, u)
    if fixed is None:
        return None
    return _move_if_it_pays(st, cur, fixed, lo, u)


def _latency(
    planner: Planner, sol: Solution
) -> tuple[dict[str, float], dict[str, list[tuple[str, float, float]]]]:
    """The latency estimate of a stack, leg by leg (as the whole-stack problem computes it)."""

    totals: dict[str, float] = {}
    legs: dict[str, list[tuple[str, float, float]]] = {}
    for w, callees in call_graph(planner).items():
        if w not in sol.chosen:
            continue
        ow = sol.chosen[w].remote.option
        pw = sol.chosen[w].klass.place
        parts = [(f"users to {w} ({pw[1]}, population-weighted, last mile included)", ow.latency_ms, 1.0)]
        for s2, k in callees.items():
            if s2 in sol.chosen:
                os2 = sol.chosen[s2].remote.option
                ps = sol.chosen[s2].klass.place
                parts.append(
                    (
                        f"{w} to {s2} ({place_label(pw, ps)})",
                        place_rtt(planner, (pw[0], ow.region), (ps[0], os2.region)),
                        k,
                    )
                )
        totals[w] = sum(ms * k for _, ms, k in parts)
        legs[w] = parts
    return totals, legs


def _voluntary(st: CoupledState, cur: Solution, lo: int, u: int) -> tuple[int, Solution, Move] | None:
    """The first move in (lo, u] that repays its one-time cost within the payback period, if the
    best move at u does (the stack ``cur`` fits up to u)."""
    planner = st.planner
    payback = planner.profile.migration.payback_months
    # no move saves more than the optimum does (the optimum never costs less at a larger scale, so
    # the largest solved scale at or below u bounds it); when that cannot repay the cheapest
    # possible move, there is nothing to look for
    floor = max((s.objective for v, s in st.solutions.items() if v <= u), default=0.0)
    if st.cost(cur, u) - floor < st.cheapest_move_usd() / payback - 1e-9:
        return None
    opt = st.move_from(cur, u)  # the best move from here, migration counted
    if opt.key() == cur.key():
        return None
    return _move_if_it_pays(st, cur, opt, lo, u)


def _move_if_it_pays(
    st: CoupledState, cur: Solution, new: Solution, lo: int, u: int
) -> tuple[int, Solution, Move] | None:
    """The voluntary move from ``cur`` to ``new`` if its monthly saving at u repays the one-time
    cost within the payback period: placed at the first unit in (lo, u] where it does."""
    planner = st.planner
    usd, _detail = migration(planner, cur, new, u)
    now = st.cost(cur, u)
    threshold = max(usd / planner.profile.migration.payback_months, min_saving(planner, now))
    saving = now - st.cost(new, u)
    if not (saving > 1e-9 and saving >= threshold - 1e-9):
        return None
    at = _first_worth(st, cur, new, lo, u, threshold) if u - lo > 1 else u
    if st.fixed(new, at) is None:
        at = u
    usd_at, detail_at = migration(planner, cur, new, at)
    move = Move(
        at,
        False,
        usd_at,
        st.cost(cur, at) - st.cost(new, at),
        tuple(d[0] for d in detail_at),
        _monthly_gap(st, new, cur, at - 1),
        st.cost(cur, at) - st.cost(new, at),
        detail=detail_at,
        overhead_hours=overhead_hours(planner),
    )
    return at, new, move


def _monthly_gap(st: CoupledState, new: Solution, old: Solution, u: int) -> float | None:
    """How much more ``new`` costs than ``old`` per month at u; None if either does not fit there."""
    if u < st.planner.profile.scale.first:
        return None
    a, b = st.cost(new, u), st.cost(old, u)
    return a - b if math.isfinite(a) and math.isfinite(b) else None


def _schedule_by_months(
    st: CoupledState, pts: list[int]
) -> tuple[list[tuple[int, Solution]], dict[int, Move]]:
    """Dynamic programming over the months of the growth curve: which stack each month."""
    from ..profile import units_at_month

    planner = st.planner
    g = planner.profile.scale.growth
    assert g is not None
    months = [
        min(pts[-1], max(pts[0], int(round(units_at_month(g, m))))) for m in range(g.horizon_months + 1)
    ]
    stacks: dict[Any, Solution] = {}
    for u in pts:
        s = st.solution(u)
        stacks.setdefault(s.key(), s)
    # candidates that move less: from each optimum, the best move at the next decision scale
    for a, b in zip(pts, pts[1:], strict=False):
        s = st.move_from(st.solution(a), b)
        stacks.setdefault(s.key(), s)
    keys = list(stacks)
    cost = [[st.cost(stacks[k], u) for k in keys] for u in months]
    n = len(keys)
    best = [[math.inf] * n for _ in months]
    back = [[-1] * n for _ in months]
    for j in range(n):
        best[0][j] = cost[0][j]
    for t in range(1, len(months)):
        for j in range(n):
            if cost[t][j] == math.inf:
                continue
            for i in range(n):
                if best[t - 1][i] == math.inf:
                    continue
                if i != j and math.isfinite(cost[t][i]):  # voluntary: the old stack still fits
                    if cost[t][i] - cost[t][j] < min_saving(planner, cost[t][i]) - 1e-9:
                        continue
                mig = 0.0 if i == j else migration(planner, stacks[keys[i]], stacks[keys[j]], months[t])[0]
                v = best[t - 1][i] + mig + cost[t][j]
                if v < best[t][j] - 1e-9:
                    best[t][j] = v
                    back[t][j] = i
    j = min(range(n), key=lambda k: best[-1][k])
    path = [j]
    for t in range(len(months) - 1, 0, -1):
        j = back[t][j]
        path.append(j)
    path.reverse()
    starts: list[tuple[int, Solution]] = [(months[0], stacks[keys[path[0]]])]
    moves: dict[int, Move] = {}
    for t in range(1, len(months)):
        if path[t] != path[t - 1]:
            old, new = stacks[keys[path[t - 1]]], stacks[keys[path[t]]]
            forced = cost[t][path[t - 1]] == math.inf
            at = months[t]
            if forced:
                at = _first_unfit(st, old, months[t - 1], months[t])
            usd, detail = migration(planner, old, new, at)
            earlier = _shift_cost(cost, path, t, -1, usd)
            later = _shift_cost(cost, path, t, +1, usd)
            moves[at] = Move(
                at,
                forced,
                usd,
                (cost[t][path[t - 1]] - cost[t][path[t]]) if not forced else 0.0,
                tuple(d[0] for d in detail),
                earlier,
                later,
                detail,
                "month",
                overhead_hours(planner),
            )
            starts.append((at, new))
    return starts, moves


def _payback(m: Move) -> str:
    if m.migration_usd <= 0:
        return "no time: it costs nothing to move"
    months = m.migration_usd / m.saving_usd_month if m.saving_usd_month > 0 else math.inf
    return f"{months:.1f} months" if math.isfinite(months) else "never"


def _shift_cost(cost: list[list[float]], path: list[int], t: int, step: int, mig: float) -> float | None:
    """Extra total cost if the move at month t happened one month earlier (-1) or later (+1)."""
    a, b = path[t - 1], path[t]
    if step < 0:
        if t - 1 < 1:
            return None
        v = cost[t - 1][b] - cost[t - 1][a]
    else:
        if t + 1 >= len(path) or path[t + 1] != b:
            return None
        v = cost[t][a] - cost[t][b]
    return None if not math.isfinite(v) else v


def _triggers(st: CoupledState, ph: Phase, nxt: Phase, move: Move) -> list[Trigger]:
    planner = st.planner
    at = nxt.start
    month = planner.month_of(at)
    out: list[Trigger] = []
    unfit = {
        comp: e
        for comp in move.components
        if not (e := planner.evaluate_one(comp, ph.stack_end.choices[comp].option.order, at)).feasible
    }
    graph = call_graph(planner)
    for comp in move.components:
        old = ph.stack_end.choices[comp]
        new = nxt.stack_start.choices[comp]
        if move.forced and comp in unfit:
            for rs in unfit[comp].reasons:
                out.append(reason_trigger(comp, rs, at, month, old, new))
            continue
        ahead = dict(move.ahead).get(comp)
        if ahead is not None and move.lasting is not None and comp not in unfit:
            later = planner.evaluate_one(comp, old.option.order, ahead)
            why = later.reasons[0].message if later.reasons else "it no longer fits"
            out.append(
                Trigger(
                    comp,
                    "lasting",
                    None,
                    None,
                    at,
                    f"{old.option.label} stops fitting at {ahead:,} ({why}), soon after the planned "
                    f"range; it moves to {new.option.label} now, in the same migration, so that the "
                    f"last phase's stack fits until {move.lasting:,} (twice its start)",
                    "coupled",
                    month,
                )
            )
            continue
        if move.forced and ahead is not None:
            later = planner.evaluate_one(comp, old.option.order, ahead)
            why = later.reasons[0].message if later.reasons else "it no longer fits"
            others = [c for c in move.components if c != comp]
            out.append(
                Trigger(
                    comp,
                    "merged",
                    None,
                    None,
                    at,
                    f"{old.option.label} stops fitting at {ahead:,} ({why}); it moves to "
                    f"{new.option.label} now, with {', '.join(others)}: one migration instead of two "
                    "costs less overall",
                    "coupled",
                    month,
                )
            )
            continue
        conn = _connections_trigger(st, ph, comp, new, at, month) if move.forced else None
        if conn is not None:
            out.append(conn)
            continue
        if move.forced:
            out.append(
                Trigger(
                    comp,
                    "coupled",
                    None,
                    None,
                    at,
                    _coupled_reason(
                        comp,
                        new.option.label,
                        sorted(unfit),
                        graph,
                        [
                            u
                            for u in unfit
                            if new.account is not None
                            and nxt.stack_start.choices[u].account == new.account
                            and ph.stack_end.choices[u].account == old.account
                        ],
                    ),
                    "coupled",
                    month,
                )
            )
            continue
        out.append(
            Trigger(
                comp,
                "monthly_usd",
                move.migration_usd,
                move.saving_usd_month,
                at,
                f"moves to {new.option.label}: the move ({', '.join(move.components)}) saves ${move.saving_usd_month:,.2f}/month for a one-time ${move.migration_usd:,.2f} (pays back in {_payback(move)})",
                "cheaper",
                month,
            )
        )
    return out


def _connections_trigger(
    st: CoupledState, ph: Phase, comp: str, new: Evaluation, at: int, month: float | None
) -> Trigger | None:
    """The trigger of a Redis that must move because its clients' running instances open more
    connections than its plan accepts (connections.py), or None when that is not why."""
    planner = st.planner
    if comp not in redis_clients(planner):
        return None
    old = ph.stack_end.choices[comp]
    cap, limit = connection_cap(planner, old), connection_limit(old)
    if cap is None or limit is None:
        return None
    chosen = {c: planner.evaluate_one(c, e.option.order, at) for c, e in ph.stack_end.choices.items()}
    n = actual_connections(planner, comp, chosen)
    if n <= cap + 1e-9:
        return None
    def running(w: str) -> str:
        size = chosen[w].option.size
        return f"{w} {chosen[w].instances:g} x {size.id if size is not None else 'instance'}"

    clients = ", ".join(running(w) for w in redis_clients(planner)[comp] if w in chosen)
    pool = planner.assumptions["redis.pool_size_per_process"]
    return Trigger(
        comp,
        "connections",
        limit,
        cap,
        at,
        f"its clients open {n:,.0f} connections at {at:,} (running instances x processes x a pool of "
        f"{pool:g}: {clients}), more than the {cap:,.0f} of {old.option.label}'s {limit:,.0f} the "
        f"headroom allows; moves to {new.option.label}",
        "limit",
        month,
        n,
    )


def _coupled_reason(
    comp: str,
    label: str,
    unfit: list[str],
    graph: dict[str, dict[str, float]],
    same_account: list[str] | None = None,
) -> str:
    """Why a component that still fits moves in a forced migration."""
    if same_account:
        return (
            f"moves to {label} with {', '.join(sorted(same_account))}, which must move: they share one "
            "account, and an account is on one plan"
        )
    if not unfit:
        return (
            f"moves to {label}: the stack as a whole no longer fits here (a shared account quota "
            "or the latency budget), and this is the cheapest stack that does"
        )
    linked = [u for u in unfit if u in graph.get(comp, {}) or comp in graph.get(u, {})]
    if linked:
        return (
            f"moves to {label} to stay close to {', '.join(linked)}, which must move "
            "(calls between them cross the network)"
        )
    return (
        f"moves to {label} in the same migration as {', '.join(unfit)}, which must move: with the "
        "stack re-optimised at this scale it is cheaper there"
    )


