"""Workload model: profile + scale (+ month) -> demand per component, in explicit units.

Pure functions. Every figure carries the formula and the inputs that produced it, so
``tierplan explain`` can print them; docs/workload.md documents each one with a worked example.

Conventions: GB = 1024 MB = 1024^2 KB; a month is 365/12 days; traffic happens during the
users' active hours; ``peak_factor`` is the busiest minute relative to the active-hours average.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .assumptions import Assumptions
from .kinds import KINDS
from .metrics import DAYS_PER_MONTH, HOURS_PER_MONTH, METRICS
from .profile import Activity, Profile, WebService, Worker, month_at_units

__all__ = ["Figure", "Capacity", "ComponentDemand", "Demand", "demand_at", "KB_PER_GB", "MB_PER_GB"]

MB_PER_GB = 1024.0
KB_PER_GB = 1024.0 * 1024.0


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    formula: str
    inputs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Capacity:
    """What instance-based hosts must provide (the engine sizes instances from this)."""

    cores_avg: float = 0.0  # CPU cores used on average over the active hours
    cores_peak: float = 0.0  # CPU cores used in the busiest minute
    memory_mb_per_instance: float = 0.0  # fixed working set of each instance
    memory_mb_shared: float = 0.0  # memory that splits across instances (connections, jobs)
    min_instances: int = 1
    may_scale_to_zero: bool = True
    runtime: str | None = None
    serverless_ok: bool = False
    persistence_required: bool = False
    #: requests (or queries) per second outside the active hours: wakes a scale-to-zero service
    off_hours_rate_per_s: float = 0.0
    #: memory of one isolate when run on a serverless platform (instead of a server process)
    serverless_memory_mb: float = 0.0


@dataclass
class ComponentDemand:
    name: str
    kind: str
    metrics: dict[str, float]
    figures: dict[str, Figure]
    capacity: Capacity
    #: which branch each piecewise formula took (same regime at two scales => affine between)
    regime: tuple[Any, ...] = ()


@dataclass
class Demand:
    scale: float
    month: float | None
    users: float
    globals: dict[str, Figure]
    components: dict[str, ComponentDemand] = field(default_factory=dict)
    regime: tuple[Any, ...] = ()


class _Builder:
    def __init__(self, explain: bool = True) -> None:
        self.figures: dict[str, Figure] = {}
        self.metrics: dict[str, float] = {}
        self.explain = explain

    def add(self, name: str, value: float, unit: str, formula: str, **inputs: Any) -> float:
        if self.explain:
            self.figures[name] = Figure(name, value, unit, formula, tuple(inputs.items()))
        if name in METRICS:
            self.metrics[name] = value
        return value


def _peak_from_average(b: _Builder, cores_avg: float, act: Activity) -> float:
    """Peak CPU of a component whose load follows the users' activity curve."""
    return b.add(
        "cpu_cores_peak",
        cores_avg * act.peak_factor,
        "cores",
        "cpu_cores_avg x peak_factor",
        cpu_cores_avg=cores_avg,
        peak_factor=act.peak_factor,
    )


def _active_hours(b: _Builder, active_h_month: float, act: Activity, note: str = "") -> float:
    """Hours a month the component is busy: the users' active hours."""
    return b.add(
        "active_hours_per_month",
        active_h_month,
        "hours",
        "active_hours_per_day x days_per_month" + note,
        active_hours_per_day=act.active_hours_per_day,
    )


def _unit_months(p: Profile, units: float) -> tuple[float, Figure]:
    """Accumulated unit-months of data at this scale (drives storage that grows over time)."""
    s = p.scale
    g = s.growth
    if g is None:
        age = s.data_age_months if s.data_age_months is not None else 12.0
        v = units * age
        return v, Figure(
            "unit_months",
            v,
            "unit-months",
            "units x data_age_months",
            (("units", units), ("data_age_months", age)),
        )
    age0 = s.data_age_months or 0.0
    import math

    if g.monthly_growth_pct is not None:
        r = math.log(1 + g.monthly_growth_pct / 100.0)
        integral = (max(units, g.start) - g.start) / r
        f = "start x data_age_months + (units - start) / ln(1 + monthly_growth)"
        v = g.start * age0 + integral
        return v, Figure(
            "unit_months",
            v,
            "unit-months",
            f,
            (
                ("start", g.start),
                ("units", units),
                ("monthly_growth_pct", g.monthly_growth_pct),
                ("data_age_months", age0),
            ),
        )
    assert g.monthly_added is not None
    t = max(0.0, (units - g.start) / g.monthly_added)
    integral = g.start * t + g.monthly_added * t * t / 2
    v = g.start * age0 + integral
    f = "start x data_age_months + start x t + monthly_added x t^2 / 2, t = (units - start) / monthly_added"
    return v, Figure(
        "unit_months",
        v,
        "unit-months",
        f,
        (("start", g.start), ("units", units), ("monthly_added", g.monthly_added), ("data_age_months", age0)),
    )


