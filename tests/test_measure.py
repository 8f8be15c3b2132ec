"""`tierplan measure` against real servers: a PostgreSQL and a Redis started for the session
(tests/services.py; .ci/run starts them and passes TIERPLAN_TEST_POSTGRES / TIERPLAN_TEST_REDIS),
loaded with known data and checked against what the servers report independently; generated access
logs with a known count and peak; Prometheus expositions; usage CSVs; and no output, error or
history ever showing the database password."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tierplan.measure.secrets import redact, scrub, secrets_of

from . import services
from .test_cli import run

EXAMPLES = Path(__file__).parents[1] / "examples"
AMEBO = EXAMPLES / "amebo.yaml"


def _server(variable: str, what: str) -> str:
    """The DSN or URL of the session's server, or fail (CI) / skip (elsewhere) saying what is missing."""
    value = os.environ.get(variable)
    if not value:
        msg = f"{what} is not available (apt-get install postgresql redis-server; tests/services.py)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return value


@pytest.fixture(scope="session")
def _servers() -> Iterator[Path | None]:
    if os.environ.get("TIERPLAN_TEST_POSTGRES") and os.environ.get("TIERPLAN_TEST_REDIS"):
        yield None
        return
    services.install()
    if services.missing():
        yield None
        return
    root = Path(tempfile.mkdtemp(prefix="tierplan-services-"))
    os.environ["TIERPLAN_TEST_POSTGRES"] = services.start_postgres(root)
    os.environ["TIERPLAN_TEST_REDIS"] = services.start_redis(root)
    try:
        yield root
    finally:
        services.stop(root)
        os.environ.pop("TIERPLAN_TEST_POSTGRES", None)
        os.environ.pop("TIERPLAN_TEST_REDIS", None)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture()
def pg_dsn(_servers: Path | None) -> Iterator[str]:
    """A fresh database of the session's server (dropped afterwards), its DSN with the password."""
    import psycopg

    base = _server("TIERPLAN_TEST_POSTGRES", "PostgreSQL")
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield re.sub(r"/[^/?]*$", f"/{name}", base)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture()
def redis_url(_servers: Path | None) -> Iterator[str]:
    import redis

    url = _server("TIERPLAN_TEST_REDIS", "Redis")
    r = redis.Redis.from_url(url)
    r.flushall()
    try:
        yield url
    finally:
        r.flushall()
        r.close()


class _Load:
    """How many operations a steady load ran, and over how long."""

    def __init__(self) -> None:
        self.count = 0
        self.start = self.end = 0.0

    @property
    def rate(self) -> float:
        return self.count / (self.end - self.start)


@contextlib.contextmanager
def _steady(op: Callable[[], object], period_s: float) -> Iterator[_Load]:
    """Run ``op`` every ``period_s`` on a thread of its own while the block runs."""
    load = _Load()
    stop = threading.Event()

    def run_op() -> None:
        load.start = time.monotonic()
        while not stop.is_set():
            op()
            load.count += 1
            time.sleep(period_s)
        load.end = time.monotonic()

    t = threading.Thread(target=run_op)
    t.start()
    try:
        yield load
    finally:
        stop.set()
        t.join()


