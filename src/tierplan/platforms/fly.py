"""Fly.io: apps of Machines (web services, workers, realtime servers) and Managed Postgres.

Naming: one Fly.io app per web-facing process (Fly.io routes one ``http_service`` per app); the
workers of a runtime join the first app of that runtime as their own process groups. Each app is
one file, ``fly.toml`` for the first and ``fly.<lead>.toml`` for the others, and is named
``<app>-<lead component>`` so it keeps its name when other services join or leave Fly.io.
The fly.toml of an app sets ``primary_region``, a ``[processes]`` line per member, ``[[vm]]`` size
and memory from the plan, the http service's concurrency and health check, and
``min_machines_running``/``auto_stop_machines`` from the phase's requirements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import tomlkit

from ..units import plural
from .base import (
    GENERATED,
    Cmds,
    Created,
    DnsTarget,
    Generic,
    Host,
    HostSetup,
    NewStore,
    Output,
    Placement,
    Rollout,
    Setting,
    Shell,
    Start,
    slug,
)

if TYPE_CHECKING:
    from ..gen.deploy import Deploy, Service, Store

__all__ = ["Fly", "FlyApp", "fly_vm", "process_group"]

_FLY_SIZE = re.compile(r"^(?P<size>(shared-cpu|performance)-\d+x)-(?P<mem>\d+(mb|gb))$")


def fly_vm(size_id: str | None, memory_mb: int | None) -> tuple[str, str]:
    """Fly.io's [[vm]] size and memory for a catalog size id (shared-cpu-1x-256mb -> shared-cpu-1x, 256mb)."""
    m = _FLY_SIZE.match(size_id or "")
    if m:
        return m.group("size"), m.group("mem")
    return "shared-cpu-1x", f"{memory_mb or 256}mb"


def process_group(kind: str, comp: str) -> str:
    """The Fly.io process group of a service: web, realtime, or the worker's name."""
    return {"web_service": "web", "realtime": "realtime"}.get(kind, slug(comp))


@dataclass(frozen=True)
class FlyApp:
    """One Fly.io app: its fly.toml, name, image and member services (the lead first)."""

    file: str
    name: str
    dockerfile: str
    members: tuple[Service, ...]


