"""The state of a runbook being built: both phases' deploy models and hosts, the steps so far and
the shell variables their commands read.

`Build` is the `platforms.Shell` the adapters write their commands against: ``var`` registers a
variable with where to find its value (the first registration's text wins) and returns its quoted
reference. Everything else here is a helper the step modules share (health checks, setting
variables on every code host, where to find a store's admin URL).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..engine.planner import Planner
from ..engine.result import Phase
from ..gen.deploy import deploy_model, slug
from ..platforms import Host, platform
from ..profile import WebService
from .changes import hosts_of, placement
from .model import CODE_KINDS, Change, DataMove, Step, Variable

__all__ = ["Build", "spread"]


class Build:
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
        self.hosts_old = hosts_of(self.dep_old)
        self.hosts_new = hosts_of(self.dep_new)
        # a service that stays on its platform keeps the app it runs in now (on Fly.io an app
        # holds several process groups, so gen's grouping of the new phase may differ)
        stays = {
            c
            for c, h in self.hosts_new.items()
            if c in self.hosts_old and self.hosts_old[c].provider == h.provider
        }
        for comp in stays:
            o = self.hosts_old[comp]
            self.hosts_new[comp] = replace(self.hosts_new[comp], name=o.name, group=o.group)
        # a service new to a platform never lands in an app another, staying service runs in now
        kept = {self.hosts_new[c].key() for c in stays}
        for comp, h in list(self.hosts_new.items()):
            if comp not in stays and h.key() in kept:
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

    # ------------------------------------------------------------ variables (platforms.Shell)
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
        return slug(comp).upper().replace("-", "_")

    def name_of(self, provider: str) -> str:
        prov = self.planner.catalog.providers.get(provider)
        return prov.name if prov is not None else provider

    def new_ref(self, name: str) -> str:
        return self.var(f"NEW_{name}", self.where_new(name))

    def old_ref(self, name: str) -> str:
        return self.var(f"OLD_{name}", self.where_old(name))

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

    # ------------------------------------------------------------ helpers
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

    def domain(self, comp: str) -> str:
        return self.var(
            f"{self.tok(comp)}_DOMAIN",
            f"the public host name of {comp} (your domain, e.g. {slug(comp)}.example.com)",
        )

    def health(self, comp: str) -> list[str]:
        """Commands that check a web-facing component over its public domain."""
        c = self.p.components[comp]
        path = c.health_path if isinstance(c, WebService) else None
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

    def store_env(self, comp: str) -> str:
        """The variable that holds a store's address in the new phase."""
        st = next((s for s in self.dep_new.stores if s.name == comp), None)
        return st.env if st is not None else f"{self.tok(comp)}_URL"

    def admin_where(self, comp: str, ph: Phase, new: bool) -> str:
        """Where to find the owner's connection string of a database at the start (``new``) or
        the end of a phase."""
        at = placement((ph.stack_start if new else ph.stack_end).choices[comp])
        where = platform(at.provider).admin_where(self, comp, "postgres", at.region)
        return f"{comp} ({at.provider} {at.plan}), as the database owner: {where}"

    def redis_admin(self, comp: str, side: str, provider: str) -> str:
        """A redis-cli URL of the store reachable from the machine that runs the runbook."""
        env = self.store_env(comp).removesuffix("_URL")
        where = platform(provider).admin_where(self, comp, "redis", None)
        return self.var(
            f"{side}{env}_ADMIN_URL", f"{comp} ({provider}) for redis-cli from this machine: {where}"
        )

    # ------------------------------------------------------------ env on hosts
    def env_targets(self, include_old: bool = True) -> list[Host]:
        """Hosts that run code at the cut-over: the new phase's, and the old hosts of services
        that move (they serve until their DNS switch)."""
        seen: dict[tuple[str, str], Host] = {}
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
        self, h: Host, pairs: list[tuple[str, str]], stage: bool = False
    ) -> tuple[list[str], list[str]]:
        """(commands, manual actions) that set environment variables on a host; ``stage``: do not
        restart yet (the next deploy picks them up)."""
        if not pairs:
            return [], []
        c = platform(h.provider).set_env(self, h, pairs, stage)
        return c.commands, c.manual

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


def spread(steps: list[Step], minutes: float) -> None:
    """Share a component's hands-on time over its steps (machine time comes on top)."""
    if not steps:
        return
    each = minutes / len(steps)
    for s in steps:
        s.minutes_estimate += each
