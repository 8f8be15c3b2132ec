"""What a chosen stack needs deployed: plain data derived from one phase of the plan.

`deploy_model` reads the phase's stack (the size and count at the end of the phase, the
requirements in force from its start) and the profile, and returns a `Deploy`: one `Service` per
process that runs code (web services, workers, realtime servers), one `Store` per data component,
the container images the services run, the external services, the environment variables the
stack needs, and the alert thresholds from the limits the phase watches. The platform adapters
(tierplan.platforms) and the file renderers (files.py) only format this.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from ..engine.connections import processes_per_instance
from ..engine.egress_ip import LINE_NAME, allow_listing_stores
from ..engine.per_component import Phase
from ..engine.planner import Planner, StackPoint
from ..kinds import KINDS, kinds_where
from ..platforms import platform
from ..platforms.base import GENERATED, slug
from ..pricing import Evaluation
from ..profile import Realtime, Redis, ScheduledJob, WebFrontend, WebService, Worker

__all__ = [
    "GENERATED",
    "Deploy",
    "Service",
    "Store",
    "Image",
    "EnvVar",
    "Alert",
    "StaticEgress",
    "deploy_model",
    "slug",
    "runtime_family",
    "realtime_limits",
    "PUBSUB_ADAPTERS",
]

CODE_KINDS = kinds_where(lambda k: k.runs_code)
EPS = 1e-9

#: how a realtime server of each runtime family shares messages through Redis pub/sub (each from the
#: library's own documentation; docs/generators.md#realtime-servers-websockets)
PUBSUB_ADAPTERS: dict[str, str] = {
    "node": "@socket.io/redis-adapter (Socket.IO: `io.adapter(createAdapter(pubClient, subClient))`, "
    "`subClient = pubClient.duplicate()`)",
    "python": "python-socketio's AsyncRedisManager "
    "(`socketio.AsyncServer(client_manager=socketio.AsyncRedisManager(url))`)",
    "ruby": "Action Cable's redis adapter (`config/cable.yml`: `adapter: redis`, `url:` the Redis variable)",
    "dotnet": "SignalR's Redis backplane (Microsoft.AspNetCore.SignalR.StackExchangeRedis: "
    "`AddSignalR().AddStackExchangeRedis(...)`)",
    "other": "your WebSocket library's Redis pub/sub adapter (every server SUBSCRIBEs to a channel "
    "and PUBLISHes each message it sends)",
}


def runtime_family(runtime: str, framework: str | None = None) -> str:
    """The image a runtime builds on: python, node (node, typescript, javascript), go, or the
    runtime itself (dotnet, java, ruby, php, rust, elixir: gen/runtimes.py)."""
    if runtime == "python":
        return "python"
    if runtime in ("node", "typescript", "javascript"):
        return "node"
    if runtime == "go":
        return "go"
    return runtime


@dataclass(frozen=True)
class Service:
    """One process that runs the app's code."""

    name: str  # component name
    kind: str  # web_service | worker | realtime
    runtime: str
    framework: str | None
    provider: str
    plan: str
    region: str | None  # provider region id (None: global / edge)
    size: str | None  # instance size id
    vcpu: float | None
    cpu_kind: str | None
    memory_mb: int | None
    instances: int  # instances at the end of the phase
    min_running: int  # instances that must keep running (0: may scale to zero)
    port: int | None
    health_path: str | None
    zero_downtime: bool
    high_availability: bool
    serverless: bool
    #: concurrent requests (web services) or connections (realtime: open WebSockets) one instance
    #: takes before the proxy prefers another instance / sends it nothing more
    soft_limit: int | None = None
    hard_limit: int | None = None
    concurrency_type: str = "requests"  # requests | connections
    #: realtime: open WebSockets per instance at the peak of the phase's end (concurrent_connections / instances)
    sockets_per_instance: int | None = None
    #: Python: gunicorn worker processes that fit in the instance's memory
    web_workers: int | None = None
    #: worker: jobs processed at once
    concurrency: int | None = None
    #: realtime: the redis component its servers publish messages through (None: the profile has none)
    pubsub: str | None = None
    #: realtime: the variable that holds that Redis's address (REDIS_URL, CACHE_REDIS_URL, ...)
    pubsub_env: str | None = None

    @property
    def shares_messages(self) -> bool:
        """A realtime server whose messages must reach sockets on other instances: on servers (not a
        serverless realtime platform) with more than one instance (high availability keeps two)."""
        return (
            self.kind == "realtime" and not self.serverless and (self.instances > 1 or self.high_availability)
        )

    @property
    def pubsub_adapter(self) -> str:
        """The Redis pub/sub adapter of the realtime server's runtime (gen/deploy.PUBSUB_ADAPTERS)."""
        return PUBSUB_ADAPTERS.get(runtime_family(self.runtime), PUBSUB_ADAPTERS["other"])


