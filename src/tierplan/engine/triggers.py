"""Why a stack changes, and when each limit of a chosen option is reached (both engines)."""

from __future__ import annotations

from collections.abc import Callable

from ..kinds import KINDS
from ..metrics import metric_words
from ..pricing import EPS, Evaluation, Reason
from ..units import plural
from .planner import Planner
from .result import Event, LimitWatch, Phase, Trigger
from .scale import first_true, usable_limit

__all__ = ["reason_trigger", "watch_limits", "phase_events", "newly_required"]

#: count changes of one component in one phase listed one by one; more become one event
MAX_COUNT_EVENTS = 3


def newly_required(planner: Planner, at: int) -> list[str]:
    """The requirements that start at ``at`` (e.g. "zero downtime required from 200 coops")."""
    before, after = planner.context(at - 1), planner.context(at)
    r = planner.profile.requirements
    unit = planner.profile.scale.unit
    table = (
        ("zero downtime", before.zero_downtime, after.zero_downtime, r.zero_downtime_from),
        ("high availability", before.high_availability, after.high_availability, r.high_availability_from),
        ("database failover", before.database_failover, after.database_failover, r.database_failover_from),
        ("no cold starts", before.no_cold_starts, after.no_cold_starts, r.no_cold_starts_from),
        ("backups", before.backups, after.backups, r.backups_from),
    )
    return [f"{name} required from {start:,} {plural(unit)}" for name, was, now, start in table if now and not was]


def reason_trigger(
    comp: str, rs: Reason, at: int, month: float | None, old: Evaluation, new: Evaluation
) -> Trigger:
    """A trigger from the reason the old option no longer fits at ``at``."""
    metric = rs.metric or rs.kind
    msg = f"{old.option.label}: {rs.message}; moves to {new.option.label}"
    return Trigger(comp, metric, rs.limit, rs.threshold, at, msg, rs.kind, month, rs.used)


def watch_limits(planner: Planner, ph: Phase, last: int) -> list[LimitWatch]:
    """For each hard limit of each chosen option: the first scale where it stops fitting."""
    out: list[LimitWatch] = []
    h = planner.limit_share
    for comp, ev in ph.stack_start.choices.items():
        opt = ev.option
        for lim in opt.plan.plan.limits:
            thr = usable_limit(lim, h, planner.assumptions["limits.busy_day_factor"])

            def over(
                u: int, metric: str = lim.metric, comp: str = comp, order: int = opt.order, thr: float = thr
            ) -> bool:
                return planner.evaluate_one(comp, order, u).metrics.get(metric, 0.0) > thr + EPS

            at: int | None = None
            if over(last):
                at = ph.start if over(ph.start) else first_true(ph.start, last, over)
            out.append(
                LimitWatch(
                    comp, lim.metric, lim.max, thr, at, planner.month_of(at) if at is not None else None
                )
            )
    return out


def _shape(ev: Evaluation) -> tuple[str | None, int]:
    return (ev.option.size.id if ev.option.size is not None else None, ev.instances)


def _tightest(ev: Evaluation) -> str:
    """The fullest capacity of an evaluation, in words ("memory 78%")."""
    if not ev.utilization:
        return ""
    k = max(ev.utilization, key=lambda m: ev.utilization[m])
    return f"{metric_words(k)} {ev.utilization[k]:.0%}"


def phase_events(
    planner: Planner, ph: Phase, item: Callable[[str, int], Evaluation], unit: str
) -> list[Event]:
    """Every change of size or instance count inside a phase (its stack's placements stay), at
    the first unit that needs it: a resize (a database resize is a restart) or a scale-out. The
    plan prices its stack at each unit with the cheapest size and count of each placement
    (``item(component, u)``: the component's priced option in the phase's stack at u); both only
    grow with the scale, so each change is found exactly by bisection, one component at a time.
    More than MAX_COUNT_EVENTS count changes of one component become one event over their range."""
    end = ph.last_scale
    if end <= ph.start:
        return []
    out: list[Event] = []
    for comp in ph.stack_start.choices:
        kind = planner.profile.components[comp].kind

        def shape(u: int, comp: str = comp) -> tuple[str | None, int]:
            return _shape(item(comp, u))

        changes: list[tuple[int, tuple[str | None, int], tuple[str | None, int]]] = []
        lo, cur = ph.start, shape(ph.start)

        def changed(
            cur: tuple[str | None, int], shape: Callable[[int], tuple[str | None, int]] = shape
        ) -> Callable[[int], bool]:
            return lambda u: shape(u) != cur

        while lo < end and shape(end) != cur:
            at = first_true(lo, end, changed(cur))
            new = shape(at)
            changes.append((at, cur, new))
            lo, cur = at, new
        counts = [c for c in changes if c[1][0] == c[2][0]]
        summarise = len(counts) > MAX_COUNT_EVENTS
        for at, (size0, n0), (size1, n1) in changes:
            required = newly_required(planner, at)
            why = _tightest(item(comp, at - 1))
            if required:
                reason = "; ".join(required)
            else:
                reason = f"{why} at {at - 1:,} {plural(unit)}" if why else f"the demand at {at:,} {plural(unit)}"
            month = planner.month_of(at)
            if size0 != size1:
                restart = KINDS[kind].database
                out.append(
                    Event(
                        at,
                        comp,
                        "resize",
                        f"{n0} x {size0}" if n0 > 1 else str(size0),
                        f"{n1} x {size1}" if n1 > 1 else str(size1),
                        reason,
                        (
                            f"resize {comp} from {size0} to {size1}: a restart of the database "
                            "(minutes of downtime: plan it in a quiet hour)"
                            if restart
                            else f"redeploy {comp} on {size1} machines ({n1})"
                        ),
                        month,
                    )
                )
            elif not summarise:
                out.append(
                    Event(
                        at,
                        comp,
                        "scale_out" if n1 > n0 else "scale_in",
                        f"{n0} x {size0}",
                        f"{n1} x {size1}",
                        reason,
                        f"scale {comp} to {n1} instances (or let autoscaling do it)",
                        month,
                    )
                )
        if summarise:
            first, last = counts[0], counts[-1]
            out.append(
                Event(
                    first[0],
                    comp,
                    "scale_out",
                    f"{first[1][1]} x {first[1][0]}",
                    f"{last[2][1]} x {last[2][0]}",
                    f"the demand grows through the phase ({len(counts)} steps from {first[0]:,} to "
                    f"{last[0]:,} {plural(unit)})",
                    f"scale {comp} out step by step, from {first[1][1]} to {last[2][1]} instances "
                    "(or let autoscaling do it)",
                    planner.month_of(first[0]),
                )
            )
    return sorted(out, key=lambda e: (e.at, e.component))
