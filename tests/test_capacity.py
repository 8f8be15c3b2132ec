"""Capacity that grows with the data and with busy days (issue 11): Postgres' working set, vendors'
recommended data size per compute size, a Celery broker's idle polling, daily caps on a busy day."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tierplan.api import make_planner
from tierplan.assumptions import load_assumptions
from tierplan.catalog.loader import load_catalog
from tierplan.catalog.models import Limit
from tierplan.engine.plan import plan
from tierplan.engine.scale import usable_limit
from tierplan.metrics import DAYS_PER_MONTH
from tierplan.pricing.evaluation import limit_reason
from tierplan.workload import demand_at

from .conftest import EXAMPLES, make_profile


def _db_profile(storage_mb_per_unit: float = 1.0, connections: int | None = None) -> Any:
    db: dict[str, Any] = {"kind": "postgres", "storage_mb_per_unit": storage_mb_per_unit}
    if connections is not None:
        db["connections"] = connections
    return make_profile(
        scale={"stages": [10, 100_000]},
        components={
            "api": {"kind": "web_service", "runtime": "go", "memory_mb": 100, "calls": {"db": 2}},
            "db": db,
        },
    )


def test_postgres_memory_by_hand() -> None:
    """10,000 units x 1 MB = 10,000 MB of data; 20 connections (profile):
    64 MB + 20 x 9.09 MB + 2.5% x 10,000 MB = 64 + 181.8 + 250 = 495.8 MB."""
    d = demand_at(_db_profile(1.0, connections=20), 10_000, load_assumptions())
    db = d.components["db"]
    assert db.figures["working_set_mb"].value == pytest.approx(250.0)
    assert db.capacity.memory_mb_per_instance == pytest.approx(495.8)
    assert db.figures["memory_mb"].formula.startswith("base_memory_mb + connections")


@settings(max_examples=40, deadline=None)
@given(
    st.floats(min_value=0.01, max_value=50),
    st.integers(min_value=1, max_value=200_000),
    st.integers(min_value=1, max_value=200_000),
)
def test_postgres_memory_grows_with_the_data(mb_per_unit: float, u1: int, u2: int) -> None:
    a = load_assumptions()
    lo, hi = sorted((u1, u2))
    p = _db_profile(mb_per_unit, connections=10)
    m_lo = demand_at(p, lo, a).components["db"].capacity.memory_mb_per_instance
    m_hi = demand_at(p, hi, a).components["db"].capacity.memory_mb_per_instance
    assert m_hi >= m_lo
    if hi > lo:
        assert m_hi - m_lo == pytest.approx((hi - lo) * mb_per_unit * a["postgres.hot_data_fraction"], rel=1e-9)


def test_supabase_sizes_carry_the_recommended_data_size() -> None:
    """compute-and-disk.mdx: Micro 10 GB, Small 50 GB, Medium 100 GB ... 16XL 10 TB; the shared
    sizes are not two full vCPUs."""
    cat = load_catalog()
    plan_ = next(ref for ref in cat.plans if ref.key == "supabase/postgres/pro")
    assert plan_.plan.instances is not None
    sizes = {s.id: s for s in plan_.plan.instances.sizes}
    assert [sizes[k].max_storage_gb for k in ("micro", "small", "medium", "large", "16xl")] == [
        10,
        50,
        100,
        200,
        10_000,
    ]
    assert all(sizes[k].cpu_baseline_fraction < 1 for k in ("micro", "small", "medium"))
    assert sizes["large"].cpu_baseline_fraction == 1


@pytest.mark.parametrize("name", ["amebo", "coop-erp", "paircam", "suoops"])
def test_no_plan_puts_more_data_on_a_size_than_its_vendor_recommends(name: str) -> None:
    planner = make_planner(EXAMPLES / f"{name}.yaml")
    p = plan(planner)
    for ph in p.phases:
        for u in (ph.start, ph.last_scale):
            for comp, ev in p.stack_at(u).choices.items():
                size = ev.option.size
                if size is not None and size.max_storage_gb is not None:
                    assert ev.metrics.get("storage_gb", 0.0) <= size.max_storage_gb, (name, comp, u)


def test_a_database_over_the_recommended_size_is_ruled_out_with_the_reason() -> None:
    """100,000 units x 1 MB = 97.7 GB: over Micro's and Small's 10 and 50 GB, within Medium's 100."""
    planner = make_planner(_db_profile(1.0))
    evs = [e for e in planner.evaluations("db", 100_000) if e.option.plan.key == "supabase/postgres/pro"]
    by_size: dict[str, Any] = {}
    for e in evs:
        by_size.setdefault(e.option.size.id, e)
    for sid, gb in (("micro", 10), ("small", 50)):
        (why,) = [r for r in by_size[sid].reasons if r.metric == "storage_gb"]
        assert f"the {gb:g} GB the provider recommends for {sid}" in why.message
    assert not [r for r in by_size["medium"].reasons if r.metric == "storage_gb"]


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=4), st.integers(min_value=1, max_value=5_000))
def test_a_celery_broker_carries_at_least_the_idle_polling(workers: int, units: int) -> None:
    comps: dict[str, Any] = {
        "api": {"kind": "web_service", "runtime": "python", "memory_mb": 200},
        "broker": {"kind": "redis", "use": "broker"},
    }
    for i in range(workers):
        comps[f"worker{i}"] = {"kind": "worker", "runtime": "python", "jobs_per_user_day": 0.1}
    p = make_profile(components=comps)
    d = demand_at(p, units, load_assumptions())
    m = d.components["broker"].metrics
    idle_month = workers * 1 * 86_400 * DAYS_PER_MONTH  # one BRPOP a second per worker
    assert m["commands_per_month"] >= idle_month - 1e-6
    if workers:
        assert idle_month / workers == pytest.approx(2_628_000)  # "at least 2.6M a month per worker"


