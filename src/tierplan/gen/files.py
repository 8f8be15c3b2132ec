"""Render the deploy files of a `Deploy` (pure: returns {relative path: text}).

Conventions the files share (stated in their headers): one container image per runtime, built from
the repository root; each process (web, worker, realtime) runs that image with its own command;
configuration comes from the environment variables listed in .env.example.
"""

from __future__ import annotations

import json
import re
from typing import Any

import tomlkit

from ..templates_env import environment
from .deploy import GENERATED, Deploy, Service, slug
from .monitoring import HOST_URL
from .platforms import cloudflare_dirs, platform_files, railway_configs
from .setup import deploy_readme
from .yamltext import plain_yaml, workflow_yaml

__all__ = ["render_files", "runtime_family", "fly_vm"]


def runtime_family(runtime: str, framework: str | None = None) -> str:
    if runtime == "python":
        return "python"
    if runtime in ("node", "typescript", "javascript"):
        return "node"
    if runtime == "go":
        return "go"
    return runtime


def _typescript(services: list[Service]) -> bool:
    return any(
        s.runtime == "typescript" or (s.framework or "").lower() in ("nestjs", "nest") for s in services
    )


def _command(s: Service, main: bool, dep: Deploy) -> list[str]:
    fam = runtime_family(s.runtime)
    fw = (s.framework or "").lower()
    if fam == "python":
        if s.kind == "worker":
            broker = any(st.kind == "redis" for st in dep.stores)
            if broker:
                return [
                    "celery",
                    "-A",
                    "app",
                    "worker",
                    "--loglevel",
                    "info",
                    "--concurrency",
                    str(s.concurrency or 2),
                ]
            return ["python", "-m", f"app.{slug(s.name).replace('-', '_')}"]
        workers = str(s.web_workers or 2)
        bind = f"0.0.0.0:{s.port or 8000}"
        if fw == "django":
            return ["gunicorn", "config.wsgi", "-w", workers, "-b", bind]
        if fw == "flask":
            return ["gunicorn", "app:app", "-w", workers, "-b", bind]
        return ["gunicorn", "app.main:app", "-k", "uvicorn.workers.UvicornWorker", "-w", workers, "-b", bind]
    if fam == "node":
        entry = "dist/main.js" if main else f"dist/{slug(s.name)}.js"
        return ["node", entry]
    if fam == "go":
        return ["/usr/local/bin/server"] if main else ["/usr/local/bin/server", slug(s.name)]
    return ["./start"]


def _groups(dep: Deploy) -> list[tuple[str, list[Service]]]:
    """Services by runtime family, in profile order (the first group is the main image)."""
    out: dict[str, list[Service]] = {}
    for s in dep.services:
        if s.serverless and s.provider in ("cloudflare", "vercel"):
            continue  # runs on the platform's runtime, no container
        out.setdefault(runtime_family(s.runtime), []).append(s)
    return list(out.items())


def _dockerfile_name(i: int, fam: str) -> str:
    return "Dockerfile" if i == 0 else f"{fam}.Dockerfile"


# --------------------------------------------------------------------------- Dockerfiles
def dockerfiles(dep: Deploy) -> dict[str, str]:
    env = environment()
    out: dict[str, str] = {}
    for i, (fam, svcs) in enumerate(_groups(dep)):
        if fam not in ("python", "node", "go"):
            from ..errors import InputError, Problem

            raise InputError(
                dep.path,
                [
                    Problem(
                        f"components.{svcs[0].name}.runtime",
                        f"tierplan gen has no Dockerfile for runtime {svcs[0].runtime!r} yet "
                        "(python, node, typescript, javascript and go are supported)",
                    )
                ],
            )
        main = next((s for s in svcs if s.kind == "web_service"), svcs[0])
        name = _dockerfile_name(i, fam)
        cmd = _command(main, True, dep)
        others = [s for s in svcs if s is not main]
        note = "default command: " + main.name
        if others:
            note += "; " + ", ".join(f"{s.name} runs: {' '.join(_command(s, False, dep))}" for s in others)
        out[name] = env.get_template(f"gen/Dockerfile.{fam}.j2").render(
            title=dep.title,
            names=", ".join(s.name for s in svcs),
            framework=main.framework,
            runtime=main.runtime,
            phase=dep.phase,
            filename=name,
            app=dep.app,
            port=main.port or "",
            health_path=main.health_path or "/",
            typescript=_typescript(svcs),
            cmd=json.dumps(cmd),
            cmd_note=note,
        )
    if out:
        out[".dockerignore"] = "\n".join(
            [
                f"# {GENERATED}: keep secrets, local state and build output out of the image",
                ".git",
                ".github",
                ".env",
                ".env.*",
                "!.env.example",
                ".venv",
                "venv",
                "__pycache__",
                "*.pyc",
                "node_modules",
                "dist",
                "coverage",
                "docker-compose.yml",
                "monitoring",
                "",
            ]
        )
    return out


