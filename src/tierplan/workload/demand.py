"""Profile + scale (+ month) -> demand per component: the globals (users, active users,
requests) and each component's figures by kind."""

from __future__ import annotations

import math
from typing import Any

from ..assumptions import Assumptions
from ..metrics import DAYS_PER_MONTH
from ..profile import Profile, Realtime, WebService, Worker, month_at_units
from .compute import realtime, web_service, worker
from .figures import (
    TRANSFER_KB_PER_GB,
    Builder,
    Capacity,
    ComponentDemand,
    Demand,
    Figure,
)
from .services import (
    auth,
    email,
    error_tracking,
    messaging,
    queue,
    scheduled_job,
    turn,
    web_frontend,
)
from .stores import PubSub, kv, object_storage, postgres, redis, sqlite

__all__ = ["demand_at"]


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
    g = Builder(explain)
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
    # realtime servers publish every message they send through their Redis pub/sub adapter
    pubsub: dict[str, PubSub] = {}
    for name, spec in p.components.items():
        target = p.pubsub_redis(name)
        if target is not None and isinstance(spec, Realtime):
            prev = pubsub.get(target, PubSub())
            sent = dau * spec.messages_per_user_day
            pubsub[target] = PubSub(
                prev.messages_per_day + sent, prev.kb_per_day + sent * spec.message_kb, prev.publishers + 1
            )
    common = dict(
        dau=dau, active_s=active_s, active_h_month=active_h_month, days=days, conc=conc, users=users
    )

    for name, comp in p.components.items():
        c: Any = comp  # dispatched on kind below
        b = Builder(explain)
        cap = Capacity()
        reg: tuple[Any, ...] = ()
        k = c.kind
        if k == "web_service":
            cap, reg = web_service(b, p, c, a, web_rpd[name], **common)
        elif k == "worker":
            cap = worker(b, p, c, a, worker_jobs[name], **common)
        elif k == "postgres":
            cap, reg = postgres(b, p, c, a, units, unit_months, total_rpd, total_jobs, worker_conc, **common)
        elif k == "sqlite":
            sqlite(b, c, units, unit_months, total_rpd + total_jobs, days)
        elif k == "redis":
            cap = redis(b, p, c, a, units, total_rpd, total_jobs, pubsub.get(name, PubSub()), **common)
        elif k == "kv":
            kv(b, c, units, dau, days)
        elif k == "object_storage":
            object_storage(b, c, units, unit_months, dau, days)
        elif k == "web_frontend":
            web_frontend(b, p, c, a, users, dau, days)
        elif k == "realtime":
            cap = realtime(b, p, c, a, **common)
        elif k == "turn":
            cap = turn(b, p, c, a, users, active_h_month)
        elif k == "queue":
            queue(b, c, a, dau, days)
        elif k == "email":
            email(b, c, units, users, days)
        elif k == "messaging":
            messaging(b, c, users)
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
            error_tracking(b, p, c, a, users, total_rpd, days)
        elif k == "logging":
            rpm = total_rpd * days
            b.add(
                "log_gb_per_month",
                rpm * c.log_kb_per_request / TRANSFER_KB_PER_GB,
                "GB",
                "requests_per_month (all web services) x log_kb_per_request / 1000^2 (decimal GB)",
                requests_per_month=rpm,
                log_kb_per_request=c.log_kb_per_request,
            )
            b.add("team_members", p.team.seats, "users", "team.seats", seats=p.team.seats)
        elif k == "auth":
            auth(b, c, users, dau)
        elif k == "scheduled_job":
            scheduled_job(b, c, days)
        comps[name] = ComponentDemand(name, k, b.metrics, b.figures, cap, reg)
        regime.append(reg)
    return Demand(units, month, users, g.figures, comps, tuple(regime))