def _measure(*args: object) -> dict[str, Any]:
    r = run("measure", AMEBO, *args, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


# --------------------------------------------------------------------------- PostgreSQL
def test_postgres_sizes_and_connections_match_the_server(pg_dsn: str) -> None:
    """A table of 20,000 rows of 1 kB: the database and table sizes are what pg_database_size and
    pg_total_relation_size say (GB = 10^9 bytes), within 1% (the catalogs may grow between the two
    readings); three idle connections are counted; max_connections is the server's setting."""
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE items AS SELECT g AS id, repeat('x', 1000) AS body FROM generate_series(1, 20000) g")
        conn.execute("CREATE INDEX ON items (id)")
        idle = [psycopg.connect(pg_dsn) for _ in range(3)]
        try:
            doc = _measure("--postgres", pg_dsn, "--seconds", "1")
            db_bytes, table_bytes, max_conn = conn.execute(
                "SELECT pg_database_size(current_database()), pg_total_relation_size('items'), current_setting('max_connections')::int"
            ).fetchone()  # type: ignore[misc]
        finally:
            for c in idle:
                c.close()
    db = doc["components"]["db"]
    assert db["storage_gb"] == pytest.approx(db_bytes / 1e9, rel=0.01)
    assert db["tables_gb"] == pytest.approx(table_bytes / 1e9, rel=0.01)
    assert table_bytes > 20_000 * 1000  # the table is really there
    assert db["connections"] >= 4  # the three idle ones and the loader
    assert db["max_connections"] == max_conn
    assert 0 < db["cache_hit_ratio"] <= 1
    assert doc["sources"] == [{"kind": "postgres", "component": "db", "where": redact(pg_dsn)}]


def test_postgres_rates_under_a_known_load(pg_dsn: str) -> None:
    """A second session inserts a row every 20 ms (one statement, one writing transaction each)
    while measure reads the counters 3 s apart: statements per second (pg_stat_statements) and
    writing transactions per second (transaction ids) are the loader's own rate within 25%; all
    transactions per second (pg_stat_database, published up to a minute late since PostgreSQL 15)
    read no more than that; without load all three are about 0."""
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("CREATE TABLE hits (at timestamptz)")
    idle = _measure("--postgres", pg_dsn, "--seconds", "1")["components"]["db"]
    with (
        psycopg.connect(pg_dsn, autocommit=True) as c,
        _steady(lambda: c.execute("INSERT INTO hits VALUES (now())"), 0.02) as load,
    ):
        time.sleep(1.0)
        busy = _measure("--postgres", pg_dsn, "--seconds", "3")["components"]["db"]
    rate = load.rate
    for key in ("avg_qps", "write_transactions_per_s", "transactions_per_s"):
        assert idle[key] < 1.0, (key, idle)
    assert busy["avg_qps"] == pytest.approx(rate, rel=0.25)
    assert busy["write_transactions_per_s"] == pytest.approx(rate, rel=0.25)
    assert busy["transactions_per_s"] <= rate * 1.25


def test_postgres_transactions_over_the_time_since_the_last_measurement(pg_dsn: str, tmp_path: Path) -> None:
    """With a history whose last measurement, ten minutes ago, counted 6,000 transactions fewer
    than the server does now, measure gives 10 a second (6,000 / 600 s, within 5%: its own few
    transactions and the test's add a little), and says so."""
    import psycopg

    from tierplan.measure.history import append
    from tierplan.measure.model import Measurement

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        total = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]  # type: ignore[index]
    history = tmp_path / "h.db"
    then = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=600)
    append(history, "Amebo", [Measurement(then, 12000, {"db": {"transactions_total": float(total - 6000)}})])
    doc = _measure("--postgres", pg_dsn, "--seconds", "0.5", "--history", history)
    assert doc["components"]["db"]["transactions_per_s"] == pytest.approx(10.0, rel=0.05)
    assert any("db transactions_per_s over the 10 minutes" in n for n in doc["notes"])


def test_the_postgres_session_cannot_write(pg_dsn: str) -> None:
    """The session measure opens is read-only: a write through its settings fails."""
    import psycopg

    from tierplan.measure import postgres as pg

    with psycopg.connect(pg_dsn, autocommit=True, options=pg.SESSION_OPTIONS) as conn:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TABLE nope (x int)")


# --------------------------------------------------------------------------- Redis
def test_redis_keys_memory_and_commands_match_the_server(redis_url: str) -> None:
    """5,000 keys of 200 bytes: keys is DBSIZE, the dataset INFO's used_memory_dataset (MB = 10^6
    bytes, within 5%: the server's own bookkeeping moves a little); a client sending 100 commands
    a second during the reading is measured at that rate (within 40%)."""
    import redis

    r = redis.Redis.from_url(redis_url)
    pipe = r.pipeline()
    for i in range(5000):
        pipe.set(f"k:{i}", "v" * 200)
    pipe.execute()
    client = redis.Redis.from_url(redis_url)
    with _steady(lambda: client.incr("counter"), 0.01) as load:
        time.sleep(0.5)
        doc = _measure("--redis", f"ratelimit={redis_url}", "--seconds", "3")
    client.close()
    m = doc["components"]["ratelimit"]
    assert m["keys"] == r.dbsize()
    assert m["dataset_mb"] == pytest.approx(r.info("memory")["used_memory_dataset"] / 1e6, rel=0.05)
    assert m["commands_per_s"] == pytest.approx(load.rate, rel=0.4)
    assert m["commands_per_day"] == pytest.approx(m["commands_per_s"] * 86400)
    assert m["connections"] >= 1  # the loader (measure's own connection is not counted)
    r.close()


def test_two_redis_components_need_a_name(redis_url: str) -> None:
    r = run("measure", AMEBO, "--redis", redis_url, "--seconds", "1")
    assert r.returncode == 2 and "cache, ratelimit" in r.stderr and "--redis cache=" in r.stderr
    assert "Traceback" not in r.stderr