def demand_at(p: Profile, units: float, a: Assumptions, explain: bool = True) -> Demand:
    """Demand of every component when the app has ``units`` scale units.

    With ``explain=False`` only the metrics are kept (no formulas): the optimizer's fast path."""
    act = p.activity
    days = DAYS_PER_MONTH
    g = _Builder(explain)
    users = g.add(
        "users",
        units * p.scale.users_per_unit,
        "users",
        "units x users_per_unit",
        units=units,
        users_per_unit=p.scale.users_per_unit,
    )
    dau = g.add(
        "daily_active_users",
        users * act.daily_active_fraction,
        "users",
        "users x daily_active_fraction",
        users=users,
        daily_active_fraction=act.daily_active_fraction,
    )
    active_s = g.add(
        "active_seconds_per_day",
        act.active_hours_per_day * 3600,
        "s",
        "active_hours_per_day x 3600",
        active_hours_per_day=act.active_hours_per_day,
    )
    active_h_month = g.add(
        "active_hours_per_month",
        act.active_hours_per_day * days,
        "hours",
        "active_hours_per_day x days_per_month",
        active_hours_per_day=act.active_hours_per_day,
        days_per_month=round(days, 4),
    )
    session_share = act.session_minutes_per_day / (act.active_hours_per_day * 60)
    raw_conc = dau * session_share * act.peak_factor
    capped = raw_conc > dau
    conc = g.add(
        "concurrent_users",
        min(dau, raw_conc),
        "users",
        "min(daily_active_users, daily_active_users x session_minutes_per_day / (active_hours_per_day x 60) x peak_factor)",
        daily_active_users=dau,
        session_minutes_per_day=act.session_minutes_per_day,
        active_hours_per_day=act.active_hours_per_day,
        peak_factor=act.peak_factor,
    )
    unit_months, um_fig = _unit_months(p, units)
    if explain:
        g.figures["unit_months"] = um_fig
    month = month_at_units(p.scale.growth, units) if p.scale.growth else None

    regime: list[Any] = [capped]
    comps: dict[str, ComponentDemand] = {}
    # web services first: databases and caches derive their load from them
    web_rpd: dict[str, float] = {}
    worker_jobs: dict[str, float] = {}
    worker_conc = 0
    for name, spec in p.components.items():
        if isinstance(spec, WebService):
            rpd = (
                spec.requests_per_user_day
                if spec.requests_per_user_day is not None
                else act.requests_per_user_day * spec.requests_share
            )
            web_rpd[name] = dau * rpd
        elif isinstance(spec, Worker):
            worker_jobs[name] = dau * spec.jobs_per_user_day
            worker_conc += spec.concurrency
    total_rpd = sum(web_rpd.values())
    total_jobs = sum(worker_jobs.values())
    common = dict(
        dau=dau, active_s=active_s, active_h_month=active_h_month, days=days, conc=conc, users=users
    )

    for name, comp in p.components.items():
        c: Any = comp  # dispatched on kind below
        b = _Builder(explain)
        cap = Capacity()
        reg: tuple[Any, ...] = ()
        k = c.kind
        if k == "web_service":
            cap, reg = _web_service(b, p, c, a, web_rpd[name], **common)
        elif k == "worker":
            cap = _worker(b, p, c, a, worker_jobs[name], **common)
        elif k == "postgres":
            cap, reg = _postgres(b, p, c, a, units, unit_months, total_rpd, total_jobs, worker_conc, **common)
        elif k == "sqlite":
            _sqlite(b, c, units, unit_months, total_rpd + total_jobs, days)
        elif k == "redis":
            cap = _redis(b, p, c, a, units, total_rpd, total_jobs, **common)
        elif k == "kv":
            _kv(b, c, units, dau, days)
        elif k == "object_storage":
            _object_storage(b, c, units, unit_months, dau, days)
        elif k == "web_frontend":
            _web_frontend(b, p, c, a, users, dau, days)
        elif k == "realtime":
            cap = _realtime(b, p, c, a, **common)
        elif k == "turn":
            _turn(b, c, a, users)
        elif k == "queue":
            _queue(b, c, a, dau, days)
        elif k == "email":
            _email(b, c, units, users, days)
        elif k == "messaging":
            _messaging(b, c, users)
        elif k == "uptime":
            b.add("uptime_monitors", c.monitors, "monitors", "monitors", monitors=c.monitors)
            b.add(
                "checks_per_hour",
                3600 / c.interval_s,
                "checks/h",
                "3600 / interval_s",
                interval_s=c.interval_s,
            )
        elif k == "error_tracking":
            _error_tracking(b, p, c, a, users, total_rpd, days)
        elif k == "logging":
            rpm = total_rpd * days
            b.add(
                "log_gb_per_month",
                rpm * c.log_kb_per_request / KB_PER_GB,
                "GB",
                "requests_per_month (all web services) x log_kb_per_request / 1024^2",
                requests_per_month=rpm,
                log_kb_per_request=c.log_kb_per_request,
            )
            b.add("team_members", p.team.seats, "users", "team.seats", seats=p.team.seats)
        comps[name] = ComponentDemand(name, k, b.metrics, b.figures, cap, reg)
        regime.append(reg)
    return Demand(units, month, users, g.figures, comps, tuple(regime))


