"""The migration runbook between two phases of the plan: `tierplan runbook` (docs/runbook.md).

Everything here is derived from what changes between the two phases' stacks. For each component
the provider, plan, instance size, region and instance count at the end of the first phase are
compared with the start and the end of the second; a component where none of them changes does
not appear. Each change becomes ordered steps with shell commands for the providers involved:

* count only: scale out (``flyctl scale count``, ``railway scale``, Render's scale API);
* size only: resize in place (``flyctl scale vm``, ``aws rds modify-db-instance``);
* same provider and region, another plan: a plan change (an API call or a dashboard change);
* another provider or region: a move. Services are deployed on the new host before traffic
  moves (DNS for web-facing ones); data stores are provisioned, copied and cut over; SaaS
  components get new credentials on every host.

A database moves by pg_dump/pg_restore (a write freeze for the whole copy, estimated from its size
with migration.downtime_minutes_per_gb and migration.downtime_minutes_fixed) when it is at most
migration.dump_restore_max_gb and the profile does not require zero downtime by then; otherwise by
logical replication, where the freeze is only the cut-over. Every step that changes something
says how to undo it. Commands read every value that is not known from the plan (connection
strings, API keys, domains) from shell variables, listed with where to find them.

All functions are pure except `write_runbook`.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .engine.planner import Planner, StackPoint
from .engine.result import Phase, Plan
from .errors import InputError
from .pricing import Evaluation

__all__ = [
    "Placement",
    "Change",
    "DataMove",
    "MoveCost",
    "Variable",
    "Step",
    "Runbook",
    "runbook",
    "build_runbook",
    "diff_stacks",
    "dump_restore_minutes",
    "choose_db_method",
    "render_markdown",
    "runbook_json",
    "write_runbook",
]

#: the order steps run in; each step belongs to one stage
STAGES = ("capacity", "provision", "copy", "deploy", "switch", "cutover", "dns", "later", "cleanup")
STAGE_TITLES = {
    "capacity": "capacity on the current hosts",
    "provision": "new resources",
    "copy": "data copy",
    "deploy": "deploy on the new host",
    "switch": "switch a service",
    "cutover": "cut-over",
    "dns": "DNS",
    "later": "later in the phase",
    "cleanup": "clean-up after the rollback window",
}
CODE_KINDS = ("web_service", "worker", "realtime")
WEB_KINDS = ("web_service", "realtime")
DATA_KINDS = ("postgres", "sqlite", "redis", "kv", "object_storage", "queue")
#: providers where a service keeps its name (and public URL) when it changes region
REGION_IN_PLACE = ("fly", "railway", "cloudflare", "vercel")
PUBLICATION = "tierplan_move"


# --------------------------------------------------------------------------- data model
@dataclass(frozen=True)
class Placement:
    """Where a component runs at one scale."""

    provider: str
    provider_name: str
    plan: str
    plan_name: str
    size: str | None
    region: str | None
    instances: int
    label: str
    account: str | None = None

    def short(self) -> str:
        s = f"{self.provider} {self.plan}"
        if self.size and self.size != self.plan:
            s += f" {self.size}"
        if self.region:
            s += f" ({self.region})"
        return s


@dataclass(frozen=True)
class Change:
    """What changes for one component: at the end of phase K (old), the start of phase K2 (new)
    and the end of phase K2 (end)."""

    component: str
    kind: str
    old: Placement
    new: Placement
    end: Placement
    fields: tuple[str, ...]  # provider, plan, size, region, instances
    category: str  # move | plan | resize | scale
    reasons: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        o, n, e = self.old, self.new, self.end
        if self.category == "move":
            s = f"moves from {o.short()} to {n.short()}"
        elif self.category == "plan":
            same = "same provider and region" if n.region else "same provider"
            s = f"plan {o.plan} -> {n.plan} ({same})"
        elif self.category == "resize" and o.size != n.size:
            s = f"resize {o.size} -> {n.size}"
        elif self.category == "resize":
            s = f"resize to {e.size} within the phase (from {n.size})"
        elif o.instances != n.instances:
            s = f"scale {'out' if n.instances > o.instances else 'in'} {o.instances} -> {n.instances} instances"
        else:
            s = f"scale out within the phase: {n.instances} -> {e.instances} instances"
        if self.category != "scale" and n.instances != o.instances:
            s += f"; {o.instances} -> {n.instances} instances"
        later = []
        if e.size != n.size and not (self.category == "resize" and o.size == n.size):
            later.append(f"size {e.size}")
        if e.instances != n.instances and not (self.category == "scale" and o.instances == n.instances):
            later.append(f"{e.instances} instances")
        if later:
            s += f"; {' and '.join(later)} by the end of the phase"
        return s


@dataclass(frozen=True)
class DataMove:
    """How a database moves: the method, its size and the time it takes."""

    component: str
    method: str  # dump_restore | logical_replication | export_import
    storage_gb: float
    dump_restore_minutes: float  # write freeze if it moved by dump/restore
    copy_minutes: float  # time the data copy runs
    downtime_minutes: float  # write freeze of the chosen method
    reason: str


@dataclass(frozen=True)
class MoveCost:
    """The plan's one-time estimate of a move into one of the phases (coupled_phases.Move)."""

    phase: int
    at: int
    forced: bool
    migration_usd: float
    saving_usd_month: float
    components: tuple[str, ...]
    #: (component, hours, downtime minutes, GB transferred)
    work: tuple[tuple[str, float, float, float], ...] = ()


@dataclass(frozen=True)
class Variable:
    """A value the commands read from the environment, and where to get it."""

    name: str
    where: str
    default: str | None = None


@dataclass
class Step:
    title: str
    why: str
    commands: list[str]
    verify: list[str]
    rollback: list[str]
    minutes_estimate: float
    components: tuple[str, ...] = ()
    stage: str = "cutover"
    #: actions in a dashboard, in words (done before the commands)
    manual: list[str] = field(default_factory=list)
    rollback_manual: list[str] = field(default_factory=list)
    downtime_minutes: float = 0.0

    @property
    def changes_something(self) -> bool:
        return bool(self.commands or self.manual)


@dataclass
class Runbook:
    app: str
    title: str
    profile: str
    unit: str
    from_phase: int
    to_phase: int
    from_range: tuple[int, int | None]
    to_range: tuple[int, int | None]
    changes: list[Change]
    unchanged: list[str]
    scale_out_only: bool
    moves: list[MoveCost]
    data_moves: list[DataMove]
    checklist: list[str]
    prepare: list[str]  # commands of the checklist (tools, backups, deploy files)
    variables: list[Variable]
    steps: list[Step]
    notes: list[str] = field(default_factory=list)

    @property
    def minutes_total(self) -> float:
        return sum(s.minutes_estimate for s in self.steps)

    @property
    def downtime_minutes(self) -> float:
        return sum(s.downtime_minutes for s in self.steps)


# --------------------------------------------------------------------------- entry points
def runbook(planner: Planner, plan: Plan, k_from: int, k_to: int | None = None) -> Runbook:
    """The runbook from phase ``k_from`` to ``k_to`` of ``plan`` (1-based; default the next phase)."""
    sw = plan
    n = len(sw.phases)
    k2 = k_from + 1 if k_to is None else k_to
    plural = "s" if n != 1 else ""
    if not 1 <= k_from <= n:
        raise InputError(planner.path, f"--from {k_from}: the plan has {n} phase{plural} (1-{n})")
    if not 1 <= k2 <= n:
        if k_to is None:
            raise InputError(
                planner.path, f"--from {k_from} is the last phase of the plan: there is no phase to move to"
            )
        raise InputError(planner.path, f"--to {k2}: the plan has {n} phase{plural} (1-{n})")
    if k2 <= k_from:
        raise InputError(planner.path, f"--to {k2} must be after --from {k_from}")
    moves = []
    for j in range(k_from + 1, k2 + 1):
        m = sw.phases[j - 1].move
        if m is not None:
            moves.append(
                MoveCost(
                    j, m.at, m.forced, m.migration_usd, m.saving_usd_month, tuple(m.components), m.detail
                )
            )
    triggers = [t for ph in sw.phases[k_from - 1 : k2 - 1] for t in ph.triggers]
    reasons: dict[str, list[str]] = {}
    for t in triggers:
        reasons.setdefault(t.component, []).append(t.message)
    return build_runbook(
        planner,
        sw.phases[k_from - 1],
        sw.phases[k2 - 1],
        k_from,
        k2,
        moves,
        {c: tuple(v) for c, v in reasons.items()},
    )


def dump_restore_minutes(storage_gb: float, per_gb: float, fixed: float) -> float:
    """Write freeze of a pg_dump/pg_restore move: the fixed cut-over plus the copy at per_gb."""
    return fixed + storage_gb * per_gb


def choose_db_method(
    storage_gb: float, zero_downtime: bool, max_gb: float, per_gb: float, fixed: float
) -> tuple[str, float, float, str]:
    """(method, copy minutes, write-freeze minutes, why) for moving a Postgres database."""
    dump = dump_restore_minutes(storage_gb, per_gb, fixed)
    gb = _gb(storage_gb)
    if zero_downtime:
        return (
            "logical_replication",
            storage_gb * per_gb,
            fixed,
            f"the profile requires zero downtime by then, and dump/restore of {gb} GB would freeze "
            f"writes for ~{_mins(dump)}; logical replication copies while the app runs and freezes "
            f"writes only for the ~{_mins(fixed)} cut-over",
        )
    if storage_gb > max_gb:
        return (
            "logical_replication",
            storage_gb * per_gb,
            fixed,
            f"{gb} GB is more than migration.dump_restore_max_gb ({_gb(max_gb)} GB): dump/restore would "
            f"freeze writes for ~{_mins(dump)}; logical replication freezes them only for the "
            f"~{_mins(fixed)} cut-over",
        )
    return (
        "dump_restore",
        dump - fixed,
        dump,
        f"{gb} GB is within migration.dump_restore_max_gb ({_gb(max_gb)} GB) and the profile allows "
        f"downtime then: pg_dump/pg_restore with a write freeze of ~{_mins(dump)} "
        f"({_mins(fixed)} fixed + {gb} GB x {per_gb:g} min/GB)",
    )


def diff_stacks(
    old: StackPoint, new: StackPoint, end: StackPoint, order: list[str], kinds: dict[str, str]
) -> list[Change]:
    """The components whose provider, plan, size, region or instance count differ between the
    end of one phase (old) and the start or end of another (new, end)."""
    out = []
    for comp in order:
        o, n, e = (_placement(pt.choices[comp]) for pt in (old, new, end))
        fields = [
            f for f in ("provider", "plan", "size", "region") if len({getattr(x, f) for x in (o, n, e)}) > 1
        ]
        if len({o.instances, n.instances, e.instances}) > 1:
            fields.append("instances")
        if not fields:
            continue
        if o.provider != n.provider or o.region != n.region:
            cat = "move"
        elif o.plan != n.plan:
            cat = "plan"
        elif "size" in fields:
            cat = "resize"
        else:
            cat = "scale"
        out.append(Change(comp, kinds[comp], o, n, e, tuple(fields), cat))
    return out


def _placement(ev: Evaluation) -> Placement:
    o = ev.option
    return Placement(
        o.provider,
        o.plan.provider.name,
        o.plan.plan.id,
        o.plan.plan.name,
        o.size.id if o.size is not None else None,
        o.region.id if o.region is not None else None,
        ev.instances,
        o.label,
        ev.account or o.plan.account_key,
    )


# --------------------------------------------------------------------------- hosts
@dataclass(frozen=True)
class _Host:
    """Where a service's code runs in one phase, with the names the commands need."""

    comp: str
    kind: str
    provider: str
    region: str | None
    name: str  # Fly.io app, Railway service, Render service, worker or project name
    config: str | None = None  # fly.toml file
    group: str | None = None  # Fly.io process group
    instances: int = 1
    size: str | None = None
    memory_mb: int | None = None
    health_path: str | None = None
    railway_region: str | None = None

    def key(self) -> tuple[str, str]:
        return (self.provider, self.name)


def _proc(kind: str, comp: str) -> str:
    """The Fly.io process group of a service (as `tierplan gen` names them)."""
    from .gen.deploy import slug

    return {"web_service": "web", "realtime": "realtime"}.get(kind, slug(comp))


def _hosts(planner: Planner, dep: Any, pt: StackPoint) -> dict[str, _Host]:
    """The code hosts of a deploy model (gen.deploy.Deploy), Fly.io names as `tierplan gen` writes."""
    from .gen.deploy import slug
    from .gen.files import fly_tomls

    fly: dict[str, tuple[str, str, str]] = {}
    pending = [s for s in dep.services if s.provider == "fly"]
    for fname, text in fly_tomls(dep).items():
        doc = tomllib.loads(text)
        for group in doc.get("processes", {}):
            for s in pending:
                if s.name not in fly and _proc(s.kind, s.name) == group:
                    fly[s.name] = (doc["app"], fname, group)
                    break
    out: dict[str, _Host] = {}
    for s in dep.services:
        app, config, group = fly.get(s.name, (f"{dep.app}-{slug(s.name)}", None, _proc(s.kind, s.name)))
        # the names `tierplan gen` gives them: Fly.io apps from fly.toml, Render services and
        # Cloudflare Workers `<app>-<service>`, Railway services by the component's name
        name = {
            "fly": app,
            "render": f"{dep.app}-{slug(s.name)}",
            "cloudflare": f"{dep.app}-{slug(s.name)}",
        }.get(s.provider, slug(s.name))
        out[s.name] = _Host(
            s.name,
            s.kind,
            s.provider,
            s.region,
            name,
            config if s.provider == "fly" else None,
            group if s.provider == "fly" else None,
            s.instances,
            s.size,
            s.memory_mb,
            s.health_path,
            _railway_region(pt.choices[s.name]) if s.provider == "railway" else None,
        )
    if dep.frontend is not None:
        f = dep.frontend
        out[f["name"]] = _Host(f["name"], "web_frontend", f["provider"], None, dep.app)
    return out


