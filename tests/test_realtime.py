"""Realtime (WebSocket) servers: the concurrency limits of their generated fly.toml come from the
plan (open sockets per machine, not Fly.io's default soft limit of 20), hand-computed on a small
catalog and cross-checked against the plan JSON of the examples."""

from __future__ import annotations

import math
import tomllib
from functools import cache
from typing import Any

import pytest

from tierplan.api import make_planner as make_example_planner
from tierplan.api import plan as plan_json
from tierplan.engine.plan import plan as make_plan
from tierplan.gen import generate
from tierplan.gen.schemas import check_fly_toml

from .conftest import EXAMPLES, make_catalog, make_planner, make_profile

SG = {"id": "sin", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82}


def _fly(baseline: float = 1.0) -> Any:
    size = {
        "id": "shared-cpu-1x-1gb",
        "vcpu": 1,
        "cpu_kind": "shared",
        "cpu_baseline_fraction": baseline,
        "memory_mb": 1024,
        "usd_per_hour": 0.01,
    }
    return make_catalog(
        {
            "provider": "fly",
            "name": "Fly.io",
            "regions": [SG],
            "services": [
                {
                    "id": "machines",
                    "name": "Machines",
                    "hosts": ["realtime"],
                    "plans": [{"id": "payg", "name": "PAYG", "instances": {"sizes": [size]}}],
                }
            ],
        }
    )


def _realtime_profile(users: int, messages_per_user_day: float) -> Any:
    # concurrent users = users x 1.0 active x 60 min / (10 h x 60) x peak 2 = users / 5
    return make_profile(
        scale={"stages": [users]},
        activity={
            "requests_per_user_day": 0,
            "active_hours_per_day": 10,
            "peak_factor": 2,
            "daily_active_fraction": 1.0,
            "session_minutes_per_day": 60,
        },
        components={
            "ws": {
                "kind": "realtime",
                "runtime": "node",
                "memory_mb": 200,
                "connections_per_user": 1,
                "messages_per_user_day": messages_per_user_day,
                "fanout": 1,
            }
        },
    )


def _concurrency(profile: Any, catalog: Any) -> tuple[int, dict[str, Any], str]:
    planner = make_planner(profile, catalog)
    dep, files = generate(planner, make_plan(planner), phase=1)
    (svc,) = dep.services
    text = files["fly.toml"]
    assert check_fly_toml(text, planner.catalog) == []
    return svc.instances, tomllib.loads(text)["http_service"]["concurrency"], text


def test_memory_bound_realtime_server_gets_limits_from_its_sockets() -> None:
    """200,000 users -> 40,000 sockets x 50 KB = 1,953.1 MB shared; one 1 GB machine holds
    0.8 x 1,024 - 200 = 619.2 MB of sockets -> 4 machines, 10,000 sockets each at the peak.
    hard = floor(619.2 x 1024 / 50) = 12,681; soft = ceil(0.8 x 12,681) = 10,145."""
    n, conc, text = _concurrency(_realtime_profile(200_000, 0), _fly())
    assert n == 4
    assert conc == {"type": "connections", "soft_limit": 10_145, "hard_limit": 12_681}
    assert "the plan expects 10,000 at the phase's peak" in text


def test_cpu_bound_realtime_server_gets_limits_from_its_cpu() -> None:
    """500 messages a user a day, fanout 1: 200,000 x 500 x 2 / 36,000 s x 0.5 ms = 2.7778 cores on
    average (5.5556 at the peak). A shared vCPU with a 25% baseline sustains 0.8 x 0.25 = 0.2 cores
    -> 14 machines (memory needs 4, peak CPU 7). Sockets per machine at that CPU:
    0.2 / (2.7778 / 40,000) = 2,880 (hard); soft = ceil(0.8 x 2,880) = 2,304; planned 40,000 / 14."""
    n, conc, text = _concurrency(_realtime_profile(200_000, 500), _fly(baseline=0.25))
    assert n == 14
    assert conc == {"type": "connections", "soft_limit": 2_304, "hard_limit": 2_880}
    assert f"the plan expects {math.ceil(40_000 / 14):,} at the phase's peak" in text


def test_soft_limit_fraction_is_an_overridable_assumption() -> None:
    prof = _realtime_profile(200_000, 0).model_copy(
        update={"assumptions": {"gen.realtime_soft_limit_fraction": 0.5}}
    )
    _n, conc, _text = _concurrency(prof, _fly())
    assert conc["soft_limit"] == math.ceil(0.5 * 12_681)


# --------------------------------------------------------------------------- the examples
@cache
def _example(name: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
    planner = make_example_planner(EXAMPLES / f"{name}.yaml")
    doc = plan_json(EXAMPLES / f"{name}.yaml")
    p = make_plan(planner)
    return doc, [generate(planner, p, phase=k)[1] for k in range(1, len(doc["phases"]) + 1)]


@pytest.mark.parametrize(("name", "comp"), [("paircam", "signaling"), ("amebo", "realtime")])
def test_fly_toml_limits_match_the_plan_json(name: str, comp: str) -> None:
    """Recompute each phase's limits from the plan JSON alone: the realtime item's machines, size,
    memory and CPU fractions give the sockets per machine (memory_fraction x memory - the process's
    own memory, over 50 KB a socket) and what one machine holds within the headroom."""
    doc, generated = _example(name)
    h = doc["headroom"]
    used = {a["key"]: a["value"] for a in doc["assumptions"]}
    c = make_example_planner(EXAMPLES / f"{name}.yaml").profile.components[comp]
    fixed = c.memory_mb if c.memory_mb is not None else used[f"runtime.{c.runtime}.memory_mb"]
    kb = used["realtime.memory_kb_per_connection"]
    frac = 0.8  # gen.realtime_soft_limit_fraction (a gen assumption: not in the plan's list)
    checked = 0
    for ph, files in zip(doc["phases"], generated, strict=True):
        it = next(i for i in ph["stack"] if i["component"] == comp)
        if it["provider"] != "fly":
            continue
        tomls = [tomllib.loads(t) for f, t in files.items() if f.startswith("fly") and f.endswith(".toml")]
        fly = next(t for t in tomls if "realtime" in t["processes"])
        conc = fly["http_service"]["concurrency"]
        vm = fly["vm"][0]["memory"]
        mem = int(vm[:-2]) * (1024 if vm.endswith("gb") else 1)
        u = it["utilization"]
        per_machine = (u["memory_fraction"] * mem - fixed) * 1024 / kb  # sockets per machine at the peak
        caps = [(h * mem - fixed) * 1024 / kb]
        caps += [h * per_machine / u[k] for k in ("cpu_peak_fraction", "cpu_sustained_fraction") if u.get(k)]
        assert conc["type"] == "connections"
        assert conc["hard_limit"] == pytest.approx(max(min(caps), per_machine), rel=0.01), ph["index"]
        assert conc["hard_limit"] >= per_machine * 0.995  # never below what the plan puts on a machine
        assert conc["soft_limit"] == math.ceil(frac * conc["hard_limit"]), ph["index"]
        assert conc["soft_limit"] > 20  # not Fly.io's default
        checked += 1
    assert checked >= 2
