"""The app profile (app.yaml): what the app is, who uses it, how it grows, what it needs.

Every key is documented in docs/profile.md; ``tierplan schema`` exports the JSON Schema built
from these models. Units are in the key names (``memory_mb``, ``storage_mb_per_unit``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from .catalog.models import COMPONENT_KINDS
from .catalog.payments import CurrencyCode, currency_code
from .catalog.payments import Method as PaymentMethod
from .errors import InputError, Problem
from .validation import problems_from
from .yamlio import LineMap, load_yaml

__all__ = ["Profile", "load_profile", "load_profile_lines", "Component", "Requirements", "Scale", "Growth", "RUNTIMES"]

RUNTIMES = (
    "go",
    "python",
    "node",
    "typescript",
    "javascript",
    "rust",
    "java",
    "ruby",
    "php",
    "elixir",
    "dotnet",
)
Runtime = Literal[
    "go", "python", "node", "typescript", "javascript", "rust", "java", "ruby", "php", "elixir", "dotnet"
]

Pos = Annotated[float, Field(gt=0)]
NonNeg = Annotated[float, Field(ge=0)]
Frac = Annotated[float, Field(ge=0, le=1)]
# "absurd" bounds: beyond these a figure is almost surely a unit mistake
Users = Annotated[int, Field(ge=1, le=100_000_000)]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- audience & scale
class Audience(_M):
    """Where users are. ``countries``: ISO 3166 alpha-2 codes, or a map code -> share of users."""

    countries: list[str] | dict[str, Frac] = Field(min_length=1)

    @field_validator("countries", mode="before")
    @classmethod
    def _iso_codes(cls, v: Any) -> Any:
        """Every code is in ISO 3166-1 alpha-2 (pycountry); a bad one gets a suggestion."""
        from .geo import codes_problem

        msg = codes_problem(v)
        if msg:
            raise ValueError(msg)
        return v

    @field_validator("countries")
    @classmethod
    def _codes(cls, v: list[str] | dict[str, float]) -> list[str] | dict[str, float]:
        if isinstance(v, dict) and abs(sum(v.values()) - 1.0) > 0.01:
            raise ValueError(f"country shares must add up to 1 (they add up to {sum(v.values()):.3f})")
        return v

    @property
    def shares(self) -> dict[str, float]:
        if isinstance(self.countries, dict):
            return dict(self.countries)
        return {c: 1.0 / len(self.countries) for c in self.countries}

    @property
    def main_country(self) -> str:
        s = self.shares
        return max(s, key=lambda c: (s[c], c))


class Growth(_M):
    """A growth curve: ``start`` units in month 0, growing each month until ``horizon_months``."""

    start: Users
    monthly_growth_pct: Annotated[float, Field(gt=0, le=500)] | None = None
    monthly_added: Annotated[float, Field(gt=0, le=10_000_000)] | None = None
    horizon_months: Annotated[int, Field(ge=1, le=120)] = 24
    start_month: dt.date | None = None

    @model_validator(mode="after")
    def _one_rate(self) -> Growth:
        if (self.monthly_growth_pct is None) == (self.monthly_added is None):
            raise ValueError("give exactly one of monthly_growth_pct or monthly_added")
        return self

    @field_validator("start_month", mode="before")
    @classmethod
    def _month(cls, v: Any) -> Any:
        if isinstance(v, str) and len(v) == 7:
            return f"{v}-01"
        return v


class Scale(_M):
    """The scale unit and where the plan sweeps: explicit stages or a growth curve."""

    unit: str = "user"
    users_per_unit: Annotated[float, Field(ge=1, le=1_000_000)] = 1
    stages: list[Users] | None = Field(None, min_length=1)
    growth: Growth | None = None
    #: months of accumulated data at each stage (stages), or of the starting units (growth)
    data_age_months: Annotated[float, Field(ge=0, le=240)] | None = None

    @model_validator(mode="after")
    def _one_mode(self) -> Scale:
        if self.stages is None and self.growth is None:
            raise ValueError("give `stages` (e.g. [50, 200, 500]) or a `growth` curve")
        if self.stages is not None and self.growth is not None:
            raise ValueError("give `stages` or a `growth` curve, not both")
        if self.stages is not None and self.stages != sorted(set(self.stages)):
            raise ValueError("stages must be increasing and distinct")
        return self

    @property
    def first(self) -> int:
        if self.stages:
            return self.stages[0]
        assert self.growth
        return self.growth.start

    @property
    def last(self) -> int:
        if self.stages:
            return self.stages[-1]
        assert self.growth
        g = self.growth
        return int(round(units_at_month(g, g.horizon_months)))


def units_at_month(g: Growth, month: float) -> float:
    if g.monthly_growth_pct is not None:
        return g.start * (1 + g.monthly_growth_pct / 100.0) ** month
    assert g.monthly_added is not None
    return g.start + g.monthly_added * month


def month_at_units(g: Growth, units: float) -> float:
    import math

    if units <= g.start:
        return 0.0
    if g.monthly_growth_pct is not None:
        return math.log(units / g.start) / math.log(1 + g.monthly_growth_pct / 100.0)
    assert g.monthly_added is not None
    return (units - g.start) / g.monthly_added


class Activity(_M):
    """What an average user does. Per user unless the key says per unit."""

    requests_per_user_day: NonNeg = Field(0, le=1_000_000)
    active_hours_per_day: Annotated[float, Field(gt=0, le=24)] = 12
    peak_factor: Annotated[float, Field(ge=1, le=100)] = 3
    daily_active_fraction: Frac = 1.0
    session_minutes_per_day: Annotated[float, Field(ge=0, le=1440)] = 30


class Team(_M):
    seats: Annotated[int, Field(ge=1, le=1000)] = 1


# --------------------------------------------------------------------------- components
class WrittenFor(_M):
    """The provider whose own APIs a component's code is written against (Durable Objects,
    Workers bindings, Supabase Realtime, Vercel-only features): on another host it must be
    rewritten first."""

    provider: str
    #: what of the provider the code uses, for messages ("Durable Objects")
    uses: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    #: engineering hours to rewrite it for another host; unset: it stays on this provider
    rewrite_hours: Annotated[float, Field(gt=0, le=100_000)] | None = None

    def describe(self) -> str:
        """What the code depends on, for messages: "its code is written against cloudflare's
        APIs (Durable Objects)"."""
        uses = f" ({self.uses})" if self.uses else ""
        return f"its code is written against {self.provider}'s APIs{uses}"