def _railway_region(ev: Evaluation) -> str | None:
    """Railway's deployment region name (us-east4-eqdc4a) from the catalog region's name."""
    r = ev.option.region
    if r is None:
        return None
    m = re.search(rf"\b({re.escape(r.id)}-[a-z0-9]+)\b", r.name or "")
    return m.group(1) if m else r.id


# --------------------------------------------------------------------------- the builder
class _Build:
    """Accumulates steps and the variables they read (plain state; no I/O)."""

    def __init__(
        self,
        planner: Planner,
        old_ph: Phase,
        new_ph: Phase,
        k_from: int,
        k_to: int,
        changes: list[Change],
        reasons: dict[str, tuple[str, ...]],
    ) -> None:
        from .gen.deploy import deploy_model, slug

        self.planner = planner
        self.p = planner.profile
        self.a = planner.assumptions
        self.old_ph, self.new_ph = old_ph, new_ph
        self.k_from, self.k_to = k_from, k_to
        self.changes = changes
        self.by_comp = {c.component: c for c in changes}
        self.reasons = reasons
        self.dep_old = deploy_model(planner, old_ph, k_from)
        self.dep_new = deploy_model(planner, new_ph, k_to)
        self.app = self.dep_new.app
        self.slug = slug
        self.hosts_old = _hosts(planner, self.dep_old, old_ph.stack_end)
        self.hosts_new = _hosts(planner, self.dep_new, new_ph.stack_start)
        for comp, h in list(self.hosts_new.items()):
            o = self.hosts_old.get(comp)
            if o is not None and o.provider == h.provider == "fly":
                # a service that stays on Fly.io keeps the app it runs in now
                self.hosts_new[comp] = replace(h, name=o.name, group=o.group)
        # a service new to Fly.io never lands in an app another, staying service runs in now
        kept = {
            h.name
            for c, h in self.hosts_new.items()
            if h.provider == "fly" and c in self.hosts_old and self.hosts_old[c].provider == "fly"
        }
        for comp, h in list(self.hosts_new.items()):
            o = self.hosts_old.get(comp)
            if h.provider == "fly" and (o is None or o.provider != "fly") and h.name in kept:
                self.hosts_new[comp] = replace(h, name=f"{self.dep_new.app}-{slug(comp)}")
        self.env_old = {v.name: v for v in self.dep_old.env}
        self.env_new = {v.name: v for v in self.dep_new.env}
        self.vars: dict[str, Variable] = {}
        self.steps: list[Step] = []
        self.data_moves: list[DataMove] = []
        self.notes: list[str] = []
        self.checklist: list[str] = []
        self.prepare: list[str] = []
        self.unit = self.p.scale.unit
        self.switched: set[str] = set()  # env names whose value changes in this runbook
        self.dns: list[str] = []  # domains whose record changes
        self.backups: list[str] = []

    # ------------------------------------------------------------ helpers
    def var(self, name: str, where: str, default: str | None = None) -> str:
        """Register a variable; returns its quoted reference for a command."""
        if name not in self.vars:
            self.vars[name] = Variable(name, where, default)
        return f'"${name}"'

    def ref(self, name: str, where: str, default: str | None = None) -> str:
        """A variable's bare reference (inside a larger quoted string)."""
        self.var(name, where, default)
        return f"${name}"

    def tok(self, comp: str) -> str:
        return self.slug(comp).upper().replace("-", "_")

    def units(self, u: int | None) -> str:
        return "the end of the plan" if u is None else f"{u:,} {self.unit}{'s' if u != 1 else ''}"

    def hours(self, kind: str, category: str) -> float:
        if category != "move":
            return self.a["migration.hours.plan_change"]
        key = f"migration.hours.{kind}"
        return self.p.migration.hours.get(
            kind, self.a[key] if key in self.a else self.a["migration.hours.default"]
        )

    def why(self, ch: Change, fallback: str) -> str:
        rs = self.reasons.get(ch.component)
        return "; ".join(rs) if rs else fallback

    def add(self, step: Step) -> Step:
        self.steps.append(step)
        return step

    def domain(self, comp: str) -> str:
        return self.var(
            f"{self.tok(comp)}_DOMAIN",
            f"the public host name of {comp} (your domain, e.g. {self.slug(comp)}.example.com)",
        )

    def health(self, comp: str) -> list[str]:
        """Commands that check a web-facing component over its public domain."""
        c = self.p.components[comp]
        path = getattr(c, "health_path", None) if c.kind == "web_service" else None
        if c.kind == "web_frontend":
            self.domain(comp)
            return [
                f"curl --fail --silent --show-error --max-time 10 --output /dev/null "
                f"--write-out '{comp}: HTTP %{{http_code}}\\n' \"https://${self.tok(comp)}_DOMAIN/\""
            ]
        if path:
            self.domain(comp)
            return [
                f'curl --fail --silent --show-error --max-time 10 "https://${self.tok(comp)}_DOMAIN{path}"'
            ]
        return []

    def web_checks(self) -> list[str]:
        """Health checks of the web services the new phase runs (they use every store)."""
        out = []
        for comp, h in self.hosts_new.items():
            if h.kind == "web_service":
                out += self.health(comp)
        return out

    # ------------------------------------------------------------ env on hosts
    def env_targets(self, include_old: bool = True) -> list[_Host]:
        """Hosts that run code at the cut-over: the new phase's, and the old hosts of services
        that move (they serve until their DNS switch)."""
        seen: dict[tuple[str, str], _Host] = {}
        for h in self.hosts_new.values():
            if h.kind in CODE_KINDS:
                seen.setdefault(h.key(), h)
        if include_old:
            for comp, h in self.hosts_old.items():
                ch = self.by_comp.get(comp)
                if h.kind in CODE_KINDS and ch is not None and ch.category == "move":
                    seen.setdefault(h.key(), h)
        return list(seen.values())

    def set_env(
        self, h: _Host, pairs: list[tuple[str, str]], stage: bool = False
    ) -> tuple[list[str], list[str]]:
        """(commands, manual actions) that set environment variables on a host; ``stage``: do not
        restart yet (the next deploy picks them up)."""
        if not pairs:
            return [], []
        if h.provider == "fly":
            kv = " ".join(f'{n}="{v}"' if not v.startswith('"') else f"{n}={v}" for n, v in pairs)
            return [f"flyctl secrets set {kv} --app {h.name}" + (" --stage" if stage else "")], []
        if h.provider == "railway":
            kv = " ".join(f'--set "{n}={_bare(v)}"' for n, v in pairs)
            return [f"railway variables --service {h.name} {kv}" + (" --skip-deploys" if stage else "")], []
        if h.provider == "render":
            key = self.var("RENDER_API_KEY", "Render dashboard > Account settings > API Keys")
            sid = self.render_id(h.comp, "service")
            cmds = [
                f"jq -n --arg value {_quoted(v)} '{{value: $value}}' | curl --fail --silent --show-error "
                f'--request PUT --header "Authorization: Bearer {_bare(key)}" --header '
                f"'Content-Type: application/json' --data @- "
                f'"https://api.render.com/v1/services/{_bare(sid)}/env-vars/{n}"'
                for n, v in pairs
            ]
            if not stage:
                cmds.append(self.render_deploy(h.comp))
            return cmds, []
        if h.provider == "cloudflare":
            cfg = f"{self.slug(h.comp)}/wrangler.toml"
            return [
                f"printf %s {_quoted(v)} | npx wrangler secret put {n} --config {cfg}" for n, v in pairs
            ], []
        if h.provider == "vercel":
            cmds = []
            for n, v in pairs:
                cmds.append(f"vercel env rm {n} production --yes || true")
                cmds.append(f"printf %s {_quoted(v)} | vercel env add {n} production")
            if not stage:
                cmds.append("vercel deploy --prod")
            return cmds, []
        names = ", ".join(n for n, _ in pairs)
        return [], [f"{self.pname(h.provider)} console: set {names} on {h.comp} and redeploy it"]

    def render_id(self, comp: str, what: str) -> str:
        prefix = {"service": "srv", "postgres": "dpg", "key-value": "red"}.get(what, "srv")
        return self.var(
            f"RENDER_{self.tok(comp)}_ID",
            f"Render dashboard > {comp} > Info: the {what} ID ({prefix}-...)",
        )

    def render_deploy(self, comp: str) -> str:
        hook = self.var(
            f"RENDER_DEPLOY_HOOK_{self.tok(comp)}",
            f"Render dashboard > {comp} > Settings > Deploy Hook (the same secret the deploy workflow uses)",
        )
        return f"curl --fail --silent --show-error --request POST {hook}"

    def pname(self, provider: str) -> str:
        prov = self.planner.catalog.providers.get(provider)
        return prov.name if prov is not None else provider

    def switch_env(
        self, names: list[str], new_prefix: str = "NEW_"
    ) -> tuple[list[str], list[str], list[str], list[str]]:
        """Set ``names`` to their NEW_ values on every code host; returns (commands, manual,
        rollback commands, rollback manual). Rollback restores the OLD_ values."""
        cmds: list[str] = []
        manual: list[str] = []
        back: list[str] = []
        back_manual: list[str] = []
        for h in self.env_targets():
            fwd = [(n, self.var(f"{new_prefix}{n}", self.where_new(n))) for n in names]
            c, m = self.set_env(h, fwd)
            cmds += c
            manual += m
            olds = [(n, self.var(f"OLD_{n}", self.where_old(n))) for n in names if n in self.env_old]
            c, m = self.set_env(h, olds)
            back += c
            back_manual += m
        return cmds, manual, back, back_manual

    def where_new(self, name: str) -> str:
        v = self.env_new.get(name)
        return v.comment if v is not None else f"the new value of {name}"

    def where_old(self, name: str) -> str:
        v = self.env_old.get(name)
        c = v.comment if v is not None else name
        return f"the value your hosts use now for {name} ({c})"

    def current(self, name: str) -> str:
        """A value that does not change: literal if the plan knows it, else a variable."""
        v = self.env_new.get(name)
        if v is not None and not v.secret and re.fullmatch(r"[a-z0-9][a-z0-9.:-]*", v.placeholder):
            return v.placeholder
        return self.var(name, f"{v.comment if v else name} (the value your hosts use now)")


def _bare(ref: str) -> str:
    """A variable reference without its quotes (to embed in a larger double-quoted string)."""
    return ref[1:-1] if ref.startswith('"') and ref.endswith('"') else ref


def _quoted(v: str) -> str:
    return v if v.startswith('"') else f'"{v}"'


def _gb(x: float) -> str:
    return f"{x:,.1f}" if x < 100 else f"{x:,.0f}"


def _mins(m: float) -> str:
    if m >= 90:
        return f"{m / 60:.1f} h"
    return f"{math.ceil(m - 1e-9):.0f} min"


# --------------------------------------------------------------------------- code services
def _service_steps(b: _Build, ch: Change) -> None:
    comp = ch.component
    h_old, h_new = b.hosts_old.get(comp), b.hosts_new.get(comp)
    assert h_new is not None
    budget = b.hours(ch.kind, ch.category) * 60
    if ch.category == "move":
        _service_move(b, ch, h_old, h_new, budget)
        return
    steps: list[Step] = []
    if ch.category == "plan":
        steps.append(_plan_step(b, ch))
    if ch.old.size != ch.new.size:
        steps.append(_resize_step(b, ch, h_new, ch.old, ch.new, "capacity"))
    if ch.old.instances != ch.new.instances:
        steps.append(_count_step(b, ch, h_new, ch.old.instances, ch.new.instances, "capacity"))
    steps += _later_steps(b, ch, h_new)
    _spread(steps, budget)
    b.steps += steps


def _count_step(b: _Build, ch: Change, h: _Host, n_old: int, n_new: int, stage: str) -> Step:
    comp = ch.component
    fwd, back = _count_cmds(b, h, n_new), _count_cmds(b, h, n_old)
    what = "out" if n_new > n_old else "in"
    when = (
        f"the plan's count at the start of phase {b.k_to} ({b.units(b.new_ph.start)})"
        if stage == "capacity"
        else f"the plan's count by the end of phase {b.k_to} ({b.units(b.new_ph.last_scale)})"
    )
    verify = _status_cmds(b, h)
    return Step(
        f"Scale {comp} {what} from {n_old} to {n_new} instance{'s' if n_new != 1 else ''} on {b.pname(h.provider)}",
        f"{n_new} is {when}; "
        + b.why(
            ch,
            f"demand grows past what {n_old} instance{'s serve' if n_old != 1 else ' serves'} within the headroom",
        ),
        fwd[0],
        verify + b.health(comp),
        back[0],
        0.0,
        (comp,),
        stage,
        fwd[1],
        back[1],
    )


def _count_cmds(b: _Build, h: _Host, n: int) -> tuple[list[str], list[str]]:
    if h.provider == "fly":
        region = f" --region {h.region}" if h.region else ""
        return [f"flyctl scale count {n} --process-group {h.group} --app {h.name}{region} --yes"], []
    if h.provider == "railway":
        return [f"railway scale --service {h.name} --{h.railway_region} {n}"], []
    if h.provider == "render":
        key = b.var("RENDER_API_KEY", "Render dashboard > Account settings > API Keys")
        sid = b.render_id(h.comp, "service")
        return [
            f'curl --fail --silent --show-error --request POST --header "Authorization: Bearer {_bare(key)}" '
            f"--header 'Content-Type: application/json' --data '{{\"numInstances\": {n}}}' "
            f'"https://api.render.com/v1/services/{_bare(sid)}/scale"'
        ], []
    if h.provider == "aws":
        return [
            f"aws ecs update-service --cluster {b.app} --service {h.name} --desired-count {n}"
            + (f" --region {h.region}" if h.region else "")
        ], []
    return [], [f"{b.pname(h.provider)} dashboard: set {h.comp} to {n} instances"]


