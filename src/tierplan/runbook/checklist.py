"""The pre-migration checklist: tools, backups, deploy files, secrets, DNS TTLs, the maintenance
window and the rollback window, derived from what the steps do; and the block that sets every
variable the commands read (each with where to find its value).
"""

from __future__ import annotations

import re

from ..platforms.base import slug
from ..profile import Component, Redis
from .context import Build
from .model import CODE_KINDS, mins

__all__ = ["checklist"]

#: (text a command contains, the tool it needs)
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


def checklist(b: Build, scale_only: bool) -> None:
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
            base = b.store_env(ch.component).removesuffix("_URL")
            url = b.var(
                f"OLD_{base}_ADMIN_URL" if ch.category == "move" else f"{base}_ADMIN_URL",
                b.admin_where(ch.component, b.old_ph, new=False),
            )
            f = f"{b.app}-{slug(ch.component)}-before-phase-{b.k_to}.dump"
            b.backups.append(f'pg_dump --format=custom --no-owner --no-privileges --file="{f}" {url}')
            b.checklist.append(
                f"Backup of {ch.component} taken just before (pg_dump below) and restore-tested "
                f'(pg_restore --list "{f}"); the provider\'s own backups are not a substitute for a copy you hold.'
            )
        if ch.kind == "sqlite" and ch.category == "move":
            name = b.var(f"{b.tok(ch.component)}_D1_NAME", f"the name of the D1 database of {ch.component}")
            b.backups.append(
                f"npx wrangler d1 export {name} --remote --output={b.app}-{slug(ch.component)}-before.sql"
            )
            b.checklist.append(f"Backup of {ch.component} exported (wrangler d1 export below).")
        if ch.kind == "redis" and ch.category == "move" and _persistent(b.p.components[ch.component]):
            old = b.redis_admin(ch.component, "OLD_", ch.old.provider)
            b.backups.append(f"redis-cli -u {old} --rdb {b.app}-{slug(ch.component)}-before.rdb")
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
            f"Maintenance window announced: ~{mins(down)} of write freeze ({', '.join(frozen)}; reads keep "
            "working), at a quiet hour, with someone watching the health checks."
        )
    b.checklist.append(
        f"Rollback window agreed: the old resources stay for {b.a['migration.rollback_window_days']:g} days "
        "(clean-up steps at the end)."
    )
    b.prepare.insert(0, _vars_block(b))
    b.prepare += b.backups


def _vars_block(b: Build) -> str:
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


def _persistent(c: Component) -> bool:
    """A Redis whose keys must survive a move (snapshot before it)."""
    return isinstance(c, Redis) and bool(c.persistence_required)