# --------------------------------------------------------------------------- per kind
def _web_service(
    b: _Builder,
    p: Profile,
    c: Any,
    a: Assumptions,
    rpd: float,
    *,
    dau: float,
    active_s: float,
    active_h_month: float,
    days: float,
    conc: float,
    users: float,
) -> tuple[Capacity, tuple[Any, ...]]:
    act = p.activity
    per_user = (
        c.requests_per_user_day
        if c.requests_per_user_day is not None
        else act.requests_per_user_day * c.requests_share
    )
    b.add(
        "requests_per_day",
        rpd,
        "requests",
        "daily_active_users x requests_per_user_day",
        daily_active_users=dau,
        requests_per_user_day=per_user,
    )
    rpm = b.add(
        "requests_per_month",
        rpd * days,
        "requests",
        "requests_per_day x days_per_month",
        requests_per_day=rpd,
        days_per_month=round(days, 4),
    )
    avg = b.add(
        "avg_rps",
        rpd / active_s,
        "requests/s",
        "requests_per_day / active_seconds_per_day",
        requests_per_day=rpd,
        active_seconds_per_day=active_s,
    )
    peak = b.add(
        "peak_rps",
        avg * act.peak_factor,
        "requests/s",
        "avg_rps x peak_factor",
        avg_rps=avg,
        peak_factor=act.peak_factor,
    )
    cpu_key = f"runtime.{c.runtime}.cpu_ms_per_request"
    cpu = c.cpu_ms_per_request if c.cpu_ms_per_request is not None else a[cpu_key]
    b.add(
        "cpu_ms_per_request",
        cpu,
        "ms",
        "profile cpu_ms_per_request" if c.cpu_ms_per_request is not None else f"assumption {cpu_key}",
        cpu_ms_per_request=cpu,
    )
    b.add(
        "cpu_ms_per_month",
        rpm * cpu,
        "ms",
        "requests_per_month x cpu_ms_per_request",
        requests_per_month=rpm,
        cpu_ms_per_request=cpu,
    )
    b.add(
        "egress_gb_per_month",
        rpm * c.response_kb / KB_PER_GB,
        "GB",
        "requests_per_month x response_kb / 1024^2",
        requests_per_month=rpm,
        response_kb=c.response_kb,
    )
    mem_key = f"runtime.{c.runtime}.memory_mb"
    mem = c.memory_mb if c.memory_mb is not None else a[mem_key]
    b.add(
        "memory_mb",
        mem,
        "MB",
        "profile memory_mb" if c.memory_mb is not None else f"assumption {mem_key}",
        memory_mb=mem,
    )
    _active_hours(b, active_h_month, act)
    b.add("concurrent_users", conc, "users", "(see globals)")
    b.add("monthly_active_users", users, "users", "users")
    cores_avg = b.add(
        "cpu_cores_avg",
        avg * cpu / 1000,
        "cores",
        "avg_rps x cpu_ms_per_request / 1000",
        avg_rps=avg,
        cpu_ms_per_request=cpu,
    )
    cores_peak = b.add(
        "cpu_cores_peak",
        peak * cpu / 1000,
        "cores",
        "peak_rps x cpu_ms_per_request / 1000",
        peak_rps=peak,
        cpu_ms_per_request=cpu,
    )
    off = _off_hours_rate(b, p, a, rpd, "requests_per_day")
    iso = c.memory_mb if c.memory_mb is not None else (a["serverless.memory_mb"] if c.serverless_ok else 0.0)
    cap = Capacity(
        serverless_memory_mb=iso,
        cores_avg=cores_avg,
        cores_peak=cores_peak,
        memory_mb_per_instance=mem,
        min_instances=c.min_instances,
        may_scale_to_zero=c.scale_to_zero,
        runtime=c.runtime,
        serverless_ok=c.serverless_ok,
        off_hours_rate_per_s=off,
    )
    return cap, ()