# --------------------------------------------------------------------------- fly.toml
_FLY_SIZE = re.compile(r"^(?P<size>(shared-cpu|performance)-\d+x)-(?P<mem>\d+(mb|gb))$")


def fly_vm(size_id: str | None, memory_mb: int | None) -> tuple[str, str]:
    """Fly.io's [[vm]] size and memory for a catalog size id (shared-cpu-1x-256mb -> shared-cpu-1x, 256mb)."""
    m = _FLY_SIZE.match(size_id or "")
    if m:
        return m.group("size"), m.group("mem")
    return "shared-cpu-1x", f"{memory_mb or 256}mb"


def fly_tomls(dep: Deploy) -> dict[str, str]:
    fly = [s for s in dep.services if s.provider == "fly"]
    if not fly:
        return {}
    groups = [(fam, [s for s in svcs if s.provider == "fly"]) for fam, svcs in _groups(dep)]
    out: dict[str, str] = {}
    first = True
    for i, (fam, svcs) in enumerate(groups):
        # one app per web-facing process (Fly.io routes one http_service per app); workers join it
        webs = [s for s in svcs if s.kind in ("web_service", "realtime")]
        workers = [s for s in svcs if s.kind == "worker"]
        apps = [[w] for w in webs] or ([workers] if workers else [])
        if webs and workers:
            apps[0] = apps[0] + workers
        for members in apps:
            if not members:
                continue
            lead = members[0]
            name = "fly.toml" if first else f"fly.{slug(lead.name)}.toml"
            # named by component, so an app keeps its name when other services join or leave Fly.io
            app_name = f"{dep.app}-{slug(lead.name)}"
            first = False
            out[name] = _fly_toml(dep, app_name, _dockerfile_name(i, fam), lead, members, name)
    return out


def _fly_toml(
    dep: Deploy, app_name: str, dockerfile: str, lead: Service, members: list[Service], filename: str
) -> str:
    doc = tomlkit.document()
    doc.add(
        tomlkit.comment(f"{GENERATED} for {dep.title}, phase {dep.phase} (from {dep.scale:,} {dep.unit}s).")
    )
    doc.add(tomlkit.comment(f"Deploy: flyctl deploy --config {filename}"))
    counts = ", ".join(f"{_proc(s)} {s.instances}" for s in members)
    doc.add(
        tomlkit.comment(
            f"Machines in this phase (the plan's count at its end): {counts}; the deploy workflow runs `flyctl scale count`."
        )
    )
    doc.add("app", app_name)
    doc.add("primary_region", lead.region or "iad")
    doc.add("kill_signal", "SIGTERM")
    doc.add("kill_timeout", "30s")
    build = tomlkit.table()
    build.add("dockerfile", dockerfile)
    doc.add("build", build)
    procs = tomlkit.table()
    for s in members:
        procs.add(_proc(s), " ".join(_command(s, s is lead and s.kind == "web_service", dep)))
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
            conc.add("type", "requests")
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


