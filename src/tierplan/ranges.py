"""Numbers of the profile that nobody knows exactly: ``{low, likely, high}`` (a PERT distribution)
or ``{low, high}`` (uniform) in place of any number.

``extract`` reads them out of the profile's data before validation: the plan is made with each
range's point value (``likely``, or the middle of ``{low, high}``), and ``--samples N`` draws
profiles from the ranges (``draw``) to price the plan under each (uncertainty.py). Pure functions
over plain data; a bad range is an InputError naming its key path and line.
"""

from __future__ import annotations

import copy
import math
import random
from dataclasses import dataclass
from typing import Any

from .errors import InputError, Problem
from .validation import dotted

__all__ = ["Range", "extract", "draw", "with_values"]

#: keys under which a range makes no sense: the scales the plan reports at are chosen, not guessed
_NOT_UNCERTAIN = (("scale", "stages"), ("scale", "growth", "start"), ("scale", "growth", "horizon_months"))


@dataclass(frozen=True)
class Range:
    """One uncertain number: where it is in the profile, its bounds and most likely value."""

    path: tuple[Any, ...]
    low: float
    high: float
    likely: float | None = None
    #: the profile's field is an integer (seats, monitors): samples are rounded
    integer: bool = False

    @property
    def key(self) -> str:
        return dotted(self.path)

    @property
    def point(self) -> float:
        """The value the plan is made with: ``likely``, else the middle of the range."""
        return self.value(self.likely if self.likely is not None else (self.low + self.high) / 2)

    def value(self, v: float) -> float:
        """``v`` as this range's field takes it: whole for an integer field."""
        return float(round(v)) if self.integer else v

    def sample(self, rng: random.Random) -> float:
        """One draw: PERT (a beta distribution with the mode at ``likely``, weight 4) for three
        points, uniform for two."""
        lo, hi = self.low, self.high
        if hi == lo:
            v = lo
        elif self.likely is None:
            v = rng.uniform(lo, hi)
        else:
            a = 1 + 4 * (self.likely - lo) / (hi - lo)
            b = 1 + 4 * (hi - self.likely) / (hi - lo)
            v = lo + (hi - lo) * rng.betavariate(a, b)
        return self.value(v)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _as_range(node: Any) -> bool:
    return isinstance(node, dict) and set(node) in ({"low", "high"}, {"low", "likely", "high"})


def extract(data: Any, path: str, lines: dict[tuple[Any, ...], int] | None = None) -> tuple[Any, tuple[Range, ...]]:
    """The profile's data with every range replaced by its point value, and the ranges in file
    order. InputError: a range whose bounds are not numbers, are out of order, or sits where
    ranges are not allowed."""
    lines = lines or {}
    found: list[Range] = []
    problems: list[Problem] = []

    def walk(node: Any, loc: tuple[Any, ...]) -> Any:
        if _as_range(node):
            bad = [k for k in ("low", "likely", "high") if k in node and not _is_number(node[k])]
            if bad:
                problems.append(Problem(dotted(loc + (bad[0],)), "a range's bounds must be numbers", lines.get(loc)))
                return node
            lo, hi, likely = float(node["low"]), float(node["high"]), node.get("likely")
            if not lo <= (likely if likely is not None else lo) <= hi or lo > hi:
                problems.append(
                    Problem(dotted(loc), "a range needs low <= likely <= high" if likely is not None else "a range needs low <= high", lines.get(loc))
                )
                return node
            if any(loc[: len(p)] == p for p in _NOT_UNCERTAIN):
                problems.append(
                    Problem(dotted(loc), "a range is not allowed here: the plan's scales are chosen, not uncertain", lines.get(loc))
                )
                return node
            r = Range(loc, lo, hi, None if likely is None else float(likely))
            found.append(r)
            # an integer field's point must be whole to validate (parse_profile then marks the
            # range integer where the field is)
            return int(round(r.point)) if all(isinstance(node[k], int) for k in node) else r.point
        if isinstance(node, dict):
            return {k: walk(v, loc + (k,)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, loc + (i,)) for i, v in enumerate(node)]
        return node

    point = walk(data, ())
    if problems:
        raise InputError(path, problems)
    return point, tuple(found)


def draw(ranges: tuple[Range, ...], rng: random.Random) -> list[float]:
    """One value for each range, in order."""
    return [r.sample(rng) for r in ranges]


def with_values(point: Any, ranges: tuple[Range, ...], values: list[float]) -> Any:
    """The point data with each range's path set to its value: the mappings and lists along the
    paths are copied, everything else is shared with ``point`` (which is never changed)."""
    out = copy.copy(point)
    copied: set[tuple[Any, ...]] = {()}
    for r, v in zip(ranges, values, strict=True):
        node = out
        for i, k in enumerate(r.path[:-1]):
            if r.path[: i + 1] not in copied:
                node[k] = copy.copy(node[k])
                copied.add(r.path[: i + 1])
            node = node[k]
        node[r.path[-1]] = int(v) if r.integer else v
    return out
