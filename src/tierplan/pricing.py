"""cost(option, demand) -> monthly USD with line items, utilization, or infeasible with reasons.

Pure functions over plain data. One generic function prices every plan: instance sizes times a
count times running hours, graduated meters, flat fees, seats, usage credits and minimums.
A free allowance is a $0 first tier; a hard cap is a limit that makes the option infeasible.
An unknown price makes the cost unknown (None), never $0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .catalog.loader import PlanRef
from .catalog.models import Addon, Attributes, InstanceSize, Meter, Price, Region
from .engine.scale import headroom_applies, usable_limit
from .metrics import DAYS_PER_MONTH, HOURS_PER_MONTH, METRICS
from .workload import ComponentDemand

__all__ = ["Option", "Context", "Reason", "CostLine", "Evaluation", "evaluate", "resolve_price", "EPS"]

EPS = 1e-9
#: a scale-to-zero service stops outside the active hours only when it expects at most this many
#: requests per idle window (so it is idle about 90% of the time)
IDLE_EXPECTED_REQUESTS = 0.1


_ADDON_ATTRS: dict[tuple[int, int], tuple[Any, Any, Attributes]] = {}


@dataclass(frozen=True)
class Option:
    """One way to host a component: a plan, an instance size (if any) and a region (if any)."""

    plan: PlanRef
    size: InstanceSize | None
    region: Region | None
    latency_ms: float
    order: int = 0  # static tie-break rank (lower wins among equal costs)
    addon: Addon | None = None
    #: the plan's attributes with the add-on's on top (computed once)
    attributes: Attributes = field(init=False, repr=False, compare=False)

    #: prices resolved for this option's region, per audience country (filled on first use)
    _resolved: dict[str, _Resolved] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.addon is None:
            attrs = self.plan.attributes
        else:
            # one merge per (plan, add-on), not per size x region (the entry keeps both objects, so
            # a reused id() can never return another plan's attributes)
            key = (id(self.plan), id(self.addon))
            hit = _ADDON_ATTRS.get(key)
            if hit is not None and hit[0] is self.plan and hit[1] is self.addon:
                attrs = hit[2]
            else:
                attrs = self.plan.attributes.merged(self.addon.attributes)
                _ADDON_ATTRS[key] = (self.plan, self.addon, attrs)
        object.__setattr__(self, "attributes", attrs)
        object.__setattr__(self, "_resolved", {})

    def resolved(self, country: str) -> _Resolved:
        r = self._resolved.get(country)
        if r is None:
            r = self._resolved[country] = _Resolved.of(self, country)
        return r

    @property
    def provider(self) -> str:
        return self.plan.provider.provider

    @property
    def label(self) -> str:
        s = f"{self.plan.provider.name} {self.plan.plan.name}"
        inst = self.plan.plan.instances
        if self.size is not None and inst is not None and len(inst.sizes) > 1:
            s += f" {self.size.name or self.size.id}"
        if self.addon is not None:
            s += f" + {self.addon.name}"
        if self.region is not None:
            s += f" ({self.region.id})"
        return s


@dataclass(frozen=True)
class _Resolved:
    """Static, per-option facts resolved once: prices for the region/country, source strings."""

    hourly: float | None
    as_of: str
    size_as_of: str
    size_source: str
    meter_as_of: tuple[str, ...]

    @staticmethod
    def of(opt: Option, country: str) -> _Resolved:
        plan_asof = opt.plan.as_of
        size = opt.size
        return _Resolved(
            hourly=_size_hourly(opt, size, country)
            if (size is not None and opt.plan.plan.instances)
            else None,
            as_of=plan_asof.isoformat(),
            size_as_of=((size.as_of if size and size.as_of else plan_asof).isoformat()),
            size_source=(size.source if size and size.source else opt.plan.source),
            meter_as_of=tuple((m.as_of or plan_asof).isoformat() for m in opt.plan.plan.meters),
        )


@dataclass(frozen=True)
class Context:
    """Requirements in force at one scale point."""

    headroom: float
    commercial: bool
    country: str
    zero_downtime: bool = False
    high_availability: bool = False
    database_failover: bool = False
    no_cold_starts: bool = False
    backups: bool = False
    pitr_days: float = 0.0
    seats: int = 1
    #: minutes without requests before a scale-to-zero service stops (when the plan does not say)
    idle_minutes: float = 5.0


@dataclass(frozen=True)
class Reason:
    kind: str  # limit | capacity | attribute | requirement | price
    message: str
    metric: str | None = None
    limit: float | None = None
    threshold: float | None = None
    used: float | None = None


@dataclass(frozen=True)
class CostLine:
    name: str
    quantity: float
    unit: str
    monthly_usd: float | None
    unit_price_usd: float | None = None
    detail: str = ""
    metric: str | None = None
    source: str = ""
    as_of: str = ""


@dataclass(frozen=True)
class PoolDraw:
    """What one component draws from a quota its account shares (a pooled meter)."""

    quantity: float  # metric units this component uses
    charge_usd: float  # what the component alone would pay (its own included amount applied)
    included: float  # the account's included amount, metric units
    usd_per_metric_unit: float | None  # price beyond it (None: unknown, so usage must stay within)
    line: CostLine


@dataclass
class Evaluation:
    component: str
    option: Option
    feasible: bool
    monthly_usd: float | None
    lines: list[CostLine] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    instances: int = 1
    running_hours: float = 0.0
    utilization: dict[str, float] = field(default_factory=dict)
    included_used: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    signature: tuple[Any, ...] = ()
    #: account-level plan (provider/account) and its shared parts, for the whole-stack optimizer:
    #: the fixed fee and seats (counted once per account), the usage its credit applies to
    account: str | None = None
    account_fixed_usd: float = 0.0
    account_credit_base_usd: float = 0.0
    account_credit_used_usd: float = 0.0
    #: quotas shared by the account (pool id -> draw) and account-wide caps (pool id -> (used, max
    #: usage that fits)); the whole-stack optimizer adds them up over the account's components
    pool_meters: dict[str, PoolDraw] = field(default_factory=dict)
    pool_limits: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def own_usd(self) -> float | None:
        """Monthly cost without the account's fixed part and credit (they are shared)."""
        if self.monthly_usd is None:
            return None
        return (
            self.monthly_usd
            - self.account_fixed_usd
            + self.account_credit_used_usd
            - self.account_credit_base_usd
        )

    @property
    def priced(self) -> bool:
        return self.monthly_usd is not None


