"""Cost ranges from the profile's uncertain numbers (ranges.py): ``plan --samples N``.

Each sample is a profile drawn from the ranges (seeded, reproducible). The plan made with the
point values keeps its stacks; under a sample, at each stage, the app runs the first of the plan's
stacks that fits there, starting from the last one a voluntary move (a move made to save money,
placed by the point plan) has entered: demand above the guess makes a forced move come earlier,
demand below it later. That stack is priced exactly at the stage as a whole (engine.whole_stack
.fixed_solution: shared accounts, pools, sizes); where none of the plan's stacks fits, the sample
is "beyond the plan" and priced at the cheapest stack of each component (the point optimizer).
The options are the point profile's (Planner.with_profile: its static filters and latency limits,
from the point values); a draw that would admit an option the point profile ruled out is priced
without it.

Reported: P10 / P50 / P90 monthly cost per stage, the probability that each phase boundary comes
before each stage, and a tornado: each input alone at its low and at its high end (the others at
their point values), priced at the last stage, largest swing first. Pure functions over the
planner, the plan and the ranges; the caller draws nothing from the clock or the terminal.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .engine.columns import placement_class
from .engine.planner import Planner
from .engine.result import Plan
from .engine.whole_stack import fixed_solution
from .highs import stop_solver_threads
from .profile import Profile
from .ranges import Range, draw, with_values

__all__ = ["StageBand", "BoundaryOdds", "Swing", "Uncertainty", "sample_plan", "available_cpus", "MAX_SAMPLES"]

#: the most samples one run draws
MAX_SAMPLES = 10_000


@dataclass(frozen=True)
class StageBand:
    scale: int
    #: the plan's cost there (the point values)
    monthly_usd: float
    p10: float
    p50: float
    p90: float
    low: float
    high: float
    #: samples where none of the plan's stacks fits at this stage
    beyond_plan: int


@dataclass(frozen=True)
class BoundaryOdds:
    """The start of phase ``phase`` (a boundary of the point plan) and, for each stage, the share
    of samples in which the app has passed it there."""

    phase: int
    at: int
    forced: bool
    before: tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class Swing:
    """One input alone at its low and its high end: the cost at ``scale``."""

    input: str
    low_value: float
    high_value: float
    scale: int
    low_usd: float
    high_usd: float

    @property
    def swing_usd(self) -> float:
        return abs(self.high_usd - self.low_usd)


@dataclass(frozen=True)
class Uncertainty:
    samples: int
    seed: int
    inputs: tuple[Range, ...]
    stages: tuple[StageBand, ...]
    boundaries: tuple[BoundaryOdds, ...]
    sensitivity: tuple[Swing, ...]


def _percentile(sorted_values: list[float], q: float) -> float:
    """The q-quantile (0..1) by linear interpolation between order statistics (numpy's default)."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


class _Pricer:
    """Prices the plan's stacks under one sampled profile at the stages."""

    def __init__(self, planner: Planner, plan: Plan) -> None:
        self.planner = planner
        self.plan = plan
        # each phase's placement classes, from the point planner (they depend on the options only)
        self.stacks = [
            {c: placement_class(planner, c, e.option) for c, e in ph.stack_start.choices.items()} for ph in plan.phases
        ]
        self.voluntary = [i for i, ph in enumerate(plan.phases) if ph.move is not None and not ph.move.forced]

    def at(self, profile: Profile, stages: list[int]) -> list[tuple[float, int, bool]]:
        """(monthly USD, 1-based phase index, beyond the plan) under ``profile`` at each of the
        increasing ``stages``. A stack that does not fit at one stage is not tried at the next:
        demand never falls as the scale grows, so it would not fit there either."""
        sp = self.planner.with_profile(profile)
        gone: set[int] = set()
        out = []
        for units in stages:
            start = max([i for i in self.voluntary if self.plan.phases[i].start <= units], default=0)
            for k in range(start, len(self.stacks)):
                if k in gone:
                    continue
                sol = fixed_solution(sp, self.stacks[k], units)
                if sol is not None:
                    out.append((sol.monthly_usd, k + 1, False))
                    break
                gone.add(k)
            else:
                out.append((sp.point(units).monthly_usd, len(self.stacks) + 1, True))
        return out


#: (monthly USD, 1-based phase index, beyond the plan) at each stage, for one draw
Priced = list[tuple[float, int, bool]]


@dataclass(frozen=True)
class _Work:
    """What pricing a draw needs: the pricer, the point profile's data and its ranges, the stages."""

    pricer: _Pricer
    point: Profile
    ranges: tuple[Range, ...]
    stages: list[int]

    def price(self, values: tuple[float, ...]) -> Priced:
        if not self.ranges:
            return self.pricer.at(self.point, self.stages)
        sampled = Profile.model_validate(with_values(self.point.point_data, self.ranges, list(values)))
        return self.pricer.at(sampled, self.stages)


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: the work of the worker processes of one sample_plan call (inherited when they fork)
_WORK: _Work | None = None

#: fewer distinct draws than this are priced in-process: starting workers would cost more
MIN_DRAWS_PER_WORKER = 25


def _price_chunk(chunk: list[tuple[float, ...]]) -> list[Priced]:
    assert _WORK is not None, "a worker runs only inside sample_plan"
    return [_WORK.price(v) for v in chunk]


def _price_all(
    work: _Work, keys: list[tuple[float, ...]], jobs: int, done: Callable[[tuple[float, ...]], None]
) -> dict[tuple[float, ...], Priced]:
    """Each distinct draw priced, on ``jobs`` forked worker processes when there are enough draws
    (each draw is priced on its own, so the result does not depend on how they are shared out);
    ``done(key)`` after each. Without fork (Windows), in this process."""
    jobs = min(jobs, len(keys) // MIN_DRAWS_PER_WORKER)
    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        out = {}
        for key in keys:
            out[key] = work.price(key)
            done(key)
        return out
    global _WORK
    # the solver's threads are stopped first (highs.py), and the objects made so far are frozen
    # out of the collector (the children then share their pages instead of copying them)
    stop_solver_threads()
    size = max(1, min(64, len(keys) // (jobs * 8)))
    chunks = [keys[i : i + size] for i in range(0, len(keys), size)]
    _WORK = work
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            out = {}
            for chunk, priced in zip(chunks, pool.imap(_price_chunk, chunks), strict=True):
                for key, p in zip(chunk, priced, strict=True):
                    out[key] = p
                    done(key)
    finally:
        gc.unfreeze()
        _WORK = None
    return out


def sample_plan(
    planner: Planner,
    plan: Plan,
    samples: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
) -> Uncertainty:
    """The cost bands, boundary odds and tornado of ``plan`` over ``samples`` draws (see the module
    docstring); ``progress(n)`` is called as the samples are priced (n of them so far). ``jobs``:
    processes that price the draws (the result is the same for any number)."""
    prof = planner.profile
    ranges: tuple[Range, ...] = prof.ranges
    stages = [u for u in (prof.scale.stages or [plan.first, plan.last]) if plan.first <= u <= plan.last]
    pricer = _Pricer(planner, plan)
    rng = random.Random(seed)
    drawn = [tuple(draw(ranges, rng)) for _ in range(samples)]
    times = Counter(drawn)
    priced_samples = 0

    def done(key: tuple[float, ...]) -> None:
        nonlocal priced_samples
        priced_samples += times[key]
        if progress is not None:
            progress(priced_samples)

    seen = _price_all(_Work(pricer, prof, ranges, stages), list(times), jobs, done)
    costs: list[list[float]] = [[] for _ in stages]
    phases: list[list[int]] = [[] for _ in stages]
    beyond = [0] * len(stages)
    for key in drawn:
        for j, (usd, phase, out) in enumerate(seen[key]):
            costs[j].append(usd)
            phases[j].append(phase)
            beyond[j] += out
    bands = []
    for j, u in enumerate(stages):
        xs = sorted(costs[j])
        bands.append(
            StageBand(
                u,
                plan.stack_at(u).monthly_usd,
                _percentile(xs, 0.1),
                _percentile(xs, 0.5),
                _percentile(xs, 0.9),
                xs[0],
                xs[-1],
                beyond[j],
            )
        )
    boundaries = tuple(
        BoundaryOdds(
            k + 1,
            ph.start,
            ph.move is None or ph.move.forced,
            tuple((u, sum(1 for x in phases[j] if x >= k + 1) / samples) for j, u in enumerate(stages)),
        )
        for k, ph in enumerate(plan.phases)
        if k > 0
    )
    return Uncertainty(samples, seed, ranges, tuple(bands), boundaries, _tornado(pricer, prof, ranges, stages[-1]))


def _tornado(pricer: _Pricer, prof: Profile, ranges: tuple[Range, ...], units: int) -> tuple[Swing, ...]:
    point_values = [r.point for r in ranges]
    out = []
    for i, r in enumerate(ranges):
        ends = []
        for v in (r.low, r.high):
            values = list(point_values)
            values[i] = r.value(v)
            sampled = Profile.model_validate(with_values(prof.point_data, ranges, values))
            ends.append(pricer.at(sampled, [units])[0][0])
        out.append(Swing(r.key, r.low, r.high, units, ends[0], ends[1]))
    out.sort(key=lambda s: (-s.swing_usd, s.input))
    return tuple(out)
