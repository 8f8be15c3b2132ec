"""Whole-stack optimizer: the coupled choice at one scale point, solved exactly as a MILP (HiGHS).

Components are coupled by:

* account-level plans (Cloudflare Workers Paid, a Railway workspace, Vercel Pro, a Supabase
  organization): bought once, shared by every component on them; an account is on one plan;
* the end-to-end latency of an API request: user -> API round trip plus, for each component the
  API calls, round trips x the API -> component round trip (so API and database regions are
  chosen together);
* traffic between a data store and its callers, billed by the store's provider unless both sit
  with the same provider in the same region (private network);
* the number of vendors (a limit, or a monthly cost per vendor) and preferred providers.

Within a *class* of options (same component, provider, account plan, location, egress prices)
every coupling term is identical, so only the class's cheapest fitting option matters: the model
has one binary per class (columns.py derives the classes and their columns). See
docs/optimizer.md for the formulation.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from ..pricing import CostLine, Evaluation
from .columns import (
    APP_EGRESS_KINDS,
    DATA_CALLEES,
    Column,
    Klass,
    call_graph,
    callers_of,
    class_columns,
    classes,
    place_label,
    place_rtt,
    placement,
    placement_class,
    region_rtt,
    store_clients,
)
from .connections import connection_cap, opened_connections, redis_clients, with_actual
from .connections import fits as connections_fit
from .egress_ip import StaticIp, pair_rule, stack_static_ips, static_ip_of
from .planner import Planner
from .scale import usable_cap

# the model's columns are derived in columns.py; these names are part of this module's surface
__all__ = [
    "APP_EGRESS_KINDS",
    "DATA_CALLEES",
    "Klass",
    "Column",
    "Problem",
    "Solution",
    "build_problem",
    "fixed_solution",
    "solve",
    "finish_solution",
    "price_solution",
    "over_account_caps",
    "colocated_flags",
    "placement",
    "placement_class",
    "region_rtt",
    "place_label",
    "place_rtt",
    "redis_connection_rows",
    "call_graph",
    "callers_of",
    "store_clients",
    "class_columns",
]

#: objective weight of the static rank (deterministic ties; far below a cent)
TIE_WEIGHT = 1e-9


@dataclass
class Problem:
    units: int
    columns: dict[str, list[Column]]
    accounts: dict[str, tuple[float, float, float | None]]  # key -> (fixed, credit, cap)
    provider_accounts: dict[str, list[str]]
    calls: dict[str, dict[str, float]]  # web service -> {callee: round trips}
    callers: dict[str, list[str]]
    user_rtt: dict[str, dict[tuple[str, str], float]]  # component -> place (provider, location) -> ms
    #: (w, place_w, s, place_s) -> ms (places: Klass.place)
    rtt: dict[tuple[str, tuple[str, str], str, tuple[str, str]], float]
    latency_limit_ms: float | None
    headroom: float
    max_vendors: int | None
    vendor_cost: float
    prefer: set[str]
    prefer_bonus: float
    #: (account, pool) -> (included metric units, usd per metric unit beyond, billed as account usage)
    pools: dict[tuple[str, str], tuple[float, float, bool]] = field(default_factory=dict)
    #: (account, pool) -> usage that fits (headroom x max)
    pool_caps: dict[tuple[str, str], float] = field(default_factory=dict)
    #: Redis component -> (connections each client column opens, (component, class index) -> n;
    #: connections each of the Redis's columns accepts, class index -> usable limit or None)
    redis_connections: dict[str, tuple[dict[tuple[str, int], float], dict[int, float | None]]] = field(
        default_factory=dict
    )
    #: client column (component, class index) -> its static egress IP offer (egress_ip.py)
    static_ips: dict[tuple[str, int], StaticIp] = field(default_factory=dict)
    #: the store-clients graph: component that runs code -> the stores it connects to (web
    #: services: their callees; workers and realtime servers: every database and cache); static
    #: egress IPs and unreachable pairings are decided on it, latency on ``calls``
    clients: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Solution:
    units: int
    feasible: bool
    objective: float = math.inf
    monthly_usd: float = math.inf
    chosen: dict[str, Column] = field(default_factory=dict)
    colocated: dict[str, bool] = field(default_factory=dict)
    accounts: dict[str, float] = field(default_factory=dict)  # account key -> shared cost paid
    account_usage: dict[str, float] = field(default_factory=dict)  # account key -> usage its credit/cap see
    latency_ms: dict[str, float] = field(default_factory=dict)  # web service -> estimate
    #: web service -> [(leg, round-trip ms, round trips per request)]; the estimate is their sum
    latency_parts: dict[str, list[tuple[str, float, float]]] = field(default_factory=dict)
    vendors: list[str] = field(default_factory=list)
    items: dict[str, Evaluation] = field(default_factory=dict)  # per component, costs allocated

    def key(self) -> tuple[Any, ...]:
        """The stack's placements: per component its plan, region and add-on (sizes may change)."""
        return tuple(sorted((c, placement(col.remote.option)) for c, col in self.chosen.items()))


