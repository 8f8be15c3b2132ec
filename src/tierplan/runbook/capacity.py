"""Changes in place: plan changes, resizes and instance counts, now or later in the new phase.

Same provider and region, another plan: a plan change (`Platform.plan_change`: an API call or a
dashboard change), no data moves. Same placement, another size or count: a resize or scale step
(`Platform.resize`, `Platform.resize_store`, `Platform.scale`). A size or count the new phase only
needs by its end is a "later" step that says from which scale it is needed.
"""

from __future__ import annotations

from collections.abc import Callable

from ..platforms import Host, Placement, platform
from ..pricing import Evaluation
from .context import Build
from .model import WEB_KINDS, Change, Step

__all__ = ["plan_step", "kind_checks", "count_step", "resize_step", "store_resize_step", "later_steps"]


def plan_step(b: Build, ch: Change, comps: tuple[str, ...] | None = None) -> Step:
    """A plan change within one provider and region (of ``comps`` when one account plan covers
    several components): no data moves."""
    comps = comps or (ch.component,)
    o, n = ch.old, ch.new
    c = platform(o.provider).plan_change(b, ch.component, ch.kind, o, n)
    verify = list(c.verify)
    for comp in comps:
        verify += kind_checks(b, comp)
    names = ", ".join(comps)
    why = "; ".join(dict.fromkeys(r for c in comps for r in b.reasons.get(c, ()))) or (
        f"{n.plan_name} is what phase {b.k_to} needs from {b.units(b.new_ph.start)}"
    )
    note = c.note
    if len(comps) > 1:
        note += f" One account plan covers {names}: one change upgrades them all."
    return Step(
        f"Change {names} from {o.provider_name} {o.plan_name} to {n.plan_name}",
        why + "." + note,
        c.commands,
        verify,
        c.rollback,
        0.0,
        comps,
        "capacity",
        c.manual,
        c.rollback_manual,
    )


def kind_checks(b: Build, comp: str) -> list[str]:
    """Cheap checks that a data store or SaaS component answers after a change."""
    c = b.p.components[comp]
    store = next((s for s in b.dep_new.stores if s.name == comp), None)
    ch = b.by_comp.get(comp)
    side = "NEW_" if ch is not None and ch.category == "move" else ""  # after a move: the new store
    if c.kind == "postgres" and store is not None:
        url = b.var(
            f"{side}{store.env.removesuffix('_URL')}_ADMIN_URL",
            b.admin_where(comp, b.new_ph, new=bool(side)),
        )
        return [f"psql {url} -At -c 'SELECT version()'"]
    if c.kind == "redis" and store is not None:
        return [f"redis-cli -u {b.redis_admin(comp, side, store.provider)} PING"]
    if c.kind in ("web_frontend",) or c.kind in WEB_KINDS:
        return b.health(comp)
    return []


def count_step(b: Build, ch: Change, h: Host, n_old: int, n_new: int, stage: str) -> Step:
    """Scale a service from ``n_old`` to ``n_new`` instances."""
    comp = ch.component
    adapter = platform(h.provider)
    fwd, back = adapter.scale(b, h, n_new), adapter.scale(b, h, n_old)
    what = "out" if n_new > n_old else "in"
    when = (
        f"the plan's count at the start of phase {b.k_to} ({b.units(b.new_ph.start)})"
        if stage == "capacity"
        else f"the plan's count by the end of phase {b.k_to} ({b.units(b.new_ph.last_scale)})"
    )
    verify = adapter.status(b, h)
    return Step(
        f"Scale {comp} {what} from {n_old} to {n_new} instance{'s' if n_new != 1 else ''} on {b.name_of(h.provider)}",
        f"{n_new} is {when}; "
        + b.why(
            ch,
            f"demand grows past what {n_old} instance{'s serve' if n_old != 1 else ' serves'} within the headroom",
        ),
        fwd.commands,
        verify + b.health(comp),
        back.commands,
        0.0,
        (comp,),
        stage,
        fwd.manual,
        back.manual,
    )