class _Component(_M):
    #: restrict this component to these providers (ids); empty = any allowed provider
    providers: list[str] | None = None
    #: the provider whose APIs the code is written against (options elsewhere are excluded, or
    #: cost the rewrite when the component moves off it)
    written_for: WrittenFor | None = None


class WebService(_Component):
    kind: Literal["web_service"]
    runtime: Runtime
    framework: str | None = None
    memory_mb: Annotated[float, Field(gt=0, le=65536)] | None = None
    health_path: str = "/health"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    #: fraction of the users' requests (activity.requests_per_user_day) this service serves
    requests_share: Frac = 1.0
    requests_per_user_day: Annotated[float, Field(ge=0, le=1_000_000)] | None = None
    cpu_ms_per_request: Annotated[float, Field(gt=0, le=60_000)] | None = None
    response_kb: Annotated[float, Field(ge=0, le=100_000)] = 5
    serverless_ok: bool = False
    scale_to_zero: bool = True
    min_instances: Annotated[int, Field(ge=1, le=100)] = 1
    #: round trips per request to other components (name -> count); default: every postgres and
    #: sqlite component (assumption latency.db_round_trips_per_request) and every redis one
    #: (latency.cache_round_trips_per_request)
    calls: dict[str, Annotated[float, Field(ge=0, le=100)]] | None = None


class Worker(_Component):
    kind: Literal["worker"]
    runtime: Runtime
    memory_mb: Annotated[float, Field(gt=0, le=65536)] | None = None
    jobs_per_user_day: Annotated[float, Field(ge=0, le=1_000_000)] = 0
    cpu_seconds_per_job: Annotated[float, Field(gt=0, le=86_400)] = 1
    memory_mb_per_job: Annotated[float, Field(ge=0, le=65536)] = 0
    concurrency: Annotated[int, Field(ge=1, le=1000)] = 2
    scale_to_zero: bool = False
    min_instances: Annotated[int, Field(ge=1, le=100)] = 1


