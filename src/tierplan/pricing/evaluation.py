"""evaluate(option, demand, context): one option's monthly cost, fit and utilization.

``evaluate`` is a pipeline of sections. Each section is a pure function of the option, the demand,
the requirements and the figures earlier sections found (the metrics so far, the usage charges so
far); it returns its result (a small named tuple: reasons, metrics, cost lines, signature
entries... and its own figures), which ``evaluate`` keeps on its working state (``Working``) until
``Working.evaluation`` assembles them, in the order the single function used to find them:

1. ``requirement_reasons``: requirements and attributes that rule the plan out
2. ``running_hours``: the hours one instance runs per month
3. ``sized_instances`` (``instance_count``) or ``usage_instances``: the instances and what they cost
4. ``meter_charges`` (``meter_charge``): graduated meters, free allowances, pooled quotas
5. ``limit_checks`` (``limit_reason``): hard limits with headroom, pooled caps
6. ``plan_fees``: the plan fee, a required plan, an add-on, seats
7. ``usage_cap``: the plan's cap on usage charges
8. ``usage_credit``: the usage the plan includes
9. ``account_charges``: the account-level plan (fee, seats, cap, included usage; shared)
10. ``minimum_charge`` on ``monthly_total``: a minimum monthly charge
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from ..catalog.models import Instances, InstanceSize, Limit, Meter, Plan, Region
from ..engine.scale import busy_day_applies, headroom_applies, usable_limit
from ..kinds import KINDS
from ..metrics import DAYS_PER_MONTH, HOURS_PER_MONTH, METRICS
from ..workload import Capacity, ComponentDemand
from .model import Context, CostLine, Evaluation, Option, PoolDraw, Reason, required_plan
from .prices import EPS, fmt_quantity, resolve_price, tiered_cost

__all__ = [
    "IDLE_EXPECTED_REQUESTS",
    "InstancePart",
    "MeterCharge",
    "MeterPart",
    "LimitPart",
    "FeePart",
    "CreditPart",
    "AccountPart",
    "MinimumPart",
    "Working",
    "evaluate",
    "requirement_reasons",
    "running_hours",
    "instance_count",
    "sized_instances",
    "usage_instances",
    "meter_charge",
    "meter_charges",
    "limit_reason",
    "limit_checks",
    "plan_fees",
    "usage_cap",
    "usage_credit",
    "account_charges",
    "monthly_total",
    "minimum_charge",
]

#: a scale-to-zero service stops outside the active hours only when it expects at most this many
#: requests per idle window (so it is idle about 90% of the time)
IDLE_EXPECTED_REQUESTS = 0.1


#: an empty mapping for section results that found nothing (never changed)
_EMPTY: Mapping[Any, Any] = MappingProxyType({})


# --------------------------------------------------------------------------- section results
class InstancePart(NamedTuple):
    """The instances: how many run (``number``), the metrics they derive (in the order they are
    set), why they do not fit, their utilization, the instance-hours line (none on a usage-billed
    host)."""

    number: int
    metrics: Mapping[str, float]
    reasons: Sequence[Reason] = ()
    utilization: Mapping[str, float] = _EMPTY
    lines: Sequence[CostLine] = ()
    signature: Sequence[Any] = ()
    #: the instance price is unknown: so is the total
    unknown: bool = False


class MeterPart(NamedTuple):
    """The meters: the usage charges so far with the meters added (``usage_usd``), their lines,
    signature entries, utilization of provisioned sizes, shares of free allowances used and
    draws on pooled quotas."""

    usage_usd: float
    lines: Sequence[CostLine] = ()
    signature: Sequence[Any] = ()
    utilization: Mapping[str, float] = _EMPTY
    included_used: Mapping[str, float] = _EMPTY
    pool_meters: Mapping[str, PoolDraw] = _EMPTY
    unknown: bool = False


class LimitPart(NamedTuple):
    """The hard limits: why the usage does not fit, the utilization of each, and each pooled cap
    (pool id -> (used, most that fits))."""

    reasons: Sequence[Reason] = ()
    utilization: Mapping[str, float] = _EMPTY
    pool_limits: Mapping[str, tuple[float, float]] = _EMPTY


class FeePart(NamedTuple):
    """Flat monthly fees: the plan's (None: unknown), a required plan's, an add-on's, seats; their
    lines come before every other line (``front``, in display order)."""

    base_usd: float | None
    required_usd: float = 0.0
    addon_usd: float = 0.0
    seats_usd: float = 0.0
    front: Sequence[CostLine] = ()
    unknown: bool = False


class CreditPart(NamedTuple):
    """The part of the usage the plan's included credit pays (``used_usd``), as a negative line."""

    used_usd: float = 0.0
    lines: Sequence[CostLine] = ()
    signature: Sequence[Any] = ()


