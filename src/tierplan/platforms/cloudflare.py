"""Cloudflare: Workers (with SQLite-backed Durable Objects for realtime), Pages, R2, KV, Queues,
D1 and the TURN service (wrangler).

Naming: each Worker or Pages project has its own directory named after its component, holding its
``wrangler.toml``; a Worker is ``<app>-<component>``, the Pages project is ``<app>``. KV
namespaces, queues and D1 databases are bindings in wrangler.toml, not addresses in the
environment. ``compatibility_date`` is the catalog's Cloudflare ``as_of``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import tomlkit

from .base import (
    GENERATED,
    S3,
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
    quoted,
    slug,
)
from .saas import CRON_SECRET

if TYPE_CHECKING:
    from ..gen.deploy import Deploy, Service, Store

__all__ = ["Cloudflare"]

#: the kinds Cloudflare binds in wrangler.toml (no address in the environment)
BOUND = ("kv", "queue", "sqlite")


def _pascal(name: str) -> str:
    return "".join(w.capitalize() for w in slug(name).split("-"))


#: OpenNext needs at least this compatibility date (developers.cloudflare.com/workers/framework-
#: guides/web-apps/nextjs/opennext/: "set your compatibility date to 2024-09-23 or later")
OPENNEXT_MIN_DATE = "2024-09-23"


def _is_nextjs(fe: dict[str, str]) -> bool:
    """Whether a frontend's framework is Next.js (next, nextjs, Next.js)."""
    name = str(fe.get("framework") or "").lower().replace(".", "").replace("-", "").replace(" ", "")
    return name in ("next", "nextjs")


def opennext(dep: Deploy) -> bool:
    """Whether the deploy's frontend is a server-rendered Next.js app on Cloudflare: a Worker built
    by OpenNext, not a Pages project."""
    fe = dep.frontend
    return (
        fe is not None and fe["provider"] == "cloudflare" and fe.get("rendering") == "ssr" and _is_nextjs(fe)
    )


def _nextjs_worker(dep: Deploy, fe: dict[str, str], date: str) -> str:
    """A server-rendered Next.js app on Cloudflare runs as a Worker through OpenNext
    (@opennextjs/cloudflare), not on Pages with a `dist` directory: its worker entry and static
    assets come from the OpenNext build (.open-next/)."""
    doc = tomlkit.document()
    doc.add(
        tomlkit.comment(
            f"{GENERATED} for {dep.title}, phase {dep.phase}: {fe['name']} (Next.js, server-rendered) "
            f"as a Cloudflare Worker through OpenNext ({fe['plan']})."
        )
    )
    doc.add(
        tomlkit.comment(
            f"Deploy (in {slug(fe['name'])}/): npm install --save-dev @opennextjs/cloudflare && "
            "npx opennextjs-cloudflare build && npx opennextjs-cloudflare deploy"
        )
    )
    doc.add(
        tomlkit.comment(
            "Cloudflare now recommends vinext (beta) for new Next.js apps; OpenNext adapts the "
            "standard Next.js build output."
        )
    )
    doc.add("name", f"{dep.app}-{slug(fe['name'])}")
    doc.add("main", ".open-next/worker.js")
    doc.add("compatibility_date", max(date, OPENNEXT_MIN_DATE))
    doc.add("compatibility_flags", ["nodejs_compat"])
    assets = tomlkit.table()
    assets.add("directory", ".open-next/assets")
    assets.add("binding", "ASSETS")
    doc.add("assets", assets)
    return tomlkit.dumps(doc)


