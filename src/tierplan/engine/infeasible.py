"""When no stack fits: find a minimal set of the profile's requirements that conflict, in words.

A deletion filter over requirement groups: start from every requirement that restricts the
choice; drop one at a time, keeping the drop when the rest is still infeasible. What remains is
minimal: removing any one of them makes a stack possible (and the message says what that stack
would cost).
"""

from __future__ import annotations

from typing import Any

from ..assumptions import Assumptions
from ..errors import InfeasibleError
from ..units import plural
from .planner import Planner

__all__ = ["explain", "fastest_ms", "relaxed_planner", "active_groups", "REQUIREMENT_GROUPS"]

#: requirement group -> (description, update to relax it)
REQUIREMENT_GROUPS: dict[str, tuple[str, dict[str, Any]]] = {
    "max_latency_ms": ("the latency limit (requirements.max_latency_ms)", {"max_latency_ms": 5000.0}),
    "max_vendors": ("the vendor limit (requirements.max_vendors)", {"max_vendors": None}),
    "data_residency": ("data residency (requirements.data_residency)", {"data_residency": None}),
    "no_credit_card": ("no credit card (requirements.no_credit_card)", {"no_credit_card": False}),
    "providers": (
        "allowed/denied providers (requirements.providers)",
        {"providers": {"allow": None, "deny": []}},
    ),
    "zero_downtime_from": (
        "zero-downtime deploys (requirements.zero_downtime_from)",
        {"zero_downtime_from": None},
    ),
    "high_availability_from": (
        "high availability (requirements.high_availability_from)",
        {"high_availability_from": None},
    ),
    "database_failover_from": (
        "database failover (requirements.database_failover_from)",
        {"database_failover_from": None},
    ),
    "no_cold_starts_from": (
        "no cold starts (requirements.no_cold_starts_from)",
        {"no_cold_starts_from": None},
    ),
    "backups": (
        "backups and point-in-time recovery (requirements.backups_from, pitr_days)",
        {"backups_from": None, "pitr_days": 0.0},
    ),
    "allow_unmanaged": (
        "managed services only (requirements.allow_unmanaged: false)",
        {"allow_unmanaged": True},
    ),
    "commercial": ("commercial use (commercial: true)", {}),
}


def active_groups(planner: Planner) -> list[str]:
    """The requirement groups the profile sets (each one restricts the choice)."""
    r = planner.profile.requirements
    out = []
    if r.max_latency_ms is not None:
        out.append("max_latency_ms")
    if r.max_vendors is not None:
        out.append("max_vendors")
    if r.data_residency:
        out.append("data_residency")
    if r.no_credit_card:
        out.append("no_credit_card")
    if r.providers.allow is not None or r.providers.deny:
        out.append("providers")
    for k in (
        "zero_downtime_from",
        "high_availability_from",
        "database_failover_from",
        "no_cold_starts_from",
    ):
        if getattr(r, k) is not None:
            out.append(k)
    if r.backups_from is not None:
        out.append("backups")
    if not r.allow_unmanaged:
        out.append("allow_unmanaged")
    if planner.profile.commercial:
        out.append("commercial")
    return out


def relaxed_planner(planner: Planner, drop: list[str], assumptions: Assumptions | None = None) -> Planner:
    """A planner for the same profile with the requirement groups ``drop`` relaxed; with
    ``assumptions`` (e.g. an ``unused_copy``), reading those instead of the planner's own."""
    p = planner.profile
    upd: dict[str, Any] = {}
    for g in drop:
        upd.update(REQUIREMENT_GROUPS[g][1])
    data = p.model_dump(mode="json", exclude_unset=False)
    data["requirements"].update(upd)
    if "commercial" in drop:
        data["commercial"] = False
    from ..profile import Profile

    prof = Profile.model_validate(data)
    return Planner(prof, planner.catalog, assumptions or planner.assumptions, planner.path)


def _feasible(planner: Planner, units: int) -> tuple[bool, float | None]:
    from .whole_stack import build_problem, solve

    for comp in planner.profile.components:
        if planner.best(comp, units) is None:
            return False, None
    sol = solve(build_problem(planner, units))
    return sol.feasible, (sol.monthly_usd if sol.feasible else None)


def fastest_ms(planner: Planner, units: int) -> float | None:
    """The lowest latency estimate a stack that fits at ``units`` reaches with no latency limit
    (the other requirements kept): the smallest ``max_latency_ms`` that latency alone would allow.
    The largest of: each API's end-to-end estimate in the fastest stack (the whole-stack problem
    with the latency objective), and for each other component its nearest fitting region (0 when
    a global service fits: the limit never applies to it). None when nothing fits at all."""
    from ..options import located_components
    from .whole_stack import build_problem, solve

    relaxed = relaxed_planner(planner, ["max_latency_ms"])
    if any(relaxed.best(c, units) is None for c in relaxed.profile.components):
        return None
    sol = solve(build_problem(relaxed, units), objective="latency")
    if not sol.feasible:
        return None
    out = max(sol.latency_ms.values(), default=0.0)
    located = located_components(relaxed.profile)
    for comp in relaxed.profile.components:
        if comp in located:
            continue
        nearest: float | None = None
        for o in relaxed.options[comp].options:  # nearest first (static rank)
            ev = relaxed.evaluate_one(comp, o.order, units)
            if not ev.feasible or ev.monthly_usd is None:
                continue
            if o.region is None:
                nearest = 0.0  # a global service: no region to limit
                break
            if nearest is None:
                nearest = o.latency_ms
        out = max(out, nearest or 0.0)
    return out


def _latency_words(planner: Planner, units: int) -> str:
    """The latency limit and the fastest stack that would fit, in words."""
    limit = planner.profile.requirements.max_latency_ms
    best = fastest_ms(planner, units)
    tail = f"; the fastest stack that fits otherwise is ~{best:.0f} ms (estimate)" if best is not None else ""
    return f"the latency limit (requirements.max_latency_ms: {limit:g} ms{tail})"


def explain(planner: Planner, units: int) -> InfeasibleError:
    """An InfeasibleError naming a minimal set of conflicting requirements at ``units``."""
    groups = active_groups(planner)
    unit = planner.profile.scale.unit
    base_ok, _ = _feasible(relaxed_planner(planner, groups), units) if groups else (False, None)
    if not base_ok:
        # even with every requirement relaxed nothing fits: say which component and why
        for comp in planner.profile.components:
            if planner.best(comp, units) is None:
                return planner.infeasible(comp, units)
        return InfeasibleError(
            f"{planner.path}: no stack fits at {units:,} {plural(unit)}",
            ["the catalog has no combination of plans that satisfies the coupled constraints"],
        )
    needed = list(groups)
    for g in list(groups):
        trial = [x for x in needed if x != g]
        ok, _ = _feasible(relaxed_planner(planner, [x for x in groups if x not in trial]), units)
        if not ok:
            needed = trial  # still infeasible without g: g is not part of the conflict
    reasons = []
    for g in needed:
        ok, cost = _feasible(relaxed_planner(planner, [g]), units)
        tail = f" (without it the cheapest stack costs ${cost:,.2f}/month)" if ok and cost is not None else ""
        what = _latency_words(planner, units) if g == "max_latency_ms" else REQUIREMENT_GROUPS[g][0]
        reasons.append(what + tail)
    comps = [c for c in planner.profile.components if planner.best(c, units) is None]
    where = f" for component {comps[0]!r}" if len(comps) == 1 else ""
    return InfeasibleError(
        f"{planner.path}: no stack fits at {units:,} {plural(unit)}{where}: these requirements conflict (dropping any one of them makes a stack possible)",
        reasons,
    )
