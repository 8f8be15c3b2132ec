"""The generic cost function, against hand-computed bills."""

from __future__ import annotations

import pytest

from tierplan.catalog.models import Region
from tierplan.pricing import Context, Option, evaluate, resolve_price
from tierplan.workload import Capacity, ComponentDemand

from .conftest import make_catalog

CTX = Context(headroom=0.8, commercial=True, country="SG")
SG = {"id": "sin", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82, "group": "apac"}
US = {"id": "iad", "city": "Ashburn", "country": "US", "lat": 39.0, "lon": -77.5, "group": "na"}


def _opt(plan: dict, kind: str = "postgres", region: dict | None = SG, size: int | None = None) -> Option:  # type: ignore[type-arg]
    cat = make_catalog(
        {
            "provider": "p",
            "regions": [SG, US],
            "services": [
                {"id": "s", "name": "S", "hosts": [kind], "plans": [{"id": "x", "name": "X", **plan}]}
            ],
        }
    )
    ref = cat.plans[0]
    sz = ref.plan.instances.sizes[size] if size is not None and ref.plan.instances else None
    return Option(ref, sz, Region(**region) if region else None, 10.0)


def _demand(kind: str = "postgres", cap: Capacity | None = None, **metrics: float) -> ComponentDemand:
    return ComponentDemand("c", kind, dict(metrics), {}, cap or Capacity())


def test_free_tier_then_graduated_overage() -> None:
    # 150 GB egress: first 100 free, next 50 at $0.10 -> $5.00
    o = _opt(
        {
            "meters": [
                {
                    "metric": "egress_gb_per_month",
                    "unit": "GB",
                    "tiers": [
                        {"up_to": 100, "usd_per_unit": 0},
                        {"up_to": 1000, "usd_per_unit": 0.10},
                        {"usd_per_unit": 0.05},
                    ],
                }
            ]
        }
    )
    ev = evaluate(o, _demand(egress_gb_per_month=150), CTX)
    assert ev.monthly_usd == pytest.approx(5.0)
    assert ev.included_used["egress_gb_per_month"] == pytest.approx(1.5)
    # 1,200 GB: 900 x 0.10 + 200 x 0.05 = 100
    ev = evaluate(o, _demand(egress_gb_per_month=1200), CTX)
    assert ev.monthly_usd == pytest.approx(100.0)


def test_price_per_million_with_unit_size() -> None:
    # Workers Paid-like: $5 + 10M included then $0.30 per million: 25M requests -> 5 + 15 x 0.30 = 9.50
    o = _opt(
        {
            "base_usd_month": 5,
            "meters": [
                {
                    "metric": "requests_per_month",
                    "unit": "1M requests",
                    "unit_size": 1_000_000,
                    "included": 10_000_000,
                    "usd_per_unit": 0.30,
                }
            ],
        },
        kind="web_service",
        region=None,
    )
    assert evaluate(o, _demand("web_service", requests_per_month=25e6), CTX).monthly_usd == pytest.approx(
        9.50
    )


def test_daily_quota_is_a_hard_cap_with_headroom() -> None:
    o = _opt({"limits": [{"metric": "requests_per_day", "max": 100_000}]}, kind="web_service", region=None)
    fits = evaluate(o, _demand("web_service", requests_per_day=80_000), CTX)
    assert (
        fits.feasible and fits.monthly_usd == 0 and fits.utilization["requests_per_day"] == pytest.approx(0.8)
    )
    over = evaluate(o, _demand("web_service", requests_per_day=80_001), CTX)
    assert not over.feasible
    assert over.reasons[0].metric == "requests_per_day" and over.reasons[0].threshold == 80_000


def test_limit_without_headroom_for_small_counts() -> None:
    o = _opt(
        {"limits": [{"metric": "team_members", "max": 1, "headroom": False}]},
        kind="error_tracking",
        region=None,
    )
    assert evaluate(o, _demand("error_tracking", team_members=1), CTX).feasible
    assert not evaluate(o, _demand("error_tracking", team_members=2), CTX).feasible


def test_daily_meter_is_priced_per_day_times_days() -> None:
    o = _opt(
        {"meters": [{"metric": "emails_per_day", "unit": "email", "included": 100, "usd_per_unit": 0.001}]},
        kind="email",
        region=None,
    )
    ev = evaluate(o, _demand("email", emails_per_day=300), CTX)
    assert ev.monthly_usd == pytest.approx(200 * 0.001 * 365 / 12)