def colocated_flags(callers: dict[str, list[str]], chosen: dict[str, Column]) -> dict[str, bool]:
    """Which chosen components share the provider and region of every one of their callers.

    Derived from placements (not from the solver's co-location variables, which are free to be
    either value when private traffic costs nothing extra), so equal stacks compare equal.
    """
    out: dict[str, bool] = {}
    for comp, col in chosen.items():
        ws = [w for w in callers.get(comp, []) if w in chosen]
        out[comp] = bool(
            col.colocated is not None
            and ws
            and all(chosen[w].klass.colocation == col.klass.colocation for w in ws)
        )
    return out


# --------------------------------------------------------------------------- problem
def build_problem(
    planner: Planner,
    units: int,
    only: dict[str, Klass] | None = None,
    keep: dict[str, Klass] | None = None,
) -> Problem:
    """The coupled problem at ``units``; with ``only``, just those classes (pricing a fixed stack);
    with ``keep``, each component's current placement is offered as a class of its own too (so a
    move can be priced against staying)."""
    p = planner.profile
    calls = call_graph(planner)
    callers = callers_of(planner)
    clients = store_clients(planner)
    columns: dict[str, list[Column]] = {}
    accounts: dict[str, tuple[float, float, float | None]] = {}
    provider_accounts: dict[str, list[str]] = defaultdict(list)
    pools: dict[tuple[str, str], tuple[float, float, bool]] = {}
    pool_caps: dict[tuple[str, str], float] = {}
    locations: dict[str, dict[tuple[str, str], Any]] = defaultdict(dict)
    user_rtt: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
    for comp in p.components:
        cols = []
        klasses = classes(planner, comp) if only is None else [only[comp]]
        if keep is not None and comp in keep:
            klasses = [*klasses, keep[comp]]
        for k0 in klasses:
            for col in class_columns(planner, comp, k0, units):
                ev = col.remote
                if ev.account is not None and ev.pool_meters:
                    acct = ev.option.plan.account
                    as_usage = acct is not None and acct.usage_credit_scope == "all"
                    for pid, draw in ev.pool_meters.items():
                        if draw.usd_per_metric_unit is None:
                            key = (ev.account, f"{pid} (included only)")
                            pool_caps[key] = min(pool_caps.get(key, math.inf), draw.included)
                            continue
                        pools[(ev.account, pid)] = (draw.included, draw.usd_per_metric_unit, as_usage)
                if ev.account is not None:
                    for pid, (_used, thr) in ev.pool_limits.items():
                        key = (ev.account, pid)
                        pool_caps[key] = min(pool_caps.get(key, math.inf), thr)
                cols.append(col)
                if ev.account is not None and ev.account not in accounts:
                    acct = ev.option.plan.account
                    assert acct is not None
                    accounts[ev.account] = (
                        ev.account_fixed_usd,
                        acct.usage_credit_usd_month,
                        acct.max_usage_usd_month,
                    )
                    provider_accounts[ev.option.provider].append(ev.account)
                locations[comp][col.klass.place] = ev.option.region
                user_rtt[comp][col.klass.place] = ev.option.latency_ms
        columns[comp] = cols
    rtt: dict[tuple[str, tuple[str, str], str, tuple[str, str]], float] = {}
    for w, cs in calls.items():
        for s in cs:
            for lw, rw in locations[w].items():
                for ls, rs in locations[s].items():
                    rtt[(w, lw, s, ls)] = place_rtt(planner, (lw[0], rw), (ls[0], rs))
    r = p.requirements
    limit = r.max_latency_ms
    if only is not None:
        limit = None  # pricing a given stack: its latency was checked when it was chosen
    elif limit is None and calls:
        # default: within the slack of the best achievable end-to-end latency
        from ..options import DEFAULT_LATENCY_SLACK_MS

        best = 0.0
        for w, cs in calls.items():
            cand = []
            for lw, ms in user_rtt[w].items():
                t = ms + sum(
                    k * min((rtt[(w, lw, s, ls)] for ls in locations[s]), default=0.0) for s, k in cs.items()
                )
                cand.append(t)
            best = max(best, min(cand, default=0.0))
        limit = best + DEFAULT_LATENCY_SLACK_MS
    return Problem(
        units,
        columns,
        accounts,
        dict(provider_accounts),
        calls,
        dict(callers),
        dict(user_rtt),
        rtt,
        limit,
        r.headroom,
        r.max_vendors,
        r.vendor_cost_usd_month,
        set(r.providers.prefer),
        r.providers.prefer_bonus_usd_month,
        pools,
        pool_caps,
        redis_connection_rows(planner, columns),
        {
            (w, col.klass.index): static_ip_of(w, col, p.audience.main_country)
            for w in clients
            for col in columns.get(w, [])
        },
        clients,
    )


