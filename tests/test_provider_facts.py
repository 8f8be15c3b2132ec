"""Provider facts that decide options (issue 11), as the catalog states them and as plans use them:
Render Postgres high availability on Pro instance types (the standby billed as a second instance),
Railway volume backups, Fly Managed Postgres' point-in-time restore with an unpublished window."""

from __future__ import annotations

from typing import Any

import pytest

from tierplan.catalog.loader import load_catalog
from tierplan.engine.planner import Planner
from tierplan.risks import risks_of

from .conftest import make_planner, make_profile


def _plan_ref(key: str) -> Any:
    return next(ref for ref in load_catalog().plans if ref.key == key)


def test_render_pro_postgres_offers_a_standby_at_the_instance_price() -> None:
    for plan_id, usd in (("pro-4gb", 55), ("pro-8gb", 100), ("pro-16gb", 200)):
        ref = _plan_ref(f"render/postgres/{plan_id}")
        (ha,) = [a for a in ref.plan.addons if a.id == "ha"]
        (size,) = ref.plan.instances.sizes
        assert ha.attributes.high_availability is True
        assert ha.base_usd_month == size.usd_per_month == usd  # "billed accordingly": a second instance
        assert "postgresql-high-availability" in ha.source
    for plan_id in ("basic-256mb", "basic-1gb", "basic-4gb"):
        assert not _plan_ref(f"render/postgres/{plan_id}").plan.addons


def _db_planner(**requirements: Any) -> Planner:
    prof = make_profile(
        audience={"countries": ["DE"]},
        scale={"stages": [100, 200]},
        requirements={"providers": {"allow": ["render"]}, **requirements},
        components={"db": {"kind": "postgres", "storage_mb_per_unit": 10}},
    )
    return make_planner(prof, load_catalog())


def test_database_failover_on_render_takes_a_pro_instance_with_its_standby() -> None:
    """With failover required, Basic instances are ruled out and the cheapest Render option is
    Pro-4gb with the HA add-on: 2 x $55 for the instances plus the disk (100 units x 10 MB =
    0.98 GB, / 80% headroom = 1.22 GB, provisioned in 5 GB steps: 5 x $0.30 = $1.50)."""
    best = _db_planner(database_failover_from=100).best("db", 100)
    assert best is not None
    assert best.option.plan.key == "render/postgres/pro-4gb" and best.option.addon.id == "ha"
    assert best.monthly_usd == pytest.approx(55 + 55 + 1.50)
    # without the requirement the same database is a Basic instance with no standby
    plain = _db_planner().best("db", 100)
    assert plain is not None and plain.option.plan.key.startswith("render/postgres/basic")


def test_railway_postgres_has_volume_backups() -> None:
    ref = _plan_ref("railway/postgres/hobby")
    assert ref.attributes.backups is True and ref.attributes.backup_retention_days == 6
    assert any("daily (kept 6 days), weekly (kept 1 month) and monthly (kept 3 months)" in n for n in ref.attributes.notes)


def test_fly_managed_postgres_restore_window_is_unknown_not_absent() -> None:
    ref = _plan_ref("fly/managed-postgres/basic")
    assert ref.attributes.pitr_available is True and ref.attributes.pitr_days is None
    planner = make_planner(
        make_profile(
            audience={"countries": ["DE"]},
            requirements={"providers": {"allow": ["fly"]}, "backups_from": 10},
            components={"db": {"kind": "postgres", "storage_mb_per_unit": 1}},
        ),
        load_catalog(),
    )
    ev = next(e for e in planner.evaluations("db", 10) if e.option.plan.key == "fly/managed-postgres/basic")
    assert ev.feasible
    risks = risks_of(ev, "postgres", planner.context(10), True, None)
    assert any("window is not published" in r for r in risks)
    assert not any("no point-in-time recovery" in r for r in risks)
    # a profile that requires a window gets another database: the catalog cannot confirm one
    strict = make_planner(
        make_profile(
            audience={"countries": ["DE"]},
            requirements={"providers": {"allow": ["fly"]}, "backups_from": 10, "pitr_days": 7},
            components={"db": {"kind": "postgres", "storage_mb_per_unit": 1}},
        ),
        load_catalog(),
    )
    ev = next(e for e in strict.evaluations("db", 10) if e.option.plan.key == "fly/managed-postgres/basic")
    assert not ev.feasible and any("not stated" in r.message for r in ev.reasons)