def _status_cmds(b: _Build, h: _Host) -> list[str]:
    if h.provider == "fly":
        return [f"flyctl status --app {h.name}"]
    if h.provider == "railway":
        return [f"railway service status --service {h.name}"]
    if h.provider == "render":
        key = b.var("RENDER_API_KEY", "Render dashboard > Account settings > API Keys")
        sid = b.render_id(h.comp, "service")
        return [
            f'curl --fail --silent --show-error --header "Authorization: Bearer {_bare(key)}" '
            f"\"https://api.render.com/v1/services/{_bare(sid)}\" | jq '.serviceDetails | {{plan, numInstances}}'"
        ]
    if h.provider == "aws":
        return [
            f"aws ecs describe-services --cluster {b.app} --services {h.name} "
            "--query 'services[0].[desiredCount,runningCount]' --output text"
        ]
    return []


def _resize_step(b: _Build, ch: Change, h: _Host, frm: Placement, to: Placement, stage: str) -> Step:
    from .gen.files import fly_vm

    comp = ch.component
    mem: dict[str | None, int | None] = {frm.size: None, to.size: None}
    for pt in (b.old_ph.stack_end, b.new_ph.stack_start, b.new_ph.stack_end):
        sz = pt.choices[comp].option.size
        if sz is not None:
            mem[sz.id] = int(sz.memory_mb)

    def cmd(size: str | None) -> tuple[list[str], list[str]]:
        if h.provider == "fly":
            vm, _ = fly_vm(size, mem.get(size))
            return [
                f"flyctl scale vm {vm} --vm-memory {mem.get(size) or 256} --process-group {h.group} --app {h.name}"
            ], []
        return [], [f"{b.pname(h.provider)} dashboard: set the instance size of {comp} to {size}"]

    fwd, back = cmd(to.size), cmd(frm.size)
    return Step(
        f"Resize {comp} from {frm.size} to {to.size} on {b.pname(h.provider)}",
        b.why(ch, f"{to.size} is the size the plan runs {comp} on from {b.units(b.new_ph.start)}")
        if stage == "capacity"
        else f"the plan moves {comp} to {to.size} within phase {b.k_to}, by {b.units(b.new_ph.last_scale)}",
        fwd[0],
        _status_cmds(b, h) + b.health(comp),
        back[0],
        0.0,
        (comp,),
        stage,
        fwd[1],
        back[1],
    )


def _first_at(b: _Build, comp: str, changed: Any) -> int | None:
    """The first scale of the new phase where ``changed(evaluation of the start option)`` holds
    (monotone in scale: demand only grows), by bisection; None if not within the phase."""
    order = b.new_ph.stack_start.choices[comp].option.order
    lo, hi = b.new_ph.start, b.new_ph.last_scale
    if not changed(b.planner.evaluate_one(comp, order, hi)):
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if changed(b.planner.evaluate_one(comp, order, mid)):
            hi = mid
        else:
            lo = mid
    return hi


def _later_steps(b: _Build, ch: Change, h: _Host | None) -> list[Step]:
    """Size and count changes within the new phase (from its start to its end)."""
    out = []
    comp = ch.component
    if ch.new.size != ch.end.size:
        if h is not None:
            out.append(_resize_step(b, ch, h, ch.new, ch.end, "later"))
        else:
            out.append(_store_resize_step(b, ch, ch.new, ch.end, "later"))
        at = _first_at(b, comp, lambda e: not e.feasible)
        if at is not None:
            out[-1].why += f". {ch.new.size} stops fitting at ~{b.units(at)}: resize before that"
    if ch.new.instances != ch.end.instances:
        n0 = ch.new.instances
        at = _first_at(b, comp, lambda e: (not e.feasible) or e.instances > n0)
        if h is not None:
            out.append(_count_step(b, ch, h, ch.new.instances, ch.end.instances, "later"))
            if at is not None:
                out[-1].why += f". Instance {n0 + 1} is needed from ~{b.units(at)}"
        else:
            out.append(
                Step(
                    f"Scale {ch.component} to {ch.end.instances} instances on {ch.new.provider_name}",
                    f"the plan's count by the end of phase {b.k_to} ({b.units(b.new_ph.last_scale)})",
                    [],
                    [],
                    [],
                    0.0,
                    (ch.component,),
                    "later",
                    [f"{ch.new.provider_name} dashboard: set {ch.component} to {ch.end.instances} instances"],
                    [f"{ch.new.provider_name} dashboard: set {ch.component} back to {ch.new.instances}"],
                )
            )
    return out


def _spread(steps: list[Step], minutes: float) -> None:
    """Share a component's hands-on time over its steps (machine time comes on top)."""
    if not steps:
        return
    each = minutes / len(steps)
    for s in steps:
        s.minutes_estimate += each


def _service_move(b: _Build, ch: Change, h_old: _Host | None, h_new: _Host, budget: float) -> None:
    comp = ch.component
    c = b.p.components[comp]
    steps: list[Step] = []
    same_app = h_old is not None and h_old.key() == h_new.key()
    # 1. deploy on the new host with every variable the new phase's stack needs
    pairs = []
    for v in b.dep_new.env:
        if v.name in b.switched:
            if v.name in b.env_old:
                pairs.append((v.name, b.var(f"OLD_{v.name}", b.where_old(v.name))))
            continue
        pairs.append((v.name, b.current(v.name)))
    env_cmds, env_manual = b.set_env(h_new, pairs, stage=True)
    deploy, deploy_manual, undo, undo_manual = _deploy_cmds(b, h_new, h_old, same_app)
    verify = _status_cmds(b, h_new)
    url = _host_url(b, h_new)
    if c.kind == "web_service" and getattr(c, "health_path", None):
        verify.append(f'curl --fail --silent --show-error --max-time 10 "{url}{c.health_path}"')
    names = ", ".join(v.name for v in b.dep_new.env)
    steps.append(
        Step(
            f"Deploy {comp} on {ch.new.short()}",
            b.why(ch, f"phase {b.k_to} runs {comp} on {ch.new.label}")
            + f". The new host gets every variable of phase {b.k_to}'s stack ({names}) before it takes traffic"
            + (
                f"; where a value is a private-network address of {ch.old.provider_name} (an internal URL), "
                "use the store's public one"
                if ch.old.provider != ch.new.provider
                else ""
            )
            + ".",
            (
                ["# the deploy files of the new phase: tierplan gen (see the checklist)"]
                if h_new.provider == "fly"
                else []
            )
            + [c for c in deploy if c.startswith(_CREATES)]
            + env_cmds
            + [c for c in deploy if not c.startswith(_CREATES)],
            verify,
            undo,
            0.0,
            (comp,),
            "deploy",
            deploy_manual + env_manual,
            undo_manual,
        )
    )
    # 2. traffic: DNS for web-facing services, stop the old worker otherwise
    if c.kind in WEB_KINDS and not (
        same_app
        or (h_old is not None and h_old.provider == h_new.provider and h_new.provider in REGION_IN_PLACE)
    ):
        steps.append(_dns_step(b, comp, h_old, h_new, ch))
    if h_old is not None and not same_app:
        stop, stop_manual = _count_cmds(b, h_old, 0)
        start, start_manual = _count_cmds(b, h_old, h_old.instances)
        steps.append(
            Step(
                f"Stop {comp} on {ch.old.short()}",
                f"{comp} now runs on {ch.new.short()}; the old instances must stop taking work"
                + (" (after the DNS switch has propagated)" if c.kind in WEB_KINDS else ""),
                stop,
                _status_cmds(b, h_new) + b.health(comp),
                start,
                0.0,
                (comp,),
                "dns" if c.kind in WEB_KINDS else "cutover",
                stop_manual,
                start_manual,
            )
        )
    elif same_app and h_old is not None and h_old.region != h_new.region and h_old.provider == "fly":
        region_out = f"flyctl scale count 0 --process-group {h_old.group} --app {h_old.name} --region {h_old.region} --yes"
        steps.append(
            Step(
                f"Remove {comp}'s machines from {h_old.region}",
                f"{comp} now runs in {h_new.region}; the machines in {h_old.region} are no longer needed",
                [region_out],
                _status_cmds(b, h_new) + b.health(comp),
                [
                    f"flyctl scale count {h_old.instances} --process-group {h_old.group} --app {h_old.name} --region {h_old.region} --yes"
                ],
                0.0,
                (comp,),
                "cutover",
            )
        )
    steps += _later_steps(b, ch, h_new)
    # 3. clean-up after the rollback window
    if h_old is not None and not same_app:
        days = b.a["migration.rollback_window_days"]
        rm, rm_manual = _destroy_cmds(b, h_old)
        steps.append(
            Step(
                f"Delete {comp} from {ch.old.short()}",
                f"after {days:g} days on the new host without a rollback, the old one only costs money",
                rm,
                b.health(comp) if c.kind in WEB_KINDS else _status_cmds(b, h_new),
                [],
                0.0,
                (comp,),
                "cleanup",
                rm_manual,
                [
                    "none: a deleted host cannot be restored; redeploy it from the phase "
                    f"{b.k_from} deploy files (tierplan gen --phase {b.k_from}) if it is ever needed"
                ],
            )
        )
    _spread(steps, budget)
    b.steps += steps


#: commands that create a service, before its variables can be set (the rest deploys it)
_CREATES = ("flyctl apps create", "railway add", "npx wrangler deploy")


def _host_url(b: _Build, h: _Host) -> str:
    if h.provider == "fly":
        return f"https://{h.name}.fly.dev"
    return _bare(
        b.var(
            f"NEW_{b.tok(h.comp)}_URL",
            f"the URL {b.pname(h.provider)} gives {h.comp} (before DNS points at it)",
        )
    )


def _deploy_cmds(
    b: _Build, h: _Host, h_old: _Host | None, same_app: bool
) -> tuple[list[str], list[str], list[str], list[str]]:
    """(commands: [create, deploy...], manual, rollback commands, rollback manual) for a service
    on its new host. The first command creates the service (env is set after it)."""
    p = h.provider
    if p == "fly":
        create = [] if same_app else [f"flyctl apps create {h.name}"]
        cfg = f" --config {h.config}" if h.config else ""
        region = f" --region {h.region}" if h.region else ""
        cmds = create + [
            f"flyctl deploy --remote-only{cfg} --app {h.name}",
            f"flyctl scale count {h.instances} --process-group {h.group} --app {h.name}{region} --yes",
        ]
        if not create:
            cmds.insert(0, "# same Fly.io app: the new region comes from primary_region in the new fly.toml")
        back = [f"flyctl scale count 0 --process-group {h.group} --app {h.name}{region} --yes"]
        return cmds, [], back, []
    if p == "railway":
        cmds = [
            f"railway add --service {h.name}",
            f"railway up --service {h.name} --ci",
            f"railway scale --service {h.name} --{h.railway_region} {h.instances}",
        ]
        if h.kind in WEB_KINDS:
            cmds.append(f"railway domain --service {h.name}")
        from .gen.platforms import railway_configs

        cfg = railway_configs(b.dep_new).get(h.comp, "railway.json")
        manual = [
            f"Railway dashboard > {h.name} > Settings > Config-as-code: {cfg} (from the phase {b.k_to} deploy files)"
        ]
        return cmds, manual, [f"railway down --service {h.name} --yes"], []
    if p == "render":
        manual = [
            f"Render dashboard > Blueprints > New Blueprint: the render.yaml of the phase {b.k_to} deploy "
            f"files, which declares {h.name} ({h.size or 'the plan'}, {h.region}, {h.instances} "
            f"instance{'s' if h.instances != 1 else ''})"
        ]
        key = b.var("RENDER_API_KEY", "Render dashboard > Account settings > API Keys")
        sid = b.render_id(h.comp, "service")
        back = [
            f'curl --fail --silent --show-error --request POST --header "Authorization: Bearer {_bare(key)}" '
            f'"https://api.render.com/v1/services/{_bare(sid)}/suspend"'
        ]
        return [b.render_deploy(h.comp)], manual, back, []
    if p == "cloudflare":
        cfg = f"{b.slug(h.comp)}/wrangler.toml"
        return [f"npx wrangler deploy --config {cfg}"], [], [f"npx wrangler delete --config {cfg}"], []
    if p == "vercel":
        return (
            ["vercel deploy --prod"],
            [],
            [],
            ["Vercel dashboard > Deployments: promote the previous deployment"],
        )
    return (
        [],
        [f"{b.pname(p)} console: create {h.comp} in {h.region} and deploy it"],
        [],
        [f"{b.pname(p)} console: stop {h.comp}"],
    )


def _destroy_cmds(b: _Build, h: _Host) -> tuple[list[str], list[str]]:
    if h.provider == "fly":
        still = next((x for x in b.hosts_new.values() if x.provider == "fly" and x.name == h.name), None)
        if still is not None:
            return [
                f"# {h.name} keeps other process groups: {h.comp}'s group is already at 0 machines; "
                "deploy the new fly.toml, which no longer lists it",
                f"flyctl deploy --remote-only --app {h.name}"
                + (f" --config {still.config}" if still.config else ""),
            ], []
        return [f"flyctl apps destroy {h.name} --yes"], []
    if h.provider == "render":
        key = b.var("RENDER_API_KEY", "Render dashboard > Account settings > API Keys")
        sid = b.render_id(h.comp, "service")
        return [
            f'curl --fail --silent --show-error --request DELETE --header "Authorization: Bearer {_bare(key)}" '
            f'"https://api.render.com/v1/services/{_bare(sid)}"'
        ], []
    if h.provider == "railway":
        return [f"railway service delete --service {h.name} --yes"], []
    return [], [f"{b.pname(h.provider)} dashboard: delete {h.comp} ({h.name})"]


