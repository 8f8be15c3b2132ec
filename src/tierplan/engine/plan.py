"""The engine's one door: the plan of a profile, the plan's stack at a scale, the fresh-start
optimum at a scale, and exact samples of the plan's cost.

Every output (reports, deploy files, runbooks, diff, check, audit) reads the ``Plan`` built here
once by the CLI; none of them runs the engine again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..units import plural
from .planner import Planner, StackPoint
from .result import Plan, StackDoesNotFit

__all__ = ["plan", "optimum_at", "samples", "AtScale", "at_scale"]


@dataclass(frozen=True)
class AtScale:
    """One answer at one scale: what the plan runs there (its phase and stack), and the
    fresh-start optimum beside it, with why they differ."""

    units: int
    #: the plan's stack at ``units``; None outside the plan's range
    planned: StackPoint | None
    #: 1-based index of the plan's phase holding ``units``; None outside the range
    phase: int | None
    optimum: StackPoint
    #: components whose provider, plan or region differ between the two
    differs: tuple[str, ...]
    #: what moving from the plan's stack to the optimum would cost once, and save a month
    move_usd: float
    saving_usd_month: float
    #: why the plan does not run the optimum here, in words (empty when they are the same)
    why: str


def plan(planner: Planner, per_component: bool = False) -> Plan:
    """The plan over the profile's scale. ``per_component``: the per-component analysis instead
    (exact boundaries of each component's own optimum; labelled as an analysis, not a plan).
    The plan carries the requirements worth relaxing (engine/relax.py)."""
    from dataclasses import replace

    from .moves import whole_stack_plan
    from .per_component import per_component_analysis
    from .relax import relaxations

    if per_component:
        return per_component_analysis(planner)
    out = whole_stack_plan(planner)
    return replace(out, relaxations=relaxations(planner, out))


def optimum_at(
    planner: Planner, units: int, per_component: bool = False, alternatives: int = 3
) -> StackPoint:
    """The fresh-start optimum at ``units``: the cheapest whole stack that fits there, as if
    starting from nothing (no stack to keep, no move to pay for)."""
    from .moves import CoupledState

    if per_component:
        return planner.point(units, alternatives=alternatives)
    st = CoupledState(planner)
    pt = st.point(st.solution(units), units)
    pt.alternatives = {
        c: planner.alternatives(c, units, alternatives, pt.choices[c].option.plan.key)
        for c in planner.profile.components
    }
    return pt


def samples(plan: Plan, scales: list[int]) -> list[dict[str, Any]]:
    """Exact cost of the plan's stack at each scale inside the plan, per component: the `samples`
    that tierplan diff and check add to a plan document (see diff.py)."""
    out = []
    for u in sorted(set(scales)):
        if not plan.first <= u <= plan.last:
            continue
        pt = plan.stack_at(u)
        out.append(
            {
                "scale": u,
                "month": None if pt.month is None else round(pt.month, 2),
                "monthly_usd": round(pt.monthly_usd, 4),
                "stack": [
                    {
                        "component": c,
                        "provider": ev.option.provider,
                        "provider_name": ev.option.plan.provider.name,
                        "service": ev.option.plan.service.id,
                        "plan": ev.option.plan.plan.id,
                        "plan_name": ev.option.plan.plan.name,
                        "size": ev.option.size.id if ev.option.size else None,
                        "region": ev.option.region.id if ev.option.region else None,
                        "quantity": ev.instances,
                        "monthly_usd": None if ev.monthly_usd is None else round(ev.monthly_usd, 4),
                    }
                    for c, ev in pt.choices.items()
                ],
            }
        )
    return out


def at_scale(planner: Planner, plan: Plan, units: int) -> AtScale:
    """The plan's answer at ``units`` and the fresh-start optimum beside it."""
    from .moves import migration_between, min_saving

    def money(x: float) -> str:
        return f"${x:,.2f}"

    from .whole_stack import placement

    optimum = optimum_at(planner, units)
    unit = planner.profile.scale.unit
    planned: StackPoint | None = None
    if units >= plan.first:
        try:
            planned = plan.stack_at(units)
        except StackDoesNotFit:
            planned = None
    if planned is None:
        where = (
            "below the plan's first unit" if units < plan.first else "beyond where the plan's last stack fits"
        )
        why = (
            f"{units:,} {plural(unit)} is {where} (the plan covers {plan.first:,}-{plan.last:,} {plural(unit)}): "
            "this is the fresh-start optimum only"
        )
        return AtScale(units, None, None, optimum, (), 0.0, 0.0, why)
    planned.alternatives = {
        c: planner.alternatives(c, units, 3, ev.option.plan.key) for c, ev in planned.choices.items()
    }
    k = plan.phase_index(units)
    differs = tuple(
        c for c, ev in planned.choices.items() if placement(ev.option) != placement(optimum.choices[c].option)
    )
    saving = planned.monthly_usd - optimum.monthly_usd
    usd, _moved = migration_between(planner, planned.choices, optimum.choices, units)
    m = planner.profile.migration
    floor = min_saving(planner, planned.monthly_usd)
    if not differs:
        why = ""
    elif saving <= 1e-9:
        why = (
            f"the plan keeps phase {k}'s stack, which costs no more here than the fresh-start optimum "
            f"({', '.join(differs)} placed differently at the same cost)"
        )
    else:
        months = usd / saving
        reasons = []
        if months > m.payback_months:
            reasons.append(
                f"it would pay back in {months:.1f} months, beyond the {m.payback_months:g} months the "
                "profile accepts (migration.payback_months)"
            )
        if saving < floor - 1e-9:
            reasons.append(
                f"the saving is below the minimum worth a move ({money(floor)}/month: "
                "migration.min_saving_usd_month and min_saving_fraction)"
            )
        if not reasons:
            reasons.append("a voluntary move is looked for at decision scales and placed where it first pays")
        why = (
            f"the plan keeps phase {k}'s stack (entered at {plan.phases[k - 1].start:,}): moving "
            f"{', '.join(differs)} to the fresh-start optimum here would cost {money(usd)} once to save "
            f"{money(saving)}/month, and " + "; ".join(reasons)
        )
    return AtScale(units, planned, k, optimum, differs, usd, saving, why)
