"""The whole-stack model's columns: classes of interchangeable options, the columns that stand
for a class at a scale, the call graph and round trips between places.

Within a *class* of options (same component, provider, account plan, location, egress prices)
every coupling term is identical, so only the class's cheapest fitting option matters (or, on an
account plan with a usage credit or pooled quotas, the options not dominated on the parts that
combine with the rest of the account). ``whole_stack.build_problem`` assembles these columns into
the coupled problem; everything derived here is cached on the planner (``ModelCaches``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from ..geo import great_circle_km
from ..kinds import KINDS, kinds_where
from ..pricing import Evaluation, evaluate
from .planner import Planner, rank

__all__ = [
    "DATA_CALLEES",
    "APP_EGRESS_KINDS",
    "Klass",
    "Column",
    "placement",
    "placement_class",
    "call_graph",
    "callers_of",
    "classes",
    "region_rtt",
    "place_rtt",
    "place_label",
    "zero_egress",
    "class_columns",
]

#: component kinds an API calls over the network (latency and egress coupling)
DATA_CALLEES = kinds_where(lambda k: k.called_by_api)
#: kinds whose egress metric is traffic to the app (co-location makes it free)
APP_EGRESS_KINDS = kinds_where(lambda k: k.app_egress)


@dataclass(frozen=True)
class Klass:
    component: str
    index: int
    members: tuple[int, ...]  # option orders
    provider: str
    account: str | None
    location: str  # region id, or "edge" for global services
    colocation: tuple[str, str] | None  # (provider, region id) for private-network traffic

    @property
    def place(self) -> tuple[str, str]:
        """(provider, location): where the latency model puts the class (a round trip between
        different providers costs latency.cross_provider_ms more than one within a provider)."""
        return (self.provider, self.location)


@dataclass
class Column:
    klass: Klass
    remote: Evaluation
    colocated: Evaluation | None
    own_remote: float
    own_colocated: float
    base_remote: float
    base_colocated: float
    #: draws on the account's pooled quotas (pool id -> metric units) and pooled caps
    pool_use: dict[str, float] = field(default_factory=dict)
    pool_limit_use: dict[str, float] = field(default_factory=dict)


def placement(o: Any) -> tuple[str, str | None, str | None]:
    """Where and on what plan an option runs; resizing within a placement is not a move."""
    return (
        o.plan.key,
        o.region.id if o.region is not None else None,
        o.addon.id if o.addon is not None else None,
    )


def placement_class(planner: Planner, comp: str, o: Any) -> Klass:
    """A class holding every size of the option's placement (for pricing a kept stack)."""
    cache = planner.model_caches.placement
    key = (comp, placement(o))
    k = cache.get(key)
    if k is None:
        members = tuple(x.order for x in planner.options[comp].options if placement(x) == key[1])
        base = next(c for c in classes(planner, comp) if o.order in c.members)
        k = cache[key] = Klass(
            comp, -1 - len(cache), members, base.provider, base.account, base.location, base.colocation
        )
    return k


def call_graph(planner: Planner) -> dict[str, dict[str, float]]:
    """Round trips per request from each web service to the components it calls (derived once per
    planner; read-only)."""
    caches = planner.model_caches
    if caches.calls is None:
        caches.calls = _make_call_graph(planner)
    return caches.calls


def callers_of(planner: Planner) -> dict[str, list[str]]:
    """The web services that call each component (the call graph reversed; read-only)."""
    caches = planner.model_caches
    if caches.callers is None:
        callers: dict[str, list[str]] = defaultdict(list)
        for w, cs in call_graph(planner).items():
            for s in cs:
                callers[s].append(w)
        caches.callers = dict(callers)
    return caches.callers