def _dns_step(b: _Build, comp: str, h_old: _Host | None, h_new: _Host, ch: Change) -> Step:
    dom = b.domain(comp)
    target, add, add_manual = _dns_target(b, h_new)
    old_target = _dns_target(b, h_old)[0] if h_old is not None else "the previous target"
    ttl = b.a["migration.dns_ttl_seconds"]
    b.dns.append(comp)
    return Step(
        f"Point {comp}'s domain at {ch.new.provider_name}",
        f"{comp} is web-facing and changes host ({ch.old.short()} -> {ch.new.short()}): clients follow "
        f"the DNS record, within its TTL ({ttl:g} s, lowered beforehand)",
        add,
        [f"dig +short CNAME {dom}", *b.health(comp)],
        [],
        0.0,
        (comp,),
        "dns",
        add_manual + [f"At your DNS provider: set the CNAME of {_bare(dom)} to {target}"],
        [f"At your DNS provider: set the CNAME of {_bare(dom)} back to {old_target}"],
    )


def _dns_target(b: _Build, h: _Host) -> tuple[str, list[str], list[str]]:
    """(CNAME target, commands that attach the domain on the host, manual actions)."""
    comp = h.comp
    dom = f'"${b.tok(comp)}_DOMAIN"'
    if h.provider == "fly":
        return (
            f"{h.name}.fly.dev",
            [f"flyctl certs add {dom} --app {h.name}", f"flyctl certs check {dom} --app {h.name}"],
            [],
        )
    if h.provider == "railway":
        return (
            _bare(
                b.var(f"RAILWAY_{b.tok(comp)}_CNAME", f"the CNAME target `railway domain` prints for {comp}")
            ),
            [f"railway domain {dom} --service {h.name}"],
            [],
        )
    if h.provider == "render":
        key = b.var("RENDER_API_KEY", "Render dashboard > Account settings > API Keys")
        sid = b.render_id(comp, "service")
        return (
            f"{h.name}.onrender.com",
            [
                f"jq -n --arg name {dom} '{{name: $name}}' | curl --fail --silent --show-error --request POST "
                f"--header \"Authorization: Bearer {_bare(key)}\" --header 'Content-Type: application/json' "
                f'--data @- "https://api.render.com/v1/services/{_bare(sid)}/custom-domains"'
            ],
            [],
        )
    if h.provider == "cloudflare":
        if h.kind == "web_frontend":
            return (
                f"{h.name}.pages.dev",
                [],
                [f"Cloudflare dashboard > Workers & Pages > {h.name} > Custom domains: add {_bare(dom)}"],
            )
        return (
            "the Worker's custom domain (Cloudflare creates the record)",
            [],
            [
                f"Cloudflare dashboard > Workers & Pages > {comp} > Settings > Domains & Routes: add {_bare(dom)}"
            ],
        )
    if h.provider == "vercel":
        return ("cname.vercel-dns.com", [f"vercel domains add {dom}"], [])
    return (
        f"the host name {b.pname(h.provider)} gives {comp}",
        [],
        [f"{b.pname(h.provider)}: add the domain {_bare(dom)} to {comp}"],
    )


# --------------------------------------------------------------------------- frontends
def _frontend_steps(b: _Build, ch: Change) -> None:
    comp = ch.component
    budget = b.hours(ch.kind, ch.category) * 60
    h_new = b.hosts_new.get(comp) or _Host(comp, "web_frontend", ch.new.provider, None, b.app)
    h_old = b.hosts_old.get(comp) or _Host(comp, "web_frontend", ch.old.provider, None, b.app)
    steps: list[Step] = []
    if ch.category == "plan":
        steps.append(_plan_step(b, ch))
    elif ch.category == "move":
        if h_new.provider == "cloudflare":
            d = b.slug(comp)
            cmds = [
                f"(cd {d} && npx wrangler pages project create {b.app} --production-branch main)",
                f"(cd {d} && npm run build && npx wrangler pages deploy)",
            ]
            url = f"https://{b.app}.pages.dev"
        elif h_new.provider == "vercel":
            cmds = ["vercel deploy --prod"]
            url = _bare(
                b.var(f"NEW_{b.tok(comp)}_URL", f"the URL Vercel gives {comp} (vercel deploy prints it)")
            )
        elif h_new.provider == "render":
            cmds = [b.render_deploy(comp)]
            url = _bare(b.var(f"NEW_{b.tok(comp)}_URL", f"the onrender.com URL of {comp}"))
        else:
            cmds = []
            url = _bare(b.var(f"NEW_{b.tok(comp)}_URL", f"the URL {ch.new.provider_name} gives {comp}"))
        steps.append(
            Step(
                f"Deploy {comp} on {ch.new.short()}",
                b.why(ch, f"phase {b.k_to} serves {comp} from {ch.new.label}"),
                cmds,
                [f'curl --fail --silent --show-error --max-time 10 --output /dev/null "{url}/"'],
                [],
                0.0,
                (comp,),
                "deploy",
                [] if cmds else [f"{ch.new.provider_name} dashboard: create {comp} from this repository"],
                [
                    f"{ch.new.provider_name} dashboard: delete the new {comp} project (it takes no traffic yet)"
                ],
            )
        )
        steps.append(_dns_step(b, comp, h_old, h_new, ch))
        steps.append(
            Step(
                f"Delete {comp} from {ch.old.short()}",
                f"after {b.a['migration.rollback_window_days']:g} days without a rollback",
                [],
                b.health(comp),
                [],
                0.0,
                (comp,),
                "cleanup",
                [f"{ch.old.provider_name} dashboard: delete the {comp} project"],
                [
                    f"none: redeploy {comp} on {ch.old.provider_name} from this repository if it is ever needed"
                ],
            )
        )
    _spread(steps, budget)
    b.steps += steps


# --------------------------------------------------------------------------- plan changes
_PLAN_PAGES = {
    "cloudflare": "Cloudflare dashboard > Workers & Pages > Plans",
    "railway": "Railway dashboard > Workspace settings > Plans",
    "supabase": "Supabase dashboard > Organization settings > Billing > Subscription plan",
    "neon": "Neon console > Billing > Change plan",
    "sentry": "Sentry > Settings > Subscription",
    "resend": "Resend dashboard > Settings > Billing",
    "brevo": "Brevo > My plan",
    "grafana": "Grafana Cloud portal > Billing > Plan",
    "betterstack": "Better Stack > Billing",
    "uptimerobot": "UptimeRobot dashboard > Upgrade",
    "vercel": "Vercel dashboard > Settings > Billing",
    "upstash": "Upstash console > the database > Configuration > Change plan",
    "metered": "Metered dashboard > Billing",
}
_RENDER_API = {"postgres": ("postgres", "postgres"), "redis": ("key-value", "key-value")}


def _plan_step(b: _Build, ch: Change, comps: tuple[str, ...] | None = None) -> Step:
    """A plan change within one provider and region: no data moves."""
    comps = comps or (ch.component,)
    o, n = ch.old, ch.new
    kind = ch.kind
    cmds: list[str] = []
    back: list[str] = []
    manual: list[str] = []
    back_manual: list[str] = []
    verify: list[str] = []
    if o.provider == "render":
        key = b.var("RENDER_API_KEY", "Render dashboard > Account settings > API Keys")
        path, what = _RENDER_API.get(kind, ("services", "service"))
        rid = b.render_id(ch.component, what)

        def patch(plan: str) -> str:
            body = (
                f'{{"plan": "{plan.replace("-", "_")}"}}'
                if path != "services"
                else f'{{"serviceDetails": {{"plan": "{plan}"}}}}'
            )
            return (
                f'curl --fail --silent --show-error --request PATCH --header "Authorization: Bearer {_bare(key)}" '
                f"--header 'Content-Type: application/json' --data '{body}' "
                f'"https://api.render.com/v1/{path}/{_bare(rid)}"'
            )

        cmds.append(patch(n.plan))
        back.append(patch(o.plan))
        jq = ".plan" if path != "services" else ".serviceDetails.plan"
        verify.append(
            f'curl --fail --silent --show-error --header "Authorization: Bearer {_bare(key)}" '
            f"\"https://api.render.com/v1/{path}/{_bare(rid)}\" | jq -r '{jq}'"
        )
    elif o.provider == "aws" and kind == "postgres":
        ident = f"{b.app}-{b.slug(ch.component)}"
        flag = "--multi-az" if n.plan == "multi-az" else "--no-multi-az"
        unflag = "--no-multi-az" if flag == "--multi-az" else "--multi-az"
        region = f" --region {n.region}" if n.region else ""
        cmds.append(
            f"aws rds modify-db-instance --db-instance-identifier {ident} {flag} --apply-immediately{region}"
        )
        back.append(
            f"aws rds modify-db-instance --db-instance-identifier {ident} {unflag} --apply-immediately{region}"
        )
        verify.append(
            f"aws rds describe-db-instances --db-instance-identifier {ident}{region} "
            "--query 'DBInstances[0].[MultiAZ,DBInstanceStatus]' --output text"
        )
    else:
        page = _PLAN_PAGES.get(o.provider, f"{o.provider_name} dashboard > Billing")
        manual.append(f"{page}: change from {o.plan_name} to {n.plan_name}")
        back_manual.append(f"{page}: change back to {o.plan_name}")
    for comp in comps:
        verify += _kind_checks(b, comp)
    names = ", ".join(comps)
    shared = len(comps) > 1
    why = "; ".join(dict.fromkeys(r for c in comps for r in b.reasons.get(c, ()))) or (
        f"{n.plan_name} is what phase {b.k_to} needs from {b.units(b.new_ph.start)}"
    )
    note = ""
    if o.provider == "render" and kind == "postgres":
        note = " Render may restart the database to apply the new instance type: do it in a quiet hour."
    if shared:
        note += f" One account plan covers {names}: one change upgrades them all."
    return Step(
        f"Change {names} from {o.provider_name} {o.plan_name} to {n.plan_name}",
        why + "." + note,
        cmds,
        verify,
        back,
        0.0,
        comps,
        "capacity",
        manual,
        back_manual,
    )


def _kind_checks(b: _Build, comp: str) -> list[str]:
    """Cheap checks that a data store or SaaS component answers after a change."""
    c = b.p.components[comp]
    store = next((s for s in b.dep_new.stores if s.name == comp), None)
    ch = b.by_comp.get(comp)
    side = "NEW_" if ch is not None and ch.category == "move" else ""  # after a move: the new store
    if c.kind == "postgres" and store is not None:
        url = b.var(
            f"{side}{store.env.removesuffix('_URL')}_ADMIN_URL",
            _admin_where(b, comp, b.new_ph, new=bool(side)),
        )
        return [f"psql {url} -At -c 'SELECT version()'"]
    if c.kind == "redis" and store is not None:
        return [f"redis-cli -u {_redis_admin(b, comp, side, store.provider)} PING"]
    if c.kind in ("web_frontend",) or c.kind in WEB_KINDS:
        return b.health(comp)
    return []


# --------------------------------------------------------------------------- data stores
def _admin_where(b: _Build, comp: str, ph: Phase, new: bool) -> str:
    ev = (ph.stack_start if new else ph.stack_end).choices[comp]
    p = ev.option.provider
    where = {
        "render": f"Render dashboard > {comp} > Connections > External Database URL",
        "supabase": "Supabase dashboard > Connect > Direct connection (port 5432; the session pooler if your network has no IPv6)",
        "neon": "Neon console > Connection details with connection pooling off (the direct endpoint)",
        "fly": "Fly.io dashboard > Managed Postgres > the cluster > Connect (direct, not pgbouncer), or `fly mpg proxy`",
        "railway": f"Railway dashboard > {comp} > Variables > DATABASE_PUBLIC_URL",
        "aws": f"postgresql://USER@{b.app}-{b.slug(comp)}.ID.{ev.option.region.id if ev.option.region else 'REGION'}.rds.amazonaws.com:5432/postgres?sslmode=require with the password from Secrets Manager",
    }.get(p, f"{ev.option.plan.provider.name}: a direct (not pooled) connection string")
    return f"{comp} ({p} {ev.option.plan.plan.id}), as the database owner: {where}"


def _store_steps(b: _Build, ch: Change) -> None:
    comp = ch.component
    budget = b.hours(ch.kind, ch.category) * 60
    steps: list[Step] = []
    if ch.category == "plan":
        steps.append(_plan_step(b, ch))
    elif ch.category in ("resize", "scale"):
        if ch.old.size != ch.new.size:
            steps.append(_store_resize_step(b, ch, ch.old, ch.new, "capacity"))
        if ch.old.instances != ch.new.instances:
            steps.append(
                Step(
                    f"Scale {comp} to {ch.new.instances} instances on {ch.new.provider_name}",
                    b.why(ch, f"the plan's count from {b.units(b.new_ph.start)}"),
                    [],
                    _kind_checks(b, comp),
                    [],
                    0.0,
                    (comp,),
                    "capacity",
                    [f"{ch.new.provider_name} dashboard: set {comp} to {ch.new.instances} instances"],
                    [f"{ch.new.provider_name} dashboard: set {comp} back to {ch.old.instances} instances"],
                )
            )
    else:
        mover = {
            "postgres": _postgres_move,
            "sqlite": _sqlite_move,
            "redis": _redis_move,
            "kv": _kv_move,
            "object_storage": _bucket_move,
            "queue": _queue_move,
        }[ch.kind]
        steps += mover(b, ch)
    steps += _later_steps(b, ch, None)
    _spread(steps, budget)
    # the data copy runs on top of the hands-on time
    for s, m in zip(steps, _machine_minutes(b, ch, steps), strict=True):
        s.minutes_estimate += m
    b.steps += steps


def _machine_minutes(b: _Build, ch: Change, steps: list[Step]) -> list[float]:
    """Time a step waits for a data copy (from the chosen method), on top of the hands-on time."""
    dm = next((d for d in b.data_moves if d.component == ch.component), None)
    out = []
    for s in steps:
        m = 0.0
        if dm is not None:
            if dm.method == "logical_replication" and s.stage == "copy":
                m = dm.copy_minutes
            elif dm.method != "logical_replication" and s.stage == "cutover" and s.downtime_minutes:
                m = dm.copy_minutes
        out.append(m)
    return out