def resolve_price(price: Price, region: Region | None, country: str) -> float | None:
    """A number, None (unknown) or a mapping keyed by region id, group, country:XX, default."""
    if price is None or isinstance(price, int | float):
        return None if price is None else float(price)
    for key in (
        region.id if region else None,
        region.group if region else None,
        f"country:{country}",
        "default",
    ):
        if key is not None and key in price:
            v = price[key]
            return None if v is None else float(v)
    return None


def _size_hourly(opt: Option, size: InstanceSize, country: str) -> float | None:
    inst = opt.plan.plan.instances
    assert inst is not None
    if "usd_per_hour" in size.model_fields_set:
        base = resolve_price(size.usd_per_hour, opt.region, country)
    else:
        m = resolve_price(size.usd_per_month, opt.region, country)
        base = None if m is None else m / size.month_hours
    if base is None:
        return None
    if inst.region_price_factor is not None and base > 0:
        if opt.region is None or opt.region.id not in inst.region_price_factor:
            return None
        f = inst.region_price_factor[opt.region.id]
        if f is None:
            return None
        base *= f
    return base


def _tiered(meter: Meter, q: float, region: Region | None, country: str) -> tuple[float | None, int, str]:
    """Cost of q metric units through graduated tiers; (usd or None, top tier index, detail)."""
    cost = 0.0
    lower = 0.0
    top = 0
    parts: list[str] = []
    for i, t in enumerate(meter.tiers):
        upper = math.inf if t.up_to is None else t.up_to
        if q <= lower + EPS and i > 0:
            break
        in_tier = max(0.0, min(q, upper) - lower)
        top = i
        if in_tier > 0:
            price = resolve_price(t.usd_per_unit, region, country)
            if price is None:
                return None, i, f"price unknown beyond {_fmt(lower)} {meter.unit}"
            c = in_tier / meter.unit_size * price
            cost += c
            if price == 0:
                parts.append(f"{_fmt(in_tier)} free")
            else:
                parts.append(f"{_fmt(in_tier / meter.unit_size)} x ${price:g}")
        lower = upper
        if q <= upper:
            break
    return cost, top, " + ".join(parts)