def _worker(
    b: _Builder,
    p: Profile,
    c: Any,
    a: Assumptions,
    jobs: float,
    *,
    dau: float,
    active_s: float,
    active_h_month: float,
    days: float,
    conc: float,
    users: float,
) -> Capacity:
    act = p.activity
    b.add(
        "jobs_per_day",
        jobs,
        "jobs",
        "daily_active_users x jobs_per_user_day",
        daily_active_users=dau,
        jobs_per_user_day=c.jobs_per_user_day,
    )
    cpu_s_day = jobs * c.cpu_seconds_per_job
    b.add(
        "cpu_ms_per_month",
        cpu_s_day * 1000 * days,
        "ms",
        "jobs_per_day x cpu_seconds_per_job x 1000 x days_per_month",
        jobs_per_day=jobs,
        cpu_seconds_per_job=c.cpu_seconds_per_job,
    )
    cores_avg = b.add(
        "cpu_cores_avg",
        cpu_s_day / active_s,
        "cores",
        "jobs_per_day x cpu_seconds_per_job / active_seconds_per_day",
        jobs_per_day=jobs,
        cpu_seconds_per_job=c.cpu_seconds_per_job,
        active_seconds_per_day=active_s,
    )
    cores_peak = _peak_from_average(b, cores_avg, act)
    mem_key = f"runtime.{c.runtime}.memory_mb"
    mem = c.memory_mb if c.memory_mb is not None else a[mem_key]
    b.add(
        "process_memory_mb",
        mem,
        "MB",
        "profile memory_mb" if c.memory_mb is not None else f"assumption {mem_key}",
        memory_mb=mem,
    )
    # each instance runs `concurrency` jobs at once, each holding memory_mb_per_job
    inst_mem = b.add(
        "memory_mb",
        mem + c.concurrency * c.memory_mb_per_job,
        "MB",
        "process_memory_mb + concurrency x memory_mb_per_job",
        process_memory_mb=mem,
        concurrency=c.concurrency,
        memory_mb_per_job=c.memory_mb_per_job,
    )
    b.add("egress_gb_per_month", 0.0, "GB", "workers send nothing to users directly")
    _active_hours(b, active_h_month, act)
    return Capacity(
        cores_avg=cores_avg,
        cores_peak=cores_peak,
        memory_mb_per_instance=inst_mem,
        min_instances=c.min_instances,
        may_scale_to_zero=c.scale_to_zero,
        runtime=c.runtime,
        off_hours_rate_per_s=_off_hours_rate(b, p, a, jobs, "jobs_per_day"),
    )


def _postgres(
    b: _Builder,
    p: Profile,
    c: Any,
    a: Assumptions,
    units: float,
    unit_months: float,
    total_rpd: float,
    total_jobs: float,
    worker_conc: int,
    *,
    dau: float,
    active_s: float,
    active_h_month: float,
    days: float,
    conc: float,
    users: float,
) -> tuple[Capacity, tuple[Any, ...]]:
    act = p.activity
    mb = c.storage_mb_fixed + units * c.storage_mb_per_unit + c.growth_mb_per_unit_month * unit_months
    b.add(
        "storage_mb",
        mb,
        "MB",
        "storage_mb_fixed + units x storage_mb_per_unit + growth_mb_per_unit_month x unit_months",
        storage_mb_fixed=c.storage_mb_fixed,
        units=units,
        storage_mb_per_unit=c.storage_mb_per_unit,
        growth_mb_per_unit_month=c.growth_mb_per_unit_month,
        unit_months=unit_months,
    )
    b.add("storage_gb", mb / MB_PER_GB, "GB", "storage_mb / 1024", storage_mb=mb)
    qpr = c.queries_per_request if c.queries_per_request is not None else a["postgres.queries_per_request"]
    qpd = b.add(
        "queries_per_day",
        (total_rpd + total_jobs) * qpr,
        "queries",
        "(requests_per_day of all web services + jobs_per_day of all workers) x queries_per_request",
        requests_per_day=total_rpd,
        jobs_per_day=total_jobs,
        queries_per_request=qpr,
    )
    avg_q = b.add(
        "avg_qps",
        qpd / active_s,
        "queries/s",
        "queries_per_day / active_seconds_per_day",
        queries_per_day=qpd,
        active_seconds_per_day=active_s,
    )
    peak_q = b.add(
        "peak_qps",
        avg_q * act.peak_factor,
        "queries/s",
        "avg_qps x peak_factor",
        avg_qps=avg_q,
        peak_factor=act.peak_factor,
    )
    ekb = (
        c.egress_kb_per_request / qpr
        if (c.egress_kb_per_request is not None and qpr)
        else a["postgres.egress_kb_per_query"]
    )
    b.add(
        "egress_gb_per_month",
        qpd * days * ekb / KB_PER_GB,
        "GB",
        "queries_per_day x days_per_month x egress_kb_per_query / 1024^2",
        queries_per_day=qpd,
        egress_kb_per_query=ekb,
    )
    regime: tuple[Any, ...] = ()
    if c.connections is not None:
        b.add("connections", c.connections, "connections", "profile connections", connections=c.connections)
    else:
        hold = a["postgres.connection_hold_ms_per_request"]
        floor = a["postgres.min_connections"]
        peak_rps = total_rpd / active_s * act.peak_factor
        raw = peak_rps * hold / 1000 + worker_conc
        regime = (raw < floor,)
        b.add(
            "connections",
            max(floor, raw),
            "connections",
            "max(min_connections, peak_rps x connection_hold_ms_per_request / 1000 + worker concurrency)",
            min_connections=floor,
            peak_rps=peak_rps,
            connection_hold_ms_per_request=hold,
            worker_concurrency=worker_conc,
        )
    _active_hours(b, active_h_month, act, " (the database can suspend when idle)")
    cpu_q = a["postgres.cpu_ms_per_query"]
    cores_avg = b.add(
        "cpu_cores_avg",
        avg_q * cpu_q / 1000,
        "cores",
        "avg_qps x cpu_ms_per_query / 1000",
        avg_qps=avg_q,
        cpu_ms_per_query=cpu_q,
    )
    cores_peak = b.add(
        "cpu_cores_peak",
        peak_q * cpu_q / 1000,
        "cores",
        "peak_qps x cpu_ms_per_query / 1000",
        peak_qps=peak_q,
        cpu_ms_per_query=cpu_q,
    )
    mem = a["postgres.memory_mb"]
    b.add("memory_mb", mem, "MB", "assumption postgres.memory_mb", memory_mb=mem)
    return Capacity(
        cores_avg=cores_avg,
        cores_peak=cores_peak,
        memory_mb_per_instance=mem,
        persistence_required=True,
        off_hours_rate_per_s=_off_hours_rate(
            b, p, a, total_rpd + total_jobs, "requests_per_day + jobs_per_day"
        ),
    ), regime


