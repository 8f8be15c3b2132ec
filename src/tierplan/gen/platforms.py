"""Platform files for the hosts a stack uses: render.yaml, railway.json, wrangler.toml, vercel.json.

Each is written only when the phase's stack puts something on that platform, and every value comes
from the plan: Render databases and Key Value instances with the chosen plan and region (and an IP
allow list that opens them to callers on other hosts only when there are such callers), Railway
services with their replica count in the chosen region and app sleeping when the phase may scale to
zero, Cloudflare Workers (Durable Objects for realtime) and Pages projects, Vercel regions.
The project's own schemas (schemas.py) and, for wrangler.toml, wrangler's published JSON schema
check them in the tests.
"""

from __future__ import annotations

import json
from typing import Any

import tomlkit

from .deploy import GENERATED, Deploy, Service, slug
from .schemas import RAILWAY_REGION_IDS
from .yamltext import plain_yaml

__all__ = ["platform_files", "cloudflare_dirs", "railway_configs"]


#: Redis eviction policy by how the profile uses the instance (a broker or rate limiter must not
#: silently drop keys; a cache should)
_EVICTION = {
    "cache": "allkeys-lru",
    "sessions": "volatile-lru",
    "broker": "noeviction",
    "rate_limit": "noeviction",
}


def _callers_elsewhere(dep: Deploy, provider: str) -> list[Service]:
    return [s for s in dep.services if s.provider != provider and not s.serverless]


def _allow(dep: Deploy, provider: str) -> list[dict[str, str]]:
    others = _callers_elsewhere(dep, provider)
    serverless = [s for s in dep.services if s.serverless and s.provider != provider]
    callers = others + serverless
    if not callers:
        return []  # internal connections only
    hosts = ", ".join(sorted({f"{s.name} on {s.provider}" for s in callers}))
    return [
        {
            "source": "0.0.0.0/0",
            "description": f"callers on other hosts ({hosts}); narrow to their egress IPs where they have fixed ones",
        }
    ]


def render_yaml(dep: Deploy, commands: dict[str, str], dockerfiles: dict[str, str]) -> str:
    """Render Blueprint: databases, Key Value, services and a static site the stack puts on Render."""
    databases: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    for st in dep.stores:
        if st.provider != "render":
            continue
        if st.kind == "postgres":
            databases.append(
                {
                    "name": f"{dep.app}-{slug(st.name)}",
                    "plan": st.plan,
                    "region": st.region or "oregon",
                    "postgresMajorVersion": "17",
                    "databaseName": slug(dep.app).replace("-", "_"),
                    "ipAllowList": _allow(dep, "render"),
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
                    "ipAllowList": _allow(dep, "render"),
                }
            )
    db_names = {
        st.env: f"{dep.app}-{slug(st.name)}"
        for st in dep.stores
        if st.provider == "render" and st.kind == "postgres"
    }
    for s in dep.by_provider("render"):
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
        svc: dict[str, Any] = {
            "type": "web" if s.kind in ("web_service", "realtime") else "worker",
            "name": f"{dep.app}-{slug(s.name)}",
            "plan": s.plan,
            "region": s.region or "oregon",
            "runtime": "docker",
            "dockerfilePath": f"./{dockerfiles.get(s.name, 'Dockerfile')}",
            "dockerCommand": commands.get(s.name, ""),
        }
        if s.health_path:
            svc["healthCheckPath"] = s.health_path
        svc["numInstances"] = max(1, s.instances)
        svc["envVars"] = env
        services.append(svc)
    if dep.frontend is not None and dep.frontend["provider"] == "render":
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


def railway_configs(dep: Deploy) -> dict[str, str]:
    """{service name: config file name} for the services on Railway."""
    svcs = dep.by_provider("railway")
    if len(svcs) == 1:
        return {svcs[0].name: "railway.json"}
    return {s.name: f"railway.{slug(s.name)}.json" for s in svcs}


def railway_files(dep: Deploy, commands: dict[str, str], dockerfiles: dict[str, str]) -> dict[str, str]:
    out = {}
    for s in dep.by_provider("railway"):
        deploy: dict[str, Any] = {"startCommand": commands.get(s.name, "")}
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
            "build": {"builder": "DOCKERFILE", "dockerfilePath": dockerfiles.get(s.name, "Dockerfile")},
            "deploy": deploy,
        }
        out[railway_configs(dep)[s.name]] = json.dumps(doc, indent=2) + "\n"
    return out


def cloudflare_dirs(dep: Deploy) -> dict[str, str]:
    """{component: directory holding its wrangler.toml} for what runs on Cloudflare."""
    out = {s.name: slug(s.name) for s in dep.by_provider("cloudflare")}
    if dep.frontend is not None and dep.frontend["provider"] == "cloudflare":
        out[dep.frontend["name"]] = slug(dep.frontend["name"])
    return out


