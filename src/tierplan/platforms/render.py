"""Render: web services, background workers, static sites, PostgreSQL and Key Value, declared in
one Blueprint (render.yaml) and changed through Render's REST API.

Naming: every service, database and Key Value instance is ``<app>-<component>``. render.yaml
carries the plan's Render plan and region of each, never opens a store to the internet (its IP
allow list is empty: callers on other hosts are added by their static egress IPs, as the setup text
says), and sets a Key Value eviction policy from how the profile uses Redis (a broker
or rate limiter gets ``noeviction``). The runbook's commands call the API with ``RENDER_API_KEY``
and each resource's ID (``RENDER_<COMPONENT>_ID``); deploys go through each service's deploy hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..yamltext import plain_yaml
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
    bare,
    launches,
    quoted,
    slug,
)

if TYPE_CHECKING:
    from ..gen.deploy import Deploy, Store

__all__ = ["Render"]

#: Redis eviction policy by how the profile uses the instance (a broker or rate limiter must not
#: silently drop keys; a cache should)
_EVICTION = {
    "cache": "allkeys-lru",
    "sessions": "volatile-lru",
    "broker": "noeviction",
    "rate_limit": "noeviction",
}
#: the API's path and resource name of a store kind (services otherwise)
_API = {"postgres": ("postgres", "postgres"), "redis": ("key-value", "key-value")}


def _outside_callers(dep: Deploy, provider: str) -> list[str]:
    """The services on other hosts that call this provider's stores ("api on railway")."""
    return sorted({f"{s.name} on {s.provider}" for s in dep.services if s.provider != provider})