def test_instances_sized_by_memory_and_cpu() -> None:
    plan = {
        "instances": {
            "sizes": [
                {
                    "id": "small",
                    "vcpu": 1,
                    "cpu_kind": "shared",
                    "cpu_baseline_fraction": 0.1,
                    "memory_mb": 256,
                    "usd_per_month": 3.6,
                    "month_hours": 720,
                },
                {"id": "big", "vcpu": 1, "memory_mb": 1024, "usd_per_hour": 0.01},
            ]
        }
    }
    cap = Capacity(
        cores_avg=0.15, cores_peak=0.5, memory_mb_per_instance=200, runtime="go", may_scale_to_zero=False
    )
    d = _demand("web_service", cap, active_hours_per_month=300)
    # small: 200 MB <= 0.8 x 256 = 204.8; sustained 0.15 / (0.8 x 0.1) = 1.875 -> 2 instances; 730 h always on
    ev = evaluate(_opt(plan, "web_service", size=0), d, CTX)
    assert ev.instances == 2 and ev.running_hours == pytest.approx(730)
    assert ev.monthly_usd == pytest.approx(2 * 730 * 3.6 / 720)  # $7.30
    assert ev.utilization["cpu_sustained_fraction"] == pytest.approx(0.15 / 0.2)
    # big: dedicated, sustained 0.15 / 0.8 -> 1 instance; peak 0.5 / 0.8 -> 1
    ev = evaluate(_opt(plan, "web_service", size=1), d, CTX)
    assert ev.instances == 1 and ev.monthly_usd == pytest.approx(7.30)


def test_scale_to_zero_runs_only_active_hours_unless_zero_downtime_is_required() -> None:
    plan = {
        "attributes": {"scale_to_zero": True},
        "instances": {"sizes": [{"id": "s", "vcpu": 1, "memory_mb": 512, "usd_per_hour": 0.01}]},
    }
    d = _demand("web_service", Capacity(memory_mb_per_instance=100), active_hours_per_month=243.3)
    assert evaluate(_opt(plan, "web_service", size=0), d, CTX).monthly_usd == pytest.approx(2.433)
    always = Context(headroom=0.8, commercial=True, country="SG", zero_downtime=True)
    assert evaluate(_opt(plan, "web_service", size=0), d, always).monthly_usd == pytest.approx(7.30)


def test_high_availability_needs_two_instances() -> None:
    plan = {"instances": {"sizes": [{"id": "s", "vcpu": 1, "memory_mb": 512, "usd_per_hour": 0.01}]}}
    ha = Context(headroom=0.8, commercial=True, country="SG", high_availability=True)
    ev = evaluate(
        _opt(plan, "web_service", size=0), _demand("web_service", Capacity(memory_mb_per_instance=100)), ha
    )
    assert ev.instances == 2


def test_database_that_does_not_scale_out_is_infeasible_past_one_instance() -> None:
    plan = {
        "instances": {
            "horizontal": False,
            "sizes": [{"id": "s", "vcpu": 1, "memory_mb": 512, "usd_per_hour": 0.01}],
        }
    }
    ev = evaluate(
        _opt(plan, "postgres", size=0),
        _demand("postgres", Capacity(cores_peak=2.0, memory_mb_per_instance=100)),
        CTX,
    )
    assert not ev.feasible and "does not scale out" in ev.reasons[0].message


def test_regional_prices_and_unknown_regions() -> None:
    plan = {
        "instances": {
            "region_price_factor": {"iad": 1.0, "sin": 1.25},
            "sizes": [{"id": "s", "vcpu": 1, "memory_mb": 512, "usd_per_month": 7.2, "month_hours": 720}],
        }
    }
    d = _demand("web_service", Capacity(memory_mb_per_instance=100, may_scale_to_zero=False))
    assert evaluate(_opt(plan, "web_service", region=SG, size=0), d, CTX).monthly_usd == pytest.approx(
        730 * 0.01 * 1.25
    )
    plan["instances"]["region_price_factor"] = {"iad": 1.0}
    ev = evaluate(_opt(plan, "web_service", region=SG, size=0), d, CTX)
    assert ev.monthly_usd is None  # unknown, never $0
    assert ev.lines[0].monthly_usd is None


def test_resolve_price_order() -> None:
    r = Region(**SG)
    assert resolve_price({"sin": 1, "apac": 2, "default": 3}, r, "SG") == 1
    assert resolve_price({"apac": 2, "default": 3}, r, "SG") == 2
    assert resolve_price({"country:NG": 4, "default": 3}, None, "NG") == 4
    assert resolve_price({"country:NG": 4}, None, "US") is None