class Fly(Generic):
    """Fly.io Machines and Managed Postgres (flyctl)."""

    region_in_place = True
    region_moves_leave_machines = True

    def apps(self, dep: Deploy) -> list[FlyApp]:
        """The apps of ``dep``'s Fly.io services, per container image in the model's order."""
        out: list[FlyApp] = []
        for img in dep.images:
            svcs = [s for s in img.services if s.provider == self.id]
            webs = [s for s in svcs if s.kind in ("web_service", "realtime")]
            workers = [s for s in svcs if s.kind == "worker"]
            groups = [[w] for w in webs] or ([workers] if workers else [])
            if webs and workers:
                groups[0] = groups[0] + workers
            for members in groups:
                lead = members[0]
                file = "fly.toml" if not out else f"fly.{slug(lead.name)}.toml"
                out.append(FlyApp(file, f"{dep.app}-{slug(lead.name)}", img.dockerfile, tuple(members)))
        return out

    # ------------------------------------------------------------ gen
    def hosts(self, dep: Deploy) -> dict[str, Host]:
        out: dict[str, Host] = {}
        for app in self.apps(dep):
            for s in app.members:
                out[s.name] = Host.of(s, app.name, app.file, process_group(s.kind, s.name))
        for s in dep.by_provider(self.id):
            if s.name not in out:
                out[s.name] = Host.of(s, f"{dep.app}-{slug(s.name)}", None, process_group(s.kind, s.name))
        return out

    def output(self, dep: Deploy, start: Start) -> Output:
        apps = self.apps(dep)
        if not apps:
            return Output()
        files = {a.file: _fly_toml(dep, a, start) for a in apps}
        steps: list[dict[str, Any]] = [
            {"uses": "actions/checkout@v5"},
            {"uses": "superfly/flyctl-actions/setup-flyctl@v1"},
        ]
        lines = []
        for a in apps:
            steps.append(
                {"name": f"Deploy {a.file}", "run": f"flyctl deploy --remote-only --config {a.file}"}
            )
            groups = {process_group(m.kind, m.name) for m in a.members}
            for s in dep.by_provider(self.id):
                group = process_group(s.kind, s.name)
                if group in groups:
                    count = s.instances
                    steps.append(
                        {
                            "name": f"Scale {group} to the plan's {count} machine{'s' if count != 1 else ''}",
                            "run": f"flyctl scale count {count} --process-group {group} --config {a.file} --yes",
                        }
                    )
            lines.append(f"flyctl apps create {a.name}")
            lines.append(f"flyctl secrets import --config {a.file} < .env")
        job = {
            "runs-on": "ubuntu-latest",
            "environment": "production",
            "concurrency": {"group": "deploy-fly", "cancel-in-progress": False},
            "env": {"FLY_API_TOKEN": "${{ secrets.FLY_API_TOKEN }}"},
            "steps": steps,
        }
        setup = HostSetup(
            "Fly.io",
            f"Create the app{'s' if len(apps) > 1 else ''} and load the variables as secrets (the deploy workflow "
            "sets the machine counts).",
            "\n".join(lines),
        )
        return Output(files, job, setup)

    def schedule_setup(self, app: str, job: str, cron: str) -> str:
        minute, hour, dom, _month, dow = cron.split()
        if hour == "*" or hour == "*/1":
            bucket, skip = "hourly", "" if hour == "*/1" else " (Fly runs it at most hourly)"
        elif hour.startswith("*/"):
            bucket, skip = "hourly", f" and the command skips the runs that are not due (every {hour[2:]} hours)"
        elif dow != "*":
            bucket, skip = "weekly", ""
        elif dom.startswith("*/"):
            bucket, skip = "daily", f" and the command skips the runs that are not due (every {dom[2:]} days)"
        else:
            bucket, skip = "daily", ""
        return (
            f"`flyctl machine run <the app's image> --schedule {bucket} --app <the Fly app> -- <the command that "
            f"runs {job}>`{skip}; Fly's schedules are interval buckets, not the cron expression (not for precise "
            "timing)"
        )

    def store_setup(self, app: str, store: Store) -> str | None:
        if store.kind == "postgres":
            name = f"{app}-{slug(store.name)}"
            return f"flyctl mpg create --name {name} --region {store.region} --plan {store.plan} --pg-major-version 17"
        return super().store_setup(app, store)

    def settings(self, kind: str, var: str, public: bool = False) -> list[Setting]:
        if kind == "postgres":
            return [
                Setting(
                    "postgresql://USER:PASSWORD@pgbouncer.CLUSTER.flympg.net/{name}",
                    "`fly mpg attach` sets it on the app; or Fly.io dashboard > Managed Postgres > Connect",
                )
            ]
        if kind == "redis":
            return [
                Setting(
                    "rediss://default:PASSWORD@fly-NAME.upstash.io:6379",
                    "`fly redis status NAME` (Upstash Redis through Fly.io)",
                )
            ]
        return super().settings(kind, var, public)

    def public_url(self, app: str, comp: str, frontend: bool) -> str:
        return f"https://{app}-{comp}.fly.dev"

    # ------------------------------------------------------------ runbook: code hosts
    def set_env(self, sh: Shell, h: Host, pairs: list[tuple[str, str]], stage: bool) -> Cmds:
        kv = " ".join(f'{n}="{v}"' if not v.startswith('"') else f"{n}={v}" for n, v in pairs)
        return Cmds([f"flyctl secrets set {kv} --app {h.name}" + (" --stage" if stage else "")])

    def unset_env(self, h: Host, names: list[str]) -> list[str]:
        return [f"flyctl secrets unset {' '.join(names)} --app {h.name}"] if names else []

    def scale(self, sh: Shell, h: Host, n: int) -> Cmds:
        region = f" --region {h.region}" if h.region else ""
        return Cmds([f"flyctl scale count {n} --process-group {h.group} --app {h.name}{region} --yes"])

    def status(self, sh: Shell, h: Host) -> list[str]:
        return [f"flyctl status --app {h.name}"]

    def resize(self, sh: Shell, h: Host, size: str | None, memory_mb: int | None) -> Cmds:
        vm, _ = fly_vm(size, memory_mb)
        return Cmds(
            [f"flyctl scale vm {vm} --vm-memory {memory_mb or 256} --process-group {h.group} --app {h.name}"]
        )

    def deploy(self, sh: Shell, h: Host, same_app: bool, phase: int) -> Rollout:
        if h.kind == "web_frontend":
            return super().deploy(sh, h, same_app, phase)
        cfg = f" --config {h.config}" if h.config else ""
        region = f" --region {h.region}" if h.region else ""
        create = ["# the deploy files of the new phase: tierplan gen (see the checklist)"]
        cmds = []
        if same_app:
            cmds.append("# same Fly.io app: the new region comes from primary_region in the new fly.toml")
        else:
            create.append(f"flyctl apps create {h.name}")
        cmds += [
            f"flyctl deploy --remote-only{cfg} --app {h.name}",
            f"flyctl scale count {h.instances} --process-group {h.group} --app {h.name}{region} --yes",
        ]
        back = [f"flyctl scale count 0 --process-group {h.group} --app {h.name}{region} --yes"]
        return Rollout(cmds, rollback=back, create=create, url=self.preview_url(sh, h))

    def preview_url(self, sh: Shell, h: Host) -> str:
        return f"https://{h.name}.fly.dev"

    def destroy(self, sh: Shell, h: Host, still: Host | None) -> Cmds:
        if still is not None:
            return Cmds(
                [
                    f"# {h.name} keeps other process groups: {h.comp}'s group is already at 0 machines; "
                    "deploy the new fly.toml, which no longer lists it",
                    f"flyctl deploy --remote-only --app {h.name}"
                    + (f" --config {still.config}" if still.config else ""),
                ]
            )
        return Cmds([f"flyctl apps destroy {h.name} --yes"])

    def dns(self, sh: Shell, h: Host) -> DnsTarget:
        dom = f'"${sh.tok(h.comp)}_DOMAIN"'
        return DnsTarget(
            f"{h.name}.fly.dev",
            [f"flyctl certs add {dom} --app {h.name}", f"flyctl certs check {dom} --app {h.name}"],
        )

    # ------------------------------------------------------------ runbook: stores
    def admin_where(self, sh: Shell, comp: str, kind: str, region: str | None) -> str:
        if kind == "redis":
            return "`fly redis status` (Upstash through Fly.io), from a machine on the Fly.io network"
        return "Fly.io dashboard > Managed Postgres > the cluster > Connect (direct, not pgbouncer), or `fly mpg proxy`"

    def create(self, sh: Shell, new: NewStore) -> Created:
        if new.kind != "postgres":
            return super().create(sh, new)
        n = new.at
        plan = f" --plan {n.plan}" if n.plan != "pay-as-you-go" else ""
        cmd = (
            f"flyctl mpg create --name {new.name} --region {n.region or ''}{plan} --volume-size {new.disk_gb} "
            "--pg-major-version 17"
        )
        cid = sh.var("FLY_MPG_CLUSTER_ID", f"the id of the new cluster (flyctl mpg list; {new.name})")
        return Created([cmd], rollback=[f"flyctl mpg destroy {cid}"], sized_disk=True)

    def delete(self, sh: Shell, comp: str, kind: str, at: Placement) -> Cmds:
        cid = sh.var("OLD_FLY_MPG_CLUSTER_ID", f"the id of the old cluster of {comp} (flyctl mpg list)")
        return Cmds([f"flyctl mpg destroy {cid}"])


