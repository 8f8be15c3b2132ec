"""Real PostgreSQL and Redis servers for the measure tests: started on free ports on 127.0.0.1,
their data in a directory of their own, stopped when done. Standard library only, so .ci/run can
start them before the project's venv exists:

    python3 -m tests.services start DIR    # prints TIERPLAN_TEST_POSTGRES=... / TIERPLAN_TEST_REDIS=...
    python3 -m tests.services stop DIR

The binaries are Debian's (postgresql, redis-server): looked up on PATH and under
/usr/lib/postgresql/*/bin; where they are missing and this runs as root, installed with apt-get.
PostgreSQL refuses to run as root, so as root it runs as the ``postgres`` user Debian's package
creates. The database user has a random password (the tests check no output shows it). The server
loads pg_stat_statements (as managed PostgreSQL services do), for the statements-per-second test.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["start_postgres", "start_redis", "stop", "missing"]

PG_USER = "tierplan"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    cands = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return cands[-1] if cands else None


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def missing() -> list[str]:
    """The Debian packages whose programs are not here."""
    out = []
    if not (_pg_bin("initdb") and _pg_bin("pg_ctl")):
        out.append("postgresql")
    if not shutil.which("redis-server"):
        out.append("redis-server")
    return out


def install() -> None:
    """apt-get install the missing packages (root only; otherwise nothing)."""
    need = missing()
    if not need or not _is_root() or not shutil.which("apt-get"):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], capture_output=True, timeout=1200, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *need], capture_output=True, timeout=1200, env=env)


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if _is_root() else cmd


def start_postgres(root: Path) -> str:
    """Start a PostgreSQL server with its data under ``root``; its DSN (with the password)."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    root.mkdir(parents=True, exist_ok=True)
    data, sock, pwfile = root / "pg", root / "pg-sock", root / "pg-pw"
    sock.mkdir(exist_ok=True)
    password = "pw-" + secrets.token_hex(12)
    pwfile.write_text(password + "\n")
    if _is_root():
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        shutil.chown(pwfile, "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-U", PG_USER, f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8"]),
        check=True,
        capture_output=True,
        timeout=300,
    )
    pwfile.unlink()
    subprocess.run(
        _as_postgres(
            [pg_ctl, "-D", str(data), "-l", str(root / "pg.log"), "-w", "-t", "120", "-o",
             f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements",
             "start"]
        ),
        check=True,
        capture_output=True,
        timeout=300,
    )
    (root / "pg.port").write_text(str(port))
    return f"postgresql://{PG_USER}:{password}@127.0.0.1:{port}/postgres"


def start_redis(root: Path) -> str:
    """Start a Redis server with its data under ``root``; its URL."""
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("Redis is not installed (apt-get install redis-server)")
    root.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    pidfile = root / "redis.pid"
    subprocess.run(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(root), "--save", "", "--appendonly", "no",
         "--daemonize", "yes", "--pidfile", str(pidfile), "--logfile", str(root / "redis.log")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"Redis did not answer on port {port} (see {root / 'redis.log'})")


def stop(root: Path) -> None:
    """Stop what start_postgres / start_redis started under ``root`` (what is not running is left)."""
    pg_ctl = _pg_bin("pg_ctl")
    if pg_ctl and (root / "pg" / "postmaster.pid").exists():
        subprocess.run(_as_postgres([pg_ctl, "-D", str(root / "pg"), "-m", "fast", "-w", "stop"]), capture_output=True, timeout=120)
    pidfile = root / "redis.pid"
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text().strip()), 15)
        except (OSError, ValueError):
            pass


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python3 -m tests.services start|stop DIR", file=sys.stderr)
        return 2
    root = Path(argv[1])
    if argv[0] == "stop":
        stop(root)
        return 0
    install()
    print(f"TIERPLAN_TEST_POSTGRES={start_postgres(root)}")
    print(f"TIERPLAN_TEST_REDIS={start_redis(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