def _store_resize_step(b: _Build, ch: Change, frm: Placement, to: Placement, stage: str) -> Step:
    comp = ch.component
    cmds: list[str] = []
    back: list[str] = []
    manual: list[str] = []
    back_manual: list[str] = []
    verify: list[str] = []
    if to.provider == "aws" and ch.kind == "postgres":
        ident = f"{b.app}-{b.slug(comp)}"
        region = f" --region {to.region}" if to.region else ""
        cmds.append(
            f"aws rds modify-db-instance --db-instance-identifier {ident} --db-instance-class {to.size} --apply-immediately{region}"
        )
        back.append(
            f"aws rds modify-db-instance --db-instance-identifier {ident} --db-instance-class {frm.size} --apply-immediately{region}"
        )
        verify.append(
            f"aws rds describe-db-instances --db-instance-identifier {ident}{region} "
            "--query 'DBInstances[0].[DBInstanceClass,DBInstanceStatus]' --output text"
        )
    else:
        page = {
            "supabase": "Supabase dashboard > Project settings > Compute and Disk > Compute size",
            "neon": "Neon console > the branch > Computes > Edit > compute size",
        }.get(to.provider, f"{to.provider_name} dashboard: {comp} > instance size")
        manual.append(f"{page}: {to.size}")
        back_manual.append(f"{page}: {frm.size}")
    verify += _kind_checks(b, comp)
    when = (
        f"from {b.units(b.new_ph.start)}"
        if stage == "capacity"
        else f"within phase {b.k_to}, by {b.units(b.new_ph.last_scale)} (watch its CPU and memory; resize before they reach the headroom)"
    )
    return Step(
        f"Resize {comp} from {frm.size} to {to.size} on {to.provider_name}",
        f"the plan runs {comp} on {to.size} {when}. The resize restarts the instance (a short interruption)",
        cmds,
        verify,
        back,
        0.0,
        (comp,),
        stage,
        manual,
        back_manual,
        downtime_minutes=0.0,
    )


def _store_env(b: _Build, comp: str) -> str:
    st = next((s for s in b.dep_new.stores if s.name == comp), None)
    return st.env if st is not None else f"{b.tok(comp)}_URL"


def _freeze_sql(on: bool) -> str:
    state = "on" if on else "off"
    lines = [
        "DO $$ BEGIN",
        f"  EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = {state}', current_database());",
        "END $$;",
    ]
    if on:
        lines += [
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
            " WHERE datname = current_database() AND pid <> pg_backend_pid()",
            "   AND backend_type = 'client backend' AND usename = current_user;",
        ]
    return "\n".join(lines)


_COUNT_SQL = (
    "SELECT format('%I.%I', table_schema, table_name), (xpath('/row/c/text()', query_to_xml("
    "format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text "
    "FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
    "AND table_schema NOT IN ('pg_catalog', 'information_schema')"
)


def _row_counts(comp: str, old_url: str, new_url: str) -> list[str]:
    f_old, f_new = f"{comp}-rows-old.txt", f"{comp}-rows-new.txt"
    return [
        f'counts="{_COUNT_SQL}"',
        f'psql {old_url} -At -c "$counts" | sort > {f_old}',
        f'psql {new_url} -At -c "$counts" | sort > {f_new}',
        f'if [ -z "$(comm -23 {f_old} {f_new})" ]; then echo "{comp}: every table has the same row count"; '
        f'else echo "{comp}: row counts differ:"; comm -23 {f_old} {f_new}; fi',
    ]


def _postgres_move(b: _Build, ch: Change) -> list[Step]:
    comp = ch.component
    env = _store_env(b, comp)
    base = env.removesuffix("_URL")
    old_admin = b.var(f"OLD_{base}_ADMIN_URL", _admin_where(b, comp, b.old_ph, new=False))
    new_admin = b.var(f"NEW_{base}_ADMIN_URL", _admin_where(b, comp, b.new_ph, new=True))
    gb = b.new_ph.stack_start.demand.components[comp].metrics.get("storage_gb", 0.0)
    zero = b.new_ph.stack_start.context.zero_downtime
    method, copy_min, freeze_min, reason = choose_db_method(
        gb,
        zero,
        b.a["migration.dump_restore_max_gb"],
        b.a["migration.downtime_minutes_per_gb"],
        b.a["migration.downtime_minutes_fixed"],
    )
    dump_min = dump_restore_minutes(
        gb, b.a["migration.downtime_minutes_per_gb"], b.a["migration.downtime_minutes_fixed"]
    )
    b.data_moves.append(DataMove(comp, method, gb, dump_min, copy_min, freeze_min, reason))
    b.switched.add(env)
    steps = [_provision_postgres(b, ch, new_admin, old_admin)]
    fwd, fwd_manual, back, back_manual = b.switch_env([env])
    checks = _row_counts(comp, old_admin, new_admin) + b.web_checks()
    if method == "logical_replication":
        steps += _replication_steps(
            b, ch, old_admin, new_admin, fwd, fwd_manual, back, back_manual, checks, freeze_min, reason
        )
    else:
        dump = f"{b.app}-{b.slug(comp)}-phase-{b.k_to}.dump"
        steps.append(
            _db_cutover(
                f"Move {comp}'s data by pg_dump/pg_restore (write freeze ~{_mins(freeze_min)})",
                f"{_gb(gb)} GB at {b.units(b.new_ph.start)}: {reason}. Reads keep working during the freeze.",
                comp,
                old_admin,
                [
                    f'pg_dump --format=custom --no-owner --no-privileges --file="{dump}" {old_admin}',
                    f'pg_restore --no-owner --no-privileges --exit-on-error --jobs=4 --dbname={new_admin} "{dump}"',
                ],
                env,
                (fwd, fwd_manual, back, back_manual),
                checks,
                freeze_min,
            )
        )
    steps.append(_postgres_cleanup(b, ch, old_admin, new_admin, method))
    return steps


def _db_cutover(
    title: str,
    why: str,
    comp: str,
    old_admin: str,
    copy: list[str],
    env: str,
    switch: tuple[list[str], list[str], list[str], list[str]],
    checks: list[str],
    freeze_min: float,
) -> Step:
    """The write-frozen switch of a database: freeze the old one, run ``copy`` (the last data), point
    every host at the new one; the rollback points them back and lifts the freeze."""
    fwd, fwd_manual, back, back_manual = switch
    return Step(
        title,
        why,
        [
            f"psql {old_admin} -v ON_ERROR_STOP=1 <<'SQL'\n{_freeze_sql(True)}\nSQL",
            *copy,
            f"# point every host at the new database ({env})",
            *fwd,
        ],
        checks,
        [*back, f"psql {old_admin} -v ON_ERROR_STOP=1 <<'SQL'\n{_freeze_sql(False)}\nSQL"],
        0.0,
        (comp,),
        "cutover",
        fwd_manual,
        back_manual
        + [
            "Writes made on the new database after the switch are not on the old one: export them first if any matter"
        ],
        downtime_minutes=freeze_min,
    )


def _provision_postgres(b: _Build, ch: Change, new_admin: str, old_admin: str) -> Step:
    comp = ch.component
    n = ch.new
    end_gb = b.new_ph.stack_end.demand.components[comp].metrics.get("storage_gb", 0.0)
    disk = max(10, math.ceil(end_gb / b.p.requirements.headroom))
    name = f"{b.app}-{b.slug(comp)}"
    cmds: list[str] = []
    manual: list[str] = []
    back: list[str] = []
    back_manual: list[str] = []
    region = n.region or ""
    ctx = b.new_ph.stack_start.context
    callers = sorted(
        {
            b.pname(h.provider)
            for h in b.hosts_new.values()
            if h.kind in CODE_KINDS and h.provider != n.provider
        }
    )
    if n.provider == "supabase":
        pw = b.var(
            "NEW_DB_PASSWORD", "a new strong password for the Supabase database (openssl rand -hex 24)"
        )
        org = b.var(
            "SUPABASE_ORG_ID", "Supabase dashboard > Organization settings > General > Organization slug"
        )
        cmds.append(
            f"supabase projects create {name} --org-id {org} --db-password {pw} "
            f"--region {region.removeprefix('aws-')}" + (f" --size {n.size}" if n.size else "")
        )
        ref = b.var(
            "SUPABASE_PROJECT_REF", f"the reference of the new project (supabase projects list; {name})"
        )
        back.append(f"supabase projects delete {ref}")
    elif n.provider == "neon":
        cmds.append(f"npx neonctl projects create --name {name} --region-id {region}")
        pid = b.var("NEON_PROJECT_ID", f"the id of the new Neon project (neonctl projects list; {name})")
        back.append(f"npx neonctl projects delete {pid}")
    elif n.provider == "fly":
        plan = f" --plan {n.plan}" if n.plan != "pay-as-you-go" else ""
        cmds.append(
            f"flyctl mpg create --name {name} --region {region}{plan} --volume-size {disk} --pg-major-version 17"
        )
        cid = b.var("FLY_MPG_CLUSTER_ID", f"the id of the new cluster (flyctl mpg list; {name})")
        back.append(f"flyctl mpg destroy {cid}")
    elif n.provider == "aws":
        outside = sorted(
            {h.provider for h in b.hosts_new.values() if h.kind in CODE_KINDS and h.provider != "aws"}
        )
        outside = [b.pname(x) for x in outside]
        retention = max(1, math.ceil(ctx.pitr_days)) if ctx.backups else 1
        multi = "--multi-az" if n.plan == "multi-az" else "--no-multi-az"
        cmds.append(
            f"aws rds create-db-instance --db-instance-identifier {name} --engine postgres "
            f"--db-instance-class {n.size} --allocated-storage {disk} --master-username app "
            f"--manage-master-user-password --backup-retention-period {retention} {multi}"
            + (" --publicly-accessible" if outside else "")
            + f" --region {region}"
        )
        if outside:
            manual.append(
                f"AWS console > RDS > {name} > VPC security groups: allow inbound 5432 from "
                f"{', '.join(outside)} (their egress IPs where fixed); connections require TLS"
            )
        cmds.append(f"aws rds wait db-instance-available --db-instance-identifier {name} --region {region}")
        back.append(
            f"aws rds delete-db-instance --db-instance-identifier {name} --skip-final-snapshot --region {region}"
        )
    elif n.provider == "render":
        key = b.var("RENDER_API_KEY", "Render dashboard > Account settings > API Keys")
        owner = b.var("RENDER_OWNER_ID", "Render dashboard > Workspace settings: the workspace ID (tea-...)")
        body = f'{{name: "{name}", ownerId: $owner, plan: "{n.plan.replace("-", "_")}", region: "{region}", version: "17", diskSizeGB: {disk}}}'
        cmds.append(
            f"jq -n --arg owner {owner} '{body}' | curl --fail --silent --show-error --request POST "
            f"--header \"Authorization: Bearer {_bare(key)}\" --header 'Content-Type: application/json' "
            "--data @- https://api.render.com/v1/postgres"
        )
        back_manual.append(f"Render dashboard > {name} > Settings > Delete database")
    elif n.provider == "railway":
        cmds.append("railway add --database postgres")
        back_manual.append("Railway dashboard > the new Postgres service > Settings > Delete service")
    else:
        manual.append(
            f"{n.provider_name} console: create a PostgreSQL database {name} ({n.plan}, {n.size or ''} {region})"
        )
        back_manual.append(f"{n.provider_name} console: delete {name}")
    return Step(
        f"Create the new {comp} database on {n.short()}",
        f"{comp} moves from {ch.old.short()} to {n.short()}: "
        + b.why(ch, f"phase {b.k_to} runs it there")
        + "."
        + (
            f" Disk: {disk} GB ({_gb(end_gb)} GB by the end of phase {b.k_to} within the "
            f"{b.p.requirements.headroom:.0%} headroom)."
            if n.provider in ("aws", "fly", "render")
            else ""
        )
        + (
            f" It serves hosts on other providers ({', '.join(callers)}): they connect over the internet, "
            "so the database must accept their connections (public endpoint, TLS, allow list)."
            if callers and n.provider != "aws"
            else ""
        ),
        cmds,
        [
            f"psql {new_admin} -At -c 'SHOW server_version'",
            f"psql {old_admin} -At -c 'SHOW server_version'  # the new major version must be the same or newer",
        ],
        back,
        0.0,
        (comp,),
        "provision",
        manual,
        back_manual,
    )


def _publisher_prereq(b: _Build, ch: Change, old_admin: str) -> tuple[list[str], list[str]]:
    """(commands, manual actions) that let the old database publish changes."""
    o = ch.old
    if o.provider == "render":
        rid = b.render_id(ch.component, "postgres")
        return [], [
            "Render enables logical replication on request: open a support request from the Render dashboard "
            f"with the database ID ({_bare(rid)}), the role the subscriber connects as, and the schemas to "
            "publish (Render requires a Pro workspace and a database with at least 10 GB of disk)"
        ]
    if o.provider == "aws":
        ident = f"{b.app}-{b.slug(ch.component)}"
        region = f" --region {o.region}" if o.region else ""
        return [
            f"aws rds create-db-parameter-group --db-parameter-group-name {ident}-logical "
            f"--db-parameter-group-family postgres16 --description 'logical replication'{region}",
            f"aws rds modify-db-parameter-group --db-parameter-group-name {ident}-logical "
            "--parameters 'ParameterName=rds.logical_replication,ParameterValue=1,ApplyMethod=pending-reboot'"
            + region,
            f"aws rds modify-db-instance --db-instance-identifier {ident} --db-parameter-group-name {ident}-logical --apply-immediately{region}",
            f"aws rds reboot-db-instance --db-instance-identifier {ident}{region}",
        ], []
    if o.provider == "neon":
        return [], ["Neon console > Project settings > Logical replication > Enable (restarts the compute)"]
    if o.provider == "railway":
        return [f"psql {old_admin} -c 'ALTER SYSTEM SET wal_level = logical'"], [
            f"Railway dashboard > {ch.component} > Restart (wal_level takes effect on restart)"
        ]
    if o.provider == "supabase":
        return [], []
    return [], [f"{o.provider_name}: check that the database allows CREATE PUBLICATION (wal_level = logical)"]