def _fmt(x: float) -> str:
    if x >= 1e6 and x % 1e6 == 0:
        return f"{x / 1e6:g}M"
    if abs(x - round(x)) < 1e-9:
        return f"{int(round(x)):,}"
    return f"{x:,.3g}" if x < 100 else f"{x:,.1f}"


def _required_plan(opt: Option) -> Any:
    svc_id, _, plan_id = (opt.plan.plan.requires or "").partition("/")
    svc = next(x for x in opt.plan.provider.services if x.id == svc_id)
    return next(p for p in svc.plans if p.id == plan_id)


#: kinds that run the app's own code (deploys, instances); the others are data or SaaS services
COMPUTE_KINDS = ("web_service", "worker", "realtime")
DATA_KINDS = ("postgres", "sqlite", "redis")


def _attr_filters(opt: Option, d: ComponentDemand, ctx: Context) -> list[Reason]:
    a = opt.attributes
    cap = d.capacity
    out: list[Reason] = []
    compute = d.kind in COMPUTE_KINDS or d.kind == "web_frontend"
    if ctx.zero_downtime and compute and a.zero_downtime_deploys is False:
        out.append(
            Reason(
                "requirement",
                "deploys interrupt service (zero-downtime deploys required)",
                "requirement:zero_downtime",
            )
        )
    if ctx.no_cold_starts and a.sleeps_when_idle:
        out.append(
            Reason("requirement", "sleeps when idle (no cold starts required)", "requirement:no_cold_starts")
        )
    if ctx.zero_downtime and a.sleeps_when_idle and d.kind in COMPUTE_KINDS:
        out.append(
            Reason(
                "requirement",
                "sleeps when idle: requests wait for a cold start (zero downtime required)",
                "requirement:zero_downtime",
            )
        )
    inst = opt.plan.plan.instances
    if ctx.high_availability and d.kind in COMPUTE_KINDS:
        if a.high_availability is False or not (
            (inst and inst.horizontal) or a.serverless or a.high_availability
        ):
            out.append(
                Reason(
                    "requirement",
                    "cannot run a second instance for failover (high availability required)",
                    "requirement:high_availability",
                )
            )
    if ctx.database_failover and d.kind in ("postgres", "sqlite") and not a.high_availability:
        what = "not stated in the catalog" if a.high_availability is None else "not offered"
        out.append(
            Reason(
                "requirement",
                f"standby with automatic failover {what} (database failover required)",
                "requirement:database_failover",
            )
        )
    if ctx.backups and d.kind in ("postgres", "sqlite"):
        if not a.backups:
            out.append(Reason("requirement", "no backups (required from this scale)", "requirement:backups"))
        elif ctx.pitr_days and a.pitr_days is None:
            out.append(
                Reason(
                    "requirement",
                    f"point-in-time recovery window not stated in the catalog ({ctx.pitr_days:g} days required)",
                    "requirement:pitr_days",
                )
            )
        elif ctx.pitr_days and (a.pitr_days or 0) + EPS < ctx.pitr_days:
            out.append(
                Reason(
                    "requirement",
                    f"point-in-time recovery {a.pitr_days or 0:g} days < {ctx.pitr_days:g} required",
                    "requirement:pitr_days",
                )
            )
    if a.sleeps_when_idle and not cap.may_scale_to_zero and d.kind in COMPUTE_KINDS:
        out.append(
            Reason("attribute", f"sleeps when idle, but this {d.kind} must stay up (scale_to_zero: false)")
        )
    return out


