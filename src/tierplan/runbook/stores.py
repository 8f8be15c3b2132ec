"""Steps for data stores: plan changes, resizes and moves of databases, Redis, KV, buckets and queues.

How each kind moves: PostgreSQL by dump/restore or logical replication (postgres.py); D1 by export
and import; a Redis broker moves producers first and workers once the old queue has drained, a
cache or rate limiter starts empty, sessions are copied with their expiry; KV keys are copied one
by one; buckets are copied with rclone before and after the switch; a queue's consumers drain the
old one before they follow. Creating, checking and binding the new store are its provider's
commands (`Platform.create`, `store_check`, `rebind`, `kv_copy`, `queue_drain`).
"""

from __future__ import annotations

from collections.abc import Callable

from ..platforms import NewStore, platform
from ..platforms.base import slug
from ..profile import Redis
from .capacity import kind_checks, later_steps, plan_step, store_resize_step
from .context import Build, spread
from .model import Change, DataMove, Step, gb, mins
from .postgres import dump_restore_minutes, postgres_move

__all__ = ["store_steps"]


def store_steps(b: Build, ch: Change) -> None:
    """The steps of one changed store."""
    comp = ch.component
    budget = b.hours(ch.kind, ch.category) * 60
    steps: list[Step] = []
    if ch.category == "plan":
        steps.append(plan_step(b, ch))
    elif ch.category in ("resize", "scale"):
        if ch.old.size != ch.new.size:
            steps.append(store_resize_step(b, ch, ch.old, ch.new, "capacity"))
        if ch.old.instances != ch.new.instances:
            steps.append(
                Step(
                    f"Scale {comp} to {ch.new.instances} instances on {ch.new.provider_name}",
                    b.why(ch, f"the plan's count from {b.units(b.new_ph.start)}"),
                    [],
                    kind_checks(b, comp),
                    [],
                    0.0,
                    (comp,),
                    "capacity",
                    [f"{ch.new.provider_name} dashboard: set {comp} to {ch.new.instances} instances"],
                    [f"{ch.new.provider_name} dashboard: set {comp} back to {ch.old.instances} instances"],
                )
            )
    else:
        movers: dict[str, Callable[[Build, Change], list[Step]]] = {
            "postgres": postgres_move,
            "sqlite": _sqlite_move,
            "redis": _redis_move,
            "kv": _kv_move,
            "object_storage": _bucket_move,
            "queue": _queue_move,
        }
        steps += movers[ch.kind](b, ch)
    steps += later_steps(b, ch, None)
    spread(steps, budget)
    # the data copy runs on top of the hands-on time
    for s, m in zip(steps, _machine_minutes(b, ch, steps), strict=True):
        s.minutes_estimate += m
    b.steps += steps


def _machine_minutes(b: Build, ch: Change, steps: list[Step]) -> list[float]:
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


def _sqlite_move(b: Build, ch: Change) -> list[Step]:
    comp = ch.component
    size = b.new_ph.stack_start.demand.components[comp].metrics.get("storage_gb", 0.0)
    per, fixed = b.a["migration.downtime_minutes_per_gb"], b.a["migration.downtime_minutes_fixed"]
    freeze = dump_restore_minutes(size, per, fixed)
    b.data_moves.append(
        DataMove(comp, "export_import", size, freeze, freeze - fixed, freeze, "export and import")
    )
    name = b.var(f"{b.tok(comp)}_D1_NAME", f"the name of the D1 database of {comp} (wrangler d1 list)")
    new = b.var(f"NEW_{b.tok(comp)}_D1_NAME", f"the name of the new D1 database of {comp}")
    dump = f"{b.app}-{slug(comp)}.sql"
    return [
        Step(
            f"Copy {comp} to the new D1 database (write freeze ~{mins(freeze)})",
            f"{gb(size)} GB: export and import",
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


def _redis_move(b: Build, ch: Change) -> list[Step]:
    comp = ch.component
    c = b.p.components[comp]
    env = b.store_env(comp)
    new_url = b.var(f"NEW_{env}", b.where_new(env))
    old_url = b.var(f"OLD_{env}", b.where_old(env))
    b.switched.add(env)
    use = c.use if isinstance(c, Redis) else "cache"
    steps = [_provision(b, ch)]
    fwd, fwd_manual, back, back_manual = b.switch_env([env])
    old_cli = b.redis_admin(comp, "OLD_", ch.old.provider)
    new_cli = b.redis_admin(comp, "NEW_", ch.new.provider)
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
        if use == "sessions" or (isinstance(c, Redis) and c.persistence_required):
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
    steps.append(_delete_old(b, ch))
    return steps


def _provision(b: Build, ch: Change) -> Step:
    """Create a store that has no data-specific provisioning (Redis, KV, queues)."""
    comp = ch.component
    n = ch.new
    made = platform(n.provider).create(
        b, NewStore(comp, ch.kind, f"{b.app}-{slug(comp)}", n, env=b.store_env(comp))
    )
    return Step(
        f"Create the new {comp} on {n.short()}",
        f"{comp} moves from {ch.old.short()} to {n.short()}: " + b.why(ch, f"phase {b.k_to} runs it there"),
        made.commands,
        _new_store_check(b, ch),
        made.rollback,
        0.0,
        (comp,),
        "provision",
        made.manual,
        made.rollback_manual,
    )


def _new_store_check(b: Build, ch: Change) -> list[str]:
    if ch.kind == "redis":
        return [f"redis-cli -u {b.redis_admin(ch.component, 'NEW_', ch.new.provider)} PING"]
    return platform(ch.new.provider).store_check(b, ch.component, ch.kind, b.store_env(ch.component), ch.new)


def _delete_old(b: Build, ch: Change) -> Step:
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


def _rebind(ch: Change, name: str) -> tuple[list[str], list[str]]:
    """What to change by hand when the store is a binding in either platform's config."""
    r = platform(ch.new.provider).rebind(ch.component, ch.kind, name) or platform(ch.old.provider).rebind(
        ch.component, ch.kind, name
    )
    return (r.manual, r.rollback_manual) if r is not None else ([], [])


def _kv_move(b: Build, ch: Change) -> list[Step]:
    comp = ch.component
    steps = [_provision(b, ch)]
    src = platform(ch.old.provider).kv_copy(b, comp, True)
    dst = platform(ch.new.provider).kv_copy(b, comp, False)
    env = b.store_env(comp)
    b.switched.add(env)
    fwd, fwd_manual, back, back_manual = b.switch_env([env]) if env in b.env_new else ([], [], [], [])
    more, more_back = _rebind(ch, f"{b.app}-{slug(comp)}")
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
            fwd_manual + more,
            back_manual + more_back,
        )
    )
    steps.append(_delete_old(b, ch))
    return steps