# --------------------------------------------------------------------------- secrets
def test_no_output_error_or_history_shows_the_password(pg_dsn: str, redis_url: str, tmp_path: Path) -> None:
    """Every format of measure, forecast, calibrate and watch, the history, a wrong port and a
    wrong password, the DSN from the environment: the password appears nowhere (stdout, stderr,
    the history's bytes, its WAL)."""
    password = secrets_of(pg_dsn)[0]
    history = tmp_path / "history.db"
    outputs = []
    for fmt in ("json", "md", "text", "html"):
        r = run("measure", AMEBO, "--postgres", pg_dsn, "--redis", f"cache={redis_url}", "--seconds", "0.5",
                "--history", history, "--format", fmt)
        assert r.returncode == 0, r.stderr
        outputs += [r.stdout, r.stderr]
    wrong_port = re.sub(r":(\d+)/", ":1/", pg_dsn)
    wrong_password = pg_dsn.replace(password, password[::-1])
    for dsn in (wrong_port, wrong_password):
        r = run("measure", AMEBO, "--postgres", dsn, "--seconds", "0.5", "--format", "json")
        assert r.returncode == 1 and "Traceback" not in r.stderr and "***" in r.stderr
        outputs += [r.stdout, r.stderr]
    for cmd in (
        ("forecast", AMEBO, "--history", history, "--units", "12000", "--format", "json"),
        ("calibrate", AMEBO, "--history", history, "--units", "12000"),
        ("watch", AMEBO, "--history", history, "--postgres", pg_dsn, "--units", "12000"),
    ):
        r = run(*cmd)
        assert r.returncode in (0, 4), r.stderr
        outputs += [r.stdout, r.stderr]
    env_run = run_with_env({"TIERPLAN_POSTGRES": pg_dsn}, "measure", AMEBO, "--seconds", "0.5", "--format", "json")
    assert env_run.returncode == 0, env_run.stderr
    outputs += [env_run.stdout, env_run.stderr]
    for text in outputs:
        assert password not in text and password[::-1] not in text
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert password.encode() not in stored and len(stored) > 0
    assert "***" in json.loads(outputs[0])["sources"][0]["where"]


def run_with_env(env: dict[str, str], *args: object) -> Any:
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return run(*args)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.mark.parametrize(
    "dsn, secret, shown",
    [
        ("postgresql://app:s3cr%40t@db.example:5432/prod?sslmode=require", "s3cr@t", "postgresql://app:***@db.example:5432/prod?sslmode=require"),
        ("host=db port=5432 user=app password='it\\'s a secret' dbname=prod", "it's a secret", "host=db port=5432 user=app password=*** dbname=prod"),
        ("host=db user=app password=hunter2 dbname=prod", "hunter2", "host=db user=app password=*** dbname=prod"),
        ("redis://:tok3n@cache:6379/0", "tok3n", "redis://:***@cache:6379/0"),
        ("rediss://default:abc@eu1.upstash.io:6379?token=xyz", "xyz", "rediss://default:***@eu1.upstash.io:6379?token=***"),
    ],
)
def test_redaction_of_dsns(dsn: str, secret: str, shown: str) -> None:
    assert redact(dsn) == shown
    assert secret in secrets_of(dsn)
    assert secret not in scrub(f"could not connect: {dsn}", secrets_of(dsn))


# --------------------------------------------------------------------------- access logs
def _combined_line(at: dt.datetime, user: str, size: int) -> str:
    return f'203.0.113.9 - {user} [{at.strftime("%d/%b/%Y:%H:%M:%S %z")}] "GET /api/x HTTP/1.1" 200 {size} "-" "k6"'