def cost_floor(opt: Option, ctx: Context, active_hours_per_month: float) -> float:
    """A cost the option can never go below at any scale: its flat fees, and its minimum number of
    instances running at least the active hours. Used to skip options that cannot win."""
    plan = opt.plan.plan
    fees = 0.0
    for price in (plan.base_usd_month, opt.addon.base_usd_month if opt.addon else 0.0):
        v = resolve_price(price, opt.region, ctx.country)
        fees += v or 0.0
    if plan.requires is not None:
        fees += resolve_price(_required_plan(opt).base_usd_month, opt.region, ctx.country) or 0.0
    if "seat_usd_month" in plan.model_fields_set:
        fees += (resolve_price(plan.seat_usd_month, opt.region, ctx.country) or 0.0) * ctx.seats
    acct = opt.plan.account
    if acct is not None:
        fees += resolve_price(acct.base_usd_month, opt.region, ctx.country) or 0.0
        if "seat_usd_month" in acct.model_fields_set:
            fees += (resolve_price(acct.seat_usd_month, opt.region, ctx.country) or 0.0) * ctx.seats
    usage = 0.0
    if plan.instances is not None and opt.size is not None:
        # the price alone (not the whole _Resolved: most options are never evaluated)
        cached = opt._resolved.get(ctx.country)
        hourly = cached.hourly if cached is not None else _size_hourly(opt, opt.size, ctx.country)
        if hourly:
            usage = plan.instances.min_count * hourly * min(HOURS_PER_MONTH, active_hours_per_month)
    covered = max(0.0, usage - plan.usage_credit_usd_month - (acct.usage_credit_usd_month if acct else 0.0))
    return max(fees + covered, plan.minimum_usd_month)