def test_a_cache_that_is_not_a_broker_has_no_idle_polling() -> None:
    p = make_profile(
        components={
            "api": {"kind": "web_service", "runtime": "python", "memory_mb": 200},
            "cache": {"kind": "redis", "use": "cache", "commands_per_request": 0},
            "worker": {"kind": "worker", "runtime": "python", "jobs_per_user_day": 0},
        }
    )
    assert demand_at(p, 10, load_assumptions()).components["cache"].metrics["commands_per_month"] == 0


def test_daily_caps_are_met_on_a_busy_day() -> None:
    """A daily cap of 100,000 invocations at 80% headroom and a busy day 1.5 x the average: usable
    80,000 / 1.5 = 53,333 a day on average; a monthly cap is not divided."""
    daily = Limit(metric="function_invocations_per_day", max=100_000)
    monthly = Limit(metric="requests_per_month", max=100_000)
    assert usable_limit(daily, 0.8, 1.5) == pytest.approx(53_333.33, rel=1e-6)
    assert usable_limit(monthly, 0.8, 1.5) == pytest.approx(80_000)
    assert limit_reason(daily, 53_000, 0.8, 1.5) is None
    why = limit_reason(daily, 60_000, 0.8, 1.5)
    assert why is not None and "a busy day (1.5 x average) reaches 90.0%" in why.message
    assert limit_reason(monthly, 60_000, 0.8, 1.5) is None


def test_the_busy_day_factor_is_an_assumption_a_profile_can_set(tmp_path: Any) -> None:
    import yaml

    from tierplan.errors import InputError

    data = yaml.safe_load((EXAMPLES / "amebo.yaml").read_text())
    data["assumptions"] = {"limits.busy_day_factor": 0.5}
    prof = tmp_path / "app.yaml"
    prof.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match="must be at least 1"):
        make_planner(prof)
    data["assumptions"] = {"limits.busy_day_factor": 1.0}
    prof.write_text(yaml.safe_dump(data))
    assert make_planner(prof).context(10_000).busy_day_factor == 1.0
