"""Requirements worth relaxing (engine/relax.py): when a requirement the profile sets (managed
services only, a vendor limit, a provider list) rules out a substantially cheaper stack, the plan
says what the cheapest stack would cost without it, in every format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tierplan.api import make_planner as api_planner
from tierplan.catalog.loader import load_catalog
from tierplan.engine.infeasible import relaxed_planner
from tierplan.engine.plan import plan
from tierplan.engine.planner import Planner
from tierplan.engine.relax import substantial
from tierplan.report.fmt import relaxation_line
from tierplan.report.model import plan_report

from .conftest import make_planner, make_profile
from .test_cli import run

EXAMPLES = Path(__file__).parent.parent / "examples"


def _turn_only(users: int, **extra: Any) -> Planner:
    """One TURN relay for US users: 100 call minutes per user a month, 10% relayed, 1,000 kbit/s."""
    prof = make_profile(
        audience={"countries": ["US"]},
        scale={"stages": [users // 10, users]},
        activity={"requests_per_user_day": 10, "active_hours_per_day": 10, "peak_factor": 2},
        components={
            "turn": {
                "kind": "turn",
                "call_minutes_per_user_month": 100,
                "relay_fraction": 0.1,
                "bitrate_kbps": 1000,
                "participants": 2,
            }
        },
        **extra,
    )
    return make_planner(prof, load_catalog())


def test_managed_turn_priced_against_self_run_coturn() -> None:
    """1,000,000 users x 100 min x 10% relayed x 60 s x 1,000 kbit/s = 6e14 bits = 75,000 GB a
    month. Managed (Cloudflare Realtime TURN, the first 1,000 GB free, then $0.05/GB):
    74,000 x $0.05 = $3,700.00. Self-run coturn on Fly Machines sends the same 75,000 GB at Fly's
    North American $0.02/GB = $1,500.00, plus its Machines and their IPv4s: 60% cheaper, so the
    plan names it."""
    planner = _turn_only(1_000_000)
    result = plan(planner)
    assert [r.requirement for r in result.relaxations] == ["allow_unmanaged"]
    r = result.relaxations[0]
    assert r.at == 1_000_000
    assert r.monthly_usd == pytest.approx((75_000 - 1_000) * 0.05)
    coturn = relaxed_planner(planner, ["allow_unmanaged"]).best("turn", 1_000_000)
    assert coturn is not None and coturn.option.plan.service.id == "coturn-on-machines"
    assert r.relaxed_monthly_usd == pytest.approx(coturn.monthly_usd)
    egress = next(ln for ln in coturn.lines if ln.unit == "GB")
    assert egress.quantity == pytest.approx(75_000)
    assert egress.monthly_usd == pytest.approx(1_500)
    assert 1_500 < r.relaxed_monthly_usd < 0.8 * r.monthly_usd
    region = coturn.option.region
    assert region is not None
    assert dict(r.components) == {"turn": f"Fly.io coturn on Fly Machines (self-run TURN) in {region.id}"}
    doc = plan_report(planner, result)
    line = relaxation_line(doc["relaxations"][0], "user")
    assert line.startswith("Allowing self-run services (requirements.allow_unmanaged: true) would cost $")
    assert (
        "at 1,000,000 users, against $3,700.00 for the cheapest stack that meets every requirement "
        "there (turn: Fly.io coturn on Fly Machines"
    ) in line
    assert line.endswith("at the price of running them yourself.")
    # the threshold and the relay's sizing figure are listed with the assumptions used
    used = {a["key"] for a in doc["assumptions"]}
    assert {
        "relaxation.min_saving_fraction",
        "relaxation.min_saving_usd_month",
        "turn.relay_mbps_per_vcpu",
    } <= used


def test_no_line_when_managed_is_already_cheapest() -> None:
    """10,000 users relay 750 GB a month: inside Cloudflare's 1,000 GB free, so managed TURN costs
    $0 and allowing self-run services changes nothing: no line, and the threshold is not listed
    with the assumptions used."""
    planner = _turn_only(10_000)
    result = plan(planner)
    assert result.phases[-1].monthly_usd_end == pytest.approx(0.0)
    assert result.relaxations == ()
    doc = plan_report(planner, result)
    assert doc["relaxations"] == []
    assert not any(a["key"].startswith("relaxation.") for a in doc["assumptions"])


def test_the_threshold_is_a_policy_the_profile_can_override() -> None:
    """The same 1,000,000 users, with the minimum saving raised to 90% of the bill: coturn saves
    less than that (its egress alone is 40% of managed TURN's cost), so no line."""
    planner = _turn_only(1_000_000, assumptions={"relaxation.min_saving_fraction": 0.9})
    assert plan(planner).relaxations == ()
    planner = _turn_only(1_000_000, assumptions={"relaxation.min_saving_usd_month": 5_000})
    assert plan(planner).relaxations == ()


def test_nothing_to_relax_when_the_profile_allows_it() -> None:
    planner = _turn_only(1_000_000, requirements={"allow_unmanaged": True})
    result = plan(planner)
    assert result.relaxations == ()
    assert result.phases[-1].stack_end.choices["turn"].option.plan.service.id == "coturn-on-machines"


def test_substantial_needs_both_the_share_and_the_amount() -> None:
    """$100 -> $75 saves $25 (25%): enough at 20% and $20, not at 30% or at $50."""
    assert substantial(100, 75, 0.2, 20)
    assert not substantial(100, 75, 0.3, 20)
    assert not substantial(100, 75, 0.2, 50)
    assert not substantial(100, 100, 0.0, 0)


@given(
    base=st.floats(0, 1e6),
    relaxed=st.floats(0, 1e6),
    fraction=st.floats(0, 1),
    usd=st.floats(0, 1e4),
)
def test_substantial_is_monotone(base: float, relaxed: float, fraction: float, usd: float) -> None:
    """A stricter threshold never reports more, a cheaper relaxed stack never reports less."""
    if substantial(base, relaxed, fraction, usd):
        assert substantial(base, relaxed, fraction / 2, usd / 2)
        assert substantial(base, relaxed / 2, fraction, usd)
        assert relaxed < base


def test_paircam_names_coturn_for_turn() -> None:
    """PairCam's bill at 1,000,000 users is mostly Cloudflare Realtime TURN; with self-run
    services allowed the cheapest stack relays on coturn on Fly Machines."""
    planner = api_planner(EXAMPLES / "paircam.yaml")
    result = plan(planner)
    (r,) = result.relaxations
    assert r.requirement == "allow_unmanaged" and r.at == 1_000_000
    # compared with the fresh-start optimum at the last scale, which never costs more than the
    # stack the plan keeps there
    assert r.monthly_usd <= result.phases[-1].monthly_usd_end + 1e-6
    assert r.relaxed_monthly_usd < 0.8 * r.monthly_usd
    assert dict(r.components)["turn"].startswith("Fly.io coturn on Fly Machines")


def test_coop_erp_gets_no_line() -> None:
    """Coop ERP's cheapest stack at its last scale costs the same with self-run services allowed."""
    planner = api_planner(EXAMPLES / "coop-erp.yaml")
    result = plan(planner)
    assert result.relaxations == ()


def test_cli_json_text_and_markdown_carry_the_line() -> None:
    r = run("plan", EXAMPLES / "paircam.yaml", "--format", "json")
    assert r.returncode == 0, r.stderr
    (rel,) = json.loads(r.stdout)["relaxations"]
    assert rel["requirement"] == "allow_unmanaged"
    assert rel["key"] == "requirements.allow_unmanaged"
    assert rel["at"] == 1_000_000
    assert rel["relaxed_monthly_usd"] < rel["monthly_usd"]
    assert rel["saving_usd_month"] == pytest.approx(rel["monthly_usd"] - rel["relaxed_monthly_usd"], abs=1e-3)
    assert rel["components"]["turn"].startswith("Fly.io coturn on Fly Machines")
    line = relaxation_line(rel, "user")
    for fmt in ("text", "md", "html"):
        out = run("plan", EXAMPLES / "paircam.yaml", "--format", fmt)
        assert out.returncode == 0, out.stderr
        text = " ".join(out.stdout.split())
        assert "Allowing self-run services (requirements.allow_unmanaged: true) would cost" in text, fmt
        if fmt != "text":  # the terminal may fold the line
            assert line in text, fmt


def test_a_provider_list_that_rules_out_the_cheapest_relay() -> None:
    """Denying Cloudflare leaves Twilio as the managed relay: 75,000 GB x $0.40 = $30,000.00.
    Allowing every provider brings back Cloudflare Realtime TURN at $3,700.00 (74,000 GB x $0.05);
    allowing self-run services instead gives coturn. Both are listed, each priced on its own."""
    planner = _turn_only(1_000_000, requirements={"providers": {"deny": ["cloudflare"]}})
    result = plan(planner)
    by = {r.requirement: r for r in result.relaxations}
    assert list(by) == ["allow_unmanaged", "providers"]
    assert by["providers"].monthly_usd == pytest.approx(75_000 * 0.40)
    assert by["providers"].relaxed_monthly_usd == pytest.approx(74_000 * 0.05)
    assert dict(by["providers"].components) == {"turn": "Cloudflare Realtime TURN"}
    assert by["allow_unmanaged"].relaxed_monthly_usd < by["providers"].relaxed_monthly_usd
    doc = plan_report(planner, result)
    assert relaxation_line(doc["relaxations"][1], "user") == (
        "Allowing every provider (no requirements.providers) would cost $3,700.00/month at "
        "1,000,000 users, against $30,000.00 for the cheapest stack that meets every requirement "
        "there (turn: Cloudflare Realtime TURN), including providers the profile leaves out."
    )