class Postgres(_Component):
    kind: Literal["postgres"]
    storage_mb_per_unit: NonNeg = Field(0, le=10_000_000)
    growth_mb_per_unit_month: NonNeg = Field(0, le=10_000_000)
    storage_mb_fixed: NonNeg = Field(0, le=100_000_000)
    queries_per_request: Annotated[float, Field(ge=0, le=1000)] | None = None
    egress_kb_per_request: Annotated[float, Field(ge=0, le=100_000)] | None = None
    connections: Annotated[int, Field(ge=1, le=100_000)] | None = None


class Sqlite(_Component):
    kind: Literal["sqlite"]
    storage_mb_per_unit: NonNeg = Field(0, le=10_000_000)
    growth_mb_per_unit_month: NonNeg = Field(0, le=10_000_000)
    rows_read_per_request: NonNeg = Field(10, le=1_000_000)
    rows_written_per_request: NonNeg = Field(1, le=1_000_000)


class Redis(_Component):
    kind: Literal["redis"]
    use: Literal["cache", "broker", "sessions", "rate_limit"] = "cache"
    commands_per_request: NonNeg = Field(2, le=10_000)
    commands_per_user_day: NonNeg = Field(0, le=10_000_000)
    dataset_mb: NonNeg = Field(10, le=1_000_000)
    dataset_mb_per_unit: NonNeg = Field(0, le=100_000)
    value_kb: NonNeg = Field(1, le=100_000)
    persistence_required: bool | None = None


class KV(_Component):
    kind: Literal["kv"]
    reads_per_user_day: NonNeg = Field(0, le=10_000_000)
    writes_per_user_day: NonNeg = Field(0, le=10_000_000)
    storage_mb_per_unit: NonNeg = Field(0, le=1_000_000)


class ObjectStorage(_Component):
    kind: Literal["object_storage"]
    gb_per_unit: NonNeg = Field(0, le=1_000_000)
    growth_gb_per_unit_month: NonNeg = Field(0, le=1_000_000)
    uploads_per_user_day: NonNeg = Field(0, le=1_000_000)
    downloads_per_user_day: NonNeg = Field(0, le=1_000_000)
    avg_object_kb: NonNeg = Field(200, le=10_000_000)


class WebFrontend(_Component):
    kind: Literal["web_frontend"]
    framework: str = "static"
    rendering: Literal["static", "spa", "ssr"] = "spa"
    bandwidth_mb_per_user_month: NonNeg = Field(20, le=1_000_000)
    page_views_per_user_day: NonNeg = Field(10, le=100_000)
    #: CDN requests per page view besides the page itself (null: assumption frontend.requests_per_page_view)
    assets_per_page: Annotated[float, Field(ge=0, le=1000)] | None = None
    cpu_ms_per_render: Annotated[float, Field(gt=0, le=60_000)] = 20


class Realtime(_Component):
    kind: Literal["realtime"]
    runtime: Runtime = "node"
    #: can run on a serverless realtime platform (e.g. Cloudflare Durable Objects) as well as a server
    serverless_ok: bool = False
    connections_per_user: Annotated[float, Field(ge=0, le=100)] = 1
    messages_per_user_day: NonNeg = Field(0, le=10_000_000)
    fanout: Annotated[float, Field(ge=1, le=100_000)] = 1
    message_kb: NonNeg = Field(1, le=10_000)
    memory_mb: Annotated[float, Field(gt=0, le=65536)] | None = None
    #: the redis component its servers publish every message through (a pub/sub adapter such as
    #: @socket.io/redis-adapter), so a message reaches sockets on other instances; null: the
    #: profile's first redis component unless serverless_ok (Profile.pubsub_redis)
    pubsub: str | None = None


class Turn(_Component):
    kind: Literal["turn"]
    call_minutes_per_user_month: NonNeg = Field(0, le=100_000)
    relay_fraction: Frac | None = None
    bitrate_kbps: Annotated[float, Field(gt=0, le=100_000)] | None = None
    participants: Annotated[int, Field(ge=2, le=100)] = 2


