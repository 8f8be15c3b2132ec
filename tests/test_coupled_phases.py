"""Whole-stack phases: forced moves found exactly, moves that move only what must, and the
growth-curve schedule against brute force over the same candidate stacks."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import yaml

from tierplan.api import make_planner
from tierplan.engine.moves import CoupledState, migration
from tierplan.engine.moves import whole_stack_plan as coupled_sweep
from tierplan.profile import units_at_month
from tierplan.report.fmt import move_lines, whole_stack_lines

from .conftest import EXAMPLES


def _sweep(name: str) -> tuple[Any, Any]:
    planner = make_planner(EXAMPLES / f"{name}.yaml")
    return planner, coupled_sweep(planner)


def test_forced_moves_are_found_to_one_unit() -> None:
    planner, sw = _sweep("suoops")
    st = CoupledState(planner)
    for prev, ph in itertools.pairwise(sw.phases):
        move = ph.move
        assert move is not None and move.at == ph.start
        old = _solution_of(st, prev)
        if move.forced:
            assert st.fixed(old, move.at) is None  # no longer fits here
            assert st.fixed(old, move.at - 1) is not None  # but did one unit before


def _solution_of(st: CoupledState, ph: Any) -> Any:
    """The phase's stack as a coupled Solution (solved at its start, then matched by key)."""
    from tierplan.engine.whole_stack import placement

    want = {c: placement(ev.option) for c, ev in ph.stack_start.choices.items()}
    sol = st.solution(ph.start)
    if {c: placement(col.remote.option) for c, col in sol.chosen.items()} == want:
        return sol
    # a stack kept from an earlier scale: rebuild it through the phase before
    for u in sorted(st.solutions):
        s = st.solutions[u]
        if {c: placement(col.remote.option) for c, col in s.chosen.items()} == want:
            return s
    # the migration-aware stack of a forced move
    for s in st._moves.values():
        if {c: placement(col.remote.option) for c, col in s.chosen.items()} == want:
            return s
    raise AssertionError("phase stack not found")


def test_a_forced_move_moves_only_what_must_when_staying_costs_the_same() -> None:
    """SuoOps at 500 users needs database failover: the database must move. Railway Pro costs the
    same as Hobby once usage passes Pro's $20 credit, so the API, worker and Redis stay on Hobby
    rather than paying a migration for nothing."""
    _planner, sw = _sweep("suoops")
    last = sw.phases[-1]
    assert last.move is not None and last.move.forced
    assert last.move.components == ("db",)
    assert (
        last.stack_start.choices["api"].option.plan.key
        == sw.phases[-2].stack_end.choices["api"].option.plan.key
    )


def _growth_profile(tmp_path: Path) -> Path:
    data = yaml.safe_load((EXAMPLES / "coop-erp.yaml").read_text())
    data["scale"].pop("stages", None)
    data["scale"]["growth"] = {"start": 50, "monthly_growth_pct": 40, "horizon_months": 7}
    p = tmp_path / "grow.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def test_growth_schedule_equals_brute_force_over_its_candidates(tmp_path: Path) -> None:
    """With a growth curve the schedule minimises monthly costs plus migrations over the horizon:
    no sequence of the same candidate stacks is cheaper."""
    planner = make_planner(_growth_profile(tmp_path))
    sw = coupled_sweep(planner)
    g = planner.profile.scale.growth
    months = [int(round(units_at_month(g, m))) for m in range(g.horizon_months + 1)]
    st = CoupledState(planner)
    # candidates as the schedule builds them
    from tierplan.engine.decisions import decision_scales

    pts = decision_scales(planner, months[0], months[-1], 6)
    stacks: dict[Any, Any] = {}
    for u in pts:
        stacks.setdefault(st.solution(u).key(), st.solution(u))
    for a, b in itertools.pairwise(pts):
        s = st.move_from(st.solution(a), b)
        stacks.setdefault(s.key(), s)
    cands = list(stacks.values())
    cost = [[st.cost(s, u) for s in cands] for u in months]

    def total(seq: tuple[int, ...]) -> float:
        t = 0.0
        for i, j in enumerate(seq):
            if not math.isfinite(cost[i][j]):
                return math.inf
            t += cost[i][j]
            if i and seq[i - 1] != j:
                t += migration(planner, cands[seq[i - 1]], cands[j], months[i])[0]
        return t

    best = min(total(seq) for seq in itertools.product(range(len(cands)), repeat=len(months)))
    # the plan's total over the same months
    plan_total = 0.0
    for i, u in enumerate(months):
        ph = next(p for p in reversed(sw.phases) if p.start <= u)
        pt = st.point(_solution_of_growth(st, cands, ph), u)
        plan_total += pt.monthly_usd
        if i and ph.move is not None and ph.start == u and months[i - 1] < u:
            plan_total += ph.move.migration_usd
    assert math.isfinite(best)
    assert plan_total <= best + 0.01


def _solution_of_growth(st: CoupledState, cands: list[Any], ph: Any) -> Any:
    from tierplan.engine.whole_stack import placement

    want = {c: placement(ev.option) for c, ev in ph.stack_start.choices.items()}
    for s in cands:
        if {c: placement(col.remote.option) for c, col in s.chosen.items()} == want:
            return s
    raise AssertionError("phase stack is not one of the candidates")


