"""The library surface: load inputs, plan, explain. The CLI is a thin edge over these."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .assumptions import Assumptions, load_assumptions
from .catalog.loader import Catalog, load_catalog
from .errors import InputError
from .geo import check_countries
from .optimizer import Planner, StackPoint
from .phases import Sweep, sweep
from .profile import Profile, load_profile_lines
from .report.model import plan_report, point_report
from .yamlio import LineMap

__all__ = ["make_planner", "plan", "plan_at", "plan_samples", "planned_point", "run_sweep"]


def make_planner(
    profile: Profile | str | Path,
    catalog: Catalog | None = None,
    catalog_dir: str | Path | None = None,
    *,
    path: str | None = None,
    lines: LineMap | None = None,
    key_prefix: str = "",
) -> Planner:
    """A planner for a profile (a file, or a Profile read from ``path`` with its ``lines``; an
    inline workload sits under ``key_prefix`` of its file). Problems found after validation
    (countries, provider names, assumptions) name that file, the key path and the line."""
    if not isinstance(profile, Profile):
        path = str(profile)
        profile, lines = load_profile_lines(profile)
    source = path or "<profile>"
    cat = catalog or load_catalog(catalog_dir)
    try:
        check_countries(profile.audience.countries, source)
        _check_provider_names(profile, cat, source)
        a = load_assumptions().with_overrides(profile.assumptions, source)
        check_figures(profile, a)
    except InputError as e:
        raise e.located(source, key_prefix, lines.locate if lines is not None else None) from None
    return Planner(profile, cat, a, source)


def check_figures(profile: Profile, a: Assumptions) -> None:
    """The demand model must give finite figures over the whole scale: inputs that are each
    within their bounds can still combine into an infinite or undefined figure (an assumption of
    0 that a formula divides by, ``active_hours_per_day: 1.0e-308``). InputError (exit 2) names
    the figure, its formula and the inputs that produced it."""
    import math

    from .errors import Problem
    from .workload import demand_at

    for units in sorted({profile.scale.first, profile.scale.last}):
        try:
            d = demand_at(profile, units, a, explain=True)
        except (ZeroDivisionError, OverflowError, ValueError) as e:
            raise InputError(
                "<profile>",
                [Problem("", f"the demand model cannot be computed at {units:,} units: {e}")],
                hint="check the activity figures and the assumption overrides (`tierplan explain`)",
            ) from None
        figures = [("", f) for f in d.globals.values()]
        figures += [(f"{c.name}: ", f) for c in d.components.values() for f in c.figures.values()]
        for where, f in figures:
            if isinstance(f.value, int | float) and not math.isfinite(f.value):
                inputs = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in f.inputs)
                raise InputError(
                    "<profile>",
                    [
                        Problem(
                            _figure_key(f.inputs),
                            f"{where}{f.name} = {f.value} at {units:,} units ({f.formula}; {inputs}): "
                            "the inputs combine into a figure that is not a finite number",
                        )
                    ],
                    hint="use values within a realistic range (see `tierplan explain` and `tierplan assumptions`)",
                )


def _figure_key(inputs: tuple[tuple[str, Any], ...]) -> str:
    """The profile key most likely at fault: an assumption override or an activity field named
    among the figure's inputs; else none (the problem then names the figure only)."""
    names = [k for k, _v in inputs]
    for k in names:
        if "." in k:
            return f"assumptions.{k}"
    for k in names:
        if k in ("requests_per_user_day", "active_hours_per_day", "peak_factor", "daily_active_fraction"):
            return f"activity.{k}"
    return ""


def _check_provider_names(p: Profile, cat: Catalog, path: str) -> None:
    import difflib

    from .errors import Problem

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
    check("requirements.providers.prefer", p.requirements.providers.prefer)
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


def planned_point(planner: Planner, sw: Sweep, units: int) -> StackPoint | None:
    """The plan's own stack (its phase's, not the optimum at that scale) priced at ``units``; None
    outside the sweep."""
    from .phases import phase_of_list

    if not sw.first <= units <= sw.last:
        return None
    stack_at = getattr(sw, "stack_at", None)  # whole-stack sweeps price their own stacks
    if stack_at is not None:
        pt: StackPoint = stack_at(units)
        return pt
    ph = phase_of_list(sw.phases, units)
    return planner.point_with(units, {c: e.option.order for c, e in ph.stack_start.choices.items()})


def plan_samples(planner: Planner, sw: Sweep, scales: list[int]) -> list[dict[str, Any]]:
    """Exact cost of the planned stack at each scale inside the sweep, per component: the
    `samples` that tierplan diff and check add to a plan (see diff.py)."""
    out = []
    for u in sorted(set(scales)):
        pt = planned_point(planner, sw, u)
        if pt is None:
            continue
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
