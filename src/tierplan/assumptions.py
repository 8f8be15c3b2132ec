"""Capacity assumptions (not prices): loaded from data/assumptions.yaml, overridable per profile."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError, Problem
from .validation import problems_from
from .yamlio import load_yaml

__all__ = ["Assumption", "Assumptions", "load_assumptions"]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    value: float
    unit: str
    rationale: str = Field(min_length=10)
    source: str | None = None
    #: a formula divides by it: an override must be above 0, not 0
    positive: bool = False


@dataclass(frozen=True)
class Assumption:
    key: str
    value: float
    unit: str
    rationale: str
    source: str | None
    overridden: bool = False
    positive: bool = False


class Assumptions:
    """Lookup that records which keys were used, so reports list exactly those."""

    def __init__(self, entries: dict[str, Assumption]) -> None:
        self._entries = entries
        self.used: set[str] = set()

    def __getitem__(self, key: str) -> float:
        self.used.add(key)
        return self._entries[key].value

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def entry(self, key: str) -> Assumption:
        return self._entries[key]

    def all(self) -> list[Assumption]:
        return [self._entries[k] for k in sorted(self._entries)]

    def used_entries(self) -> list[Assumption]:
        return [self._entries[k] for k in sorted(self.used)]

    def unused_copy(self) -> Assumptions:
        """The same figures (overrides included) with nothing recorded as used: for a side
        calculation whose reads a report lists only when it shows the result (``record``)."""
        return Assumptions(self._entries)

    def record(self, other: Assumptions) -> None:
        """Count what ``other`` (an ``unused_copy``) read as used here too."""
        self.used |= other.used

    def with_overrides(self, overrides: dict[str, float], path: str = "<profile>") -> Assumptions:
        import difflib

        problems = []
        entries = dict(self._entries)
        for k, v in overrides.items():
            if k not in entries:
                near = difflib.get_close_matches(k, list(entries), n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else " (see `tierplan assumptions`)"
                problems.append(Problem(f"assumptions.{k}", f"unknown assumption{hint}"))
                continue
            e = entries[k]
            bad = _bad_value(v, e)
            if bad:
                problems.append(Problem(f"assumptions.{k}", bad))
                continue
            entries[k] = Assumption(k, float(v), e.unit, e.rationale, e.source, True, e.positive)
        if problems:
            raise InputError(path, problems)
        return Assumptions(entries)


@cache
def _load(path: str) -> dict[str, Assumption]:
    data, lines = load_yaml(path, what="assumptions file")
    out: dict[str, Assumption] = {}
    for k, v in data.items():
        try:
            e = _Entry.model_validate(v)
        except ValidationError as err:
            raise InputError(path, problems_from(err, lines, prefix=(k,), data=v)) from None
        out[k] = Assumption(k, e.value, e.unit, e.rationale, e.source, positive=e.positive)
    return out


def _bad_value(v: float, e: Assumption) -> str | None:
    """Why an override cannot stand (None if it can): not finite, negative, 0 where a formula
    divides by it, a fraction above 1, a multiple of the average below 1."""
    import math

    if isinstance(v, bool) or not isinstance(v, int | float):
        return f"must be a number (got {v!r})"
    if not math.isfinite(v):
        return f"must be a finite number (got {v})"
    if v < 0:
        return f"must be >= 0 (got {v:g})"
    if e.positive and v == 0:
        return f"must be above 0: a formula divides by it (got {v:g} {e.unit})"
    if e.unit == "fraction" and v > 1:
        return f"is a fraction: must be between 0 and 1 (got {v:g})"
    if e.unit == "x average" and v < 1:
        return f"is a multiple of the average: must be at least 1 (got {v:g})"
    return None


def load_assumptions(path: Path | str | None = None) -> Assumptions:
    p = str(path) if path else str(resources.files("tierplan") / "data" / "assumptions.yaml")
    return Assumptions(dict(_load(p)))
