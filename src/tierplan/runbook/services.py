"""Steps for the app's own code: services (web, workers, realtime) and the frontend.

A service that moves is deployed on its new host with every variable of the new phase before it
takes traffic, reached through DNS if it is web-facing (unless its platform keeps its name across
regions), then stopped on the old host and deleted after the rollback window. The commands come
from the hosts' platform adapters (`Platform.deploy`, `scale`, `dns`, `destroy`).
"""

from __future__ import annotations

from ..platforms import Host, platform
from ..platforms.base import bare
from ..profile import WebService
from .capacity import count_step, later_steps, plan_step, resize_step
from .context import Build, spread
from .model import WEB_KINDS, Change, Step

__all__ = ["service_steps", "frontend_steps", "dns_step"]


def service_steps(b: Build, ch: Change) -> None:
    """The steps of one changed service."""
    comp = ch.component
    h_old, h_new = b.hosts_old.get(comp), b.hosts_new.get(comp)
    assert h_new is not None
    budget = b.hours(ch.kind, ch.category) * 60
    if ch.category == "move":
        _service_move(b, ch, h_old, h_new, budget)
        return
    steps: list[Step] = []
    if ch.category == "plan":
        steps.append(plan_step(b, ch))
    if ch.old.size != ch.new.size:
        steps.append(resize_step(b, ch, h_new, ch.old, ch.new, "capacity"))
    if ch.old.instances != ch.new.instances:
        steps.append(count_step(b, ch, h_new, ch.old.instances, ch.new.instances, "capacity"))
    steps += later_steps(b, ch, h_new)
    spread(steps, budget)
    b.steps += steps


def _service_move(b: Build, ch: Change, h_old: Host | None, h_new: Host, budget: float) -> None:
    comp = ch.component
    c = b.p.components[comp]
    steps: list[Step] = []
    same_app = h_old is not None and h_old.key() == h_new.key()
    new_host = platform(h_new.provider)
    # 1. deploy on the new host with every variable the new phase's stack needs
    pairs = []
    for v in b.dep_new.env:
        if v.name in b.switched:
            if v.name in b.env_old:
                pairs.append((v.name, b.var(f"OLD_{v.name}", b.where_old(v.name))))
            continue
        pairs.append((v.name, b.current(v.name)))
    env_cmds, env_manual = b.set_env(h_new, pairs, stage=True)
    rollout = new_host.deploy(b, h_new, same_app, b.k_to)
    verify = new_host.status(b, h_new)
    if isinstance(c, WebService) and c.health_path:
        verify.append(f'curl --fail --silent --show-error --max-time 10 "{rollout.url}{c.health_path}"')
    names = ", ".join(v.name for v in b.dep_new.env)
    steps.append(
        Step(
            f"Deploy {comp} on {ch.new.short()}",
            b.why(ch, f"phase {b.k_to} runs {comp} on {ch.new.label}")
            + f". The new host gets every variable of phase {b.k_to}'s stack ({names}) before it takes traffic"
            + (
                f"; where a value is a private-network address of {ch.old.provider_name} (an internal URL), "
                "use the store's public one"
                if ch.old.provider != ch.new.provider
                else ""
            )
            + ".",
            rollout.create + env_cmds + rollout.commands,
            verify,
            rollout.rollback,
            0.0,
            (comp,),
            "deploy",
            rollout.manual + env_manual,
            rollout.rollback_manual,
        )
    )
    # 2. traffic: DNS for web-facing services, stop the old worker otherwise
    if c.kind in WEB_KINDS and not (
        same_app or (h_old is not None and h_old.provider == h_new.provider and new_host.region_in_place)
    ):
        steps.append(dns_step(b, comp, h_old, h_new, ch))
    if h_old is not None and not same_app:
        old_host = platform(h_old.provider)
        stop, start = old_host.scale(b, h_old, 0), old_host.scale(b, h_old, h_old.instances)
        steps.append(
            Step(
                f"Stop {comp} on {ch.old.short()}",
                f"{comp} now runs on {ch.new.short()}; the old instances must stop taking work"
                + (" (after the DNS switch has propagated)" if c.kind in WEB_KINDS else ""),
                stop.commands,
                new_host.status(b, h_new) + b.health(comp),
                start.commands,
                0.0,
                (comp,),
                "dns" if c.kind in WEB_KINDS else "cutover",
                stop.manual,
                start.manual,
            )
        )
    elif (
        same_app
        and h_old is not None
        and h_old.region != h_new.region
        and platform(h_old.provider).region_moves_leave_machines
    ):
        old_host = platform(h_old.provider)
        steps.append(
            Step(
                f"Remove {comp}'s machines from {h_old.region}",
                f"{comp} now runs in {h_new.region}; the machines in {h_old.region} are no longer needed",
                old_host.scale(b, h_old, 0).commands,
                new_host.status(b, h_new) + b.health(comp),
                old_host.scale(b, h_old, h_old.instances).commands,
                0.0,
                (comp,),
                "cutover",
            )
        )
    steps += later_steps(b, ch, h_new)
    # 3. clean-up after the rollback window
    if h_old is not None and not same_app:
        days = b.a["migration.rollback_window_days"]
        still = next((x for x in b.hosts_new.values() if x.key() == h_old.key()), None)
        rm = platform(h_old.provider).destroy(b, h_old, still)
        steps.append(
            Step(
                f"Delete {comp} from {ch.old.short()}",
                f"after {days:g} days on the new host without a rollback, the old one only costs money",
                rm.commands,
                b.health(comp) if c.kind in WEB_KINDS else new_host.status(b, h_new),
                [],
                0.0,
                (comp,),
                "cleanup",
                rm.manual,
                [
                    "none: a deleted host cannot be restored; redeploy it from the phase "
                    f"{b.k_from} deploy files (tierplan gen --phase {b.k_from}) if it is ever needed"
                ],
            )
        )
    spread(steps, budget)
    b.steps += steps