class AccountPart(NamedTuple):
    """The account-level plan: its fee and seats (``fixed_usd``, paid once per account; their
    lines come first), the usage its credit applies to, the credit this component alone would
    use, and why the usage does not fit its cap."""

    fixed_usd: float = 0.0
    credit_base_usd: float = 0.0
    credit_used_usd: float = 0.0
    front: Sequence[CostLine] = ()
    lines: Sequence[CostLine] = ()
    reasons: Sequence[Reason] = ()
    signature: Sequence[Any] = ()
    unknown: bool = False


class MinimumPart(NamedTuple):
    """The monthly total once a minimum charge is applied, and the charge's line."""

    total_usd: float
    lines: Sequence[CostLine] = ()
    signature: Sequence[Any] = ()


#: the results of sections that find nothing (shared: a result is never changed once made)
NO_INSTANCES = InstancePart(1, _EMPTY)
NO_METERS = MeterPart(0.0)
NO_LIMITS = LimitPart()
NO_FEES = FeePart(0.0)
NO_CREDIT = CreditPart()
NO_ACCOUNT = AccountPart()
NO_MINIMUM = MinimumPart(0.0)


@dataclass(slots=True)
class Working:
    """One evaluation in progress: the metrics (the demand's, then those the sections derive),
    the usage charges so far, and each section's result in pipeline order (a section not run yet
    holds its empty result). ``evaluation`` assembles them."""

    metrics: dict[str, float]
    requirements: list[Reason]
    hours: float = HOURS_PER_MONTH
    instances: InstancePart = NO_INSTANCES
    #: usage charges: of the instances, then with the meters added
    instance_usd: float = 0.0
    usage_usd: float = 0.0
    meters: MeterPart = NO_METERS
    limits: LimitPart = NO_LIMITS
    fees: FeePart = NO_FEES
    cap_reasons: Sequence[Reason] = ()
    credit: CreditPart = NO_CREDIT
    account: AccountPart = NO_ACCOUNT
    minimum: MinimumPart = NO_MINIMUM

    def evaluation(self, component: str, opt: Option) -> Evaluation:
        """The evaluation: reasons, lines and signature in the order the sections found them (the
        fees' and account's flat lines first); the total unknown if any price is."""
        inst, meters, limits, fees, account = (
            self.instances,
            self.meters,
            self.limits,
            self.fees,
            self.account,
        )
        reasons = [*self.requirements, *inst.reasons, *limits.reasons, *self.cap_reasons, *account.reasons]
        return Evaluation(
            component,
            opt,
            not reasons,
            None
            if (inst.unknown or meters.unknown or fees.unknown or account.unknown)
            else self.minimum.total_usd,
            lines=[
                *account.front,
                *fees.front,
                *inst.lines,
                *meters.lines,
                *self.credit.lines,
                *account.lines,
                *self.minimum.lines,
            ],
            reasons=reasons,
            instances=inst.number,
            running_hours=self.hours,
            utilization={**inst.utilization, **meters.utilization, **limits.utilization},
            included_used=dict(meters.included_used),
            metrics=self.metrics,
            signature=(
                ("hours", self.hours),
                *inst.signature,
                *meters.signature,
                *self.credit.signature,
                *account.signature,
                *self.minimum.signature,
            ),
            account=opt.plan.account_key,
            account_fixed_usd=account.fixed_usd,
            account_credit_base_usd=account.credit_base_usd,
            account_credit_used_usd=account.credit_used_usd,
            pool_meters=dict(meters.pool_meters),
            pool_limits=dict(limits.pool_limits),
        )


