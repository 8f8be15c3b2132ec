"""Self-run software priced as servers (issue 11): coturn as the TURN relay an engineer prices
against managed TURN (Fly Machines + a dedicated IPv4 each + egress), sized on the relayed bit rate
at peak, and considered only with requirements.allow_unmanaged; Hetzner Cloud's servers and
unmanaged stores, whose prices could not be verified and stay unknown."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tierplan.catalog.loader import load_catalog
from tierplan.engine.planner import Planner
from tierplan.gen import generate
from tierplan.metrics import DAYS_PER_MONTH, HOURS_PER_MONTH

from .conftest import make_planner, make_profile


def _turn_planner(users: int = 10_000, bitrate_kbps: float = 1000, **requirements: Any) -> Planner:
    prof = make_profile(
        audience={"countries": ["US"]},
        scale={"stages": [users, users * 2]},
        activity={"requests_per_user_day": 10, "active_hours_per_day": 10, "peak_factor": 2},
        requirements={"providers": {"allow": ["fly"]}, **requirements},
        components={
            "turn": {
                "kind": "turn",
                "call_minutes_per_user_month": 100,
                "relay_fraction": 0.1,
                "bitrate_kbps": bitrate_kbps,
                "participants": 2,
            }
        },
    )
    return make_planner(prof, load_catalog())


def test_coturn_on_fly_is_machines_plus_an_ipv4_each_plus_egress() -> None:
    """10,000 users x 100 min x 10% relayed x 60 s x 1,000 kbit/s x 1 stream = 6e12 bits a month
    = 750 GB (decimal, 10^9 bytes) of relayed media sent, at $0.02/GB in North America = $15.00.
    Over 10 h x 30.42 days = 1,095,000 s that is 5.48 Mbit/s on average, 10.96 at the 2x peak:
    0.027 vCPU sustained and 0.055 at peak at 200 Mbit/s per vCPU, so one shared-cpu-1x-256mb
    (6.25% of a vCPU sustained, 80% usable) carries it: $2.19 per 720 h x 730 h = $2.22, plus its
    dedicated IPv4 $2.00."""
    planner = _turn_planner(allow_unmanaged=True)
    d = planner.demand(10_000).components["turn"]
    relay_gb = 6e12 / 8 / 10**9
    assert relay_gb == 750
    assert d.metrics["relay_gb_per_month"] == pytest.approx(relay_gb)
    seconds = 10 * DAYS_PER_MONTH * 3600
    assert d.capacity.cores_avg == pytest.approx(6e12 / seconds / 1e6 / 200)
    assert d.capacity.cores_peak == pytest.approx(2 * 6e12 / seconds / 1e6 / 200)
    best = planner.best("turn", 10_000)
    assert best is not None
    assert best.option.plan.key == "fly/coturn-on-machines/pay-as-you-go"
    assert best.option.size is not None and best.option.size.id == "shared-cpu-1x-256mb"
    assert best.option.region is not None and best.option.region.id in ("iad", "ewr")
    assert best.instances == 1
    assert best.monthly_usd == pytest.approx(2.19 / 720 * HOURS_PER_MONTH + 2.00 + relay_gb * 0.02)


def test_self_run_turn_needs_allow_unmanaged() -> None:
    planner = _turn_planner()
    excluded = [ex for ex in planner.options["turn"].excluded if ex.plan.key.startswith("fly/coturn")]
    assert excluded and all("requirements.allow_unmanaged" in ex.reason.message for ex in excluded)
    assert all("TURN relay" in ex.reason.message for ex in excluded)
    assert not planner.options["turn"].options  # only fly is allowed: nothing else hosts TURN there
    assert planner.best("turn", 10_000) is None


def _servers(bitrate_kbps: float, size: str = "performance-1x-2gb") -> int:
    planner = _turn_planner(bitrate_kbps=bitrate_kbps, allow_unmanaged=True)
    (o,) = [
        o
        for o in planner.options["turn"].options
        if o.size is not None and o.size.id == size and o.region is not None and o.region.id in ("iad", "ewr")
    ][:1]
    ev = planner.evaluate_one("turn", o.order, 10_000)
    assert ev.feasible
    return ev.instances


@settings(max_examples=20, deadline=None)
@given(st.floats(min_value=50, max_value=20_000), st.floats(min_value=1.0, max_value=4.0))
def test_coturn_servers_grow_with_the_relayed_bit_rate(kbps: float, factor: float) -> None:
    """More relayed bits at peak never need fewer servers, and the count is what the peak over
    one dedicated vCPU within headroom asks for."""
    low, high = _servers(kbps), _servers(kbps * factor)
    assert low <= high
    seconds = 10 * DAYS_PER_MONTH * 3600
    peak_mbps = 2 * 10_000 * 100 * 0.1 * 60 * kbps * 1000 / seconds / 1e6
    assert low == max(1, math.ceil(peak_mbps / (200 * 0.8) - 1e-9))


def test_large_relay_needs_several_servers() -> None:
    assert _servers(1000) == 1
    assert _servers(100_000) == 7  # 1,096 Mbit/s at peak / 160 per server


def test_gen_gives_dashboard_steps_for_a_self_run_relay() -> None:
    planner = _turn_planner(allow_unmanaged=True)
    dep, files = generate(planner, None, at=10_000)
    (sr,) = dep.self_run
    assert (sr.name, sr.provider, sr.count) == ("turn", "fly", 1)
    assert "turn" not in dep.externals
    readme = files["DEPLOY.md"]
    assert "## Self-run servers" in readme and "coturn" in readme and "use-auth-secret" in readme
    assert "| turn | turn (self-run) | fly |" in readme


def test_hetzner_is_in_the_catalog_with_unknown_prices() -> None:
    """Hetzner's price page could not be read: every server price is unknown, never $0, and its
    self-run stores and relay are unmanaged."""
    cat = load_catalog()
    prov = cat.providers["hetzner"]
    assert {r.id for r in prov.regions} == {"fsn1", "nbg1", "hel1", "ash", "hil", "sin"}
    refs = [ref for ref in cat.plans if ref.provider.provider == "hetzner"]
    assert {ref.service.id for ref in refs} == {"cloud-servers", "postgres-on-server", "redis-on-server", "coturn-on-server"}
    for ref in refs:
        assert ref.plan.instances is not None
        assert all(s.usd_per_month is None and s.usd_per_hour is None for s in ref.plan.instances.sizes)
        if ref.service.id != "cloud-servers":
            assert ref.attributes.managed is False
    planner = make_planner(
        make_profile(
            audience={"countries": ["DE"]},
            requirements={"providers": {"allow": ["hetzner"]}, "allow_unmanaged": True},
            components={"db": {"kind": "postgres", "storage_mb_per_unit": 10}},
        ),
        cat,
    )
    assert planner.best("db", 10) is None  # unknown is not free
