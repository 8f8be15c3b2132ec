"""Render the deploy files of a `Deploy` (pure: returns {relative path: text}).

Conventions the files share (stated in their headers): one container image per runtime, built from
the repository root; each process (web, worker, realtime) runs that image with its own command;
configuration comes from the environment variables listed in .env.example. The platform files
(fly.toml, render.yaml, railway.json, wrangler.toml, vercel.json), each platform's job of the
deploy workflow and its DEPLOY.md section come from the platform adapters (tierplan.platforms).
"""

from __future__ import annotations

import json
from typing import Any

from ..platforms import PLATFORMS, Output, platform
from ..platforms.fly import fly_vm
from ..templates_env import environment
from ..yamltext import plain_yaml, workflow_yaml
from . import runtimes
from .deploy import GENERATED, Deploy, Service, Store, runtime_family, slug
from .setup import deploy_readme

__all__ = ["render_files", "runtime_family", "fly_vm"]


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
    if fam in runtimes.FAMILIES:
        return runtimes.command(s, main, dep, fam)
    return ["./start"]


def _groups(dep: Deploy) -> list[tuple[str, list[Service]]]:
    """Services by runtime family, in profile order (the first group is the main image)."""
    return [(img.family, list(img.services)) for img in dep.images]


def _addressed(st: Store) -> bool:
    """The store has an address in the environment (not a binding in its platform's config)."""
    return bool(platform(st.provider).settings(st.kind, st.env))


# --------------------------------------------------------------------------- Dockerfiles
def dockerfiles(dep: Deploy) -> dict[str, str]:
    env = environment()
    out: dict[str, str] = {}
    for img in dep.images:
        fam, svcs = img.family, list(img.services)
        if fam not in ("python", "node", "go", *runtimes.FAMILIES):
            from ..errors import InputError, Problem

            raise InputError(
                dep.path,
                [
                    Problem(
                        f"components.{svcs[0].name}.runtime",
                        f"tierplan gen has no Dockerfile for runtime {svcs[0].runtime!r} yet "
                        "(python, node, typescript, javascript, go, "
                        + ", ".join(runtimes.FAMILIES)
                        + " are supported)",
                    )
                ],
            )
        main = img.main
        name = img.dockerfile
        cmd = _command(main, True, dep)
        others = [s for s in svcs if s is not main]
        note = "default command: " + main.name
        if others:
            note += "; " + ", ".join(f"{s.name} runs: {' '.join(_command(s, False, dep))}" for s in others)
        port = main.port or ""
        health_path = main.health_path or "/"
        extra = runtimes.image_context(img, dep, port, health_path) if fam in runtimes.FAMILIES else {}
        out[name] = env.get_template(f"gen/Dockerfile.{fam}.j2").render(
            title=dep.title,
            names=", ".join(s.name for s in svcs),
            framework=main.framework,
            runtime=main.runtime,
            phase=dep.phase,
            filename=name,
            app=dep.app,
            port=port,
            health_path=health_path,
            typescript=_typescript(svcs),
            cmd=json.dumps(cmd),
            cmd_note=note,
            **extra,
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
                *runtimes.dockerignore([img.family for img in dep.images]),
                "",
            ]
        )
    return out


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
        elif st.kind in ("redis", "kv") and st.env.endswith("_URL") and _addressed(st):
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
    for img in dep.images:
        svcs = list(img.services)
        for s in svcs:
            main = s.kind == "web_service" and s is next((x for x in svcs if x.kind == "web_service"), None)
            svc: dict[str, Any] = {
                "build": {"context": ".", "dockerfile": img.dockerfile},
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
def _setup_steps(fam: str, ts: bool, svcs: list[Service], dep: Deploy) -> list[dict[str, Any]]:
    if fam in runtimes.FAMILIES:
        return runtimes.ci_steps(fam, svcs, dep)
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
        elif st.kind in ("redis", "kv") and _addressed(st):
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
        job["steps"] = [{"uses": "actions/checkout@v5"}, *_setup_steps(fam, _typescript(svcs), svcs, dep)]
        jobs[f"test-{fam}"] = job
    if serverless or (not fams and dep.frontend):
        jobs["test-node"] = {
            "runs-on": "ubuntu-latest",
            "timeout-minutes": 20,
            "steps": [{"uses": "actions/checkout@v5"}, *_setup_steps("node", True, [], dep)],
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


def deploy_workflow(dep: Deploy, outputs: list[tuple[str, Output]]) -> str:
    """The deploy workflow: one job per platform that deploys something of the stack."""
    jobs: dict[str, Any] = {p: out.job for p, out in outputs if out.job is not None}
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
def render_files(dep: Deploy) -> dict[str, str]:
    def start(s: Service, main: bool) -> str:
        return " ".join(_command(s, main, dep))

    outputs = [(p.id, p.output(dep, start)) for p in PLATFORMS.values()]
    files: dict[str, str] = {}
    files.update(dockerfiles(dep))
    for _p, out in outputs:
        files.update(out.files)
    files[".env.example"] = env_example(dep)
    files["docker-compose.yml"] = compose(dep)
    files[".github/workflows/ci.yml"] = ci_workflow(dep)
    deploy = deploy_workflow(dep, outputs)
    if deploy:
        files[".github/workflows/deploy.yml"] = deploy
    for sc in dep.schedules:
        if sc.cron is not None:
            files.update(platform(sc.provider).schedule_files(dep.title, dep.phase, sc.name, sc.cron, sc.seconds_per_run))
    if dep.alerts:
        files["monitoring/alerts.yml"] = alert_rules(dep)
    if dep.uptime:
        files["monitoring/uptime.yml"] = uptime_file(dep)
    files["DEPLOY.md"] = deploy_readme(
        dep, files, [out.setup for _p, out in outputs if out.setup is not None]
    )
    return files