# --------------------------------------------------------------------------- the pipeline
def evaluate(opt: Option, d: ComponentDemand, ctx: Context) -> Evaluation:
    """Price ``opt`` for demand ``d`` under requirements ``ctx``: the sections in order."""
    plan = opt.plan.plan
    h = ctx.headroom
    w = Working(dict(d.metrics), requirement_reasons(opt, d, ctx))
    w.hours = running_hours(opt, d, ctx)
    w.metrics["running_hours_per_month"] = w.hours
    if plan.instances is not None and opt.size is not None:
        w.instances = sized_instances(opt, d, ctx, w.hours, w.metrics, bool(w.requirements))
    else:
        w.instances = usage_instances(opt, d, ctx, w.hours)
    w.metrics.update(w.instances.metrics)
    w.usage_usd = w.instance_usd = sum(ln.monthly_usd or 0.0 for ln in w.instances.lines)
    w.meters = meter_charges(opt, ctx, w.metrics, w.usage_usd)
    w.usage_usd = w.meters.usage_usd
    w.limits = limit_checks(plan.limits, w.metrics, h, ctx.busy_day_factor)
    w.fees = plan_fees(opt, ctx)
    w.cap_reasons = usage_cap(plan, w.usage_usd, h)
    w.credit = usage_credit(opt, ctx, w.usage_usd, w.instance_usd)
    w.account = account_charges(opt, ctx, w.usage_usd, w.instance_usd)
    w.minimum = minimum_charge(opt, ctx, monthly_total(w.fees, w.usage_usd, w.credit, w.account))
    return w.evaluation(d.name, opt)


# --------------------------------------------------------------------------- 1. requirements
def requirement_reasons(opt: Option, d: ComponentDemand, ctx: Context) -> list[Reason]:
    """Why the plan cannot host the component under the requirements in force (zero downtime,
    no cold starts, high availability, database failover, backups, point-in-time recovery), or
    at all (it sleeps, and the component must stay up). Empty when nothing rules it out."""
    a = opt.attributes
    cap = d.capacity
    kind = KINDS[d.kind]
    out: list[Reason] = []
    if ctx.zero_downtime and kind.deploys_code and a.zero_downtime_deploys is False:
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
    if ctx.zero_downtime and a.sleeps_when_idle and kind.runs_code:
        out.append(
            Reason(
                "requirement",
                "sleeps when idle: requests wait for a cold start (zero downtime required)",
                "requirement:zero_downtime",
            )
        )
    inst = opt.plan.plan.instances
    if ctx.high_availability and kind.runs_code:
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
    if ctx.database_failover and kind.database and not a.high_availability:
        what = "not stated in the catalog" if a.high_availability is None else "not offered"
        out.append(
            Reason(
                "requirement",
                f"standby with automatic failover {what} (database failover required)",
                "requirement:database_failover",
            )
        )
    if ctx.backups and kind.database:
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
    if a.sleeps_when_idle and not cap.may_scale_to_zero and kind.runs_code:
        out.append(
            Reason("attribute", f"sleeps when idle, but this {d.kind} must stay up (scale_to_zero: false)")
        )
    return out


