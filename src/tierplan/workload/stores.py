"""Demand of data stores: Postgres, SQLite, Redis, key-value stores and object storage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..assumptions import Assumptions
from ..kinds import KINDS
from ..profile import Profile
from .figures import (
    MB_PER_GB,
    TRANSFER_KB_PER_GB,
    Builder,
    Capacity,
    active_hours,
    off_hours_rate,
)

__all__ = ["postgres", "sqlite", "redis", "kv", "object_storage", "PubSub"]


@dataclass(frozen=True)
class PubSub:
    """What the realtime servers that publish through one Redis send it a day: messages (one
    PUBLISH each), their KB, and how many realtime components publish."""

    messages_per_day: float = 0.0
    kb_per_day: float = 0.0
    publishers: int = 0


def postgres(
    b: Builder,
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
        qpd * days * ekb / TRANSFER_KB_PER_GB,
        "GB",
        "queries_per_day x days_per_month x egress_kb_per_query / 1000^2 (decimal GB)",
        queries_per_day=qpd,
        egress_kb_per_query=ekb,
    )
    regime: tuple[Any, ...] = ()
    if c.connections is not None:
        conns = b.add(
            "connections", c.connections, "connections", "profile connections", connections=c.connections
        )
    else:
        hold = a["postgres.connection_hold_ms_per_request"]
        floor = a["postgres.min_connections"]
        peak_rps = total_rpd / active_s * act.peak_factor
        raw = peak_rps * hold / 1000 + worker_conc
        regime = (raw < floor,)
        conns = b.add(
            "connections",
            max(floor, raw),
            "connections",
            "max(min_connections, peak_rps x connection_hold_ms_per_request / 1000 + worker concurrency)",
            min_connections=floor,
            peak_rps=peak_rps,
            connection_hold_ms_per_request=hold,
            worker_concurrency=worker_conc,
        )
    active_hours(b, active_h_month, act, " (the database can suspend when idle)")
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
    mem = _postgres_memory(b, a, mb, conns)
    return Capacity(
        cores_avg=cores_avg,
        cores_peak=cores_peak,
        memory_mb_per_instance=mem,
        persistence_required=True,
        off_hours_rate_per_s=off_hours_rate(
            b, p, a, total_rpd + total_jobs, "requests_per_day + jobs_per_day"
        ),
    ), regime


def _postgres_memory(b: Builder, a: Assumptions, storage_mb: float, connections: float) -> float:
    """The memory one Postgres server needs: its fixed processes and caches, each connection's
    backend, and the working set (the hot part of data and indexes kept in shared buffers and the
    OS page cache), which grows with the data."""
    base = a["postgres.base_memory_mb"]
    per_conn = a["postgres.memory_mb_per_connection"]
    hot = a["postgres.hot_data_fraction"]
    ws = b.add(
        "working_set_mb",
        storage_mb * hot,
        "MB",
        "storage_mb x hot_data_fraction",
        storage_mb=storage_mb,
        hot_data_fraction=hot,
    )
    return b.add(
        "memory_mb",
        base + connections * per_conn + ws,
        "MB",
        "base_memory_mb + connections x memory_mb_per_connection + working_set_mb",
        base_memory_mb=base,
        connections=connections,
        memory_mb_per_connection=per_conn,
        working_set_mb=ws,
    )


def sqlite(b: Builder, c: Any, units: float, unit_months: float, total_rpd: float, days: float) -> None:
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


def redis(
    b: Builder,
    p: Profile,
    c: Any,
    a: Assumptions,
    units: float,
    total_rpd: float,
    total_jobs: float,
    pubsub: PubSub,
    *,
    dau: float,
    active_s: float,
    active_h_month: float,
    days: float,
    conc: float,
    users: float,
) -> Capacity:
    broker = c.use == "broker"
    per_job = a["redis.broker_commands_per_job"] if broker else 0.0
    broker_cmds = total_jobs * per_job
    idle_pd = 0.0
    if broker:
        workers = sum(1 for x in p.components.values() if x.kind == "worker")
        per_s = a["redis.broker_idle_commands_per_s_per_worker"]
        idle_pd = b.add(
            "broker_idle_commands_per_day",
            workers * per_s * 86_400,
            "commands",
            "worker components x broker_idle_commands_per_s_per_worker x 86,400 s (idle workers poll the broker all day)",
            worker_components=workers,
            broker_idle_commands_per_s_per_worker=per_s,
        )
    pub_pd = 0.0
    if pubsub.publishers:
        per_msg = a["realtime.pubsub_commands_per_message"]
        pub_pd = b.add(
            "pubsub_commands_per_day",
            pubsub.messages_per_day * per_msg,
            "commands",
            "realtime messages sent per day (daily_active_users x messages_per_user_day, every realtime "
            "component publishing here) x realtime.pubsub_commands_per_message",
            realtime_messages_per_day=pubsub.messages_per_day,
            pubsub_commands_per_message=per_msg,
        )
    cpd = total_rpd * c.commands_per_request + dau * c.commands_per_user_day + broker_cmds + idle_pd + pub_pd
    inputs: dict[str, float] = dict(
        requests_per_day=total_rpd,
        commands_per_request=c.commands_per_request,
        daily_active_users=dau,
        commands_per_user_day=c.commands_per_user_day,
        jobs_per_day=total_jobs,
        broker_commands_per_job=per_job,
        broker_idle_commands_per_day=idle_pd,
    )
    if pubsub.publishers:
        inputs["pubsub_commands_per_day"] = pub_pd
    b.add(
        "commands_per_day",
        cpd,
        "commands",
        "requests_per_day (all web services) x commands_per_request + daily_active_users x commands_per_user_day + jobs_per_day x broker_commands_per_job + broker_idle_commands_per_day (when a broker)"
        + (" + pubsub_commands_per_day" if pubsub.publishers else ""),
        **inputs,
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
        (cpd - idle_pd) / active_s * p.activity.peak_factor + idle_pd / 86_400,
        "commands/s",
        "(commands_per_day - broker_idle_commands_per_day) / active_seconds_per_day x peak_factor + broker_idle_commands_per_day / 86,400 s",
        commands_per_day=cpd,
        broker_idle_commands_per_day=idle_pd,
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
    clients = sum(1 for x in p.components.values() if KINDS[x.kind].runs_code)
    per = a["redis.pool_size_per_process"]
    if not pubsub.publishers:
        b.add(
            "egress_gb_per_month",
            cpm * c.value_kb / TRANSFER_KB_PER_GB,
            "GB",
            "commands_per_month x value_kb / 1000^2 (decimal GB)",
            commands_per_month=cpm,
            value_kb=c.value_kb,
        )
        b.add(
            "connections",
            max(1, clients) * per,
            "connections",
            "client components x pool_size_per_process (at least one process each; the stack counts"
            " running instances x processes)",
            client_components=clients,
            pool_size_per_process=per,
        )
    else:
        # a published message leaves Redis once per subscribed server: counted once (a floor; each
        # further realtime instance receives another copy)
        pub_kb_month = pubsub.kb_per_day * a["realtime.pubsub_commands_per_message"] * days
        b.add(
            "egress_gb_per_month",
            ((cpd - pub_pd) * days * c.value_kb + pub_kb_month) / TRANSFER_KB_PER_GB,
            "GB",
            "((commands_per_day - pubsub_commands_per_day) x days_per_month x value_kb + realtime message KB "
            "published per month (message_kb x pubsub_commands_per_message)) / 1000^2 (decimal GB)",
            commands_per_day=cpd,
            pubsub_commands_per_day=pub_pd,
            value_kb=c.value_kb,
            pubsub_kb_per_month=pub_kb_month,
        )
        pub_conn = a["realtime.pubsub_connections_per_instance"]
        b.add(
            "connections",
            max(1, clients) * per + pubsub.publishers * pub_conn,
            "connections",
            "client components x pool_size_per_process + realtime components publishing here x "
            "realtime.pubsub_connections_per_instance (at least one instance each; the stack counts"
            " running instances x processes)",
            client_components=clients,
            pool_size_per_process=per,
            pubsub_publishers=pubsub.publishers,
            pubsub_connections_per_instance=pub_conn,
        )
    persist = (
        c.persistence_required if c.persistence_required is not None else c.use in ("broker", "sessions")
    )
    return Capacity(
        memory_mb_per_instance=ds,
        persistence_required=persist,
        off_hours_rate_per_s=off_hours_rate(
            b, p, a, total_rpd + total_jobs, "requests_per_day + jobs_per_day"
        ),
    )


def kv(b: Builder, c: Any, units: float, dau: float, days: float) -> None:
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


def object_storage(b: Builder, c: Any, units: float, unit_months: float, dau: float, days: float) -> None:
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
        reads * c.avg_object_kb / TRANSFER_KB_PER_GB,
        "GB",
        "class_b_ops_per_month x avg_object_kb / 1000^2 (decimal GB)",
        class_b_ops_per_month=reads,
        avg_object_kb=c.avg_object_kb,
    )