def _off_hours_rate(b: _Builder, p: Profile, a: Assumptions, per_day: float, what: str) -> float:
    """Requests per second outside the active hours (what wakes a scale-to-zero service)."""
    off_h = 24 - p.activity.active_hours_per_day
    frac = a["traffic.off_hours_fraction"]
    if off_h <= 0:
        return 0.0
    return b.add(
        "off_hours_rate_per_s",
        per_day * frac / (off_h * 3600),
        "requests/s",
        f"({what}) x off_hours_fraction / ((24 - active_hours_per_day) x 3600)",
        per_day=per_day,
        off_hours_fraction=frac,
        active_hours_per_day=p.activity.active_hours_per_day,
    )


def _sqlite(b: _Builder, c: Any, units: float, unit_months: float, total_rpd: float, days: float) -> None:
    # total_rpd: requests of all web services plus jobs of all workers (each touches the database)
    mb = units * c.storage_mb_per_unit + c.growth_mb_per_unit_month * unit_months
    b.add(
        "storage_gb",
        mb / MB_PER_GB,
        "GB",
        "(units x storage_mb_per_unit + growth_mb_per_unit_month x unit_months) / 1024",
        units=units,
        storage_mb_per_unit=c.storage_mb_per_unit,
        growth_mb_per_unit_month=c.growth_mb_per_unit_month,
        unit_months=unit_months,
    )
    r = b.add(
        "rows_read_per_day",
        total_rpd * c.rows_read_per_request,
        "rows",
        "(requests_per_day of all web services + jobs_per_day of all workers) x rows_read_per_request",
        requests_per_day=total_rpd,
        rows_read_per_request=c.rows_read_per_request,
    )
    b.add("rows_read_per_month", r * days, "rows", "rows_read_per_day x days_per_month", rows_read_per_day=r)
    w = b.add(
        "rows_written_per_day",
        total_rpd * c.rows_written_per_request,
        "rows",
        "(requests_per_day of all web services + jobs_per_day of all workers) x rows_written_per_request",
        requests_per_day=total_rpd,
        rows_written_per_request=c.rows_written_per_request,
    )
    b.add(
        "rows_written_per_month",
        w * days,
        "rows",
        "rows_written_per_day x days_per_month",
        rows_written_per_day=w,
    )