def _make_call_graph(planner: Planner) -> dict[str, dict[str, float]]:
    p = planner.profile
    a = planner.assumptions
    out: dict[str, dict[str, float]] = {}
    for name, c in p.components.items():
        if not KINDS[c.kind].calls_stores:
            continue
        explicit = getattr(c, "calls", None)
        if explicit is not None:
            out[name] = {t: float(k) for t, k in explicit.items() if k > 0}
            continue
        calls: dict[str, float] = {}
        for other, oc in p.components.items():
            if KINDS[oc.kind].database:
                calls[other] = a["latency.db_round_trips_per_request"]
            elif KINDS[oc.kind].cache:
                calls[other] = a["latency.cache_round_trips_per_request"]
        out[name] = calls
    return out


def _location(ev_opt: Any) -> str:
    return ev_opt.region.id if ev_opt.region is not None else "edge"


def classes(planner: Planner, comp: str) -> list[Klass]:
    cache = planner.model_caches.classes
    if comp not in cache:
        cache[comp] = _make_classes(planner, comp)
    return cache[comp]


def _make_classes(planner: Planner, comp: str) -> list[Klass]:
    """Options that are interchangeable for every coupling term form one class.

    A component whose location matters (an API and what it calls) is split by provider, account
    plan, location and egress prices; any other component only by provider and account plan (or,
    when it has no account plans and vendors do not matter, not at all)."""
    from ..options import located_components

    kind = planner.profile.components[comp].kind
    located = comp in located_components(planner.profile)
    r = planner.profile.requirements
    vendors_matter = r.max_vendors is not None or r.vendor_cost_usd_month > 0 or bool(r.providers.prefer)
    opts = planner.options[comp].options
    if not located and not vendors_matter and not any(o.plan.account_key for o in opts):
        return [Klass(comp, 0, tuple(o.order for o in opts), "*", None, "*", None)] if opts else []
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for o in opts:
        if not located:
            groups[(o.provider, o.plan.account_key, "*", ())].append(o.order)
            continue
        egress_sig: tuple[Any, ...] = ()
        if kind in APP_EGRESS_KINDS:
            egress_sig = tuple(
                tuple((t.up_to, str(t.usd_per_unit)) for t in m.tiers)
                for m in o.plan.plan.meters
                if m.metric == "egress_gb_per_month"
            )
        key = (o.provider, o.plan.account_key, _location(o), egress_sig)
        groups[key].append(o.order)
    out = []
    for i, (key, members) in enumerate(sorted(groups.items(), key=lambda kv: min(kv[1]))):
        o = planner.options[comp].options[members[0]]
        coloc = (o.provider, o.region.id) if (o.region is not None and located) else None
        out.append(Klass(comp, i, tuple(members), key[0], key[1], key[2], coloc))
    return out


def place_rtt(planner: Planner, a: tuple[str, Any], b: tuple[str, Any]) -> float:
    """Round trip between (provider, region) places: region_rtt, plus latency.cross_provider_ms
    when the two are with different providers (the traffic leaves one network for another)."""
    cross = planner.assumptions["latency.cross_provider_ms"] if a[0] != b[0] else 0.0
    return region_rtt(planner, a[1], b[1]) + cross


def place_label(caller: tuple[str, str], callee: tuple[str, str]) -> str:
    """The callee's place as a latency explanation names it: its location, and whether it is with
    another provider than the caller."""
    return callee[1] + (", another provider" if caller[0] != callee[0] else "")


def region_rtt(planner: Planner, a: Any, b: Any) -> float:
    """Round trip between two places (regions, or 'edge' = near the users), cached."""
    cache = planner.model_caches.rtt
    key = (a.id if a is not None else None, b.id if b is not None else None)
    v = cache.get(key)
    if v is None:
        v = cache[key] = _region_rtt_uncached(planner, a, b)
    return v


def _region_rtt_uncached(planner: Planner, a: Any, b: Any) -> float:
    asm = planner.assumptions
    if a is None and b is None:
        return asm["latency.dc_overhead_ms"]
    if a is None or b is None:
        r = a or b
        # an edge location is near the users: the round trip is the users' path to that region
        # (population-weighted, without their last mile) + the data-centre overhead
        from ..geo import audience_path_ms

        return audience_path_ms(planner.profile.audience.shares, r.lat, r.lon, asm) + asm["latency.dc_overhead_ms"]
    km = great_circle_km(a.lat, a.lon, b.lat, b.lon)
    return (
        2 * km * asm["latency.route_factor"] / asm["latency.fiber_km_per_ms"] + asm["latency.dc_overhead_ms"]
    )