def redis_connection_rows(
    planner: Planner, columns: dict[str, list[Column]]
) -> dict[str, tuple[dict[tuple[str, int], float], dict[int, float | None]]]:
    """Per Redis component: what each client column opens and what each Redis column accepts
    (connections.py); the solver adds a row where some column has a limit."""
    out = {}
    for redis, clients in redis_clients(planner).items():
        caps = {col.klass.index: connection_cap(planner, col.remote) for col in columns.get(redis, [])}
        opened = {
            (w, col.klass.index): opened_connections(planner, w, col.remote, redis)
            for w in clients
            for col in columns.get(w, [])
        }
        out[redis] = (opened, caps)
    return out


# --------------------------------------------------------------------------- MILP
def solve(
    prob: Problem,
    objective: str = "cost",
    exclude: list[tuple[Any, ...]] | None = None,
    cost_cap: float | None = None,
    penalty: dict[tuple[str, int], float] | None = None,
) -> Solution:
    """Solve exactly. ``objective``: cost | latency | vendors. ``exclude``: stacks (Solution.key())
    to forbid (no-good cuts, for the next best). ``cost_cap``: monthly cost limit (for Pareto).
    ``penalty``: extra objective per (component, class index), e.g. a move's one-time cost spread
    over the payback period; it steers the choice but is not part of the stack's monthly cost."""
    import highspy
    import numpy as np

    from ..highs import new_highs

    cols: list[float] = []  # objective
    lo: list[float] = []
    hi: list[float] = []
    integ: list[bool] = []
    rows: list[tuple[dict[int, float], float, float]] = []

    def var(cost: float, lb: float = 0.0, ub: float = 1.0, integer: bool = True) -> int:
        cols.append(cost)
        lo.append(lb)
        hi.append(ub)
        integ.append(integer)
        return len(cols) - 1

    inf = highspy.kHighsInf
    x: dict[tuple[str, int], int] = {}
    cost_terms: dict[int, float] = {}
    for comp, cs in prob.columns.items():
        if not cs:
            return Solution(prob.units, False)
        for col in cs:
            rank = min(col.klass.members)
            x[(comp, col.klass.index)] = var(0.0)
            cost_terms[x[(comp, col.klass.index)]] = col.own_remote
            cols[x[(comp, col.klass.index)]] = TIE_WEIGHT * rank
        rows.append(({x[(comp, c.klass.index)]: 1.0 for c in cs}, 1.0, 1.0))
    # accounts
    y: dict[str, int] = {}
    zvar: dict[str, int] = {}
    for a, (fixed, _credit, _cap) in prob.accounts.items():
        y[a] = var(0.0)
        cost_terms[y[a]] = fixed
        zvar[a] = var(0.0, 0.0, inf, False)
        cost_terms[zvar[a]] = 1.0
    for _prov, accts in prob.provider_accounts.items():
        if len(accts) > 1:
            rows.append(({y[a]: 1.0 for a in accts}, 0.0, 1.0))
    # co-location variables and account usage rows
    q: dict[tuple[str, int], int] = {}
    for comp, cs in prob.columns.items():
        for col in cs:
            xi = x[(comp, col.klass.index)]
            if col.colocated is not None:
                qi = var(0.0, 0.0, 1.0, False)
                q[(comp, col.klass.index)] = qi
                cost_terms[qi] = -(col.own_remote - col.own_colocated)
                rows.append(({qi: 1.0, xi: -1.0}, -inf, 0.0))
                for w in prob.callers.get(comp, []):
                    same = [
                        x[(w, wc.klass.index)]
                        for wc in prob.columns[w]
                        if wc.klass.colocation == col.klass.colocation
                    ]
                    rows.append(({qi: 1.0, **{j: -1.0 for j in same}}, -inf, 0.0))

    # x[c,k] <= y[A]: one row per (component, account), since a component takes one class
    for comp, cs in prob.columns.items():
        by_acct: dict[str, list[int]] = defaultdict(list)
        for col in cs:
            if col.remote.account is not None:
                by_acct[col.remote.account].append(x[(comp, col.klass.index)])
        for a, js in by_acct.items():
            rows.append(({**{j: 1.0 for j in js}, y[a]: -1.0}, -inf, 0.0))
    # pooled quotas: o >= sum(use x) - included, o >= 0, priced per unit (as account usage when the
    # account's credit covers all usage); pooled caps: sum(use x) <= headroom x max
    pool_over: dict[tuple[str, str], int] = {}
    # (rows are scaled to units of the pool's size: requests come in millions, prices in
    # millionths of a dollar, and the solver works best with numbers near 1)
    pool_price: dict[tuple[str, str], float] = {}
    for (a, pid), (included, price, _as_usage) in prob.pools.items():
        uses = {
            x[(comp, col.klass.index)]: col.pool_use[pid]
            for comp, cs in prob.columns.items()
            for col in cs
            if col.remote.account == a and col.pool_use.get(pid)
        }
        scale = max([included, *uses.values(), 1e-9])
        o = var(0.0, 0.0, inf, False)
        pool_over[(a, pid)] = o
        pool_price[(a, pid)] = price * scale
        if not _as_usage:
            cost_terms[o] = price * scale
        rows.append(({o: 1.0, **{j: -u / scale for j, u in uses.items()}}, -included / scale, inf))
    for (a, pid), thr in prob.pool_caps.items():
        row_c: dict[int, float] = {}
        for comp, cs in prob.columns.items():
            for col in cs:
                if col.remote.account == a and col.pool_limit_use.get(pid):
                    row_c[x[(comp, col.klass.index)]] = col.pool_limit_use[pid]
        if row_c:
            scale = max([thr, *row_c.values(), 1e-9])
            rows.append(({j: v / scale for j, v in row_c.items()}, -inf, thr / scale))
    # Redis connections: what the chosen clients open <= what the chosen Redis plan accepts (a
    # column without a limit accepts the most any clients could open)
    for redis, (opened, caps) in prob.redis_connections.items():
        if all(v is None for v in caps.values()):
            continue
        most = sum(
            max((n for (w2, _i), n in opened.items() if w2 == w), default=0.0) for w in {w for w, _ in opened}
        )
        conn_row: dict[int, float] = {x[k]: n for k, n in opened.items()}
        for i, cap_n in caps.items():
            conn_row[x[(redis, i)]] = -(most if cap_n is None else min(cap_n, most))
        scale = max([most, 1.0])
        rows.append(({j: v / scale for j, v in conn_row.items()}, -inf, 0.0))
    for a, (_fixed, credit, cap) in prob.accounts.items():
        # z_a >= sum(base x - dbase q) - credit y ; and the shared usage cap
        row: dict[int, float] = {zvar[a]: 1.0, y[a]: credit}
        cap_row: dict[int, float] = {}
        for (a2, pid), (_inc, _price, as_usage) in prob.pools.items():
            if a2 == a and as_usage:
                row[pool_over[(a2, pid)]] = -pool_price[(a2, pid)]
                cap_row[pool_over[(a2, pid)]] = pool_price[(a2, pid)]
        for comp, cs in prob.columns.items():
            for col in cs:
                if col.remote.account != a:
                    continue
                xi = x[(comp, col.klass.index)]
                row[xi] = row.get(xi, 0.0) - col.base_remote
                cap_row[xi] = col.base_remote
                if (comp, col.klass.index) in q:
                    qi = q[(comp, col.klass.index)]
                    row[qi] = col.base_remote - col.base_colocated
                    cap_row[qi] = -(col.base_remote - col.base_colocated)
        rows.append((row, 0.0, inf))
        if cap is not None:
            cap_row[y[a]] = -usable_cap(cap, prob.headroom)
            rows.append((cap_row, -inf, 0.0))
    # vendors
    providers = sorted({col.klass.provider for cs in prob.columns.values() for col in cs})
    v: dict[str, int] = {}
    if prob.max_vendors is not None or prob.vendor_cost > 0 or prob.prefer or objective == "vendors":
        for pv in providers:
            v[pv] = var(0.0)
            cost_terms[v[pv]] = prob.vendor_cost - (prob.prefer_bonus if pv in prob.prefer else 0.0)
        for comp, cs in prob.columns.items():
            by_prov: dict[str, list[int]] = defaultdict(list)
            for col in cs:
                by_prov[col.klass.provider].append(x[(comp, col.klass.index)])
            for pv, js in by_prov.items():
                rows.append(({**{j: 1.0 for j in js}, v[pv]: -1.0}, -inf, 0.0))
    if prob.max_vendors is not None:
        rows.append(({v[pv]: 1.0 for pv in providers}, 0.0, float(prob.max_vendors)))
    # latency
    lat_terms: dict[str, dict[int, float]] = {}
    for w, callees in prob.calls.items():
        if w not in prob.columns:
            continue
        locs_w = sorted({c.klass.place for c in prob.columns[w]})
        rw = {
            lw: {x[(w, c.klass.index)]: 1.0 for c in prob.columns[w] if c.klass.place == lw}
            for lw in locs_w
        }
        expr: dict[int, float] = {}
        for lw in locs_w:
            for j, coef in rw[lw].items():
                expr[j] = expr.get(j, 0.0) + coef * prob.user_rtt[w][lw]
        present = [s for s in callees if s in prob.columns and prob.columns[s]]
        if len(present) == 1 and prob.latency_limit_ms is not None and objective != "latency":
            # one callee: a tight, pairwise form (no big-M): the callee must be in a location
            # close enough to wherever the caller is
            s = present[0]
            k = callees[s]
            for lw in locs_w:
                allowed = [
                    x[(s, c.klass.index)]
                    for c in prob.columns[s]
                    if prob.user_rtt[w][lw] + k * prob.rtt[(w, lw, s, c.klass.place)]
                    <= prob.latency_limit_ms + 1e-9
                ]
                row = {j: -1.0 for j in rw[lw]}
                for j in allowed:
                    row[j] = row.get(j, 0.0) + 1.0
                rows.append((row, 0.0, inf))  # sum(allowed callee classes) >= r[w, lw]
            lat_terms[w] = {}
            continue
        if prob.latency_limit_ms is not None and objective != "latency":
            # several callees: one row per caller location, with the tightest big-M:
            # sum_s k_s sum_m rtt(lw, m) x[s, m] <= budget(lw) + M(lw) (1 - r[w, lw])
            for lw in locs_w:
                budget = prob.latency_limit_ms - prob.user_rtt[w][lw]
                # valid cuts first: a callee place that breaks the budget even with every other
                # callee at its nearest place is ruled out for this caller place (tight rows)
                nearest = {
                    s2: callees[s2] * min(prob.rtt[(w, lw, s2, c.klass.place)] for c in prob.columns[s2])
                    for s2 in present
                }
                rest_min = sum(nearest.values())
                for s2 in present:
                    k2 = callees[s2]
                    allowed = [
                        x[(s2, c.klass.index)]
                        for c in prob.columns[s2]
                        if k2 * prob.rtt[(w, lw, s2, c.klass.place)] + rest_min - nearest[s2]
                        <= budget + 1e-9
                    ]
                    if len(allowed) < len(prob.columns[s2]):
                        cut = {j: -1.0 for j in rw[lw]}
                        for j in allowed:
                            cut[j] = cut.get(j, 0.0) + 1.0
                        rows.append((cut, 0.0, inf))  # sum(allowed classes of s2) >= r[w, lw]
                row = {}
                worst = 0.0
                for s2 in present:
                    k2 = callees[s2]
                    worst += k2 * max(prob.rtt[(w, lw, s2, c.klass.place)] for c in prob.columns[s2])
                    for c in prob.columns[s2]:
                        j = x[(s2, c.klass.index)]
                        row[j] = row.get(j, 0.0) + k2 * prob.rtt[(w, lw, s2, c.klass.place)]
                big_m = max(0.0, worst - budget)
                for j in rw[lw]:
                    row[j] = row.get(j, 0.0) + big_m
                rows.append((row, -inf, budget + big_m))
            lat_terms[w] = {}
            continue
        for s, k in callees.items():
            if s not in prob.columns or not prob.columns[s]:
                continue
            lam = var(0.0, 0.0, inf, False)
            expr[lam] = k
            big = max(prob.rtt[(w, lw, s, c.klass.place)] for lw in locs_w for c in prob.columns[s])
            for lw in locs_w:
                # lam >= sum_m rtt(lw, m) x[s, m] - big * (1 - r[w, lw])
                row = {lam: 1.0}
                for c in prob.columns[s]:
                    j = x[(s, c.klass.index)]
                    row[j] = row.get(j, 0.0) - prob.rtt[(w, lw, s, c.klass.place)]
                for j in rw[lw]:
                    row[j] = row.get(j, 0.0) - big
                rows.append((row, -big, inf))
        lat_terms[w] = expr
        if prob.latency_limit_ms is not None:
            rows.append((expr, -inf, prob.latency_limit_ms))
    # stores on other hosts: a store that admits outside clients by IP allow list only costs each
    # such client's static egress IP (g >= x[w,k] + sum of those store classes - 1, one g per unit
    # of price, shared where the unit is); a pairing that cannot work (no static IP offered or
    # its price unknown, a store on another provider's private network) is forbidden. Clients
    # are every component that runs code (prob.clients: workers too), not only the web services
    ip_var: dict[tuple[Any, ...], int] = {}
    for w, stores in prob.clients.items():
        for wc in prob.columns.get(w, []):
            xw = x[(w, wc.klass.index)]
            ip = prob.static_ips.get((w, wc.klass.index))
            for s in stores:
                need: list[int] = []
                banned: list[int] = []
                for sc in prob.columns.get(s, []):
                    rule = pair_rule(wc, sc)
                    if rule == "no" or (rule == "ip" and (ip is None or ip.usd is None)):
                        banned.append(x[(s, sc.klass.index)])
                    elif rule == "ip":
                        need.append(x[(s, sc.klass.index)])
                if banned:
                    rows.append(({xw: 1.0, **{j: 1.0 for j in banned}}, -inf, 1.0))
                if need and ip is not None and ip.usd is not None:
                    g = ip_var.get(ip.key)
                    if g is None:
                        g = ip_var[ip.key] = var(0.0, 0.0, 1.0, False)
                        cost_terms[g] = ip.usd
                    rows.append(({g: 1.0, xw: -1.0, **{j: -1.0 for j in need}}, -1.0, inf))
    # no-good cuts
    for key in exclude or []:
        chosen = [x[(c, i)] for c, i in _classes_of_key(prob, key)]
        if chosen:
            rows.append(({j: 1.0 for j in chosen}, -inf, float(len(chosen) - 1)))
    if cost_cap is not None:
        rows.append((dict(cost_terms), -inf, cost_cap))
    for (comp, ki), extra in (penalty or {}).items():
        if (comp, ki) in x:
            cols[x[(comp, ki)]] += extra
    # objective
    if objective == "cost":
        for j, coef in cost_terms.items():
            cols[j] += coef
    elif objective == "latency":
        for expr in lat_terms.values():
            for j, coef in expr.items():
                cols[j] += coef
        for j, coef in cost_terms.items():
            cols[j] += 1e-6 * coef  # among equally fast stacks, the cheapest
    elif objective == "vendors":
        for j in v.values():
            cols[j] += 1000.0
        for j, coef in cost_terms.items():
            cols[j] += coef
    else:  # pragma: no cover
        raise ValueError(objective)

    h = new_highs()
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-9)
    h.setOptionValue("mip_detect_symmetry", False)
    h.setOptionValue("threads", 1)
    n = len(cols)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.array(cols)
    lp.col_lower_ = np.array(lo)
    lp.col_upper_ = np.array(hi)
    lp.row_lower_ = np.array([r[1] for r in rows])
    lp.row_upper_ = np.array([r[2] for r in rows])
    starts, idx, vals = [0], [], []
    for r in rows:
        for j, cval in r[0].items():
            idx.append(j)
            vals.append(cval)
        starts.append(len(idx))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(idx, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(vals)
    # The LP relaxation first: these models are tight and its optimum is usually integral, and
    # an integral optimum of the relaxation is an optimum of the integer program (its bound is
    # attained). Only when it is fractional does branch and bound run. (HiGHS' MIP set-up costs
    # 10-20 ms even for a model solved at the root; the LP takes about 1 ms.)
    h.passModel(lp)
    h.run()
    sol = None
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        relaxed = h.getSolution().col_value
        ints = [j for j, b in enumerate(integ) if b]
        if all(abs(relaxed[j] - round(relaxed[j])) <= 1e-7 for j in ints):
            sol = list(relaxed)
            for j in ints:
                sol[j] = float(round(sol[j]))
    elif h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
        return Solution(prob.units, False)  # the relaxation is infeasible: so is the program
    if sol is None:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous for b in integ
        ]
        h.passModel(lp)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return Solution(prob.units, False)
        sol = h.getSolution().col_value
    out = Solution(prob.units, True)
    for comp, cs in prob.columns.items():
        for col in cs:
            if sol[x[(comp, col.klass.index)]] > 0.5:
                out.chosen[comp] = col
    finish_solution(prob, out)
    if objective == "cost" and prob.calls:
        from .polish import polish_latency

        out = polish_latency(prob, out, penalty or {})
    return out


