"""Moving a PostgreSQL database: pg_dump/pg_restore or logical replication.

A database moves by pg_dump/pg_restore (a write freeze for the whole copy, estimated from its size
with migration.downtime_minutes_per_gb and migration.downtime_minutes_fixed) when it is at most
migration.dump_restore_max_gb and the profile does not require zero downtime by then; otherwise by
logical replication (schema first, CREATE PUBLICATION / CREATE SUBSCRIPTION, lag checks,
sequences carried over at the cut-over), where the freeze is only the cut-over. Writes are frozen
by making the old database read-only, so reads keep working. Creating the new database, letting
the old one publish and deleting it afterwards are its providers' commands (`Platform.create`,
`enable_replication`, `delete`).
"""

from __future__ import annotations

import math

from ..platforms import NewStore, platform
from ..platforms.base import bare, slug
from .context import Build
from .model import CODE_KINDS, PUBLICATION, Change, DataMove, Step, gb, mins

__all__ = ["dump_restore_minutes", "choose_db_method", "postgres_move"]


def dump_restore_minutes(storage_gb: float, per_gb: float, fixed: float) -> float:
    """Write freeze of a pg_dump/pg_restore move: the fixed cut-over plus the copy at per_gb."""
    return fixed + storage_gb * per_gb


def choose_db_method(
    storage_gb: float, zero_downtime: bool, max_gb: float, per_gb: float, fixed: float
) -> tuple[str, float, float, str]:
    """(method, copy minutes, write-freeze minutes, why) for moving a Postgres database."""
    dump = dump_restore_minutes(storage_gb, per_gb, fixed)
    size = gb(storage_gb)
    if zero_downtime:
        return (
            "logical_replication",
            storage_gb * per_gb,
            fixed,
            f"the profile requires zero downtime by then, and dump/restore of {size} GB would freeze "
            f"writes for ~{mins(dump)}; logical replication copies while the app runs and freezes "
            f"writes only for the ~{mins(fixed)} cut-over",
        )
    if storage_gb > max_gb:
        return (
            "logical_replication",
            storage_gb * per_gb,
            fixed,
            f"{size} GB is more than migration.dump_restore_max_gb ({gb(max_gb)} GB): dump/restore would "
            f"freeze writes for ~{mins(dump)}; logical replication freezes them only for the "
            f"~{mins(fixed)} cut-over",
        )
    return (
        "dump_restore",
        dump - fixed,
        dump,
        f"{size} GB is within migration.dump_restore_max_gb ({gb(max_gb)} GB) and the profile allows "
        f"downtime then: pg_dump/pg_restore with a write freeze of ~{mins(dump)} "
        f"({mins(fixed)} fixed + {size} GB x {per_gb:g} min/GB)",
    )


def _freeze_sql(on: bool) -> str:
    state = "on" if on else "off"
    lines = [
        "DO $$ BEGIN",
        f"  EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = {state}', current_database());",
        "END $$;",
    ]
    if on:
        # sessions already open keep their setting: end the app's ones so they reconnect read-only
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