def _redis(
    b: _Builder,
    p: Profile,
    c: Any,
    a: Assumptions,
    units: float,
    total_rpd: float,
    total_jobs: float,
    *,
    dau: float,
    active_s: float,
    active_h_month: float,
    days: float,
    conc: float,
    users: float,
) -> Capacity:
    per_job = a["redis.broker_commands_per_job"] if c.use == "broker" else 0.0
    broker_cmds = total_jobs * per_job
    cpd = total_rpd * c.commands_per_request + dau * c.commands_per_user_day + broker_cmds
    b.add(
        "commands_per_day",
        cpd,
        "commands",
        "requests_per_day (all web services) x commands_per_request + daily_active_users x commands_per_user_day + jobs_per_day x broker_commands_per_job (when a broker)",
        requests_per_day=total_rpd,
        commands_per_request=c.commands_per_request,
        daily_active_users=dau,
        commands_per_user_day=c.commands_per_user_day,
        jobs_per_day=total_jobs,
        broker_commands_per_job=per_job,
    )
    cpm = b.add(
        "commands_per_month",
        cpd * days,
        "commands",
        "commands_per_day x days_per_month",
        commands_per_day=cpd,
    )
    b.add(
        "peak_commands_per_s",
        cpd / active_s * p.activity.peak_factor,
        "commands/s",
        "commands_per_day / active_seconds_per_day x peak_factor",
        commands_per_day=cpd,
        active_seconds_per_day=active_s,
        peak_factor=p.activity.peak_factor,
    )
    ds = b.add(
        "dataset_mb",
        c.dataset_mb + units * c.dataset_mb_per_unit,
        "MB",
        "dataset_mb + units x dataset_mb_per_unit",
        dataset_mb=c.dataset_mb,
        units=units,
        dataset_mb_per_unit=c.dataset_mb_per_unit,
    )
    b.add(
        "egress_gb_per_month",
        cpm * c.value_kb / KB_PER_GB,
        "GB",
        "commands_per_month x value_kb / 1024^2",
        commands_per_month=cpm,
        value_kb=c.value_kb,
    )
    clients = sum(1 for x in p.components.values() if KINDS[x.kind].runs_code)
    per = a["redis.connections_per_instance"]
    b.add(
        "connections",
        max(1, clients) * per,
        "connections",
        "client components x redis.connections_per_instance",
        client_components=clients,
        connections_per_instance=per,
    )
    persist = (
        c.persistence_required if c.persistence_required is not None else c.use in ("broker", "sessions")
    )
    return Capacity(
        memory_mb_per_instance=ds,
        persistence_required=persist,
        off_hours_rate_per_s=_off_hours_rate(
            b, p, a, total_rpd + total_jobs, "requests_per_day + jobs_per_day"
        ),
    )


def _kv(b: _Builder, c: Any, units: float, dau: float, days: float) -> None:
    r = b.add(
        "kv_reads_per_day",
        dau * c.reads_per_user_day,
        "reads",
        "daily_active_users x reads_per_user_day",
        daily_active_users=dau,
        reads_per_user_day=c.reads_per_user_day,
    )
    b.add("kv_reads_per_month", r * days, "reads", "kv_reads_per_day x days_per_month", kv_reads_per_day=r)
    w = b.add(
        "kv_writes_per_day",
        dau * c.writes_per_user_day,
        "writes",
        "daily_active_users x writes_per_user_day",
        daily_active_users=dau,
        writes_per_user_day=c.writes_per_user_day,
    )
    b.add(
        "kv_writes_per_month", w * days, "writes", "kv_writes_per_day x days_per_month", kv_writes_per_day=w
    )
    cpd = b.add(
        "commands_per_day",
        r + w,
        "commands",
        "kv_reads_per_day + kv_writes_per_day (what a Redis-protocol KV host counts)",
        kv_reads_per_day=r,
        kv_writes_per_day=w,
    )
    b.add(
        "commands_per_month",
        cpd * days,
        "commands",
        "commands_per_day x days_per_month",
        commands_per_day=cpd,
    )
    b.add(
        "dataset_mb",
        units * c.storage_mb_per_unit,
        "MB",
        "units x storage_mb_per_unit (the dataset a Redis-protocol KV host keeps)",
        units=units,
        storage_mb_per_unit=c.storage_mb_per_unit,
    )
    b.add(
        "storage_gb",
        units * c.storage_mb_per_unit / MB_PER_GB,
        "GB",
        "units x storage_mb_per_unit / 1024",
        units=units,
        storage_mb_per_unit=c.storage_mb_per_unit,
    )


def _object_storage(b: _Builder, c: Any, units: float, unit_months: float, dau: float, days: float) -> None:
    b.add(
        "storage_gb",
        units * c.gb_per_unit + c.growth_gb_per_unit_month * unit_months,
        "GB",
        "units x gb_per_unit + growth_gb_per_unit_month x unit_months",
        units=units,
        gb_per_unit=c.gb_per_unit,
        growth_gb_per_unit_month=c.growth_gb_per_unit_month,
        unit_months=unit_months,
    )
    b.add(
        "class_a_ops_per_month",
        dau * c.uploads_per_user_day * days,
        "operations",
        "daily_active_users x uploads_per_user_day x days_per_month",
        daily_active_users=dau,
        uploads_per_user_day=c.uploads_per_user_day,
    )
    reads = b.add(
        "class_b_ops_per_month",
        dau * c.downloads_per_user_day * days,
        "operations",
        "daily_active_users x downloads_per_user_day x days_per_month",
        daily_active_users=dau,
        downloads_per_user_day=c.downloads_per_user_day,
    )
    b.add(
        "egress_gb_per_month",
        reads * c.avg_object_kb / KB_PER_GB,
        "GB",
        "class_b_ops_per_month x avg_object_kb / 1024^2",
        class_b_ops_per_month=reads,
        avg_object_kb=c.avg_object_kb,
    )