@dataclass(frozen=True)
class Store:
    """A data component (database, cache, bucket, queue) and where it runs."""

    name: str
    kind: str
    provider: str
    plan: str
    region: str | None
    env: str  # the variable that holds its address


@dataclass(frozen=True)
class Schedule:
    """A scheduled job and the cron expression (UTC) that runs it as often as the profile says."""

    name: str
    provider: str
    plan: str
    #: a 5-field cron expression, or None when runs_per_day is no whole number of minutes apart
    cron: str | None
    runs_per_day: float
    seconds_per_run: float


def cron_expression(runs_per_day: float) -> str | None:
    """The cron expression (UTC) that runs a job ``runs_per_day`` times a day, evenly spaced:
    every N minutes or hours when that divides the hour or the day, daily at 03:00, weekly on
    Monday or every N days; None when no 5-field expression fits (e.g. 7 runs a day)."""
    minutes = 1440 / runs_per_day
    if abs(minutes - round(minutes)) > 1e-9:
        return None
    m = round(minutes)
    if m < 60:
        return "* * * * *" if m == 1 else (f"*/{m} * * * *" if 60 % m == 0 else None)
    if m < 1440:
        h, rest = divmod(m, 60)
        return f"0 */{h} * * *" if rest == 0 and 24 % h == 0 else None
    days, rest = divmod(m, 1440)
    if rest:
        return None
    if days == 1:
        return "0 3 * * *"
    if days == 7:
        return "0 3 * * 1"
    return f"0 3 */{days} * *" if days <= 31 else None


@dataclass(frozen=True)
class Image:
    """A container image (one per runtime family, in profile order) and the services it runs."""

    family: str
    dockerfile: str  # Dockerfile for the first image, <family>.Dockerfile for the others
    services: tuple[Service, ...]

    @property
    def main(self) -> Service:
        """The process the image starts by default: its first web service, else its first service."""
        return next((s for s in self.services if s.kind == "web_service"), self.services[0])


@dataclass(frozen=True)
class EnvVar:
    name: str
    placeholder: str
    comment: str
    secret: bool = True
    #: the store or external service the variable belongs to (None: the app's own, e.g. PORT)
    component: str | None = None


@dataclass(frozen=True)
class Alert:
    """A limit of the phase's stack turned into an alert: metric above headroom x limit."""

    name: str
    component: str
    metric: str
    limit: float
    threshold: float
    reached_at: int | None  # scale where the plan expects it (None: not within the plan)
    expr: str
    summary: str


@dataclass(frozen=True)
class SelfRun:
    """An external component on servers you run yourself (a self-hosted TURN relay)."""

    name: str
    kind: str
    provider: str
    plan: str
    size: str | None
    region: str | None
    count: int
    peak_mbps: float | None = None  # the relayed bit rate at peak the servers are sized for


@dataclass(frozen=True)
class StaticEgress:
    """A caller's static egress IP for the stores that admit it by IP allow list only (the plan's
    'static egress IP' cost line): what to allocate, what it costs, which allow lists name it."""

    caller: str
    provider: str
    region: str | None
    monthly_usd: float
    #: the catalog's way to get the addresses ({app} still to fill in), None when it names none
    command: str | None
    #: the addresses are the host's shared ranges (other customers send from them too)
    shared: bool
    #: (store, its provider) whose allow list must name the addresses
    stores: tuple[tuple[str, str], ...]