def _replication_steps(
    b: _Build,
    ch: Change,
    old_admin: str,
    new_admin: str,
    fwd: list[str],
    fwd_manual: list[str],
    back: list[str],
    back_manual: list[str],
    checks: list[str],
    freeze_min: float,
    reason: str,
) -> list[Step]:
    comp = ch.component
    pre_cmds, pre_manual = _publisher_prereq(b, ch, old_admin)
    gb = b.new_ph.stack_start.demand.components[comp].metrics.get("storage_gb", 0.0)
    pub = PUBLICATION
    copy = Step(
        f"Replicate {comp} from {ch.old.provider_name} to {ch.new.provider_name} (logical replication)",
        f"{_gb(gb)} GB at {b.units(b.new_ph.start)}: {reason}. The schema is copied first "
        "(replication copies rows, not DDL); freeze schema changes until the cut-over.",
        [
            *pre_cmds,
            f"pg_dump --schema-only --no-owner --no-privileges {old_admin} | psql {new_admin} -v ON_ERROR_STOP=1",
            f"tables=$(psql {old_admin} -At -c \"SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') "
            "FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')\")",
            f'psql {old_admin} -v ON_ERROR_STOP=1 -c "CREATE PUBLICATION {pub} FOR TABLE $tables"',
            f"psql {new_admin} -v ON_ERROR_STOP=1 -c \"CREATE SUBSCRIPTION {pub} CONNECTION '{_bare(old_admin)}' PUBLICATION {pub}\"",
        ],
        [
            f"psql {new_admin} -c \"SELECT srrelid::regclass AS table_name, srsubstate FROM pg_subscription_rel WHERE srsubstate <> 'r'\"  # no rows: the initial copy is done",
            f"psql {old_admin} -c \"SELECT slot_name, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)) AS lag FROM pg_replication_slots WHERE slot_name = '{pub}'\"",
        ],
        [
            f'psql {new_admin} -c "DROP SUBSCRIPTION IF EXISTS {pub}"',
            f'psql {old_admin} -c "DROP PUBLICATION IF EXISTS {pub}"',
        ],
        0.0,
        (comp,),
        "copy",
        pre_manual,
    )
    cut = _db_cutover(
        f"Cut {comp} over to {ch.new.provider_name} (write freeze ~{_mins(freeze_min)})",
        "Freeze writes on the old database, wait until the new one has every change, carry the "
        "sequences over (replication does not copy them), then point every host at the new database. "
        "Reads keep working during the freeze.",
        comp,
        old_admin,
        [
            f"target=$(psql {old_admin} -At -c 'SELECT pg_current_wal_lsn()')",
            f"until [ \"$(psql {old_admin} -At -c \"SELECT confirmed_flush_lsn >= '$target'::pg_lsn FROM pg_replication_slots WHERE slot_name = '{pub}'\")\" = t ]; do sleep 2; done",
            f"psql {old_admin} -At -c \"SELECT format('SELECT setval(%L, %s, true);', format('%I.%I', schemaname, sequencename), last_value) "
            f'FROM pg_sequences WHERE last_value IS NOT NULL" | psql {new_admin} -v ON_ERROR_STOP=1',
            f'psql {new_admin} -v ON_ERROR_STOP=1 -c "ALTER SUBSCRIPTION {pub} DISABLE"',
        ],
        _store_env(b, comp),
        (fwd, fwd_manual, back, back_manual),
        checks,
        freeze_min,
    )
    return [copy, cut]


def _postgres_cleanup(b: _Build, ch: Change, old_admin: str, new_admin: str, method: str) -> Step:
    comp = ch.component
    days = b.a["migration.rollback_window_days"]
    final = f"{b.app}-{b.slug(comp)}-final-{ch.old.provider}.dump"
    cmds = []
    if method == "logical_replication":
        cmds += [
            f'psql {new_admin} -v ON_ERROR_STOP=1 -c "DROP SUBSCRIPTION {PUBLICATION}"',
            f'psql {old_admin} -v ON_ERROR_STOP=1 -c "DROP PUBLICATION {PUBLICATION}"',
        ]
    cmds.append(f'pg_dump --format=custom --no-owner --no-privileges --file="{final}" {old_admin}')
    manual: list[str] = []
    o = ch.old
    if o.provider == "render":
        key = b.var("RENDER_API_KEY", "Render dashboard > Account settings > API Keys")
        rid = b.render_id(comp, "postgres")
        cmds.append(
            f'curl --fail --silent --show-error --request DELETE --header "Authorization: Bearer {_bare(key)}" '
            f'"https://api.render.com/v1/postgres/{_bare(rid)}"'
        )
    elif o.provider == "aws":
        ident = f"{b.app}-{b.slug(comp)}"
        cmds.append(
            f"aws rds delete-db-instance --db-instance-identifier {ident} --final-db-snapshot-identifier {ident}-final"
            + (f" --region {o.region}" if o.region else "")
        )
    elif o.provider == "supabase":
        ref = b.var("OLD_SUPABASE_PROJECT_REF", f"the reference of the old Supabase project of {comp}")
        cmds.append(f"supabase projects delete {ref}")
    elif o.provider == "neon":
        pid = b.var("OLD_NEON_PROJECT_ID", f"the id of the old Neon project of {comp}")
        cmds.append(f"npx neonctl projects delete {pid}")
    elif o.provider == "fly":
        cid = b.var("OLD_FLY_MPG_CLUSTER_ID", f"the id of the old cluster of {comp} (flyctl mpg list)")
        cmds.append(f"flyctl mpg destroy {cid}")
    else:
        manual.append(f"{o.provider_name} dashboard: delete the old {comp} database")
    return Step(
        f"Delete the old {comp} database on {o.short()}",
        f"after {days:g} days on the new database without a rollback (the old one stays read-only until "
        "then); a final dump is kept",
        cmds,
        [f'pg_restore --list "{final}" | head'],
        [],
        0.0,
        (comp,),
        "cleanup",
        manual,
        [
            f'Restore from the final dump if it is ever needed: pg_restore --no-owner --dbname=<a new database> "{final}"'
        ],
    )


def _sqlite_move(b: _Build, ch: Change) -> list[Step]:
    comp = ch.component
    gb = b.new_ph.stack_start.demand.components[comp].metrics.get("storage_gb", 0.0)
    per, fixed = b.a["migration.downtime_minutes_per_gb"], b.a["migration.downtime_minutes_fixed"]
    freeze = dump_restore_minutes(gb, per, fixed)
    b.data_moves.append(
        DataMove(comp, "export_import", gb, freeze, freeze - fixed, freeze, "export and import")
    )
    name = b.var(f"{b.tok(comp)}_D1_NAME", f"the name of the D1 database of {comp} (wrangler d1 list)")
    new = b.var(f"NEW_{b.tok(comp)}_D1_NAME", f"the name of the new D1 database of {comp}")
    dump = f"{b.app}-{b.slug(comp)}.sql"
    return [
        Step(
            f"Copy {comp} to the new D1 database (write freeze ~{_mins(freeze)})",
            f"{_gb(gb)} GB: export and import",
            [
                f"npx wrangler d1 create {new}",
                f"npx wrangler d1 export {name} --remote --output={dump}",
                f"npx wrangler d1 execute {new} --remote --file={dump}",
            ],
            [f"npx wrangler d1 execute {new} --remote --command 'SELECT count(*) FROM sqlite_master'"],
            [],
            0.0,
            (comp,),
            "cutover",
            [f"wrangler.toml: bind {comp} to the new database, then npx wrangler deploy"],
            ["wrangler.toml: bind the old database again, then npx wrangler deploy"],
            downtime_minutes=freeze,
        )
    ]


def _redis_move(b: _Build, ch: Change) -> list[Step]:
    comp = ch.component
    c = b.p.components[comp]
    env = _store_env(b, comp)
    new_url = b.var(f"NEW_{env}", b.where_new(env))
    old_url = b.var(f"OLD_{env}", b.where_old(env))
    b.switched.add(env)
    use = getattr(c, "use", "cache")
    steps = [_provision_simple(b, ch, "Redis")]
    fwd, fwd_manual, back, back_manual = b.switch_env([env])
    old_cli = _redis_admin(b, comp, "OLD_", ch.old.provider)
    new_cli = _redis_admin(b, comp, "NEW_", ch.new.provider)
    checks = [f"redis-cli -u {new_cli} PING", f"redis-cli -u {new_cli} DBSIZE", *b.web_checks()]
    if use == "broker":
        producers = [h for h in b.env_targets() if h.kind != "worker"]
        workers = [h for h in b.env_targets() if h.kind == "worker"]
        p_cmds: list[str] = []
        w_cmds: list[str] = []
        p_back: list[str] = []
        w_back: list[str] = []
        for h in producers:
            p_cmds += b.set_env(h, [(env, new_url)])[0]
            p_back += b.set_env(h, [(env, old_url)])[0]
        for h in workers:
            w_cmds += b.set_env(h, [(env, new_url)])[0]
            w_back += b.set_env(h, [(env, old_url)])[0]
        steps.append(
            Step(
                f"Move {comp} (the job broker) to {ch.new.provider_name}: producers first, workers after the old queue drains",
                "Jobs already queued on the old broker are processed by the workers still attached to it; "
                "no job is lost and none is run twice.",
                [
                    "# 1. new jobs go to the new broker",
                    *p_cmds,
                    "# 2. wait until the old broker's queues are empty (celery is the default queue name)",
                    f'until [ "$(redis-cli -u {old_cli} LLEN celery)" = 0 ]; do sleep 5; done',
                    "# 3. the workers follow",
                    *w_cmds,
                ],
                checks,
                [*p_back, *w_back],
                0.0,
                (comp,),
                "cutover",
            )
        )
    else:
        copy: list[str] = []
        if use == "sessions" or getattr(c, "persistence_required", None):
            copy = [
                f"redis-cli -u {old_cli} --scan | while IFS= read -r key; do",
                f'  ttl=$(redis-cli -u {old_cli} PTTL "$key")',
                '  if [ "$ttl" -lt 0 ]; then ttl=0; fi',
                f'  redis-cli -u {old_cli} --raw DUMP "$key" | head -c -1 | redis-cli -u {new_cli} -x RESTORE "$key" "$ttl" REPLACE',
                "done",
            ]
        what = {
            "cache": "a cache: the new one starts empty and fills on use",
            "rate_limit": "rate-limit counters: they restart from zero, which only lets a burst through once",
            "sessions": "sessions: the keys are copied (with their expiry) so users stay signed in",
        }.get(use, "its keys are copied")
        steps.append(
            Step(
                f"Switch {comp} to {ch.new.provider_name}",
                f"{comp} holds {what}.",
                [*copy, *fwd],
                checks,
                back,
                0.0,
                (comp,),
                "cutover",
                fwd_manual,
                back_manual,
            )
        )
    steps.append(_delete_old_simple(b, ch))
    return steps


def _provision_simple(b: _Build, ch: Change, what: str) -> Step:
    """Create a store that has no data-specific provisioning (Redis, KV, queues)."""
    comp = ch.component
    n = ch.new
    name = f"{b.app}-{b.slug(comp)}"
    cmds: list[str] = []
    back: list[str] = []
    manual: list[str] = []
    back_manual: list[str] = []
    if n.provider == "railway" and ch.kind == "redis":
        cmds.append("railway add --database redis")
        back_manual.append("Railway dashboard > the new Redis service > Settings > Delete service")
    elif n.provider == "cloudflare" and ch.kind == "kv":
        cmds.append(f"npx wrangler kv namespace create {name}")
        back.append(
            f"npx wrangler kv namespace delete --namespace-id {b.var(f'NEW_{b.tok(comp)}_NAMESPACE_ID', 'the id wrangler kv namespace create prints')}"
        )
    elif n.provider == "cloudflare" and ch.kind == "queue":
        cmds.append(f"npx wrangler queues create {name}")
        back.append(f"npx wrangler queues delete {name}")
    elif n.provider == "aws" and ch.kind == "queue":
        cmds.append(f"aws sqs create-queue --queue-name {name} --region {n.region}")
        back.append(f'aws sqs delete-queue --queue-url "$NEW_{_store_env(b, comp)}" --region {n.region}')
    else:
        detail = ", ".join(x for x in (n.plan_name, n.size, n.region) if x)
        manual.append(f"{n.provider_name} console: create a {what} database {name} ({detail})")
        back_manual.append(f"{n.provider_name} console: delete {name}")
    return Step(
        f"Create the new {comp} on {n.short()}",
        f"{comp} moves from {ch.old.short()} to {n.short()}: " + b.why(ch, f"phase {b.k_to} runs it there"),
        cmds,
        _new_store_check(b, ch),
        back,
        0.0,
        (comp,),
        "provision",
        manual,
        back_manual,
    )


_REDIS_PUBLIC = {
    "railway": "Railway dashboard > {comp} > Variables > REDIS_PUBLIC_URL",
    "render": "Render dashboard > {comp} > Connect > External Key Value URL (allow your IP first)",
    "upstash": "Upstash console > the database > Connect > redis-cli URL (rediss://)",
    "fly": "`fly redis status` (Upstash through Fly.io), from a machine on the Fly.io network",
    "aws": "the ElastiCache primary endpoint, from a machine in the VPC (rediss://)",
}


def _redis_admin(b: _Build, comp: str, side: str, provider: str) -> str:
    """A redis-cli URL of the store reachable from the machine that runs the runbook."""
    env = _store_env(b, comp).removesuffix("_URL")
    where = _REDIS_PUBLIC.get(provider, "{comp}: a URL reachable from this machine").format(comp=comp)
    return b.var(f"{side}{env}_ADMIN_URL", f"{comp} ({provider}) for redis-cli from this machine: {where}")