class Cloudflare(Generic):
    """Cloudflare Workers, Pages, R2, KV, Queues and D1 (wrangler)."""

    plan_page = "Cloudflare dashboard > Workers & Pages > Plans"
    region_in_place = True

    def containerless(self, service: Service) -> bool:
        return service.serverless

    def dirs(self, dep: Deploy) -> dict[str, str]:
        """{component: the directory holding its wrangler.toml} for what runs on Cloudflare."""
        out = {s.name: slug(s.name) for s in dep.by_provider(self.id)}
        if dep.frontend is not None and dep.frontend["provider"] == self.id:
            out[dep.frontend["name"]] = slug(dep.frontend["name"])
        return out

    # ------------------------------------------------------------ gen
    def hosts(self, dep: Deploy) -> dict[str, Host]:
        out = super().hosts(dep)
        for s in dep.by_provider(self.id):
            out[s.name] = Host.of(s, f"{dep.app}-{slug(s.name)}", f"{slug(s.name)}/wrangler.toml")
        fe = dep.frontend
        if fe is not None and fe["provider"] == self.id:
            name = fe["name"]
            cfg = f"{slug(name)}/wrangler.toml"
            if opennext(dep):
                out[name] = Host(
                    name, "web_frontend", self.id, None, f"{dep.app}-{slug(name)}", cfg, worker=True
                )
            else:
                out[name] = Host(name, "web_frontend", self.id, None, dep.app, cfg)
        return out

    def output(self, dep: Deploy, start: Start) -> Output:
        dirs = self.dirs(dep)
        if not dirs:
            return Output()
        fe = dep.frontend["name"] if dep.frontend is not None else None
        steps: list[dict[str, Any]] = [
            checkout(),
            {"uses": "actions/setup-node@v5", "with": {"node-version": "22"}},
        ]
        lines = ["npx wrangler login"]
        secrets = [
            v.name for v in dep.env if v.secret and v.name in ("JWT_SECRET", "SECRET_KEY", "SENTRY_DSN")
        ]
        nextjs = opennext(dep)
        for comp, d in dirs.items():
            pages = comp == fe and not nextjs  # a server-rendered Next.js app is a Worker (OpenNext)
            steps.append({"name": f"Install {comp}", "working-directory": d, "run": "npm ci"})
            if pages:
                steps.append({"name": f"Build {comp}", "working-directory": d, "run": "npm run build"})
            elif comp == fe:
                steps.append(
                    {
                        "name": f"Build {comp} with OpenNext",
                        "working-directory": d,
                        "run": "npx opennextjs-cloudflare build",
                    }
                )
            steps.append(
                {
                    "name": f"Deploy {comp} to Cloudflare {'Pages' if pages else 'Workers'}",
                    "uses": "cloudflare/wrangler-action@v3",
                    "with": {
                        "apiToken": "${{ secrets.CLOUDFLARE_API_TOKEN }}",
                        "accountId": "${{ secrets.CLOUDFLARE_ACCOUNT_ID }}",
                        "workingDirectory": d,
                        "command": "pages deploy" if pages else "deploy",
                    },
                }
            )
            if pages:
                lines.append(
                    f"(cd {d} && npx wrangler pages project create {dep.app} --production-branch main)"
                )
            else:
                lines += [f"(cd {d} && npx wrangler secret put {name})" for name in secrets]
        for st in dep.stores:
            if st.provider == self.id and st.kind == "object_storage":
                lines.append(f"npx wrangler r2 bucket create {dep.app}-{slug(st.name)}")
        job = {"runs-on": "ubuntu-latest", "environment": "production", "steps": steps}
        pages_project = fe is not None and fe in dirs and not nextjs
        setup = HostSetup(
            "Cloudflare",
            f"Log in, create {'the Pages project and ' if pages_project else ''}the buckets, and store each Worker's secrets (wrangler "
            "prompts for the value): the signing secret that authenticates users, the error reporting "
            "DSN; add any other variable of `.env.example` a Worker reads the same way.",
            "\n".join(lines),
        )
        return Output(self.wrangler_files(dep), job, setup)

    def wrangler_files(self, dep: Deploy) -> dict[str, str]:
        out: dict[str, str] = {}
        date = dep.provider_as_of.get(self.id, "2026-01-01")
        secrets = [v.name for v in dep.env if v.secret]
        for s in dep.by_provider(self.id):
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
                    tomlkit.comment(
                        "for the variables of .env.example it reads (" + ", ".join(secrets) + ")."
                    )
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
        if fe is not None and fe["provider"] == self.id and opennext(dep):
            out[f"{slug(fe['name'])}/wrangler.toml"] = _nextjs_worker(dep, fe, date)
        elif fe is not None and fe["provider"] == self.id:
            doc = tomlkit.document()
            doc.add(
                tomlkit.comment(
                    f"{GENERATED} for {dep.title}, phase {dep.phase}: {fe['name']} on Cloudflare Pages ({fe['plan']})."
                )
            )
            doc.add(
                tomlkit.comment(
                    f"Deploy: npm run build && npx wrangler pages deploy (in {slug(fe['name'])}/)."
                )
            )
            doc.add("name", dep.app)
            doc.add("pages_build_output_dir", "dist")
            doc.add("compatibility_date", date)
            if fe.get("rendering") == "ssr":
                doc.add("compatibility_flags", ["nodejs_compat"])
            out[f"{slug(fe['name'])}/wrangler.toml"] = tomlkit.dumps(doc)
        return out

    def schedule_setup(self, app: str, job: str, cron: str) -> str:
        return (
            f'a Worker with `[triggers] crons = ["{cron}"]` in its wrangler.toml (UTC) whose `scheduled()` '
            f"handler runs {job}, or POSTs to the app's job endpoint with `Authorization: Bearer` CRON_SECRET "
            "(`wrangler secret put CRON_SECRET`); Cron Triggers count against the account's 5 (Free) or 250 (Paid)"
        )

    def store_setup(self, app: str, store: Store) -> str | None:
        return None  # bindings in wrangler.toml; buckets in the Cloudflare section

    def settings(self, kind: str, var: str, public: bool = False) -> list[Setting]:
        if kind in BOUND:
            return []
        if kind == "scheduled_job":
            return [CRON_SECRET]
        if kind == "turn":
            return [
                Setting(
                    "your-turn-key-id",
                    "Cloudflare dashboard > Realtime > TURN Server > create key",
                    "TURN_KEY_ID",
                ),
                Setting(
                    "your-turn-key-api-token",
                    "shown once when the TURN key is created; the server mints short-lived credentials with it",
                    "TURN_KEY_API_TOKEN",
                ),
            ]
        return super().settings(kind, var, public)

    def s3(self) -> S3:
        return S3(
            "https://ACCOUNT_ID.r2.cloudflarestorage.com",
            "auto",
            "Cloudflare dashboard > R2 > Manage R2 API tokens (Object Read & Write on the bucket)",
            "Cloudflare",
        )

    def public_url(self, app: str, comp: str, frontend: bool) -> str:
        return f"https://{app}.pages.dev" if frontend else f"https://{app}-{comp}.ACCOUNT.workers.dev"

    # ------------------------------------------------------------ runbook: code hosts
    def set_env(self, sh: Shell, h: Host, pairs: list[tuple[str, str]], stage: bool) -> Cmds:
        cfg = f"{slug(h.comp)}/wrangler.toml"
        return Cmds([f"printf %s {quoted(v)} | npx wrangler secret put {n} --config {cfg}" for n, v in pairs])

    def deploy(self, sh: Shell, h: Host, same_app: bool, phase: int) -> Rollout:
        d = slug(h.comp)
        if h.kind == "web_frontend" and h.worker:
            return Rollout(
                rollback=[f"npx wrangler delete --config {d}/wrangler.toml"],
                create=[f"(cd {d} && npx opennextjs-cloudflare build && npx opennextjs-cloudflare deploy)"],
                url=self.preview_url(sh, h),
            )
        if h.kind == "web_frontend":
            return Rollout(
                [
                    f"(cd {d} && npx wrangler pages project create {sh.app} --production-branch main)",
                    f"(cd {d} && npm run build && npx wrangler pages deploy)",
                ],
                url=f"https://{sh.app}.pages.dev",
            )
        cfg = f"{d}/wrangler.toml"
        return Rollout(
            rollback=[f"npx wrangler delete --config {cfg}"],
            create=[f"npx wrangler deploy --config {cfg}"],
            url=self.preview_url(sh, h),
        )

    def dns(self, sh: Shell, h: Host) -> DnsTarget:
        dom = bare(f'"${sh.tok(h.comp)}_DOMAIN"')
        if h.kind == "web_frontend" and not h.worker:
            return DnsTarget(
                f"{h.name}.pages.dev",
                manual=[f"Cloudflare dashboard > Workers & Pages > {h.name} > Custom domains: add {dom}"],
            )
        return DnsTarget(
            "the Worker's custom domain (Cloudflare creates the record)",
            manual=[
                f"Cloudflare dashboard > Workers & Pages > {h.name} > Settings > Domains & Routes: add {dom}"
            ],
        )

    # ------------------------------------------------------------ runbook: stores
    def create(self, sh: Shell, new: NewStore) -> Created:
        if new.kind == "kv":
            ns = sh.var(f"NEW_{sh.tok(new.comp)}_NAMESPACE_ID", "the id wrangler kv namespace create prints")
            return Created(
                [f"npx wrangler kv namespace create {new.name}"],
                rollback=[f"npx wrangler kv namespace delete --namespace-id {ns}"],
            )
        if new.kind == "queue":
            return Created(
                [f"npx wrangler queues create {new.name}"],
                rollback=[f"npx wrangler queues delete {new.name}"],
            )
        if new.kind == "object_storage":
            return Created([f'npx wrangler r2 bucket create "{new.bucket}"'])
        return super().create(sh, new)

    def store_check(self, sh: Shell, comp: str, kind: str, env: str, at: Placement) -> list[str]:
        if kind == "queue":
            return ["npx wrangler queues list"]
        if kind == "kv":
            return ["npx wrangler kv namespace list"]
        return []

    def rebind(self, comp: str, kind: str, name: str) -> Cmds | None:
        if kind == "kv":
            return Cmds(
                manual=["wrangler.toml: bind the new KV namespace id, then npx wrangler deploy"],
                rollback_manual=["wrangler.toml: bind the old namespace id again, then npx wrangler deploy"],
            )
        if kind == "queue":
            return Cmds(
                manual=[f"wrangler.toml: bind {comp} to the new queue ({name}), then npx wrangler deploy"],
                rollback_manual=["wrangler.toml: bind the old queue again, then npx wrangler deploy"],
            )
        return None

    def kv_copy(self, sh: Shell, comp: str, source: bool) -> list[str]:
        if source:
            ns = sh.var(
                f"OLD_{sh.tok(comp)}_NAMESPACE_ID",
                f"the KV namespace id of {comp} (npx wrangler kv namespace list)",
            )
            return [
                f"npx wrangler kv key list --namespace-id {ns} --remote | jq -r '.[].name' | while IFS= read -r key; do",
                f'  value=$(npx wrangler kv key get "$key" --namespace-id {ns} --remote)',
            ]
        ns = sh.var(f"NEW_{sh.tok(comp)}_NAMESPACE_ID", "the id wrangler kv namespace create prints")
        return [f'  npx wrangler kv key put "$key" "$value" --namespace-id {ns} --remote', "done"]
