"""Platform adapters: what differs per deploy platform, shared by `tierplan gen` and `tierplan runbook`.

One module per platform (fly, render, railway, cloudflare, vercel, aws, neon, supabase, upstash),
each a class implementing `Platform`, and one explicit registry (`PLATFORMS`) from the catalog's
provider id to its adapter. `platform(provider)` is the only place provider ids are looked up:
a provider that is not in the registry is a SaaS entry of `saas.SAAS` (email, errors, logs,
uptime, TURN: credentials and plan pages, no deploy platform) or, if tierplan knows nothing about
it, a `Generic` adapter whose steps are dashboard actions in words.

The deploy model (gen/deploy.py) says what runs where; the adapters say how each platform names
it, which config files it needs (fly.toml per app, render.yaml, railway.json, wrangler.toml,
vercel.json), how it is deployed, scaled, resized and given its secrets, how its databases are
created, replicated from and deleted, and where a domain points. Adding a deploy platform is one
module here plus one registry line (docs/adding-a-provider.md).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Protocol

from .aws import Aws
from .base import (
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
)
from .cloudflare import Cloudflare
from .fly import Fly
from .neon import Neon
from .railway import Railway
from .render import Render
from .saas import SAAS
from .supabase import Supabase
from .upstash import Upstash
from .vercel import Vercel

if TYPE_CHECKING:
    from ..gen.deploy import Deploy, Service, Store

__all__ = [
    "Platform",
    "PLATFORMS",
    "NOT_DEPLOYABLE",
    "platform",
    "Placement",
    "Host",
    "Cmds",
    "Rollout",
    "Created",
    "DnsTarget",
    "Setting",
    "S3",
    "HostSetup",
    "Output",
    "NewStore",
    "Shell",
    "Start",
    "Generic",
]


class Platform(Protocol):
    """What `tierplan gen` and `tierplan runbook` ask of a platform. `Generic` implements all of it
    with dashboard steps in words; an adapter overrides what its platform does differently."""

    #: the catalog's provider id
    id: str
    #: a service keeps its name and public URL when it changes region (no DNS change)
    region_in_place: bool
    #: after a region change in place, the old region's machines stay until scaled to zero
    region_moves_leave_machines: bool

    # ---- gen: names, files, variables
    def containerless(self, service: Service) -> bool: ...
    def hosts(self, dep: Deploy) -> dict[str, Host]: ...
    def output(self, dep: Deploy, start: Start) -> Output: ...
    def store_setup(self, app: str, store: Store) -> str | None: ...
    def schedule_setup(self, app: str, job: str, cron: str) -> str: ...
    def schedule_files(
        self, title: str, phase: int | None, job: str, cron: str, seconds_per_run: float
    ) -> dict[str, str]: ...
    def settings(self, kind: str, var: str, public: bool = False) -> list[Setting]: ...
    def s3(self) -> S3: ...
    def public_url(self, app: str, comp: str, frontend: bool) -> str: ...

    # ---- runbook: a service (or the frontend) on its host
    def set_env(self, sh: Shell, h: Host, pairs: list[tuple[str, str]], stage: bool) -> Cmds: ...
    def unset_env(self, h: Host, names: list[str]) -> list[str]: ...
    def scale(self, sh: Shell, h: Host, n: int) -> Cmds: ...
    def status(self, sh: Shell, h: Host) -> list[str]: ...
    def resize(self, sh: Shell, h: Host, size: str | None, memory_mb: int | None) -> Cmds: ...
    def deploy(self, sh: Shell, h: Host, same_app: bool, phase: int) -> Rollout: ...
    def destroy(self, sh: Shell, h: Host, still: Host | None) -> Cmds: ...
    def dns(self, sh: Shell, h: Host) -> DnsTarget: ...

    # ---- runbook: plans and stores
    def plan_change(self, sh: Shell, comp: str, kind: str, old: Placement, new: Placement) -> Cmds: ...
    def resize_store(self, sh: Shell, comp: str, kind: str, frm: Placement, to: Placement) -> Cmds: ...
    def admin_where(self, sh: Shell, comp: str, kind: str, region: str | None) -> str: ...
    def create(self, sh: Shell, new: NewStore) -> Created: ...
    def store_check(self, sh: Shell, comp: str, kind: str, env: str, at: Placement) -> list[str]: ...
    def enable_replication(self, sh: Shell, comp: str, admin_url: str, at: Placement) -> Cmds: ...
    def delete(self, sh: Shell, comp: str, kind: str, at: Placement) -> Cmds: ...
    def queue_drain(self, sh: Shell, env: str, at: Placement) -> list[str]: ...
    def rebind(self, comp: str, kind: str, name: str) -> Cmds | None: ...
    def kv_copy(self, sh: Shell, comp: str, source: bool) -> list[str]: ...

    # ---- runbook: SaaS
    def verify(self, sh: Shell, comp: str, kind: str, names: Collection[str]) -> Cmds | None: ...


#: the deploy platforms, by catalog provider id; gen writes their files, workflow jobs and
#: DEPLOY.md sections in this order
PLATFORMS: dict[str, Platform] = {
    "fly": Fly("fly"),
    "railway": Railway("railway"),
    "render": Render("render"),
    "cloudflare": Cloudflare("cloudflare"),
    "vercel": Vercel("vercel"),
    "aws": Aws("aws"),
    "neon": Neon("neon"),
    "supabase": Supabase("supabase"),
    "upstash": Upstash("upstash"),
}

#: providers of the bundled catalog that host an app's code or data but have no adapter, with the
#: reason (their components get `Generic`'s dashboard steps)
NOT_DEPLOYABLE: dict[str, str] = {
    "hetzner": "plain virtual servers: no platform deploys a container or creates a database there, "
    "so gen gives dashboard steps (and DEPLOY.md's self-run section for coturn)",
}


def platform(provider: str) -> Platform:
    """The adapter of a catalog provider: its deploy platform, its SaaS entry, or `Generic`."""
    return PLATFORMS.get(provider) or SAAS.get(provider) or Generic(provider)
