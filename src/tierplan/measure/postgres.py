"""PostgreSQL, read-only: database and table sizes, connections, rates from two readings of the
server's counters ``seconds`` apart, cache hit ratio.

Only catalog views and functions are read; the session is read-only (every transaction READ ONLY,
so even a mistaken statement could not write) with a statement timeout.

Rates, and how far each can be trusted over a reading of a few seconds:

- ``avg_qps``: statements executed per second in this database, from pg_stat_statements where the
  extension is installed (Neon, Supabase and RDS offer it). Its counts are kept in shared memory as
  each statement ends, so they are exact; this session's own statements are taken out.
- ``write_transactions_per_s``: transaction ids assigned per second, server-wide: every
  transaction that writes takes one when it starts writing, at once, so this too is exact.
- ``transactions_per_s``: committed and rolled-back transactions per second (pg_stat_database),
  reads included. Since PostgreSQL 15 a busy session publishes these counters up to a minute late
  (the cumulative statistics system flushes them at most once a second, and a session that is never
  idle for long waits up to 60 s), so over a few seconds this figure can read low. With a history,
  ``measure`` takes it over the time since the previous measurement instead (collect.rates_since).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ..errors import TierplanError
from .model import BYTES_PER_GB
from .secrets import redact, scrub, secrets_of

__all__ = ["measure_postgres", "STATEMENT_TIMEOUT_MS", "SESSION_OPTIONS"]

STATEMENT_TIMEOUT_MS = 5000
#: the session's settings: every transaction read-only, no statement longer than the timeout
SESSION_OPTIONS = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c default_transaction_read_only=on"

_SIZES = """
SELECT pg_database_size(current_database()),
       (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'm')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg_toast%')
"""
_CONNECTIONS = """
SELECT count(*) FILTER (WHERE backend_type = 'client backend'),
       current_setting('max_connections')::int
  FROM pg_stat_activity
"""
# one statement, so one transaction of this session's own between two readings
_COUNTERS = """
SELECT s.xact_commit + s.xact_rollback, s.blks_hit, s.blks_read,
       pg_snapshot_xmax(pg_current_snapshot())::text::bigint
  FROM pg_stat_database s WHERE s.datname = current_database()
"""
_STATEMENTS = """
SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


@dataclass(frozen=True)
class _Reading:
    at: float
    transactions: float
    blocks_hit: float
    blocks_read: float
    next_xid: float
    statements: float | None


def _row(cur: Any, query: str) -> tuple[Any, ...]:
    cur.execute(query)
    row = cur.fetchone()
    assert row is not None, "an aggregate query returns one row"
    return tuple(row)


def _has(cur: Any, what: str, name: str) -> bool:
    return bool(_row(cur, f"SELECT {what}('{name}') IS NOT NULL")[0])


def _reading(cur: Any, statements: bool, flush: bool) -> _Reading:
    """The cumulative counters now (each statement is a transaction of its own in autocommit, and
    reads a fresh snapshot of the statistics). First this session's own statistics are published
    (PostgreSQL 15+), so its transactions are counted where it knows how many they are."""
    if flush:
        _row(cur, "SELECT pg_stat_force_next_flush()")
    calls = float(_row(cur, _STATEMENTS)[0]) if statements else None
    xacts, hit, read, xid = _row(cur, _COUNTERS)
    return _Reading(time.monotonic(), float(xacts), float(hit), float(read), float(xid), calls)


def measure_postgres(dsn: str, seconds: float = 5.0, connect_timeout_s: int = 10) -> tuple[dict[str, float], list[str]]:
    """The figures of the database ``dsn`` names, and notes. Raises TierplanError (exit 1) with the
    DSN redacted when the server cannot be reached or read."""
    import psycopg

    hidden = secrets_of(dsn)
    try:
        with psycopg.connect(
            dsn,
            connect_timeout=connect_timeout_s,
            autocommit=True,
            options=SESSION_OPTIONS,
            application_name="tierplan measure",
        ) as conn:
            conn.read_only = True
            with conn.cursor() as cur:
                statements = _has(cur, "to_regclass", "pg_stat_statements")
                flush = _has(cur, "to_regproc", "pg_stat_force_next_flush")
                first = _reading(cur, statements, flush)
                time.sleep(seconds)
                second = _reading(cur, statements, flush)
                db_bytes, table_bytes = _row(cur, _SIZES)
                in_use, max_conn = _row(cur, _CONNECTIONS)
    except psycopg.Error as e:
        raise TierplanError(
            f"PostgreSQL {redact(dsn)}: {scrub(str(e).strip(), hidden)}",
            hint="check the DSN (a password may come from PGPASSWORD or ~/.pgpass instead) and that the server accepts connections",
        ) from None
    elapsed = max(second.at - first.at, 1e-9)
    # this session's own between the readings: the statements and counters queries of the first
    # (counted once they end), the flush before the second (which publishes them) and, for the
    # statement count, the second's own statements query... which is counted only after it reads
    own_statements = 3 if flush else 2
    own_transactions = (2 if statements else 1) + (1 if flush else 0)
    out = {
        "storage_gb": float(db_bytes) / BYTES_PER_GB,
        "tables_gb": float(table_bytes) / BYTES_PER_GB,
        "connections": float(in_use),
        "max_connections": float(max_conn),
        "transactions_per_s": max(0.0, second.transactions - first.transactions - own_transactions) / elapsed,
        # the cumulative count, so that a later measurement can take the rate over the time between
        "transactions_total": second.transactions,
        "write_transactions_per_s": max(0.0, second.next_xid - first.next_xid) / elapsed,
    }
    blocks = second.blocks_hit + second.blocks_read
    if blocks > 0:
        out["cache_hit_ratio"] = second.blocks_hit / blocks
    notes = []
    if first.statements is not None and second.statements is not None:
        out["avg_qps"] = max(0.0, second.statements - first.statements - own_statements) / elapsed
    else:
        notes.append(
            "PostgreSQL: statements per second (avg_qps) need the pg_stat_statements extension; transactions per second are measured instead"
        )
    return out, notes
