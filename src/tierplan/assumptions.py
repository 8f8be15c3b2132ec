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
    model_config = ConfigDict(extra="forbid", frozen=True)
    value: float
    unit: str
    rationale: str = Field(min_length=10)
    source: str | None = None


@dataclass(frozen=True)
class Assumption:
    key: str
    value: float
    unit: str
    rationale: str
    source: str | None
    overridden: bool = False


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
            if v < 0:
                problems.append(Problem(f"assumptions.{k}", f"must be >= 0 (got {v})"))
                continue
            e = entries[k]
            entries[k] = Assumption(k, float(v), e.unit, e.rationale, e.source, overridden=True)
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
        out[k] = Assumption(k, e.value, e.unit, e.rationale, e.source)
    return out


def load_assumptions(path: Path | str | None = None) -> Assumptions:
    p = str(path) if path else str(resources.files("tierplan") / "data" / "assumptions.yaml")
    return Assumptions(dict(_load(p)))