class Queue(_Component):
    kind: Literal["queue"]
    messages_per_user_day: NonNeg = Field(0, le=10_000_000)
    operations_per_message: Annotated[float, Field(ge=1, le=100)] | None = None


class Email(_Component):
    kind: Literal["email"]
    emails_per_user_month: NonNeg = Field(0, le=1_000_000)
    emails_per_unit_month: NonNeg = Field(0, le=10_000_000)
    peak_day_factor: Annotated[float, Field(ge=1, le=31)] = 2


class Messaging(_Component):
    kind: Literal["messaging"]
    utility_per_user_month: NonNeg = Field(0, le=100_000)
    marketing_per_user_month: NonNeg = Field(0, le=100_000)
    authentication_per_user_month: NonNeg = Field(0, le=100_000)
    service_per_user_month: NonNeg = Field(0, le=100_000)


class Uptime(_Component):
    kind: Literal["uptime"]
    monitors: Annotated[int, Field(ge=1, le=10_000)] = 1
    interval_s: Annotated[int, Field(ge=10, le=86_400)] = 300


class ErrorTracking(_Component):
    kind: Literal["error_tracking"]
    events_per_user_month: NonNeg = Field(0, le=1_000_000)
    error_rate: Frac | None = None


class Logging(_Component):
    kind: Literal["logging"]
    log_kb_per_request: NonNeg = Field(0.5, le=10_000)


class Auth(_Component):
    """Managed sign-in, billed per monthly active user (a user who signs in or refreshes a
    session at least once in the month)."""

    kind: Literal["auth"]
    #: share of the users who sign in at least once a month (null: every user counts, the
    #: providers' billing unit read conservatively); never below the daily active share
    monthly_active_fraction: Frac | None = None


class ScheduledJob(_Component):
    """A job run on a schedule (cron): how often and how long each run takes."""

    kind: Literal["scheduled_job"]
    #: runs per day (24: hourly, 288: every 5 minutes, 1440: every minute; 1/7: weekly)
    runs_per_day: Annotated[float, Field(gt=0, le=1440)]
    #: CPU time of one run, seconds (a run is taken to be CPU-bound: run time = CPU time)
    cpu_seconds_per_run: Annotated[float, Field(gt=0, le=86_400)]
    #: memory one run needs, MB (a stated size, checked against plan limits without headroom)
    memory_mb: Annotated[float, Field(gt=0, le=65536)] = 128


Component = Annotated[
    WebService
    | Worker
    | Postgres
    | Sqlite
    | Redis
    | KV
    | ObjectStorage
    | WebFrontend
    | Realtime
    | Turn
    | Queue
    | Email
    | Messaging
    | Uptime
    | ErrorTracking
    | Logging
    | Auth
    | ScheduledJob,
    Field(discriminator="kind"),
]

def component_models() -> dict[str, type[BaseModel]]:
    """The component model of each kind (the members of the ``Component`` union)."""
    union = get_args(Component)[0]
    return {get_args(c.model_fields["kind"].annotation)[0]: c for c in get_args(union)}


assert set(component_models()) == set(COMPONENT_KINDS)


# --------------------------------------------------------------------------- requirements
class ProviderRules(_M):
    allow: list[str] | None = None
    deny: list[str] = []
    #: preferred providers: chosen on equal cost, and worth `prefer_bonus_usd_month` each
    prefer: list[str] = []
    prefer_bonus_usd_month: NonNeg = Field(0, le=100_000)