def _web_frontend(
    b: _Builder, p: Profile, c: Any, a: Assumptions, users: float, dau: float, days: float
) -> None:
    b.add(
        "egress_gb_per_month",
        users * c.bandwidth_mb_per_user_month / MB_PER_GB,
        "GB",
        "users x bandwidth_mb_per_user_month / 1024",
        users=users,
        bandwidth_mb_per_user_month=c.bandwidth_mb_per_user_month,
    )
    views = b.add(
        "page_views_per_month",
        dau * c.page_views_per_user_day * days,
        "views",
        "daily_active_users x page_views_per_user_day x days_per_month",
        daily_active_users=dau,
        page_views_per_user_day=c.page_views_per_user_day,
    )
    rpp = (1 + c.assets_per_page) if c.assets_per_page is not None else a["frontend.requests_per_page_view"]
    b.add(
        "edge_requests_per_month",
        views * rpp,
        "requests",
        "page_views_per_month x requests_per_page_view",
        page_views_per_month=views,
        requests_per_page_view=rpp,
    )
    ssr = 1.0 if c.rendering == "ssr" else 0.0
    inv = b.add(
        "function_invocations_per_month",
        views * ssr,
        "invocations",
        "page_views_per_month x (1 if rendering is ssr else 0)",
        page_views_per_month=views,
        rendering=c.rendering,
    )
    b.add(
        "function_invocations_per_day",
        inv / days,
        "invocations",
        "function_invocations_per_month / days_per_month",
        function_invocations_per_month=inv,
    )
    b.add(
        "cpu_ms_per_month",
        inv * c.cpu_ms_per_render,
        "ms",
        "function_invocations_per_month x cpu_ms_per_render",
        function_invocations_per_month=inv,
        cpu_ms_per_render=c.cpu_ms_per_render,
    )
    b.add(
        "cpu_ms_per_request",
        c.cpu_ms_per_render if c.rendering == "ssr" else 0.0,
        "ms",
        "cpu_ms_per_render when rendering is ssr (static and SPA pages use no server CPU)",
        cpu_ms_per_render=c.cpu_ms_per_render,
        rendering=c.rendering,
    )
    b.add("team_members", p.team.seats, "users", "team.seats", seats=p.team.seats)


def _realtime(
    b: _Builder,
    p: Profile,
    c: Any,
    a: Assumptions,
    *,
    dau: float,
    active_s: float,
    active_h_month: float,
    days: float,
    conc: float,
    users: float,
) -> Capacity:
    act = p.activity
    cc = b.add(
        "concurrent_connections",
        conc * c.connections_per_user,
        "connections",
        "concurrent_users x connections_per_user",
        concurrent_users=conc,
        connections_per_user=c.connections_per_user,
    )
    sent_day = dau * c.messages_per_user_day
    delivered = b.add(
        "realtime_messages_per_month",
        sent_day * c.fanout * days,
        "messages",
        "daily_active_users x messages_per_user_day x fanout x days_per_month",
        daily_active_users=dau,
        messages_per_user_day=c.messages_per_user_day,
        fanout=c.fanout,
    )
    ratio = a["realtime.ws_messages_per_do_request"]
    do_day = b.add(
        "do_requests_per_day",
        sent_day / ratio + dau,
        "requests",
        "daily_active_users x messages_per_user_day / ws_messages_per_do_request + daily_active_users (one connect each)",
        daily_active_users=dau,
        messages_per_user_day=c.messages_per_user_day,
        ws_messages_per_do_request=ratio,
    )
    b.add(
        "do_requests_per_month",
        do_day * days,
        "requests",
        "do_requests_per_day x days_per_month",
        do_requests_per_day=do_day,
    )
    upo = a["realtime.users_per_object"]
    frac = a["realtime.do_active_fraction"]
    gbo = a["realtime.do_gb_per_object"]
    avg_objects = cc / act.peak_factor / upo
    gbs = b.add(
        "do_gb_seconds_per_day",
        avg_objects * active_s * frac * gbo,
        "GB-s",
        "concurrent_connections / peak_factor / users_per_object x active_seconds_per_day x do_active_fraction x do_gb_per_object",
        concurrent_connections=cc,
        peak_factor=act.peak_factor,
        users_per_object=upo,
        active_seconds_per_day=active_s,
        do_active_fraction=frac,
        do_gb_per_object=gbo,
    )
    b.add(
        "do_gb_seconds_per_month",
        gbs * days,
        "GB-s",
        "do_gb_seconds_per_day x days_per_month",
        do_gb_seconds_per_day=gbs,
    )
    b.add(
        "egress_gb_per_month",
        delivered * c.message_kb / KB_PER_GB,
        "GB",
        "realtime_messages_per_month x message_kb / 1024^2",
        realtime_messages_per_month=delivered,
        message_kb=c.message_kb,
    )
    mem_key = f"runtime.{c.runtime}.memory_mb"
    mem = c.memory_mb if c.memory_mb is not None else a[mem_key]
    b.add(
        "memory_mb",
        mem,
        "MB",
        "profile memory_mb" if c.memory_mb is not None else f"assumption {mem_key}",
        memory_mb=mem,
    )
    kb_conn = a["realtime.memory_kb_per_connection"]
    conn_mem = b.add(
        "connection_memory_mb",
        cc * kb_conn / 1024,
        "MB",
        "concurrent_connections x memory_kb_per_connection / 1024",
        concurrent_connections=cc,
        memory_kb_per_connection=kb_conn,
    )
    cpu_msg = a["realtime.cpu_ms_per_message"]
    msgs_avg = (sent_day * (1 + c.fanout)) / active_s
    cores_avg = b.add(
        "cpu_cores_avg",
        msgs_avg * cpu_msg / 1000,
        "cores",
        "messages_per_day x (1 + fanout) / active_seconds_per_day x cpu_ms_per_message / 1000",
        messages_per_day=sent_day,
        fanout=c.fanout,
        cpu_ms_per_message=cpu_msg,
    )
    cores_peak = _peak_from_average(b, cores_avg, act)
    _active_hours(b, active_h_month, act)
    return Capacity(
        cores_avg=cores_avg,
        cores_peak=cores_peak,
        memory_mb_per_instance=mem,
        memory_mb_shared=conn_mem,
        may_scale_to_zero=False,
        runtime=c.runtime,
        serverless_ok=c.serverless_ok,
    )


