"""Redis connections per running instance: the coupling between a Redis and the components that
open connections to it.

Every process of every running instance of a client keeps its own pool open
(``redis.pool_size_per_process``), so a Redis plan's connection limit (Render Key Value Free: 50)
depends on how many instances its clients run, which depends on the sizes the optimizer picks for
them. The Redis's own evaluation checks the floor (one process on one instance per client: the
workload figure ``connections``); the whole-stack problem adds, per Redis component, the row

    sum over clients w, columns c of w:  opened(c) x_c  -  sum over columns r of the Redis: cap(r) x_r  <=  0

(exactly one column per component is chosen, so the left sum is what the chosen clients open and
the right one the chosen plan's usable limit). ``fits`` checks the same inequality on a given stack
(a kept stack priced at another scale), and ``actual_connections`` gives the figure the report shows.

Pure functions over the planner's data; see docs/optimizer.md ("Redis connections").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..kinds import KINDS
from ..pricing import EPS, Evaluation
from .planner import Planner
from .scale import usable_limit

__all__ = [
    "redis_clients",
    "processes_per_instance",
    "opened_connections",
    "connection_limit",
    "connection_cap",
    "actual_connections",
    "fits",
    "with_actual",
]


def redis_clients(planner: Planner) -> dict[str, list[str]]:
    """Each Redis component and the components that open connections to it: every component that
    runs the app's code (web services, workers, realtime servers), as the workload's floor counts."""
    p = planner.profile
    runs = [n for n, c in p.components.items() if KINDS[c.kind].runs_code]
    return {n: list(runs) for n, c in p.components.items() if c.kind == "redis" and runs}


def processes_per_instance(
    runtime: str | None, serves_web: bool, memory_mb: float | None, vcpu: float | None, per_process_mb: float
) -> int:
    """Processes one instance runs: a Python web server runs gunicorn/uvicorn workers, as many as
    fit in its memory (one share for the master) but no more than 2 x vCPU + 1 (gunicorn's
    guidance); anything else one process (Node, Go, ... serve concurrently in one process; a job
    worker's pool covers its concurrency). ``tierplan gen`` configures the same count."""
    if runtime == "python" and serves_web and memory_mb is not None:
        by_memory = int((memory_mb - per_process_mb) // per_process_mb)
        return max(1, min(by_memory, int(2 * (vcpu if vcpu else 1) + 1)))
    return 1


def opened_connections(planner: Planner, comp: str, ev: Evaluation, redis: str | None = None) -> float:
    """Connections a client component's chosen option opens to ``redis``: running instances x
    processes per instance x pool size per process, plus, for a realtime server publishing its
    messages through that Redis (profile.pubsub_redis), a publish and a subscribe connection per
    running instance (realtime.pubsub_connections_per_instance)."""
    c = planner.profile.components[comp]
    size = ev.option.size
    procs = processes_per_instance(
        getattr(c, "runtime", None),
        KINDS[c.kind].serves_web,
        size.memory_mb if size is not None else None,
        size.vcpu if size is not None else None,
        planner.assumptions["gen.python_worker_memory_mb"],
    )
    instances = max(1, ev.instances)
    n = instances * procs * planner.assumptions["redis.pool_size_per_process"]
    if redis is not None and planner.profile.pubsub_redis(comp) == redis:
        n += instances * planner.assumptions["realtime.pubsub_connections_per_instance"]
    return n


def connection_limit(ev: Evaluation) -> float | None:
    """A Redis option's plan's ``connections`` limit (its maximum), or None when the catalog
    gives none."""
    maxes = [lim.max for lim in ev.option.plan.plan.limits if lim.metric == "connections"]
    return min(maxes) if maxes else None


def connection_cap(planner: Planner, ev: Evaluation) -> float | None:
    """The connections a Redis option accepts within headroom (its plan's ``connections`` limit,
    scale.usable_limit), or None when the catalog gives no limit."""
    caps = [
        usable_limit(lim, planner.limit_share)
        for lim in ev.option.plan.plan.limits
        if lim.metric == "connections"
    ]
    return min(caps) if caps else None


def actual_connections(planner: Planner, redis: str, chosen: Mapping[str, Evaluation]) -> float:
    """Connections a stack's clients open to ``redis``."""
    return sum(
        opened_connections(planner, w, chosen[w], redis)
        for w in redis_clients(planner).get(redis, [])
        if w in chosen
    )


def fits(planner: Planner, chosen: Mapping[str, Evaluation]) -> bool:
    """Whether every Redis of a stack accepts the connections its clients open."""
    for redis in redis_clients(planner):
        if redis not in chosen:
            continue
        cap = connection_cap(planner, chosen[redis])
        if cap is not None and actual_connections(planner, redis, chosen) > cap + EPS:
            return False
    return True


def with_actual(ev: Evaluation, connections: float) -> Evaluation:
    """A Redis's evaluation with the connections its stack's clients really open (the metric and
    its limit's utilization), for the report: the workload's floor is replaced."""
    util = dict(ev.utilization)
    limit = connection_limit(ev)
    if limit is not None:
        util["connections"] = connections / limit
    return replace(ev, metrics={**ev.metrics, "connections": connections}, utilization=util)