def resize_step(b: Build, ch: Change, h: Host, frm: Placement, to: Placement, stage: str) -> Step:
    """Resize a service's instances from ``frm``'s size to ``to``'s."""
    comp = ch.component
    mem: dict[str | None, int | None] = {frm.size: None, to.size: None}
    for pt in (b.old_ph.stack_end, b.new_ph.stack_start, b.new_ph.stack_end):
        sz = pt.choices[comp].option.size
        if sz is not None:
            mem[sz.id] = int(sz.memory_mb)
    adapter = platform(h.provider)
    fwd, back = (
        adapter.resize(b, h, to.size, mem.get(to.size)),
        adapter.resize(b, h, frm.size, mem.get(frm.size)),
    )
    return Step(
        f"Resize {comp} from {frm.size} to {to.size} on {b.name_of(h.provider)}",
        b.why(ch, f"{to.size} is the size the plan runs {comp} on from {b.units(b.new_ph.start)}")
        if stage == "capacity"
        else f"the plan moves {comp} to {to.size} within phase {b.k_to}, by {b.units(b.new_ph.last_scale)}",
        fwd.commands,
        adapter.status(b, h) + b.health(comp),
        back.commands,
        0.0,
        (comp,),
        stage,
        fwd.manual,
        back.manual,
    )


def store_resize_step(b: Build, ch: Change, frm: Placement, to: Placement, stage: str) -> Step:
    """Resize a store in place (a restart)."""
    comp = ch.component
    c = platform(to.provider).resize_store(b, comp, ch.kind, frm, to)
    verify = c.verify + kind_checks(b, comp)
    when = (
        f"from {b.units(b.new_ph.start)}"
        if stage == "capacity"
        else f"within phase {b.k_to}, by {b.units(b.new_ph.last_scale)} (watch its CPU and memory; resize before they reach the headroom)"
    )
    return Step(
        f"Resize {comp} from {frm.size} to {to.size} on {to.provider_name}",
        f"the plan runs {comp} on {to.size} {when}. The resize restarts the instance (a short interruption)",
        c.commands,
        verify,
        c.rollback,
        0.0,
        (comp,),
        stage,
        c.manual,
        c.rollback_manual,
        downtime_minutes=0.0,
    )


def _first_at(b: Build, comp: str, changed: Callable[[Evaluation], bool]) -> int | None:
    """The first scale of the new phase where ``changed(evaluation of the start option)`` holds
    (monotone in scale: demand only grows), by bisection; None if not within the phase."""
    order = b.new_ph.stack_start.choices[comp].option.order
    lo, hi = b.new_ph.start, b.new_ph.last_scale
    if not changed(b.planner.evaluate_one(comp, order, hi)):
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if changed(b.planner.evaluate_one(comp, order, mid)):
            hi = mid
        else:
            lo = mid
    return hi


def later_steps(b: Build, ch: Change, h: Host | None) -> list[Step]:
    """Size and count changes within the new phase (from its start to its end); ``h`` is the
    service's host (None for a store)."""
    out = []
    comp = ch.component
    if ch.new.size != ch.end.size:
        if h is not None:
            out.append(resize_step(b, ch, h, ch.new, ch.end, "later"))
        else:
            out.append(store_resize_step(b, ch, ch.new, ch.end, "later"))
        at = _first_at(b, comp, lambda e: not e.feasible)
        if at is not None:
            out[-1].why += f". {ch.new.size} stops fitting at ~{b.units(at)}: resize before that"
    if ch.new.instances != ch.end.instances:
        n0 = ch.new.instances
        at = _first_at(b, comp, lambda e: (not e.feasible) or e.instances > n0)
        if h is not None:
            out.append(count_step(b, ch, h, ch.new.instances, ch.end.instances, "later"))
            if at is not None:
                out[-1].why += f". Instance {n0 + 1} is needed from ~{b.units(at)}"
        else:
            out.append(
                Step(
                    f"Scale {ch.component} to {ch.end.instances} instances on {ch.new.provider_name}",
                    f"the plan's count by the end of phase {b.k_to} ({b.units(b.new_ph.last_scale)})",
                    [],
                    [],
                    [],
                    0.0,
                    (ch.component,),
                    "later",
                    [f"{ch.new.provider_name} dashboard: set {ch.component} to {ch.end.instances} instances"],
                    [f"{ch.new.provider_name} dashboard: set {ch.component} back to {ch.new.instances}"],
                )
            )
    return out