def _vercel_api_options(country: str) -> list[Any]:
    planner = make_planner(
        make_profile(
            audience={"countries": [country]},
            commercial=False,
            requirements={"providers": {"allow": ["vercel"]}},
            components={
                "api": {"kind": "web_service", "runtime": "node", "memory_mb": 200, "serverless_ok": True}
            },
        ),
        load_catalog(),
    )
    return [o for o in planner.options["api"].options if o.plan.key.startswith("vercel/functions/")]


def test_vercel_functions_run_in_one_region_not_everywhere() -> None:
    """A Vercel Functions backend is placed in one compute region (its round trip is the distance
    to that region, and a database elsewhere is reached from there), not at every edge."""
    de, us = _vercel_api_options("DE"), _vercel_api_options("US")
    assert de and us and all(o.region is not None for o in de + us)
    assert {o.region.country for o in de} <= {"DE", "FR", "GB", "IE", "SE"}
    assert {o.region.country for o in us} == {"US"}
    assert all(o.latency_ms > 5 for o in de + us)  # a region's round trip, not an edge PoP's


def test_turning_on_the_standby_is_a_runbook_step_with_its_way_back() -> None:
    from tierplan.engine.result import Phase
    from tierplan.runbook import build_runbook, render_markdown

    prof = make_profile(
        audience={"countries": ["DE"]},
        scale={"stages": [100, 200]},
        requirements={"providers": {"allow": ["render"]}},
        components={
            "api": {"kind": "web_service", "runtime": "node", "memory_mb": 200, "calls": {"db": 2}},
            "db": {"kind": "postgres", "storage_mb_per_unit": 10},
        },
    )
    planner = make_planner(prof, load_catalog())
    opts = planner.options["db"].options
    plain = next(o for o in opts if o.plan.key == "render/postgres/pro-4gb" and o.addon is None)
    ha = next(
        o
        for o in opts
        if o.plan.key == "render/postgres/pro-4gb" and o.addon is not None and o.addon.id == "ha"
        and o.region == plain.region
    )
    api = planner.best("api", 100)
    assert api is not None
    a = planner.point_with(100, {"api": api.option.order, "db": plain.order})
    b = planner.point_with(150, {"api": api.option.order, "db": ha.order})
    rb = build_runbook(planner, Phase(100, 149, 149, a, a), Phase(150, None, 150, b, b), 1, 2)
    (step,) = [s for s in rb.steps if s.components == ("db",)]
    assert step.title == "Turn on High availability (standby) for db"
    assert any("turn on High availability (standby) ($55.00/month)" in m for m in step.manual)
    assert any("turn off High availability (standby)" in m for m in step.rollback_manual)
    assert "Turn on High availability (standby) for db" in render_markdown(rb)


# ---------------------------------------------------------------------------------------------
# Netlify: credit-based plans (how-credits-work, buy-add-on-credits)


def _netlify_site_planner(**site: Any) -> Planner:
    prof = make_profile(
        audience={"countries": ["US"]},
        scale={"stages": [100, 1000]},
        requirements={"providers": {"allow": ["netlify"]}},
        components={
            "site": {
                "kind": "web_frontend",
                "framework": "static",
                "rendering": "spa",
                "page_views_per_user_day": 5,
                "bandwidth_mb_per_user_month": 100,
                **site,
            }
        },
    )
    return make_planner(prof, load_catalog())


