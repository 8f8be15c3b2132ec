"""A measurement of the running app: when, at what scale, and per component the figures, named as
the catalog names them (metrics.py), so a measurement and a plan speak the same vocabulary.

GB here are decimal (10^9 bytes), as the providers bill storage and transfer; MB are 10^6 bytes.
Figures that are not catalog metrics (a database's ``max_connections``, its cache hit ratio) keep
names of their own, listed in EXTRA_FIGURES, so nothing unnamed reaches a report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..metrics import METRICS

__all__ = ["Source", "Measurement", "EXTRA_FIGURES", "figure_unit", "BYTES_PER_GB", "BYTES_PER_MB"]

BYTES_PER_GB = 1e9
BYTES_PER_MB = 1e6

#: figures a measurement reports that the catalog does not price or limit: (unit, what it is)
EXTRA_FIGURES: dict[str, tuple[str, str]] = {
    "tables_gb": ("GB", "tables and their indexes (PostgreSQL, user schemas)"),
    "max_connections": ("connections", "connections the server accepts (PostgreSQL max_connections)"),
    "transactions_per_s": ("transactions/s", "committed and rolled-back transactions per second"),
    "write_transactions_per_s": ("transactions/s", "transactions that wrote, per second (server-wide)"),
    "cache_hit_ratio": ("fraction", "share of block reads served from shared buffers"),
    "memory_used_mb": ("MB", "memory the Redis server uses (used_memory)"),
    "keys": ("keys", "keys in all databases (DBSIZE summed)"),
    "commands_per_s": ("commands/s", "commands processed per second while measuring"),
    "evicted_keys": ("keys", "keys evicted since the server started"),
    "transactions_total": ("transactions", "transactions since the server's statistics were reset (PostgreSQL)"),
    "commands_total": ("commands", "commands since the server started (Redis)"),
    "requests": ("requests", "requests in the access log"),
    "log_days": ("days", "time the access log covers"),
}


def figure_unit(name: str) -> str:
    """The unit of a measured figure."""
    m = METRICS.get(name)
    if m is not None:
        return m.unit
    return EXTRA_FIGURES.get(name, ("", ""))[0]


@dataclass(frozen=True)
class Source:
    """Where figures came from: a kind (postgres, redis, access_log, prometheus, usage_csv), the
    component they belong to, and where, with any secret redacted (secrets.redact)."""

    kind: str
    component: str
    where: str


@dataclass
class Measurement:
    measured_at: dt.datetime
    #: the app's scale then, in the profile's unit (users, coops), when known
    units: float | None
    components: dict[str, dict[str, float]] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, component: str, figures: dict[str, float]) -> None:
        self.components.setdefault(component, {}).update(figures)


def measurement_dict(m: Measurement) -> dict[str, Any]:
    """The JSON document of ``tierplan measure`` (``measured_at`` in UTC, ISO 8601)."""
    return {
        "measured_at": m.measured_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "units": m.units,
        "components": {c: dict(sorted(f.items())) for c, f in sorted(m.components.items())},
        "sources": [{"kind": s.kind, "component": s.component, "where": s.where} for s in m.sources],
        "notes": list(m.notes),
    }