def test_move_sentences() -> None:
    move = {
        "at": 228,
        "forced": True,
        "components": ["api", "db"],
        "migration_usd": 450.12,
        "saving_usd_month": 0.0,
        "earlier_usd": 8.9,
        "later_usd": None,
        "step": "unit",
        "work": [
            {"component": "api", "hours": 3, "downtime_minutes": 0},
            {"component": "db", "hours": 6, "downtime_minutes": 7.7, "transfer_gb": 1.36},
        ],
    }
    rates = {"hourly_rate_usd": 50, "downtime_cost_usd_per_minute": 2, "transfer_usd_per_gb": 0.09}
    lines = move_lines(move, "cooperative", rates)
    assert lines[0] == "Forced move at 228 cooperatives: the previous stack no longer fits; api and db move."
    assert lines[1] == (
        "One-time migration cost: $450.12 (api 3 h; db 6 h + 7.7 min downtime + 1.36 GB transfer; "
        "at $50.00/hour, $2.00/minute of downtime, $0.09/GB transferred)."
    )
    assert "Staying longer is not possible" in lines[2]
    assert lines[3] == "Moving earlier costs $8.90/month more (at 227 cooperatives) than staying."
    monthly = dict(move, forced=False, saving_usd_month=45.0, earlier_usd=12.5, later_usd=30.0, step="month")
    lines = move_lines(monthly, "user", {"hourly_rate_usd": 50, "payback_months": 12})
    assert "Pays back in 10.0 months (the profile accepts up to 12)." in lines
    assert "Moving one month earlier would cost $12.50 more in total." in lines
    assert "Moving one month later would cost $30.00 more in total." in lines


def test_whole_stack_sentences() -> None:
    ws = {
        "latency_ms_estimate": {"api": 96.0},
        "latency_limit_ms": 100.0,
        "latency_legs": {
            "api": [
                {"leg": "users to api (fra)", "round_trip_ms": 76.4, "per_request": 1},
                {"leg": "api to db (fra)", "round_trip_ms": 6.1, "per_request": 3},
            ]
        },
        "shared_accounts": [
            {
                "account": "railway/hobby",
                "name": "Railway Hobby",
                "monthly_usd": 12.22,
                "components": ["api", "redis"],
            },
            {"account": "x/y", "name": "X Y", "monthly_usd": 0, "components": ["only"]},
        ],
        "colocated_with_callers": ["redis"],
        "vendors": ["a", "b"],
    }
    lines = whole_stack_lines(ws)
    assert lines[0] == (
        "Latency of api: ~96 ms per request, estimated (limit 100 ms) = users to api (fra) 76.4 ms "
        "+ 3 x api to db (fra) 6.1 ms."
    )
    # 96 ms is within 10% of the 100 ms limit
    assert lines[1].startswith("Warning: api is within 10% of its latency limit (~96 of 100 ms")
    assert lines[2].startswith("Railway Hobby: one account for api and redis")
    assert not any(line.startswith("X Y") for line in lines)  # one component: nothing shared
    assert lines[3].startswith("redis runs with the same provider and region as its callers")
    assert lines[4] == "2 vendors: a, b."


def test_a_free_shared_account_is_described_as_free() -> None:
    ws = {
        "shared_accounts": [
            {
                "account": "cf/free",
                "name": "Cloudflare Workers Free",
                "monthly_usd": 0.0,
                "components": ["web", "rt"],
            }
        ]
    }
    assert whole_stack_lines(ws) == [
        "Cloudflare Workers Free: one free account for web and rt; its free quotas are the account's, shared by them."
    ]


def test_no_fit_names_the_first_unit_exactly() -> None:
    """The only API plan allows 1,000 requests/day (800 with headroom, on a busy day 1.5 x the
    average: 533.3 on an average day); 10 requests per user per day fit 53 users. The error names
    54, not the next decision scale."""
    import pytest

    from tierplan.errors import InfeasibleError
    from tierplan.profile import parse_profile

    from .conftest import make_catalog, make_planner

    sg = {"id": "sg", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82}
    cat = make_catalog(
        {
            "provider": "one",
            "regions": [sg],
            "services": [
                {
                    "id": "app",
                    "name": "App",
                    "hosts": ["web_service"],
                    "plans": [
                        {
                            "id": "free",
                            "name": "Free",
                            "limits": [{"metric": "requests_per_day", "max": 1000}],
                        }
                    ],
                },
                {"id": "pg", "name": "PG", "hosts": ["postgres"], "plans": [{"id": "pg", "name": "PG"}]},
            ],
        }
    )
    prof = parse_profile(
        {
            "name": "t",
            "commercial": True,
            "audience": {"countries": ["SG"]},
            "scale": {"stages": [10, 5000]},
            "activity": {"requests_per_user_day": 10, "active_hours_per_day": 8, "peak_factor": 1},
            "components": {
                "api": {"kind": "web_service", "runtime": "go", "memory_mb": 10},
                "db": {"kind": "postgres"},
            },
        }
    )
    planner = make_planner(prof, cat)
    with pytest.raises(InfeasibleError) as e:
        coupled_sweep(planner)
    assert "from 54 users on" in e.value.message
