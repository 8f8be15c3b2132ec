"""Redis connections are counted per running instance (issue 11): every process of every running
instance of a client keeps its own pool, so a Redis plan's connection limit couples it to the
sizes and counts the optimizer picks for its clients (engine/connections.py)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tierplan.assumptions import load_assumptions
from tierplan.catalog.loader import load_catalog
from tierplan.engine.connections import (
    actual_connections,
    connection_cap,
    opened_connections,
    processes_per_instance,
    redis_clients,
)
from tierplan.engine.plan import plan
from tierplan.engine.planner import Planner
from tierplan.profile import load_profile

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _planner(name: str) -> Planner:
    path = EXAMPLES / f"{name}.yaml"
    prof = load_profile(path)
    a = load_assumptions().with_overrides(prof.assumptions)
    return Planner(prof, load_catalog(), a, str(path))


def _amebo_ratelimit_on_render(tmp_path: Path) -> Planner:
    """Amebo with its rate limiter restricted to Render Key Value, whose plans publish connection
    limits (Railway's Redis, Amebo's cheapest, publishes none)."""
    text = (EXAMPLES / "amebo.yaml").read_text()
    marker = "  ratelimit:\n    kind: redis\n"
    assert marker in text
    path = tmp_path / "amebo.yaml"
    path.write_text(text.replace(marker, marker + "    providers: [render]\n"))
    prof = load_profile(path)
    a = load_assumptions().with_overrides(prof.assumptions)
    return Planner(prof, load_catalog(), a, str(path))


def test_processes_per_instance_hand_computed() -> None:
    # Python web server, 1 GB, 1 vCPU, 100 MB per worker: (1024 - 100) // 100 = 9 by memory,
    # 2 x 1 + 1 = 3 by CPU: 3 processes
    assert processes_per_instance("python", True, 1024, 1, 100) == 3
    # 256 MB: (256 - 100) // 100 = 1
    assert processes_per_instance("python", True, 256, 1, 100) == 1
    # 4 GB, 2 vCPU: min(39, 5) = 5
    assert processes_per_instance("python", True, 4096, 2, 100) == 5
    # Node, Go, job workers: one process
    assert processes_per_instance("node", True, 4096, 2, 100) == 1
    assert processes_per_instance("python", False, 4096, 2, 100) == 1
    assert processes_per_instance("go", True, None, None, 100) == 1


def test_opened_connections_are_instances_x_processes_x_pool() -> None:
    planner = _planner("amebo")
    pool = planner.assumptions["redis.pool_size_per_process"]
    assert pool == 10
    for units in (10_000, 50_000, 100_000):
        ev = planner.best("api", units)
        assert ev is not None
        # amebo's API is TypeScript: one process per instance
        assert opened_connections(planner, "api", ev) == ev.instances * 1 * pool


@settings(max_examples=25, deadline=None)
@given(st.integers(10_000, 100_000), st.integers(0, 90_000))
def test_connections_grow_with_api_instances(u1: int, extra: int) -> None:
    """On one option, more users never mean fewer instances, and the connections the API opens
    are exactly instances x processes x pool: they grow with the API's instances."""
    planner = _PLANNER
    u2 = u1 + extra
    for order in _API_ORDERS:
        e1 = planner.evaluate_one("api", order, u1)
        e2 = planner.evaluate_one("api", order, u2)
        if not (e1.feasible and e2.feasible):
            continue
        assert e2.instances >= e1.instances
        c1, c2 = opened_connections(planner, "api", e1), opened_connections(planner, "api", e2)
        assert c2 >= c1
        assert (c2 > c1) == (e2.instances > e1.instances)


_PLANNER = _planner("amebo")
_API_ORDERS = [o.order for o in _PLANNER.options["api"].options if o.size is not None][:12]


def test_no_phase_puts_more_connections_on_a_redis_than_its_plan_allows(tmp_path: Path) -> None:
    planner = _amebo_ratelimit_on_render(tmp_path)
    p = plan(planner)
    assert redis_clients(planner) == {"ratelimit": ["api", "realtime"]}
    seen_limited = False
    for ph in p.phases:
        for pt in (ph.stack_start, ph.stack_end):
            ev = pt.choices["ratelimit"]
            n = actual_connections(planner, "ratelimit", pt.choices)
            # the report shows what the stack opens, not the workload's floor
            assert ev.metrics["connections"] == n
            cap = connection_cap(planner, ev)
            if cap is not None:
                seen_limited = True
                assert n <= cap + 1e-9
    assert seen_limited


def test_render_free_key_value_is_left_when_the_api_scales_out(tmp_path: Path) -> None:
    """Render Key Value Free accepts 50 connections (40 within the 80% headroom): amebo's API
    (4 machines x 1 process x 10) and realtime server (1 x 10) open 50 at the phase's end, so the
    plan moves the rate limiter off it, and the trigger says why in numbers."""
    planner = _amebo_ratelimit_on_render(tmp_path)
    p = plan(planner)
    on_free = [
        ph for ph in p.phases if ph.stack_start.choices["ratelimit"].option.label.startswith("Render Free")
    ]
    assert on_free
    trig = [t for t in on_free[-1].triggers if t.component == "ratelimit"]
    assert trig and trig[0].metric == "connections"
    assert trig[0].used is not None and trig[0].threshold is not None
    assert trig[0].used > trig[0].threshold == 40
