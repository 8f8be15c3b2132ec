"""The history of measurements: a SQLite database, appended to by every ``tierplan measure
--history FILE``.

Durability: WAL journal, ``synchronous=FULL``, one transaction per measurement. A process killed at
any moment (kill -9) leaves every committed measurement and never a half-written one; the file stays
consistent (tests/test_history.py kills writers in a loop and checks integrity and counts).

Schema: versioned with SQLite's ``user_version``; MIGRATIONS[i] takes version i to i + 1, run in
one transaction when an older file is opened for writing. A file from a newer tierplan is refused.
Nothing secret is stored: sources are kept as shown, with DSN passwords redacted (secrets.py).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from ..errors import InputError
from .model import Measurement, Source

__all__ = ["append", "read_history", "SCHEMA_VERSION", "MIGRATIONS"]

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1
    """
    CREATE TABLE measurement (
        id INTEGER PRIMARY KEY,
        measured_at TEXT NOT NULL,        -- ISO 8601, UTC
        units REAL,                       -- the app's scale, in the profile's unit
        app TEXT NOT NULL,                -- the profile's name
        sources TEXT NOT NULL,            -- JSON [{kind, component, where}], secrets redacted
        notes TEXT NOT NULL               -- JSON [text]
    );
    CREATE TABLE figure (
        measurement_id INTEGER NOT NULL REFERENCES measurement(id) ON DELETE CASCADE,
        component TEXT NOT NULL,
        metric TEXT NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (measurement_id, component, metric)
    );
    CREATE INDEX figure_series ON figure (component, metric);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _version(conn: sqlite3.Connection, path: Path) -> int:
    try:
        v = int(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as e:
        raise InputError(path, f"not a tierplan history (SQLite says: {e})") from None
    if v > SCHEMA_VERSION:
        raise InputError(path, f"history schema version {v} is newer than this tierplan's ({SCHEMA_VERSION})", hint="upgrade tierplan")
    if v == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise InputError(path, "a SQLite database, but not a tierplan history (it has tables of its own)")
    return v


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    v = _version(conn, path)
    if v == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        v = _version(conn, path)  # another writer may have migrated it meanwhile
        for step in MIGRATIONS[v:]:
            for stmt in step.split(";"):
                if stmt.strip():
                    conn.execute(stmt)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def append(path: Path, app: str, measurements: list[Measurement]) -> None:
    """Add measurements to the history at ``path`` (created when missing), each in a transaction
    of its own."""
    try:
        conn = _connect(path)
    except sqlite3.Error as e:
        raise InputError(path, f"cannot open the history: {e}") from None
    try:
        _version(conn, path)  # a file that is not a history is refused before anything is changed
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        _migrate(conn, path)
        for m in measurements:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = conn.execute(
                    "INSERT INTO measurement (measured_at, units, app, sources, notes) VALUES (?, ?, ?, ?, ?)",
                    (
                        m.measured_at.astimezone(dt.UTC).isoformat(),
                        m.units,
                        app,
                        json.dumps([s.__dict__ for s in m.sources]),
                        json.dumps(m.notes),
                    ),
                )
                conn.executemany(
                    "INSERT INTO figure (measurement_id, component, metric, value) VALUES (?, ?, ?, ?)",
                    [(cur.lastrowid, c, k, v) for c, fs in m.components.items() for k, v in fs.items()],
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
    except sqlite3.DatabaseError as e:
        raise InputError(path, f"cannot write the history: {e}") from None
    finally:
        conn.close()


def read_history(path: Path) -> list[Measurement]:
    """Every measurement in the history, oldest first."""
    if not path.is_file():
        raise InputError(path, "no such history file", hint="tierplan measure app.yaml --history FILE makes one")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as e:
        raise InputError(path, f"cannot open the history: {e}") from None
    try:
        v = _version(conn, path)
        if v == 0:
            return []
        rows = conn.execute("SELECT id, measured_at, units, sources, notes FROM measurement ORDER BY measured_at, id").fetchall()
        figures: dict[int, dict[str, dict[str, float]]] = {}
        for mid, comp, metric, value in conn.execute("SELECT measurement_id, component, metric, value FROM figure"):
            figures.setdefault(mid, {}).setdefault(comp, {})[metric] = value
    except sqlite3.DatabaseError as e:
        raise InputError(path, f"cannot read the history: {e}") from None
    finally:
        conn.close()
    return [
        Measurement(
            dt.datetime.fromisoformat(at),
            units,
            figures.get(mid, {}),
            [Source(**s) for s in json.loads(sources)],
            list(json.loads(notes)),
        )
        for mid, at, units, sources, notes in rows
    ]