def _fly_counts(text: str, dep: Deploy) -> list[tuple[str, int]]:
    """(process group, machines) of one fly.toml: the plan's instance count at the end of the phase."""
    import tomllib

    groups = tomllib.loads(text).get("processes", {})
    out = []
    for s in dep.services:
        if s.provider == "fly" and _proc(s) in groups:
            out.append((_proc(s), s.instances))
    return out


def _proc(s: Service) -> str:
    """The Fly.io process group of a service: web, realtime, or the worker's name."""
    if s.kind == "web_service":
        return "web"
    if s.kind == "realtime":
        return "realtime"
    return slug(s.name)


# --------------------------------------------------------------------------- .env.example
def env_example(dep: Deploy) -> str:
    lines = [
        f"# {GENERATED} for {dep.title}, phase {dep.phase}: every variable the stack needs.",
        "# Copy to .env for local development (never commit .env); set the same names as secrets",
        "# on each host and in the repository (Settings > Secrets and variables > Actions).",
        "",
    ]
    for v in dep.env:
        lines.append(f"# {v.comment}")
        lines.append(f"{v.name}={v.placeholder}")
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- compose
def compose(dep: Deploy) -> str:
    services: dict[str, Any] = {}
    volumes: dict[str, Any] = {}
    local_env: dict[str, str] = {}
    kinds = dep.store_kinds()
    depends: dict[str, Any] = {}
    if kinds & {"postgres"}:
        services["postgres"] = {
            "image": "postgres:16-alpine",
            "environment": {
                "POSTGRES_USER": "app",
                "POSTGRES_PASSWORD": "app",
                "POSTGRES_DB": dep.app.replace("-", "_"),
            },
            "ports": ["5432:5432"],
            "volumes": ["pgdata:/var/lib/postgresql/data"],
            "healthcheck": {
                "test": ["CMD-SHELL", "pg_isready -U app"],
                "interval": "5s",
                "timeout": "3s",
                "retries": 10,
            },
        }
        volumes["pgdata"] = {}
        depends["postgres"] = {"condition": "service_healthy"}
    if kinds & {"redis", "kv"}:
        services["redis"] = {
            "image": "redis:7-alpine",
            "command": ["redis-server", "--appendonly", "yes"],
            "ports": ["6379:6379"],
            "volumes": ["redisdata:/data"],
            "healthcheck": {
                "test": ["CMD", "redis-cli", "ping"],
                "interval": "5s",
                "timeout": "3s",
                "retries": 10,
            },
        }
        volumes["redisdata"] = {}
        depends["redis"] = {"condition": "service_healthy"}
    if "object_storage" in kinds:
        services["minio"] = {
            "image": "minio/minio:RELEASE.2025-09-07T16-13-09Z",
            "command": ["server", "/data", "--console-address", ":9001"],
            "environment": {"MINIO_ROOT_USER": "minioadmin", "MINIO_ROOT_PASSWORD": "minioadmin"},
            "ports": ["9000:9000", "9001:9001"],
            "volumes": ["miniodata:/data"],
            "healthcheck": {
                "test": ["CMD", "mc", "ready", "local"],
                "interval": "5s",
                "timeout": "3s",
                "retries": 10,
            },
        }
        volumes["miniodata"] = {}
        depends["minio"] = {"condition": "service_healthy"}
    for st in dep.stores:
        if st.kind == "postgres":
            local_env[st.env] = f"postgresql://app:app@postgres:5432/{dep.app.replace('-', '_')}"
        elif st.kind in ("redis", "kv") and st.env.endswith("_URL") and st.provider != "cloudflare":
            local_env[st.env] = "redis://redis:6379/0"
        elif st.kind == "object_storage":
            prefix = st.env.removesuffix("S3_ENDPOINT")
            local_env.update(
                {
                    f"{prefix}S3_ENDPOINT": "http://minio:9000",
                    f"{prefix}S3_REGION": "us-east-1",
                    f"{prefix}S3_BUCKET": f"{dep.app}-{slug(st.name)}",
                    f"{prefix}S3_ACCESS_KEY_ID": "minioadmin",
                    f"{prefix}S3_SECRET_ACCESS_KEY": "minioadmin",
                }
            )
    for i, (fam, svcs) in enumerate(_groups(dep)):
        for s in svcs:
            main = s.kind == "web_service" and s is next((x for x in svcs if x.kind == "web_service"), None)
            svc: dict[str, Any] = {
                "build": {"context": ".", "dockerfile": _dockerfile_name(i, fam)},
                "command": _command(s, main, dep),
                "env_file": [{"path": ".env", "required": False}],
                "environment": dict(local_env),
            }
            if s.port:
                svc["ports"] = [f"{s.port}:{s.port}"]
                svc["environment"]["PORT"] = str(s.port)
            if depends:
                svc["depends_on"] = dict(depends)
            services[slug(s.name)] = svc
    doc: dict[str, Any] = {"name": dep.app, "services": services}
    if volumes:
        doc["volumes"] = volumes
    head = (
        f"# {GENERATED} for {dep.title}, phase {dep.phase}: local development with the same\n"
        "# components as production (real PostgreSQL, Redis and S3-compatible MinIO servers).\n"
        "# Start: docker compose up --build\n"
    )
    return head + plain_yaml(doc)