def _log(start: dt.datetime) -> tuple[list[tuple[dt.datetime, str, int]], int]:
    """Two days: one request every 3 minutes (user u0..u9), and a burst of 240 requests in one
    minute; the peak minute has 240 (+ the background's one or none)."""
    hits = []
    for k in range(2 * 24 * 20):
        hits.append((start + dt.timedelta(minutes=3 * k), f"u{k % 10}", 1000))
    burst = start + dt.timedelta(hours=30, seconds=1)
    hits += [(burst + dt.timedelta(seconds=i // 5), "u1", 500) for i in range(240)]
    hits.sort()
    in_peak = sum(1 for t, _u, _b in hits if t.replace(second=0) == burst.replace(second=0))
    return hits, in_peak


@pytest.mark.parametrize("fmt, gz", [("combined", False), ("combined", True), ("json", False)])
def test_access_log_counts_and_peak(tmp_path: Path, fmt: str, gz: bool) -> None:
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    hits, in_peak = _log(start)
    if fmt == "combined":
        lines = [_combined_line(t, u, b) for t, u, b in hits]
    else:
        lines = [json.dumps({"time": t.isoformat(), "remote_user": u, "body_bytes_sent": b, "status": 200}) for t, u, b in hits]
    lines.insert(7, "garbage that is not a log line")
    path = tmp_path / ("access.log.gz" if gz else "access.log")
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    doc = _measure("--access-log", f"api={path}", "--log-format", fmt)
    api = doc["components"]["api"]
    days = (hits[-1][0] - hits[0][0]).total_seconds() / 86400
    assert api["requests"] == len(hits)
    assert api["requests_per_day"] == pytest.approx(len(hits) / days)
    assert api["peak_rps"] == pytest.approx(in_peak / 60)
    total_bytes = sum(b for _t, _u, b in hits)
    assert api["egress_gb_per_month"] == pytest.approx(total_bytes / 1e9 / days * 365 / 12)
    assert api["daily_active_users"] == pytest.approx(10)
    assert any("1 lines not read" in n and "line 8" in n for n in doc["notes"])


def test_an_unreadable_access_log_names_the_file_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text("not a log\nnor this\n")
    r = run("measure", AMEBO, "--access-log", f"api={path}")
    assert r.returncode == 2 and str(path) in r.stderr and "line 1" in r.stderr and "line 2" in r.stderr
    assert "json" in r.stderr and "Traceback" not in r.stderr


# --------------------------------------------------------------------------- Prometheus, CSV
EXPOSITION = """# HELP tierplan_usage usage the plan watches
# TYPE tierplan_usage gauge
tierplan_usage{app="amebo",service="ratelimit",metric="dataset_mb"} 123.5
tierplan_usage{app="amebo",service="db",metric="storage_gb"} 2.25
tierplan_usage{app="amebo",service="db",metric="bogus_metric"} 1
tierplan_usage{app="amebo",service="ghost",metric="storage_gb"} 1
tierplan_usage{app="amebo",service="errors",metric="error_events_per_month"} 5000
"""


def test_prometheus_file_levels_and_notes(tmp_path: Path) -> None:
    path = tmp_path / "metrics.txt"
    path.write_text(EXPOSITION)
    doc = _measure("--prometheus", path)
    assert doc["components"] == {"db": {"storage_gb": 2.25}, "ratelimit": {"dataset_mb": 123.5}}
    notes = " ".join(doc["notes"])
    assert "bogus_metric" in notes and "ghost" in notes and "counter" in notes


def test_prometheus_url_counters_become_rates() -> None:
    """A local /metrics page whose counter grows by 1,000 a second: read twice, a flow."""
    import http.server

    t0 = time.monotonic()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            v = 1000 * (time.monotonic() - t0)
            body = f'tierplan_usage{{service="api",metric="requests_per_day"}} {v}\n'.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        doc = _measure("--prometheus", f"http://127.0.0.1:{srv.server_address[1]}/metrics", "--seconds", "1")
    finally:
        srv.shutdown()
    assert doc["components"]["api"]["requests_per_day"] == pytest.approx(1000 * 86400, rel=0.1)


def test_a_remote_metrics_url_is_refused() -> None:
    r = run("measure", AMEBO, "--prometheus", "http://metrics.example.com/metrics")
    assert r.returncode == 2 and "this machine" in r.stderr and "Traceback" not in r.stderr


def test_usage_csv_dated_rows_fill_the_history(tmp_path: Path) -> None:
    csv_path = tmp_path / "usage.csv"
    csv_path.write_text(
        "date,component,metric,value\n"
        "2026-11-01,errors,error_events_per_month,20000\n"
        "2026-11-08,errors,error_events_per_month,26000\n"
        "2026-11-15,errors,error_events_per_month,32000\n"
        "2026-11-15,ratelimit,dataset_mb,40\n"
    )
    history = tmp_path / "h.db"
    doc = _measure("--usage-csv", csv_path, "--history", history)
    assert doc["measured_at"].startswith("2026-11-15")
    assert doc["components"] == {"errors": {"error_events_per_month": 32000.0}, "ratelimit": {"dataset_mb": 40.0}}
    with sqlite3.connect(history) as conn:
        assert conn.execute("SELECT count(*) FROM measurement").fetchone()[0] == 3


def test_usage_csv_errors_name_file_line_and_column(tmp_path: Path) -> None:
    csv_path = tmp_path / "usage.csv"
    csv_path.write_text("component,metric,value\nerrors,error_events_per_month,12\nghost,storage_gb,1\ndb,storage_gb,lots\ndb,stoarge_gb,1\n")
    r = run("measure", AMEBO, "--usage-csv", csv_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    for where in ("component (line 3)", "value (line 4)", "metric (line 5)"):
        assert f"{csv_path}: {where}" in r.stderr
    assert r.stdout == ""


def test_nothing_to_measure_is_a_usage_error() -> None:
    r = run("measure", AMEBO)
    assert r.returncode == 2 and "--postgres" in r.stderr and "Traceback" not in r.stderr