# --------------------------------------------------------------------------- 2. running hours
def running_hours(opt: Option, d: ComponentDemand, ctx: Context) -> float:
    """Hours one instance runs per month: the active hours for a component that may stop, on a plan
    that stops (scale to zero, or sleeps when idle), when nothing requires it up and requests
    outside the active hours are rare enough to leave it idle; every hour otherwise."""
    attrs = opt.attributes
    cap = d.capacity
    kind = KINDS[d.kind]
    always_on = (
        ctx.no_cold_starts
        or (ctx.database_failover and kind.server_store)
        or ((ctx.high_availability or ctx.zero_downtime) and kind.runs_code)
    )
    can_stop = bool(attrs.scale_to_zero) and cap.may_scale_to_zero and not always_on
    forced_sleep = bool(attrs.sleeps_when_idle)
    # outside the active hours it stops only if requests are rare enough to leave it idle for the
    # whole idle window (expected requests in the window <= 0.1, i.e. idle >= 90% of the time)
    idle_s = 60 * (attrs.idle_sleep_minutes if attrs.idle_sleep_minutes is not None else ctx.idle_minutes)
    off_hours_idle = cap.off_hours_rate_per_s * idle_s <= IDLE_EXPECTED_REQUESTS
    active_h = d.metrics.get("active_hours_per_month", HOURS_PER_MONTH)
    if (can_stop or forced_sleep) and off_hours_idle:
        return min(HOURS_PER_MONTH, active_h)
    return HOURS_PER_MONTH


# --------------------------------------------------------------------------- 3. instances
def instance_count(
    inst: Instances,
    size: InstanceSize,
    cap: Capacity,
    ctx: Context,
    kind: str,
    connections: float | None,
    blocked: bool,
    storage_gb: float | None = None,
) -> tuple[int, list[Reason]]:
    """How many instances of ``size`` the capacity needs within headroom (memory per instance and
    shared, sustained and peak CPU, ``connections``), and why the plan cannot run them (memory per
    instance; then, unless ``blocked`` by an earlier reason: no scale-out, the plan's maximum)."""
    h = ctx.headroom
    reasons: list[Reason] = []
    mem_cap = h * size.memory_mb
    need_fixed = cap.memory_mb_per_instance
    n_min = inst.min_count
    if inst.horizontal:
        n_min = max(n_min, cap.min_instances)
        if ctx.high_availability and KINDS[kind].runs_code:
            n_min = max(n_min, 2)
    n = n_min
    if size.max_storage_gb is not None and storage_gb is not None and storage_gb > size.max_storage_gb + EPS:
        reasons.append(
            Reason(
                "capacity",
                f"{storage_gb:,.1f} GB of data is more than the {size.max_storage_gb:,g} GB the provider "
                f"recommends for {size.id}",
                "storage_gb",
                size.max_storage_gb,
                size.max_storage_gb,
                storage_gb,
            )
        )
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
        if size.max_connections and connections is not None:
            n = max(n, math.ceil(connections / (h * size.max_connections) - EPS))
    if not inst.horizontal and n > max(inst.min_count, 1) and not (blocked or reasons):
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
    if inst.max_count is not None and n > inst.max_count and not (blocked or reasons):
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
    return max(n, 1), reasons


