"""DEPLOY.md: what runs where in the phase, and the one-time setup of each host, as commands.

Every command names this stack's apps, services, config files and variables; the shell blocks
are checked by shellcheck in the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..templates_env import environment
from .deploy import GENERATED, Deploy, slug
from .platforms import cloudflare_dirs, railway_configs

__all__ = ["deploy_readme"]


@dataclass(frozen=True)
class _Host:
    title: str
    text: str
    commands: str


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
    for comp, provider in dep.externals.items():
        rows.append(
            {
                "name": comp,
                "kind": "service",
                "provider": provider,
                "plan": "-",
                "size": "-",
                "region": "-",
                "count": "-",
            }
        )
    return rows


def _secret_names(dep: Deploy) -> list[str]:
    return [v.name for v in dep.env if v.secret]


def _worker_secrets(dep: Deploy) -> list[str]:
    return [v.name for v in dep.env if v.secret and v.name in ("JWT_SECRET", "SECRET_KEY", "SENTRY_DSN")]


def _store_setup(dep: Deploy) -> list[str]:
    lines = []
    for st in dep.stores:
        name = f"{dep.app}-{slug(st.name)}"
        if (st.provider, st.kind) == ("fly", "postgres"):
            lines.append(
                f"flyctl mpg create --name {name} --region {st.region} --plan {st.plan} --pg-major-version 17"
            )
        elif (st.provider, st.kind) == ("neon", "postgres"):
            lines.append(f"npx neonctl projects create --name {name} --region-id {st.region}")
        elif (st.provider, st.kind) == ("railway", "redis"):
            lines.append(f"railway add --database redis  # then rename the service to {slug(st.name)}")
        elif st.provider in ("render", "cloudflare"):
            continue  # render.yaml / wrangler (below)
        else:
            lines.append(
                f"# {st.name}: create a {st.kind} on {st.provider} ({st.plan}, {st.region or 'global'})"
            )
    return lines


def _hosts(dep: Deploy, files: dict[str, str]) -> list[_Host]:
    out = []
    stores = _store_setup(dep)
    if stores:
        out.append(
            _Host(
                "Databases and caches",
                "Create the stores this phase puts outside the hosts' own files, in the plan's regions, and copy "
                "each connection string into `.env`.",
                "\n".join(stores),
            )
        )
    fly = [rel for rel in files if re.fullmatch(r"fly(\.[a-z0-9-]+)?\.toml", rel)]
    if fly:
        lines = []
        for rel in fly:
            app = re.search(r'^app = "([^"]+)"', files[rel], re.M)
            name = app.group(1) if app else dep.app
            lines.append(f"flyctl apps create {name}")
            lines.append(f"flyctl secrets import --config {rel} < .env")
        out.append(
            _Host(
                "Fly.io",
                f"Create the app{'s' if len(fly) > 1 else ''} and load the variables as secrets (the deploy workflow "
                "sets the machine counts).",
                "\n".join(lines),
            )
        )
    railway = dep.by_provider("railway")
    if railway:
        cfg = railway_configs(dep)
        lines = ["railway login", "railway link", "set -a; . ./.env; set +a"]
        for s in railway:
            lines.append(f"for name in {' '.join(_secret_names(dep))}; do")
            lines.append(f'  railway variables --service {slug(s.name)} --set "$name=${{!name}}"')
            lines.append("done")
        text = (
            "Link the repository to the Railway project, create a service per process ("
            + ", ".join(f"`{slug(s.name)}` with config file path `{cfg[s.name]}`" for s in railway)
            + ") under Settings > Config-as-code, then set the variables from `.env`."
        )
        out.append(_Host("Railway", text, "\n".join(lines)))
    if "render.yaml" in files:
        lines = [
            "# Render Dashboard > Blueprints > New Blueprint Instance > this repository (render.yaml)",
        ]
        for s in dep.by_provider("render"):
            lines.append(
                f"gh secret set RENDER_DEPLOY_HOOK_{slug(s.name).upper().replace('-', '_')} --env production"
                "  # Render > the service > Settings > Deploy Hook"
            )
        names = [st.name for st in dep.stores if st.provider == "render"]
        out.append(
            _Host(
                "Render",
                "Create what `render.yaml` declares ("
                + ", ".join(names + [s.name for s in dep.by_provider("render")])
                + "), then copy each connection string into `.env` and the other hosts' secrets.",
                "\n".join(lines),
            )
        )
    dirs = cloudflare_dirs(dep)
    if dirs:
        lines = ["npx wrangler login"]
        for comp, d in dirs.items():
            if dep.frontend is not None and comp == dep.frontend["name"]:
                lines.append(
                    f"(cd {d} && npx wrangler pages project create {dep.app} --production-branch main)"
                )
            else:
                for name in _worker_secrets(dep):
                    lines.append(f"(cd {d} && npx wrangler secret put {name})")
        buckets = [st for st in dep.stores if st.provider == "cloudflare" and st.kind == "object_storage"]
        for st in buckets:
            lines.append(f"npx wrangler r2 bucket create {dep.app}-{slug(st.name)}")
        out.append(
            _Host(
                "Cloudflare",
                "Log in, create the Pages project and the buckets, and store each Worker's secrets (wrangler "
                "prompts for the value): the signing secret that authenticates users, the error reporting "
                "DSN; add any other variable of `.env.example` a Worker reads the same way.",
                "\n".join(lines),
            )
        )
    if "vercel.json" in files:
        out.append(
            _Host(
                "Vercel",
                "Link the project (creates `.vercel/project.json` with the org and project ids the workflow needs).",
                "npx vercel link\n"
                + "\n".join(f"npx vercel env add {n} production" for n in _secret_names(dep)),
            )
        )
    return out


def deploy_readme(dep: Deploy, files: dict[str, str]) -> str:
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
            hosts=_hosts(dep, files),
            repo_secrets=repo_secrets,
            alerts=len(dep.alerts),
            uptime=len(dep.uptime),
            uptime_provider=uptime_provider,
        )
    )
