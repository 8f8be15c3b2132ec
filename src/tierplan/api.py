"""The library surface: load inputs, plan, explain. The CLI is a thin edge over these."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .assumptions import Assumptions, load_assumptions
from .catalog.loader import Catalog, load_catalog
from .economics import check_revenue
from .engine.plan import optimum_at
from .engine.plan import plan as engine_plan
from .engine.planner import Planner
from .errors import InputError
from .geo import check_countries
from .profile import Profile, load_profile_lines
from .report.model import plan_report, point_report
from .yamlio import LineMap

__all__ = ["make_planner", "plan", "plan_at"]


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
        check_revenue(profile, cat.payments)
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
    from .errors import Problem

    known = sorted(cat.providers)
    probs = []

    def check_one(key: str, n: str) -> None:
        if n not in cat.providers:
            import difflib

            near = difflib.get_close_matches(n, known, n=1)
            hint = f"did you mean {near[0]!r}?" if near else f"known: {', '.join(known)}"
            probs.append(Problem(key, f"unknown provider {n!r} ({hint})"))

    def check(key: str, names: list[str] | None) -> None:
        for i, n in enumerate(names or []):
            check_one(f"{key}[{i}]", n)

    check("requirements.providers.allow", p.requirements.providers.allow)
    check("requirements.providers.deny", p.requirements.providers.deny)
    check("requirements.providers.prefer", p.requirements.providers.prefer)
    for name, c in p.components.items():
        check(f"components.{name}.providers", c.providers)
        if c.written_for is not None:
            check_one(f"components.{name}.written_for.provider", c.written_for.provider)
    if probs:
        raise InputError(path, probs)


def plan(
    profile: Profile | str | Path, catalog: Catalog | None = None, per_component: bool = False
) -> dict[str, Any]:
    """The whole plan (phases, triggers, points) as the JSON contract."""
    planner = make_planner(profile, catalog)
    return plan_report(planner, engine_plan(planner, per_component))


def plan_at(
    profile: Profile | str | Path, units: int, catalog: Catalog | None = None, per_component: bool = False
) -> dict[str, Any]:
    """One scale point in detail."""
    planner = make_planner(profile, catalog)
    return point_report(planner, optimum_at(planner, units, per_component))
