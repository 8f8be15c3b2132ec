"""Railway: services built from the repository's Dockerfile, PostgreSQL and Redis (the railway CLI).

Naming: a service is named after its component; its config-as-code file is ``railway.json`` when
the phase runs one service on Railway, ``railway.<service>.json`` otherwise. The file sets the
start command, health check, restart policy, replicas in the plan's region (``multiRegionConfig``,
with Railway's region ids), app sleeping only when the phase may scale to zero, and overlap and
draining with zero-downtime deploys.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .base import (
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
    checkout,
    launches,
    slug,
)

if TYPE_CHECKING:
    from ..gen.deploy import Deploy, Store

__all__ = ["Railway", "RAILWAY_REGION_IDS"]

#: Railway's region ids as its config and CLI use them (the catalog's ids are their short names)
RAILWAY_REGION_IDS = {
    "us-west2": "us-west2",
    "us-east4": "us-east4-eqdc4a",
    "europe-west4": "europe-west4-drams3a",
    "asia-southeast1": "asia-southeast1-eqsg3a",
}


class Railway(Generic):
    """Railway (config-as-code railway.json, the railway CLI)."""

    plan_page = "Railway dashboard > Workspace settings > Plans"
    region_in_place = True

    # ------------------------------------------------------------ gen
    def hosts(self, dep: Deploy) -> dict[str, Host]:
        out = super().hosts(dep)
        svcs = dep.by_provider(self.id)
        for s in svcs:
            config = "railway.json" if len(svcs) == 1 else f"railway.{slug(s.name)}.json"
            out[s.name] = Host.of(s, slug(s.name), config)
        return out

    def output(self, dep: Deploy, start: Start) -> Output:
        svcs = dep.by_provider(self.id)
        if not svcs:
            return Output()
        hosts = self.hosts(dep)
        launch = launches(dep, start)
        files = {}
        for s in svcs:
            dockerfile, command = launch.get(s.name, ("Dockerfile", ""))
            deploy: dict[str, Any] = {"startCommand": command}
            if s.health_path:
                deploy["healthcheckPath"] = s.health_path
                deploy["healthcheckTimeout"] = 60
            deploy["restartPolicyType"] = "ON_FAILURE"
            deploy["restartPolicyMaxRetries"] = 10
            deploy["sleepApplication"] = s.min_running == 0
            if s.zero_downtime and s.kind == "web_service":
                deploy["overlapSeconds"] = 30
                deploy["drainingSeconds"] = 30
            region = RAILWAY_REGION_IDS.get(s.region or "", s.region or "us-west2")
            deploy["multiRegionConfig"] = {region: {"numReplicas": max(1, s.instances)}}
            doc = {
                "$schema": "https://railway.com/railway.schema.json",
                "build": {"builder": "DOCKERFILE", "dockerfilePath": dockerfile},
                "deploy": deploy,
            }
            files[str(hosts[s.name].config)] = json.dumps(doc, indent=2) + "\n"
        steps: list[dict[str, Any]] = [checkout(), {"run": "npm install --global @railway/cli@4"}]
        for s in svcs:
            steps.append(
                {
                    "name": f"Deploy {s.name} (config: {hosts[s.name].config}, set as the service's config file path)",
                    "run": f"railway up --ci --service {slug(s.name)}",
                }
            )
        job = {
            "runs-on": "ubuntu-latest",
            "environment": "production",
            "env": {"RAILWAY_TOKEN": "${{ secrets.RAILWAY_TOKEN }}"},
            "steps": steps,
        }
        secrets = " ".join(v.name for v in dep.env if v.secret)
        lines = ["railway login", "railway link", "set -a; . ./.env; set +a"]
        for s in svcs:
            lines.append(f"for name in {secrets}; do")
            lines.append(f'  railway variables --service {slug(s.name)} --set "$name=${{!name}}"')
            lines.append("done")
        text = (
            "Link the repository to the Railway project, create a service per process ("
            + ", ".join(f"`{slug(s.name)}` with config file path `{hosts[s.name].config}`" for s in svcs)
            + ") under Settings > Config-as-code, then set the variables from `.env`."
        )
        return Output(files, job, HostSetup("Railway", text, "\n".join(lines)))

    def schedule_setup(self, app: str, job: str, cron: str) -> str:
        return (
            f"a Railway service `{job}` from this repository with Settings > Cron Schedule `{cron}` (UTC, at "
            "least 5 minutes apart) and a start command that runs the job and exits (a run still active when "
            "the next is due makes Railway skip it)"
        )

    def store_setup(self, app: str, store: Store) -> str | None:
        if store.kind == "redis":
            return f"railway add --database redis  # then rename the service to {slug(store.name)}"
        return super().store_setup(app, store)

    def settings(self, kind: str, var: str, public: bool = False) -> list[Setting]:
        if public and kind in ("postgres", "redis"):
            port = 5432 if kind == "postgres" else 6379
            scheme = "postgresql://postgres" if kind == "postgres" else "redis://default"
            path = "/railway" if kind == "postgres" else ""
            return [
                Setting(
                    f"{scheme}:PASSWORD@PROXY-DOMAIN:PROXY-PORT{path}",
                    f"the service's public TCP proxy (`railway tcp-proxy create --port {port} --service "
                    f"{'postgres' if kind == 'postgres' else 'redis'}`): a caller on another host cannot reach "
                    "*.railway.internal; the traffic crosses the internet and is billed as egress",
                )
            ]
        if kind == "postgres":
            return [
                Setting(
                    "postgresql://postgres:PASSWORD@postgres.railway.internal:5432/railway",
                    "Railway > Postgres service > Variables > DATABASE_URL (private network URL)",
                )
            ]
        if kind == "redis":
            return [
                Setting(
                    "redis://default:PASSWORD@redis.railway.internal:6379",
                    "Railway > Redis service > Variables > REDIS_URL (private network URL)",
                )
            ]
        return super().settings(kind, var, public)

    def public_url(self, app: str, comp: str, frontend: bool) -> str:
        return f"https://{app}-{comp}.up.railway.app"

    # ------------------------------------------------------------ runbook: code hosts
    def set_env(self, sh: Shell, h: Host, pairs: list[tuple[str, str]], stage: bool) -> Cmds:
        kv = " ".join(f'--set "{n}={bare(v)}"' for n, v in pairs)
        return Cmds([f"railway variables --service {h.name} {kv}" + (" --skip-deploys" if stage else "")])

    def scale(self, sh: Shell, h: Host, n: int) -> Cmds:
        return Cmds([f"railway scale --service {h.name} --{_region(h)} {n}"])

    def status(self, sh: Shell, h: Host) -> list[str]:
        return [f"railway service status --service {h.name}"]

    def deploy(self, sh: Shell, h: Host, same_app: bool, phase: int) -> Rollout:
        if h.kind == "web_frontend":
            return super().deploy(sh, h, same_app, phase)
        cmds = [
            f"railway up --service {h.name} --ci",
            f"railway scale --service {h.name} --{_region(h)} {h.instances}",
        ]
        if h.kind in ("web_service", "realtime"):
            cmds.append(f"railway domain --service {h.name}")
        manual = [
            f"Railway dashboard > {h.name} > Settings > Config-as-code: {h.config or 'railway.json'} "
            f"(from the phase {phase} deploy files)"
        ]
        return Rollout(
            cmds,
            manual,
            [f"railway down --service {h.name} --yes"],
            create=[f"railway add --service {h.name}"],
            url=self.preview_url(sh, h),
        )

    def destroy(self, sh: Shell, h: Host, still: Host | None) -> Cmds:
        return Cmds([f"railway service delete --service {h.name} --yes"])

    def dns(self, sh: Shell, h: Host) -> DnsTarget:
        dom = f'"${sh.tok(h.comp)}_DOMAIN"'
        cname = sh.var(
            f"RAILWAY_{sh.tok(h.comp)}_CNAME", f"the CNAME target `railway domain` prints for {h.comp}"
        )
        return DnsTarget(bare(cname), [f"railway domain {dom} --service {h.name}"])

    # ------------------------------------------------------------ runbook: stores
    def admin_where(self, sh: Shell, comp: str, kind: str, region: str | None) -> str:
        if kind == "redis":
            return f"Railway dashboard > {comp} > Variables > REDIS_PUBLIC_URL"
        return f"Railway dashboard > {comp} > Variables > DATABASE_PUBLIC_URL"

    def create(self, sh: Shell, new: NewStore) -> Created:
        if new.kind == "postgres":
            return Created(
                ["railway add --database postgres"],
                rollback_manual=["Railway dashboard > the new Postgres service > Settings > Delete service"],
            )
        if new.kind == "redis":
            return Created(
                ["railway add --database redis"],
                rollback_manual=["Railway dashboard > the new Redis service > Settings > Delete service"],
            )
        return super().create(sh, new)

    def enable_replication(self, sh: Shell, comp: str, admin_url: str, at: Placement) -> Cmds:
        return Cmds(
            [f"psql {admin_url} -c 'ALTER SYSTEM SET wal_level = logical'"],
            [f"Railway dashboard > {comp} > Restart (wal_level takes effect on restart)"],
        )


def _region(h: Host) -> str | None:
    """Railway's deployment region id of a host (us-east4-eqdc4a)."""
    return RAILWAY_REGION_IDS.get(h.region, h.region) if h.region is not None else None