def _new_store_check(b: _Build, ch: Change) -> list[str]:
    env = _store_env(b, ch.component)
    if ch.kind == "redis":
        return [f"redis-cli -u {_redis_admin(b, ch.component, 'NEW_', ch.new.provider)} PING"]
    if ch.kind == "queue" and ch.new.provider == "aws":
        return [
            f"aws sqs get-queue-attributes --queue-url {b.var(f'NEW_{env}', b.where_new(env))} --attribute-names All --region {ch.new.region}"
        ]
    if ch.kind == "queue" and ch.new.provider == "cloudflare":
        return ["npx wrangler queues list"]
    if ch.kind == "kv" and ch.new.provider == "cloudflare":
        return ["npx wrangler kv namespace list"]
    return []


def _delete_old_simple(b: _Build, ch: Change) -> Step:
    comp = ch.component
    o = ch.old
    days = b.a["migration.rollback_window_days"]
    return Step(
        f"Delete the old {comp} on {o.short()}",
        f"after {days:g} days without a rollback",
        [],
        _new_store_check(b, ch) or b.web_checks(),
        [],
        0.0,
        (comp,),
        "cleanup",
        [f"{o.provider_name} dashboard: delete the old {comp}"],
        [f"none: recreate {comp} on {o.provider_name} if it is ever needed"],
    )


def _kv_move(b: _Build, ch: Change) -> list[Step]:
    comp = ch.component
    steps = [_provision_simple(b, ch, "KV")]
    o, n = ch.old.provider, ch.new.provider
    if o == "cloudflare":
        old_ns = b.var(
            f"OLD_{b.tok(comp)}_NAMESPACE_ID",
            f"the KV namespace id of {comp} (npx wrangler kv namespace list)",
        )
        src = [
            f"npx wrangler kv key list --namespace-id {old_ns} --remote | jq -r '.[].name' | while IFS= read -r key; do",
            f'  value=$(npx wrangler kv key get "$key" --namespace-id {old_ns} --remote)',
        ]
    else:
        env = _store_env(b, comp)
        old_url = b.var(f"OLD_{b.tok(comp)}_REDIS_URL", f"a redis-cli URL (rediss://...) of the old {comp}")
        _ = env
        src = [
            f"redis-cli -u {old_url} --scan | while IFS= read -r key; do",
            f'  value=$(redis-cli -u {old_url} --raw GET "$key")',
        ]
    if n == "cloudflare":
        new_ns = b.var(f"NEW_{b.tok(comp)}_NAMESPACE_ID", "the id wrangler kv namespace create prints")
        dst = [f'  npx wrangler kv key put "$key" "$value" --namespace-id {new_ns} --remote', "done"]
    else:
        new_url = b.var(f"NEW_{b.tok(comp)}_REDIS_URL", f"a redis-cli URL (rediss://...) of the new {comp}")
        dst = [f'  redis-cli -u {new_url} SET "$key" "$value" > /dev/null', "done"]
    env = _store_env(b, comp)
    b.switched.add(env)
    fwd, fwd_manual, back, back_manual = b.switch_env([env]) if env in b.env_new else ([], [], [], [])
    if o == "cloudflare" or n == "cloudflare":
        fwd_manual = fwd_manual + ["wrangler.toml: bind the new KV namespace id, then npx wrangler deploy"]
        back_manual = back_manual + [
            "wrangler.toml: bind the old namespace id again, then npx wrangler deploy"
        ]
    steps.append(
        Step(
            f"Copy {comp}'s keys to {ch.new.provider_name} and switch",
            f"{comp} moves from {ch.old.short()} to {ch.new.short()}; keys written between the copy and "
            "the switch are copied again by re-running the loop",
            [*src, *dst, *fwd],
            b.web_checks(),
            back,
            0.0,
            (comp,),
            "cutover",
            fwd_manual,
            back_manual,
        )
    )
    steps.append(_delete_old_simple(b, ch))
    return steps


_RCLONE = {"cloudflare": "Cloudflare", "aws": "AWS"}


