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


# --------------------------------------------------------------------------- sections of evaluate
def test_meter_charge_free_allowance_then_price() -> None:
    from tierplan.catalog.models import Meter
    from tierplan.pricing.evaluation import meter_charge

    m = Meter(metric="egress_gb_per_month", unit="GB", included=100, usd_per_unit=0.09)
    # 150 GB: 100 GB in the free first tier, 50 GB x $0.09 = $4.50, top tier 1
    mc = meter_charge(m, 150, 0.8, None, "SG", "https://example.com/p", "2026-11-01")
    assert mc.billed == 150 and mc.top_tier == 1 and mc.allowance == 100
    assert mc.cost == pytest.approx(4.5)
    assert mc.line.detail == "100 free + 50 x $0.09" and mc.line.quantity == 150
    # within the allowance: $0, still tier 0
    within = meter_charge(m, 60, 0.8, None, "SG", "", "")
    assert within.cost == 0 and within.top_tier == 0 and within.line.detail == "60 free"


def test_meter_charge_daily_and_provisioned() -> None:
    from tierplan.catalog.models import Meter
    from tierplan.metrics import DAYS_PER_MONTH
    from tierplan.pricing.evaluation import meter_charge

    daily = Meter(metric="emails_per_day", unit="email", included=100, usd_per_unit=0.001)
    # 300 a day: (300 - 100) x $0.001 = $0.20 a day, x 365 / 12 days = $6.0833
    mc = meter_charge(daily, 300, 0.8, None, "SG", "", "")
    assert mc.cost == pytest.approx(0.2 * 365 / 12)
    assert mc.line.detail.endswith(f"per day x {DAYS_PER_MONTH:.2f} days")
    disk = Meter(metric="storage_gb", unit="GB", usd_per_unit=0.3, provision_step=5, provision_min=1)
    # 9 GB used within 80% headroom needs 11.25 GB: the next multiple of 5 is 15 GB, x $0.30 = $4.50
    mc = meter_charge(disk, 9, 0.8, None, "SG", "", "")
    assert mc.billed == 15 and mc.cost == pytest.approx(4.5) and mc.provisioned_use == pytest.approx(0.6)
    # 0.5 GB needs 0.625 GB: the smallest size, 1 GB
    assert meter_charge(disk, 0.5, 0.8, None, "SG", "", "").billed == 1


def test_limit_reason_with_and_without_headroom() -> None:
    from tierplan.catalog.models import Limit
    from tierplan.pricing.evaluation import limit_checks, limit_reason

    lim = Limit(metric="requests_per_day", max=100_000)
    # 80% headroom: fits up to 80,000 a day
    assert limit_reason(lim, 80_000, 0.8) is None
    r = limit_reason(lim, 90_000, 0.8)
    assert r is not None and r.threshold == 80_000 and r.used == 90_000 and r.limit == 100_000
    assert r.message == "requests_per_day 90,000 is 90.0% of the limit of 100,000 (headroom allows 80%)"
    # a configured count (seats) fits up to the limit itself
    seats = Limit(metric="team_members", max=5)
    assert limit_reason(seats, 5, 0.8) is None
    r = limit_reason(seats, 6, 0.8)
    assert r is not None and r.threshold == 5 and r.message == "team_members 6 exceeds the limit of 5"
    part = limit_checks((lim, seats), {"requests_per_day": 50_000, "team_members": 6}, 0.8)
    assert part.utilization == {"requests_per_day": 0.5, "team_members": 1.2}
    assert [x.metric for x in part.reasons] == ["team_members"]


def test_instance_count_from_memory_and_cpu() -> None:
    from tierplan.catalog.models import Instances, InstanceSize
    from tierplan.pricing.evaluation import instance_count

    size = InstanceSize(id="s", vcpu=1, cpu_baseline_fraction=0.5, memory_mb=1024, usd_per_hour=0.01)
    cap = Capacity(cores_avg=0.9, cores_peak=2.0, memory_mb_per_instance=300, memory_mb_shared=1000)
    # 80% headroom: memory 1,000 MB shared / (819.2 - 300) MB free per instance -> 2;
    # sustained CPU 0.9 / (0.8 x 0.5) = 2.25 -> 3; peak CPU 2.0 / (0.8 x 1) = 2.5 -> 3
    n, reasons = instance_count(Instances(sizes=(size,)), size, cap, CTX, "web_service", None, False)
    assert (n, reasons) == (3, [])
    # 50 connections at peak, 10 per instance within 80% headroom: 50 / 8 = 6.25 -> 7
    sized = InstanceSize(id="s", vcpu=1, memory_mb=1024, usd_per_hour=0.01, max_connections=10)
    n, _ = instance_count(Instances(sizes=(sized,)), sized, Capacity(), CTX, "postgres", 50.0, False)
    assert n == 7
    n, reasons = instance_count(
        Instances(sizes=(size,), max_count=2), size, cap, CTX, "web_service", None, False
    )
    assert n == 3 and reasons[0].message == "needs 3 instances, plan allows 2"
    single = Instances(sizes=(size,), horizontal=False)
    n, reasons = instance_count(single, size, cap, CTX, "postgres", None, False)
    assert "does not scale out" in reasons[0].message
    # an earlier reason already rules the option out: no second reason
    assert instance_count(single, size, cap, CTX, "postgres", None, True)[1] == []
    # 900 MB per instance is more than 80% of 1,024 MB
    big = Capacity(memory_mb_per_instance=900)
    n, reasons = instance_count(Instances(sizes=(size,)), size, big, CTX, "web_service", None, False)
    assert n == 1 and reasons[0].kind == "capacity" and reasons[0].threshold == pytest.approx(819.2)