def postgres_move(b: Build, ch: Change) -> list[Step]:
    """Create the new database, copy the data by the chosen method, cut every host over, and
    delete the old database after the rollback window."""
    comp = ch.component
    env = b.store_env(comp)
    base = env.removesuffix("_URL")
    old_admin = b.var(f"OLD_{base}_ADMIN_URL", b.admin_where(comp, b.old_ph, new=False))
    new_admin = b.var(f"NEW_{base}_ADMIN_URL", b.admin_where(comp, b.new_ph, new=True))
    size = b.new_ph.stack_start.demand.components[comp].metrics.get("storage_gb", 0.0)
    zero = b.new_ph.stack_start.context.zero_downtime
    per, fixed = b.a["migration.downtime_minutes_per_gb"], b.a["migration.downtime_minutes_fixed"]
    method, copy_min, freeze_min, reason = choose_db_method(
        size, zero, b.a["migration.dump_restore_max_gb"], per, fixed
    )
    dump_min = dump_restore_minutes(size, per, fixed)
    b.data_moves.append(DataMove(comp, method, size, dump_min, copy_min, freeze_min, reason))
    b.switched.add(env)
    steps = [_provision(b, ch, new_admin, old_admin)]
    fwd, fwd_manual, back, back_manual = b.switch_env([env])
    checks = _row_counts(comp, old_admin, new_admin) + b.web_checks()
    if method == "logical_replication":
        steps += _replication_steps(
            b, ch, old_admin, new_admin, (fwd, fwd_manual, back, back_manual), checks, freeze_min, reason
        )
    else:
        dump = f"{b.app}-{slug(comp)}-phase-{b.k_to}.dump"
        steps.append(
            _cutover(
                f"Move {comp}'s data by pg_dump/pg_restore (write freeze ~{mins(freeze_min)})",
                f"{gb(size)} GB at {b.units(b.new_ph.start)}: {reason}. Reads keep working during the freeze.",
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
    steps.append(_cleanup(b, ch, old_admin, new_admin, method))
    return steps


def _cutover(
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


def _provision(b: Build, ch: Change, new_admin: str, old_admin: str) -> Step:
    comp = ch.component
    n = ch.new
    end_gb = b.new_ph.stack_end.demand.components[comp].metrics.get("storage_gb", 0.0)
    disk = max(10, math.ceil(end_gb / b.planner.limit_share))
    ctx = b.new_ph.stack_start.context
    outside = sorted(
        {h.provider for h in b.hosts_new.values() if h.kind in CODE_KINDS and h.provider != n.provider}
    )
    callers = sorted({b.name_of(p) for p in outside})
    retention = max(1, math.ceil(ctx.pitr_days)) if ctx.backups else 1
    made = platform(n.provider).create(
        b, NewStore(comp, "postgres", f"{b.app}-{slug(comp)}", n, disk, tuple(outside), retention)
    )
    return Step(
        f"Create the new {comp} database on {n.short()}",
        f"{comp} moves from {ch.old.short()} to {n.short()}: "
        + b.why(ch, f"phase {b.k_to} runs it there")
        + "."
        + (
            f" Disk: {disk} GB ({gb(end_gb)} GB by the end of phase {b.k_to} within the "
            f"{b.planner.limit_share:.0%} headroom)."
            if made.sized_disk
            else ""
        )
        + (
            f" It serves hosts on other providers ({', '.join(callers)}): they connect over the internet, "
            "so the database must accept their connections (public endpoint, TLS, allow list)."
            if callers and not made.opens_access
            else ""
        ),
        made.commands,
        [
            f"psql {new_admin} -At -c 'SHOW server_version'",
            f"psql {old_admin} -At -c 'SHOW server_version'  # the new major version must be the same or newer",
        ],
        made.rollback,
        0.0,
        (comp,),
        "provision",
        made.manual,
        made.rollback_manual,
    )


def _replication_steps(
    b: Build,
    ch: Change,
    old_admin: str,
    new_admin: str,
    switch: tuple[list[str], list[str], list[str], list[str]],
    checks: list[str],
    freeze_min: float,
    reason: str,
) -> list[Step]:
    comp = ch.component
    pre = platform(ch.old.provider).enable_replication(b, comp, old_admin, ch.old)
    size = b.new_ph.stack_start.demand.components[comp].metrics.get("storage_gb", 0.0)
    pub = PUBLICATION
    copy = Step(
        f"Replicate {comp} from {ch.old.provider_name} to {ch.new.provider_name} (logical replication)",
        f"{gb(size)} GB at {b.units(b.new_ph.start)}: {reason}. The schema is copied first "
        "(replication copies rows, not DDL); freeze schema changes until the cut-over.",
        [
            *pre.commands,
            f"pg_dump --schema-only --no-owner --no-privileges {old_admin} | psql {new_admin} -v ON_ERROR_STOP=1",
            f"tables=$(psql {old_admin} -At -c \"SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') "
            "FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')\")",
            f'psql {old_admin} -v ON_ERROR_STOP=1 -c "CREATE PUBLICATION {pub} FOR TABLE $tables"',
            f"psql {new_admin} -v ON_ERROR_STOP=1 -c \"CREATE SUBSCRIPTION {pub} CONNECTION '{bare(old_admin)}' PUBLICATION {pub}\"",
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
        pre.manual,
    )
    cut = _cutover(
        f"Cut {comp} over to {ch.new.provider_name} (write freeze ~{mins(freeze_min)})",
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
        b.store_env(comp),
        switch,
        checks,
        freeze_min,
    )
    return [copy, cut]


def _cleanup(b: Build, ch: Change, old_admin: str, new_admin: str, method: str) -> Step:
    comp = ch.component
    days = b.a["migration.rollback_window_days"]
    final = f"{b.app}-{slug(comp)}-final-{ch.old.provider}.dump"
    cmds = []
    if method == "logical_replication":
        cmds += [
            f'psql {new_admin} -v ON_ERROR_STOP=1 -c "DROP SUBSCRIPTION {PUBLICATION}"',
            f'psql {old_admin} -v ON_ERROR_STOP=1 -c "DROP PUBLICATION {PUBLICATION}"',
        ]
    cmds.append(f'pg_dump --format=custom --no-owner --no-privileges --file="{final}" {old_admin}')
    gone = platform(ch.old.provider).delete(b, comp, "postgres", ch.old)
    return Step(
        f"Delete the old {comp} database on {ch.old.short()}",
        f"after {days:g} days on the new database without a rollback (the old one stays read-only until "
        "then); a final dump is kept",
        cmds + gone.commands,
        [f'pg_restore --list "{final}" | head'],
        [],
        0.0,
        (comp,),
        "cleanup",
        gone.manual,
        [
            f'Restore from the final dump if it is ever needed: pg_restore --no-owner --dbname=<a new database> "{final}"'
        ],
    )