@dataclass
class Deploy:
    app: str  # slug of the profile name
    title: str
    path: str  # the profile file (for error messages)
    phase: int | None
    scale: int
    unit: str
    services: list[Service] = field(default_factory=list)
    stores: list[Store] = field(default_factory=list)
    frontend: dict[str, str] | None = None  # provider, plan, framework, rendering
    externals: dict[str, str] = field(default_factory=dict)  # component -> provider (email, errors, ...)
    #: component -> (kind, plan id) of each external, for the "What runs where" table
    external_plans: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: the scheduled jobs (also in externals) with their cron expressions
    schedules: list[Schedule] = field(default_factory=list)
    env: list[EnvVar] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    uptime: list[dict[str, object]] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)  # providers that run code or the frontend
    store_use: dict[str, str] = field(default_factory=dict)  # redis component -> cache | broker | ...
    provider_as_of: dict[str, str] = field(default_factory=dict)  # catalog as_of of each provider used
    #: container images of the services that do not run on their platform's own runtime
    images: list[Image] = field(default_factory=list)
    #: external components the plan puts on self-run servers (catalog ``managed: false``, e.g.
    #: coturn for a TURN relay): no adapter deploys them, DEPLOY.md gives the steps
    self_run: list[SelfRun] = field(default_factory=list)
    #: callers that reach an allow-listed store from a static egress IP
    static_ips: list[StaticEgress] = field(default_factory=list)

    def by_provider(self, provider: str) -> list[Service]:
        return [s for s in self.services if s.provider == provider]

    def store_kinds(self) -> set[str]:
        return {s.kind for s in self.stores}


# --------------------------------------------------------------------------- build
def _service(planner: Planner, comp: str, ev: Evaluation, start: StackPoint, end: StackPoint) -> Service:
    c = planner.profile.components[comp]
    assert isinstance(c, WebService | Worker | Realtime), comp
    o = ev.option
    ctx = start.context
    size = o.size
    attrs = o.attributes
    serverless = bool(attrs.serverless)
    zero_dt = ctx.zero_downtime
    ha = ctx.high_availability
    web = c if isinstance(c, WebService) else None
    worker = c if isinstance(c, Worker) else None
    may_stop = (
        bool(attrs.scale_to_zero)
        and web is not None
        and web.scale_to_zero
        and not (zero_dt or ha or ctx.no_cold_starts)
    )
    floor = c.min_instances if isinstance(c, WebService | Worker) else 1
    if ha:
        floor = max(floor, 2)
    min_running = 0 if may_stop else max(1, min(floor, ev.instances))
    if ha or zero_dt:
        min_running = max(min_running, min(2, ev.instances) if ha else 1)
    memory = int(size.memory_mb) if size is not None else None
    soft = hard = workers = sockets = None
    conc_type = "requests"
    if web is not None and size is not None:
        soft, hard = _concurrency(planner, comp, ev, end)
    elif isinstance(c, Realtime) and size is not None and not serverless:
        limits = realtime_limits(planner, comp, ev, end)
        if limits is not None:
            sockets, soft, hard = limits
            conc_type = "connections"
    runtime = c.runtime
    if runtime == "python" and web is not None and memory is not None:
        workers = processes_per_instance(
            runtime, True, memory, size.vcpu if size else None, planner.assumptions["gen.python_worker_memory_mb"]
        )
    return Service(
        name=comp,
        kind=c.kind,
        runtime=runtime,
        framework=web.framework if web is not None else None,
        provider=o.provider,
        plan=o.plan.plan.id,
        region=o.region.id if o.region else None,
        size=size.id if size else None,
        vcpu=size.vcpu if size else None,
        cpu_kind=size.cpu_kind if size else None,
        memory_mb=memory,
        instances=ev.instances,
        min_running=min_running,
        port=web.port if web is not None else None,
        health_path=web.health_path if web is not None else None,
        zero_downtime=zero_dt,
        high_availability=ha,
        serverless=serverless,
        soft_limit=soft,
        hard_limit=hard,
        concurrency_type=conc_type,
        sockets_per_instance=sockets,
        web_workers=workers,
        concurrency=worker.concurrency if worker is not None else None,
    )


