"""Workload formulas, checked against numbers computed by hand."""

from __future__ import annotations

import pytest

from tierplan.assumptions import load_assumptions
from tierplan.metrics import DAYS_PER_MONTH
from tierplan.workload import demand_at

from .conftest import make_profile


def test_web_service_and_postgres_by_hand() -> None:
    # 50 cooperatives x 5 users, 400 requests/user/day over 8 active hours, peak x3
    p = make_profile(
        scale={"unit": "cooperative", "users_per_unit": 5, "stages": [50, 500], "data_age_months": 6},
        activity={"requests_per_user_day": 400, "active_hours_per_day": 8, "peak_factor": 3},
        components={
            "api": {"kind": "web_service", "runtime": "go", "memory_mb": 256, "response_kb": 4},
            "db": {"kind": "postgres", "storage_mb_per_unit": 6, "growth_mb_per_unit_month": 1},
        },
    )
    d = demand_at(p, 50, load_assumptions())
    api = d.components["api"].metrics
    assert api["requests_per_day"] == 250 * 400 == 100_000
    assert api["requests_per_month"] == pytest.approx(100_000 * 365 / 12)  # 3,041,666.7
    assert api["avg_rps"] == pytest.approx(100_000 / (8 * 3600))  # 3.472
    assert api["peak_rps"] == pytest.approx(3 * 100_000 / 28_800)  # 10.417
    assert api["cpu_ms_per_request"] == 2  # assumption runtime.go.cpu_ms_per_request
    assert api["egress_gb_per_month"] == pytest.approx(3_041_666.67 * 4 / 1000**2, rel=1e-6)  # 12.17 GB (decimal)
    db = d.components["db"].metrics
    # 50 x 6 MB + 1 MB/unit/month x 50 units x 6 months = 600 MB
    assert db["storage_gb"] == pytest.approx(600 / 1024)
    # 3 queries per request (assumption) over the same active hours
    assert db["avg_qps"] == pytest.approx(3 * 100_000 / 28_800)
    # connections: max(5, peak_rps x 20 ms) = max(5, 0.208) = 5
    assert db["connections"] == 5
    assert db["active_hours_per_month"] == pytest.approx(8 * DAYS_PER_MONTH)  # 243.3 h, not 730


def test_storage_accumulates_along_a_growth_curve() -> None:
    import math

    p = make_profile(
        scale={"growth": {"start": 100, "monthly_growth_pct": 10, "horizon_months": 12}},
        components={"db": {"kind": "postgres", "storage_mb_per_unit": 0, "growth_mb_per_unit_month": 2}},
    )
    u = 100 * 1.1**6  # month 6
    d = demand_at(p, u, load_assumptions())
    # unit-months = integral_0^6 100 x 1.1^t dt = (u - 100) / ln 1.1
    unit_months = (u - 100) / math.log(1.1)
    assert d.components["db"].metrics["storage_gb"] == pytest.approx(2 * unit_months / 1024)
    assert d.month == pytest.approx(6)


def test_turn_relay_gigabytes_by_hand() -> None:
    p = make_profile(
        components={
            "turn": {
                "kind": "turn",
                "call_minutes_per_user_month": 100,
                "relay_fraction": 0.25,
                "bitrate_kbps": 1000,
            }
        }
    )
    d = demand_at(p, 1000, load_assumptions())
    # 1000 users x 100 min (each 1:1 call is counted by both users) x 25% relayed x 60 s x
    # 125,000 B/s x 1 stream received per participant / 10^9 (transfer is billed in decimal GB)
    expected = 1000 * 100 * 0.25 * 60 * 125_000 * 1 / 10**9
    assert expected == pytest.approx(187.5)
    assert d.components["turn"].metrics["relay_gb_per_month"] == pytest.approx(expected)


def test_frontend_email_and_whatsapp() -> None:
    p = make_profile(
        components={
            "web": {
                "kind": "web_frontend",
                "rendering": "ssr",
                "bandwidth_mb_per_user_month": 40,
                "page_views_per_user_day": 5,
            },
            "mail": {"kind": "email", "emails_per_user_month": 3, "peak_day_factor": 2},
            "wa": {"kind": "messaging", "utility_per_user_month": 30},
        }
    )
    d = demand_at(p, 200, load_assumptions())
    web = d.components["web"].metrics
    assert web["egress_gb_per_month"] == pytest.approx(200 * 40 / 1000)  # 8 decimal GB
    assert web["function_invocations_per_month"] == pytest.approx(200 * 5 * DAYS_PER_MONTH)
    assert web["edge_requests_per_month"] == pytest.approx(200 * 5 * DAYS_PER_MONTH * 10)
    assert d.components["mail"].metrics["emails_per_day"] == pytest.approx(600 / DAYS_PER_MONTH * 2)
    assert d.components["wa"].metrics["wa_utility_messages_per_month"] == 6000


def test_every_figure_names_its_formula() -> None:
    p = make_profile(
        components={
            "api": {"kind": "web_service", "runtime": "python"},
            "q": {"kind": "queue", "messages_per_user_day": 2},
        }
    )
    d = demand_at(p, 10, load_assumptions())
    for c in d.components.values():
        for f in c.figures.values():
            assert f.formula and f.unit


def test_assumption_override_changes_demand() -> None:
    p = make_profile(assumptions={"runtime.go.cpu_ms_per_request": 7})
    a = load_assumptions().with_overrides(p.assumptions)
    d = demand_at(p, 10, a)
    assert d.components["api"].metrics["cpu_ms_per_request"] == 7
    assert "runtime.go.cpu_ms_per_request" in a.used
