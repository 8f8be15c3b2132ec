"""The vocabulary of components: every component kind with the roles the planner gives it.

One row per kind (the catalog's ``hosts`` and the profile's ``kind`` use the same names). A role
is a named field, so code asks ``KINDS[kind].stores_data`` instead of testing the kind against a
list of names of its own; the few lists that remain (``kinds_where``) are views of this table.

Some roles look alike but differ on purpose or by history (kept as they were; see each doc):
``stores_data`` (data residency) includes redis but ``moves_stored_data`` (transfer on a move)
does not; ``server_store`` (kept up under database failover, backup risks) has redis but not kv;
``deploy_as == "store"`` (gen, runbook) also counts the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["ComponentKind", "DeployAs", "KINDS", "kinds_where"]

#: what ``tierplan gen`` and the runbook make of a component: a process running the app's code, a
#: data store with a connection variable, the web frontend, or an external (SaaS) service
DeployAs = Literal["service", "store", "frontend", "external"]


@dataclass(frozen=True)
class ComponentKind:
    """One component kind: its name, what it is in a few words, and its roles."""

    name: str
    doc: str
    #: service: runs the app's own code as processes (instances sized on CPU and memory, runtimes,
    #: a second instance for high availability, never sleeps when it must stay up; a gen Service);
    #: store: a data component (a gen Store with ``store_env``); frontend: the web frontend;
    #: external: a SaaS service (an account, API keys)
    deploy_as: DeployAs
    #: a process answering users' HTTP or WebSocket requests: a port, a health check, the web
    #: process type, a DNS switch when it moves
    serves_web: bool = False
    #: calls the ``called_by_api`` components on every request (unless the profile lists its
    #: ``calls``): end-to-end latency and co-location with what it calls
    calls_stores: bool = False
    #: a database: failover, backup and point-in-time-recovery requirements apply; a move is a
    #: dump and restore with downtime; ``latency.db_round_trips_per_request`` per API request
    database: bool = False
    #: a cache or key-value store: ``latency.cache_round_trips_per_request`` per API request;
    #: in-memory only when the plan is not persistent
    cache: bool = False
    #: keeps the app's data at rest: requirements.data_residency applies (kv and object storage
    #: included; the queue is not)
    stores_data: bool = False
    #: its ``storage_gb`` is copied when it moves to another provider or place (transfer cost and
    #: time); redis is not (a cache is rebuilt; its dataset is ``dataset_mb`` anyway)
    moves_stored_data: bool = False
    #: a store whose live state sits in one running server (a database or Redis, unlike kv and
    #: object storage): kept running (no scale to zero) when database failover is required, and
    #: reported at risk without backups
    server_store: bool = False
    #: its ``egress_gb_per_month`` is traffic to the app, free when co-located with its callers
    app_egress: bool = False
    #: the environment variable a store's connection goes into (gen, runbook)
    store_env: str | None = None
    #: the assumption with the hours a move of this kind takes (migration costs)
    migration_hours_key: str = "migration.hours.default"

    # derived from the fields above (set once, read as plain attributes on every evaluation)
    #: runs the app's own code as processes (``deploy_as == "service"``)
    runs_code: bool = field(init=False)
    #: the app's code is deployed to it (a service or the frontend): zero-downtime deploys apply,
    #: and a runbook regenerates its deploy files
    deploys_code: bool = field(init=False)
    #: a web service calls it over the network on each request (a database or a cache)
    called_by_api: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "runs_code", self.deploy_as == "service")
        object.__setattr__(self, "deploys_code", self.deploy_as in ("service", "frontend"))
        object.__setattr__(self, "called_by_api", self.database or self.cache)


def _hours(kind: str) -> str:
    return f"migration.hours.{kind}"


_K = [
    ComponentKind(
        "web_service",
        "the app's API or server-rendered site",
        "service",
        serves_web=True,
        calls_stores=True,
        migration_hours_key=_hours("web_service"),
    ),
    ComponentKind("worker", "background jobs", "service", migration_hours_key=_hours("worker")),
    ComponentKind(
        "postgres",
        "a PostgreSQL database",
        "store",
        database=True,
        stores_data=True,
        moves_stored_data=True,
        server_store=True,
        app_egress=True,
        store_env="DATABASE_URL",
        migration_hours_key=_hours("postgres"),
    ),
    ComponentKind(
        "sqlite",
        "a SQLite database (Cloudflare D1)",
        "store",
        database=True,
        stores_data=True,
        moves_stored_data=True,
        server_store=True,
        store_env="DATABASE_URL",
        migration_hours_key=_hours("sqlite"),
    ),
    ComponentKind(
        "redis",
        "Redis: a cache, job broker, sessions or rate limits",
        "store",
        cache=True,
        stores_data=True,
        server_store=True,
        app_egress=True,
        store_env="REDIS_URL",
        migration_hours_key=_hours("redis"),
    ),
    ComponentKind(
        "kv",
        "a key-value store (Workers KV)",
        "store",
        cache=True,
        stores_data=True,
        moves_stored_data=True,
        store_env="KV_URL",
        migration_hours_key=_hours("kv"),
    ),
    ComponentKind(
        "object_storage",
        "files in buckets (S3, R2...)",
        "store",
        stores_data=True,
        moves_stored_data=True,
        store_env="S3_ENDPOINT",
        migration_hours_key=_hours("object_storage"),
    ),
    ComponentKind(
        "web_frontend",
        "the web frontend (static, SPA or SSR)",
        "frontend",
        migration_hours_key=_hours("web_frontend"),
    ),
    ComponentKind(
        "realtime",
        "WebSocket servers (or Durable Objects)",
        "service",
        serves_web=True,
        migration_hours_key=_hours("realtime"),
    ),
    ComponentKind("turn", "a TURN relay for calls", "external"),
    ComponentKind("queue", "a message queue", "store", store_env="QUEUE_URL"),
    ComponentKind("email", "transactional email", "external"),
    ComponentKind("messaging", "WhatsApp messages", "external"),
    ComponentKind("uptime", "uptime monitoring", "external"),
    ComponentKind("error_tracking", "error tracking", "external"),
    ComponentKind("logging", "log management", "external"),
    ComponentKind("auth", "user sign-in (managed authentication, priced per monthly active user)", "external"),
    ComponentKind("scheduled_job", "a job run on a schedule (cron)", "external"),
]

KINDS: dict[str, ComponentKind] = {k.name: k for k in _K}


def kinds_where(role: Callable[[ComponentKind], bool]) -> tuple[str, ...]:
    """The kinds with a role, in table order: ``kinds_where(lambda k: k.stores_data)``."""
    return tuple(name for name, k in KINDS.items() if role(k))