def _pascal(name: str) -> str:
    return "".join(w.capitalize() for w in slug(name).split("-"))


def wrangler_files(dep: Deploy) -> dict[str, str]:
    out: dict[str, str] = {}
    date = dep.provider_as_of.get("cloudflare", "2026-01-01")
    secrets = [v.name for v in dep.env if v.secret]
    for s in dep.by_provider("cloudflare"):
        doc = tomlkit.document()
        doc.add(
            tomlkit.comment(
                f"{GENERATED} for {dep.title}, phase {dep.phase}: {s.name} on Cloudflare Workers ({s.plan})."
            )
        )
        doc.add(
            tomlkit.comment(
                f"Deploy: npx wrangler deploy (in {slug(s.name)}/). Secrets: npx wrangler secret put NAME"
            )
        )
        if secrets:
            doc.add(
                tomlkit.comment("for the variables of .env.example it reads (" + ", ".join(secrets) + ").")
            )
        doc.add("name", f"{dep.app}-{slug(s.name)}")
        doc.add("main", "src/index.ts" if s.runtime in ("typescript", "node") else "src/index.js")
        doc.add("compatibility_date", date)
        doc.add("compatibility_flags", ["nodejs_compat"])
        doc.add("workers_dev", True)
        obs = tomlkit.table()
        obs.add("enabled", True)
        doc.add("observability", obs)
        if s.kind == "realtime":
            cls = _pascal(s.name) + "Room"
            dos = tomlkit.table()
            b = tomlkit.aot()
            t = tomlkit.table()
            t.add("name", "ROOMS")
            t.add("class_name", cls)
            b.append(t)
            dos.add("bindings", b)
            doc.add("durable_objects", dos)
            mig = tomlkit.aot()
            m = tomlkit.table()
            m.add("tag", "v1")
            m.add("new_sqlite_classes", [cls])  # SQLite-backed: the only kind the Free plan allows
            mig.append(m)
            doc.add("migrations", mig)
        out[f"{slug(s.name)}/wrangler.toml"] = tomlkit.dumps(doc)
    fe = dep.frontend
    if fe is not None and fe["provider"] == "cloudflare":
        doc = tomlkit.document()
        doc.add(
            tomlkit.comment(
                f"{GENERATED} for {dep.title}, phase {dep.phase}: {fe['name']} on Cloudflare Pages ({fe['plan']})."
            )
        )
        doc.add(
            tomlkit.comment(f"Deploy: npm run build && npx wrangler pages deploy (in {slug(fe['name'])}/).")
        )
        doc.add("name", dep.app)
        doc.add("pages_build_output_dir", "dist")
        doc.add("compatibility_date", date)
        if fe.get("rendering") == "ssr":
            doc.add("compatibility_flags", ["nodejs_compat"])
        out[f"{slug(fe['name'])}/wrangler.toml"] = tomlkit.dumps(doc)
    return out


_VERCEL_FRAMEWORKS = {
    "nextjs",
    "next",
    "nuxt",
    "nuxtjs",
    "sveltekit",
    "remix",
    "astro",
    "vite",
    "gatsby",
    "angular",
    "vue",
}


def vercel_json(dep: Deploy) -> str:
    fe = dep.frontend if dep.frontend is not None and dep.frontend["provider"] == "vercel" else None
    funcs = dep.by_provider("vercel")
    if fe is None and not funcs:
        return ""
    doc: dict[str, Any] = {"$schema": "https://openapi.vercel.sh/vercel.json"}
    fw = (fe or {}).get("framework", "").lower()
    if fw in _VERCEL_FRAMEWORKS:
        doc["framework"] = {"next": "nextjs", "nuxt": "nuxtjs"}.get(fw, fw)
    regions = sorted({s.region for s in funcs if s.region})
    if regions:
        doc["regions"] = regions
    doc["cleanUrls"] = True
    if fe is not None and fe.get("rendering") == "spa":
        doc["rewrites"] = [{"source": "/((?!api/).*)", "destination": "/index.html"}]
    doc["headers"] = [
        {
            "source": "/assets/(.*)",
            "headers": [{"key": "Cache-Control", "value": "public, max-age=31536000, immutable"}],
        }
    ]
    return json.dumps(doc, indent=2) + "\n"


def platform_files(dep: Deploy, commands: dict[str, str], dockerfiles: dict[str, str]) -> dict[str, str]:
    """The platform files the stack needs ({relative path: text}); commands and Dockerfile names per
    service come from files.py so every file starts the same process the same way."""
    out: dict[str, str] = {}
    render = render_yaml(dep, commands, dockerfiles)
    if render:
        out["render.yaml"] = render
    out.update(railway_files(dep, commands, dockerfiles))
    out.update(wrangler_files(dep))
    vercel = vercel_json(dep)
    if vercel:
        out["vercel.json"] = vercel
    return out
