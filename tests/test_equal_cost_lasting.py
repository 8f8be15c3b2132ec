"""Among stacks of the same cost the plan takes the option that lasts (keeps fitting to a larger
scale), also when that option draws on a quota its account shares (a pooled column). The
integer program breaks cost ties by a static rank far below the solver's tolerance, and the
equal-cost polish used to skip pooled columns: a $0 frontend that runs out mid-range was chosen
over a $0 one on a pooled account quota that lasts the whole range, forcing a move for nothing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierplan.engine.plan import plan
from tierplan.profile import parse_profile

from .conftest import make_catalog, make_planner

SG = {"id": "sg", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82}


def _site(provider: str, limit: dict[str, Any], account: str | None) -> dict[str, Any]:
    plan_: dict[str, Any] = {"id": "free", "name": "Free", "base_usd_month": 0, "limits": [limit]}
    if account is not None:
        plan_["account"] = account
    return {
        "provider": provider,
        "regions": [SG],
        **({"accounts": [{"id": account, "name": "Free account", "base_usd_month": 0}]} if account else {}),
        "services": [
            {"id": "site", "name": "Site", "hosts": ["web_frontend"], "regions": "global", "plans": [plan_]}
        ],
    }


def _profile(last: int) -> Any:
    return parse_profile(
        {
            "name": "t",
            "commercial": True,
            "audience": {"countries": ["SG"]},
            "scale": {"stages": [100, last]},
            "activity": {"requests_per_user_day": 10, "active_hours_per_day": 10, "peak_factor": 2},
            "components": {"web": {"kind": "web_frontend", "page_views_per_user_day": 10}},
        }
    )


@pytest.mark.parametrize("short_first", [True, False])
def test_equal_cost_prefers_the_pooled_option_that_lasts(short_first: bool) -> None:
    """Two $0 static hosts: 'aaa' (or 'zzz') runs out at a tenth of the range, 'edge' draws on its
    account's pooled egress cap, which lasts the whole range. The plan starts on 'edge' and never
    moves, whichever comes first in the static rank."""
    short_name = "aaa" if short_first else "zzz"
    prof = _profile(10_000)
    probe = make_planner(prof, make_catalog(_site("edge", {"metric": "egress_gb_per_month", "max": 1e9}, None)))
    gb_at_last = probe.demand(10_000).components["web"].metrics["egress_gb_per_month"]
    assert gb_at_last > 0
    cat = make_catalog(
        _site(short_name, {"metric": "egress_gb_per_month", "max": gb_at_last / 10}, None),
        _site("edge", {"metric": "egress_gb_per_month", "max": gb_at_last * 4, "pool": "egress"}, "free"),
    )
    p = plan(make_planner(prof, cat))
    providers = [ph.stack_start.choices["web"].option.provider for ph in p.phases]
    assert providers == ["edge"], providers
    assert p.phases[0].stack_start.monthly_usd == 0


def test_equal_cost_leaves_the_pooled_option_that_runs_out() -> None:
    """The mirror case: the pooled option runs out at a tenth of the range, the standalone one
    lasts. The plan starts on the standalone one."""
    prof = _profile(10_000)
    probe = make_planner(prof, make_catalog(_site("edge", {"metric": "egress_gb_per_month", "max": 1e9}, None)))
    gb_at_last = probe.demand(10_000).components["web"].metrics["egress_gb_per_month"]
    cat = make_catalog(
        _site("aaa", {"metric": "egress_gb_per_month", "max": gb_at_last / 10, "pool": "egress"}, "free"),
        _site("zzz", {"metric": "egress_gb_per_month", "max": gb_at_last * 4}, None),
    )
    p = plan(make_planner(prof, cat))
    providers = [ph.stack_start.choices["web"].option.provider for ph in p.phases]
    assert providers == ["zzz"], providers


# --------------------------------------------------------------------------- unknown beyond an allowance
def _allowance_catalog(allowance_gb: float) -> Any:
    return make_catalog(
        {
            "provider": "host",
            "regions": [SG],
            "services": [
                {
                    "id": "app",
                    "name": "App",
                    "hosts": ["web_service"],
                    "regions": "all",
                    "plans": [
                        {
                            "id": "small",
                            "name": "Small",
                            "base_usd_month": 5,
                            "meters": [
                                {
                                    "metric": "egress_gb_per_month",
                                    "unit": "GB",
                                    "tiers": [{"up_to": allowance_gb, "usd_per_unit": 0}, {"usd_per_unit": None}],
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(allowance_gb=st.floats(1, 500), users=st.integers(1, 200_000))
def test_a_plan_priced_only_up_to_its_allowance_fits_only_up_to_it(allowance_gb: float, users: int) -> None:
    """Whatever the allowance and the scale: the plan fits (at its $5) exactly while the egress
    stays within the amount its prices are known for, and past it does not fit, with a reason
    naming that amount; it is never kept on as if it lasted."""
    prof = parse_profile(
        {
            "name": "t",
            "commercial": True,
            "audience": {"countries": ["SG"]},
            "scale": {"stages": [1, 200_000]},
            "activity": {"requests_per_user_day": 10, "active_hours_per_day": 10, "peak_factor": 2},
            "components": {"api": {"kind": "web_service", "runtime": "go", "memory_mb": 64}},
        }
    )
    planner = make_planner(prof, _allowance_catalog(allowance_gb))
    ev = next(e for e in planner.evaluations("api", users) if e.option.plan.key == "host/app/small")
    gb = ev.metrics["egress_gb_per_month"]
    if gb <= allowance_gb:
        assert ev.monthly_usd is not None and ev.monthly_usd >= 5
        assert not [r for r in ev.reasons if r.kind == "price"]
    else:
        assert not ev.feasible and ev.monthly_usd is None
        (r,) = [r for r in ev.reasons if r.kind == "price"]
        assert r.limit == pytest.approx(allowance_gb) and r.used == pytest.approx(gb)
        assert planner.best("api", users) is None


def test_the_equal_cost_swap_keeps_redis_connections_within_the_plan() -> None:
    """Amebo at 25,514 users: the fresh-start optimum runs the rate limiter on Railway Free (an
    account's pooled quota); Render Key Value Free costs the same and lasts longer, but accepts
    too few connections for the stack's API and realtime server. The polish swapped onto it
    without the integer program's Redis connection rows, so `plan --at` raised 'the stack does
    not fit' for the optimum it had just chosen (test_one_answer_per_scale)."""
    from tierplan.api import make_planner as planner_of
    from tierplan.engine.connections import fits
    from tierplan.engine.moves import CoupledState
    from tierplan.engine.plan import optimum_at

    from .conftest import EXAMPLES

    planner = planner_of(EXAMPLES / "amebo.yaml")
    st_ = CoupledState(planner)
    for users in (24_537, 25_514, 27_585):
        sol = st_.solution(users)
        assert fits(planner, {c: col.remote for c, col in sol.chosen.items()}), users
        assert st_.fixed(sol, users) is not None, users
    assert optimum_at(planner, 25_514).monthly_usd > 0