def sized_instances(
    opt: Option, d: ComponentDemand, ctx: Context, hours: float, metrics: Mapping[str, float], blocked: bool
) -> InstancePart:
    """A plan with instance sizes: the count (``instance_count``), the metrics it derives
    (instance, vCPU, memory and compute-unit hours, memory and CPU fractions), their utilization
    (unless a reason rules the option out) and the instance-hours line."""
    inst, size = opt.plan.plan.instances, opt.size
    assert inst is not None and size is not None
    cap = d.capacity
    n, reasons = instance_count(
        inst, size, cap, ctx, d.kind, metrics.get("connections"), blocked, metrics.get("storage_gb")
    )
    out: dict[str, float] = {
        "instances": n,
        "instance_hours_per_month": n * hours,
        "vcpu_hours_per_month": n * size.vcpu * hours,
        "memory_gb_hours_per_month": n * size.memory_mb / 1024 * hours,
    }
    if size.compute_units:
        out["cu_hours_per_month"] = n * size.compute_units * hours
    out["memory_fraction"] = (cap.memory_mb_per_instance + cap.memory_mb_shared / n) / size.memory_mb
    if cap.cores_avg > 0:
        out["cpu_sustained_fraction"] = cap.cores_avg / (n * size.vcpu * size.cpu_baseline_fraction)
    if cap.cores_peak > 0:
        out["cpu_peak_fraction"] = cap.cores_peak / (n * size.vcpu)
    utilization: dict[str, float] = {}
    fits = not (blocked or reasons)
    for k in ("memory_fraction", "cpu_sustained_fraction", "cpu_peak_fraction"):
        v = out[k] if k in out else metrics.get(k)
        if v is not None and fits:
            utilization[k] = v
    if size.max_connections and "connections" in metrics and fits:
        utilization["connections"] = metrics["connections"] / (n * size.max_connections)
    if size.max_storage_gb and "storage_gb" in metrics and fits:
        utilization["storage_gb (recommended max)"] = metrics["storage_gb"] / size.max_storage_gb
    res = opt.resolved(ctx.country)
    hourly = res.hourly
    if hourly is None:
        line = CostLine(
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
    else:
        line = CostLine(
            f"{n} x {size.id}",
            n * hours,
            "instance-hours",
            n * hours * hourly,
            hourly,
            f"{n} x {hours:,.0f} h x ${hourly:.5f}/h",
            "instance_hours_per_month",
            res.size_source,
            res.size_as_of,
        )
    return InstancePart(n, out, reasons, utilization, (line,), ((n,),), hourly is None)


def usage_instances(opt: Option, d: ComponentDemand, ctx: Context, hours: float) -> InstancePart:
    """A usage-billed or serverless host: the replicas that run (two for high availability) and
    what the workload actually uses (CPU over the active hours, memory over the running hours)."""
    attrs = opt.attributes
    cap = d.capacity
    out: dict[str, float] = {}
    if attrs.serverless and cap.serverless_memory_mb:
        out["memory_mb"] = cap.serverless_memory_mb  # an isolate, not a server process
    replicas = 1
    if KINDS[d.kind].runs_code and not attrs.serverless:
        replicas = max(cap.min_instances, 2 if ctx.high_availability else 1)
    out["instances"] = replicas
    out["instance_hours_per_month"] = replicas * hours
    if cap.cores_avg > 0:
        out["cpu_used_vcpu_hours_per_month"] = cap.cores_avg * d.metrics.get(
            "active_hours_per_month", HOURS_PER_MONTH
        )
    if cap.memory_mb_per_instance > 0 or cap.memory_mb_shared > 0:
        out["memory_used_gb_hours_per_month"] = (
            (replicas * cap.memory_mb_per_instance + cap.memory_mb_shared) / 1024 * hours
        )
    return InstancePart(replicas, out)


# --------------------------------------------------------------------------- 4. meters
class MeterCharge(NamedTuple):
    """One meter priced: the units billed (the usage, or the provisioned size), the monthly cost
    (None: a price is unknown), the top tier reached, the free allowance and the cost line."""

    billed: float
    cost: float | None
    top_tier: int
    allowance: float
    line: CostLine
    #: usage / provisioned size, when the meter bills a provisioned size
    provisioned_use: float | None = None


def meter_charge(
    m: Meter, q: float, headroom: float, region: Region | None, country: str, source: str, as_of: str
) -> MeterCharge:
    """``q`` metric units through the meter's graduated tiers (a free allowance is a $0 first
    tier). A provisioned meter bills the size that holds ``q`` within headroom (``provision_min``,
    or a multiple of ``provision_step``); a daily meter is billed per day x days per month."""
    billed = q
    provisioned_use = None
    if m.provision_step:
        need = q / headroom
        # the smallest size is provision_min; above it, sizes grow in provision_step steps
        # (Render disks: 1 GB or a multiple of 5 GB)
        billed = (
            m.provision_min
            if need <= m.provision_min + EPS
            else math.ceil(need / m.provision_step - EPS) * m.provision_step
        )
        if billed > 0:
            provisioned_use = q / billed
    cost, top, detail = tiered_cost(m, billed, region, country)
    allowance = m.free_allowance
    if cost is not None and METRICS[m.metric].period == "day":
        cost *= DAYS_PER_MONTH
        detail = f"({detail}) per day x {DAYS_PER_MONTH:.2f} days"
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
                f"the account's {fmt_quantity(allowance)} included is shared" if m.pool and allowance else "",
            )
            if x
        ),
        m.metric,
        source,
        as_of,
    )
    return MeterCharge(billed, cost, top, allowance, line, provisioned_use)