def _turn(b: _Builder, c: Any, a: Assumptions, users: float) -> None:
    minutes = b.add(
        "call_minutes_per_month",
        users * c.call_minutes_per_user_month,
        "minutes",
        "users x call_minutes_per_user_month",
        users=users,
        call_minutes_per_user_month=c.call_minutes_per_user_month,
    )
    rf = c.relay_fraction if c.relay_fraction is not None else a["turn.relay_fraction"]
    kbps = c.bitrate_kbps if c.bitrate_kbps is not None else a["turn.bitrate_kbps"]
    # minutes are per user, so a call of p people is counted p times; each relayed participant
    # receives the other p - 1 streams through the relay
    streams = c.participants - 1
    gb = minutes * rf * 60 * kbps * 1000 / 8 / 1024**3 * streams
    b.add(
        "relay_gb_per_month",
        gb,
        "GB",
        "call_minutes_per_month x relay_fraction x 60 s x bitrate_kbps x 1000 / 8 bytes / 1024^3 x (participants - 1) streams",
        call_minutes_per_month=minutes,
        relay_fraction=rf,
        bitrate_kbps=kbps,
        participants=c.participants,
    )


def _queue(b: _Builder, c: Any, a: Assumptions, dau: float, days: float) -> None:
    opm = (
        c.operations_per_message
        if c.operations_per_message is not None
        else a["queue.operations_per_message"]
    )
    d = b.add(
        "queue_operations_per_day",
        dau * c.messages_per_user_day * opm,
        "operations",
        "daily_active_users x messages_per_user_day x operations_per_message",
        daily_active_users=dau,
        messages_per_user_day=c.messages_per_user_day,
        operations_per_message=opm,
    )
    b.add(
        "queue_operations_per_month",
        d * days,
        "operations",
        "queue_operations_per_day x days_per_month",
        queue_operations_per_day=d,
    )


def _email(b: _Builder, c: Any, units: float, users: float, days: float) -> None:
    m = b.add(
        "emails_per_month",
        users * c.emails_per_user_month + units * c.emails_per_unit_month,
        "emails",
        "users x emails_per_user_month + units x emails_per_unit_month",
        users=users,
        emails_per_user_month=c.emails_per_user_month,
        units=units,
        emails_per_unit_month=c.emails_per_unit_month,
    )
    b.add(
        "emails_per_day",
        m / days * c.peak_day_factor,
        "emails",
        "emails_per_month / days_per_month x peak_day_factor",
        emails_per_month=m,
        peak_day_factor=c.peak_day_factor,
    )


def _messaging(b: _Builder, c: Any, users: float) -> None:
    for cat in ("utility", "marketing", "authentication", "service"):
        per = getattr(c, f"{cat}_per_user_month")
        b.add(
            f"wa_{cat}_messages_per_month",
            users * per,
            "messages",
            f"users x {cat}_per_user_month",
            users=users,
            **{f"{cat}_per_user_month": per},
        )


def _error_tracking(
    b: _Builder, p: Profile, c: Any, a: Assumptions, users: float, total_rpd: float, days: float
) -> None:
    rate = (
        c.error_rate
        if c.error_rate is not None
        else (a["error_tracking.error_rate"] if not c.events_per_user_month else 0.0)
    )
    rpm = total_rpd * days
    b.add(
        "error_events_per_month",
        users * c.events_per_user_month + rpm * rate,
        "events",
        "users x events_per_user_month + requests_per_month (all web services) x error_rate",
        users=users,
        events_per_user_month=c.events_per_user_month,
        requests_per_month=rpm,
        error_rate=rate,
    )
    b.add("team_members", p.team.seats, "users", "team.seats", seats=p.team.seats)


_ = HOURS_PER_MONTH  # re-exported constant used by the pricing engine
