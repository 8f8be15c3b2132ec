"""The demand model's vocabulary: a Figure (value, unit, formula, inputs), a component's
Capacity and ComponentDemand, the Demand at one scale, and the Builder that records figures
(with ``explain=False`` only the metrics: the optimizer's fast path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..assumptions import Assumptions
from ..metrics import METRICS
from ..profile import Activity, Profile

__all__ = [
    "Figure",
    "Capacity",
    "ComponentDemand",
    "Demand",
    "Builder",
    "peak_from_average",
    "active_hours",
    "off_hours_rate",
    "MB_PER_GB",
    "KB_PER_GB",
    "TRANSFER_MB_PER_GB",
    "TRANSFER_KB_PER_GB",
    "TRANSFER_BYTES_PER_GB",
]

#: Stored data and memory: GB = 1024 MB = 1024^2 KB (what a database's or a disk's size says).
MB_PER_GB = 1024.0
KB_PER_GB = 1024.0 * 1024.0

#: Data moved over the network (egress, TURN relay, bandwidth, log ingestion) is metered in decimal
#: units, as network quantities are (a kbps is 1,000 bits per second): 1 GB = 10^9 bytes. Twilio
#: bills TURN on "the sum of bytes sent and received ... measured in megabytes"
#: (twilio.com/docs/stun-turn/faq). Counting transfer in 1024-based GB understated every per-GB
#: transfer charge by 4.9% (from KB) to 7.4% (from bytes).
TRANSFER_MB_PER_GB = 1000.0
TRANSFER_KB_PER_GB = 1000.0 * 1000.0
TRANSFER_BYTES_PER_GB = 1e9


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


class Builder:
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


def peak_from_average(b: Builder, cores_avg: float, act: Activity) -> float:
    """Peak CPU of a component whose load follows the users' activity curve."""
    return b.add(
        "cpu_cores_peak",
        cores_avg * act.peak_factor,
        "cores",
        "cpu_cores_avg x peak_factor",
        cpu_cores_avg=cores_avg,
        peak_factor=act.peak_factor,
    )


def active_hours(b: Builder, active_h_month: float, act: Activity, note: str = "") -> float:
    """Hours a month the component is busy: the users' active hours."""
    return b.add(
        "active_hours_per_month",
        active_h_month,
        "hours",
        "active_hours_per_day x days_per_month" + note,
        active_hours_per_day=act.active_hours_per_day,
    )


def off_hours_rate(b: Builder, p: Profile, a: Assumptions, per_day: float, what: str) -> float:
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