def _concurrency(planner: Planner, comp: str, ev: Evaluation, point: StackPoint) -> tuple[int, int]:
    """Concurrent requests per instance: the requests per second one instance serves within
    headroom (its CPU over the CPU per request) times how long each request holds a slot (its CPU
    time plus the database round trips of the plan's placement). Hard limit = soft / headroom."""
    size = ev.option.size
    assert size is not None
    d = point.demand.components[comp]
    cores_peak = d.metrics.get("cpu_cores_peak", 0.0)
    peak_rps = d.metrics.get("peak_rps", 0.0)
    cpu_ms = 1000.0 * cores_peak / peak_rps if peak_rps > 0 else planner.assumptions["gen.default_cpu_ms"]
    headroom = planner.limit_share
    rps = size.vcpu * 1000.0 / max(cpu_ms, 0.1) * headroom
    hold_ms = cpu_ms
    if point.coupled:
        for _leg, ms, k in point.coupled.get("latency_parts", {}).get(comp, [])[1:]:
            hold_ms += ms * k
    soft = max(int(planner.assumptions["gen.min_soft_limit"]), math.ceil(rps * hold_ms / 1000.0))
    hard = max(soft + 1, math.ceil(soft / headroom))
    return soft, hard


def realtime_limits(
    planner: Planner, comp: str, ev: Evaluation, point: StackPoint
) -> tuple[int, int, int] | None:
    """Open WebSockets per instance of a realtime server: (planned, soft limit, hard limit), or None
    when it holds no connections.

    planned = ceil(concurrent_connections / instances) at the end of the phase. The hard limit is
    the sockets one instance holds within the plan's headroom, the least of what its memory allows
    ((headroom x memory_mb - fixed memory) / memory per socket) and what its CPU allows (peak and
    sustained: headroom x the instance's cores / the cores one socket brings, as the engine sizes
    the count), never below planned. Soft limit = gen.realtime_soft_limit_fraction x hard, rounded
    up, below hard."""
    size = ev.option.size
    assert size is not None
    d = point.demand.components[comp]
    sockets = d.metrics.get("concurrent_connections", 0.0)
    if sockets <= 0:
        return None
    cap = d.capacity
    h = planner.limit_share
    caps: list[float] = []
    if cap.memory_mb_shared > 0:
        caps.append((h * size.memory_mb - cap.memory_mb_per_instance) / (cap.memory_mb_shared / sockets))
    if cap.cores_peak > 0:
        caps.append(h * size.vcpu / (cap.cores_peak / sockets))
    if cap.cores_avg > 0:
        caps.append(h * size.vcpu * size.cpu_baseline_fraction / (cap.cores_avg / sockets))
    planned = math.ceil(sockets / ev.instances - EPS)
    hard = max(planned, math.floor(min(caps) + EPS) if caps else planned, 2)
    soft = min(
        hard - 1, max(1, math.ceil(planner.assumptions["gen.realtime_soft_limit_fraction"] * hard - EPS))
    )
    return planned, soft, hard


_STORE_ENV = {name: k.store_env for name, k in KINDS.items() if k.store_env is not None}


def _env_name(kind: str, comp: str, taken: set[str]) -> str:
    base = _STORE_ENV[kind]
    name = base if base not in taken else f"{slug(comp).upper().replace('-', '_')}_{base}"
    taken.add(name)
    return name


def _images(services: list[Service]) -> list[Image]:
    """Services by runtime family, in profile order (the first image is the main one); services that
    run on their platform's own runtime (Workers, Vercel functions) have none."""
    groups: dict[str, list[Service]] = {}
    for s in services:
        if not platform(s.provider).containerless(s):
            groups.setdefault(runtime_family(s.runtime), []).append(s)
    return [
        Image(fam, "Dockerfile" if i == 0 else f"{fam}.Dockerfile", tuple(svcs))
        for i, (fam, svcs) in enumerate(groups.items())
    ]


