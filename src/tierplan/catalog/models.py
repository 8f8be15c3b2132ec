"""Schema of the price catalog: one YAML file per provider, validated on load.

Vocabulary (see docs/catalog.md):

* A *provider* (``fly``) has *regions* and *services* (``machines``, ``postgres``...).
* A *service* hosts component kinds (``web_service``, ``postgres``...) and offers *plans*.
* A *plan* has a flat ``base_usd_month``, optional per-seat price and usage credit, optional
  instance *sizes* (priced per hour or per month, times a count), *meters* (graduated tiers on a
  demand metric; a free allowance is a $0 first tier) and *limits* (hard caps: going beyond
  headroom x max makes the plan infeasible, never billed).
* Every plan carries ``source`` (URL) and ``as_of`` (date); meters, limits and sizes may carry
  their own when a figure comes from another page.
* A price is a number, ``null`` (unknown: never treated as $0) or a mapping keyed by region id,
  region group or ``default``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..kinds import KINDS
from ..metrics import METRICS

__all__ = [
    "Account",
    "Addon",
    "StaticEgressIp",
    "NetworkAccess",
    "Price",
    "Tier",
    "Meter",
    "Limit",
    "InstanceSize",
    "Instances",
    "Attributes",
    "Plan",
    "Service",
    "Region",
    "Provider",
    "COMPONENT_KINDS",
]

#: Component kinds a service can host; the profile uses the same names (the table: kinds.py).
COMPONENT_KINDS = tuple(KINDS)
#: the same names for validation (tests check it equals COMPONENT_KINDS)
Kind = Literal[
    "web_service",
    "worker",
    "postgres",
    "sqlite",
    "redis",
    "kv",
    "object_storage",
    "web_frontend",
    "realtime",
    "turn",
    "queue",
    "email",
    "messaging",
    "uptime",
    "error_tracking",
    "logging",
    "auth",
    "scheduled_job",
]

NonNeg = Annotated[float, Field(ge=0)]
#: number, null (unknown) or {region-id | region-group | "country:XX" | "default": number | null}
Price = NonNeg | None | dict[str, NonNeg | None]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Provenance(_Strict):
    source: str | None = None
    as_of: dt.date | None = None
    note: str | None = None

    @field_validator("source")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("https://", "http://")):
            raise ValueError("source must be a URL (https://...)")
        return v


class Tier(_Strict):
    #: upper bound of this tier in metric units (null = unbounded)
    up_to: NonNeg | None = None
    usd_per_unit: Price


class Meter(Provenance):
    """A billable quantity: graduated tiers on one demand metric."""

    metric: str
    #: label of one priced unit, e.g. "GB-month", "1M requests"
    unit: str
    #: metric units per priced unit (1e6 when priced per million requests)
    unit_size: float = Field(1.0, gt=0)
    tiers: tuple[Tier, ...] = ()
    #: shorthands: included (free first tier, in metric units) + usd_per_unit
    included: NonNeg | None = None
    usd_per_unit: Price = None
    #: billed on provisioned capacity: provision_min when usage / headroom fits in it, else
    #: ceil(usage / headroom / step) * step
    provision_step: float | None = Field(None, gt=0)
    provision_min: NonNeg = 0.0
    name: str | None = None
    #: a quota of the account, not of this service: every component on the same account plan
    #: that has a meter with this pool id draws on one included amount (e.g. Workers Paid's 10M
    #: requests shared by Workers and Pages Functions). Pooled meters are monthly, with at most
    #: a free tier then one price.
    pool: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*$")

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, v: str) -> str:
        if v not in METRICS:
            raise ValueError(f"unknown metric {v!r}")
        return v

    @model_validator(mode="before")
    @classmethod
    def _expand_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("tiers"):
            if "usd_per_unit" not in data:
                raise ValueError("a meter needs `tiers` or `usd_per_unit`")
            tiers = []
            if data.get("included"):
                tiers.append({"up_to": data["included"], "usd_per_unit": 0.0})
            tiers.append({"up_to": None, "usd_per_unit": data["usd_per_unit"]})
            data = {**data, "tiers": tiers}
        return data

    @model_validator(mode="after")
    def _tiers_ordered(self) -> Meter:
        last = 0.0
        for i, t in enumerate(self.tiers):
            if t.up_to is None and i != len(self.tiers) - 1:
                raise ValueError("only the last tier may be unbounded (up_to: null)")
            if t.up_to is not None:
                if t.up_to <= last and i > 0:
                    raise ValueError("tier bounds must increase")
                last = t.up_to
        if self.pool is not None:
            if METRICS[self.metric].period != "month":
                raise ValueError(f"pooled meter {self.pool!r}: metric {self.metric} is not per month")
            priced = [t for t in self.tiers if not (t.usd_per_unit == 0 and t.up_to is not None)]
            if len(priced) != 1 or priced[0].up_to is not None or self.tiers[-1] is not priced[0]:
                raise ValueError(
                    f"pooled meter {self.pool!r}: needs at most a free tier and then one price (no other tiers)"
                )
            if self.provision_step is not None:
                raise ValueError(f"pooled meter {self.pool!r}: cannot be billed on provisioned capacity")
        return self

    @property
    def free_allowance(self) -> float:
        """Metric units billed at $0 before any charge (the free tier), 0 if none."""
        first = self.tiers[0]
        if first.usd_per_unit == 0 and first.up_to is not None:
            return first.up_to
        return 0.0


class Limit(Provenance):
    """A hard cap: usage above headroom x max does not fit (it is not billed)."""

    metric: str
    max: NonNeg
    #: `hard`: the service stops or refuses past it; `fair_use`: a stated fair-use ceiling
    kind: Literal["hard", "fair_use"] = "hard"
    #: false for small counts that are either allowed or not (1 seat, 3 projects): fits when used <= max
    headroom: bool = True
    #: a cap of the account, not of this service: the usage of every component on the same
    #: account plan with a limit of this pool id counts toward one max (e.g. Workers Free's
    #: 100,000 requests/day shared by Workers and Pages Functions)
    pool: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*$")

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, v: str) -> str:
        if v not in METRICS:
            raise ValueError(f"unknown metric {v!r}")
        return v


class InstanceSize(Provenance):
    id: str
    name: str | None = None
    vcpu: float = Field(gt=0)
    cpu_kind: Literal["shared", "dedicated", "performance", "burstable"] = "dedicated"
    #: fraction of each vCPU available sustained (shared/burstable CPUs), 1 for dedicated
    cpu_baseline_fraction: float = Field(1.0, gt=0, le=1)
    memory_mb: float = Field(gt=0)
    #: price of one instance running one hour, or one month (prorated over `month_hours`)
    usd_per_hour: Price = None
    usd_per_month: Price = None
    month_hours: float = Field(730.0, gt=0)
    #: compute units (Neon CU) when the plan bills CU-hours
    compute_units: float | None = Field(None, gt=0)
    #: per-instance caps (e.g. max_connections of a database size)
    max_connections: int | None = Field(None, gt=0)
    #: the provider's recommended maximum data size on this size (e.g. Supabase's per-compute
    #: guidance): a plan never puts more data on it
    max_storage_gb: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_price(self) -> InstanceSize:
        has_h = "usd_per_hour" in self.model_fields_set
        has_m = "usd_per_month" in self.model_fields_set
        if has_h and has_m:
            raise ValueError("give usd_per_hour or usd_per_month, not both")
        return self


class Instances(_Strict):
    sizes: tuple[InstanceSize, ...] = Field(min_length=1)
    min_count: int = Field(1, ge=1)
    max_count: int | None = Field(None, ge=1)
    #: multiplier applied to size prices per region (null = price unknown in that region)
    region_price_factor: dict[str, float | None] | None = None
    #: sizes may be counted in several instances (horizontal scaling); false for databases
    horizontal: bool = True


class Attributes(_Strict):
    """Plan facts that decide feasibility or appear as risks. Unset = not stated by the provider."""

    commercial_use: bool | None = None
    credit_card_required: bool | None = None
    scale_to_zero: bool | None = None
    sleeps_when_idle: bool | None = None
    idle_sleep_minutes: float | None = None
    cold_start_s: float | None = None
    pauses_after_inactive_days: float | None = None
    expires_after_days: float | None = None
    zero_downtime_deploys: bool | None = None
    backups: bool | None = None
    backup_retention_days: float | None = None
    pitr_days: float | None = None
    #: point-in-time restore is offered; with pitr_days unset its window is not published
    pitr_available: bool | None = None
    high_availability: bool | None = None
    persistent: bool | None = None
    #: false for self-run software (you patch, back up and fail over yourself)
    managed: bool | None = None
    stops_at_quota: bool | None = None
    runtimes: tuple[str, ...] | None = None
    serverless: bool | None = None
    #: can run server code to render pages (false for static-file hosts)
    server_rendering: bool | None = None
    sla: str | None = None
    #: scheduled runs are best effort: they may start late or be dropped under load (GitHub
    #: Actions schedules), so not for commercially critical timing
    schedule_best_effort: bool | None = None
    #: the seller is a resale of another provider (e.g. Upstash through Fly)
    notes: tuple[str, ...] = ()

    def merged(self, over: Attributes) -> Attributes:
        data = self.model_dump(exclude_unset=True)
        notes = tuple(self.notes) + tuple(n for n in over.notes if n not in self.notes)
        data.update(over.model_dump(exclude_unset=True))
        data["notes"] = notes
        return Attributes(**data)


class Addon(Provenance):
    """An optional extra bought on top of a plan that changes its attributes (PITR, HA...)."""

    id: str
    name: str
    base_usd_month: Price = 0.0
    attributes: Attributes = Attributes()

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        return check_slug(v)


class Account(Provenance):
    """An account-level plan (Cloudflare Workers Paid, a Railway workspace plan, Vercel Pro, a
    Supabase organization plan): bought once, it serves every plan that names it. An account is on
    one such plan at a time. Its fee, seats, usage credit and usage cap are shared by those plans."""

    id: str
    name: str
    base_usd_month: Price = 0.0
    seat_usd_month: Price = None
    usage_credit_usd_month: NonNeg = 0.0
    usage_credit_scope: Literal["all", "instances"] = "all"
    max_usage_usd_month: NonNeg | None = None
    attributes: Attributes = Attributes()

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        return check_slug(v)


class StaticEgressIp(Provenance):
    """How code on this service gets fixed outbound addresses that a store's IP allow list can name
    (docs/catalog.md#static-egress-ips). ``available: false``: the host offers none to a plan like
    this; ``usd_per_month: null``: offered, price unknown. Either way a caller here cannot reach a
    store that admits callers on other hosts by IP allow list only."""

    available: bool
    #: price of one unit (`per`); a number, null (unknown) or keyed by region like every price
    usd_per_month: Price = None
    #: what one price buys: one app (service) in one region, one app in every region, or every
    #: app of the account in one region (a NAT gateway serves the whole VPC)
    per: Literal["app_region", "app", "account_region"] = "app_region"
    #: the addresses may also be used by other customers of the provider (an allow list of them
    #: admits those customers' code too: the store's password and TLS still guard it)
    shared: bool = False
    #: how to get the addresses (shown in DEPLOY.md); {app} and {region} are filled in
    command: str | None = None


class NetworkAccess(Provenance):
    """How a store admits callers that are not on its provider's private network (a caller on
    another provider, or in another region): ``credentials`` (a public endpoint guarded by password
    and TLS: no fixed caller address needed), ``ip_allow_list`` (only the callers' addresses,
    listed: the caller needs a static egress IP) or ``private_network`` (not reachable from another
    provider at all). Unset means ``credentials``."""

    from_other_hosts: Literal["credentials", "ip_allow_list", "private_network"]


class Plan(Provenance):
    id: str
    name: str
    available: bool = True
    unavailable_since: dt.date | None = None
    #: plan hosts only these kinds (defaults to the service's)
    hosts: tuple[Kind, ...] | None = None
    base_usd_month: Price = 0.0
    seat_usd_month: Price = None
    usage_credit_usd_month: NonNeg = 0.0
    minimum_usd_month: NonNeg = 0.0
    #: usage (before credits) beyond this stops the service instead of being billed (Railway Free)
    max_usage_usd_month: NonNeg | None = None
    #: what the usage credit pays for: all usage, or only instance (compute) hours
    usage_credit_scope: Literal["all", "instances"] = "all"
    #: this plan only exists alongside another plan of the same provider ("service/plan"), whose
    #: flat fee is then part of this plan's cost (e.g. Supabase Storage needs the Pro org plan)
    requires: str | None = None
    #: region ids this plan is sold in (defaults to the service's)
    regions: Annotated[tuple[str, ...], Field(min_length=1)] | Literal["all", "global"] | None = None
    instances: Instances | None = None
    meters: tuple[Meter, ...] = ()
    limits: tuple[Limit, ...] = ()
    attributes: Attributes = Attributes()
    #: optional extras; each is considered as an alternative (plan alone, or plan + one add-on)
    addons: tuple[Addon, ...] = ()
    #: the account-level plan this plan belongs to (an id from the provider's `accounts`)
    account: str | None = None
    #: the plan's own static egress IP offer (overrides the service's)
    static_egress_ip: StaticEgressIp | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        return check_slug(v)


class Service(_Strict):
    id: str
    name: str
    hosts: tuple[Kind, ...] = Field(min_length=1)
    regions: Annotated[tuple[str, ...], Field(min_length=1)] | Literal["all", "global"] = "all"
    attributes: Attributes = Attributes()
    plans: tuple[Plan, ...] = Field(min_length=1)
    note: str | None = None
    #: code on this service: how it gets fixed outbound addresses (StaticEgressIp)
    static_egress_ip: StaticEgressIp | None = None
    #: a store: how it admits callers on other hosts (NetworkAccess)
    network_access: NetworkAccess | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        return check_slug(v)


class Region(_Strict):
    id: str
    city: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    #: pricing group (e.g. Fly's "na_eu", "apac", "africa_india")
    group: str | None = None
    name: str | None = None


class Provider(Provenance):
    provider: str
    name: str
    homepage: str
    attributes: Attributes = Attributes()
    regions: tuple[Region, ...] = ()
    #: account-level plans (see Account); plans refer to them by id
    accounts: tuple[Account, ...] = ()
    services: tuple[Service, ...] = Field(min_length=1)

    @field_validator("provider")
    @classmethod
    def _slug(cls, v: str) -> str:
        return check_slug(v)

    @model_validator(mode="after")
    def _consistent(self) -> Provider:
        region_ids = {r.id for r in self.regions}
        if len(region_ids) != len(self.regions):
            ids = [r.id for r in self.regions]
            dup = next(i for i in ids if ids.count(i) > 1)
            raise ValueError(f"region {dup!r} defined twice")
        groups = {r.group for r in self.regions if r.group}
        account_ids = {a.id for a in self.accounts}
        if len(account_ids) != len(self.accounts):
            raise ValueError("account ids must be unique")
        seen_services: set[str] = set()
        for s in self.services:
            if s.id in seen_services:
                raise ValueError(f"service {s.id!r} defined twice")
            seen_services.add(s.id)
            seen_plans: set[str] = set()
            for p in s.plans:
                if p.id in seen_plans:
                    raise ValueError(f"plan {s.id}.{p.id} defined twice")
                seen_plans.add(p.id)
                regs = p.regions if p.regions is not None else s.regions
                if isinstance(regs, tuple):
                    bad = [r for r in regs if r not in region_ids]
                    if bad:
                        raise ValueError(f"plan {s.id}.{p.id}: unknown regions {bad}")
                if p.account is not None and p.account not in account_ids:
                    raise ValueError(
                        f"plan {s.id}.{p.id}: account {p.account!r} is not in the provider's accounts"
                    )
                pooled = [m.pool for m in p.meters if m.pool] + [lim.pool for lim in p.limits if lim.pool]
                if pooled and p.account is None:
                    raise ValueError(
                        f"plan {s.id}.{p.id}: pool {pooled[0]!r} needs an account plan (`account:`) to belong to"
                    )
        for s in self.services:
            keys = set()
            if s.static_egress_ip is not None and isinstance(s.static_egress_ip.usd_per_month, dict):
                keys = set(s.static_egress_ip.usd_per_month)
            bad_keys = [k for k in keys if k != "default" and k not in region_ids and k not in groups]
            if bad_keys:
                raise ValueError(
                    f"service {s.id}: static_egress_ip price keyed by {bad_keys[0]!r}, which is no region id or group"
                )
        # a pool has one included amount, price and cap per account plan
        pools: dict[tuple[str, str, str], tuple[Any, ...]] = {}
        for s in self.services:
            for p in s.plans:
                for m in p.meters:
                    if m.pool:
                        sig = (m.free_allowance, str(m.tiers[-1].usd_per_unit), m.unit_size)
                        k = (str(p.account), "meter", m.pool)
                        if pools.setdefault(k, sig) != sig:
                            raise ValueError(
                                f"plan {s.id}.{p.id}: pooled meter {m.pool!r} differs from another plan "
                                f"of account {p.account!r} (included amount and price must be the same)"
                            )
                for lim in p.limits:
                    if lim.pool:
                        k = (str(p.account), "limit", lim.pool)
                        if pools.setdefault(k, (lim.max, lim.headroom)) != (lim.max, lim.headroom):
                            raise ValueError(
                                f"plan {s.id}.{p.id}: pooled limit {lim.pool!r} differs from another plan "
                                f"of account {p.account!r} (max must be the same)"
                            )
                if p.requires is not None:
                    rs, _, rp = p.requires.partition("/")
                    target = next((x for x in self.services if x.id == rs), None)
                    if target is None or not any(pp.id == rp for pp in target.plans):
                        raise ValueError(
                            f"plan {s.id}.{p.id}: requires unknown plan {p.requires!r} (use service/plan)"
                        )
                for key in _price_keys(p):
                    if key == "default" or key.startswith("country:"):
                        continue
                    if key not in region_ids and key not in groups:
                        raise ValueError(
                            f"plan {s.id}.{p.id}: price keyed by {key!r}, which is no region id or group"
                        )
        return self


def _price_keys(p: Plan) -> set[str]:
    keys: set[str] = set()

    def add(price: Price) -> None:
        if isinstance(price, dict):
            keys.update(price)

    add(p.base_usd_month)
    add(p.seat_usd_month)
    if p.static_egress_ip is not None:
        add(p.static_egress_ip.usd_per_month)
    for ad in p.addons:
        add(ad.base_usd_month)
    for m in p.meters:
        for t in m.tiers:
            add(t.usd_per_unit)
    if p.instances:
        for s in p.instances.sizes:
            add(s.usd_per_hour)
            add(s.usd_per_month)
        keys.update(p.instances.region_price_factor or {})
    return keys


def check_slug(v: str) -> str:
    import re

    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", v):
        raise ValueError(f"{v!r} is not a lowercase slug (a-z, 0-9, '-', '.')")
    return v
