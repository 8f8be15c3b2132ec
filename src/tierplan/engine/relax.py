"""Requirements worth relaxing: what the cheapest stack would cost without one of them.

A plan meets every requirement of the profile; some of them a user sets as a preference and can
reasonably drop (managed services only, a vendor limit, an allow/deny list of providers). When
dropping one of those makes the cheapest stack at the plan's last scale substantially cheaper,
the plan says so in numbers (report/model.py `relaxations`, a line in every format).

"Substantially" is a policy, not a measured figure: the saving must reach both
``relaxation.min_saving_fraction`` of the cheapest stack's cost and
``relaxation.min_saving_usd_month`` (data/assumptions.yaml). Both stacks are fresh-start optima
at the same scale (engine/whole_stack.py), so the difference is the requirement's price alone,
not the plan's choice to keep an older stack until a move pays back.
"""

from __future__ import annotations

from ..pricing import Evaluation
from .infeasible import active_groups, relaxed_planner
from .planner import Planner
from .result import Plan, Relaxation
from .whole_stack import Solution, build_problem, placement, solve

__all__ = ["RELAXABLE", "relaxations", "substantial", "option_label"]

#: the requirement groups a user can reasonably relax, in the order the plan lists them
RELAXABLE = ("allow_unmanaged", "max_vendors", "providers")


def _setting(group: str) -> tuple[str, str]:
    """The profile key of a requirement group and the setting that relaxes it, in words."""
    if group == "allow_unmanaged":
        return "requirements.allow_unmanaged", "requirements.allow_unmanaged: true"
    if group == "max_vendors":
        return "requirements.max_vendors", "no requirements.max_vendors"
    if group == "providers":
        return "requirements.providers", "no requirements.providers"
    raise ValueError(f"{group!r} is not a requirement tierplan offers to relax ({', '.join(RELAXABLE)})")


def substantial(monthly_usd: float, relaxed_monthly_usd: float, min_fraction: float, min_usd: float) -> bool:
    """Whether a relaxed stack saves enough to be worth saying: at least ``min_fraction`` of
    ``monthly_usd`` and at least ``min_usd`` a month."""
    saving = monthly_usd - relaxed_monthly_usd
    return saving > 1e-9 and saving >= min_usd - 1e-9 and saving >= min_fraction * monthly_usd - 1e-9


def option_label(ev: Evaluation) -> str:
    """An option in words: provider, service and region ("Fly.io coturn on Fly Machines
    (self-run TURN) in iad")."""
    o = ev.option
    provider, service = o.plan.provider.name, o.plan.service.name
    s = service if service.startswith(provider) else f"{provider} {service}"
    return s + (f" in {o.region.id}" if o.region is not None else "")


def _optimum(planner: Planner, units: int) -> Solution | None:
    if any(planner.best(c, units) is None for c in planner.profile.components):
        return None
    sol = solve(build_problem(planner, units))
    return sol if sol.feasible else None


def _changed(planner: Planner, plan: Plan, relaxed: Solution, group: str) -> tuple[tuple[str, str], ...]:
    """What the relaxed stack runs that the requirement rules out (an option excluded before
    pricing); for a vendor limit, which excludes nothing, what it places differently from the
    plan's last stack."""
    out = []
    last = plan.phases[-1].stack_end.choices
    for comp, ev in relaxed.items.items():
        allowed = {placement(o) for o in planner.options[comp].options}
        where = placement(ev.option)
        if group == "max_vendors":
            if comp in last and placement(last[comp].option) != where:
                out.append((comp, option_label(ev)))
        elif where not in allowed:
            out.append((comp, option_label(ev)))
    return tuple(out)


def relaxations(planner: Planner, plan: Plan) -> tuple[Relaxation, ...]:
    """The relaxable requirements the profile sets whose relaxation would make the cheapest stack
    at the plan's last scale substantially cheaper (see the module docstring), each priced by one
    whole-stack solve with only that requirement relaxed. Empty for a per-component analysis.

    The figures a relaxed solve reads (e.g. turn.relay_mbps_per_vcpu for self-run coturn) and the
    threshold count as used (the report lists them) only when a relaxation is reported."""
    groups = [g for g in RELAXABLE if g in active_groups(planner)]
    if plan.analysis or not groups:
        return ()
    at = plan.last
    base = _optimum(planner, at)
    if base is None:
        return ()
    out: list[Relaxation] = []
    for g in groups:
        side = planner.assumptions.unused_copy()
        relaxed = _optimum(relaxed_planner(planner, [g], side), at)
        if relaxed is None or relaxed.monthly_usd >= base.monthly_usd - 1e-9:
            continue
        min_fraction = planner.assumptions["relaxation.min_saving_fraction"]
        min_usd = planner.assumptions["relaxation.min_saving_usd_month"]
        if not substantial(base.monthly_usd, relaxed.monthly_usd, min_fraction, min_usd):
            continue
        changed = _changed(planner, plan, relaxed, g)
        if not changed:
            continue
        planner.assumptions.record(side)
        key, setting = _setting(g)
        out.append(
            Relaxation(
                requirement=g,
                key=key,
                setting=setting,
                at=at,
                monthly_usd=base.monthly_usd,
                relaxed_monthly_usd=relaxed.monthly_usd,
                components=changed,
                vendors=len(base.vendors),
                relaxed_vendors=len(relaxed.vendors),
            )
        )
    return tuple(out)