def test_netlify_credit_plans_as_published() -> None:
    """Free 300 credits (hard limit), Personal $9 with 1,000, Pro $20 flat with 3,000; a credit is
    valued at the add-on pack price (Personal 500 for $5, Pro 1,500 for $10), and each meter is its
    credit rate (20 per GB, 2 per 10,000 requests, 10 per GB-hour) at that value."""
    accounts = {a.id: a for a in load_catalog().providers["netlify"].accounts}
    assert (accounts["free"].base_usd_month, accounts["free"].usage_credit_usd_month) == (0, 3.00)
    assert accounts["free"].max_usage_usd_month == 3.00  # 300 credits x $0.01: the service stops there
    assert (accounts["personal"].base_usd_month, accounts["personal"].usage_credit_usd_month) == (9, 10.00)
    assert (accounts["pro"].base_usd_month, accounts["pro"].usage_credit_usd_month) == (20, 20.00)
    assert accounts["pro"].seat_usd_month is None  # flat since 2026-04-14: no per-member price
    per_credit = {"free": 0.01, "personal": 0.01, "pro": 10 / 1500}
    credits = {"egress_gb_per_month": 20, "edge_requests_per_month": 2 * 100, "cpu_ms_per_month": 10}
    for plan, value in per_credit.items():
        meters = {m.metric: m for m in _plan_ref(f"netlify/hosting/{plan}").plan.meters}
        assert set(meters) == set(credits)
        for metric, n in credits.items():  # requests: 2 per 10,000 = 200 per 1M
            assert meters[metric].tiers[-1].usd_per_unit == pytest.approx(n * value, rel=1e-5)
    assert _plan_ref("netlify/hosting/free").attributes.stops_at_quota is True


def test_netlify_free_stops_at_its_credits_then_pro_bills_beyond_them() -> None:
    """100 MB per user per month, transfer in decimal GB. 100 users: 100 x 100 / 1000 = 10 GB x
    $0.20 = $2.00 plus the requests fits 80% of Free's $3 (240 credits). 300 users: 30 GB alone is
    600 credits, past Free's 300, so the team pays. 3,000 users on Pro: 300 GB x $0.1333 +
    requests x $1.3333/M minus the $20 the plan includes, plus the $20 fee."""
    planner = _netlify_site_planner()
    free = planner.best("site", 100)
    assert free is not None and free.option.plan.key == "netlify/hosting/free" and free.monthly_usd == 0
    assert free.metrics["egress_gb_per_month"] == pytest.approx(100 * 100 / 1000)
    ev300 = next(e for e in planner.evaluations("site", 300) if e.option.plan.key == "netlify/hosting/free")
    assert not ev300.feasible
    big = planner.best("site", 3000)
    assert big is not None and big.option.plan.key == "netlify/hosting/pro"
    gb = 3000 * 100 / 1000
    requests_m = big.metrics["edge_requests_per_month"] / 1e6
    usage = gb * 0.133333 + requests_m * 1.333333
    assert usage > 20
    assert big.monthly_usd == pytest.approx(20 + usage - 20, rel=1e-6)


def test_netlify_free_and_personal_have_one_team_owner() -> None:
    planner = make_planner(
        make_profile(
            audience={"countries": ["US"]},
            team={"seats": 3},
            requirements={"providers": {"allow": ["netlify"]}},
            components={"site": {"kind": "web_frontend", "framework": "static", "rendering": "spa"}},
        ),
        load_catalog(),
    )
    best = planner.best("site", 10)
    assert best is not None and best.option.plan.key == "netlify/hosting/pro" and best.monthly_usd == 20


# ---------------------------------------------------------------------------------------------
# DigitalOcean App Platform (instance sizes API reference)


def test_digitalocean_app_platform_sizes_as_published() -> None:
    """usd_per_month and bandwidth_allowance_gib of the list-instance-sizes reference; the monthly
    price is the per-second rate over 28 days ($0.000002066799 x 2,419,200 s = $5.00)."""
    expected = {
        "s-1vcpu-0.5gb": (5, 50, 512, "shared"),
        "s-1vcpu-1gb-fixed": (10, 100, 1024, "shared"),
        "s-1vcpu-1gb": (12, 150, 1024, "shared"),
        "s-1vcpu-2gb": (25, 200, 2048, "shared"),
        "s-2vcpu-4gb": (50, 250, 4096, "shared"),
        "d-1vcpu-0.5gb": (29, 100, 512, "dedicated"),
        "d-2vcpu-4gb": (78, 500, 4096, "dedicated"),
        "d-8vcpu-32gb": (392, 900, 32768, "dedicated"),
    }
    assert 0.000002066799 * 28 * 24 * 3600 == pytest.approx(5.00, abs=1e-4)
    for plan_id, (usd, gib, mem, cpu) in expected.items():
        for service in ("app-platform", "app-platform-workers"):
            plan = _plan_ref(f"digitalocean/{service}/{plan_id}").plan
            (size,) = plan.instances.sizes
            assert (size.usd_per_month, size.memory_mb, size.cpu_kind) == (usd, mem, cpu)
            (meter,) = plan.meters
            assert meter.free_allowance == pytest.approx(gib * 1.073741824, abs=0.01)  # GiB -> GB
            assert meter.tiers[-1].usd_per_unit is None  # overage price not verified
    for single in ("s-1vcpu-0.5gb", "s-1vcpu-1gb-fixed"):
        inst = _plan_ref(f"digitalocean/app-platform/{single}").plan.instances
        assert inst.max_count == 1 and inst.horizontal is False
    assert _plan_ref("digitalocean/app-platform/s-1vcpu-1gb").plan.instances.max_count is None


