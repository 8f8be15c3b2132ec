"""Generated valid profiles for the growth curves of docs/performance.md (benchmarks/stages.py).

* ``stages_profile(n)``: SuoOps (examples/suoops.yaml: an API, a worker, Redis, Postgres, files, a
  frontend, WhatsApp, email, errors, uptime, logs) with ``n`` stages from 30 to 100,000 users,
  geometrically spaced (each stage at least one user above the last): a plan over a long growth
  curve.
* ``growth_profile(months)``: the same app on a growth curve (50 users, +5 %/month) over
  ``months`` months.
* ``components_profile(n)``: ``n`` components built from SuoOps' kinds, in groups of eleven: each
  group has its own API (calling its own database and Redis), worker, Redis, Postgres, files,
  frontend and externals (WhatsApp, email, errors, uptime, logs), like a system of small services;
  stages 30, 100, 500 users.
"""

from __future__ import annotations

from typing import Any

__all__ = ["stages_profile", "growth_profile", "components_profile", "BASE"]

BASE: dict[str, Any] = {
    "name": "SuoOps",
    "commercial": True,
    "audience": {"countries": ["NG"]},
    "scale": {"unit": "user", "stages": [30, 100, 500], "data_age_months": 12},
    "team": {"seats": 1},
    "activity": {
        "requests_per_user_day": 60,
        "active_hours_per_day": 12,
        "peak_factor": 3,
        "daily_active_fraction": 0.7,
        "session_minutes_per_day": 15,
    },
    "requirements": {
        "max_latency_ms": 100,
        "zero_downtime_from": 30,
        "high_availability_from": 500,
        "database_failover_from": 500,
        "backups_from": 30,
        "pitr_days": 0,
    },
}


def _group(g: int) -> dict[str, dict[str, Any]]:
    """SuoOps' eleven components, suffixed with the group number (the first group unsuffixed)."""
    s = "" if g == 0 else f"-{g}"
    return {
        f"api{s}": {
            "kind": "web_service",
            "runtime": "python",
            "framework": "fastapi",
            "health_path": "/ready",
            "port": 8000,
            "memory_mb": 600,
            "scale_to_zero": True,
            "calls": {f"db{s}": 4, f"redis{s}": 1},
        },
        f"pdf-worker{s}": {
            "kind": "worker",
            "runtime": "python",
            "jobs_per_user_day": 3,
            "cpu_seconds_per_job": 2,
            "memory_mb_per_job": 150,
            "concurrency": 2,
            "memory_mb": 300,
        },
        f"redis{s}": {
            "kind": "redis",
            "use": "broker",
            "commands_per_request": 1,
            "dataset_mb": 25,
            "persistence_required": True,
        },
        f"db{s}": {"kind": "postgres", "growth_mb_per_unit_month": 0.5, "queries_per_request": 4},
        f"files{s}": {
            "kind": "object_storage",
            "growth_gb_per_unit_month": 0.0053,
            "uploads_per_user_day": 3,
            "downloads_per_user_day": 6,
            "avg_object_kb": 60,
        },
        f"frontend{s}": {
            "kind": "web_frontend",
            "framework": "static",
            "rendering": "spa",
            "page_views_per_user_day": 5,
            "bandwidth_mb_per_user_month": 20,
        },
        f"whatsapp{s}": {
            "kind": "messaging",
            "utility_per_user_month": 90,
            "service_per_user_month": 180,
            "authentication_per_user_month": 2,
        },
        f"email{s}": {"kind": "email", "emails_per_user_month": 20},
        f"errors{s}": {"kind": "error_tracking"},
        f"uptime{s}": {"kind": "uptime", "monitors": 1, "interval_s": 300},
        f"logs{s}": {"kind": "logging", "log_kb_per_request": 0.5},
    }


def _components(n: int) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    g = 0
    while len(out) < n:
        for name, c in _group(g).items():
            if len(out) < n:
                out[name] = c
        g += 1
    # an API may call only components that exist (a cut-off last group)
    for c in out.values():
        if "calls" in c:
            c["calls"] = {t: k for t, k in c["calls"].items() if t in out}
    return out


def stages_profile(n: int, first: int = 30, last: int = 100_000) -> dict[str, Any]:
    """SuoOps with ``n`` increasing stages from ``first`` to ``last`` (geometric, at least +1)."""
    stages: list[int] = []
    for i in range(n):
        u = round(first * (last / first) ** (i / max(n - 1, 1)))
        stages.append(max(u, stages[-1] + 1) if stages else u)
    prof = {**BASE, "components": _components(11)}
    prof["scale"] = {**BASE["scale"], "stages": stages}
    return prof


def growth_profile(months: int) -> dict[str, Any]:
    prof = {**BASE, "components": _components(11)}
    prof["scale"] = {
        "unit": "user",
        "data_age_months": 12,
        "growth": {"start": 50, "monthly_growth_pct": 5, "horizon_months": months},
    }
    return prof


def components_profile(n: int) -> dict[str, Any]:
    return {**BASE, "components": _components(n)}