def zero_egress(ev: Evaluation, planner: Planner, units: int) -> Evaluation:
    d = planner.demand(units).components[ev.component]
    d2 = replace(d, metrics={**d.metrics, "egress_gb_per_month": 0.0})
    return evaluate(ev.option, d2, planner.context(units))


def _shared_parts(
    ev: Evaluation, capped: bool, pools: bool = True
) -> tuple[float, float, float, tuple[float, ...]]:
    """How an option combines with the rest of its account: (own cost, own cost + usage the credit
    sees, that usage again when the account has a usage cap, pooled uses), pooled charges taken out.

    With the rest of the account using R of the credit C, the option costs
    own + max(0, usage + R - C) = max(own, own + usage + R - C) beyond the fee: one option is never
    worse than another for any R exactly when it is no worse on own and on own + usage."""
    own, base = ev.own_usd or 0.0, ev.account_credit_base_usd
    if not pools:
        return own, own + base, base if capped else 0.0, ()
    acct = ev.option.plan.account
    as_usage = acct is not None and acct.usage_credit_scope == "all"
    for draw in ev.pool_meters.values():
        if as_usage:
            base -= draw.charge_usd
        else:
            own -= draw.charge_usd
    uses = tuple(ev.pool_meters[p].quantity for p in sorted(ev.pool_meters)) + tuple(
        ev.pool_limits[p][0] for p in sorted(ev.pool_limits)
    )
    return own, own + base, base if capped else 0.0, uses


def _class_columns(planner: Planner, comp: str, k: Klass, units: int) -> list[tuple[Klass, Evaluation]]:
    """The options that stand for class ``k`` in the problem.

    Usually one: the cheapest. On an account plan with a usage credit or pooled quotas, an option's
    own monthly cost does not tell how it combines with the others (the credit may already be used
    up; a pooled quota may be shared), so every option not dominated on (own cost, own cost +
    usage, usage under a cap, pooled use) gets a column of its own: the MILP then decides exactly."""
    acct = None
    if k.account is not None:
        acct = planner.options[comp].options[k.members[0]].plan.account
    if acct is None or len(k.members) == 1:
        ev = planner.best_among(comp, k.members, units)
        return [] if ev is None else [(k, ev)]
    # options that draw on the same pools through the same metrics draw the same amounts (the
    # demand is the component's): pools then shift every option alike and cannot reorder them
    sig_cache = planner.model_caches.pools_matter
    pools_matter = sig_cache.get((comp, k))
    if pools_matter is None:
        opts = planner.options[comp].options
        pools_matter = sig_cache[(comp, k)] = len({_pool_signature(opts[i].plan.plan) for i in k.members}) > 1
    capped = acct.max_usage_usd_month is not None
    if acct.usage_credit_usd_month <= 0 and not capped and not pools_matter:
        # no credit: usage adds up, so the cheapest option alone is the best in every stack
        ev = planner.best_among(comp, k.members, units)
        return [] if ev is None else [(k, ev)]
    front: list[tuple[tuple[float, float, float, tuple[float, ...]], Evaluation]] = []
    prune = not pools_matter and not capped
    for lb, i in sorted((planner.lower_bound(comp, i, units), i) for i in k.members):
        if lb == math.inf:
            break
        if prune and front and lb - front[0][1].account_fixed_usd >= min(f[1] for f, _ in front) - 1e-9:
            # every option left costs at least lb alone, so its own + usage is at least
            # lb - fee >= S (the least own + usage found), and while the credit lasts it costs at
            # least that too: the option with own + usage S is never worse (docs/optimizer.md)
            break
        e = planner.evaluate_one(comp, i, units)
        if not e.feasible or e.monthly_usd is None:
            continue
        parts = _shared_parts(e, capped, pools_matter)
        if any(_dominates(f, parts) for f, _ in front):
            continue
        front = [(f, fe) for f, fe in front if not _dominates(parts, f)]
        front.append((parts, e))
    if not front:
        return []
    front.sort(key=lambda t: (t[0][1], rank(t[1])))
    if len(front) == 1:
        return [(k, front[0][1])]
    cache = planner.model_caches.split_class
    out = []
    for _parts, e in front:
        key = (comp, k.index, e.option.order)
        sub = cache.get(key)
        if sub is None:
            sub = cache[key] = replace(k, index=10**6 + len(cache), members=(e.option.order,))
        out.append((sub, e))
    return out