def finish_solution(prob: Problem, out: Solution) -> None:
    """Co-location, vendors, latency legs and allocated costs of a chosen stack."""
    out.colocated = colocated_flags(prob.callers, out.chosen)
    out.vendors = sorted({col.remote.option.provider for col in out.chosen.values()})
    out.latency_ms, out.latency_parts = {}, {}
    for w, callees in prob.calls.items():
        if w not in out.chosen:
            continue
        lw = out.chosen[w].klass.place
        parts = [
            (f"users to {w} ({lw[1]}, population-weighted, last mile included)", prob.user_rtt[w][lw], 1.0)
        ]
        for s, k in callees.items():
            if s in out.chosen:
                ls = out.chosen[s].klass.place
                parts.append((f"{w} to {s} ({place_label(lw, ls)})", prob.rtt[(w, lw, s, ls)], k))
        out.latency_ms[w] = sum(ms * k for _, ms, k in parts)
        out.latency_parts[w] = parts
    out.items = {}
    out.accounts = {}
    out.account_usage = {}
    price_solution(prob, out)


def over_account_caps(prob: Problem, sol: Solution) -> bool:
    """Whether a priced stack bills an account beyond what its spend cap allows (the headroom
    rule for caps: scale.usable_cap)."""
    return any(
        cap is not None and sol.account_usage.get(a, 0.0) > usable_cap(cap, prob.headroom) + 1e-9
        for a, (_fixed, _credit, cap) in prob.accounts.items()
    )