def test_usage_credit_seats_and_minimum() -> None:
    # $5 fee including $5 of usage: $3 of usage -> $5; $8 of usage -> $8
    plan = {
        "base_usd_month": 5,
        "usage_credit_usd_month": 5,
        "meters": [{"metric": "egress_gb_per_month", "unit": "GB", "usd_per_unit": 1}],
    }
    assert evaluate(
        _opt(plan, region=None), _demand(egress_gb_per_month=3), CTX
    ).monthly_usd == pytest.approx(5)
    assert evaluate(
        _opt(plan, region=None), _demand(egress_gb_per_month=8), CTX
    ).monthly_usd == pytest.approx(8)
    seats = {
        "seat_usd_month": 20,
        "usage_credit_usd_month": 20,
        "meters": [{"metric": "egress_gb_per_month", "unit": "GB", "usd_per_unit": 1}],
    }
    ctx3 = Context(headroom=0.8, commercial=True, country="SG", seats=3)
    assert evaluate(
        _opt(seats, region=None), _demand(egress_gb_per_month=30), ctx3
    ).monthly_usd == pytest.approx(60 + 30 - 20)
    minimum = {
        "minimum_usd_month": 5,
        "meters": [{"metric": "egress_gb_per_month", "unit": "GB", "usd_per_unit": 1}],
    }
    assert evaluate(
        _opt(minimum, region=None), _demand(egress_gb_per_month=2), CTX
    ).monthly_usd == pytest.approx(5)


def test_usage_cap_stops_the_service() -> None:
    plan = {
        "usage_credit_usd_month": 1,
        "max_usage_usd_month": 1,
        "meters": [{"metric": "egress_gb_per_month", "unit": "GB", "usd_per_unit": 1}],
    }
    assert evaluate(_opt(plan, region=None), _demand(egress_gb_per_month=0.5), CTX).monthly_usd == 0
    over = evaluate(_opt(plan, region=None), _demand(egress_gb_per_month=0.9), CTX)
    assert not over.feasible and "stops" in over.reasons[0].message


def test_provisioned_storage_with_headroom() -> None:
    # 9 GB used, 80% headroom -> 11.25 -> 5 GB steps -> 15 GB provisioned at $0.30
    plan = {
        "meters": [
            {
                "metric": "storage_gb",
                "unit": "GB",
                "usd_per_unit": 0.3,
                "provision_step": 5,
                "provision_min": 1,
            }
        ]
    }
    ev = evaluate(_opt(plan, region=None), _demand(storage_gb=9), CTX)
    assert ev.monthly_usd == pytest.approx(4.5)
    assert ev.utilization["storage_gb (provisioned)"] == pytest.approx(9 / 15)


def test_required_plan_fee_is_added() -> None:
    cat = make_catalog(
        {
            "provider": "supa",
            "regions": [SG],
            "services": [
                {
                    "id": "postgres",
                    "name": "DB",
                    "hosts": ["postgres"],
                    "plans": [{"id": "pro", "name": "Pro", "base_usd_month": 25}],
                },
                {
                    "id": "storage",
                    "name": "Storage",
                    "hosts": ["object_storage"],
                    "plans": [
                        {
                            "id": "pro",
                            "name": "Pro",
                            "requires": "postgres/pro",
                            "meters": [
                                {"metric": "storage_gb", "unit": "GB", "included": 100, "usd_per_unit": 0.021}
                            ],
                        }
                    ],
                },
            ],
        }
    )
    ref = next(p for p in cat.plans if p.service.id == "storage")
    ev = evaluate(Option(ref, None, Region(**SG), 5), _demand("object_storage", storage_gb=110), CTX)
    assert ev.monthly_usd == pytest.approx(25 + 10 * 0.021)
    assert any(ln.name.startswith("requires") for ln in ev.lines)
    assert sum(ln.monthly_usd or 0 for ln in ev.lines) == pytest.approx(ev.monthly_usd)


def test_commercial_and_attribute_requirements() -> None:
    plan = {"attributes": {"sleeps_when_idle": True}}
    no_cold = Context(headroom=0.8, commercial=True, country="SG", no_cold_starts=True)
    ev = evaluate(_opt(plan, region=None), _demand(), no_cold)
    assert not ev.feasible and "sleeps when idle" in ev.reasons[0].message
    backups = Context(headroom=0.8, commercial=True, country="SG", backups=True, pitr_days=7)
    ev = evaluate(_opt({"attributes": {"backups": True, "pitr_days": 1}}, region=None), _demand(), backups)
    assert not ev.feasible and "point-in-time recovery" in ev.reasons[0].message


def test_addon_adds_its_fee_and_attributes() -> None:
    from tierplan.catalog.models import Addon

    base = _opt({"base_usd_month": 25, "attributes": {"backups": True, "pitr_days": 0}})
    backups = Context(headroom=0.8, commercial=True, country="SG", backups=True, pitr_days=7)
    assert not evaluate(base, _demand(), backups).feasible
    ad = Addon(id="pitr-7d", name="PITR 7 days", base_usd_month=100, attributes={"pitr_days": 7})
    with_addon = Option(base.plan, None, base.region, 10.0, addon=ad)
    ev = evaluate(with_addon, _demand(), backups)
    assert ev.feasible and ev.monthly_usd == pytest.approx(125)
    assert "PITR 7 days" in with_addon.label
