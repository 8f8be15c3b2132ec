"""Polish a whole-stack optimum among stacks of the same cost: prefer the faster placement
(latency) and the option that lasts (it keeps fitting to a larger scale). The integer program
breaks ties by a static rank, which knows neither where a caller ended up nor how long a free
tier lasts; these passes swap one component at a time and keep a swap only when the whole stack
costs no more and every coupling (accounts, pools, latency and vendor limits, the plan's move
penalties) still holds."""

from __future__ import annotations

from collections.abc import Callable

from .planner import Planner
from .whole_stack import Column, Problem, Solution, finish_solution

__all__ = ["polish_latency", "polish_lasting"]


def polish_latency(prob: Problem, sol: Solution, penalty: dict[tuple[str, int], float]) -> Solution:
    """Among stacks of the same cost, prefer the faster: move a component of the call graph to
    another place of the same provider and account where every cost part is the same, when that
    lowers the total latency estimate (the MILP's tie-break is a static rank, which does not know
    where the caller ended up)."""
    involved = set(prob.calls) | {s for cs in prob.calls.values() for s in cs}

    def same_cost(a: Column, b: Column) -> bool:
        return (
            a.klass.provider == b.klass.provider
            and a.remote.account == b.remote.account
            and abs(a.own_remote - b.own_remote) <= 1e-9
            and abs(a.base_remote - b.base_remote) <= 1e-9
            and a.pool_use == b.pool_use
            and a.pool_limit_use == b.pool_limit_use
        )

    def latency(loc: dict[str, tuple[str, str]]) -> dict[str, float]:
        out = {}
        for w, callees in prob.calls.items():
            if w in loc:
                out[w] = prob.user_rtt[w][loc[w]] + sum(
                    k * prob.rtt[(w, loc[w], s2, loc[s2])] for s2, k in callees.items() if s2 in loc
                )
        return out

    sol = _nearest_store_clients(prob, sol, involved, same_cost, penalty)
    for _ in range(len(involved) + 1):
        loc = {c: col.klass.place for c, col in sol.chosen.items()}
        total = sum(latency(loc).values())
        cands: list[tuple[float, str, Column]] = []
        for comp in sorted(involved):
            cur = sol.chosen.get(comp)
            if cur is None:
                continue
            for col in prob.columns.get(comp, []):
                if col is cur or col.klass.place == cur.klass.place or not same_cost(col, cur):
                    continue
                if (
                    penalty.get((comp, col.klass.index), 0.0)
                    > penalty.get((comp, cur.klass.index), 0.0) + 1e-12
                ):
                    continue  # not a free swap: it would move something the plan keeps
                lat = latency({**loc, comp: col.klass.place})
                if prob.latency_limit_ms is not None and any(
                    v > prob.latency_limit_ms + 1e-9 for v in lat.values()
                ):
                    continue
                t_total = sum(lat.values())
                if t_total < total - 1e-6:
                    cands.append((t_total, comp, col))
        cands.sort(key=lambda t: (t[0], t[1], min(t[2].klass.members)))
        for _t, comp, col in cands:
            trial = Solution(sol.units, True, chosen={**sol.chosen, comp: col})
            finish_solution(prob, trial)
            if trial.objective <= sol.objective + 1e-9:
                sol = trial
                break
        else:
            return sol
    return sol


def _nearest_store_clients(
    prob: Problem,
    sol: Solution,
    involved: set[str],
    same_cost: Callable[[Column, Column], bool],
    penalty: dict[tuple[str, int], float],
) -> Solution:
    """A component that runs code outside the call graph (a worker: no request latency) sits,
    among places of the same provider, account and cost, at the first in static rank (nearest the
    users), so equal stacks come out equal whatever the solver's tie-break; a place is taken only
    when the whole stack still costs no more (its stores' allow lists, prob.clients)."""
    for comp in sorted(set(prob.clients) - involved):
        cur = sol.chosen.get(comp)
        if cur is None:
            continue
        for col in sorted(prob.columns.get(comp, []), key=lambda c: min(c.klass.members)):
            if min(col.klass.members) >= min(cur.klass.members):
                break
            if not same_cost(col, cur) or penalty.get((comp, col.klass.index), 0.0) > penalty.get(
                (comp, cur.klass.index), 0.0
            ) + 1e-12:
                continue
            trial = Solution(sol.units, True, chosen={**sol.chosen, comp: col})
            finish_solution(prob, trial)
            if trial.objective <= sol.objective + 1e-9:
                sol = trial
                break
    return sol


