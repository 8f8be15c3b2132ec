"""The measurement history (measure/history.py): a round trip, its schema version, files that are
not a history left untouched, and durability: writers killed with SIGKILL at random moments leave a
consistent file with every acknowledged measurement, each whole."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tierplan.errors import InputError
from tierplan.measure.history import SCHEMA_VERSION, append, read_history
from tierplan.measure.model import Measurement, Source

T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def _m(i: int, figures: int = 3) -> Measurement:
    return Measurement(
        T0 + dt.timedelta(hours=i),
        1000.0 + i,
        {"db": {f"f{k}": float(i * 10 + k) for k in range(figures)}, "api": {"requests_per_day": 5.0 * i}},
        [Source("postgres", "db", "postgresql://app:***@db:5432/prod")],
        [f"note {i}"],
    )


def test_round_trip_oldest_first(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    append(path, "Amebo", [_m(2), _m(0)])
    append(path, "Amebo", [_m(1)])
    got = read_history(path)
    assert [m.measured_at for m in got] == [T0, T0 + dt.timedelta(hours=1), T0 + dt.timedelta(hours=2)]
    assert got[1].components == _m(1).components and got[1].units == 1001.0
    assert got[1].sources == _m(1).sources and got[1].notes == ["note 1"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_that_is_not_a_history_is_refused_untouched(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("my notes, not a database\n" * 100)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE mine (x int)")
    for path in (text, other):
        before = path.read_bytes()
        with pytest.raises(InputError) as e:
            append(path, "Amebo", [_m(0)])
        assert str(path) in str(e.value)
        assert path.read_bytes() == before
        assert not Path(f"{path}-wal").exists()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    append(path, "Amebo", [_m(0)])
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    for call in (lambda: append(path, "Amebo", [_m(1)]), lambda: read_history(path)):
        with pytest.raises(InputError, match="newer"):
            call()


def test_a_missing_history_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such history"):
        read_history(tmp_path / "nope.db")


WRITER = """
import datetime as dt, sys
from tierplan.measure.history import append
from tierplan.measure.model import Measurement
path, start = sys.argv[1], int(sys.argv[2])
t0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
i = start
while True:
    figures = {f"f{k}": float(i) for k in range(40)}
    append(path, "kill-test", [Measurement(t0 + dt.timedelta(seconds=i), float(i), {"db": figures})])
    print(i, flush=True)
    i += 1
"""


def test_kill_9_in_a_loop_loses_no_committed_measurement(tmp_path: Path) -> None:
    """Twelve writers, each killed with SIGKILL after a random 0.1-0.6 s (bounded: a few seconds
    in all): the file passes SQLite's integrity check; it holds every measurement a writer
    acknowledged (printed after its commit) and at most one more per kill; every measurement has
    all 40 figures (none half-written)."""
    path = tmp_path / "h.db"
    rng = random.Random(14)
    acknowledged = 0
    kills = 0
    next_id = 0
    for _ in range(12):
        p = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(next_id)], stdout=subprocess.PIPE, text=True
        )
        time.sleep(rng.uniform(0.1, 0.6))
        os.kill(p.pid, signal.SIGKILL)
        out, _ = p.communicate(timeout=30)
        kills += 1
        acked = [int(x) for x in out.split()]
        acknowledged += len(acked)
        with sqlite3.connect(path) as conn:
            # the next writer continues after whatever was committed (acknowledged or not)
            next_id = int(conn.execute("SELECT count(*) FROM measurement").fetchone()[0])
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = conn.execute("SELECT count(*) FROM measurement").fetchone()[0]
        per = conn.execute("SELECT count(*) FROM figure GROUP BY measurement_id").fetchall()
    assert acknowledged > 0
    assert acknowledged <= count <= acknowledged + kills
    assert all(n == 40 for (n,) in per) and len(per) == count
    assert len(read_history(path)) == count


def test_counters_give_rates_over_the_time_between_measurements() -> None:
    """PostgreSQL's transactions went from 1,000 to 4,600 in an hour: 1 a second, whatever the
    few seconds of one reading said; Redis's commands from 0 to 7,200: 2 a second, 172,800 a day.
    A measurement less than a minute after, or a counter that went down (the server restarted),
    leaves the reading's own figures."""
    from tierplan.measure.collect import rates_since

    def at(hours: float, tx: float, cmds: float) -> Measurement:
        return Measurement(
            T0 + dt.timedelta(hours=hours),
            None,
            {"db": {"transactions_total": tx, "transactions_per_s": 0.1}, "cache": {"commands_total": cmds, "commands_per_s": 0.5}},
        )

    past = [at(0, 1000, 0)]
    m = rates_since(past, at(1, 4600, 7200))
    assert m.components["db"]["transactions_per_s"] == pytest.approx(1.0)
    assert m.components["cache"]["commands_per_s"] == pytest.approx(2.0)
    assert m.components["cache"]["commands_per_day"] == pytest.approx(172_800)
    assert "60 minutes" in m.notes[0]
    soon = rates_since(past, at(0.01, 1100, 10))
    assert soon.components["db"]["transactions_per_s"] == 0.1 and not soon.notes
    restarted = rates_since(past, at(1, 10, 7200))
    assert restarted.components["db"]["transactions_per_s"] == 0.1
    assert restarted.components["cache"]["commands_per_s"] == pytest.approx(2.0)
