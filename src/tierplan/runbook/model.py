"""The runbook's plain data: what changes per component, the steps, the data moves, the estimates.

A `Runbook` is what `tierplan runbook` renders (render.py) and what its JSON is made of; nothing
here computes anything but a summary sentence and totals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..kinds import kinds_where
from ..platforms import Placement

__all__ = [
    "STAGES",
    "STAGE_TITLES",
    "CODE_KINDS",
    "WEB_KINDS",
    "DATA_KINDS",
    "PUBLICATION",
    "Placement",
    "Change",
    "DataMove",
    "MoveCost",
    "Variable",
    "Step",
    "Runbook",
    "gb",
    "mins",
]

#: the order steps run in; each step belongs to one stage
STAGES = ("capacity", "provision", "copy", "deploy", "switch", "cutover", "dns", "later", "cleanup")
STAGE_TITLES = {
    "capacity": "capacity on the current hosts",
    "provision": "new resources",
    "copy": "data copy",
    "deploy": "deploy on the new host",
    "switch": "switch a service",
    "cutover": "cut-over",
    "dns": "DNS",
    "later": "later in the phase",
    "cleanup": "clean-up after the rollback window",
}
CODE_KINDS = kinds_where(lambda k: k.runs_code)
WEB_KINDS = kinds_where(lambda k: k.serves_web)
DATA_KINDS = kinds_where(lambda k: k.deploy_as == "store")
#: the publication and subscription a logical-replication move creates
PUBLICATION = "tierplan_move"


@dataclass(frozen=True)
class Change:
    """What changes for one component: at the end of phase K (old), the start of phase K2 (new)
    and the end of phase K2 (end)."""

    component: str
    kind: str
    old: Placement
    new: Placement
    end: Placement
    fields: tuple[str, ...]  # provider, plan, size, region, instances
    category: str  # move | plan | resize | scale | addon (only an add-on turned on or off)
    reasons: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        o, n, e = self.old, self.new, self.end
        if self.category == "addon":
            return "an add-on is turned on or off (same instance, provider and region)"
        if self.category == "move":
            s = f"moves from {o.short()} to {n.short()}"
        elif self.category == "plan":
            same = "same provider and region" if n.region else "same provider"
            s = f"plan {o.plan} -> {n.plan} ({same})"
        elif self.category == "resize" and o.size != n.size:
            s = f"resize {o.size} -> {n.size}"
        elif self.category == "resize":
            s = f"resize to {e.size} within the phase (from {n.size})"
        elif o.instances != n.instances:
            s = f"scale {'out' if n.instances > o.instances else 'in'} {o.instances} -> {n.instances} instances"
        else:
            s = f"scale out within the phase: {n.instances} -> {e.instances} instances"
        if self.category != "scale" and n.instances != o.instances:
            s += f"; {o.instances} -> {n.instances} instances"
        later = []
        if e.size != n.size and not (self.category == "resize" and o.size == n.size):
            later.append(f"size {e.size}")
        if e.instances != n.instances and not (self.category == "scale" and o.instances == n.instances):
            later.append(f"{e.instances} instances")
        if later:
            s += f"; {' and '.join(later)} by the end of the phase"
        return s


@dataclass(frozen=True)
class DataMove:
    """How a database moves: the method, its size and the time it takes."""

    component: str
    method: str  # dump_restore | logical_replication | export_import
    storage_gb: float
    dump_restore_minutes: float  # write freeze if it moved by dump/restore
    copy_minutes: float  # time the data copy runs
    downtime_minutes: float  # write freeze of the chosen method
    reason: str


@dataclass(frozen=True)
class MoveCost:
    """The plan's one-time estimate of a move into one of the phases (engine.result.Move)."""

    phase: int
    at: int
    forced: bool
    migration_usd: float
    saving_usd_month: float
    components: tuple[str, ...]
    #: (component, hours, downtime minutes, GB transferred)
    work: tuple[tuple[str, float, float, float], ...] = ()


@dataclass(frozen=True)
class Variable:
    """A value the commands read from the environment, and where to get it."""

    name: str
    where: str
    default: str | None = None


@dataclass
class Step:
    title: str
    why: str
    commands: list[str]
    verify: list[str]
    rollback: list[str]
    minutes_estimate: float
    components: tuple[str, ...] = ()
    stage: str = "cutover"
    #: actions in a dashboard, in words (done before the commands)
    manual: list[str] = field(default_factory=list)
    rollback_manual: list[str] = field(default_factory=list)
    downtime_minutes: float = 0.0

    @property
    def changes_something(self) -> bool:
        return bool(self.commands or self.manual)


@dataclass
class Runbook:
    app: str
    title: str
    profile: str
    unit: str
    from_phase: int
    to_phase: int
    from_range: tuple[int, int | None]
    to_range: tuple[int, int | None]
    changes: list[Change]
    unchanged: list[str]
    scale_out_only: bool
    moves: list[MoveCost]
    data_moves: list[DataMove]
    checklist: list[str]
    prepare: list[str]  # commands of the checklist (tools, backups, deploy files)
    variables: list[Variable]
    steps: list[Step]
    notes: list[str] = field(default_factory=list)

    @property
    def minutes_total(self) -> float:
        return sum(s.minutes_estimate for s in self.steps)

    @property
    def downtime_minutes(self) -> float:
        return sum(s.downtime_minutes for s in self.steps)


def gb(x: float) -> str:
    """A size in GB as the runbook writes it (one decimal below 100 GB)."""
    return f"{x:,.1f}" if x < 100 else f"{x:,.0f}"


def mins(m: float) -> str:
    """A duration in minutes as the runbook writes it (hours from 90 minutes)."""
    if m >= 90:
        return f"{m / 60:.1f} h"
    return f"{math.ceil(m - 1e-9):.0f} min"
