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
