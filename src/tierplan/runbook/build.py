"""The entry points: the runbook between two phases of a plan, or between any two phases' stacks.

`build_runbook` diffs the stacks, lets each changed component add its steps (SaaS and stores
first, so that services moved in the same runbook start with the values of the moment they are
deployed; plan changes of components that share one account plan are one step), orders the steps
by stage and derives the checklist from them.
"""

from __future__ import annotations

from ..engine.planner import Planner
from ..engine.result import Phase, Plan
from ..errors import InputError
from .capacity import later_steps, plan_step
from .changes import diff_stacks, shared_account_changes
from .checklist import checklist
from .context import Build, spread
from .model import CODE_KINDS, DATA_KINDS, STAGES, Change, MoveCost, Runbook, Step
from .saas import saas_steps
from .services import frontend_steps, service_steps
from .stores import store_steps

__all__ = ["runbook", "build_runbook"]


def runbook(planner: Planner, plan: Plan, k_from: int, k_to: int | None = None) -> Runbook:
    """The runbook from phase ``k_from`` to ``k_to`` of ``plan`` (1-based; default the next phase)."""
    n = len(plan.phases)
    k2 = k_from + 1 if k_to is None else k_to
    plural = "s" if n != 1 else ""
    if not 1 <= k_from <= n:
        raise InputError(planner.path, f"--from {k_from}: the plan has {n} phase{plural} (1-{n})")
    if not 1 <= k2 <= n:
        if k_to is None:
            raise InputError(
                planner.path, f"--from {k_from} is the last phase of the plan: there is no phase to move to"
            )
        raise InputError(planner.path, f"--to {k2}: the plan has {n} phase{plural} (1-{n})")
    if k2 <= k_from:
        raise InputError(planner.path, f"--to {k2} must be after --from {k_from}")
    moves = []
    for j in range(k_from + 1, k2 + 1):
        m = plan.phases[j - 1].move
        if m is not None:
            moves.append(
                MoveCost(
                    j, m.at, m.forced, m.migration_usd, m.saving_usd_month, tuple(m.components), m.detail
                )
            )
    reasons: dict[str, list[str]] = {}
    for ph in plan.phases[k_from - 1 : k2 - 1]:
        for t in ph.triggers:
            reasons.setdefault(t.component, []).append(t.message)
    return build_runbook(
        planner,
        plan.phases[k_from - 1],
        plan.phases[k2 - 1],
        k_from,
        k2,
        moves,
        {c: tuple(v) for c, v in reasons.items()},
    )


def build_runbook(
    planner: Planner,
    old_ph: Phase,
    new_ph: Phase,
    k_from: int,
    k_to: int,
    moves: list[MoveCost] | None = None,
    reasons: dict[str, tuple[str, ...]] | None = None,
) -> Runbook:
    """The runbook from ``old_ph`` (phase k_from) to ``new_ph`` (phase k_to)."""
    p = planner.profile
    order = list(p.components)
    kinds: dict[str, str] = {c: str(p.components[c].kind) for c in order}
    reasons = reasons or {}
    changes = [
        Change(
            ch.component,
            ch.kind,
            ch.old,
            ch.new,
            ch.end,
            ch.fields,
            ch.category,
            reasons.get(ch.component, ()),
        )
        for ch in diff_stacks(old_ph.stack_end, new_ph.stack_start, new_ph.stack_end, order, kinds)
    ]
    b = Build(planner, old_ph, new_ph, k_from, k_to, changes, reasons)
    # SaaS and stores first register the variables whose values change, so that services moved in
    # the same runbook start with the values of the moment they are deployed
    steps_of = [ch for ch in changes if ch.category != "addon"]  # add-ons: addon_steps below
    saas = [ch for ch in steps_of if ch.kind not in CODE_KINDS + DATA_KINDS + ("web_frontend",)]
    stores = [ch for ch in steps_of if ch.kind in DATA_KINDS]
    services = [ch for ch in steps_of if ch.kind in CODE_KINDS]
    frontends = [ch for ch in steps_of if ch.kind == "web_frontend"]
    # plan changes of components that share one account (and change to the same account plan) are one step
    done: set[str] = set()
    for group in shared_account_changes(changes):
        step = plan_step(b, group[0], tuple(c.component for c in group))
        spread([step], sum(b.hours(c.kind, c.category) * 60 for c in group))
        b.steps.append(step)
        for c in group:
            done.add(c.component)
            b.steps += later_steps(b, c, b.hosts_new.get(c.component) if c.kind in CODE_KINDS else None)
    for ch in saas:
        if ch.component not in done:
            saas_steps(b, ch)
    for ch in stores:
        if ch.component not in done:
            store_steps(b, ch)
    for ch in services:
        if ch.component not in done:
            service_steps(b, ch)
    for ch in frontends:
        if ch.component not in done:
            frontend_steps(b, ch)
    b.steps += addon_steps(b, old_ph, new_ph, order, {ch.component for ch in changes if ch.category == "move"})
    b.steps.sort(key=lambda s: STAGES.index(s.stage))  # stable: component order within a stage
    scale_only = bool(changes) and all(c.category == "scale" for c in changes)
    checklist(b, scale_only)
    unchanged = [c for c in order if c not in b.by_comp]
    return Runbook(
        app=b.app,
        title=p.name,
        profile=str(planner.path),
        unit=p.scale.unit,
        from_phase=k_from,
        to_phase=k_to,
        from_range=(old_ph.start, old_ph.end),
        to_range=(new_ph.start, new_ph.end),
        changes=changes,
        unchanged=unchanged,
        scale_out_only=scale_only,
        moves=list(moves or []),
        data_moves=b.data_moves,
        checklist=b.checklist,
        prepare=b.prepare,
        variables=[b.vars[k] for k in sorted(b.vars)],
        steps=b.steps,
        notes=b.notes,
    )


def addon_steps(
    b: Build, old_ph: Phase, new_ph: Phase, order: list[str], moved: set[str]
) -> list[Step]:
    """An add-on turned on or off on a component that stays where it is (a database's standby,
    point-in-time recovery): one dashboard step with its price and its way back. A component that
    moves gets the add-on with the new resource (the provision step names its plan)."""
    out = []
    for comp in order:
        if comp in moved:
            continue
        o = old_ph.stack_end.choices[comp].option
        n = new_ph.stack_start.choices[comp].option
        oa, na = o.addon, n.addon
        if (oa.id if oa else None) == (na.id if na else None):
            continue
        where = f"{n.plan.provider.name} dashboard, {comp} ({n.plan.plan.name})"
        manual, back = [], []
        if oa is not None:
            manual.append(f"{where}: turn off {oa.name}")
            back.append(f"{where}: turn {oa.name} back on")
        if na is not None:
            manual.append(f"{where}: turn on {na.name} (${na.base_usd_month or 0:,.2f}/month)")
            back.append(f"{where}: turn off {na.name}")
        manual.append(f"{where}: check that the add-on shows as {'active' if na else 'off'}")
        why = "; ".join(b.reasons.get(comp, ())) or (
            f"phase {b.k_to} runs {comp} {'with ' + na.name if na else 'without ' + (oa.name if oa else '')}"
            f" from {b.units(new_ph.start)}"
        )
        note = (na.note or "") if na is not None else ""
        out.append(
            Step(
                f"{'Turn on ' + na.name if na else 'Turn off ' + (oa.name if oa else '')} for {comp}",
                why + "." + (f" {note}" if note else ""),
                [],
                [],
                [],
                b.hours(str(b.p.components[comp].kind), "plan") * 60,
                (comp,),
                "capacity",
                manual,
                back,
            )
        )
    return out