# --------------------------------------------------------------------------- workflows
def _setup_steps(fam: str, ts: bool) -> list[dict[str, Any]]:
    if fam == "python":
        return [
            {"uses": "actions/setup-python@v6", "with": {"python-version": "3.12", "cache": "pip"}},
            {"run": "pip install -r requirements.txt"},
            {"run": "python -m pytest -q"},
        ]
    if fam == "node":
        steps: list[dict[str, Any]] = [
            {"uses": "actions/setup-node@v5", "with": {"node-version": "22", "cache": "npm"}},
            {"run": "npm ci"},
        ]
        if ts:
            steps.append({"run": "npm run build"})
        steps.append({"run": "npm test"})
        return steps
    return [
        {"uses": "actions/setup-go@v6", "with": {"go-version": "1.23"}},
        {"run": "go vet ./..."},
        {"run": "go test ./..."},
    ]


def ci_workflow(dep: Deploy) -> str:
    services: dict[str, Any] = {}
    env: dict[str, str] = {}
    kinds = dep.store_kinds()
    db = dep.app.replace("-", "_")
    if "postgres" in kinds:
        services["postgres"] = {
            "image": "postgres:16",
            "env": {"POSTGRES_USER": "app", "POSTGRES_PASSWORD": "app", "POSTGRES_DB": db},
            "ports": ["5432:5432"],
            "options": "--health-cmd pg_isready --health-interval 5s --health-timeout 3s --health-retries 10",
        }
    if kinds & {"redis", "kv"}:
        services["redis"] = {
            "image": "redis:7",
            "ports": ["6379:6379"],
            "options": '--health-cmd "redis-cli ping" --health-interval 5s --health-timeout 3s --health-retries 10',
        }
    for st in dep.stores:
        if st.kind == "postgres":
            env[st.env] = f"postgresql://app:app@localhost:5432/{db}"
        elif st.kind in ("redis", "kv") and st.provider != "cloudflare":
            env[st.env] = "redis://localhost:6379/0"
    jobs: dict[str, Any] = {}
    fams = [(fam, svcs) for fam, svcs in _groups(dep)]
    serverless = [s for s in dep.services if s not in [x for _, v in fams for x in v]]
    for fam, svcs in fams:
        job: dict[str, Any] = {"runs-on": "ubuntu-latest", "timeout-minutes": 20}
        if services:
            job["services"] = services
        if env:
            job["env"] = env
        job["steps"] = [{"uses": "actions/checkout@v5"}, *_setup_steps(fam, _typescript(svcs))]
        jobs[f"test-{fam}"] = job
    if serverless or (not fams and dep.frontend):
        jobs["test-node"] = {
            "runs-on": "ubuntu-latest",
            "timeout-minutes": 20,
            "steps": [{"uses": "actions/checkout@v5"}, *_setup_steps("node", True)],
        }
    if not jobs:
        jobs["test"] = {
            "runs-on": "ubuntu-latest",
            "timeout-minutes": 10,
            "steps": [{"uses": "actions/checkout@v5"}, {"run": "test -f .env.example"}],
        }
    doc = {
        "name": "CI",
        "on": {"push": {"branches": ["main"]}, "pull_request": None},
        "permissions": {"contents": "read"},
        "jobs": jobs,
    }
    head = (
        f"# {GENERATED} for {dep.title}, phase {dep.phase}: tests with service containers for exactly\n"
        "# the databases and caches the stack has.\n"
    )
    return head + workflow_yaml(doc)