def class_columns(planner: Planner, comp: str, k0: Klass, units: int) -> list[Column]:
    """The columns that stand for class ``k0`` at ``units`` (``_class_columns``), priced for the
    problem: each with its evaluation with traffic to its callers free (co-located), and its
    pooled draws taken out of its own cost. Derived once per planner, class and scale (classes are
    told apart by their index)."""
    cache = planner.model_caches.columns
    key = (comp, k0.index, units)
    cols = cache.get(key)
    if cols is None:
        cols = cache[key] = _make_columns(planner, comp, k0, units)
    return cols


def _make_columns(planner: Planner, comp: str, k0: Klass, units: int) -> list[Column]:
    kind = planner.profile.components[comp].kind
    called = bool(callers_of(planner).get(comp))
    cols = []
    for k, ev in _class_columns(planner, comp, k0, units):
        assert ev.monthly_usd is not None
        col_ev = None
        if kind in APP_EGRESS_KINDS and called and k.colocation is not None:
            col_ev = zero_egress(ev, planner, units)
            if not col_ev.feasible or col_ev.monthly_usd is None:
                col_ev = None
        own_r = ev.own_usd or 0.0
        own_c = (col_ev.own_usd or 0.0) if col_ev else own_r
        base_r = ev.account_credit_base_usd
        base_c = col_ev.account_credit_base_usd if col_ev else base_r
        pool_use: dict[str, float] = {}
        pool_limit_use: dict[str, float] = {}
        if ev.account is not None and ev.pool_meters:
            # pooled charges leave the column: the account's pool rows price them jointly
            acct = ev.option.plan.account
            as_usage = acct is not None and acct.usage_credit_scope == "all"
            for pid, draw in ev.pool_meters.items():
                if draw.usd_per_metric_unit is None:
                    # the price beyond the included amount is unknown: the account's total must
                    # stay within it (a cap, build_problem), and within it nothing is charged
                    pool_limit_use[f"{pid} (included only)"] = draw.quantity
                    continue
                pool_use[pid] = draw.quantity
                if as_usage:
                    base_r -= draw.charge_usd
                    base_c -= draw.charge_usd
                else:
                    own_r -= draw.charge_usd
                    own_c -= draw.charge_usd
        if ev.account is not None:
            for pid, (used, _thr) in ev.pool_limits.items():
                pool_limit_use[pid] = used
        cols.append(Column(k, ev, col_ev, own_r, own_c, base_r, base_c, pool_use, pool_limit_use))
    return cols


def _pool_signature(plan: Any) -> tuple[Any, ...]:
    return (
        tuple(sorted((m.pool, m.metric) for m in plan.meters if m.pool)),
        tuple(sorted((lim.pool, lim.metric) for lim in plan.limits if lim.pool)),
    )


def _dominates(
    a: tuple[float, float, float, tuple[float, ...]], b: tuple[float, float, float, tuple[float, ...]]
) -> bool:
    """a is no worse than b in every part (within a millionth of a cent)."""
    tol = 1e-9
    if a[0] > b[0] + tol or a[1] > b[1] + tol or a[2] > b[2] + tol:
        return False
    return not a[3] or (len(a[3]) == len(b[3]) and all(x <= y + tol for x, y in zip(a[3], b[3], strict=True)))