class Render(Generic):
    """Render (render.yaml Blueprints, the REST API, deploy hooks)."""

    # ------------------------------------------------------------ gen
    def hosts(self, dep: Deploy) -> dict[str, Host]:
        out = super().hosts(dep)
        for s in dep.by_provider(self.id):
            out[s.name] = Host.of(s, f"{dep.app}-{slug(s.name)}", "render.yaml")
        return out

    def output(self, dep: Deploy, start: Start) -> Output:
        text = self.render_yaml(dep, start)
        files = {"render.yaml": text} if text else {}
        svcs = dep.by_provider(self.id)
        job: dict[str, Any] | None = None
        if svcs:
            steps = []
            for s in svcs:
                var = f"RENDER_DEPLOY_HOOK_{slug(s.name).upper().replace('-', '_')}"
                steps.append(
                    {
                        "name": f"Trigger the Render deploy of {s.name}",
                        "env": {"HOOK": f"${{{{ secrets.{var} }}}}"},
                        "run": 'curl --fail --silent --show-error --request POST "$HOOK"',
                    }
                )
            job = {"runs-on": "ubuntu-latest", "environment": "production", "steps": steps}
        elif dep.frontend is not None and dep.frontend["provider"] == self.id:
            job = {
                "runs-on": "ubuntu-latest",
                "environment": "production",
                "steps": [
                    {
                        "name": "Trigger the Render deploy of the static site",
                        "env": {"HOOK": "${{ secrets.RENDER_DEPLOY_HOOK_FRONTEND }}"},
                        "run": 'curl --fail --silent --show-error --request POST "$HOOK"',
                    }
                ],
            }
        setup = None
        if text:
            lines = [
                "# Render Dashboard > Blueprints > New Blueprint Instance > this repository (render.yaml)"
            ]
            for s in svcs:
                lines.append(
                    f"gh secret set RENDER_DEPLOY_HOOK_{slug(s.name).upper().replace('-', '_')} --env production"
                    "  # Render > the service > Settings > Deploy Hook"
                )
            names = [st.name for st in dep.stores if st.provider == self.id]
            outside = _outside_callers(dep, self.id) if names else []
            closed = (
                " The stores' `ipAllowList` is empty: they accept only Render's private network, never "
                f"the whole internet. Callers on other hosts ({', '.join(outside)}) connect only once "
                "you add each one's static egress IP as `<ip>/32` to `ipAllowList` (Fly.io: `fly ips "
                "allocate-egress`; Railway: static outbound IPs on the Pro plan; serverless hosts have "
                "none: keep their stores on the same host instead)."
                if outside
                else ""
            )
            setup = HostSetup(
                "Render",
                "Create what `render.yaml` declares ("
                + ", ".join(names + [s.name for s in svcs])
                + "), then copy each connection string into `.env` and the other hosts' secrets."
                + closed,
                "\n".join(lines),
            )
        return Output(files, job, setup)

    def render_yaml(self, dep: Deploy, start: Start) -> str:
        """The Blueprint of the databases, Key Value, services and static site ``dep`` puts on Render."""
        databases: list[dict[str, Any]] = []
        services: list[dict[str, Any]] = []
        # stores accept only Render's private network: never the whole internet (0.0.0.0/0);
        # callers on other hosts are added by their static egress IPs (the setup text says how)
        allow: list[dict[str, str]] = []
        for st in dep.stores:
            if st.provider != self.id:
                continue
            if st.kind == "postgres":
                databases.append(
                    {
                        "name": f"{dep.app}-{slug(st.name)}",
                        "plan": st.plan,
                        "region": st.region or "oregon",
                        "postgresMajorVersion": "17",
                        "databaseName": slug(dep.app).replace("-", "_"),
                        "ipAllowList": allow,
                    }
                )
            elif st.kind in ("redis", "kv"):
                services.append(
                    {
                        "type": "keyvalue",
                        "name": f"{dep.app}-{slug(st.name)}",
                        "plan": st.plan,
                        "region": st.region or "oregon",
                        "maxmemoryPolicy": _EVICTION.get(dep.store_use.get(st.name, "cache"), "allkeys-lru"),
                        "ipAllowList": allow,
                    }
                )
        db_names = {
            st.env: f"{dep.app}-{slug(st.name)}"
            for st in dep.stores
            if st.provider == self.id and st.kind == "postgres"
        }
        launch = launches(dep, start)
        for s in dep.by_provider(self.id):
            env: list[dict[str, Any]] = []
            for v in dep.env:
                if v.name in db_names:
                    env.append(
                        {
                            "key": v.name,
                            "fromDatabase": {"name": db_names[v.name], "property": "connectionString"},
                        }
                    )
                elif v.secret:
                    env.append({"key": v.name, "sync": False})
                else:
                    env.append({"key": v.name, "value": v.placeholder})
            dockerfile, command = launch.get(s.name, ("Dockerfile", ""))
            svc: dict[str, Any] = {
                "type": "web" if s.kind in ("web_service", "realtime") else "worker",
                "name": f"{dep.app}-{slug(s.name)}",
                "plan": s.plan,
                "region": s.region or "oregon",
                "runtime": "docker",
                "dockerfilePath": f"./{dockerfile}",
                "dockerCommand": command,
            }
            if s.health_path:
                svc["healthCheckPath"] = s.health_path
            svc["numInstances"] = max(1, s.instances)
            svc["envVars"] = env
            services.append(svc)
        if dep.frontend is not None and dep.frontend["provider"] == self.id:
            services.append(
                {
                    "type": "web",
                    "name": f"{dep.app}-{slug(dep.frontend['name'])}",
                    "plan": dep.frontend["plan"],
                    "runtime": "static",
                    "buildCommand": "npm ci && npm run build",
                    "staticPublishPath": "./dist",
                }
            )
        if not databases and not services:
            return ""
        doc: dict[str, Any] = {}
        if services:
            doc["services"] = services
        if databases:
            doc["databases"] = databases
        head = (
            f"# {GENERATED} for {dep.title}, phase {dep.phase}: the Render Blueprint of what this phase runs\n"
            "# on Render (plans and regions from the plan). Apply: Render Dashboard > Blueprints > New Blueprint.\n"
        )
        return head + plain_yaml(doc, 160)

    def schedule_setup(self, app: str, job: str, cron: str) -> str:
        return (
            f"a Render cron job service `{app}-{job}` from this repository (Dashboard > New > Cron Job, or "
            f"`type: cron` with `schedule: \"{cron}\"` in render.yaml) whose command runs {job} and exits; "
            "give it the app's variables (an environment group)"
        )

    def store_setup(self, app: str, store: Store) -> str | None:
        return None  # render.yaml declares it

    def settings(self, kind: str, var: str, public: bool = False) -> list[Setting]:
        if public and kind == "postgres":
            return [
                Setting(
                    "postgresql://USER:PASSWORD@dpg-ID-a.REGION-postgres.render.com/{name}?sslmode=require",
                    "Render > the PostgreSQL instance > Connections > External Database URL (a caller on "
                    "another host: add its static egress IPs to the database's access control list)",
                )
            ]
        if public and kind == "redis":
            return [
                Setting(
                    "rediss://red-ID:PASSWORD@REGION-keyvalue.render.com:6379",
                    "Render > the Key Value instance > Connections > External Key Value URL (TLS; a caller on "
                    "another host: add its static egress IPs to the instance's ipAllowList)",
                )
            ]
        if kind == "postgres":
            return [
                Setting(
                    "postgresql://USER:PASSWORD@dpg-ID-a/{name}",
                    "Render > the PostgreSQL instance > Connections > Internal Database URL (same region only)",
                )
            ]
        if kind == "redis":
            return [
                Setting(
                    "redis://red-ID:6379",
                    "Render > the Key Value instance > Connections > Internal Key Value URL",
                )
            ]
        return super().settings(kind, var, public)

    def public_url(self, app: str, comp: str, frontend: bool) -> str:
        return f"https://{app}-{comp}.onrender.com"

    # ------------------------------------------------------------ the API
    @staticmethod
    def api_key(sh: Shell) -> str:
        return sh.var("RENDER_API_KEY", "Render dashboard > Account settings > API Keys")

    @staticmethod
    def resource_id(sh: Shell, comp: str, what: str) -> str:
        """The variable that holds a service's, database's or Key Value's ID."""
        prefix = {"service": "srv", "postgres": "dpg", "key-value": "red"}.get(what, "srv")
        return sh.var(
            f"RENDER_{sh.tok(comp)}_ID",
            f"Render dashboard > {comp} > Info: the {what} ID ({prefix}-...)",
        )

    @staticmethod
    def deploy_hook(sh: Shell, comp: str) -> str:
        """The command that deploys a service through its deploy hook."""
        hook = sh.var(
            f"RENDER_DEPLOY_HOOK_{sh.tok(comp)}",
            f"Render dashboard > {comp} > Settings > Deploy Hook (the same secret the deploy workflow uses)",
        )
        return f"curl --fail --silent --show-error --request POST {hook}"

    # ------------------------------------------------------------ runbook: code hosts
    def set_env(self, sh: Shell, h: Host, pairs: list[tuple[str, str]], stage: bool) -> Cmds:
        key = self.api_key(sh)
        sid = self.resource_id(sh, h.comp, "service")
        cmds = [
            f"jq -n --arg value {quoted(v)} '{{value: $value}}' | curl --fail --silent --show-error "
            f'--request PUT --header "Authorization: Bearer {bare(key)}" --header '
            f"'Content-Type: application/json' --data @- "
            f'"https://api.render.com/v1/services/{bare(sid)}/env-vars/{n}"'
            for n, v in pairs
        ]
        if not stage:
            cmds.append(self.deploy_hook(sh, h.comp))
        return Cmds(cmds)

    def scale(self, sh: Shell, h: Host, n: int) -> Cmds:
        key = self.api_key(sh)
        sid = self.resource_id(sh, h.comp, "service")
        return Cmds(
            [
                f'curl --fail --silent --show-error --request POST --header "Authorization: Bearer {bare(key)}" '
                f"--header 'Content-Type: application/json' --data '{{\"numInstances\": {n}}}' "
                f'"https://api.render.com/v1/services/{bare(sid)}/scale"'
            ]
        )

    def status(self, sh: Shell, h: Host) -> list[str]:
        key = self.api_key(sh)
        sid = self.resource_id(sh, h.comp, "service")
        return [
            f'curl --fail --silent --show-error --header "Authorization: Bearer {bare(key)}" '
            f"\"https://api.render.com/v1/services/{bare(sid)}\" | jq '.serviceDetails | {{plan, numInstances}}'"
        ]

    def deploy(self, sh: Shell, h: Host, same_app: bool, phase: int) -> Rollout:
        if h.kind == "web_frontend":
            cmds = [self.deploy_hook(sh, h.comp)]
            return Rollout(
                cmds, url=bare(sh.var(f"NEW_{sh.tok(h.comp)}_URL", f"the onrender.com URL of {h.comp}"))
            )
        manual = [
            f"Render dashboard > Blueprints > New Blueprint: the render.yaml of the phase {phase} deploy "
            f"files, which declares {h.name} ({h.size or 'the plan'}, {h.region}, {h.instances} "
            f"instance{'s' if h.instances != 1 else ''})"
        ]
        key = self.api_key(sh)
        sid = self.resource_id(sh, h.comp, "service")
        back = [
            f'curl --fail --silent --show-error --request POST --header "Authorization: Bearer {bare(key)}" '
            f'"https://api.render.com/v1/services/{bare(sid)}/suspend"'
        ]
        return Rollout([self.deploy_hook(sh, h.comp)], manual, back, url=self.preview_url(sh, h))

    def destroy(self, sh: Shell, h: Host, still: Host | None) -> Cmds:
        key = self.api_key(sh)
        sid = self.resource_id(sh, h.comp, "service")
        return Cmds(
            [
                f'curl --fail --silent --show-error --request DELETE --header "Authorization: Bearer {bare(key)}" '
                f'"https://api.render.com/v1/services/{bare(sid)}"'
            ]
        )

    def dns(self, sh: Shell, h: Host) -> DnsTarget:
        dom = f'"${sh.tok(h.comp)}_DOMAIN"'
        key = self.api_key(sh)
        sid = self.resource_id(sh, h.comp, "service")
        return DnsTarget(
            f"{h.name}.onrender.com",
            [
                f"jq -n --arg name {dom} '{{name: $name}}' | curl --fail --silent --show-error --request POST "
                f"--header \"Authorization: Bearer {bare(key)}\" --header 'Content-Type: application/json' "
                f'--data @- "https://api.render.com/v1/services/{bare(sid)}/custom-domains"'
            ],
        )

    # ------------------------------------------------------------ runbook: plans and stores
    def plan_change(self, sh: Shell, comp: str, kind: str, old: Placement, new: Placement) -> Cmds:
        key = self.api_key(sh)
        path, what = _API.get(kind, ("services", "service"))
        rid = self.resource_id(sh, comp, what)

        def patch(plan: str) -> str:
            body = (
                f'{{"plan": "{plan.replace("-", "_")}"}}'
                if path != "services"
                else f'{{"serviceDetails": {{"plan": "{plan}"}}}}'
            )
            return (
                f'curl --fail --silent --show-error --request PATCH --header "Authorization: Bearer {bare(key)}" '
                f"--header 'Content-Type: application/json' --data '{body}' "
                f'"https://api.render.com/v1/{path}/{bare(rid)}"'
            )

        jq = ".plan" if path != "services" else ".serviceDetails.plan"
        verify = (
            f'curl --fail --silent --show-error --header "Authorization: Bearer {bare(key)}" '
            f"\"https://api.render.com/v1/{path}/{bare(rid)}\" | jq -r '{jq}'"
        )
        note = (
            " Render may restart the database to apply the new instance type: do it in a quiet hour."
            if kind == "postgres"
            else ""
        )
        return Cmds([patch(new.plan)], rollback=[patch(old.plan)], verify=[verify], note=note)

    def admin_where(self, sh: Shell, comp: str, kind: str, region: str | None) -> str:
        if kind == "redis":
            return f"Render dashboard > {comp} > Connect > External Key Value URL (allow your IP first)"
        return f"Render dashboard > {comp} > Connections > External Database URL"

    def create(self, sh: Shell, new: NewStore) -> Created:
        if new.kind != "postgres":
            return super().create(sh, new)
        n = new.at
        key = self.api_key(sh)
        owner = sh.var("RENDER_OWNER_ID", "Render dashboard > Workspace settings: the workspace ID (tea-...)")
        body = (
            f'{{name: "{new.name}", ownerId: $owner, plan: "{n.plan.replace("-", "_")}", '
            f'region: "{n.region or ""}", version: "17", diskSizeGB: {new.disk_gb}}}'
        )
        return Created(
            [
                f"jq -n --arg owner {owner} '{body}' | curl --fail --silent --show-error --request POST "
                f"--header \"Authorization: Bearer {bare(key)}\" --header 'Content-Type: application/json' "
                "--data @- https://api.render.com/v1/postgres"
            ],
            rollback_manual=[f"Render dashboard > {new.name} > Settings > Delete database"],
            sized_disk=True,
        )

    def enable_replication(self, sh: Shell, comp: str, admin_url: str, at: Placement) -> Cmds:
        rid = self.resource_id(sh, comp, "postgres")
        return Cmds(
            manual=[
                "Render enables logical replication on request: open a support request from the Render dashboard "
                f"with the database ID ({bare(rid)}), the role the subscriber connects as, and the schemas to "
                "publish (Render requires a Pro workspace and a database with at least 10 GB of disk)"
            ]
        )

    def delete(self, sh: Shell, comp: str, kind: str, at: Placement) -> Cmds:
        key = self.api_key(sh)
        rid = self.resource_id(sh, comp, "postgres")
        return Cmds(
            [
                f'curl --fail --silent --show-error --request DELETE --header "Authorization: Bearer {bare(key)}" '
                f'"https://api.render.com/v1/postgres/{bare(rid)}"'
            ]
        )
