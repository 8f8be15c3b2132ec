"""Alert rules from the limits a phase's stack watches, and the uptime checks to create.

Each usage limit the plan watches (phases.LimitWatch: component, metric, limit, headroom x limit)
becomes a Prometheus alert, whether or not the plan expects to reach it (growth can beat the
profile's forecast); configured counts such as uptime monitors are left out. An alert fires at the
same threshold the plan uses to decide the next move. The
expressions use the metric names of the common exporters (postgres_exporter, redis_exporter, an
HTTP server's `http_requests_total`, process metrics); where no exporter measures a figure the rule
reads `tierplan_usage{app, service, metric}` that the app (or a cron job) publishes: a counter for
flows (per day, per month: the rule takes its increase), a gauge for levels.
"""

from __future__ import annotations

import re

from ..engine.per_component import Phase
from ..engine.planner import Planner
from ..metrics import METRICS
from ..platforms import platform
from ..platforms.cloudflare import opennext
from ..profile import Uptime
from ..units import plural
from .deploy import Alert, Deploy

__all__ = ["alerts", "uptime_checks"]

DAYS_PER_MONTH = 365 / 12


def _camel(s: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", s) if w)


def _expr(
    metric: str, comp: str, kind: str, app: str, threshold: float, memory_mb: int | None
) -> tuple[str, str]:
    """PromQL for 'this figure is above threshold', and a phrase naming what is measured."""
    sel = f'app="{app}",service="{comp}"'
    t = f"{threshold:.6g}"
    if kind == "postgres" and metric == "storage_gb":
        return f"sum(pg_database_size_bytes) / 1e9 > {t}", "database size (GB)"
    if kind == "postgres" and metric == "connections":
        return f"sum(pg_stat_activity_count) > {t}", "open database connections"
    if kind == "redis" and metric == "dataset_mb":
        return f"max(redis_memory_used_bytes) / 1e6 > {t}", "Redis memory used (MB)"
    if kind == "redis" and metric == "connections":
        return f"max(redis_connected_clients) > {t}", "Redis clients connected"
    if kind in ("web_service", "realtime") and metric in ("requests_per_day", "function_invocations_per_day"):
        return f"sum(increase(http_requests_total{{{sel}}}[1d])) > {t}", "requests in the last 24 hours"
    if kind in ("web_service", "realtime") and metric in (
        "requests_per_month",
        "function_invocations_per_month",
    ):
        return (
            f"sum(increase(http_requests_total{{{sel}}}[1d])) * {DAYS_PER_MONTH:.4f} > {t}",
            "requests a month at the last 24 hours' rate",
        )
    if kind in ("web_service", "worker", "realtime") and metric == "memory_fraction" and memory_mb:
        return (
            f"max(process_resident_memory_bytes{{{sel}}}) / {memory_mb * 1e6:.6g} > {t}",
            "memory used / instance memory",
        )
    if kind in ("web_service", "worker", "realtime") and metric in (
        "cpu_sustained_fraction",
        "cpu_peak_fraction",
    ):
        window = "1h" if metric == "cpu_sustained_fraction" else "5m"
        return (
            f"max(rate(process_cpu_seconds_total{{{sel}}}[{window}])) > {t}",
            f"CPU seconds per second over {window} (per instance)",
        )
    m = METRICS.get(metric)
    if m is not None and m.period == "day":
        return (
            f'max(increase(tierplan_usage{{{sel},metric="{metric}"}}[1d])) > {t}',
            f"{metric} in the last 24 hours (counter tierplan_usage)",
        )
    if m is not None and m.period == "month":
        # on course for the month: the last day's growth of the gauge, times the days in a month
        return (
            f'max(increase(tierplan_usage{{{sel},metric="{metric}"}}[1d])) * {DAYS_PER_MONTH:.4f} > {t}',
            f"{metric} a month at the last 24 hours' rate (counter tierplan_usage)",
        )
    return f'max(tierplan_usage{{{sel},metric="{metric}"}}) > {t}', f"{metric} (gauge tierplan_usage)"


def alerts(planner: Planner, phase: Phase, dep: Deploy) -> list[Alert]:
    p = planner.profile
    mem = {s.name: s.memory_mb for s in dep.services}
    out: list[Alert] = []
    seen: set[str] = set()
    triggered = {(t.component, t.metric) for t in phase.triggers}
    for w in phase.watch:
        m = METRICS.get(w.metric)
        if m is not None and not m.headroom and (w.component, w.metric) not in triggered:
            continue  # a configured count (monitors, seats) does not drift: nothing to watch live
        kind = p.components[w.component].kind
        threshold = w.threshold
        if w.metric in ("cpu_sustained_fraction", "cpu_peak_fraction"):
            svc = next((s for s in dep.services if s.name == w.component), None)
            if svc is None or not svc.vcpu:
                continue
            threshold = w.threshold * svc.vcpu  # the limit is a fraction of the instance's vCPUs
        expr, what = _expr(w.metric, w.component, kind, dep.app, threshold, mem.get(w.component))
        name = f"{_camel(w.component)}{_camel(w.metric)}NearLimit"
        if name in seen:
            continue
        seen.add(name)
        when = f"the plan expects it at {w.at:,} {plural(p.scale.unit)}" if w.at else "not expected within the plan"
        out.append(
            Alert(
                name,
                w.component,
                w.metric,
                w.limit,
                w.threshold,
                w.at,
                expr,
                f"{w.component}: {what} above {w.threshold:.6g} ("
                + (
                    "the plan's"  # a limit checked without headroom (a stated size): the limit itself
                    if w.threshold >= w.limit
                    else f"{planner.limit_share:.0%} of the plan's"
                )
                + f" limit of {w.limit:.6g} {w.metric}); {when}",
            )
        )
    return out


def uptime_checks(planner: Planner, dep: Deploy) -> list[dict[str, object]]:
    """One check per web service and for the frontend, at the URL its platform gives it."""
    interval = 300
    for c in planner.profile.components.values():
        if isinstance(c, Uptime):
            interval = int(c.interval_s)
    out: list[dict[str, object]] = []
    for s in dep.services:
        if s.kind != "web_service":
            continue
        base = platform(s.provider).public_url(dep.app, s.name, False)
        out.append(
            {
                "name": f"{dep.app} {s.name}",
                "url": base + (s.health_path or "/"),
                "interval_s": interval,
                "expect_status": 200,
                "timeout_s": 10,
            }
        )
    if dep.frontend is not None:
        # a server-rendered Next.js app on Cloudflare is a Worker (<app>-<component>.workers.dev)
        static_site = not opennext(dep)
        base = platform(dep.frontend["provider"]).public_url(dep.app, dep.frontend["name"], static_site)
        out.append(
            {
                "name": f"{dep.app} {dep.frontend['name']}",
                "url": base + "/",
                "interval_s": interval,
                "expect_status": 200,
                "timeout_s": 10,
            }
        )
    return out
