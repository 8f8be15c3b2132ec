"""Fit the profile's guesses to measurements (``tierplan calibrate``; pure functions).

At the measured scale, the demand model (workload/) predicts every figure a measurement can hold.
Where the two differ, the profile input that drives the figure is scaled so that the model gives
the measured value:

1. the activity of the users first, from the figures that measure it directly (``ACTIVITY``):
   distinct users a day -> ``activity.daily_active_fraction``, requests -> ``activity.
   requests_per_user_day``, the busiest minute -> ``activity.peak_factor``;
2. then, with that activity, each component's own inputs: among the component's numeric keys the
   one whose effect on the figure is closest to proportional (its elasticity, found by moving it
   by 1%; at least 0.5) is scaled, ``new = old x (measured / predicted) ^ (1 / elasticity)``.

Each change is kept with its evidence (the measured and predicted values, the scale). An input that
would leave its allowed range, or a figure no input drives, is reported and left alone. Inputs are
changed one at a time and every later prediction is made with the earlier changes applied.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from .assumptions import Assumptions
from .errors import InputError
from .forecast import figure_as
from .profile import parse_profile
from .workload import demand_at

__all__ = ["Change", "Skipped", "calibrate", "ACTIVITY", "MIN_ELASTICITY", "TOLERANCE"]

#: figures that measure the users' activity, and the input each calibrates
ACTIVITY: dict[str, str] = {
    "daily_active_users": "daily_active_fraction",
    "requests_per_day": "requests_per_user_day",
    "requests_per_month": "requests_per_user_day",
    "peak_rps": "peak_factor",
}
#: an input is scaled only if the figure moves at least this much with it (log-log slope)
MIN_ELASTICITY = 0.5
#: measured and predicted within this relative difference: nothing to change
TOLERANCE = 0.02
#: relative step of the finite difference that measures an elasticity
STEP = 0.01


@dataclass(frozen=True)
class Change:
    path: tuple[str, ...]
    old: float
    new: float
    component: str
    metric: str
    measured: float
    predicted: float
    units: float

    @property
    def key(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Skipped:
    component: str
    metric: str
    measured: float
    predicted: float
    why: str


def _set(data: Any, path: tuple[str, ...], value: float) -> Any:
    """A copy of ``data`` with ``path`` set (mappings along it copied; missing ones made)."""
    out = copy.copy(data)
    node = out
    for k in path[:-1]:
        child = node.get(k)
        node[k] = copy.copy(child) if isinstance(child, dict) else {}
        node = node[k]
    node[path[-1]] = value
    return out


class _Model:
    """The demand model at one scale over profile data, with the effective value of every input."""

    def __init__(self, data: Any, assumptions: Assumptions, units: float, source: str) -> None:
        self.data = data
        self.assumptions = assumptions
        self.units = units
        self.source = source
        self.profile = parse_profile(data, source)
        self.demand = demand_at(self.profile, units, assumptions, explain=False)

    def predicted(self, component: str, metric: str) -> float | None:
        got = figure_as(self.demand.components[component].metrics, metric)
        if got is None and metric == "daily_active_users":
            # a figure of the whole app (workload/demand.py: users x daily_active_fraction)
            return self.demand.users * self.profile.activity.daily_active_fraction
        return got

    def raw(self, path: tuple[str, ...]) -> Any:
        """The input as the validated profile holds it (its default where the file has none)."""
        node: Any = self.profile
        for k in path:
            node = node.get(k) if isinstance(node, dict) else getattr(node, k, None)
            if node is None:
                return None
        return node

    def value(self, path: tuple[str, ...]) -> float | None:
        """The input's value as the model uses it, when it is a number."""
        v = self.raw(path)
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None

    def with_value(self, path: tuple[str, ...], v: float) -> _Model | None:
        try:
            return _Model(_set(self.data, path, v), self.assumptions, self.units, self.source)
        except InputError:
            return None


def _numeric_keys(m: _Model, component: str) -> list[tuple[str, ...]]:
    comp = m.profile.components[component]
    out: list[tuple[str, ...]] = []
    for name in type(comp).model_fields:
        v = getattr(comp, name)
        if isinstance(v, int | float) and not isinstance(v, bool) and v > 0:
            out.append(("components", component, name))
    return out


