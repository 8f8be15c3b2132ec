"""The library surface: load inputs, plan, explain. The CLI is a thin edge over these."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .assumptions import load_assumptions
from .catalog.loader import Catalog, load_catalog
from .geo import check_countries
from .optimizer import Planner, StackPoint
from .phases import Sweep, sweep
from .profile import Profile, load_profile
from .report.model import plan_report, point_report

__all__ = ["make_planner", "plan", "plan_at", "run_sweep"]


def make_planner(
    profile: Profile | str | Path, catalog: Catalog | None = None, catalog_dir: str | Path | None = None
) -> Planner:
    path = "<profile>"
    if not isinstance(profile, Profile):
        path = str(profile)
        profile = load_profile(profile)
    check_countries(list(profile.audience.shares), path)
    cat = catalog or load_catalog(catalog_dir)
    _check_provider_names(profile, cat, path)
    a = load_assumptions().with_overrides(profile.assumptions, path)
    return Planner(profile, cat, a, path)


def _check_provider_names(p: Profile, cat: Catalog, path: str) -> None:
    import difflib

    from .errors import InputError, Problem

    known = sorted(cat.providers)
    probs = []

    def check(key: str, names: list[str] | None) -> None:
        for i, n in enumerate(names or []):
            if n not in cat.providers:
                near = difflib.get_close_matches(n, known, n=1)
                hint = f"did you mean {near[0]!r}?" if near else f"known: {', '.join(known)}"
                probs.append(Problem(f"{key}[{i}]", f"unknown provider {n!r} ({hint})"))

    check("requirements.providers.allow", p.requirements.providers.allow)
    check("requirements.providers.deny", p.requirements.providers.deny)
    for name, c in p.components.items():
        check(f"components.{name}.providers", c.providers)
    if probs:
        raise InputError(path, probs)


def run_sweep(planner: Planner, per_component: bool = False) -> Sweep:
    """The phases: whole-stack (coupled) when coupling can change the answer, else per component."""
    from .coupled_phases import coupled_sweep, coupling_active

    if not per_component and coupling_active(planner):
        return coupled_sweep(planner)
    return sweep(planner)


def stack_at(planner: Planner, units: int, per_component: bool = False) -> StackPoint:
    """The optimal stack at one scale (whole-stack when coupling is active)."""
    from .coupled_phases import CoupledState, coupling_active

    if per_component or not coupling_active(planner):
        return planner.point(units, alternatives=3)
    st = CoupledState(planner)
    pt = st.point(st.solution(units), units)
    pt.alternatives = {
        c: planner.alternatives(c, units, 3, pt.choices[c].option.plan.key)
        for c in planner.profile.components
    }
    return pt


def plan(
    profile: Profile | str | Path, catalog: Catalog | None = None, per_component: bool = False
) -> dict[str, Any]:
    """The whole plan (phases, triggers, points) as the JSON contract."""
    planner = make_planner(profile, catalog)
    return plan_report(planner, run_sweep(planner, per_component))


def plan_at(
    profile: Profile | str | Path, units: int, catalog: Catalog | None = None, per_component: bool = False
) -> dict[str, Any]:
    """One scale point in detail."""
    planner = make_planner(profile, catalog)
    return point_report(planner, stack_at(planner, units, per_component))
