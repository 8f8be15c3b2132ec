"""Vercel: the frontend and serverless functions (the vercel CLI).

vercel.json names the frontend's framework, the functions' regions from the plan and, for a single
page app, the rewrite to index.html. Deploys go through ``vercel deploy --prod``; a rollback
promotes the previous deployment.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .base import (
    Cmds,
    DnsTarget,
    Generic,
    Host,
    HostSetup,
    Output,
    Rollout,
    Shell,
    Start,
    bare,
    checkout,
    quoted,
)

if TYPE_CHECKING:
    from ..gen.deploy import Deploy, Service

__all__ = ["Vercel"]

_FRAMEWORKS = {
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


class Vercel(Generic):
    """Vercel projects and functions (vercel CLI)."""

    plan_page = "Vercel dashboard > Settings > Billing"
    region_in_place = True

    def containerless(self, service: Service) -> bool:
        return service.serverless

    # ------------------------------------------------------------ gen
    def output(self, dep: Deploy, start: Start) -> Output:
        text = self.vercel_json(dep)
        if not text:
            return Output()
        job = {
            "runs-on": "ubuntu-latest",
            "environment": "production",
            "env": {
                "VERCEL_TOKEN": "${{ secrets.VERCEL_TOKEN }}",
                "VERCEL_ORG_ID": "${{ secrets.VERCEL_ORG_ID }}",
                "VERCEL_PROJECT_ID": "${{ secrets.VERCEL_PROJECT_ID }}",
            },
            "steps": [
                checkout(),
                {"run": "npm install --global vercel@latest"},
                {"run": 'vercel pull --yes --environment=production --token "$VERCEL_TOKEN"'},
                {"run": 'vercel build --prod --token "$VERCEL_TOKEN"'},
                {"run": 'vercel deploy --prebuilt --prod --token "$VERCEL_TOKEN"'},
            ],
        }
        setup = HostSetup(
            "Vercel",
            "Link the project (creates `.vercel/project.json` with the org and project ids the workflow needs).",
            "npx vercel link\n"
            + "\n".join(f"npx vercel env add {v.name} production" for v in dep.env if v.secret),
        )
        return Output({"vercel.json": text}, job, setup)

    def vercel_json(self, dep: Deploy) -> str:
        """vercel.json for the frontend and functions ``dep`` puts on Vercel ("" if none)."""
        fe = dep.frontend if dep.frontend is not None and dep.frontend["provider"] == self.id else None
        funcs = dep.by_provider(self.id)
        if fe is None and not funcs:
            return ""
        doc: dict[str, Any] = {"$schema": "https://openapi.vercel.sh/vercel.json"}
        fw = (fe or {}).get("framework", "").lower()
        if fw in _FRAMEWORKS:
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

    def public_url(self, app: str, comp: str, frontend: bool) -> str:
        return f"https://{app}.vercel.app"

    # ------------------------------------------------------------ runbook
    def set_env(self, sh: Shell, h: Host, pairs: list[tuple[str, str]], stage: bool) -> Cmds:
        cmds = []
        for n, v in pairs:
            cmds.append(f"vercel env rm {n} production --yes || true")
            cmds.append(f"printf %s {quoted(v)} | vercel env add {n} production")
        if not stage:
            cmds.append("vercel deploy --prod")
        return Cmds(cmds)

    def deploy(self, sh: Shell, h: Host, same_app: bool, phase: int) -> Rollout:
        if h.kind == "web_frontend":
            url = sh.var(
                f"NEW_{sh.tok(h.comp)}_URL", f"the URL Vercel gives {h.comp} (vercel deploy prints it)"
            )
            return Rollout(["vercel deploy --prod"], url=bare(url))
        return Rollout(
            ["vercel deploy --prod"],
            rollback_manual=["Vercel dashboard > Deployments: promote the previous deployment"],
            url=self.preview_url(sh, h),
        )

    def dns(self, sh: Shell, h: Host) -> DnsTarget:
        dom = f'"${sh.tok(h.comp)}_DOMAIN"'
        return DnsTarget("cname.vercel-dns.com", [f"vercel domains add {dom}"])
