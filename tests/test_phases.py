"""Phase boundaries on hand-built catalogs where the answer is known."""

from __future__ import annotations

import pytest

from tierplan.engine.per_component import component_segments
from tierplan.engine.per_component import per_component_analysis as sweep

from .conftest import make_catalog, make_planner, make_profile

SG = {"id": "sg", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82}


def _catalog(*plans: dict, kind: str = "web_service") -> object:  # type: ignore[type-arg]
    return make_catalog(
        {
            "provider": "p",
            "regions": [SG],
            "services": [{"id": "s", "name": "S", "hosts": [kind], "plans": list(plans)}],
        }
    )


def _per_unit(planner, comp: str, lo: int, hi: int) -> list[tuple[int, int, int]]:  # type: ignore[no-untyped-def]
    out: list[tuple[int, int, int]] = []
    for u in range(lo, hi + 1):
        k = planner.best(comp, u).option.order
        if out and out[-1][2] == k:
            out[-1] = (out[-1][0], u, k)
        else:
            out.append((u, u, k))
    return out


def test_a_b_a_inside_one_interval_is_found() -> None:
    # "steps": always-on instances of $7.30/month each, 1 more per 0.8 peak cores.
    # "metered": $0.10 per GB of egress, linear. Metered wins small, steps win in the middle,
    # metered wins again right after steps need a second instance.
    steps = {
        "id": "steps",
        "name": "Steps",
        "instances": {"sizes": [{"id": "one", "vcpu": 1, "memory_mb": 1024, "usd_per_hour": 0.01}]},
    }
    metered = {
        "id": "metered",
        "name": "Metered",
        "meters": [{"metric": "egress_gb_per_month", "unit": "GB", "usd_per_unit": 0.1}],
    }
    prof = make_profile(
        scale={"stages": [1, 400]},
        activity={"requests_per_user_day": 1000, "active_hours_per_day": 24, "peak_factor": 1},
        components={
            "api": {
                "kind": "web_service",
                "runtime": "go",
                "memory_mb": 100,
                "response_kb": 34.47,
                "cpu_ms_per_request": 700,
                "scale_to_zero": False,
            }
        },
    )
    planner = make_planner(prof, _catalog(steps, metered))
    segs = component_segments(planner, "api", 1, 400)
    names = [planner.options["api"].options[k].plan.plan.id for _, _, k in segs]
    assert names[:3] == ["metered", "steps", "metered"]  # A -> B -> A
    fresh = make_planner(prof, _catalog(steps, metered))
    assert segs == _per_unit(fresh, "api", 1, 400)


def test_boundary_is_exact_to_one_unit_for_a_daily_quota() -> None:
    # free plan capped at 1,000 requests/day; paid plan $5. 10 requests/user/day, headroom 0.8, a
    # busy day 1.5 x the average (limits.busy_day_factor): 800 / 1.5 = 533.3 requests on an
    # average day, so it fits up to 53 users exactly; 54 users move to paid.
    free = {"id": "free", "name": "Free", "limits": [{"metric": "requests_per_day", "max": 1000}]}
    paid = {"id": "paid", "name": "Paid", "base_usd_month": 5}
    prof = make_profile(
        scale={"stages": [1, 1000]},
        activity={"requests_per_user_day": 10, "active_hours_per_day": 10, "peak_factor": 1},
    )
    planner = make_planner(prof, _catalog(free, paid))
    sw = sweep(planner)
    assert [(ph.start, ph.end) for ph in sw.phases] == [(1, 53), (54, None)]
    t = sw.phases[0].triggers[0]
    assert (t.metric, t.limit, t.at) == ("requests_per_day", 1000, 54)
    assert t.threshold == pytest.approx(800 / 1.5)
    assert sw.phases[1].monthly_usd_start == pytest.approx(5)


def test_requirement_from_a_stage_starts_a_phase() -> None:
    sleepy = {"id": "hobby", "name": "Hobby", "attributes": {"zero_downtime_deploys": False}}
    solid = {"id": "pro", "name": "Pro", "base_usd_month": 7, "attributes": {"zero_downtime_deploys": True}}
    prof = make_profile(scale={"stages": [10, 500]}, requirements={"zero_downtime_from": 200})
    sw = sweep(make_planner(prof, _catalog(sleepy, solid)))
    assert [(ph.start, ph.end) for ph in sw.phases] == [(10, 199), (200, None)]
    assert sw.phases[0].triggers[0].metric == "requirement:zero_downtime"