class Requirements(_M):
    #: a limit used beyond this fraction does not count as fitting
    headroom: Annotated[float, Field(gt=0, le=1)] = 0.8
    #: scale (in units) from which deploys must not interrupt service (null = never)
    zero_downtime_from: Users | None = None
    #: scale from which services must survive the loss of one instance (>= 2 instances, HA databases)
    high_availability_from: Users | None = None
    #: scale from which databases (postgres, sqlite) need a standby with automatic failover
    database_failover_from: Users | None = None
    #: scale from which nothing may sleep, pause or cold-start
    no_cold_starts_from: Users | None = None
    #: scale from which databases must have backups with at least `pitr_days` of point-in-time recovery
    backups_from: Users | None = None
    pitr_days: NonNeg = Field(0, le=365)
    #: estimated median round trip from users to the service region, ms (default: within 40 ms of
    #: the nearest region in the catalog)
    max_latency_ms: Annotated[float, Field(gt=0, le=5000)] | None = None
    budget_usd_month: NonNeg | None = None
    #: consider self-run databases (a Postgres image on a VM with a volume) as options
    allow_unmanaged: bool = False
    #: at most this many providers (vendors) in the stack
    max_vendors: Annotated[int, Field(ge=1, le=100)] | None = None
    #: what one more vendor costs you per month (accounts, bills, on-call knowledge), USD
    vendor_cost_usd_month: NonNeg = Field(0, le=100_000)
    #: countries where data may be stored (postgres, sqlite, redis, kv, object_storage); null = anywhere
    data_residency: list[str] | None = None
    providers: ProviderRules = ProviderRules()
    no_credit_card: bool = False

    @field_validator("data_residency", mode="before")
    @classmethod
    def _residency_codes(cls, v: Any) -> Any:
        """ISO 3166-1 alpha-2 codes, checked like audience.countries."""
        from .geo import codes_problem

        msg = codes_problem(v)
        if msg:
            raise ValueError(msg)
        return v


class Migration(_M):
    """What moving a component to another provider or region costs (one-time), and how soon a
    voluntary move must pay for itself."""

    #: engineering cost of one hour, USD
    hourly_rate_usd: NonNeg = Field(50, le=10_000)
    #: what one minute of downtime costs you, USD
    downtime_cost_usd_per_minute: NonNeg = Field(0, le=1_000_000)
    #: a move that is not forced happens only when its monthly saving repays its one-time cost
    #: within this many months
    payback_months: Annotated[float, Field(gt=0, le=120)] = 12
    #: ... and only when it saves at least this much a month, USD ...
    min_saving_usd_month: NonNeg = Field(10, le=1_000_000)
    #: ... and at least this share of the monthly bill (0.05: 5%): a move that saves $12 on a
    #: $3,000 bill is not worth the risk, whatever its payback
    min_saving_fraction: Frac = 0.05
    #: hours of work per component kind moved (overrides assumption migration.hours.<kind>)
    hours: dict[str, NonNeg] = {}


# --------------------------------------------------------------------------- revenue
class Subscription(_M):
    """A price customers pay every month: per unit of scale (a cooperative, a company) or per
    user, paid by ``paying_fraction`` of them (the conversion of free to paying)."""

    name: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    #: price per month, in ``revenue.currency``
    price: Pos
    per: Literal["unit", "user"] = "unit"
    #: share of units (or users) that pay this price: 1 when every customer pays, 0.02 for a 2%
    #: conversion of free users
    paying_fraction: Frac = 1.0
    #: months paid at once (12: a yearly plan, one payment a year at 12 x price); processor fees
    #: are per payment
    billing_months: Annotated[int, Field(ge=1, le=36)] = 1


class Ads(_M):
    """Advertising: impressions x CPM. ``page_views_per_user_day`` defaults to the profile's
    web_frontend's; it counts on days a user is active (``activity.daily_active_fraction``)."""

    #: revenue per 1,000 impressions, in ``revenue.currency``
    cpm: Annotated[float, Field(ge=0, le=1000)]
    page_views_per_user_day: Annotated[float, Field(ge=0, le=100_000)] | None = None
    ads_per_page: Annotated[float, Field(ge=0, le=100)] = 1
    #: share of ad slots filled (sold)
    fill_rate: Frac = 1.0
    #: share of users who see ads (free users only: 1 - the paying fraction)
    users_fraction: Frac = 1.0


class Payments(_M):
    """How subscriptions are paid: a payment processor of the catalog (`tierplan catalog
    payments`), a method, the merchant's country (default: the audience's largest) and the share
    of payments made from abroad."""

    processor: str
    method: PaymentMethod = "card"
    country: str | None = None
    international_fraction: Frac = 0.0

    @field_validator("country", mode="before")
    @classmethod
    def _iso_code(cls, v: Any) -> Any:
        from .geo import codes_problem

        if v is not None:
            msg = codes_problem([v])
            if msg:
                raise ValueError(msg)
        return v