def _proc(s: Service) -> str:
    return process_group(s.kind, s.name)


def _pubsub_comment(s: Service) -> list[str]:
    """What a realtime server on several machines needs: the Redis its messages go through and how
    clients stay on one machine (Fly.io has no built-in sticky sessions)."""
    many = f"{max(2, s.instances)} machines"
    if s.pubsub is None:
        return [
            f"Realtime on {many} and no Redis named to publish through: a message reaches only the sockets of "
            "its own machine. Name (or add) a redis component in its pubsub key for a Redis pub/sub adapter; "
            "see DEPLOY.md."
        ]
    return [
        f"Realtime on {many}: every server publishes its messages through Redis pub/sub ({s.pubsub}, "
        f"${s.pubsub_env}) so they reach sockets on the other machines: {s.pubsub_adapter}.",
        "Fly.io has no built-in sticky sessions: clients connect over WebSocket only (Socket.IO: "
        "transports: ['websocket']), or the app pins a session with the fly-replay header; see DEPLOY.md.",
    ]


def _fly_toml(dep: Deploy, app: FlyApp, start: Start) -> str:
    lead, members, filename = app.members[0], app.members, app.file
    doc = tomlkit.document()
    doc.add(
        tomlkit.comment(
            f"{GENERATED} for {dep.title}, phase {dep.phase} (from {dep.scale:,} {plural(dep.unit)})."
        )
    )
    doc.add(tomlkit.comment(f"Deploy: flyctl deploy --config {filename}"))
    counts = ", ".join(f"{_proc(s)} {s.instances}" for s in members)
    doc.add(
        tomlkit.comment(
            f"Machines in this phase (the plan's count at its end): {counts}; the deploy workflow runs `flyctl scale count`."
        )
    )
    for s in members:
        if s.shares_messages:
            for line in _pubsub_comment(s):
                doc.add(tomlkit.comment(line))
    doc.add("app", app.name)
    doc.add("primary_region", lead.region or "iad")
    doc.add("kill_signal", "SIGTERM")
    doc.add("kill_timeout", "30s")
    build = tomlkit.table()
    build.add("dockerfile", app.dockerfile)
    doc.add("build", build)
    procs = tomlkit.table()
    for s in members:
        procs.add(_proc(s), start(s, s is lead and s.kind == "web_service"))
    doc.add("processes", procs)
    web = next((s for s in members if s.kind in ("web_service", "realtime")), None)
    deploy = tomlkit.table()
    bluegreen = web is not None and web.zero_downtime and web.min_running < 2 and web.health_path is not None
    deploy.add("strategy", "bluegreen" if bluegreen else "rolling")
    doc.add("deploy", deploy)
    if web is not None:
        http = tomlkit.table()
        http.add("internal_port", web.port or 8080)
        http.add("force_https", True)
        http.add("auto_stop_machines", "stop" if web.min_running == 0 else "off")
        http.add("auto_start_machines", True)
        http.add("min_machines_running", web.min_running)
        http.add("processes", [_proc(web)])
        if web.soft_limit:
            conc = tomlkit.table()
            if web.sockets_per_instance is not None:
                conc.add(
                    tomlkit.comment(
                        f"Open WebSockets per machine: the plan expects {web.sockets_per_instance:,} at the phase's "
                        "peak; hard_limit = what one machine holds within the plan's headroom (memory per "
                        "socket, CPU), soft_limit = gen.realtime_soft_limit_fraction of it."
                    )
                )
            conc.add("type", web.concurrency_type)
            conc.add("soft_limit", web.soft_limit)
            conc.add("hard_limit", web.hard_limit or web.soft_limit + 1)
            http.add("concurrency", conc)
        if web.health_path:
            chk = tomlkit.table()
            chk.add("grace_period", "10s")
            chk.add("interval", "15s")
            chk.add("method", "GET")
            chk.add("path", web.health_path)
            chk.add("timeout", "5s")
            arr = tomlkit.aot()
            arr.append(chk)
            http.add("checks", arr)
        doc.add("http_service", http)
    vms = tomlkit.aot()
    for s in members:
        size, mem = fly_vm(s.size, s.memory_mb)
        vm = tomlkit.table()
        vm.add("size", size)
        vm.add("memory", mem)
        vm.add("processes", [_proc(s)])
        vms.append(vm)
    doc.add("vm", vms)
    return tomlkit.dumps(doc)