def test_cheaper_region_wins_and_equal_price_regions_collapse_to_the_nearest() -> None:
    regions = [
        {"id": "near", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82, "group": "g"},
        {"id": "near2", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82, "group": "g"},
        {"id": "far", "city": "Tokyo", "country": "JP", "lat": 35.68, "lon": 139.69, "group": "g"},
    ]
    plan = {
        "id": "vm",
        "name": "VM",
        "instances": {
            "region_price_factor": {"near": 1.3, "near2": 1.3, "far": 1.0},
            "sizes": [{"id": "s", "vcpu": 1, "memory_mb": 512, "usd_per_hour": 0.01}],
        },
    }
    cat = make_catalog(
        {
            "provider": "p",
            "regions": regions,
            "services": [{"id": "s", "name": "S", "hosts": ["web_service"], "plans": [plan]}],
        }
    )
    planner = make_planner(make_profile(requirements={"max_latency_ms": 200}), cat)
    opts = planner.options["api"].options
    assert sorted(o.region.id for o in opts) == [
        "far",
        "near",
    ]  # near2 costs the same as near, and is farther
    assert planner.best("api", 10).option.region.id == "far"  # 1.0 x price beats 1.3 x price
    tight = make_planner(make_profile(requirements={"max_latency_ms": 30}), cat)
    assert tight.best("api", 10).option.region.id == "near"


def test_no_feasible_stack_names_component_and_constraint() -> None:
    from tierplan.errors import InfeasibleError

    free = {"id": "free", "name": "Free", "limits": [{"metric": "requests_per_day", "max": 1000}]}
    prof = make_profile(
        scale={"stages": [1, 1000]},
        activity={"requests_per_user_day": 10, "active_hours_per_day": 10, "peak_factor": 1},
    )
    with pytest.raises(InfeasibleError) as e:
        sweep(make_planner(prof, _catalog(free)))
    msg = str(e.value)
    assert "'api'" in msg and "from 54" in msg and "requests_per_day" in msg
    assert e.value.exit_code == 3


def test_growth_curve_gives_phases_calendar_months() -> None:
    from tierplan.report.model import plan_report

    free = {"id": "free", "name": "Free", "limits": [{"metric": "requests_per_day", "max": 1000}]}
    paid = {"id": "paid", "name": "Paid", "base_usd_month": 5}
    prof = make_profile(
        scale={
            "growth": {"start": 10, "monthly_growth_pct": 20, "horizon_months": 24, "start_month": "2027-01"}
        },
        activity={"requests_per_user_day": 10, "active_hours_per_day": 10, "peak_factor": 1},
    )
    planner = make_planner(prof, _catalog(free, paid))
    doc = plan_report(planner, sweep(planner))
    ph1, ph2 = doc["phases"]
    assert (ph1["from"], ph1["to"], ph2["from"]) == (10, 53, 54)  # the daily cap on a busy day
    # 10 x 1.2^t = 54 users -> t = ln(5.4) / ln(1.2) = 9.25 months after January 2027
    t = doc["phases"][0]["triggers"][0]
    assert t["at"] == 54 and t["at_month"] == pytest.approx(9.25, abs=0.01)
    assert t["at_date"] == "2027-10"
    assert ph1["from_date"] == "2027-01"
    assert doc["scale"]["last"] == round(10 * 1.2**24)


def test_budget_is_flagged_per_phase() -> None:
    from tierplan.report.model import plan_report

    free = {"id": "free", "name": "Free", "limits": [{"metric": "requests_per_day", "max": 1000}]}
    paid = {"id": "paid", "name": "Paid", "base_usd_month": 5}
    prof = make_profile(
        scale={"stages": [1, 1000]},
        activity={"requests_per_user_day": 10, "active_hours_per_day": 10, "peak_factor": 1},
        requirements={"budget_usd_month": 3},
    )
    planner = make_planner(prof, _catalog(free, paid))
    doc = plan_report(planner, sweep(planner))
    assert doc["over_budget"] == [{"phase": 2, "from": 54, "monthly_usd_end": 5.0}]