def _elasticity(m: _Model, path: tuple[str, ...], component: str, metric: str, base: float) -> float | None:
    old = m.value(path)
    if old is None or old <= 0 or base <= 0:
        return None
    moved = m.with_value(path, old * (1 + STEP))
    if moved is None:
        moved = m.with_value(path, old * (1 - STEP))
        if moved is None:
            return None
        p = moved.predicted(component, metric)
        return None if p is None or p <= 0 else math.log(p / base) / math.log(1 - STEP)
    p = moved.predicted(component, metric)
    return None if p is None or p <= 0 else math.log(p / base) / math.log(1 + STEP)


def _fit(
    m: _Model, path: tuple[str, ...], e: float, component: str, metric: str, measured: float, predicted: float
) -> tuple[_Model, Change] | Skipped:
    old = m.value(path)
    assert old is not None
    new = old * (measured / predicted) ** (1 / e)
    if isinstance(m.raw(path), int):  # a count stays whole
        new = float(max(1, round(new)))
    fitted = m.with_value(path, _tidy(new))
    if fitted is None:
        return Skipped(component, metric, measured, predicted, f"{'.'.join(path)} would be {new:.4g}, outside what the profile allows")
    return fitted, Change(path, old, _tidy(new), component, metric, measured, predicted, m.units)


def _tidy(x: float) -> float:
    """Four significant figures: a fitted input is not known better than that."""
    return float(f"{x:.4g}")


def calibrate(
    data: Any, assumptions: Assumptions, units: float, measured: dict[str, dict[str, float]], source: str = "<profile>"
) -> tuple[Any, list[Change], list[Skipped]]:
    """The profile data fitted to ``measured`` (component -> figure -> value) at ``units``, the
    changes made and the figures left alone."""
    m = _Model(data, assumptions, units, source)
    changes: list[Change] = []
    skipped: list[Skipped] = []
    done: set[tuple[str, str]] = set()
    # 1. activity, from the first component measuring each activity figure
    for metric, key in ACTIVITY.items():
        path: tuple[str, ...] = ("activity", key)
        if any(c.path == path for c in changes):
            continue
        for comp in sorted(measured):
            if metric not in measured[comp] or comp not in m.profile.components:
                continue
            p = m.predicted(comp, metric)
            if p is None or p <= 0:
                continue
            done.add((comp, metric))
            got = _step(m, path, comp, metric, measured[comp][metric], p)
            if isinstance(got, Skipped):
                skipped.append(got)
            elif got is not None:
                m, ch = got
                changes.append(ch)
            break
    # 2. each component's own inputs
    for comp in sorted(measured):
        if comp not in m.profile.components:
            continue
        for metric, value in sorted(measured[comp].items()):
            if (comp, metric) in done or metric in ACTIVITY:
                continue
            p = m.predicted(comp, metric)
            if p is None:
                continue  # the model has no such figure for this component (tables_gb, keys...)
            if p <= 0:
                skipped.append(Skipped(comp, metric, value, p, "the profile predicts none of it"))
                continue
            best: tuple[float, tuple[str, ...]] | None = None
            for cand in _numeric_keys(m, comp):
                e = _elasticity(m, cand, comp, metric, p)
                if e is not None and e >= MIN_ELASTICITY and (best is None or abs(e - 1) < abs(best[0] - 1)):
                    best = (e, cand)
            if best is None:
                if abs(value / p - 1) > TOLERANCE:
                    skipped.append(Skipped(comp, metric, value, p, f"no input of {comp} drives it alone"))
                continue
            got = _step(m, best[1], comp, metric, value, p, best[0])
            if isinstance(got, Skipped):
                skipped.append(got)
            elif got is not None:
                m, ch = got
                changes.append(ch)
    return m.data, changes, skipped


def _step(
    m: _Model, path: tuple[str, ...], comp: str, metric: str, measured: float, predicted: float, e: float | None = None
) -> tuple[_Model, Change] | Skipped | None:
    if abs(measured / predicted - 1) <= TOLERANCE:
        return None
    if e is None:
        e = _elasticity(m, path, comp, metric, predicted)
        if e is None or e < MIN_ELASTICITY:
            return Skipped(comp, metric, measured, predicted, f"{'.'.join(path)} does not drive it here")
    if measured <= 0:
        return Skipped(comp, metric, measured, predicted, "measured as zero: nothing to scale")
    return _fit(m, path, e, comp, metric, measured, predicted)