def meter_charges(opt: Option, ctx: Context, metrics: Mapping[str, float], usage_usd: float) -> MeterPart:
    """Every meter of the plan (``meter_charge``) added to ``usage_usd``: a line for each meter
    that costs, includes an allowance or is used; the share of each allowance used; what each
    pooled meter draws from the account's quota."""
    plan = opt.plan.plan
    if not plan.meters:
        return MeterPart(usage_usd)
    res = opt.resolved(ctx.country)
    utilization: dict[str, float] = {}
    included_used: dict[str, float] = {}
    lines: list[CostLine] = []
    signature: list[Any] = []
    pool_meters: dict[str, PoolDraw] = {}
    unknown = False
    for mi, m in enumerate(plan.meters):
        q = metrics.get(m.metric, 0.0)
        mc = meter_charge(
            m, q, ctx.headroom, opt.region, ctx.country, m.source or opt.plan.source, res.meter_as_of[mi]
        )
        if mc.provisioned_use is not None:
            utilization[f"{m.metric} (provisioned)"] = mc.provisioned_use
        signature.append((m.metric, mc.top_tier, mc.billed if m.provision_step else None))
        allowance = mc.allowance
        if allowance > 0:
            included_used[m.metric] = q / allowance
        if mc.cost is None:
            unknown = True
        else:
            usage_usd += mc.cost
        if mc.cost != 0.0 or allowance > 0 or q > 0:
            lines.append(mc.line)
        if m.pool and mc.cost is not None:
            # an unknown price beyond the included amount is no price at all while usage stays
            # within it (the whole-stack optimizer then keeps the account's total within it)
            price = resolve_price(m.tiers[-1].usd_per_unit, opt.region, ctx.country)
            pool_meters[m.pool] = PoolDraw(
                mc.billed, mc.cost, allowance, None if price is None else price / m.unit_size, mc.line
            )
    return MeterPart(usage_usd, lines, signature, utilization, included_used, pool_meters, unknown)


# --------------------------------------------------------------------------- 5. limits
def limit_reason(lim: Limit, used: float, headroom: float, busy_day_factor: float = 1.0) -> Reason | None:
    """Why ``used`` does not fit the hard limit ``lim`` (beyond headroom x max, or beyond max for
    a configured count such as seats; a daily cap on the busiest day), or None when it fits."""
    thr = usable_limit(lim, headroom, busy_day_factor)
    if not used > thr * (1 + 1e-12) + EPS:
        return None
    over = used / lim.max if lim.max else math.inf
    busy = busy_day_applies(lim) and busy_day_factor != 1.0
    return Reason(
        "limit",
        (
            f"{lim.metric} {fmt_quantity(used)} on an average day is {over:.1%} of the daily cap of "
            f"{fmt_quantity(lim.max)}: a busy day ({busy_day_factor:g} x average) reaches "
            f"{used * busy_day_factor / lim.max:.1%} (headroom allows {headroom:.0%})"
            if busy
            else f"{lim.metric} {fmt_quantity(used)} is {over:.1%} of the limit of {fmt_quantity(lim.max)} (headroom allows {headroom:.0%})"
            if headroom_applies(lim)
            else f"{lim.metric} {fmt_quantity(used)} exceeds the limit of {fmt_quantity(lim.max)}"
        ),
        lim.metric,
        lim.max,
        thr,
        used,
    )


