"""The vocabulary of demand: every metric a workload produces and a catalog prices or limits.

A metric name carries its unit and, for flows, its period (``requests_per_day`` vs
``requests_per_month``). Catalog meters and limits may only name metrics listed here; the
catalog check rejects anything else, so a typo in a data file cannot silently price nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Period = Literal["month", "day", "none"]

__all__ = ["Metric", "METRICS", "metric", "metric_words", "DAYS_PER_MONTH", "HOURS_PER_MONTH", "SECONDS_PER_DAY"]

#: Average days in a calendar month (365 / 12). Daily quotas are multiplied by this.
DAYS_PER_MONTH = 365.0 / 12.0
#: Average hours in a calendar month (24 x 365 / 12 = 730). Only used for always-on resources;
#: everything that can stop takes its hours from the workload.
HOURS_PER_MONTH = 24.0 * DAYS_PER_MONTH
#: Seconds in a day (per-second rates to per-day figures).
SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    period: Period
    doc: str
    #: True when the engine derives it per candidate (instances, hours) rather than the workload.
    derived: bool = False
    #: False for configured counts (seats, monitors, check frequency): they do not fluctuate, so a
    #: limit on them fits up to the limit itself, not headroom x limit
    headroom: bool = True


_M = [
    # traffic
    Metric("requests_per_day", "requests", "day", "HTTP requests served on an average day"),
    Metric("requests_per_month", "requests", "month", "HTTP requests served in a month"),
    Metric("avg_rps", "requests/s", "none", "average requests per second over the active hours"),
    Metric("peak_rps", "requests/s", "none", "requests per second in the busiest minute"),
    Metric("cpu_ms_per_request", "ms", "none", "CPU time one request needs"),
    Metric("cpu_ms_per_month", "ms", "month", "CPU time used by all requests in a month"),
    Metric("egress_gb_per_month", "GB", "month", "data sent to users (or to other services) in a month"),
    Metric("edge_requests_per_month", "requests", "month", "requests reaching a CDN edge (pages and assets)"),
    Metric(
        "function_invocations_per_day",
        "invocations",
        "day",
        "server-side function calls (SSR, API routes) per day",
    ),
    Metric(
        "function_invocations_per_month",
        "invocations",
        "month",
        "server-side function calls (SSR, API routes)",
    ),
    Metric("monthly_active_users", "users", "month", "distinct users active in a month"),
    Metric("daily_active_users", "users", "none", "distinct users active on an average day"),
    Metric("concurrent_users", "users", "none", "users online at the same time at peak"),
    # compute time
    Metric("active_hours_per_month", "hours", "month", "hours per month during which users are active"),
    Metric("memory_mb", "MB", "none", "working-set memory of one instance"),
    # storage
    Metric("storage_gb", "GB", "none", "data stored (accumulated)"),
    Metric("dataset_mb", "MB", "none", "in-memory dataset size (Redis)"),
    # databases
    Metric("peak_qps", "queries/s", "none", "database queries per second at peak"),
    Metric("avg_qps", "queries/s", "none", "average database queries per second over the active hours"),
    Metric("connections", "connections", "none", "peak concurrent database or cache connections"),
    Metric("rows_read_per_day", "rows", "day", "rows read per day (D1)"),
    Metric("rows_read_per_month", "rows", "month", "rows read per month (D1)"),
    Metric("rows_written_per_day", "rows", "day", "rows written per day (D1)"),
    Metric("rows_written_per_month", "rows", "month", "rows written per month (D1)"),
    # cache / kv
    Metric("commands_per_day", "commands", "day", "Redis commands per day"),
    Metric("commands_per_month", "commands", "month", "Redis commands per month"),
    Metric("peak_commands_per_s", "commands/s", "none", "Redis commands per second at peak"),
    Metric("kv_reads_per_day", "reads", "day", "key-value reads per day"),
    Metric("kv_reads_per_month", "reads", "month", "key-value reads per month"),
    Metric("kv_writes_per_day", "writes", "day", "key-value writes per day"),
    Metric("kv_writes_per_month", "writes", "month", "key-value writes per month"),
    # object storage
    Metric(
        "class_a_ops_per_month", "operations", "month", "object writes and lists (PUT, POST, LIST) per month"
    ),
    Metric("class_b_ops_per_month", "operations", "month", "object reads (GET, HEAD) per month"),
    # realtime
    Metric("concurrent_connections", "connections", "none", "open WebSocket connections at peak"),
    Metric("realtime_messages_per_month", "messages", "month", "realtime messages delivered per month"),
    Metric(
        "do_requests_per_day",
        "requests",
        "day",
        "Durable Object requests per day (WebSocket messages billed 20:1)",
    ),
    Metric("do_requests_per_month", "requests", "month", "Durable Object requests per month"),
    Metric(
        "do_gb_seconds_per_day", "GB-s", "day", "Durable Object duration per day (128 MB per active object)"
    ),
    Metric("do_gb_seconds_per_month", "GB-s", "month", "Durable Object duration per month"),
    # relay
    Metric("relay_gb_per_month", "GB", "month", "TURN relay traffic per month"),
    Metric("call_minutes_per_month", "minutes", "month", "call minutes per month"),
    # queues
    Metric("queue_operations_per_day", "operations", "day", "queue operations per day"),
    Metric(
        "queue_operations_per_month",
        "operations",
        "month",
        "queue operations (write, read, delete) per month",
    ),
    # email and messaging
    Metric("emails_per_day", "emails", "day", "emails sent on the busiest day"),
    Metric("emails_per_month", "emails", "month", "emails sent per month"),
    Metric(
        "wa_utility_messages_per_month", "messages", "month", "WhatsApp utility template messages per month"
    ),
    Metric(
        "wa_marketing_messages_per_month",
        "messages",
        "month",
        "WhatsApp marketing template messages per month",
    ),
    Metric(
        "wa_authentication_messages_per_month",
        "messages",
        "month",
        "WhatsApp authentication template messages per month",
    ),
    Metric(
        "wa_service_messages_per_month",
        "messages",
        "month",
        "WhatsApp non-template (service) messages per month",
    ),
    # scheduled jobs
    Metric("job_runs_per_day", "runs", "none", "scheduled runs of a job per day", headroom=False),
    Metric("job_runs_per_month", "runs", "month", "scheduled runs of a job per month"),
    Metric("job_seconds_per_run", "s", "none", "run time of one scheduled run", headroom=False),
    Metric("job_seconds_per_month", "s", "month", "run time of all scheduled runs in a month"),
    Metric(
        "job_billed_minutes_per_month",
        "minutes",
        "month",
        "scheduled runs x run time rounded up to whole minutes (per-job rounding)",
    ),
    Metric(
        "job_memory_gb_hours_per_month",
        "GB-hours",
        "month",
        "memory of the job x its run time in a month",
    ),
    Metric("cron_triggers", "triggers", "none", "cron schedules the job needs", headroom=False),
    # monitoring
    Metric("uptime_monitors", "monitors", "none", "uptime monitors (checked URLs)", headroom=False),
    Metric(
        "checks_per_hour",
        "checks/h",
        "none",
        "checks per hour per monitor (3600 / interval in seconds)",
        headroom=False,
    ),
    Metric("error_events_per_month", "events", "month", "error events reported per month"),
    Metric("log_gb_per_month", "GB", "month", "logs ingested per month"),
    Metric("team_members", "users", "none", "people on the team who need an account (seats)", headroom=False),
    # derived per candidate by the pricing engine
    Metric("instances", "instances", "none", "instances needed with headroom", derived=True),
    Metric("running_hours_per_month", "hours", "month", "hours one instance runs per month", derived=True),
    Metric("instance_hours_per_month", "instance-hours", "month", "instances x running hours", derived=True),
    Metric("vcpu_hours_per_month", "vCPU-hours", "month", "allocated vCPUs x running hours", derived=True),
    Metric(
        "memory_gb_hours_per_month", "GB-hours", "month", "allocated memory x running hours", derived=True
    ),
    Metric("cu_hours_per_month", "CU-hours", "month", "compute units x running hours (Neon)", derived=True),
    Metric(
        "cpu_used_vcpu_hours_per_month",
        "vCPU-hours",
        "month",
        "CPU actually used (usage-billed hosts)",
        derived=True,
    ),
    Metric(
        "memory_used_gb_hours_per_month",
        "GB-hours",
        "month",
        "memory actually used x running hours",
        derived=True,
    ),
    Metric("memory_fraction", "fraction", "none", "working set / instance memory", derived=True),
    Metric(
        "cpu_sustained_fraction",
        "fraction",
        "none",
        "average CPU / (instances x vCPU baseline)",
        derived=True,
    ),
    Metric("cpu_peak_fraction", "fraction", "none", "peak CPU / (instances x vCPU)", derived=True),
]

METRICS: dict[str, Metric] = {m.name: m for m in _M}


def metric(name: str) -> Metric:
    return METRICS[name]


#: utilization keys that are ratios of an instance's capacity, in words
_CAPACITY_WORDS = {
    "memory_fraction": "memory",
    "cpu_sustained_fraction": "sustained CPU",
    "cpu_peak_fraction": "peak CPU",
    "connections": "connections",
}


def metric_words(key: str) -> str:
    """A metric or utilization key in words, for people: ``memory_fraction`` -> "memory",
    ``log_gb_per_month`` -> "log GB per month", ``requests_per_day (provisioned)`` ->
    "requests per day (provisioned)"."""
    base, paren, rest = key.partition(" (")
    if base in _CAPACITY_WORDS:
        words = _CAPACITY_WORDS[base]
    else:
        parts = []
        for w in base.split("_"):
            parts.append({"gb": "GB", "mb": "MB", "kb": "KB", "rps": "requests/s", "cpu": "CPU", "ms": "ms"}.get(w, w))
        words = " ".join(parts)
    return f"{words} ({rest}" if paren else words
