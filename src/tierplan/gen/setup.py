"""DEPLOY.md: what runs where in the phase, and the one-time setup of each host, as commands.

Every command names this stack's apps, services, config files and variables; the shell blocks
are checked by shellcheck in the tests.
"""

from __future__ import annotations

import re

from ..platforms import HostSetup, platform
from ..templates_env import environment
from .deploy import GENERATED, Deploy

__all__ = ["deploy_readme"]


def _rows(dep: Deploy) -> list[dict[str, str]]:
    rows = []
    for s in dep.services:
        rows.append(
            {
                "name": s.name,
                "kind": s.kind,
                "provider": s.provider,
                "plan": s.plan,
                "size": s.size or "-",
                "region": s.region or "global",
                "count": str(s.instances) + (" (may scale to 0)" if s.min_running == 0 else ""),
            }
        )
    for st in dep.stores:
        rows.append(
            {
                "name": st.name,
                "kind": st.kind,
                "provider": st.provider,
                "plan": st.plan,
                "size": "-",
                "region": st.region or "global",
                "count": "1",
            }
        )
    if dep.frontend is not None:
        fe = dep.frontend
        rows.append(
            {
                "name": fe["name"],
                "kind": f"web_frontend ({fe['rendering']})",
                "provider": fe["provider"],
                "plan": fe["plan"],
                "size": "-",
                "region": "edge",
                "count": "-",
            }
        )
    for sr in dep.self_run:
        rows.append(
            {
                "name": sr.name,
                "kind": f"{sr.kind} (self-run)",
                "provider": sr.provider,
                "plan": sr.plan,
                "size": sr.size or "-",
                "region": sr.region or "-",
                "count": str(sr.count),
            }
        )
    for comp, provider in dep.externals.items():
        kind, plan_id = dep.external_plans.get(comp, ("service", "-"))
        rows.append(
            {
                "name": comp,
                "kind": kind,
                "provider": provider,
                "plan": plan_id,
                "size": "-",
                "region": "-",
                "count": "-",
            }
        )
    return rows


def _hosts(dep: Deploy, platforms: list[HostSetup]) -> list[HostSetup]:
    """The stores to create by hand first (each provider's command, or a comment), then each
    platform's own section."""
    stores = [
        line for st in dep.stores if (line := platform(st.provider).store_setup(dep.app, st)) is not None
    ]
    if not stores:
        return platforms
    first = HostSetup(
        "Databases and caches",
        "Create the stores this phase puts outside the hosts' own files, in the plan's regions, and copy "
        "each connection string into `.env`.",
        "\n".join(stores),
    )
    return [first, *platforms]


def _schedules(dep: Deploy) -> list[dict[str, str]]:
    """One row per scheduled job: its schedule and how to create it on its provider."""
    rows = []
    for sc in dep.schedules:
        every = f"{sc.runs_per_day:g} run{'' if sc.runs_per_day == 1 else 's'} a day"
        if sc.cron is None:
            how = f"no 5-field cron expression runs it {every} evenly: choose the nearest one"
            cron = "-"
        else:
            how = platform(sc.provider).schedule_setup(dep.app, sc.name, sc.cron)
            cron = f"`{sc.cron}`"
        rows.append({"name": sc.name, "provider": sc.provider, "plan": sc.plan, "every": every, "cron": cron, "how": how})
    return rows
def _realtime(dep: Deploy) -> list[dict[str, str | int | None]]:
    """The realtime servers whose messages must reach sockets on other instances, with the Redis
    they publish through (None: the profile has none) and how their host keeps a client on one."""
    out: list[dict[str, str | int | None]] = []
    for s in dep.services:
        if not s.shares_messages:
            continue
        out.append(
            {
                "name": s.name,
                "instances": s.instances,
                "provider": s.provider,
                "redis": s.pubsub,
                "env": s.pubsub_env,
                "adapter": s.pubsub_adapter,
            }
        )
    return out


#: where a store's allow list is edited, by the store's provider
_ALLOW_LIST = {
    "render": "its inbound IP rules: add `<address>/32` to the {kind}'s `ipAllowList` in `render.yaml` "
    "(or in the Dashboard's inbound IP rules of the {kind}) and apply the Blueprint",
    "aws": "the {kind}'s security group: an inbound rule for its port from `<address>/32` "
    "(`aws ec2 authorize-security-group-ingress --group-id <the group> --protocol tcp --port <the port> "
    "--cidr <address>/32`)",
}
_STORE_WORD = {"postgres": "database", "redis": "Key Value instance"}


def _static_ips(dep: Deploy) -> list[dict[str, object]]:
    """One entry per caller that reaches an allow-listed store from a static egress IP: the command
    that allocates it (the caller's app name filled in), its monthly price and each allow list."""
    kinds = {st.name: st.kind for st in dep.stores}
    out: list[dict[str, object]] = []
    for ip in dep.static_ips:
        host = platform(ip.provider).hosts(dep).get(ip.caller)
        app = host.name if host is not None else f"{dep.app}-{ip.caller}"
        lists = []
        for store, provider in ip.stores:
            kind = kinds.get(store, "")
            word = _STORE_WORD.get(kind, "store") if provider == "render" else (
                "RDS instance" if kind == "postgres" else "cache"
            )
            where = _ALLOW_LIST.get(provider, "the {kind}'s IP allow list: add `<address>/32`")
            lists.append({"store": store, "provider": provider, "where": where.format(kind=word)})
        out.append(
            {
                "caller": ip.caller,
                "provider": ip.provider,
                "region": ip.region or "-",
                "usd": f"{ip.monthly_usd:,.2f}",
                "command": ip.command.replace("{app}", app) if ip.command else None,
                "shared": ip.shared,
                "lists": lists,
            }
        )
    return out


def deploy_readme(dep: Deploy, files: dict[str, str], platforms: list[HostSetup]) -> str:
    """DEPLOY.md: what runs where, the stores to create, each platform's setup (``platforms``, in
    the registry's order) and the repository secrets the workflows read."""
    workflows = "".join(t for rel, t in files.items() if rel.startswith(".github/workflows/"))
    repo_secrets = sorted(set(re.findall(r"secrets\.([A-Z0-9_]+)", workflows)))
    uptime_provider = next((p for c, p in dep.externals.items() if c == "uptime" or "uptime" in c), None)
    return (
        environment()
        .get_template("gen/DEPLOY.md.j2")
        .render(
            title=dep.title,
            phase=dep.phase,
            scale=dep.scale,
            unit=dep.unit,
            generated=GENERATED,
            rows=_rows(dep),
            hosts=_hosts(dep, platforms),
            repo_secrets=repo_secrets,
            alerts=len(dep.alerts),
            uptime=len(dep.uptime),
            uptime_provider=uptime_provider,
            schedules=_schedules(dep),
            realtime=_realtime(dep),
            redis_names=list(dep.store_use),
            self_run=dep.self_run,
            static_ips=_static_ips(dep),
        )
    )
