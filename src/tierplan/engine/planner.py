"""The optimal stack at one scale point: the cheapest option per component that fits.

Components are independent in this model (each option's cost and feasibility depend only on its
own component's demand), so the cheapest stack is the cheapest option of each component: that
is exact, and tests check it against exhaustive search over whole stacks. Ties are broken by a
static rank (lower estimated latency first, then provider/plan/size/region ids), so the answer is
deterministic.

``Planner`` is pure: profile + catalog + assumptions in, evaluations out; it caches demand and
evaluations per scale so the phase sweep can revisit points cheaply.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..assumptions import Assumptions
from ..catalog.loader import Catalog
from ..errors import InfeasibleError
from ..options import ComponentOptions, build_options
from ..pricing import EPS, Context, Evaluation, cost_floor, evaluate
from ..profile import Profile, month_at_units
from ..units import plural
from ..workload import Demand, demand_at

__all__ = ["Planner", "StackPoint", "best_of", "cents"]


@dataclass
class StackPoint:
    scale: int
    month: float | None
    demand: Demand
    context: Context
    choices: dict[str, Evaluation]
    alternatives: dict[str, list[Evaluation]] = field(default_factory=dict)
    #: whole-stack details when the coupled optimizer chose it (latency, accounts, vendors)
    coupled: dict[str, Any] | None = None

    @property
    def monthly_usd(self) -> float:
        return sum(e.monthly_usd or 0.0 for e in self.choices.values())

    def key(self) -> tuple[tuple[str, int], ...]:
        return tuple((c, e.option.order) for c, e in self.choices.items())


#: decimals to which costs are compared (float noise below this is a tie, broken by static rank);
#: rounding is monotone, so the proofs in per_component.py hold for any value
RANK_DECIMALS = 9
RANK_UNIT = 10.0**-RANK_DECIMALS


def cents(usd: float) -> float:
    """A cost as ranked: rounded to RANK_DECIMALS."""
    return round(usd, RANK_DECIMALS)


def rank(e: Evaluation) -> tuple[float, int]:
    assert e.monthly_usd is not None
    return (cents(e.monthly_usd), e.option.order)


def _key(e: Evaluation) -> float:
    """Rank of an evaluation for lower bounds: its cost, or inf when it cannot be chosen."""
    return cents(e.monthly_usd) if (e.feasible and e.monthly_usd is not None) else math.inf


def best_of(evals: list[Evaluation]) -> Evaluation | None:
    """The cheapest feasible, priced evaluation; ties go to the lower static rank."""
    best: Evaluation | None = None
    for e in evals:
        if e.feasible and e.monthly_usd is not None and (best is None or rank(e) < rank(best)):
            best = e
    return best


@dataclass
class ModelCaches:
    """What the whole-stack model derives once per planner (whole_stack.py fills them): classes of
    interchangeable options, placement classes, the columns standing for a class at a scale, the
    call graph, round trips between places, which classes pools can reorder, and classes split by
    their shared parts."""

    classes: dict[str, Any] = field(default_factory=dict)
    placement: dict[Any, Any] = field(default_factory=dict)
    #: (component, class index, units) -> the columns standing for the class there
    columns: dict[tuple[str, int, int], Any] = field(default_factory=dict)
    #: the call graph (web service -> callee -> round trips) and its reverse
    calls: dict[str, dict[str, float]] | None = None
    callers: dict[str, list[str]] | None = None
    #: the store-clients graph (component running code -> stores it connects to; options.py)
    clients: dict[str, list[str]] | None = None
    rtt: dict[Any, float] = field(default_factory=dict)
    pools_matter: dict[Any, bool] = field(default_factory=dict)
    split_class: dict[Any, Any] = field(default_factory=dict)


class Planner:
    def __init__(
        self, profile: Profile, catalog: Catalog, assumptions: Assumptions, path: str = "<profile>"
    ) -> None:
        self.profile = profile
        self.catalog = catalog
        self.assumptions = assumptions
        self.path = path
        first = demand_at(profile, profile.scale.first, assumptions)
        self.options: dict[str, ComponentOptions] = build_options(
            profile, catalog, assumptions, {n: c.capacity for n, c in first.components.items()}
        )
        self._empty_caches()
        self._floors(first)
        self._seen: dict[str, set[int]] = {c: set() for c in self.options}
        self.evaluations_done = 0
        self.model_caches = ModelCaches()

    def _floor_inputs(self, first: Demand) -> tuple[Any, ...]:
        """What the cost floors depend on: the first scale's requirements (country, seats) and
        each component's active hours there."""
        ctx0 = self.context(self.profile.scale.first)
        return (
            ctx0,
            tuple((c, first.components[c].metrics.get("active_hours_per_month", 730.0)) for c in self.options),
        )

    def _floors(self, first: Demand) -> None:
        """Each option's cost floor (pricing/floor.py), a lower bound at every scale."""
        ctx0, hours = self._floor_inputs(first)
        active = dict(hours)
        self._floor_key = (ctx0, hours)
        self._floor: dict[str, list[float]] = {
            c: [round(cost_floor(o, ctx0, active[c]), 9) for o in co.options] for c, co in self.options.items()
        }
        self._floor_sorted = {c: sorted((f, i) for i, f in enumerate(fl)) for c, fl in self._floor.items()}

    def _empty_caches(self) -> None:
        self._demand: dict[int, Demand] = {}
        self._context: dict[int, Context] = {}
        # exact evaluations: (component, units) -> {option order: Evaluation}
        self._exact: dict[tuple[str, int], dict[int, Evaluation]] = {}
        self._complete: set[tuple[str, int]] = set()
        self._best: dict[tuple[str, int], Evaluation | None] = {}
        self._best_among: dict[tuple[str, tuple[int, ...], int], Evaluation | None] = {}
        # per component and option: sorted scales where it was evaluated, and its rank there
        # (inf when it did not fit or has no known price: it never fits or gets a price later)
        self._hist: dict[str, dict[int, tuple[list[int], list[float]]]] = {c: {} for c in self.options}

    def with_profile(self, profile: Profile) -> Planner:
        """A planner for the same app with other numbers (a sample of the profile's ranges: the
        same components and requirements): it shares this planner's options and cost floors, so
        only what is priced is computed, and starts with empty caches. Options were filtered
        at the point profile's first scale; a sample prices the same options."""
        new = copy.copy(self)
        new.profile = profile
        new._empty_caches()
        first = new.demand(profile.scale.first)
        if new._floor_inputs(first) != self._floor_key:
            new._floors(first)  # other seats or active hours: the floors must stay lower bounds
        new._seen = {c: set() for c in self.options}
        new.evaluations_done = 0
        new.model_caches = ModelCaches()
        return new

    @property
    def limit_share(self) -> float:
        """The share of each limit the plan may use (the profile's headroom; the rule that applies
        it is scale.usable_limit)."""
        return self.profile.requirements.headroom

    # ------------------------------------------------------------------ per scale
    def demand(self, units: int) -> Demand:
        d = self._demand.get(units)
        if d is None:
            d = self._demand[units] = demand_at(self.profile, units, self.assumptions, explain=False)
        return d

    def explained_demand(self, units: int) -> Demand:
        """Demand with every figure's formula and inputs (for reports and `explain`)."""
        return demand_at(self.profile, units, self.assumptions, explain=True)

    def context(self, units: int) -> Context:
        ctx = self._context.get(units)
        if ctx is not None:
            return ctx
        r = self.profile.requirements

        def on(x: int | None) -> bool:
            return x is not None and units >= x

        ctx = self._context[units] = Context(
            headroom=self.limit_share,
            commercial=self.profile.commercial,
            country=self.profile.audience.main_country,
            zero_downtime=on(r.zero_downtime_from),
            high_availability=on(r.high_availability_from),
            database_failover=on(r.database_failover_from),
            no_cold_starts=on(r.no_cold_starts_from),
            backups=on(r.backups_from),
            pitr_days=r.pitr_days if on(r.backups_from) else 0.0,
            seats=self.profile.team.seats,
            idle_minutes=self.assumptions["scale_to_zero.idle_minutes"],
            busy_day_factor=self.assumptions["limits.busy_day_factor"],
        )
        return ctx

    def evaluate_one(self, component: str, order: int, units: int) -> Evaluation:
        """The exact evaluation of one option at one scale (cached)."""
        key = (component, units)
        bucket = self._exact.get(key)
        if bucket is None:
            bucket = self._exact[key] = {}
        ev = bucket.get(order)
        if ev is None:
            ev = bucket[order] = evaluate(
                self.options[component].options[order],
                self.demand(units).components[component],
                self.context(units),
            )
            self.evaluations_done += 1
            xs, ks = self._hist[component].setdefault(order, ([], []))
            i = bisect.bisect_left(xs, units)
            xs.insert(i, units)
            ks.insert(i, _key(ev))
            self._seen[component].add(order)
        return ev

    def lower_bound(self, component: str, order: int, units: int) -> float:
        """A cost that the option cannot beat at ``units``: its cost at the largest evaluated scale
        at or below (costs never fall as demand grows), inf if it did not fit there, 0 if unknown."""
        xs, ks = self._hist[component].get(order, ((), ()))
        i = bisect.bisect_right(xs, units)
        return ks[i - 1] if i else self._floor[component][order]

    def best_among(self, component: str, members: tuple[int, ...], units: int) -> Evaluation | None:
        """The cheapest fitting option among ``members`` (option orders), evaluated lazily."""
        key = (component, members, units)
        if key in self._best_among:
            return self._best_among[key]
        best = self._cheapest(
            component, units, sorted((self.lower_bound(component, i, units), i) for i in members)
        )
        self._best_among[key] = best
        return best

    def by_lower_bound(self, component: str, units: int) -> Iterator[tuple[float, int]]:
        """(lower bound, option) pairs in increasing order. Options never evaluated have their
        static floor as bound (kept pre-sorted); only evaluated ones need a bound computed."""
        seen = self._seen[component]
        dyn = sorted((self.lower_bound(component, i, units), i) for i in seen)
        static = ((f, i) for f, i in self._floor_sorted[component] if i not in seen)
        return heapq.merge(dyn, static)

    def evaluations(self, component: str, units: int) -> list[Evaluation]:
        """Every option evaluated exactly at ``units`` (for alternatives and explanations)."""
        key = (component, units)
        if key not in self._complete:
            for i in range(len(self.options[component].options)):
                self.evaluate_one(component, i, units)
            self._complete.add(key)
        bucket = self._exact.get(key, {})
        return [bucket[i] for i in range(len(self.options[component].options))]

    def best(self, component: str, units: int) -> Evaluation | None:
        """The cheapest fitting option, evaluating only options whose lower bound could win."""
        key = (component, units)
        if key in self._best:
            return self._best[key]
        best = self._cheapest(component, units, self.by_lower_bound(component, units))
        self._best[key] = best
        return best

    def _cheapest(
        self, component: str, units: int, by_bound: Iterable[tuple[float, int]]
    ) -> Evaluation | None:
        """Branch and bound over (lower bound, option) pairs in increasing order: evaluate until no
        bound left can beat the best fitting option found."""
        best: Evaluation | None = None
        for lb, i in by_bound:
            if lb == math.inf:
                break
            if best is not None and (cents(lb), i) > rank(best):
                break
            ev = self.evaluate_one(component, i, units)
            if ev.feasible and ev.monthly_usd is not None and (best is None or rank(ev) < rank(best)):
                best = ev
        return best

    def point(self, units: int, alternatives: int = 0) -> StackPoint:
        choices: dict[str, Evaluation] = {}
        alts: dict[str, list[Evaluation]] = {}
        for comp in self.profile.components:
            b = self.best(comp, units)
            if b is None:
                raise self.infeasible(comp, units)
            choices[comp] = b
            if alternatives:
                alts[comp] = self.alternatives(comp, units, alternatives)
        d = self.demand(units)
        return StackPoint(units, d.month, d, self.context(units), choices, alts)

    def point_with(self, units: int, orders: dict[str, int]) -> StackPoint:
        """The stack at ``units`` when the optimal option of each component is already known
        (inside a proven phase): evaluates only those options."""
        d = self.demand(units)
        ctx = self.context(units)
        choices: dict[str, Evaluation] = {}
        for comp, order in orders.items():
            choices[comp] = self.evaluate_one(comp, order, units)
        return StackPoint(units, d.month, d, ctx, choices)

    def alternatives(
        self, component: str, units: int, n: int, chosen_plan: str | None = None
    ) -> list[Evaluation]:
        """Cheapest feasible option of each other plan (one per provider plan), best first; other
        than ``chosen_plan`` (the plan the stack runs), or than this component's own cheapest.

        Evaluates options in lower-bound order and stops once n plans are known to be the best."""
        if chosen_plan is None:
            best = self.best(component, units)
            chosen_plan = best.option.plan.key if best is not None else None
        per_plan: dict[str, Evaluation] = {}
        for lb, i in self.by_lower_bound(component, units):
            if lb == math.inf:
                break
            if len(per_plan) >= n:
                nth = sorted(per_plan.values(), key=rank)[n - 1]
                if (cents(lb), i) > rank(nth):
                    break
            k = self.options[component].options[i].plan.key
            if k == chosen_plan:
                continue
            if k in per_plan and (cents(lb), i) > rank(per_plan[k]):
                continue
            e = self.evaluate_one(component, i, units)
            if not e.feasible or e.monthly_usd is None:
                continue
            if k not in per_plan or rank(e) < rank(per_plan[k]):
                per_plan[k] = e
        return sorted(per_plan.values(), key=rank)[:n]

    def rejected(self, component: str, units: int) -> list[tuple[str, str]]:
        """(plan key, reason) for every plan with no fitting option at ``units``: why not X?"""
        by_plan: dict[str, list[int]] = {}
        for o in self.options[component].options:
            by_plan.setdefault(o.plan.key, []).append(o.order)
        out = []
        for key, orders in by_plan.items():
            if self.best_among(component, tuple(orders), units) is not None:
                continue  # some size of the plan fits
            # the smallest size in the nearest region, and the largest there: if the small one
            # only lacks capacity, the large one's reason says what really rules the plan out
            first = self.evaluate_one(component, orders[0], units)
            same = [i for i in orders if self.options[component].options[i].region == first.option.region]
            last = self.evaluate_one(component, same[-1], units)
            if first.feasible and last.feasible:
                out.append((key, "price unknown in the catalog (for this region or country)"))
                continue
            pick = first
            if not first.feasible and all(r.kind == "capacity" for r in first.reasons) and not last.feasible:
                pick = last
            elif first.feasible:
                pick = last
            out.append((key, pick.reasons[0].message))
        return sorted(out)

    def unpriced(self, component: str, units: int) -> list[Evaluation]:
        """Options that would fit but whose price is unknown in the catalog."""
        seen: dict[str, Evaluation] = {}
        for e in self.evaluations(component, units):
            if e.feasible and e.monthly_usd is None:
                seen.setdefault(e.option.plan.key + (f"@{e.option.region.id}" if e.option.region else ""), e)
        return list(seen.values())

    # ------------------------------------------------------------------ errors
    def infeasible(self, component: str, units: int) -> InfeasibleError:
        unit = self.profile.scale.unit
        evs = self.evaluations(component, units)
        by_plan: dict[str, list[str]] = defaultdict(list)
        for e in evs:
            if e.feasible and e.monthly_usd is None:
                by_plan[e.option.plan.key].append(
                    "price unknown in the catalog (for the regions or country of your users)"
                )
            for r in e.reasons[:1]:
                by_plan[e.option.plan.key].append(r.message)
        reasons = []
        for k, msgs in by_plan.items():
            # the reason of the largest size (last) is the most telling: even the biggest fails
            reasons.append(f"{k}: {msgs[-1]}")
        for ex in self.options[component].excluded:
            reasons.append(f"{ex.plan.key}: {ex.reason.message}")
        if not reasons:
            reasons.append(
                f"no provider in the catalog hosts kind {self.profile.components[component].kind!r}"
            )
        when = f"at {units:,} {unit}{'s' if units != 1 else ''}"
        if units != self.profile.scale.first:
            when = f"from {units:,} {plural(unit)} on"
        return InfeasibleError(
            f"{self.path}: no option fits component {component!r} {when} (headroom {self.limit_share:.0%})",
            reasons,
        )

    # ------------------------------------------------------------------ calendar
    def month_of(self, units: float) -> float | None:
        g = self.profile.scale.growth
        return month_at_units(g, units) if g else None

    def date_of(self, units: float) -> dt.date | None:
        g = self.profile.scale.growth
        if g is None or g.start_month is None:
            return None
        m = month_at_units(g, units)
        whole = int(m + EPS)
        y, mo = divmod(g.start_month.month - 1 + whole, 12)
        return dt.date(g.start_month.year + y, mo + 1, 1)