def _rclone_env(b: _Build, side: str, provider: str, prefix: str) -> str:
    up = side.upper()
    names = {
        k: b.ref(
            f"{up}_{prefix}S3_{k}",
            f"{'current' if side == 'old' else 'new'} {k.lower().replace('_', ' ')} of the bucket ({provider})",
        )
        for k in ("ENDPOINT", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY")
    }
    return (
        f"export RCLONE_CONFIG_{up}_TYPE=s3 RCLONE_CONFIG_{up}_PROVIDER={_RCLONE.get(provider, 'Other')} "
        f'RCLONE_CONFIG_{up}_ENDPOINT="{names["ENDPOINT"]}" RCLONE_CONFIG_{up}_ACCESS_KEY_ID="{names["ACCESS_KEY_ID"]}" '
        f'RCLONE_CONFIG_{up}_SECRET_ACCESS_KEY="{names["SECRET_ACCESS_KEY"]}"'
    )


def _bucket_move(b: _Build, ch: Change) -> list[Step]:
    comp = ch.component
    env = _store_env(b, comp)
    prefix = env.removesuffix("S3_ENDPOINT")
    names = [
        f"{prefix}S3_{k}" for k in ("ENDPOINT", "REGION", "BUCKET", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY")
    ]
    bucket_new = b.ref(f"NEW_{prefix}S3_BUCKET", f"the new bucket of {comp} ({b.app}-{b.slug(comp)})")
    bucket_old = b.ref(f"OLD_{prefix}S3_BUCKET", f"the current bucket of {comp}")
    rc = [_rclone_env(b, "old", ch.old.provider, prefix), _rclone_env(b, "new", ch.new.provider, prefix)]
    gb = b.new_ph.stack_start.demand.components[comp].metrics.get("storage_gb", 0.0)
    n = ch.new
    create: list[str] = []
    create_manual: list[str] = []
    if n.provider == "cloudflare":
        create.append(f'npx wrangler r2 bucket create "{bucket_new}"')
    elif n.provider == "aws":
        create.append(f'aws s3 mb "s3://{bucket_new}" --region {n.region}')
    else:
        create_manual.append(f"{n.provider_name} dashboard: create the bucket and S3 access keys for {comp}")
    for x in names:
        b.switched.add(x)
    fwd, fwd_manual, back, back_manual = b.switch_env(names)
    days = b.a["migration.rollback_window_days"]
    return [
        Step(
            f"Create the {comp} bucket on {n.short()} and copy the objects",
            f"{comp} moves from {ch.old.short()} to {n.short()} ({_gb(gb)} GB at {b.units(b.new_ph.start)}): "
            + b.why(ch, f"phase {b.k_to} stores it there")
            + ". The first copy runs while the app keeps writing to the old bucket.",
            [*create, *rc, f'rclone copy old:"{bucket_old}" new:"{bucket_new}" --transfers 16 --progress'],
            [*rc, f'rclone size old:"{bucket_old}"', f'rclone size new:"{bucket_new}"'],
            [*rc, f'rclone purge new:"{bucket_new}"'],
            0.0,
            (comp,),
            "copy",
            create_manual,
        ),
        Step(
            f"Switch {comp} to the new bucket",
            "Point every host at the new bucket, then copy what was uploaded to the old one meanwhile.",
            [*fwd, *rc, f'rclone copy old:"{bucket_old}" new:"{bucket_new}" --transfers 16'],
            [*rc, f'rclone check old:"{bucket_old}" new:"{bucket_new}" --one-way', *b.web_checks()],
            [*back, *rc, f'rclone copy new:"{bucket_new}" old:"{bucket_old}" --transfers 16'],
            0.0,
            (comp,),
            "cutover",
            fwd_manual,
            back_manual,
        ),
        Step(
            f"Delete the old {comp} bucket on {ch.old.short()}",
            f"after {days:g} days without a rollback",
            [
                *rc,
                f'rclone check old:"{bucket_old}" new:"{bucket_new}" --one-way',
                f'rclone purge old:"{bucket_old}"',
            ],
            [*rc, f'rclone size new:"{bucket_new}"'],
            [],
            0.0,
            (comp,),
            "cleanup",
            [],
            ["none: the objects are in the new bucket (checked just before)"],
        ),
    ]


def _queue_move(b: _Build, ch: Change) -> list[Step]:
    comp = ch.component
    env = _store_env(b, comp)
    steps = [_provision_simple(b, ch, "queue")]
    b.switched.add(env)
    fwd, fwd_manual, back, back_manual = b.switch_env([env]) if env in b.env_new else ([], [], [], [])
    if ch.new.provider == "cloudflare" or ch.old.provider == "cloudflare":
        fwd_manual = fwd_manual + [
            f"wrangler.toml: bind {comp} to the new queue ({b.app}-{b.slug(comp)}), then npx wrangler deploy"
        ]
        back_manual = back_manual + ["wrangler.toml: bind the old queue again, then npx wrangler deploy"]
    drain: list[str] = []
    if ch.old.provider == "aws":
        old = b.var(f"OLD_{env}", b.where_old(env))
        drain = [
            f'until [ "$(aws sqs get-queue-attributes --queue-url {old} --attribute-names ApproximateNumberOfMessages '
            f"--query 'Attributes.ApproximateNumberOfMessages' --output text --region {ch.old.region})\" = 0 ]; do sleep 10; done"
        ]
    steps.append(
        Step(
            f"Switch {comp} to {ch.new.provider_name}",
            "Producers send to the new queue; the consumers drain the old one before they follow.",
            [*fwd, *(["# wait until the old queue is empty"] + drain if drain else [])],
            b.web_checks(),
            back,
            0.0,
            (comp,),
            "cutover",
            fwd_manual
            + (
                []
                if drain
                else [f"{ch.old.provider_name} dashboard: wait until the old queue shows 0 messages"]
            ),
            back_manual,
        )
    )
    steps.append(_delete_old_simple(b, ch))
    return steps


# --------------------------------------------------------------------------- SaaS components
def _saas_verify(b: _Build, comp: str, kind: str, provider: str) -> tuple[list[str], list[str]]:
    """(commands, manual) that show the new service works."""
    v = lambda n: b.var(f"NEW_{n}", b.where_new(n))  # noqa: E731
    if kind == "error_tracking" and "SENTRY_DSN" in b.env_new:
        return [
            f'SENTRY_DSN={v("SENTRY_DSN")} sentry-cli send-event --message "tierplan runbook: {comp} now reports to {provider}"'
        ], []
    if kind == "email" and provider == "resend" and "RESEND_API_KEY" in b.env_new:
        return [
            f'curl --fail --silent --show-error --header "Authorization: Bearer {_bare(v("RESEND_API_KEY"))}" '
            "https://api.resend.com/domains | jq '.data[] | {name, status}'"
        ], []
    if kind == "logging" and provider == "grafana" and "LOKI_URL" in b.env_new:
        user, key, url = _bare(v("LOKI_USER")), _bare(v("LOKI_API_KEY")), v("LOKI_URL")
        return [
            f"curl --fail --silent --show-error --user \"{user}:{key}\" --header 'Content-Type: application/json' "
            f'--data "{{\\"streams\\": [{{\\"stream\\": {{\\"app\\": \\"{b.app}\\"}}, \\"values\\": '
            f'[[\\"$(date +%s)000000000\\", \\"tierplan runbook: log shipping test\\"]]}}]}}" {url}'
        ], ['Grafana Cloud > Explore > Loki: {app="' + b.app + '"} shows the test line']
    if kind == "logging" and provider == "betterstack" and "BETTERSTACK_SOURCE_TOKEN" in b.env_new:
        tok = _bare(v("BETTERSTACK_SOURCE_TOKEN"))
        host = b.current("BETTERSTACK_INGEST_HOST")
        return [
            f"curl --fail --silent --show-error --header \"Authorization: Bearer {tok}\" --header 'Content-Type: application/json' "
            f'--data \'{{"message": "tierplan runbook: log shipping test"}}\' "https://{_bare(host)}"'
        ], ["Better Stack > Telemetry > Live tail shows the test line"]
    if kind == "messaging" and provider == "meta" and "WHATSAPP_ACCESS_TOKEN" in b.env_new:
        return [
            f'curl --fail --silent --show-error --header "Authorization: Bearer {_bare(v("WHATSAPP_ACCESS_TOKEN"))}" '
            f'"https://graph.facebook.com/v21.0/{_bare(v("WHATSAPP_PHONE_NUMBER_ID"))}"'
        ], []
    if kind == "uptime":
        return b.web_checks(), [f"{b.pname(provider)}: the new monitors show up"]
    if kind == "turn":
        return [], ["make a test call from a network that blocks UDP (it must relay through TURN)"]
    return b.web_checks(), []


def _saas_steps(b: _Build, ch: Change) -> None:
    comp = ch.component
    budget = b.hours(ch.kind, ch.category) * 60
    if ch.category != "move":
        st = _plan_step(b, ch)
        cmds, manual = _saas_verify(b, comp, ch.kind, ch.new.provider)
        st.verify += cmds
        st.manual += manual
        _spread([st], budget)
        b.steps.append(st)
        return
    new_names = [v.name for v in b.dep_new.env if v.component == comp]
    old_names = [v.name for v in b.dep_old.env if v.component == comp]
    for n in new_names:
        b.switched.add(n)
    fwd, fwd_manual, back, back_manual = b.switch_env(new_names)
    verify, verify_manual = _saas_verify(b, comp, ch.kind, ch.new.provider)
    code = ""
    if set(new_names) != set(old_names):
        gone = sorted(set(old_names) - set(new_names))
        code = (
            f" The app must read {', '.join(new_names) or 'the new settings'}"
            + (f" instead of {', '.join(gone)}" if gone else "")
            + ": ship that code change with this step."
        )
    if ch.kind == "uptime":
        urls = [
            f"https://${b.tok(c)}_DOMAIN{getattr(b.p.components[c], 'health_path', '/')}"
            for c, h in b.hosts_new.items()
            if h.kind == "web_service"
        ]
        for c, h in b.hosts_new.items():
            if h.kind == "web_service":
                b.domain(c)
        fwd_manual = [f"{ch.new.provider_name}: create a monitor for {u}" for u in urls] or [
            f"{ch.new.provider_name}: create the monitors"
        ]
        back_manual = [f"{ch.old.provider_name}: keep (or re-enable) the old monitors"]
    elif set(new_names) != set(old_names):
        back_manual = back_manual + [
            "Redeploy the previous release of the app"
            + (
                f" (it reads {', '.join(old_names)}, which stay set until the clean-up step)"
                if old_names
                else ""
            )
        ]
    steps = [
        Step(
            f"Switch {comp} from {ch.old.provider_name} to {ch.new.provider_name} {ch.new.plan_name}",
            b.why(ch, f"phase {b.k_to} uses {ch.new.label}") + "." + code,
            fwd,
            verify,
            back,
            0.0,
            (comp,),
            "switch",
            (
                [
                    f"{ch.new.provider_name}: sign up for {ch.new.plan_name} and create the credentials ({', '.join(new_names)})"
                ]
                if new_names
                else []
            )
            + fwd_manual,
            back_manual,
        )
    ]
    if verify_manual:
        steps[0].manual += [f"check: {m}" for m in verify_manual]
    days = b.a["migration.rollback_window_days"]
    gone = sorted(set(old_names) - set(new_names))
    rm: list[str] = []
    for h in b.env_targets(include_old=False):
        if gone and h.provider == "fly":
            rm.append(f"flyctl secrets unset {' '.join(gone)} --app {h.name}")
    steps.append(
        Step(
            f"Close {comp} on {ch.old.provider_name}",
            f"after {days:g} days without a rollback: remove the old credentials and the account or plan",
            rm,
            verify,
            [],
            0.0,
            (comp,),
            "cleanup",
            [
                f"{ch.old.provider_name}: revoke the old credentials and cancel {ch.old.plan_name} (or delete the project)"
            ],
            [
                f"none: {ch.old.provider_name} can be set up again from the phase {b.k_from} settings if it is ever needed"
            ],
        )
    )
    _spread(steps, budget)
    b.steps += steps


# --------------------------------------------------------------------------- the runbook
def build_runbook(
    planner: Planner,
    old_ph: Phase,
    new_ph: Phase,
    k_from: int,
    k_to: int,
    moves: list[MoveCost] | None = None,
    reasons: dict[str, tuple[str, ...]] | None = None,
) -> Runbook:
    """The runbook from ``old_ph`` (phase k_from) to ``new_ph`` (phase k_to)."""
    p = planner.profile
    order = list(p.components)
    kinds: dict[str, str] = {c: str(p.components[c].kind) for c in order}
    reasons = reasons or {}
    changes = [
        Change(
            ch.component,
            ch.kind,
            ch.old,
            ch.new,
            ch.end,
            ch.fields,
            ch.category,
            reasons.get(ch.component, ()),
        )
        for ch in diff_stacks(old_ph.stack_end, new_ph.stack_start, new_ph.stack_end, order, kinds)
    ]
    b = _Build(planner, old_ph, new_ph, k_from, k_to, changes, reasons)
    # SaaS and stores first register the variables whose values change, so that services moved in
    # the same runbook start with the values of the moment they are deployed
    saas = [ch for ch in changes if ch.kind not in CODE_KINDS + DATA_KINDS + ("web_frontend",)]
    stores = [ch for ch in changes if ch.kind in DATA_KINDS]
    services = [ch for ch in changes if ch.kind in CODE_KINDS]
    frontends = [ch for ch in changes if ch.kind == "web_frontend"]
    # plan changes of components that share one account (and change to the same account plan) are one step
    shared = _shared_account_changes(changes)
    done: set[str] = set()
    for group in shared:
        step = _plan_step(b, group[0], tuple(c.component for c in group))
        _spread([step], sum(b.hours(c.kind, c.category) * 60 for c in group))
        b.steps.append(step)
        for c in group:
            done.add(c.component)
            b.steps += _later_steps(b, c, b.hosts_new.get(c.component) if c.kind in CODE_KINDS else None)
    for ch in saas:
        if ch.component not in done:
            _saas_steps(b, ch)
    for ch in stores:
        if ch.component not in done:
            _store_steps(b, ch)
    for ch in services:
        if ch.component not in done:
            _service_steps(b, ch)
    for ch in frontends:
        if ch.component not in done:
            _frontend_steps(b, ch)
    b.steps.sort(key=lambda s: STAGES.index(s.stage))  # stable: component order within a stage
    scale_only = bool(changes) and all(c.category == "scale" for c in changes)
    _checklist(b, scale_only)
    unchanged = [c for c in order if c not in b.by_comp]
    return Runbook(
        app=b.app,
        title=p.name,
        profile=str(planner.path),
        unit=p.scale.unit,
        from_phase=k_from,
        to_phase=k_to,
        from_range=(old_ph.start, old_ph.end),
        to_range=(new_ph.start, new_ph.end),
        changes=changes,
        unchanged=unchanged,
        scale_out_only=scale_only,
        moves=list(moves or []),
        data_moves=b.data_moves,
        checklist=b.checklist,
        prepare=b.prepare,
        variables=[b.vars[k] for k in sorted(b.vars)],
        steps=b.steps,
        notes=b.notes,
    )


def _shared_account_changes(changes: list[Change]) -> list[list[Change]]:
    """Plan changes of several components that move together to one account-level plan."""
    groups: dict[tuple[str, str, str], list[Change]] = {}
    for ch in changes:
        if ch.category == "plan" and ch.new.account is not None and ch.old.account is not None:
            groups.setdefault((ch.new.provider, ch.old.account, ch.new.account), []).append(ch)
    return [g for g in groups.values() if len(g) > 1]


_TOOLS = (
    ("flyctl", "flyctl (fly.io/docs/flyctl/install), logged in: flyctl auth login"),
    ("flyctl mpg", "flyctl (fly.io/docs/flyctl/install), logged in: flyctl auth login"),
    (
        "railway ",
        "the Railway CLI (npm i -g @railway/cli), logged in and linked: railway login && railway link",
    ),
    ("npx wrangler", "wrangler through npx, logged in: npx wrangler login"),
    ("vercel ", "the Vercel CLI (npm i -g vercel), linked: vercel link"),
    ("supabase ", "the Supabase CLI, logged in: supabase login"),
    ("neonctl", "neonctl through npx, logged in: npx neonctl auth"),
    ("aws ", "the AWS CLI v2 with credentials for the account (aws sts get-caller-identity)"),
    ("pg_dump", "psql, pg_dump and pg_restore of the newest major version of the two databases"),
    ("psql", "psql, pg_dump and pg_restore of the newest major version of the two databases"),
    ("redis-cli", "redis-cli 6 or newer (TLS: rediss:// URLs)"),
    ("rclone", "rclone 1.60 or newer"),
    ("jq", "jq"),
    ("sentry-cli", "sentry-cli (npm i -g @sentry/cli)"),
    ("dig", "dig (dnsutils / bind-tools)"),
    ("curl", "curl"),
)


def _checklist(b: _Build, scale_only: bool) -> None:
    """The pre-migration checklist and its commands, from what the steps do."""
    text = "\n".join(c for s in b.steps for c in (*s.commands, *s.verify, *s.rollback))
    tools = list(dict.fromkeys(desc for key, desc in _TOOLS if key in text))
    if tools:
        b.checklist.append("Tools on the machine that runs this runbook: " + "; ".join(tools) + ".")
    if scale_only:
        b.checklist.append(
            f"Only instance counts change between phase {b.k_from} and phase {b.k_to}: nothing moves, no data is "
            "copied, no DNS record or secret changes. Each step is one command and undoes with the old count."
        )
        b.prepare.append(_vars_block(b))
        return
    # backups of every data store that is touched
    for ch in b.changes:
        if ch.kind == "postgres" and ch.category in ("move", "plan", "resize"):
            base = _store_env(b, ch.component).removesuffix("_URL")
            url = b.var(
                f"OLD_{base}_ADMIN_URL" if ch.category == "move" else f"{base}_ADMIN_URL",
                _admin_where(b, ch.component, b.old_ph, new=False),
            )
            f = f"{b.app}-{b.slug(ch.component)}-before-phase-{b.k_to}.dump"
            b.backups.append(f'pg_dump --format=custom --no-owner --no-privileges --file="{f}" {url}')
            b.checklist.append(
                f"Backup of {ch.component} taken just before (pg_dump below) and restore-tested "
                f'(pg_restore --list "{f}"); the provider\'s own backups are not a substitute for a copy you hold.'
            )
        if ch.kind == "sqlite" and ch.category == "move":
            name = b.var(f"{b.tok(ch.component)}_D1_NAME", f"the name of the D1 database of {ch.component}")
            b.backups.append(
                f"npx wrangler d1 export {name} --remote --output={b.app}-{b.slug(ch.component)}-before.sql"
            )
            b.checklist.append(f"Backup of {ch.component} exported (wrangler d1 export below).")
        if (
            ch.kind == "redis"
            and ch.category == "move"
            and getattr(b.p.components[ch.component], "persistence_required", None)
        ):
            old = _redis_admin(b, ch.component, "OLD_", ch.old.provider)
            b.backups.append(f"redis-cli -u {old} --rdb {b.app}-{b.slug(ch.component)}-before.rdb")
            b.checklist.append(f"Snapshot of {ch.component} saved (redis-cli --rdb below).")
    # the deploy files of the new phase, and secrets on the new hosts
    if any(c.kind in CODE_KINDS + ("web_frontend",) for c in b.changes):
        b.checklist.append(
            f"Deploy files of phase {b.k_to} generated and reviewed (tierplan gen below), then copied into the "
            "repository: the commands below run from its root (fly.toml, render.yaml, railway.json, "
            "<component>/wrangler.toml, .env.example of the new stack)."
        )
        b.prepare.append(f"tierplan gen {b.planner.path} --phase {b.k_to} --output deploy/phase-{b.k_to}")
    for ch in b.changes:
        if ch.kind in CODE_KINDS and ch.category == "move":
            names = ", ".join(v.name for v in b.dep_new.env)
            b.checklist.append(
                f"Secrets for {ch.component} on {ch.new.provider_name} ready: {names} "
                f"(the names of phase {b.k_to}'s .env.example; values in the variables below)."
            )
    switched = sorted(b.switched)
    if switched:
        olds = [n for n in switched if f"OLD_{n}" in b.vars]
        b.checklist.append(
            "New values ready for "
            + ", ".join(switched)
            + " (NEW_ variables below)"
            + (
                f"; the current ones of {', '.join(olds)} kept for rollback (OLD_ variables)."
                if olds
                else "."
            )
        )
    if b.dns:
        ttl = b.a["migration.dns_ttl_seconds"]
        doms = ", ".join(f"${b.tok(c)}_DOMAIN" for c in b.dns)
        b.checklist.append(
            f"DNS TTL of {doms} lowered to {ttl:g} s at least one old TTL before the switch (check with dig below)."
        )
        b.prepare += [
            f'dig +noall +answer "${b.tok(c)}_DOMAIN"  # the second column is the TTL' for c in b.dns
        ]
    down = sum(s.downtime_minutes for s in b.steps)
    if down:
        frozen = [s.components[0] for s in b.steps if s.downtime_minutes]
        b.checklist.append(
            f"Maintenance window announced: ~{_mins(down)} of write freeze ({', '.join(frozen)}; reads keep "
            "working), at a quiet hour, with someone watching the health checks."
        )
    b.checklist.append(
        f"Rollback window agreed: the old resources stay for {b.a['migration.rollback_window_days']:g} days "
        "(clean-up steps at the end)."
    )
    b.prepare.insert(0, _vars_block(b))
    b.prepare += b.backups


def _vars_block(b: _Build) -> str:
    lines = ["# values the commands read: set each in this shell first (the message says where to find it)"]
    for name in sorted(b.vars):
        v = b.vars[name]
        # the message is a word inside "${NAME:?...}": no quotes, expansions or closing brace
        where = re.sub(r"[\"'`$\\}]", "", v.where.replace("'s ", "’s "))
        if v.default is not None:
            lines.append(f': "${{{name}:={v.default}}}"')
        else:
            lines.append(f': "${{{name}:?{where}}}"')
    return "\n".join(lines) if b.vars else ""


# --------------------------------------------------------------------------- output
def runbook_json(rb: Runbook) -> dict[str, Any]:
    """The structured runbook (the JSON of `tierplan runbook --format json`)."""

    def r(x: float) -> float:
        return round(x, 2)

    doc = asdict(rb)
    doc["changes"] = [{**asdict(c), "summary": c.summary} for c in rb.changes]
    for s, d in zip(rb.steps, doc["steps"], strict=True):
        d["minutes_estimate"] = r(s.minutes_estimate)
        d["downtime_minutes"] = r(s.downtime_minutes)
        d["components"] = list(s.components)
    doc["data_moves"] = [
        {
            **asdict(d),
            **{
                k: r(getattr(d, k))
                for k in ("storage_gb", "dump_restore_minutes", "copy_minutes", "downtime_minutes")
            },
        }
        for d in rb.data_moves
    ]
    doc["moves"] = [
        {
            "phase": m.phase,
            "at": m.at,
            "forced": m.forced,
            "migration_usd": r(m.migration_usd),
            "saving_usd_month": r(m.saving_usd_month),
            "components": list(m.components),
            "work": [
                {"component": c, "hours": r(h), "downtime_minutes": r(mi), "transfer_gb": r(gb)}
                for c, h, mi, gb in m.work
            ],
        }
        for m in rb.moves
    ]
    doc["minutes_total"] = r(rb.minutes_total)
    doc["downtime_minutes"] = r(rb.downtime_minutes)
    return doc


def render_markdown(rb: Runbook) -> str:
    from .templates_env import environment

    env = environment()
    text = env.get_template("runbook.md.j2").render(rb=rb, stage_titles=STAGE_TITLES, mins=_mins, gb=_gb)
    # one blank line between blocks (commands hold no blank lines)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def write_runbook(text: str, out: Path, force: bool = False) -> Path:
    """Write the runbook to ``out``, all or nothing; an existing file is not overwritten unless
    ``force`` (outputs.write_file)."""
    from .outputs import write_file

    return write_file(out, text, force)