class Revenue(_M):
    """What the app earns, for unit economics: subscriptions, advertising, and the fees of taking
    payments. Money is in ``currency`` (ISO 4217); every currency other than USD that a price or a
    processor's fee uses needs its rate in ``per_usd`` (units of the currency per US dollar), dated
    by ``rates_as_of``."""

    currency: CurrencyCode = "USD"
    per_usd: dict[str, Pos] = {}
    rates_as_of: dt.date | None = None
    rates_source: str | None = None
    subscriptions: list[Subscription] = []
    ads: Ads | None = None
    payments: Payments | None = None

    @field_validator("per_usd")
    @classmethod
    def _currencies(cls, v: dict[str, float]) -> dict[str, float]:
        for code in v:
            currency_code(code)
        if "USD" in v:
            raise ValueError("per_usd gives other currencies' rates; USD is 1 by definition")
        return v

    @model_validator(mode="after")
    def _rates(self) -> Revenue:
        if self.currency != "USD" and self.currency not in self.per_usd:
            raise ValueError(
                f"currency {self.currency} needs its exchange rate: per_usd: {{{self.currency}: <units per US dollar>}}"
            )
        if self.per_usd and self.rates_as_of is None:
            raise ValueError("per_usd needs rates_as_of: the date the exchange rates were read")
        if not self.subscriptions and self.ads is None:
            raise ValueError("revenue needs subscriptions or ads (or leave the revenue block out)")
        if self.payments is not None and not self.subscriptions:
            raise ValueError("payments are the fees of subscriptions: give revenue.subscriptions too")
        return self

    def usd(self, amount: float, currency: str | None = None) -> float:
        """``amount`` of ``currency`` (default: the revenue's) in US dollars."""
        code = currency or self.currency
        return amount if code == "USD" else amount / self.per_usd[code]


class Profile(_M):
    #: the profile's uncertain numbers (ranges.py) and its data with their point values, set by
    #: parse_profile; a profile built otherwise has none
    _ranges: tuple[Any, ...] = PrivateAttr(default=())
    _point_data: Any = PrivateAttr(default=None)

    name: str = Field(min_length=1, max_length=200)
    commercial: bool
    audience: Audience
    scale: Scale
    team: Team = Team()
    activity: Activity = Activity()
    components: dict[str, Component] = Field(min_length=1)
    requirements: Requirements = Requirements()
    migration: Migration = Migration()
    #: what the app earns (unit economics: margin, break-even); None: costs only
    revenue: Revenue | None = None
    #: overrides of capacity assumptions (see `tierplan assumptions`), key -> value
    assumptions: dict[str, float] = {}

    @model_validator(mode="after")
    def _calls_exist(self) -> Profile:
        for name, c in self.components.items():
            calls = getattr(c, "calls", None) or {}
            for target in calls:
                if target not in self.components:
                    raise ValueError(f"components.{name}.calls names {target!r}, which is not a component")
                if target == name:
                    raise ValueError(f"components.{name}.calls names itself")
            pubsub = getattr(c, "pubsub", None)
            if pubsub is not None:
                target_c = self.components.get(pubsub)
                if target_c is None or target_c.kind != "redis":
                    redis = self.redis_components()
                    raise ValueError(
                        f"components.{name}.pubsub names {pubsub!r}, which is not a redis component"
                        + (f" (redis components: {', '.join(redis)})" if redis else " (the profile has none)")
                    )
        return self

    @property
    def ranges(self) -> tuple[Any, ...]:
        """The profile's ranges (ranges.Range), in file order; empty when every number is exact."""
        return self._ranges

    @property
    def point_data(self) -> Any:
        """The data the profile was validated from, ranges replaced by their point values."""
        return self._point_data

    def pubsub_redis(self, name: str) -> str | None:
        """The redis component realtime component ``name`` publishes its messages through: its
        ``pubsub``; else, unless it is written for a serverless realtime platform too
        (``serverless_ok``: Durable Objects route its messages themselves), the profile's first
        redis component; else None (none to publish through)."""
        c = self.components[name]
        if not isinstance(c, Realtime):
            return None
        if c.pubsub is not None:
            return c.pubsub
        if c.serverless_ok:
            return None
        return next(iter(self.redis_components()), None)

    def redis_components(self) -> list[str]:
        """The profile's redis components, in file order."""
        return [k for k, x in self.components.items() if x.kind == "redis"]

    @field_validator("components")
    @classmethod
    def _names(cls, v: dict[str, Any]) -> dict[str, Any]:
        import re

        for k in v:
            if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", k):
                raise ValueError(f"component name {k!r} must be lowercase letters, digits, '-' or '_'")
        return v


