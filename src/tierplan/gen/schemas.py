"""The project's own schemas for platform files that have no schema usable offline.

fly.toml, render.yaml, railway.json and vercel.json have no published schema that works without the
network (checked 2026-11-22: none in check-jsonschema, SchemaStore or PyPI), so `tierplan gen` output is checked against these models: the
keys and types each platform documents for the parts tierplan writes (unknown keys are errors, so a
typo cannot pass), plus what the catalog knows the platform accepts (Fly.io regions, VM presets and
their memory range; Render and Railway regions and plans). Each `check_*` returns problems as
"key.path: what is wrong" strings; an empty list means the file is valid.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..catalog.loader import Catalog
from ..platforms.railway import RAILWAY_REGION_IDS

__all__ = ["check_fly_toml", "check_render_yaml", "check_railway_json", "check_vercel_json"]

Duration = Annotated[str, Field(pattern=r"^\d+(ms|s|m|h)$")]
Port = Annotated[int, Field(ge=1, le=65535)]
Path_ = Annotated[str, Field(pattern=r"^/")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# --------------------------------------------------------------------------- fly.toml
class FlyCheck(_Strict):
    grace_period: Duration
    interval: Duration
    method: Literal["GET", "HEAD", "POST"]
    path: Path_
    timeout: Duration


class FlyConcurrency(_Strict):
    type: Literal["requests", "connections"]
    soft_limit: Annotated[int, Field(ge=1)]
    hard_limit: Annotated[int, Field(ge=1)]

    @model_validator(mode="after")
    def _order(self) -> FlyConcurrency:
        if self.soft_limit > self.hard_limit:
            raise ValueError(f"soft_limit {self.soft_limit} is above hard_limit {self.hard_limit}")
        return self


class FlyHttpService(_Strict):
    internal_port: Port
    force_https: bool
    auto_stop_machines: Literal["off", "stop", "suspend"]
    auto_start_machines: bool
    min_machines_running: Annotated[int, Field(ge=0)]
    processes: list[str]
    concurrency: FlyConcurrency | None = None
    checks: list[FlyCheck] = []


class FlyVm(_Strict):
    size: str
    memory: Annotated[str, Field(pattern=r"^\d+(mb|gb)$")]
    processes: list[str]


class FlyBuild(_Strict):
    dockerfile: str


class FlyDeploy(_Strict):
    strategy: Literal["rolling", "immediate", "canary", "bluegreen"]
    release_command: str | None = None


class FlyToml(_Strict):
    app: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
    primary_region: str
    kill_signal: Literal["SIGINT", "SIGTERM", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGKILL", "SIGSTOP"]
    kill_timeout: Duration
    build: FlyBuild
    processes: dict[str, str]
    deploy: FlyDeploy
    http_service: FlyHttpService | None = None
    vm: list[FlyVm]

    @model_validator(mode="after")
    def _processes(self) -> FlyToml:
        named = set(self.processes)
        used = list(self.http_service.processes if self.http_service else [])
        for v in self.vm:
            used += v.processes
        for p in used:
            if p not in named:
                raise ValueError(f"process group {p!r} is not defined under [processes]")
        if self.deploy.strategy == "bluegreen" and not (self.http_service and self.http_service.checks):
            raise ValueError("the bluegreen strategy needs health checks on the http_service")
        return self


def _mb(text: str) -> int:
    n = int(re.sub(r"\D", "", text))
    return n * 1024 if text.endswith("gb") else n


def _fly_presets(catalog: Catalog) -> dict[str, set[int]]:
    """VM preset -> memory sizes (MB) the catalog lists for it (its range in 256 MB steps)."""
    found: dict[str, list[int]] = {}
    prov = catalog.providers.get("fly")
    if prov is None:
        return {}
    for svc in prov.services:
        for plan in svc.plans:
            for size in getattr(plan.instances, "sizes", None) or []:
                m = re.match(r"^((shared-cpu|performance)-\d+x)-", size.id)
                if m:
                    found.setdefault(m.group(1), []).append(int(size.memory_mb))
    return {k: set(range(min(v), max(v) + 1, 256)) for k, v in found.items()}


def _problems(e: ValidationError) -> list[str]:
    return [f"{'.'.join(str(x) for x in err['loc']) or '(top)'}: {err['msg']}" for err in e.errors()]


M = TypeVar("M", bound=BaseModel)

_PARSERS: dict[str, tuple[Any, type[Exception]]] = {
    "toml": (tomllib.loads, tomllib.TOMLDecodeError),
    "yaml": (yaml.safe_load, yaml.YAMLError),
    "json": (json.loads, json.JSONDecodeError),
}


def _parse(text: str, syntax: str, model: type[M]) -> tuple[M | None, list[str]]:
    """The file parsed and validated against ``model``, or None and the problems."""
    load, error = _PARSERS[syntax]
    try:
        doc = load(text)
    except error as e:
        return None, [f"({syntax}): {e}"]
    try:
        return model.model_validate(doc), []
    except ValidationError as e:
        return None, _problems(e)


def check_fly_toml(text: str, catalog: Catalog) -> list[str]:
    fly, problems = _parse(text, "toml", FlyToml)
    if fly is None:
        return problems
    out = []
    prov = catalog.providers.get("fly")
    regions = {r.id for r in prov.regions} if prov else set()
    if regions and fly.primary_region not in regions:
        out.append(
            f"primary_region: {fly.primary_region!r} is not a Fly.io region ({', '.join(sorted(regions))})"
        )
    presets = _fly_presets(catalog)
    for i, v in enumerate(fly.vm):
        if v.size not in presets:
            out.append(f"vm.{i}.size: {v.size!r} is not a Fly.io VM preset ({', '.join(sorted(presets))})")
        elif _mb(v.memory) not in presets[v.size]:
            lo, hi = min(presets[v.size]), max(presets[v.size])
            out.append(f"vm.{i}.memory: {v.memory} is outside {v.size}'s {lo}-{hi} MB in 256 MB steps")
    return out


# --------------------------------------------------------------------------- render.yaml
class RenderAllow(_Strict):
    source: str
    description: str


class RenderEnvFrom(_Strict):
    name: str
    property: Literal["connectionString", "host", "port", "user", "password", "database"]


class RenderEnvVar(_Strict):
    key: Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]
    value: str | None = None
    sync: bool | None = None
    generateValue: bool | None = None  # noqa: N815 (Render's key)
    fromDatabase: RenderEnvFrom | None = None  # noqa: N815
    fromService: dict[str, str] | None = None  # noqa: N815

    @model_validator(mode="after")
    def _one_source(self) -> RenderEnvVar:
        n = sum(
            x is not None
            for x in (self.value, self.sync, self.generateValue, self.fromDatabase, self.fromService)
        )
        if n != 1:
            raise ValueError(
                f"{self.key}: exactly one of value, sync, generateValue, fromDatabase, fromService"
            )
        return self


class RenderDatabase(_Strict):
    name: str
    plan: str
    region: str
    postgresMajorVersion: Annotated[str, Field(pattern=r"^1[3-8]$")]  # noqa: N815
    databaseName: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]  # noqa: N815
    ipAllowList: list[RenderAllow]  # noqa: N815
    highAvailability: dict[str, bool] | None = None  # noqa: N815


class RenderService(_Strict):
    type: Literal["web", "worker", "pserv", "keyvalue", "cron"]
    name: str
    plan: str
    region: str | None = None
    runtime: Literal["docker", "static", "node", "python", "go"] | None = None
    dockerfilePath: str | None = None  # noqa: N815
    dockerCommand: str | None = None  # noqa: N815
    healthCheckPath: Path_ | None = None  # noqa: N815
    numInstances: Annotated[int, Field(ge=1)] | None = None  # noqa: N815
    buildCommand: str | None = None  # noqa: N815
    staticPublishPath: str | None = None  # noqa: N815
    ipAllowList: list[RenderAllow] | None = None  # noqa: N815
    maxmemoryPolicy: (  # noqa: N815
        Literal["noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu", "volatile-ttl"]
        | None
    ) = None
    envVars: list[RenderEnvVar] | None = None  # noqa: N815

    @model_validator(mode="after")
    def _kind(self) -> RenderService:
        if self.type == "keyvalue" and self.ipAllowList is None:
            raise ValueError(f"{self.name}: a keyvalue service needs ipAllowList")
        if self.type != "keyvalue" and self.runtime is None:
            raise ValueError(f"{self.name}: runtime is required")
        return self


class RenderYaml(_Strict):
    services: list[RenderService] = []
    databases: list[RenderDatabase] = []


def check_render_yaml(text: str, catalog: Catalog) -> list[str]:
    r, problems = _parse(text, "yaml", RenderYaml)
    if r is None:
        return problems
    out = []
    prov = catalog.providers.get("render")
    regions = {x.id for x in prov.regions} if prov else set()
    plans = {p.id for s in prov.services for p in s.plans} if prov else set()
    names = [x.name for x in r.services] + [d.name for d in r.databases]
    if len(names) != len(set(names)):
        out.append("(top): service and database names must be unique")
    groups: list[tuple[str, list[Any]]] = [("databases", r.databases), ("services", r.services)]
    for key, items in groups:
        for i, x in enumerate(items):
            if x.region is not None and regions and x.region not in regions:
                out.append(
                    f"{key}.{i}.region: {x.region!r} is not a Render region ({', '.join(sorted(regions))})"
                )
            if plans and x.plan not in plans:
                out.append(f"{key}.{i}.plan: {x.plan!r} is not a Render plan in the catalog")
    dbs = {d.name for d in r.databases}
    for i, s in enumerate(r.services):
        for v in s.envVars or []:
            if v.fromDatabase is not None and v.fromDatabase.name not in dbs:
                out.append(f"services.{i}.envVars.{v.key}: database {v.fromDatabase.name!r} is not defined")
    return out


# --------------------------------------------------------------------------- railway.json
class RailwayBuild(_Strict):
    builder: Literal["DOCKERFILE", "RAILPACK", "NIXPACKS"]
    dockerfilePath: str | None = None  # noqa: N815
    watchPatterns: list[str] | None = None  # noqa: N815


class RailwayReplicas(_Strict):
    numReplicas: Annotated[int, Field(ge=0, le=50)]  # noqa: N815


class RailwayDeploy(_Strict):
    startCommand: str | None = None  # noqa: N815
    healthcheckPath: Path_ | None = None  # noqa: N815
    healthcheckTimeout: Annotated[int, Field(ge=1, le=3600)] | None = None  # noqa: N815
    restartPolicyType: Literal["ON_FAILURE", "ALWAYS", "NEVER"]  # noqa: N815
    restartPolicyMaxRetries: Annotated[int, Field(ge=0)] | None = None  # noqa: N815
    sleepApplication: bool | None = None  # noqa: N815
    overlapSeconds: Annotated[int, Field(ge=0)] | None = None  # noqa: N815
    drainingSeconds: Annotated[int, Field(ge=0)] | None = None  # noqa: N815
    multiRegionConfig: dict[str, RailwayReplicas] | None = None  # noqa: N815


class RailwayJson(_Strict):
    schema_: str = Field(alias="$schema")
    build: RailwayBuild
    deploy: RailwayDeploy


def check_railway_json(text: str, catalog: Catalog) -> list[str]:
    r, problems = _parse(text, "json", RailwayJson)
    if r is None:
        return problems
    out = []
    prov = catalog.providers.get("railway")
    known = {RAILWAY_REGION_IDS.get(x.id, x.id) for x in prov.regions} if prov else set()
    for region in r.deploy.multiRegionConfig or {}:
        if known and region not in known:
            out.append(
                f"deploy.multiRegionConfig.{region}: not a Railway region ({', '.join(sorted(known))})"
            )
    if r.build.builder == "DOCKERFILE" and not r.build.dockerfilePath:
        out.append("build.dockerfilePath: required with the DOCKERFILE builder")
    return out


# --------------------------------------------------------------------------- vercel.json
class VercelHeader(_Strict):
    key: str
    value: str


class VercelHeaders(_Strict):
    source: str
    headers: list[VercelHeader]


class VercelJson(_Strict):
    schema_: str = Field(alias="$schema")
    framework: str | None = None
    regions: list[str] | None = None
    cleanUrls: bool | None = None  # noqa: N815
    headers: list[VercelHeaders] | None = None
    rewrites: list[dict[str, str]] | None = None


def check_vercel_json(text: str, catalog: Catalog) -> list[str]:
    v, problems = _parse(text, "json", VercelJson)
    if v is None:
        return problems
    out = []
    prov = catalog.providers.get("vercel")
    regions = {x.id for x in prov.regions} if prov else set()
    for i, reg in enumerate(v.regions or []):
        if regions and reg not in regions:
            out.append(f"regions.{i}: {reg!r} is not a Vercel region in the catalog")
    for i, r in enumerate(v.rewrites or []):
        if set(r) != {"source", "destination"}:
            out.append(f"rewrites.{i}: needs exactly source and destination")
    return out
