"""Decision matrix: the whole stack solved under several objectives, side by side, and the
cost/latency Pareto front at the first stage."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import InfeasibleError
from ..profile import Profile
from ..risks import risks_of
from .planner import Planner
from .whole_stack import Solution, build_problem, solve

__all__ = ["Row", "Comparison", "compare", "OBJECTIVES", "pareto_front"]

#: objective id -> (label, solver objective, requirement changes)
OBJECTIVES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "cheapest": ("Cheapest", "cost", {}),
    "lowest-latency": ("Lowest latency for the audience", "latency", {}),
    "highest-availability": (
        "Highest availability (2+ instances, database failover, zero-downtime deploys, 7-day PITR)",
        "cost",
        {
            "high_availability_from": 1,
            "database_failover_from": 1,
            "zero_downtime_from": 1,
            "no_cold_starts_from": 1,
            "backups_from": 1,
            "pitr_days": 7.0,
        },
    ),
    "fewest-vendors": ("Fewest vendors", "vendors", {}),
    "no-credit-card": ("No credit card", "cost", {"no_credit_card": True}),
}


#: when an objective's full set of requirements cannot be met, the steps that relax it, in order:
#: (what is given up, requirement changes applied on top of the objective's)
#: (what is given up, requirement changes on top of the objective's, words that find the reasons
#: about it among the ruled-out options)
RELAXATIONS: dict[str, list[tuple[str, dict[str, Any], str]]] = {
    "highest-availability": [
        ("7-day PITR", {"pitr_days": 0.0}, "point-in-time"),
        ("database failover", {"pitr_days": 0.0, "database_failover_from": None}, "failover"),
        (
            "2+ instances",
            {"pitr_days": 0.0, "database_failover_from": None, "high_availability_from": None},
            "instance",
        ),
    ],
}


@dataclass
class Row:
    objective: str
    label: str
    feasible: bool
    reason: str = ""
    #: what had to be given up for the objective to be possible, and why
    relaxed: str = ""
    stacks: dict[int, Solution] = field(default_factory=dict)  # stage -> solution
    risks: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    stages: list[int]
    rows: list[Row]
    pareto: list[Solution]


def _planner_with(planner: Planner, changes: dict[str, Any]) -> Planner:
    if not changes:
        return planner
    data = planner.profile.model_dump(mode="json")
    data["requirements"].update(changes)
    prof = Profile.model_validate(data)
    return Planner(prof, planner.catalog, planner.assumptions, planner.path)


def compare(
    planner: Planner, stages: list[int] | None = None, objectives: list[str] | None = None
) -> Comparison:
    p = planner.profile
    if stages is None:
        stages = list(p.scale.stages or [p.scale.first, p.scale.last])
    rows: list[Row] = []
    for key in objectives or list(OBJECTIVES):
        label, objective, changes = OBJECTIVES[key]
        row = Row(key, label, True)
        pl = _planner_with(planner, changes)
        err = _solve_row(pl, stages, objective, row)
        if err is not None:
            for given_up, more, words in RELAXATIONS.get(key, []):
                pl = _planner_with(planner, {**changes, **more})
                trial = Row(key, label, True)
                if _solve_row(pl, stages, objective, trial) is None:
                    row.stacks = trial.stacks
                    about = [r for r in err.reasons if words in r]
                    row.relaxed = f"without {given_up}: no stack offers it with the rest" + (
                        f" (e.g. {about[0]})" if about else f" ({_reason(err)})"
                    )
                    err = None
                    break
        if err is not None:
            row.feasible = False
            row.reason = _reason(err)
        if row.stacks:
            last_u = max(row.stacks)
            sol = row.stacks[last_u]
            ctx = pl.context(last_u)
            risks: list[str] = []
            for comp, ev in sol.items.items():
                kind = p.components[comp].kind
                for r in risks_of(
                    ev,
                    kind,
                    ctx,
                    p.commercial,
                    ev.option.latency_ms if ev.option.region else None,
                    p.pubsub_redis(comp),
                    p.redis_components(),
                    p.components[comp].written_for,
                )[:2]:
                    risks.append(f"{comp}: {r}")
            row.risks = risks
        rows.append(row)
    return Comparison(stages, rows, pareto_front(planner, stages[0]))


def _solve_row(pl: Planner, stages: list[int], objective: str, row: Row) -> InfeasibleError | None:
    """Fill ``row.stacks`` with the objective's stack at each stage, or return why it cannot."""
    try:
        for u in stages:
            for comp in pl.profile.components:
                if pl.best(comp, u) is None:
                    raise pl.infeasible(comp, u)
            sol = solve(build_problem(pl, u), objective=objective)
            if not sol.feasible:
                from .infeasible import explain

                raise explain(pl, u)
            row.stacks[u] = sol
    except InfeasibleError as e:
        row.stacks = {}
        return e
    return None


def _reason(e: InfeasibleError) -> str:
    head = e.message.split(": ", 1)[-1].split("\n", 1)[0]
    return head + (f" ({len(e.reasons)} options ruled out, e.g. {e.reasons[0]})" if e.reasons else "")


def pareto_front(planner: Planner, units: int, max_points: int = 12) -> list[Solution]:
    """Stacks where neither cost nor latency can improve without the other getting worse: the
    cheapest stack under a latency cap, for caps lowered step by step (epsilon-constraint)."""
    prob = build_problem(planner, units)
    if not prob.calls:
        sol = solve(prob)
        return [sol] if sol.feasible else []
    out: list[Solution] = []
    cap = prob.latency_limit_ms
    for _ in range(max_points):
        sol = solve(replace(prob, latency_limit_ms=cap))
        if not sol.feasible:
            break
        lat = max(sol.latency_ms.values()) if sol.latency_ms else 0.0
        if out and sol.monthly_usd <= out[-1].monthly_usd + 1e-9:
            out[-1] = sol  # same cost, faster: the earlier point was dominated
        else:
            out.append(sol)
        cap = lat - 0.5
    return out
