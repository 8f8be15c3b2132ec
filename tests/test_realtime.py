"""Realtime (WebSocket) servers: the concurrency limits of their generated fly.toml come from the
plan (open sockets per machine, not Fly.io's default soft limit of 20), hand-computed on a small
catalog and cross-checked against the plan JSON of the examples."""

from __future__ import annotations

import math
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tierplan.api import make_planner as make_example_planner
from tierplan.api import plan as plan_json
from tierplan.engine.plan import plan as make_plan
from tierplan.errors import InputError
from tierplan.gen import generate
from tierplan.gen.schemas import check_fly_toml
from tierplan.profile import parse_profile
from tierplan.risks import risks_of

from .conftest import EXAMPLES, make_catalog, make_planner, make_profile
from .test_cli import run as run_cli

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


# --------------------------------------------------------------------------- Redis pub/sub
def _with_redis(prof: Any, **realtime: Any) -> Any:
    data = prof.model_dump(mode="json", exclude_defaults=True)
    data["components"]["ws"].update(realtime)
    data["components"]["cache"] = {
        "kind": "redis",
        "use": "cache",
        "commands_per_request": 0,
        "dataset_mb": 10,
    }
    data["components"]["queue"] = {
        "kind": "redis",
        "use": "broker",
        "commands_per_request": 0,
        "dataset_mb": 10,
    }
    return parse_profile(data)


def _redis_catalog() -> Any:
    fly = _fly().providers["fly"].model_dump(mode="json", exclude_defaults=True)
    redis = {
        "provider": "kv",
        "name": "KV",
        "regions": [SG],
        "services": [
            {
                "id": "redis",
                "name": "Redis",
                "hosts": ["redis"],
                "plans": [
                    {
                        "id": "payg",
                        "name": "PAYG",
                        "meters": [
                            {"metric": "commands_per_month", "unit": "command", "usd_per_unit": 0.000002}
                        ],
                    }
                ],
            }
        ],
    }
    return make_catalog(fly, redis)


def test_realtime_messages_are_published_on_the_first_redis_by_default() -> None:
    """200,000 daily users x 500 messages = 100M PUBLISH a day on `cache` (the first redis), none
    on `queue`; connections: 1 client component x 10 + 1 publisher x 2 = 12; egress: 100M x 1 KB a
    day x 30.4167 days / 1000^2 (decimal) GB."""
    prof = _with_redis(_realtime_profile(200_000, 500))
    assert prof.pubsub_redis("ws") == "cache" and prof.pubsub_redis("cache") is None
    planner = make_planner(prof, _redis_catalog())
    d = planner.demand(200_000).components
    assert d["cache"].metrics["commands_per_day"] == pytest.approx(100_000_000)
    assert d["cache"].metrics["connections"] == pytest.approx(12)
    assert d["cache"].metrics["egress_gb_per_month"] == pytest.approx(
        100_000_000 * 30.4167 / 1000**2, rel=1e-4
    )
    assert d["queue"].metrics["commands_per_day"] == 0
    assert d["queue"].metrics["connections"] == pytest.approx(10)


def test_pubsub_names_the_redis_and_must_be_one() -> None:
    prof = _with_redis(_realtime_profile(1_000, 10), pubsub="queue")
    assert prof.pubsub_redis("ws") == "queue"
    d = make_planner(prof, _redis_catalog()).demand(1_000).components
    assert d["queue"].metrics["commands_per_day"] == pytest.approx(10_000)
    assert d["cache"].metrics["commands_per_day"] == 0
    data = prof.model_dump(mode="json", exclude_defaults=True)
    data["components"]["ws"]["pubsub"] = "ws"
    with pytest.raises(
        InputError,
        match=r"components\.ws\.pubsub names 'ws', which is not a redis component \(redis components: cache, queue\)",
    ):
        parse_profile(data)


@given(
    users=st.integers(1, 2_000_000),
    messages=st.floats(0, 10_000),
    active=st.floats(0.01, 1.0),
)
@settings(max_examples=40, deadline=None)
def test_pubsub_commands_are_every_message_sent(users: int, messages: float, active: float) -> None:
    """Whatever the scale: the Redis carries one PUBLISH per realtime message sent, on top of what
    it carries without the realtime component."""
    prof = _with_redis(_realtime_profile(users, messages))
    data = prof.model_dump(mode="json", exclude_defaults=True)
    data["activity"]["daily_active_fraction"] = active
    with_rt = parse_profile(data)
    del data["components"]["ws"]
    without = parse_profile(data)
    cat = _redis_catalog()
    a = make_planner(with_rt, cat).demand(users).components["cache"].metrics
    b = make_planner(without, cat).demand(users).components["cache"].metrics
    sent = users * active * messages
    assert a["commands_per_day"] - b["commands_per_day"] == pytest.approx(sent, rel=1e-9, abs=1e-6)
    assert a["connections"] >= b["connections"] + 2