def _classes_of_key(prob: Problem, key: tuple[Any, ...]) -> list[tuple[str, int]]:
    out = []
    for comp, place in key:
        for col in prob.columns.get(comp, []):
            if placement(col.remote.option) == place:
                out.append((comp, col.klass.index))
    return out


def _fmt_q(x: float) -> str:
    if x >= 1e6:
        return f"{x / 1e6:,.3g}M"
    return f"{x:,.0f}" if x >= 100 else f"{x:,.3g}"


def price_solution(prob: Problem, sol: Solution) -> None:
    """Allocate shared account costs to components and rebuild each item's cost lines."""
    by_account: dict[str, list[str]] = defaultdict(list)
    for comp, col in sol.chosen.items():
        if col.remote.account is not None:
            by_account[col.remote.account].append(comp)
    # pooled quotas: the account's overage, shared out in proportion to each component's use
    pool_total: dict[tuple[str, str], float] = defaultdict(float)
    for col in sol.chosen.values():
        for pid, q in col.pool_use.items():
            pool_total[(str(col.remote.account), pid)] += q
    pool_lines: dict[str, dict[tuple[str, str | None], CostLine]] = {}
    pool_own: dict[str, float] = defaultdict(float)
    pool_base: dict[str, float] = defaultdict(float)
    for comp, col in sol.chosen.items():
        a = str(col.remote.account)
        pool_lines[comp] = {}
        for pid, draw in col.remote.pool_meters.items():
            if (a, pid) not in prob.pools:
                continue  # price beyond the included amount unknown: kept within it (a cap)
            included, price, as_usage = prob.pools[(a, pid)]
            total_q = pool_total[(a, pid)]
            over = max(0.0, total_q - included)
            share = price * over * (draw.quantity / total_q) if total_q > 0 else 0.0
            (pool_base if as_usage else pool_own)[comp] += share
            users = [m for m in by_account[a] if sol.chosen[m].pool_use.get(pid)]
            ln = draw.line
            detail = (
                f"account total {_fmt_q(total_q)}, {_fmt_q(included)} included, shared by {', '.join(users)}"
                if len(users) > 1
                else ln.detail
            )
            pool_lines[comp][(ln.name, ln.metric)] = replace(ln, monthly_usd=share, detail=detail)

    ips_ok, ip_lines, ip_cost = stack_static_ips(prob.clients, sol.chosen, prob.static_ips)

    def base_of(m: str) -> float:
        c = sol.chosen[m]
        return (c.base_colocated if sol.colocated.get(m) else c.base_remote) + pool_base[m]

    total = 0.0
    for comp, col in sol.chosen.items():
        ev = col.colocated if (sol.colocated.get(comp) and col.colocated is not None) else col.remote
        own = (col.own_colocated if sol.colocated.get(comp) else col.own_remote) + pool_own[comp]
        base = base_of(comp)
        lines = [
            pool_lines[comp].get((ln.name, ln.metric), ln)
            for ln in ev.lines
            if not (
                ln.name.startswith("account plan:")
                or ln.name.startswith("account seats:")
                or ln.name.startswith("usage included in ")
            )
        ]
        if sol.colocated.get(comp):
            lines.append(
                CostLine(
                    "traffic to callers",
                    0,
                    "GB",
                    0.0,
                    None,
                    "same provider and region as its callers: private network, not billed",
                    "egress_gb_per_month",
                    ev.option.plan.source,
                    ev.option.plan.as_of.isoformat(),
                )
            )
        lines += ip_lines.get(comp, [])
        cost = own + base + ip_cost.get(comp, 0.0)
        acct = col.remote.account
        if acct is not None:
            members = by_account[acct]
            fixed, credit, _cap = prob.accounts[acct]
            usage_all = sum(base_of(m) for m in members)
            sol.account_usage[acct] = usage_all
            credit_used = min(credit, usage_all)
            share_credit = credit_used * (base / usage_all) if usage_all > 0 else 0.0
            fee_share = fixed if comp == members[0] else 0.0
            name = ev.option.plan.account.name if ev.option.plan.account else acct
            if fee_share:
                others = ", ".join(m for m in members if m != comp)
                lines.insert(
                    0,
                    CostLine(
                        f"account plan: {name}",
                        1,
                        "month",
                        fee_share,
                        fee_share,
                        "bought once" + (f"; also serves {others}" if others else ""),
                        None,
                        ev.option.plan.source,
                        ev.option.plan.as_of.isoformat(),
                    ),
                )
            if share_credit > 0:
                lines.append(
                    CostLine(
                        f"usage included in {name}",
                        1,
                        "month",
                        -share_credit,
                        None,
                        f"share of the account's ${credit:g} credit",
                        None,
                        ev.option.plan.source,
                        ev.option.plan.as_of.isoformat(),
                    )
                )
            cost += fee_share - share_credit
            sol.accounts[acct] = fixed + max(0.0, usage_all - credit) + sum(pool_own[m] for m in members)
        item = replace(ev, lines=lines, monthly_usd=cost)
        if comp in prob.redis_connections:
            opened = prob.redis_connections[comp][0]
            item = with_actual(item, sum(opened.get((w, k.klass.index), 0.0) for w, k in sol.chosen.items()))
        sol.items[comp] = item
        total += cost
    sol.monthly_usd = total
    sol.objective = total + prob.vendor_cost * len(sol.vendors)
    if not ips_ok:
        # a pairing no allow list can admit (only ever built by hand or by a swap): never chosen
        sol.monthly_usd = sol.objective = math.inf