def _equal_cost_members(planner: Planner, prob: Problem, comp: str, cur: Column) -> list[Column]:
    """Other options of the chosen column's class that cost exactly the same at this scale: the
    class stands in the problem by its cheapest option only (ties broken by a static rank). Only
    for classes with no coupling of their own (no account, no co-location), where an option is
    interchangeable with its class's column in every term but its own cost."""
    if cur.remote.account is not None or cur.klass.colocation is not None or cur.colocated is not None:
        return []
    out = []
    for i in cur.klass.members:
        if i == cur.remote.option.order:
            continue
        ev = planner.evaluate_one(comp, i, prob.units)
        if not ev.feasible or ev.monthly_usd is None or ev.account is not None:
            continue
        if abs((ev.own_usd or 0.0) - cur.own_remote) > 1e-9 or ev.pool_meters or ev.pool_limits:
            continue
        own = ev.own_usd or 0.0
        base = ev.account_credit_base_usd
        out.append(Column(cur.klass, ev, None, own, own, base, base))
    return out


def polish_lasting(
    planner: Planner,
    prob: Problem,
    sol: Solution,
    lasts: Callable[[str, Column], int],
    penalty: dict[tuple[str, int], float] | None = None,
) -> Solution:
    """Among stacks of the same cost, prefer the one that lasts: swap a component to another
    column that costs the whole stack no more and whose placement keeps fitting to a larger scale
    (``lasts``: the first unit where the column's placement no longer fits). Equal-cost options
    are otherwise ordered by a static rank, which would pick a free tier that runs out soon over
    one that lasts the whole range, and force a move later for nothing.

    A swap keeps every coupling of the solution: the same account (or a standalone one), no pooled
    draws, the latency limit, the vendor limit and the move penalties (it never moves something the
    plan keeps)."""
    penalty = penalty or {}
    accounts_used: dict[str, set[str]] = {}
    for c, col in sol.chosen.items():
        if col.remote.account is not None:
            accounts_used.setdefault(col.remote.account, set()).add(c)
    for comp in sorted(sol.chosen):
        cur = sol.chosen[comp]
        if cur.pool_use or cur.pool_limit_use:
            continue
        best, best_lasts = None, lasts(comp, cur)
        for col in [*prob.columns.get(comp, []), *_equal_cost_members(planner, prob, comp, cur)]:
            if col is cur or col.pool_use or col.pool_limit_use or col.own_remote > cur.own_remote + 1e-9:
                continue
            if col.remote.account != cur.remote.account:
                # leaving a shared account is fine (it stays for the others, with less usage);
                # joining one is not
                if col.remote.account is not None and col.remote.account in accounts_used:
                    continue  # joining another account changes what that account pays
                if any(
                    c != comp and o.remote.option.provider == col.remote.option.provider and o.remote.account
                    for c, o in sol.chosen.items()
                ):
                    continue  # one plan per account: another component holds this provider's account
            if penalty.get((comp, col.klass.index), 0.0) > penalty.get((comp, cur.klass.index), 0.0) + 1e-12:
                continue
            n = lasts(comp, col)
            if n <= best_lasts:
                continue
            trial = Solution(sol.units, True, chosen={**sol.chosen, comp: col})
            finish_solution(prob, trial)
            if trial.objective > sol.objective + 1e-9:
                continue
            if prob.latency_limit_ms is not None and any(
                v > prob.latency_limit_ms + 1e-9 for v in trial.latency_ms.values()
            ):
                continue
            if prob.max_vendors is not None and len(trial.vendors) > max(prob.max_vendors, len(sol.vendors)):
                continue
            best, best_lasts = trial, n
        if best is not None:
            sol = best
            accounts_used = {}
            for c, col in sol.chosen.items():
                if col.remote.account is not None:
                    accounts_used.setdefault(col.remote.account, set()).add(c)
    return sol