def dns_step(b: Build, comp: str, h_old: Host | None, h_new: Host, ch: Change) -> Step:
    """Point a web-facing component's domain at its new host."""
    dom = b.domain(comp)
    target = platform(h_new.provider).dns(b, h_new)
    old_target = platform(h_old.provider).dns(b, h_old).target if h_old is not None else "the previous target"
    ttl = b.a["migration.dns_ttl_seconds"]
    b.dns.append(comp)
    return Step(
        f"Point {comp}'s domain at {ch.new.provider_name}",
        f"{comp} is web-facing and changes host ({ch.old.short()} -> {ch.new.short()}): clients follow "
        f"the DNS record, within its TTL ({ttl:g} s, lowered beforehand)",
        target.commands,
        [f"dig +short CNAME {dom}", *b.health(comp)],
        [],
        0.0,
        (comp,),
        "dns",
        target.manual + [f"At your DNS provider: set the CNAME of {bare(dom)} to {target.target}"],
        [f"At your DNS provider: set the CNAME of {bare(dom)} back to {old_target}"],
    )


def frontend_steps(b: Build, ch: Change) -> None:
    """The steps of the changed frontend: a plan change, or a deploy on the new host, DNS and the
    old project's deletion."""
    comp = ch.component
    budget = b.hours(ch.kind, ch.category) * 60
    h_new = b.hosts_new.get(comp) or Host(comp, "web_frontend", ch.new.provider, None, b.app)
    h_old = b.hosts_old.get(comp) or Host(comp, "web_frontend", ch.old.provider, None, b.app)
    steps: list[Step] = []
    if ch.category == "plan":
        steps.append(plan_step(b, ch))
    elif ch.category == "move":
        rollout = platform(h_new.provider).deploy(b, h_new, False, b.k_to)
        steps.append(
            Step(
                f"Deploy {comp} on {ch.new.short()}",
                b.why(ch, f"phase {b.k_to} serves {comp} from {ch.new.label}"),
                rollout.commands,
                [f'curl --fail --silent --show-error --max-time 10 --output /dev/null "{rollout.url}/"'],
                [],
                0.0,
                (comp,),
                "deploy",
                rollout.manual,
                [
                    f"{ch.new.provider_name} dashboard: delete the new {comp} project (it takes no traffic yet)"
                ],
            )
        )
        steps.append(dns_step(b, comp, h_old, h_new, ch))
        steps.append(
            Step(
                f"Delete {comp} from {ch.old.short()}",
                f"after {b.a['migration.rollback_window_days']:g} days without a rollback",
                [],
                b.health(comp),
                [],
                0.0,
                (comp,),
                "cleanup",
                [f"{ch.old.provider_name} dashboard: delete the {comp} project"],
                [
                    f"none: redeploy {comp} on {ch.old.provider_name} from this repository if it is ever needed"
                ],
            )
        )
    spread(steps, budget)
    b.steps += steps