def evaluate(opt: Option, d: ComponentDemand, ctx: Context) -> Evaluation:
    """Price ``opt`` for demand ``d`` under requirements ``ctx``."""
    plan = opt.plan.plan
    attrs = opt.attributes
    h = ctx.headroom
    cap = d.capacity
    ev = Evaluation(d.name, opt, True, 0.0)
    reasons = _attr_filters(opt, d, ctx)
    metrics: dict[str, float] = dict(d.metrics)

    # running hours: only components that may stop, on plans that can stop, when nothing requires them up
    always_on = (
        ctx.no_cold_starts
        or (ctx.database_failover and d.kind in DATA_KINDS)
        or ((ctx.high_availability or ctx.zero_downtime) and d.kind in COMPUTE_KINDS)
    )
    can_stop = bool(attrs.scale_to_zero) and cap.may_scale_to_zero and not always_on
    forced_sleep = bool(attrs.sleeps_when_idle)
    # outside the active hours it stops only if requests are rare enough to leave it idle for the
    # whole idle window (expected requests in the window <= 0.1, i.e. idle >= 90% of the time)
    idle_s = 60 * (attrs.idle_sleep_minutes if attrs.idle_sleep_minutes is not None else ctx.idle_minutes)
    off_hours_idle = cap.off_hours_rate_per_s * idle_s <= IDLE_EXPECTED_REQUESTS
    active_h = d.metrics.get("active_hours_per_month", HOURS_PER_MONTH)
    if (can_stop or forced_sleep) and off_hours_idle:
        hours = min(HOURS_PER_MONTH, active_h)
    else:
        hours = HOURS_PER_MONTH
    ev.running_hours = hours
    metrics["running_hours_per_month"] = hours

    lines: list[CostLine] = []
    unknown = False
    sig: list[Any] = [("hours", hours)]
    res = opt.resolved(ctx.country)
    src, asof = opt.plan.source, res.as_of

    inst = plan.instances
    if inst is not None and opt.size is not None:
        size = opt.size
        mem_cap = h * size.memory_mb
        need_fixed = cap.memory_mb_per_instance
        n_min = inst.min_count
        if inst.horizontal:
            n_min = max(n_min, cap.min_instances)
            if ctx.high_availability and d.kind in COMPUTE_KINDS:
                n_min = max(n_min, 2)
        n = n_min
        if need_fixed > mem_cap + EPS:
            reasons.append(
                Reason(
                    "capacity",
                    f"needs {need_fixed:g} MB of memory per instance, {size.id} has {size.memory_mb:g} MB ({h:.0%} usable)",
                    "memory_mb",
                    size.memory_mb,
                    mem_cap,
                    need_fixed,
                )
            )
        else:
            if cap.memory_mb_shared > 0:
                free = mem_cap - need_fixed
                n = max(n, math.ceil(cap.memory_mb_shared / free - EPS) if free > EPS else 10**9)
            sustained = size.vcpu * size.cpu_baseline_fraction
            if cap.cores_avg > 0:
                n = max(n, math.ceil(cap.cores_avg / (h * sustained) - EPS))
            if cap.cores_peak > 0:
                n = max(n, math.ceil(cap.cores_peak / (h * size.vcpu) - EPS))
            if size.max_connections and "connections" in metrics:
                n = max(n, math.ceil(metrics["connections"] / (h * size.max_connections) - EPS))
        if not inst.horizontal and n > max(inst.min_count, 1) and not reasons:
            reasons.append(
                Reason(
                    "capacity",
                    f"one {size.id} is not enough (needs the capacity of {n}) and this service does not scale out",
                    "instances",
                    1,
                    1,
                    n,
                )
            )
        if inst.max_count is not None and n > inst.max_count and not reasons:
            reasons.append(
                Reason(
                    "limit",
                    f"needs {n} instances, plan allows {inst.max_count}",
                    "instances",
                    inst.max_count,
                    inst.max_count,
                    n,
                )
            )
        n = max(n, 1)
        ev.instances = n
        sig.append((n,))
        metrics["instances"] = n
        metrics["instance_hours_per_month"] = n * hours
        metrics["vcpu_hours_per_month"] = n * size.vcpu * hours
        metrics["memory_gb_hours_per_month"] = n * size.memory_mb / 1024 * hours
        if size.compute_units:
            metrics["cu_hours_per_month"] = n * size.compute_units * hours
        metrics["memory_fraction"] = (need_fixed + cap.memory_mb_shared / n) / size.memory_mb
        if cap.cores_avg > 0:
            metrics["cpu_sustained_fraction"] = cap.cores_avg / (n * size.vcpu * size.cpu_baseline_fraction)
        if cap.cores_peak > 0:
            metrics["cpu_peak_fraction"] = cap.cores_peak / (n * size.vcpu)
        for k in ("memory_fraction", "cpu_sustained_fraction", "cpu_peak_fraction"):
            if k in metrics and not reasons:
                ev.utilization[k] = metrics[k]
        if size.max_connections and "connections" in metrics and not reasons:
            ev.utilization["connections"] = metrics["connections"] / (n * size.max_connections)
        hourly = res.hourly
        if hourly is None:
            unknown = True
            lines.append(
                CostLine(
                    f"{n} x {size.id}",
                    n * hours,
                    "instance-hours",
                    None,
                    None,
                    f"price unknown in {opt.region.id if opt.region else 'this region'}",
                    "instance_hours_per_month",
                    res.size_source,
                    res.size_as_of,
                )
            )
        else:
            usd = n * hours * hourly
            detail = f"{n} x {hours:,.0f} h x ${hourly:.5f}/h"
            lines.append(
                CostLine(
                    f"{n} x {size.id}",
                    n * hours,
                    "instance-hours",
                    usd,
                    hourly,
                    detail,
                    "instance_hours_per_month",
                    res.size_source,
                    res.size_as_of,
                )
            )
    else:
        # usage-billed or serverless hosts: what the workload actually uses
        if attrs.serverless and cap.serverless_memory_mb:
            metrics["memory_mb"] = cap.serverless_memory_mb  # an isolate, not a server process
        replicas = 1
        if d.kind in COMPUTE_KINDS and not attrs.serverless:
            replicas = max(cap.min_instances, 2 if ctx.high_availability else 1)
        ev.instances = replicas
        metrics["instances"] = replicas
        metrics["instance_hours_per_month"] = replicas * hours
        if cap.cores_avg > 0:
            metrics["cpu_used_vcpu_hours_per_month"] = cap.cores_avg * active_h
        if cap.memory_mb_per_instance > 0 or cap.memory_mb_shared > 0:
            metrics["memory_used_gb_hours_per_month"] = (
                (replicas * cap.memory_mb_per_instance + cap.memory_mb_shared) / 1024 * hours
            )

    # meters
    usage_usd = instance_usd = sum(ln.monthly_usd or 0.0 for ln in lines)
    for mi, m in enumerate(plan.meters):
        period = METRICS[m.metric].period
        q = metrics.get(m.metric, 0.0)
        billed = q
        if m.provision_step:
            need = q / h
            # the smallest size is provision_min; above it, sizes grow in provision_step steps
            # (Render disks: 1 GB or a multiple of 5 GB)
            billed = (
                m.provision_min
                if need <= m.provision_min + EPS
                else math.ceil(need / m.provision_step - EPS) * m.provision_step
            )
            if billed > 0:
                ev.utilization[f"{m.metric} (provisioned)"] = q / billed
        cost, top, detail = _tiered(m, billed, opt.region, ctx.country)
        sig.append((m.metric, top, billed if m.provision_step else None))
        allowance = m.free_allowance
        if allowance > 0:
            ev.included_used[m.metric] = q / allowance
        if cost is None:
            unknown = True
        else:
            if period == "day":
                cost *= DAYS_PER_MONTH
                detail = f"({detail}) per day x {DAYS_PER_MONTH:.2f} days"
            usage_usd += cost
        line = CostLine(
            m.name or m.metric.replace("_", " "),
            billed / m.unit_size,
            m.unit,
            cost,
            None,
            "; ".join(
                x
                for x in (
                    detail,
                    f"the account's {_fmt(allowance)} included is shared" if m.pool and allowance else "",
                )
                if x
            ),
            m.metric,
            m.source or src,
            res.meter_as_of[mi],
        )
        if cost != 0.0 or allowance > 0 or q > 0:
            lines.append(line)
        if m.pool and cost is not None:
            # an unknown price beyond the included amount is no price at all while usage stays
            # within it (the whole-stack optimizer then keeps the account's total within it)
            price = resolve_price(m.tiers[-1].usd_per_unit, opt.region, ctx.country)
            ev.pool_meters[m.pool] = PoolDraw(
                billed, cost, allowance, None if price is None else price / m.unit_size, line
            )

    # hard limits
    for lim in plan.limits:
        used = metrics.get(lim.metric, 0.0)
        thr = usable_limit(lim, h)
        use_headroom = headroom_applies(lim)
        if lim.max > 0:
            ev.utilization[lim.metric] = used / lim.max
        if lim.pool:
            ev.pool_limits[lim.pool] = (used, thr)
        if used > thr * (1 + 1e-12) + EPS:
            over = used / lim.max if lim.max else math.inf
            reasons.append(
                Reason(
                    "limit",
                    (
                        f"{lim.metric} {_fmt(used)} is {over:.1%} of the limit of {_fmt(lim.max)} (headroom allows {h:.0%})"
                        if use_headroom
                        else f"{lim.metric} {_fmt(used)} exceeds the limit of {_fmt(lim.max)}"
                    ),
                    lim.metric,
                    lim.max,
                    thr,
                    used,
                )
            )

    # flat fees, seats, credit, minimum
    base = resolve_price(plan.base_usd_month, opt.region, ctx.country)
    req_fee = 0.0
    if plan.requires is not None:
        req = _required_plan(opt)
        fee = resolve_price(req.base_usd_month, opt.region, ctx.country)
        if fee is None:
            unknown = True
        elif fee > 0:
            req_fee = fee
            req_line = CostLine(
                f"requires {opt.plan.provider.name} {req.name}",
                1,
                "month",
                fee,
                fee,
                f"{req.name} plan fee (needed for this service)",
                None,
                req.source or src,
                (req.as_of or opt.plan.as_of).isoformat(),
            )
            lines.insert(0, req_line)
    addon_fee = 0.0
    if opt.addon is not None:
        ad = opt.addon
        fee = resolve_price(ad.base_usd_month, opt.region, ctx.country)
        ad_src, ad_asof = ad.source or src, (ad.as_of or opt.plan.as_of).isoformat()
        if fee is None:
            unknown = True
            lines.insert(
                0,
                CostLine(
                    f"add-on: {ad.name}", 1, "month", None, None, "price unknown", None, ad_src, ad_asof
                ),
            )
        else:
            addon_fee = fee
            lines.insert(0, CostLine(f"add-on: {ad.name}", 1, "month", fee, fee, "", None, ad_src, ad_asof))
    if base is None:
        unknown = True
        lines.insert(0, CostLine("plan fee", 1, "month", None, None, "price unknown", None, src, asof))
    elif base > 0:
        lines.insert(0, CostLine("plan fee", 1, "month", base, base, "", None, src, asof))
    seat_total = 0.0
    if "seat_usd_month" in plan.model_fields_set:
        seat = resolve_price(plan.seat_usd_month, opt.region, ctx.country)
        if seat is None:
            unknown = True
            lines.insert(
                0, CostLine("seats", ctx.seats, "seats", None, None, "price unknown", None, src, asof)
            )
        else:
            seat_total = seat * ctx.seats
            lines.insert(
                0,
                CostLine(
                    "seats", ctx.seats, "seats", seat_total, seat, f"{ctx.seats} x ${seat:g}", None, src, asof
                ),
            )
    cap_usd = plan.max_usage_usd_month
    if cap_usd is not None and usage_usd > h * cap_usd + EPS:
        reasons.append(
            Reason(
                "limit",
                f"usage ${usage_usd:,.2f}/month exceeds {h:.0%} of the ${cap_usd:g} the plan allows (the service stops there)",
                "usage_usd_month",
                cap_usd,
                h * cap_usd,
                usage_usd,
            )
        )
    credit_used = 0.0
    if plan.usage_credit_usd_month > 0:
        covered = usage_usd if plan.usage_credit_scope == "all" else instance_usd
        credit_used = min(plan.usage_credit_usd_month, covered)
        sig.append(("credit", covered >= plan.usage_credit_usd_month))
        if credit_used > 0:
            lines.append(
                CostLine(
                    "included usage credit",
                    1,
                    "month",
                    -credit_used,
                    None,
                    f"up to ${plan.usage_credit_usd_month:g} of usage included",
                    None,
                    src,
                    asof,
                )
            )
    # the account-level plan (shared by every plan of this provider that names it)
    acct = opt.plan.account
    account_fixed = 0.0
    account_credit_used = 0.0
    credit_base = 0.0
    if acct is not None:
        a_src, a_asof = acct.source or src, (acct.as_of or opt.plan.as_of).isoformat()
        fee = resolve_price(acct.base_usd_month, opt.region, ctx.country)
        if fee is None:
            unknown = True
        elif fee > 0:
            account_fixed += fee
            lines.insert(
                0,
                CostLine(
                    f"account plan: {acct.name}",
                    1,
                    "month",
                    fee,
                    fee,
                    "shared by every service on this account",
                    None,
                    a_src,
                    a_asof,
                ),
            )
        if "seat_usd_month" in acct.model_fields_set:
            seat = resolve_price(acct.seat_usd_month, opt.region, ctx.country)
            if seat is None:
                unknown = True
            else:
                account_fixed += seat * ctx.seats
                lines.insert(
                    0,
                    CostLine(
                        f"account seats: {acct.name}",
                        ctx.seats,
                        "seats",
                        seat * ctx.seats,
                        seat,
                        f"{ctx.seats} x ${seat:g}",
                        None,
                        a_src,
                        a_asof,
                    ),
                )
        credit_base = usage_usd if acct.usage_credit_scope == "all" else instance_usd
        if acct.max_usage_usd_month is not None and credit_base > h * acct.max_usage_usd_month + EPS:
            reasons.append(
                Reason(
                    "limit",
                    f"usage ${credit_base:,.2f}/month exceeds {h:.0%} of the ${acct.max_usage_usd_month:g} the {acct.name} account allows (the service stops there)",
                    "usage_usd_month",
                    acct.max_usage_usd_month,
                    h * acct.max_usage_usd_month,
                    credit_base,
                )
            )
        if acct.usage_credit_usd_month > 0:
            account_credit_used = min(acct.usage_credit_usd_month, credit_base)
            sig.append(("account credit", credit_base >= acct.usage_credit_usd_month))
            if account_credit_used > 0:
                lines.append(
                    CostLine(
                        f"usage included in {acct.name}",
                        1,
                        "month",
                        -account_credit_used,
                        None,
                        f"up to ${acct.usage_credit_usd_month:g} of usage included (shared by the account)",
                        None,
                        a_src,
                        a_asof,
                    )
                )
    ev.account = opt.plan.account_key
    ev.account_fixed_usd = account_fixed
    ev.account_credit_base_usd = credit_base
    ev.account_credit_used_usd = account_credit_used
    total = (
        (base or 0.0)
        + req_fee
        + addon_fee
        + seat_total
        + usage_usd
        - credit_used
        + account_fixed
        - account_credit_used
    )
    if plan.minimum_usd_month > 0 and total < plan.minimum_usd_month:
        lines.append(
            CostLine(
                "minimum monthly charge",
                1,
                "month",
                plan.minimum_usd_month - total,
                None,
                f"minimum ${plan.minimum_usd_month:g}",
                None,
                src,
                asof,
            )
        )
        sig.append(("minimum", True))
        total = plan.minimum_usd_month
    else:
        sig.append(("minimum", False))

    ev.lines = lines
    ev.metrics = metrics
    ev.reasons = reasons
    ev.feasible = not reasons
    ev.monthly_usd = None if unknown else total
    ev.signature = tuple(sig)
    return ev
