"""Demand of the rest: web frontends, TURN relays, queues, email, messaging, error tracking,
authentication and scheduled jobs."""

from __future__ import annotations

import math
from typing import Any

from ..assumptions import Assumptions
from ..profile import Profile
from .figures import (
    TRANSFER_BYTES_PER_GB,
    TRANSFER_MB_PER_GB,
    Builder,
    Capacity,
)

__all__ = [
    "web_frontend",
    "turn",
    "queue",
    "email",
    "messaging",
    "error_tracking",
    "auth",
    "scheduled_job",
]


def web_frontend(
    b: Builder, p: Profile, c: Any, a: Assumptions, users: float, dau: float, days: float
) -> None:
    b.add(
        "egress_gb_per_month",
        users * c.bandwidth_mb_per_user_month / TRANSFER_MB_PER_GB,
        "GB",
        "users x bandwidth_mb_per_user_month / 1000 (decimal GB)",
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


def turn(
    b: Builder, p: Profile, c: Any, a: Assumptions, users: float, active_h_month: float
) -> Capacity:
    """Relay traffic of a TURN component, and the servers a self-run relay (coturn) needs: the
    relayed bit rate averaged over the users' active hours and at their peak, over what one vCPU
    relays (``turn.relay_mbps_per_vcpu``). Managed relays (usage-billed) ignore the capacity."""
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
    gb = minutes * rf * 60 * kbps * 1000 / 8 / TRANSFER_BYTES_PER_GB * streams
    b.add(
        "relay_gb_per_month",
        gb,
        "GB",
        "call_minutes_per_month x relay_fraction x 60 s x bitrate_kbps x 1000 / 8 bytes / 10^9 (decimal GB) x (participants - 1) streams",
        call_minutes_per_month=minutes,
        relay_fraction=rf,
        bitrate_kbps=kbps,
        participants=c.participants,
    )
    bits = minutes * rf * 60 * kbps * 1000 * streams
    avg = b.add(
        "relay_mbps_avg",
        bits / (active_h_month * 3600) / 1e6 if active_h_month > 0 else 0.0,
        "Mbit/s",
        "call_minutes_per_month x relay_fraction x 60 s x bitrate_kbps x 1000 x (participants - 1) "
        "/ (active_hours_per_month x 3600 s) / 10^6",
        call_minutes_per_month=minutes,
        active_hours_per_month=active_h_month,
    )
    peak = b.add(
        "relay_mbps_peak",
        avg * p.activity.peak_factor,
        "Mbit/s",
        "relay_mbps_avg x peak_factor",
        relay_mbps_avg=avg,
        peak_factor=p.activity.peak_factor,
    )
    per_vcpu = a["turn.relay_mbps_per_vcpu"]
    return Capacity(
        cores_avg=b.add(
            "cpu_cores_avg",
            avg / per_vcpu,
            "cores",
            "relay_mbps_avg / relay_mbps_per_vcpu",
            relay_mbps_avg=avg,
            relay_mbps_per_vcpu=per_vcpu,
        ),
        cores_peak=b.add(
            "cpu_cores_peak",
            peak / per_vcpu,
            "cores",
            "relay_mbps_peak / relay_mbps_per_vcpu",
            relay_mbps_peak=peak,
            relay_mbps_per_vcpu=per_vcpu,
        ),
        may_scale_to_zero=False,
    )


def queue(b: Builder, c: Any, a: Assumptions, dau: float, days: float) -> None:
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


def email(b: Builder, c: Any, units: float, users: float, days: float) -> None:
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


def messaging(b: Builder, c: Any, users: float) -> None:
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


def error_tracking(
    b: Builder, p: Profile, c: Any, a: Assumptions, users: float, total_rpd: float, days: float
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


def auth(b: Builder, c: Any, users: float, dau: float) -> None:
    """Monthly active users: every user who signs in (or refreshes a session) in the month. The
    profile's users are the people who use the app, so by default each counts once a month; a
    ``monthly_active_fraction`` lowers that, but never below the users active on an average day."""
    share = c.monthly_active_fraction if c.monthly_active_fraction is not None else 1.0
    b.add(
        "monthly_active_users",
        max(dau, users * share),
        "users",
        "max(daily_active_users, users x monthly_active_fraction)",
        daily_active_users=dau,
        users=users,
        monthly_active_fraction=share,
    )
    b.add("daily_active_users", dau, "users", "daily_active_users", daily_active_users=dau)


def scheduled_job(b: Builder, c: Any, days: float) -> None:
    """A job run ``runs_per_day`` times, each run taking ``cpu_seconds_per_run`` (CPU-bound: run
    time = CPU time). The figures do not grow with users: the schedule is fixed. Each run is one
    invocation (request) on an invocation-billed platform (Cloudflare Workers)."""
    per_day, secs = c.runs_per_day, c.cpu_seconds_per_run
    b.add("cron_triggers", 1, "triggers", "1 (one schedule per scheduled_job component)")
    b.add("job_runs_per_day", per_day, "runs", "runs_per_day", runs_per_day=per_day)
    runs = b.add(
        "job_runs_per_month",
        per_day * days,
        "runs",
        "runs_per_day x days_per_month",
        runs_per_day=per_day,
        days_per_month=round(days, 4),
    )
    b.add("job_seconds_per_run", secs, "s", "cpu_seconds_per_run", cpu_seconds_per_run=secs)
    b.add("memory_mb", c.memory_mb, "MB", "memory_mb", memory_mb=c.memory_mb)
    total = b.add(
        "job_seconds_per_month",
        runs * secs,
        "s",
        "job_runs_per_month x cpu_seconds_per_run",
        job_runs_per_month=runs,
        cpu_seconds_per_run=secs,
    )
    b.add(
        "job_billed_minutes_per_month",
        runs * math.ceil(secs / 60),
        "minutes",
        "job_runs_per_month x ceil(cpu_seconds_per_run / 60)",
        job_runs_per_month=runs,
        cpu_seconds_per_run=secs,
    )
    b.add(
        "job_memory_gb_hours_per_month",
        total * c.memory_mb / 1024 / 3600,
        "GB-hours",
        "job_seconds_per_month x memory_mb / 1024 / 3600",
        job_seconds_per_month=total,
        memory_mb=c.memory_mb,
    )
    b.add(
        "requests_per_day", per_day, "requests", "runs_per_day (one invocation per run)", runs_per_day=per_day
    )
    b.add(
        "requests_per_month",
        runs,
        "requests",
        "job_runs_per_month (one invocation per run)",
        job_runs_per_month=runs,
    )
    b.add("cpu_ms_per_request", secs * 1000, "ms", "cpu_seconds_per_run x 1000", cpu_seconds_per_run=secs)
    b.add(
        "cpu_ms_per_month",
        total * 1000,
        "ms",
        "job_seconds_per_month x 1000",
        job_seconds_per_month=total,
    )