def limit_checks(
    limits: Sequence[Limit], metrics: Mapping[str, float], headroom: float, busy_day_factor: float = 1.0
) -> LimitPart:
    """Every hard limit: its utilization, the reason when it is exceeded (``limit_reason``), and
    for a cap the account shares, the usage and the most that fits."""
    if not limits:
        return NO_LIMITS
    utilization: dict[str, float] = {}
    pool_limits: dict[str, tuple[float, float]] = {}
    reasons: list[Reason] = []
    for lim in limits:
        used = metrics.get(lim.metric, 0.0)
        if lim.max > 0:
            utilization[lim.metric] = used / lim.max
        if lim.pool:
            pool_limits[lim.pool] = (used, usable_limit(lim, headroom, busy_day_factor))
        r = limit_reason(lim, used, headroom, busy_day_factor)
        if r is not None:
            reasons.append(r)
    return LimitPart(reasons, utilization, pool_limits)


# --------------------------------------------------------------------------- 6-8. plan fees and credit
def plan_fees(opt: Option, ctx: Context) -> FeePart:
    """The flat monthly fees: the plan's, a required plan's (``requires``), the add-on's, and
    seats x the team's seats. An unknown fee is a line with no price (the total is unknown)."""
    plan = opt.plan.plan
    src, asof = opt.plan.source, opt.resolved(ctx.country).as_of
    unknown = False
    front: list[CostLine] = []  # in reverse: each line goes before the previous ones
    base = resolve_price(plan.base_usd_month, opt.region, ctx.country)
    req_fee = 0.0
    if plan.requires is not None:
        req = required_plan(opt)
        fee = resolve_price(req.base_usd_month, opt.region, ctx.country)
        if fee is None:
            unknown = True
        elif fee > 0:
            req_fee = fee
            front.append(
                CostLine(
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
            )
    addon_fee = 0.0
    if opt.addon is not None:
        ad = opt.addon
        fee = resolve_price(ad.base_usd_month, opt.region, ctx.country)
        ad_src, ad_asof = ad.source or src, (ad.as_of or opt.plan.as_of).isoformat()
        if fee is None:
            unknown = True
            front.append(
                CostLine(f"add-on: {ad.name}", 1, "month", None, None, "price unknown", None, ad_src, ad_asof)
            )
        else:
            addon_fee = fee
            front.append(CostLine(f"add-on: {ad.name}", 1, "month", fee, fee, "", None, ad_src, ad_asof))
    if base is None:
        unknown = True
        front.append(CostLine("plan fee", 1, "month", None, None, "price unknown", None, src, asof))
    elif base > 0:
        front.append(CostLine("plan fee", 1, "month", base, base, "", None, src, asof))
    seat_total = 0.0
    if "seat_usd_month" in plan.model_fields_set:
        seat = resolve_price(plan.seat_usd_month, opt.region, ctx.country)
        if seat is None:
            unknown = True
            front.append(CostLine("seats", ctx.seats, "seats", None, None, "price unknown", None, src, asof))
        else:
            seat_total = seat * ctx.seats
            front.append(
                CostLine(
                    "seats", ctx.seats, "seats", seat_total, seat, f"{ctx.seats} x ${seat:g}", None, src, asof
                )
            )
    front.reverse()
    return FeePart(base, req_fee, addon_fee, seat_total, front, unknown)


def usage_cap(plan: Plan, usage_usd: float, headroom: float) -> tuple[Reason, ...]:
    """A plan whose service stops at a usage charge (``max_usage_usd_month``) does not fit when
    the usage goes beyond headroom x that cap."""
    cap_usd = plan.max_usage_usd_month
    if cap_usd is None or not usage_usd > headroom * cap_usd + EPS:
        return ()
    return (
        Reason(
            "limit",
            f"usage ${usage_usd:,.2f}/month exceeds {headroom:.0%} of the ${cap_usd:g} the plan allows (the service stops there)",
            "usage_usd_month",
            cap_usd,
            headroom * cap_usd,
            usage_usd,
        ),
    )


def usage_credit(opt: Option, ctx: Context, usage_usd: float, instance_usd: float) -> CreditPart:
    """The usage the plan includes (``usage_credit_usd_month``, on all usage or on instances
    only): the credit used, as a negative line."""
    plan = opt.plan.plan
    if not plan.usage_credit_usd_month > 0:
        return NO_CREDIT
    covered = usage_usd if plan.usage_credit_scope == "all" else instance_usd
    credit_used = min(plan.usage_credit_usd_month, covered)
    lines: tuple[CostLine, ...] = ()
    if credit_used > 0:
        lines = (
            CostLine(
                "included usage credit",
                1,
                "month",
                -credit_used,
                None,
                f"up to ${plan.usage_credit_usd_month:g} of usage included",
                None,
                opt.plan.source,
                opt.resolved(ctx.country).as_of,
            ),
        )
    return CreditPart(credit_used, lines, (("credit", covered >= plan.usage_credit_usd_month),))


# --------------------------------------------------------------------------- 9. account plan
def account_charges(opt: Option, ctx: Context, usage_usd: float, instance_usd: float) -> AccountPart:
    """The account-level plan shared by every plan of the provider that names it: its fee and
    seats (paid once per account), its cap on usage charges, and the usage it includes."""
    acct = opt.plan.account
    if acct is None:
        return NO_ACCOUNT
    h = ctx.headroom
    a_src = acct.source or opt.plan.source
    a_asof = (acct.as_of or opt.plan.as_of).isoformat()
    unknown = False
    fixed = 0.0
    front: list[CostLine] = []  # in reverse: each line goes before the previous ones
    fee = resolve_price(acct.base_usd_month, opt.region, ctx.country)
    if fee is None:
        unknown = True
    elif fee > 0:
        fixed += fee
        front.append(
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
            )
        )
    if "seat_usd_month" in acct.model_fields_set:
        seat = resolve_price(acct.seat_usd_month, opt.region, ctx.country)
        if seat is None:
            unknown = True
        else:
            fixed += seat * ctx.seats
            front.append(
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
                )
            )
    front.reverse()
    credit_base = usage_usd if acct.usage_credit_scope == "all" else instance_usd
    reasons: list[Reason] = []
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
    credit_used = 0.0
    signature: list[Any] = []
    lines: list[CostLine] = []
    if acct.usage_credit_usd_month > 0:
        credit_used = min(acct.usage_credit_usd_month, credit_base)
        signature.append(("account credit", credit_base >= acct.usage_credit_usd_month))
        if credit_used > 0:
            lines.append(
                CostLine(
                    f"usage included in {acct.name}",
                    1,
                    "month",
                    -credit_used,
                    None,
                    f"up to ${acct.usage_credit_usd_month:g} of usage included (shared by the account)",
                    None,
                    a_src,
                    a_asof,
                )
            )
    return AccountPart(fixed, credit_base, credit_used, front, lines, reasons, signature, unknown)


# --------------------------------------------------------------------------- 10. total
def monthly_total(fees: FeePart, usage_usd: float, credit: CreditPart, account: AccountPart) -> float:
    """Fees + usage - the plan's credit + the account's fixed part - the account's credit (an
    unknown plan fee counts as 0 here; the evaluation's total is then unknown)."""
    return (
        (fees.base_usd or 0.0)
        + fees.required_usd
        + fees.addon_usd
        + fees.seats_usd
        + usage_usd
        - credit.used_usd
        + account.fixed_usd
        - account.credit_used_usd
    )


def minimum_charge(opt: Option, ctx: Context, total: float) -> MinimumPart:
    """A plan's minimum monthly charge: the difference as a line when the total is below it."""
    plan = opt.plan.plan
    if plan.minimum_usd_month > 0 and total < plan.minimum_usd_month:
        line = CostLine(
            "minimum monthly charge",
            1,
            "month",
            plan.minimum_usd_month - total,
            None,
            f"minimum ${plan.minimum_usd_month:g}",
            None,
            opt.plan.source,
            opt.resolved(ctx.country).as_of,
        )
        return MinimumPart(plan.minimum_usd_month, (line,), (("minimum", True),))
    return MinimumPart(total, (), (("minimum", False),))
