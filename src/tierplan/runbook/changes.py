"""What changes between two phases, per component, and where each service runs in a phase.

`diff_stacks` compares the provider, plan, instance size, region and instance count of every
component at the end of one phase with the start and the end of another, and sorts each change
into a move, a plan change, a resize or a scale step. `hosts_of` names the services of a deploy
model the way their platforms do (the adapters' `hosts`).
"""

from __future__ import annotations

from ..engine.planner import StackPoint
from ..gen.deploy import Deploy
from ..platforms import Host, Placement, platform
from ..pricing import Evaluation
from .model import Change

__all__ = ["placement", "diff_stacks", "shared_account_changes", "hosts_of"]


def placement(ev: Evaluation) -> Placement:
    """Where an evaluated option puts its component."""
    o = ev.option
    return Placement(
        o.provider,
        o.plan.provider.name,
        o.plan.plan.id,
        o.plan.plan.name,
        o.size.id if o.size is not None else None,
        o.region.id if o.region is not None else None,
        ev.instances,
        o.label,
        ev.account or o.plan.account_key,
    )


def diff_stacks(
    old: StackPoint, new: StackPoint, end: StackPoint, order: list[str], kinds: dict[str, str]
) -> list[Change]:
    """The components whose provider, plan, size, region or instance count differ between the
    end of one phase (old) and the start or end of another (new, end)."""
    out = []
    for comp in order:
        o, n, e = (placement(pt.choices[comp]) for pt in (old, new, end))
        fields = [
            f for f in ("provider", "plan", "size", "region") if len({getattr(x, f) for x in (o, n, e)}) > 1
        ]
        if len({o.instances, n.instances, e.instances}) > 1:
            fields.append("instances")
        addons = [pt.choices[comp].option.addon for pt in (old, new)]
        if len({a.id if a is not None else None for a in addons}) > 1 and not fields:
            # only an add-on is turned on or off (a standby, point-in-time recovery)
            out.append(Change(comp, kinds[comp], o, n, e, ("addon",), "addon"))
            continue
        if not fields:
            continue
        if o.provider != n.provider or o.region != n.region:
            cat = "move"
        elif o.plan != n.plan:
            cat = "plan"
        elif "size" in fields:
            cat = "resize"
        else:
            cat = "scale"
        out.append(Change(comp, kinds[comp], o, n, e, tuple(fields), cat))
    return out


def shared_account_changes(changes: list[Change]) -> list[list[Change]]:
    """Plan changes of several components that move together to one account-level plan."""
    groups: dict[tuple[str, str, str], list[Change]] = {}
    for ch in changes:
        if ch.category == "plan" and ch.new.account is not None and ch.old.account is not None:
            groups.setdefault((ch.new.provider, ch.old.account, ch.new.account), []).append(ch)
    return [g for g in groups.values() if len(g) > 1]


def hosts_of(dep: Deploy) -> dict[str, Host]:
    """The code hosts (and the frontend's) of a deploy model, named as `tierplan gen` names them."""
    providers = {s.provider for s in dep.services} | ({dep.frontend["provider"]} if dep.frontend else set())
    named = {p: platform(p).hosts(dep) for p in sorted(providers)}
    out = {s.name: named[s.provider][s.name] for s in dep.services}
    if dep.frontend is not None:
        f = dep.frontend
        out[f["name"]] = named[f["provider"]][f["name"]]
    return out