def fixed_solution(planner: Planner, only: dict[str, Klass], u: int) -> Solution | None:
    """The stack whose components run in the placement classes ``only`` (provider, plan and
    region, any size: columns.placement_class), priced at scale u as a whole (shared accounts,
    pools, connections); None when it does not fit there. Latency is left to the caller (it does
    not change with u)."""
    prob = build_problem(planner, u, only=only)
    if any(len(prob.columns.get(comp, [])) != 1 for comp in only):
        # gone (does not fit), or several sizes that trade off own cost against shared parts
        if any(not prob.columns.get(comp) for comp in only):
            return None
        sol = solve(prob)
        return sol if sol.feasible else None
    out = Solution(u, True)
    for comp in only:
        out.chosen[comp] = prob.columns[comp][0]
    out.colocated = colocated_flags(prob.callers, out.chosen)
    for (a, pid), thr in prob.pool_caps.items():
        used = sum(c.pool_limit_use.get(pid, 0.0) for c in out.chosen.values() if c.remote.account == a)
        if used > thr * (1 + 1e-12) + 1e-9:
            return None
    if not connections_fit(planner, {c: col.remote for c, col in out.chosen.items()}):
        return None
    out.vendors = sorted({c.remote.option.provider for c in out.chosen.values()})
    price_solution(prob, out)
    if over_account_caps(prob, out):
        return None
    return out
