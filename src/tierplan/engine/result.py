"""What the engine hands to every output: a declared ``Plan`` of ``Phase``s, each entered by a
``Move``, changing at ``Trigger``s, with ``Event``s inside and ``LimitWatch``es ahead.

Everything a report, a deploy file, a runbook, a diff or a policy check reads is a field here;
nothing is attached to these objects later and nothing is looked up with ``getattr``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .planner import StackPoint

__all__ = ["Trigger", "LimitWatch", "Move", "Event", "Phase", "Plan", "Relaxation", "StackDoesNotFit"]


class StackDoesNotFit(ValueError):
    """The plan's stack does not fit at the scale it was priced at (beyond the plan's range)."""


@dataclass(frozen=True)
class Trigger:
    """Why the stack changes at ``at`` (the first unit of the next phase)."""

    component: str
    metric: str
    limit: float | None
    threshold: float | None
    at: int
    message: str
    kind: str  # limit | capacity | requirement | cheaper | attribute | coupled
    month: float | None = None
    used: float | None = None


@dataclass(frozen=True)
class LimitWatch:
    """When a limit of the chosen option reaches its threshold (headroom x limit)."""

    component: str
    metric: str
    limit: float
    threshold: float
    at: int | None  # None: not within the sweep
    month: float | None = None


@dataclass(frozen=True)
class Move:
    """How a phase is entered: a forced move (the stack stopped fitting) or a voluntary one (it
    pays back its one-time cost within the payback period)."""

    at: int
    forced: bool
    migration_usd: float
    saving_usd_month: float
    components: tuple[str, ...]
    #: extra cost of moving one step earlier / later: with a growth curve the step is a month and
    #: the figure is the change in total cost; with stages the step is one unit of scale and the
    #: figure is the monthly cost difference there. None when that move is impossible (the new
    #: stack does not fit yet, or the old one no longer fits).
    earlier_usd: float | None = None
    later_usd: float | None = None
    #: (component, hours, downtime minutes, GB transferred)
    detail: tuple[tuple[str, float, float, float], ...] = ()
    step: str = "unit"  # "unit" or "month"
    #: hours the migration costs once whatever moves (planning, a window, watching it after),
    #: included in ``migration_usd``
    overhead_hours: float = 0.0
    #: components moved early, with the unit where they would have had to move on their own (a
    #: forced move merged into an earlier one)
    ahead: tuple[tuple[str, int], ...] = ()
    #: the scale the stack moved to must still fit at (the last phase's: twice its start), when
    #: that took components along (None otherwise)
    lasting: int | None = None


@dataclass(frozen=True)
class Event:
    """A change inside a phase that needs someone to act: a size change (a database resize is a
    restart) or a change of instance count, at the first unit that needs it."""

    at: int
    component: str
    kind: str  # resize | scale_out | scale_in
    before: str
    after: str
    #: why: the figure that no longer fits the old size or count, in words
    reason: str
    #: what to do, in words (a restart, a scale command)
    action: str
    month: float | None = None


@dataclass(frozen=True)
class Relaxation:
    """A requirement of the profile that rules out a substantially cheaper stack: what the
    cheapest stack costs at ``at`` with the requirement and without it (engine/relax.py)."""

    #: the requirement group (engine/infeasible.REQUIREMENT_GROUPS): allow_unmanaged, max_vendors, providers
    requirement: str
    #: the profile key and the setting that relaxes it, e.g. "requirements.allow_unmanaged: true"
    key: str
    setting: str
    #: the scale both stacks are priced at (the plan's last)
    at: int
    #: the cheapest stack that meets every requirement at ``at`` (the fresh-start optimum)
    monthly_usd: float
    #: the cheapest stack at ``at`` with this one requirement relaxed
    relaxed_monthly_usd: float
    #: (component, label of the option it would run) for what the relaxed stack places differently
    components: tuple[tuple[str, str], ...]
    #: vendors of the two stacks (what max_vendors counts)
    vendors: int
    relaxed_vendors: int


@dataclass
class Phase:
    """A range of scale over which the plan keeps one stack (provider, plan and region of every
    component); sizes and counts may change inside it (``events``)."""

    start: int
    end: int | None  # None for the last phase
    last_scale: int  # end of the sweep for the last phase
    stack_start: StackPoint
    stack_end: StackPoint
    triggers: list[Trigger] = field(default_factory=list)
    watch: list[LimitWatch] = field(default_factory=list)
    #: how the phase is entered (None for the first phase and in a per-component analysis)
    move: Move | None = None
    events: list[Event] = field(default_factory=list)

    @property
    def monthly_usd_start(self) -> float:
        return self.stack_start.monthly_usd

    @property
    def monthly_usd_end(self) -> float:
        return self.stack_end.monthly_usd

    def contains(self, units: int) -> bool:
        return self.start <= units and (self.end is None or units <= self.end)


@dataclass
class Plan:
    """The plan over the whole scale (``first``..``last`` units).

    ``optimum_points`` are the fresh-start optimum wherever it was solved; ``plan_points`` the
    plan's own stack along the scale (it may cost more than the optimum: the plan keeps its stack
    until a move pays back). ``price_stack`` prices the plan's stack at any unit of the sweep, and
    below ``first`` the first phase's stack (what the app pays on it with fewer customers).
    ``analysis`` marks a per-component analysis (`--per-component`): exact per-component
    boundaries, no moves, not a plan to follow. The last phase is open-ended: beyond ``last`` the
    plan runs the last phase's stack for as long as it fits (``price_stack`` raises
    StackDoesNotFit where it does not)."""

    first: int
    last: int
    phases: list[Phase]
    optimum_points: list[StackPoint]
    plan_points: list[StackPoint]
    evaluations: int
    solves: int
    analysis: bool
    price_stack: Callable[[int], StackPoint]
    #: requirements the profile could relax for a substantially cheaper stack (engine/relax.py);
    #: empty in a per-component analysis
    relaxations: tuple[Relaxation, ...] = ()

    def phase_index(self, units: int) -> int:
        """The 1-based index of the phase that holds ``units`` (the last phase is open-ended;
        ValueError below the first unit)."""
        for i, ph in enumerate(self.phases):
            if ph.contains(units):
                return i + 1
        raise ValueError(f"{units} is below the plan's first unit ({self.first})")

    def phase_at(self, units: int) -> Phase:
        return self.phases[self.phase_index(units) - 1]

    def stack_at(self, units: int) -> StackPoint:
        """The plan's stack priced at ``units`` (its phase's stack, sized for that scale)."""
        return self.price_stack(units)
