"""Redis, read-only: memory and dataset size, keys, commands per second from two samples of INFO,
connected clients, evictions. Only INFO is sent (no command that reads or writes a key)."""

from __future__ import annotations

import time
from typing import Any

from ..errors import TierplanError
from ..metrics import SECONDS_PER_DAY
from .model import BYTES_PER_MB
from .secrets import redact, scrub, secrets_of

__all__ = ["measure_redis"]


def _keys(info: dict[str, Any]) -> float:
    """Keys in every database, from INFO's keyspace section (db0: keys=..,expires=..)."""
    total = 0.0
    for name, v in info.items():
        if name.startswith("db") and name[2:].isdigit() and isinstance(v, dict):
            total += float(v.get("keys", 0))
    return total


def measure_redis(url: str, seconds: float = 5.0, timeout_s: float = 10.0) -> tuple[dict[str, float], list[str]]:
    """The figures of the Redis server ``url`` names, and notes. Raises TierplanError (exit 1) with
    the URL redacted when it cannot be reached or read."""
    import redis

    hidden = secrets_of(url)
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
        try:
            first = client.info("all")
            t0 = time.monotonic()
            time.sleep(seconds)
            second = client.info("all")
            t1 = time.monotonic()
        finally:
            client.close()
    except redis.RedisError as e:
        raise TierplanError(
            f"Redis {redact(url)}: {scrub(str(e).strip(), hidden)}",
            hint="check the URL (redis://[:password@]host:port/db; a password may come from the environment) and that the server is up",
        ) from None
    elapsed = max(t1 - t0, 1e-9)
    # the second INFO is counted once it has run; the first was counted before the second sample
    own = 1.0
    cps = max(0.0, float(second["total_commands_processed"]) - float(first["total_commands_processed"]) - own) / elapsed
    dataset = second.get("used_memory_dataset", second["used_memory"])
    out = {
        "dataset_mb": float(dataset) / BYTES_PER_MB,
        "memory_used_mb": float(second["used_memory"]) / BYTES_PER_MB,
        "keys": _keys(second),
        "commands_per_s": cps,
        "commands_total": float(second["total_commands_processed"]),
        "commands_per_day": cps * SECONDS_PER_DAY,
        # this measurement's own connection is not the app's
        "connections": max(0.0, float(second["connected_clients"]) - 1),
        "evicted_keys": float(second.get("evicted_keys", 0)),
    }
    notes = []
    if out["evicted_keys"] > 0:
        notes.append(f"Redis has evicted {out['evicted_keys']:,.0f} keys since it started: its memory is full")
    return out, notes
