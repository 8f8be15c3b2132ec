"""Why a stack changes, and when each limit of a chosen option is reached (both engines)."""

from __future__ import annotations

from ..pricing import EPS, Evaluation, Reason
from .planner import Planner
from .result import LimitWatch, Phase, Trigger
from .scale import first_true, usable_limit

__all__ = ["reason_trigger", "watch_limits"]


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
    h = planner.headroom
    for comp, ev in ph.stack_start.choices.items():
        opt = ev.option
        for lim in opt.plan.plan.limits:
            thr = usable_limit(lim, h)

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
