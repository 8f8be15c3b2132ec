"""Ranges in the profile and `plan --samples`: hand-computed bands and tornado on a one-meter
catalog, and properties (ordered percentiles, zero width without ranges, reproducible seeds)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tierplan.engine.plan import plan as make_plan
from tierplan.errors import InputError
from tierplan.profile import parse_profile
from tierplan.ranges import Range, extract
from tierplan.uncertainty import sample_plan

from .conftest import make_catalog, make_planner

SG = {"id": "sg", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82}


def _catalog() -> Any:
    # $5 a month plus $1 per million requests: cost = 5 + requests / 1e6, exactly linear
    plan = {
        "id": "flat",
        "name": "Flat",
        "base_usd_month": 5,
        "meters": [{"metric": "requests_per_month", "unit": "request", "unit_size": 1_000_000, "usd_per_unit": 1}],
    }
    return make_catalog(
        {"provider": "p", "regions": [SG], "services": [{"id": "s", "name": "S", "hosts": ["web_service"], "plans": [plan]}]}
    )


def _profile(requests: Any, stages: list[int] | None = None) -> Any:
    return parse_profile(
        {
            "name": "Test app",
            "commercial": True,
            "audience": {"countries": ["SG"]},
            "scale": {"stages": stages or [1000]},
            "activity": {"requests_per_user_day": requests, "active_hours_per_day": 10, "peak_factor": 2},
            "components": {"api": {"kind": "web_service", "runtime": "go", "memory_mb": 100}},
        }
    )


def _sampled(prof: Any, n: int, seed: int = 1) -> Any:
    planner = make_planner(prof, _catalog())
    pl = make_plan(planner)
    return pl, sample_plan(planner, pl, n, seed)


PER_REQUEST_DAY = 1000 * 365 / 12 / 1e6  # $ a month per request a user makes a day, at 1,000 users


# --------------------------------------------------------------------------- ranges
def test_point_values_and_ranges_are_read_out() -> None:
    point, ranges = extract({"a": {"low": 1, "likely": 2, "high": 5}, "b": [{"low": 0.1, "high": 0.3}], "c": 3}, "f")
    assert point == {"a": 2, "b": [pytest.approx(0.2)], "c": 3}
    assert [r.key for r in ranges] == ["a", "b[0]"]
    assert ranges[0].likely == 2 and ranges[1].likely is None


@pytest.mark.parametrize(
    "node, message",
    [
        ({"low": 5, "high": 1}, "low <= high"),
        ({"low": 1, "likely": 9, "high": 5}, "low <= likely <= high"),
        ({"low": "a lot", "high": 5}, "must be numbers"),
    ],
)
def test_bad_ranges_name_their_key(node: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as e:
        extract({"activity": {"peak_factor": node}}, "app.yaml")
    assert "activity.peak_factor" in str(e.value) and message in str(e.value) and "app.yaml" in str(e.value)


def test_no_range_on_the_plans_stages() -> None:
    with pytest.raises(InputError, match="scale.stages"):
        _profile(100, stages=[{"low": 10, "high": 20}])  # type: ignore[list-item]


def test_a_range_end_outside_the_field_is_refused_with_its_end() -> None:
    with pytest.raises(InputError) as e:
        parse_profile(
            {
                "name": "x",
                "commercial": True,
                "audience": {"countries": ["SG"]},
                "scale": {"stages": [10]},
                "activity": {"daily_active_fraction": {"low": 0.5, "high": 1.5}},
                "components": {"api": {"kind": "web_service", "runtime": "go"}},
            }
        )
    assert "activity.daily_active_fraction.high" in str(e.value)


@given(
    lo=st.floats(0, 100),
    width=st.floats(0, 100),
    mode=st.floats(0, 1),
    seed=st.integers(0, 2**32),
)
@settings(max_examples=200, deadline=None)
def test_samples_stay_within_their_range(lo: float, width: float, mode: float, seed: int) -> None:
    r3 = Range(("x",), lo, lo + width, lo + mode * width)
    r2 = Range(("x",), lo, lo + width)
    rng = random.Random(seed)
    for _ in range(20):
        assert lo <= r3.sample(rng) <= lo + width
        assert lo <= r2.sample(rng) <= lo + width


# --------------------------------------------------------------------------- bands by hand
def test_uniform_input_gives_a_linear_band_and_exact_tornado() -> None:
    # requests uniform on [0, 200]: cost = 5 + r x 0.0304167; the quantiles of a uniform variable
    pl, u = _sampled(_profile({"low": 0, "high": 200}), 4000)
    band = u.stages[0]
    assert band.monthly_usd == pytest.approx(5 + 100 * PER_REQUEST_DAY)  # the plan uses the middle
    assert band.p10 == pytest.approx(5 + 20 * PER_REQUEST_DAY, rel=0.03)
    assert band.p50 == pytest.approx(5 + 100 * PER_REQUEST_DAY, rel=0.03)
    assert band.p90 == pytest.approx(5 + 180 * PER_REQUEST_DAY, rel=0.03)
    (swing,) = u.sensitivity
    assert swing.input == "activity.requests_per_user_day"
    assert swing.low_usd == pytest.approx(5.0)
    assert swing.high_usd == pytest.approx(5 + 200 * PER_REQUEST_DAY)


def test_pert_median_sits_near_the_likely_value() -> None:
    # PERT(0, 20, 200): mean (0 + 4 x 20 + 200) / 6 = 46.7, median ~ 39 (below the mean, right-skewed)
    _, u = _sampled(_profile({"low": 0, "likely": 20, "high": 200}), 4000)
    b = u.stages[0]
    assert 5 + 30 * PER_REQUEST_DAY < b.p50 < 5 + 48 * PER_REQUEST_DAY
    assert b.p10 < b.p50 < b.p90


# --------------------------------------------------------------------------- properties
@given(
    lo=st.integers(0, 300),
    width=st.integers(0, 300),
    seed=st.integers(0, 1000),
)
@settings(max_examples=25, deadline=None)
def test_percentiles_are_ordered(lo: int, width: int, seed: int) -> None:
    _, u = _sampled(_profile({"low": lo, "high": lo + width}, stages=[100, 1000]), 40, seed)
    for b in u.stages:
        assert b.low <= b.p10 <= b.p50 <= b.p90 <= b.high


@pytest.mark.parametrize("stages", [[1000], [10, 100, 1000]])
def test_without_ranges_the_band_has_no_width_and_is_the_plans_cost(stages: list[int]) -> None:
    pl, u = _sampled(_profile(150, stages=stages), 50)
    assert u.inputs == () and u.sensitivity == ()
    for b in u.stages:
        assert b.p10 == b.p50 == b.p90 == pytest.approx(pl.stack_at(b.scale).monthly_usd, abs=1e-9)


def test_examples_without_ranges_band_equals_the_plan() -> None:
    from tierplan.api import make_planner as api_planner

    from .conftest import EXAMPLES

    for name in ("coop-erp", "amebo", "suoops", "paircam"):
        # the example as written, its ranges (amebo's) replaced by their point values
        point = parse_profile(api_planner(EXAMPLES / f"{name}.yaml").profile.point_data)
        assert point.ranges == ()
        planner = api_planner(point)
        pl = make_plan(planner)
        u = sample_plan(planner, pl, 5, 1)
        for b in u.stages:
            assert b.p10 == b.p90 == pytest.approx(pl.stack_at(b.scale).monthly_usd, abs=1e-6), (name, b.scale)


def test_same_seed_same_result_other_seed_other_draws() -> None:
    prof = _profile({"low": 0, "high": 200})
    _, a = _sampled(prof, 200, seed=7)
    _, b = _sampled(prof, 200, seed=7)
    _, c = _sampled(prof, 200, seed=8)
    assert a == b
    assert a.stages[0].p50 != c.stages[0].p50


def test_a_draw_priced_on_the_shared_planner_equals_a_fresh_planner() -> None:
    """Planner.with_profile reuses the point planner's options and cost floors; a draw that changes
    the seats (a per-seat price) and the active hours (instance hours) must cost what a planner
    built from scratch for that profile says."""
    from tierplan.engine.columns import placement_class
    from tierplan.engine.planner import Planner
    from tierplan.engine.whole_stack import fixed_solution
    from tierplan.ranges import draw, with_values

    plan = {
        "id": "seats",
        "name": "Seats",
        "base_usd_month": 5,
        "seat_usd_month": 7,
        "instances": {"sizes": [{"id": "s1", "vcpu": 1, "memory_mb": 512, "usd_per_hour": 0.01}]},
    }
    cat = make_catalog(
        {"provider": "p", "regions": [SG], "services": [{"id": "s", "name": "S", "hosts": ["web_service"], "plans": [plan]}]}
    )
    prof = parse_profile(
        {
            "name": "Seats",
            "commercial": True,
            "audience": {"countries": ["SG"]},
            "scale": {"stages": [100]},
            "team": {"seats": {"low": 1, "likely": 2, "high": 6}},
            "activity": {"requests_per_user_day": 100, "active_hours_per_day": {"low": 4, "high": 24}},
            "components": {"api": {"kind": "web_service", "runtime": "go", "memory_mb": 100, "scale_to_zero": True}},
        }
    )
    planner = make_planner(prof, cat)
    pl = make_plan(planner)
    only = {c: placement_class(planner, c, e.option) for c, e in pl.phases[0].stack_start.choices.items()}
    rng = random.Random(5)
    for _ in range(8):
        sampled = parse_profile(with_values(prof.point_data, prof.ranges, draw(prof.ranges, rng)))
        shared = fixed_solution(planner.with_profile(sampled), only, 100)
        fresh_planner = Planner(sampled, cat, planner.assumptions)
        fresh_only = {c: placement_class(fresh_planner, c, e.option) for c, e in pl.phases[0].stack_start.choices.items()}
        fresh = fixed_solution(fresh_planner, fresh_only, 100)
        assert shared is not None and fresh is not None
        assert shared.monthly_usd == pytest.approx(fresh.monthly_usd, abs=1e-9)


def test_with_values_leaves_the_point_data_alone() -> None:
    from tierplan.ranges import with_values

    point, ranges = extract(
        {"a": {"b": {"low": 1, "high": 3}, "c": [1, {"low": 0.1, "high": 0.5}]}, "d": {"e": 1}}, "f"
    )
    before = repr(point)
    out = with_values(point, ranges, [2.5, 0.4])
    assert repr(point) == before
    assert out["a"]["b"] == 2.5 and out["a"]["c"][1] == 0.4 and out["d"] is point["d"]


def test_worker_processes_give_the_result_of_one_process() -> None:
    """Draws priced on forked workers (enough distinct draws to start two) give exactly the
    bands, odds and tornado of the same draws priced in-process; the progress reaches every
    sample and never goes back."""
    from tierplan.uncertainty import MIN_DRAWS_PER_WORKER

    prof = _profile({"low": 0, "high": 200}, stages=[1000, 3000])
    planner = make_planner(prof, _catalog())
    pl = make_plan(planner)
    n = 4 * MIN_DRAWS_PER_WORKER
    seen: list[int] = []
    one = sample_plan(planner, pl, n, 3, jobs=1)
    two = sample_plan(planner, pl, n, 3, progress=seen.append, jobs=2)
    assert one == two
    assert seen[-1] == n and seen == sorted(seen) and len(seen) > 1


def test_worker_processes_on_the_amebo_example() -> None:
    """The same on a real plan: ten components, shared accounts, several phases."""
    from pathlib import Path

    from tierplan.api import make_planner as api_planner

    planner = api_planner(Path(__file__).parents[1] / "examples" / "amebo.yaml")
    pl = make_plan(planner)
    assert sample_plan(planner, pl, 60, 2, jobs=1) == sample_plan(planner, pl, 60, 2, jobs=2)