def _rclone_env(b: Build, side: str, provider: str, prefix: str) -> str:
    up = side.upper()
    names = {
        k: b.ref(
            f"{up}_{prefix}S3_{k}",
            f"{'current' if side == 'old' else 'new'} {k.lower().replace('_', ' ')} of the bucket ({provider})",
        )
        for k in ("ENDPOINT", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY")
    }
    return (
        f"export RCLONE_CONFIG_{up}_TYPE=s3 RCLONE_CONFIG_{up}_PROVIDER={platform(provider).s3().rclone} "
        f'RCLONE_CONFIG_{up}_ENDPOINT="{names["ENDPOINT"]}" RCLONE_CONFIG_{up}_ACCESS_KEY_ID="{names["ACCESS_KEY_ID"]}" '
        f'RCLONE_CONFIG_{up}_SECRET_ACCESS_KEY="{names["SECRET_ACCESS_KEY"]}"'
    )


def _bucket_move(b: Build, ch: Change) -> list[Step]:
    comp = ch.component
    env = b.store_env(comp)
    prefix = env.removesuffix("S3_ENDPOINT")
    names = [
        f"{prefix}S3_{k}" for k in ("ENDPOINT", "REGION", "BUCKET", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY")
    ]
    bucket_new = b.ref(f"NEW_{prefix}S3_BUCKET", f"the new bucket of {comp} ({b.app}-{slug(comp)})")
    bucket_old = b.ref(f"OLD_{prefix}S3_BUCKET", f"the current bucket of {comp}")
    rc = [_rclone_env(b, "old", ch.old.provider, prefix), _rclone_env(b, "new", ch.new.provider, prefix)]
    size = b.new_ph.stack_start.demand.components[comp].metrics.get("storage_gb", 0.0)
    n = ch.new
    made = platform(n.provider).create(
        b, NewStore(comp, "object_storage", f"{b.app}-{slug(comp)}", n, bucket=bucket_new, env=env)
    )
    for x in names:
        b.switched.add(x)
    fwd, fwd_manual, back, back_manual = b.switch_env(names)
    days = b.a["migration.rollback_window_days"]
    return [
        Step(
            f"Create the {comp} bucket on {n.short()} and copy the objects",
            f"{comp} moves from {ch.old.short()} to {n.short()} ({gb(size)} GB at {b.units(b.new_ph.start)}): "
            + b.why(ch, f"phase {b.k_to} stores it there")
            + ". The first copy runs while the app keeps writing to the old bucket.",
            [
                *made.commands,
                *rc,
                f'rclone copy old:"{bucket_old}" new:"{bucket_new}" --transfers 16 --progress',
            ],
            [*rc, f'rclone size old:"{bucket_old}"', f'rclone size new:"{bucket_new}"'],
            [*rc, f'rclone purge new:"{bucket_new}"'],
            0.0,
            (comp,),
            "copy",
            made.manual,
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


def _queue_move(b: Build, ch: Change) -> list[Step]:
    comp = ch.component
    env = b.store_env(comp)
    steps = [_provision(b, ch)]
    b.switched.add(env)
    fwd, fwd_manual, back, back_manual = b.switch_env([env]) if env in b.env_new else ([], [], [], [])
    more, more_back = _rebind(ch, f"{b.app}-{slug(comp)}")
    fwd_manual, back_manual = fwd_manual + more, back_manual + more_back
    drain = platform(ch.old.provider).queue_drain(b, env, ch.old)
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
    steps.append(_delete_old(b, ch))
    return steps
