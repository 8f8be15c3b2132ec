"""The data pricing works on: an option, the requirements in force, and what an evaluation finds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..catalog.loader import PlanRef
from ..catalog.models import Addon, Attributes, InstanceSize, Plan, Region
from .prices import resolve_price

__all__ = [
    "Option",
    "ResolvedPrices",
    "Context",
    "Reason",
    "CostLine",
    "PoolDraw",
    "Evaluation",
    "size_hourly",
    "required_plan",
]

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
    _resolved: dict[str, ResolvedPrices] = field(init=False, repr=False, compare=False)

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

    def resolved(self, country: str) -> ResolvedPrices:
        r = self._resolved.get(country)
        if r is None:
            r = self._resolved[country] = ResolvedPrices.of(self, country)
        return r

    def hourly_price(self, country: str) -> float | None:
        """The size's price per hour (None: unknown, or no instance size): from the resolved prices
        when the option was evaluated already, else computed alone (most options never are)."""
        cached = self._resolved.get(country)
        if cached is not None:
            return cached.hourly
        if self.size is None or self.plan.plan.instances is None:
            return None
        return size_hourly(self, self.size, country)

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
class ResolvedPrices:
    """Static, per-option facts resolved once: prices for the region/country, source strings."""

    hourly: float | None
    as_of: str
    size_as_of: str
    size_source: str
    meter_as_of: tuple[str, ...]

    @staticmethod
    def of(opt: Option, country: str) -> ResolvedPrices:
        plan_asof = opt.plan.as_of
        size = opt.size
        return ResolvedPrices(
            hourly=size_hourly(opt, size, country)
            if (size is not None and opt.plan.plan.instances)
            else None,
            as_of=plan_asof.isoformat(),
            size_as_of=((size.as_of if size and size.as_of else plan_asof).isoformat()),
            size_source=(size.source if size and size.source else opt.plan.source),
            meter_as_of=tuple((m.as_of or plan_asof).isoformat() for m in opt.plan.plan.meters),
        )


def size_hourly(opt: Option, size: InstanceSize, country: str) -> float | None:
    """The price per hour of one instance of ``size`` in the option's region (None: unknown)."""
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


def required_plan(opt: Option) -> Plan:
    """The plan of another service that the option's plan requires (``requires: service/plan``)."""
    svc_id, _, plan_id = (opt.plan.plan.requires or "").partition("/")
    svc = next(x for x in opt.plan.provider.services if x.id == svc_id)
    return next(p for p in svc.plans if p.id == plan_id)


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
    #: how much busier the busiest day is than the average day (daily caps are met on it)
    busy_day_factor: float = 1.0


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
