"""Demand of components that run code: web services, workers and realtime (WebSocket) servers."""

from __future__ import annotations

from typing import Any

from ..assumptions import Assumptions
from ..profile import Profile
from .figures import (
    TRANSFER_KB_PER_GB,
    Builder,
    Capacity,
    active_hours,
    off_hours_rate,
    peak_from_average,
)

__all__ = ["web_service", "worker", "realtime"]


def web_service(
    b: Builder,
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
        rpm * c.response_kb / TRANSFER_KB_PER_GB,
        "GB",
        "requests_per_month x response_kb / 1000^2 (decimal GB)",
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
    active_hours(b, active_h_month, act)
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
    off = off_hours_rate(b, p, a, rpd, "requests_per_day")
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


def worker(
    b: Builder,
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
    cores_peak = peak_from_average(b, cores_avg, act)
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
    active_hours(b, active_h_month, act)
    return Capacity(
        cores_avg=cores_avg,
        cores_peak=cores_peak,
        memory_mb_per_instance=inst_mem,
        min_instances=c.min_instances,
        may_scale_to_zero=c.scale_to_zero,
        runtime=c.runtime,
        off_hours_rate_per_s=off_hours_rate(b, p, a, jobs, "jobs_per_day"),
    )


def realtime(
    b: Builder,
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
        delivered * c.message_kb / TRANSFER_KB_PER_GB,
        "GB",
        "realtime_messages_per_month x message_kb / 1000^2 (decimal GB)",
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
    cores_peak = peak_from_average(b, cores_avg, act)
    active_hours(b, active_h_month, act)
    return Capacity(
        cores_avg=cores_avg,
        cores_peak=cores_peak,
        memory_mb_per_instance=mem,
        memory_mb_shared=conn_mem,
        may_scale_to_zero=False,
        runtime=c.runtime,
        serverless_ok=c.serverless_ok,
    )