def deploy_model(planner: Planner, phase: Phase, index: int | None) -> Deploy:
    """The deploy model of one phase (index is 1-based, for names; None for a single point)."""
    p = planner.profile
    end, start = phase.stack_end, phase.stack_start
    dep = Deploy(slug(p.name), p.name, str(planner.path), index, phase.start, p.scale.unit)
    taken: set[str] = set()
    for comp, ev in end.choices.items():
        c = p.components[comp]
        o = ev.option
        prov = planner.catalog.providers.get(o.provider)
        if prov is not None:
            dep.provider_as_of[o.provider] = str(prov.as_of)
        if isinstance(c, Redis):
            dep.store_use[comp] = c.use
        if c.kind in CODE_KINDS:
            dep.services.append(_service(planner, comp, ev, start, end))
        elif c.kind in _STORE_ENV:
            dep.stores.append(
                Store(
                    comp,
                    c.kind,
                    o.provider,
                    o.plan.plan.id,
                    o.region.id if o.region else None,
                    _env_name(c.kind, comp, taken),
                )
            )
        elif isinstance(c, WebFrontend):
            dep.frontend = {
                "name": comp,
                "provider": o.provider,
                "plan": o.plan.plan.id,
                "framework": c.framework,
                "rendering": c.rendering,
            }
        elif o.attributes.managed is False:
            cap = end.demand.components[comp].capacity
            peak = cap.cores_peak * planner.assumptions["turn.relay_mbps_per_vcpu"] if c.kind == "turn" else None
            dep.self_run.append(
                SelfRun(
                    comp,
                    c.kind,
                    o.provider,
                    o.plan.plan.id,
                    o.size.id if o.size else None,
                    o.region.id if o.region else None,
                    ev.instances,
                    peak,
                )
            )
        else:
            dep.externals[comp] = o.provider
            dep.external_plans[comp] = (c.kind, o.plan.plan.id)
            if isinstance(c, ScheduledJob):
                dep.schedules.append(
                    Schedule(
                        comp,
                        o.provider,
                        o.plan.plan.id,
                        cron_expression(c.runs_per_day),
                        c.runs_per_day,
                        c.cpu_seconds_per_run,
                    )
                )
    dep.static_ips = _static_ips(end)
    env_of = {st.name: st.env for st in dep.stores}
    dep.services = [
        replace(s, pubsub=(r := p.pubsub_redis(s.name)), pubsub_env=env_of.get(r) if r else None)
        if s.kind == "realtime"
        else s
        for s in dep.services
    ]
    dep.images = _images(dep.services)
    dep.hosts = sorted(
        {s.provider for s in dep.services} | ({dep.frontend["provider"]} if dep.frontend else set())
    )
    from .env import env_vars  # noqa: PLC0415 (keeps the module graph simple)
    from .monitoring import alerts, uptime_checks  # noqa: PLC0415

    dep.env = env_vars(planner, dep)
    dep.alerts = alerts(planner, phase, dep)
    dep.uptime = uptime_checks(planner, dep)
    return dep


def _static_ips(point: StackPoint) -> list[StaticEgress]:
    """The static egress IPs the stack pays for (engine/egress_ip.py), per caller."""
    out = []
    for comp, ev in point.choices.items():
        stores = [st for st in allow_listing_stores(ev.lines) if st in point.choices]
        offer = ev.option.plan.static_egress_ip
        if not stores or offer is None:
            continue
        region = ev.option.region.id if ev.option.region is not None else None
        usd = sum(ln.monthly_usd or 0.0 for ln in ev.lines if ln.name == LINE_NAME)
        command = offer.command.replace("{region}", region) if offer.command and region else offer.command
        out.append(
            StaticEgress(
                comp,
                ev.option.provider,
                region,
                usd,
                command,
                offer.shared,
                tuple((st, point.choices[st].option.provider) for st in stores),
            )
        )
    return out
