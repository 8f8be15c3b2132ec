"""The engine's one door: the plan of a profile, the plan's stack at a scale, the fresh-start
optimum at a scale, and exact samples of the plan's cost.

Every output (reports, deploy files, runbooks, diff, check, audit) reads the ``Plan`` built here
once by the CLI; none of them runs the engine again.
"""

from __future__ import annotations

from typing import Any

from .planner import Planner, StackPoint
from .result import Plan

__all__ = ["plan", "optimum_at", "samples"]


def plan(planner: Planner, per_component: bool = False) -> Plan:
    """The plan over the profile's scale. ``per_component``: the per-component analysis instead
    (exact boundaries of each component's own optimum; labelled as an analysis, not a plan)."""
    from .moves import coupling_active, whole_stack_plan
    from .per_component import per_component_analysis

    if not per_component and coupling_active(planner):
        return whole_stack_plan(planner)
    return per_component_analysis(planner)


def optimum_at(planner: Planner, units: int, per_component: bool = False, alternatives: int = 3) -> StackPoint:
    """The fresh-start optimum at ``units``: the cheapest whole stack that fits there, as if
    starting from nothing (no stack to keep, no move to pay for)."""
    from .moves import CoupledState, coupling_active

    if per_component or not coupling_active(planner):
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