def test_digitalocean_transfer_past_the_allowance_is_unknown_not_free() -> None:
    """A service on apps-s-1vcpu-0.5gb (50 GiB = 53.69 GB included) that sends 100 GB a month
    reaches the unverified overage price: it is reported unpriced, never ranked as $5."""
    planner = make_planner(
        make_profile(
            audience={"countries": ["DE"]},
            requirements={"providers": {"allow": ["digitalocean"]}},
            components={"api": {"kind": "web_service", "runtime": "go", "memory_mb": 100, "response_kb": 1000}},
        ),
        load_catalog(),
    )
    ev = next(
        e for e in planner.evaluations("api", 100) if e.option.plan.key == "digitalocean/app-platform/s-1vcpu-0.5gb"
    )
    gb = ev.metrics["egress_gb_per_month"]
    assert gb > 53.69
    assert ev.monthly_usd is None
    # the size's life ends at its allowance: it does not fit, and says why in numbers
    assert not ev.feasible
    (why,) = [r for r in ev.reasons if r.kind == "price"]
    assert why.metric == "egress_gb_per_month" and why.limit == pytest.approx(53.68) and why.used == pytest.approx(gb)
    assert "passes the 53.7 GB the prices are known for" in why.message
    small = next(
        e for e in planner.evaluations("api", 1) if e.option.plan.key == "digitalocean/app-platform/s-1vcpu-0.5gb"
    )
    assert small.metrics["egress_gb_per_month"] < 53.68 and small.monthly_usd == pytest.approx(5.00)


def test_a_price_unknown_beyond_a_known_tier_ends_the_plan_there() -> None:
    """Hand-computed: tiers 0-100 GB free, 100-150 GB at $0.05, unknown beyond. 120 GB costs
    20 x 0.05 = $1.00 and fits; 160 GB passes the 150 GB the prices are known for (no fit, the
    reason names 150); a meter whose first tier is unknown gives no such reason (unpriced, not
    outgrown)."""
    from tierplan.catalog.models import Meter
    from tierplan.pricing.evaluation import unknown_beyond_reason
    from tierplan.pricing.prices import tiered_cost

    m = Meter.model_validate(
        {
            "metric": "egress_gb_per_month",
            "name": "outbound transfer",
            "unit": "GB",
            "tiers": [
                {"up_to": 100, "usd_per_unit": 0},
                {"up_to": 150, "usd_per_unit": 0.05},
                {"usd_per_unit": None},
            ],
        }
    )
    cost, top, _ = tiered_cost(m, 120, None, "DE")
    assert cost == pytest.approx(1.00) and top == 1
    cost, top, _ = tiered_cost(m, 160, None, "DE")
    assert cost is None and top == 2
    r = unknown_beyond_reason(m, 160, top)
    assert r is not None and r.kind == "price" and r.limit == 150 and r.used == 160
    assert r.message == "outbound transfer 160 GB passes the 150 GB the prices are known for (the price beyond it is unknown)"
    unpriced = Meter.model_validate(
        {"metric": "egress_gb_per_month", "unit": "GB", "tiers": [{"usd_per_unit": None}]}
    )
    assert unknown_beyond_reason(unpriced, 10, 0) is None