def test_risk_line_names_the_redis_or_says_one_is_needed() -> None:
    # 4 machines (the memory-bound case above)
    planner = make_planner(_realtime_profile(200_000, 0), _fly())
    ev = planner.best("ws", 200_000)
    assert ev is not None and ev.instances == 4
    ctx = planner.context(200_000)
    none = risks_of(ev, "realtime", ctx, True, None, None)
    assert any("4 instances and no Redis to publish through" in r for r in none)
    named = risks_of(ev, "realtime", ctx, True, None, "cache")
    assert any(
        "4 instances: a message reaches sockets on other instances only through the Redis pub/sub adapter on cache"
        in r
        for r in named
    )
    # one machine, no high availability, no zero-downtime: nothing to share
    small = make_planner(_realtime_profile(1_000, 0), _fly())
    ev1 = small.best("ws", 1_000)
    assert ev1 is not None and ev1.instances == 1
    assert not any(
        "pub/sub" in r or "Redis" in r
        for r in risks_of(ev1, "realtime", small.context(1_000), True, None, None)
    )


def test_generated_files_configure_the_pubsub_redis() -> None:
    """The realtime component names the second Redis (`queue`): its variable is QUEUE_REDIS_URL."""
    prof = _with_redis(_realtime_profile(200_000, 0), pubsub="queue")
    planner = make_planner(prof, _redis_catalog())
    dep, files = generate(planner, make_plan(planner), phase=1)
    (ws,) = [s for s in dep.services if s.name == "ws"]
    assert (ws.pubsub, ws.pubsub_env, ws.instances) == ("queue", "QUEUE_REDIS_URL", 4)
    fly = files["fly.toml"]
    assert (
        "# Realtime on 4 machines: every server publishes its messages through Redis pub/sub (queue, $QUEUE_REDIS_URL)"
        in fly
    )
    assert "@socket.io/redis-adapter" in fly and "fly-replay" in fly
    assert check_fly_toml(fly, planner.catalog) == []
    readme = files["DEPLOY.md"]
    assert "## Realtime on several instances" in readme
    assert "Redis pub/sub on **queue** (`QUEUE_REDIS_URL`)" in readme
    comments = [
        line for line in files[".env.example"].splitlines() if "pub/sub of the realtime server ws" in line
    ]
    assert len(comments) == 1 and comments[0].startswith("# queue ")


def test_generated_files_say_a_redis_is_required_when_the_profile_has_none() -> None:
    _n, _conc, fly = _concurrency(_realtime_profile(200_000, 0), _fly())
    assert "# Realtime on 4 machines and no Redis named to publish through" in fly
    planner = make_planner(_realtime_profile(200_000, 0), _fly())
    _dep, files = generate(planner, make_plan(planner), phase=1)
    assert "**A Redis is required and the profile has none**" in files["DEPLOY.md"]


def test_one_machine_gets_no_pubsub_section() -> None:
    planner = make_planner(_realtime_profile(1_000, 0), _fly())
    _dep, files = generate(planner, make_plan(planner), phase=1)
    assert (
        "Realtime on" not in files["fly.toml"] and "Realtime on several instances" not in files["DEPLOY.md"]
    )


def test_a_realtime_component_written_for_durable_objects_names_its_redis_itself() -> None:
    """serverless_ok: Durable Objects route its messages themselves, so no Redis carries its
    messages unless `pubsub` names one; on several servers the risk line says which to name."""
    prof = _with_redis(_realtime_profile(200_000, 500), serverless_ok=True)
    assert prof.pubsub_redis("ws") is None
    planner = make_planner(prof, _redis_catalog())
    assert planner.demand(200_000).components["cache"].metrics["commands_per_day"] == 0
    ev = planner.best("ws", 200_000)
    assert ev is not None and ev.instances > 1
    risks = risks_of(ev, "realtime", planner.context(200_000), True, None, None, prof.redis_components())
    assert any("no Redis named to publish through" in r and "(e.g. cache)" in r for r in risks)
    named = _with_redis(_realtime_profile(200_000, 500), serverless_ok=True, pubsub="cache")
    assert named.pubsub_redis("ws") == "cache"
    counted = make_planner(named, _redis_catalog()).demand(200_000).components["cache"]
    assert counted.metrics["commands_per_day"] == pytest.approx(100_000_000)


def test_cli_refuses_a_pubsub_that_is_not_a_redis(tmp_path: Path) -> None:
    data = yaml.safe_load((EXAMPLES / "paircam.yaml").read_text())
    data["components"]["signaling"]["pubsub"] = "db"
    bad = tmp_path / "app.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False))
    r = run_cli("plan", bad)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert (
        "components.signaling.pubsub names 'db', which is not a redis component (redis components: redis)"
        in r.stderr
    )