def deploy_workflow(dep: Deploy) -> str:
    jobs: dict[str, Any] = {}
    checkout = {"uses": "actions/checkout@v5"}
    fly_files = fly_tomls(dep)
    if fly_files:
        steps: list[dict[str, Any]] = [checkout, {"uses": "superfly/flyctl-actions/setup-flyctl@v1"}]
        for name, text in fly_files.items():
            steps.append({"name": f"Deploy {name}", "run": f"flyctl deploy --remote-only --config {name}"})
            for group, count in _fly_counts(text, dep):
                steps.append(
                    {
                        "name": f"Scale {group} to the plan's {count} machine{'s' if count != 1 else ''}",
                        "run": f"flyctl scale count {count} --process-group {group} --config {name} --yes",
                    }
                )
        jobs["fly"] = {
            "runs-on": "ubuntu-latest",
            "environment": "production",
            "concurrency": {"group": "deploy-fly", "cancel-in-progress": False},
            "env": {"FLY_API_TOKEN": "${{ secrets.FLY_API_TOKEN }}"},
            "steps": steps,
        }
    railway = dep.by_provider("railway")
    if railway:
        steps = [checkout, {"run": "npm install --global @railway/cli@4"}]
        for s in railway:
            cfg = railway_configs(dep)[s.name]
            steps.append(
                {
                    "name": f"Deploy {s.name} (config: {cfg}, set as the service's config file path)",
                    "run": f"railway up --ci --service {slug(s.name)}",
                }
            )
        jobs["railway"] = {
            "runs-on": "ubuntu-latest",
            "environment": "production",
            "env": {"RAILWAY_TOKEN": "${{ secrets.RAILWAY_TOKEN }}"},
            "steps": steps,
        }
    render = dep.by_provider("render")
    if render:
        steps = []
        for s in render:
            var = f"RENDER_DEPLOY_HOOK_{slug(s.name).upper().replace('-', '_')}"
            steps.append(
                {
                    "name": f"Trigger the Render deploy of {s.name}",
                    "env": {"HOOK": f"${{{{ secrets.{var} }}}}"},
                    "run": 'curl --fail --silent --show-error --request POST "$HOOK"',
                }
            )
        jobs["render"] = {"runs-on": "ubuntu-latest", "environment": "production", "steps": steps}
    cf_dirs = cloudflare_dirs(dep)
    if cf_dirs:
        steps = [
            checkout,
            {"uses": "actions/setup-node@v5", "with": {"node-version": "22"}},
        ]
        for comp, d in cf_dirs.items():
            pages = dep.frontend is not None and comp == dep.frontend["name"]
            steps.append({"name": f"Install {comp}", "working-directory": d, "run": "npm ci"})
            if pages:
                steps.append({"name": f"Build {comp}", "working-directory": d, "run": "npm run build"})
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
        jobs["cloudflare"] = {"runs-on": "ubuntu-latest", "environment": "production", "steps": steps}
    vercel = dep.by_provider("vercel") or (dep.frontend is not None and dep.frontend["provider"] == "vercel")
    if vercel:
        jobs["vercel"] = {
            "runs-on": "ubuntu-latest",
            "environment": "production",
            "env": {
                "VERCEL_TOKEN": "${{ secrets.VERCEL_TOKEN }}",
                "VERCEL_ORG_ID": "${{ secrets.VERCEL_ORG_ID }}",
                "VERCEL_PROJECT_ID": "${{ secrets.VERCEL_PROJECT_ID }}",
            },
            "steps": [
                checkout,
                {"run": "npm install --global vercel@latest"},
                {"run": 'vercel pull --yes --environment=production --token "$VERCEL_TOKEN"'},
                {"run": 'vercel build --prod --token "$VERCEL_TOKEN"'},
                {"run": 'vercel deploy --prebuilt --prod --token "$VERCEL_TOKEN"'},
            ],
        }
    if dep.frontend is not None and dep.frontend["provider"] == "render" and "render" not in jobs:
        jobs["render"] = {
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
    if not jobs:
        return ""
    doc = {
        "name": "Deploy",
        "on": {"push": {"branches": ["main"]}, "workflow_dispatch": None},
        "permissions": {"contents": "read"},
        "concurrency": {"group": "deploy", "cancel-in-progress": False},
        "jobs": jobs,
    }
    head = (
        f"# {GENERATED} for {dep.title}, phase {dep.phase}: deploys to {', '.join(dep.hosts)}.\n"
        "# Secrets are read by name only; create them under Settings > Secrets and variables > Actions.\n"
    )
    return head + workflow_yaml(doc)


# --------------------------------------------------------------------------- monitoring
def alert_rules(dep: Deploy) -> str:
    rules = [
        {
            "alert": a.name,
            "expr": a.expr,
            "for": "1h" if "[1d]" in a.expr else "15m",
            "labels": {"severity": "warning", "app": dep.app, "component": a.component},
            "annotations": {
                "summary": a.summary,
                "description": (
                    f"tierplan watches {a.metric} of {a.component}: the plan's limit is {a.limit:.6g}, "
                    f"this alert fires at {a.threshold:.6g}. Past it the stack of phase {dep.phase} no "
                    "longer fits; see the plan's next phase and `tierplan runbook`."
                ),
            },
        }
        for a in dep.alerts
    ]
    doc = {"groups": [{"name": f"tierplan-{dep.app}-phase-{dep.phase}", "rules": rules}]}
    head = (
        f"# {GENERATED} for {dep.title}, phase {dep.phase}: Prometheus alerting rules from the limits\n"
        "# the plan watches (headroom x limit). Check: promtool check rules monitoring/alerts.yml\n"
    )
    return head + plain_yaml(doc, 200)


def uptime_file(dep: Deploy) -> str:
    head = (
        f"# {GENERATED} for {dep.title}, phase {dep.phase}: uptime checks to create in the uptime\n"
        "# service (URL, interval, expected status).\n"
    )
    return head + plain_yaml({"checks": dep.uptime})


# --------------------------------------------------------------------------- all
def service_commands(dep: Deploy) -> tuple[dict[str, str], dict[str, str]]:
    """The command line and the Dockerfile of each containerised service."""
    commands: dict[str, str] = {}
    files: dict[str, str] = {}
    for i, (fam, svcs) in enumerate(_groups(dep)):
        main = next((s for s in svcs if s.kind == "web_service"), svcs[0])
        for s in svcs:
            commands[s.name] = " ".join(_command(s, s is main, dep))
            files[s.name] = _dockerfile_name(i, fam)
    return commands, files


def render_files(dep: Deploy) -> dict[str, str]:
    files: dict[str, str] = {}
    files.update(dockerfiles(dep))
    files.update(fly_tomls(dep))
    files.update(platform_files(dep, *service_commands(dep)))
    files[".env.example"] = env_example(dep)
    files["docker-compose.yml"] = compose(dep)
    files[".github/workflows/ci.yml"] = ci_workflow(dep)
    deploy = deploy_workflow(dep)
    if deploy:
        files[".github/workflows/deploy.yml"] = deploy
    if dep.alerts:
        files["monitoring/alerts.yml"] = alert_rules(dep)
    if dep.uptime:
        files["monitoring/uptime.yml"] = uptime_file(dep)
    files["DEPLOY.md"] = deploy_readme(dep, files)
    return files


_ = HOST_URL