# --------------------------------------------------------------------------- loading
def _allowed_keys() -> dict[tuple[Any, ...], list[str]]:
    """Known keys per location, for 'did you mean' hints on unknown keys."""
    out: dict[tuple[Any, ...], list[str]] = {(): list(Profile.model_fields)}
    for name, f in Profile.model_fields.items():
        ann = f.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out[(name,)] = list(ann.model_fields)
    out[("scale", "growth")] = list(Growth.model_fields)
    out[("requirements", "providers")] = list(ProviderRules.model_fields)
    return out


def _component_keys(data: Any) -> dict[tuple[Any, ...], list[str]]:
    out: dict[tuple[Any, ...], list[str]] = {}
    comps = data.get("components") if isinstance(data, dict) else None
    if isinstance(comps, dict):
        by_kind = component_models()
        for name, c in comps.items():
            if isinstance(c, dict) and isinstance(c.get("kind"), str) and c["kind"] in by_kind:
                out[("components", name)] = list(by_kind[c["kind"]].model_fields)
    return out


def parse_profile(
    data: Any, path: Path | str = "<profile>", lines: dict[tuple[Any, ...], int] | None = None
) -> Profile:
    """Validate a profile's data. Ranges (``{low, likely, high}``, ranges.py) are read out first:
    the profile holds their point values, and each range's low and high ends are validated too,
    so every sample drawn between them is a valid profile."""
    from .ranges import extract, with_values

    if lines is None:
        lines = {}
    point, ranges = extract(data, str(path), lines)
    try:
        prof = Profile.model_validate(point)
    except ValidationError as e:
        allowed = _allowed_keys() | _component_keys(point)
        probs = problems_from(e, lines, allowed, data=point)
        raise InputError(path, probs) from None
    for end in ("low", "high"):
        if not ranges:
            break
        try:
            Profile.model_validate(with_values(point, ranges, [getattr(r, end) for r in ranges]))
        except ValidationError as e:
            probs = problems_from(e, lines, data=point)
            raise InputError(
                path, [Problem(f"{p.key_path}.{end}" if p.key_path else p.key_path, p.message, p.line) for p in probs]
            ) from None
    prof._ranges = _integer_where_counted(prof, ranges)
    prof._point_data = point
    return prof


def _integer_where_counted(prof: Profile, ranges: tuple[Any, ...]) -> tuple[Any, ...]:
    """Samples of a range are whole numbers exactly where the profile's field is an integer (seats,
    monitors, instances), whatever the bounds are written as."""
    from dataclasses import replace

    dumped = prof.model_dump()
    out = []
    for r in ranges:
        node: Any = dumped
        for k in r.path:
            node = node[k] if isinstance(node, dict | list) else None
        out.append(replace(r, integer=isinstance(node, int) and not isinstance(node, bool)))
    return tuple(out)


def load_profile(path: Path | str) -> Profile:
    """Read and validate an app.yaml; raise InputError naming file, key path and line."""
    return load_profile_lines(path)[0]


def load_profile_lines(path: Path | str) -> tuple[Profile, LineMap]:
    """The profile and its line map (for problems found after validation: unknown providers,
    countries, assumptions)."""
    data, lines = load_yaml(path, what="app profile (app.yaml)")
    return parse_profile(data, path, lines), lines


def profile_problem(
    path: Path | str, key_path: str, message: str, lines: dict[tuple[Any, ...], int] | None = None
) -> InputError:
    return InputError(path, [Problem(key_path, message)])
