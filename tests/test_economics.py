"""Unit economics on hand-built catalogs and profiles: every expected figure is worked out by hand
in the comment beside it."""

from __future__ import annotations

from typing import Any

import pytest

from tierplan.catalog.payments import PaymentFee, PaymentProcessor
from tierplan.economics import economics_of, fee_usd, revenue_at
from tierplan.engine.plan import plan as make_plan
from tierplan.errors import InputError
from tierplan.profile import Revenue

from .conftest import make_catalog, make_planner, make_profile

SG = {"id": "sg", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82}


def _fee(**kw: Any) -> PaymentFee:
    base: dict[str, Any] = {
        "id": "f",
        "country": "SG",
        "method": "card",
        "percent": 2.9,
        "fixed": 0.30,
        "currency": "USD",
        "source": "https://example.com/fees",
        "as_of": "2026-11-01",
    }
    return PaymentFee.model_validate(base | kw)


PAY = PaymentProcessor.model_validate(
    {
        "processor": "testpay",
        "name": "TestPay",
        "homepage": "https://example.com",
        "source": "https://example.com/pricing",
        "as_of": "2026-11-01",
        "fees": [
            {"id": "sg-card", "country": "SG", "method": "card", "percent": 2.9, "fixed": 0.30, "currency": "USD"},
            {
                "id": "sg-card-intl",
                "country": "SG",
                "method": "card",
                "payer": "international",
                "percent": 4.4,
                "fixed": 0.30,
                "currency": "USD",
            },
            {
                "id": "ng-card",
                "country": "NG",
                "method": "card",
                "percent": 1.5,
                "fixed": 100,
                "currency": "NGN",
                "cap": 2000,
                "waived_fixed_below": 2500,
            },
            {"id": "eea-card", "country": "EEA", "method": "card", "percent": 1.5, "fixed": 0.25, "currency": "EUR"},
        ],
    }
)


def _catalog(meters: list[dict[str, Any]] | None = None) -> Any:
    plan = {"id": "flat", "name": "Flat", "base_usd_month": 20, "meters": meters or []}
    return make_catalog(
        {"provider": "p", "regions": [SG], "services": [{"id": "s", "name": "S", "hosts": ["web_service"], "plans": [plan]}]}
    )


def _revenue(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "subscriptions": [{"price": 5, "per": "user", "paying_fraction": 0.5}],
        "payments": {"processor": "testpay"},
    }
    return base | kw


# --------------------------------------------------------------------------- fees
def test_percent_plus_fixed() -> None:
    rev = Revenue.model_validate({"subscriptions": [{"price": 10}]})
    # 2.9% of $10 + $0.30 = $0.59
    assert fee_usd(_fee(), 10.0, rev) == pytest.approx(0.59)


def test_fixed_part_waived_below_and_fee_capped_in_local_currency() -> None:
    rev = Revenue.model_validate(
        {"currency": "NGN", "per_usd": {"NGN": 1500}, "rates_as_of": "2026-11-30", "subscriptions": [{"price": 1}]}
    )
    fee = PAY.fee("NG", "card", "domestic")
    assert fee is not None
    # $1 = NGN 1,500 < NGN 2,500: the NGN 100 is waived; 1.5% of $1 = $0.015
    assert fee_usd(fee, 1.0, rev) == pytest.approx(0.015)
    # $10 = NGN 15,000: 1.5% = NGN 225, + NGN 100 = NGN 325 = $0.216667
    assert fee_usd(fee, 10.0, rev) == pytest.approx(325 / 1500)
    # $200 = NGN 300,000: NGN 4,500 + 100 = 4,600, capped at NGN 2,000 = $1.3333
    assert fee_usd(fee, 200.0, rev) == pytest.approx(2000 / 1500)


def test_group_fee_covers_its_countries_and_an_exact_country_wins() -> None:
    assert PAY.fee("DE", "card", "domestic").id == "eea-card"  # type: ignore[union-attr]
    assert PAY.fee("SG", "card", "domestic").id == "sg-card"  # type: ignore[union-attr]
    assert PAY.fee("US", "card", "domestic") is None


# --------------------------------------------------------------------------- revenue
def test_revenue_subscriptions_fees_and_ads_by_hand() -> None:
    prof = make_profile(
        activity={"requests_per_user_day": 100, "daily_active_fraction": 0.5},
        revenue=_revenue(ads={"cpm": 2, "page_views_per_user_day": 10}),
    )
    fees = (PAY.fee("SG", "card", "domestic"),)
    paying, subs, ads, fee = revenue_at(prof, 100, fees)  # type: ignore[arg-type]
    assert paying == 50  # 100 users x 0.5
    assert subs == pytest.approx(250)  # 50 x $5
    # one payment of $5 a month each: 2.9% x 5 + 0.30 = $0.445; x 50 = $22.25
    assert fee == pytest.approx(22.25)
    # 100 users x 0.5 active a day x 10 pages x 365/12 days / 1000 x $2 CPM = $30.4167
    assert ads == pytest.approx(100 * 0.5 * 10 * 365 / 12 / 1000 * 2)


def test_yearly_billing_pays_one_fee_a_year() -> None:
    prof = make_profile(
        revenue=_revenue(subscriptions=[{"price": 5, "per": "user", "paying_fraction": 0.5, "billing_months": 12}])
    )
    _, subs, _, fee = revenue_at(prof, 100, (PAY.fee("SG", "card", "domestic"),))  # type: ignore[arg-type]
    assert subs == pytest.approx(250)
    # one $60 payment a year: 2.9% x 60 + 0.30 = $2.04, a twelfth a month, x 50 payers = $8.50
    assert fee == pytest.approx(50 * 2.04 / 12)


def test_international_share_pays_the_international_fee() -> None:
    prof = make_profile(revenue=_revenue(payments={"processor": "testpay", "international_fraction": 0.2}))
    fees = (PAY.fee("SG", "card", "domestic"), PAY.fee("SG", "card", "international"))
    _, _, _, fee = revenue_at(prof, 100, fees)  # type: ignore[arg-type]
    # 0.8 x (0.145 + 0.30) + 0.2 x (0.22 + 0.30) = 0.356 + 0.104 = $0.46 per payment, x 50
    assert fee == pytest.approx(50 * 0.46)


def test_revenue_in_local_currency_is_converted() -> None:
    prof = make_profile(
        revenue={
            "currency": "IDR",
            "per_usd": {"IDR": 16000},
            "rates_as_of": "2026-11-30",
            "subscriptions": [{"price": 480000, "per": "unit"}],
        }
    )
    paying, subs, _, _ = revenue_at(prof, 10)
    assert paying == 10
    assert subs == pytest.approx(10 * 30)  # Rp 480,000 = $30 at 16,000 per USD


# --------------------------------------------------------------------------- over a plan
def _economics(prof: Any, cat: Any) -> Any:
    planner = make_planner(prof, cat)
    return economics_of(prof, make_plan(planner), {"testpay": PAY})


def test_margin_break_even_and_cost_per_paying_user_by_hand() -> None:
    prof = make_profile(scale={"stages": [1, 100]}, revenue=_revenue())
    eco = _economics(prof, _catalog())
    # revenue 2.5/user, fees 0.2225/user, hosting $20 flat: 2.2775 N >= 20 from N = 9 (8.78)
    assert eco.break_even == 9
    assert eco.loss_again is None
    last = eco.stages[-1]
    assert last.units == 100
    assert last.revenue_usd == pytest.approx(250)
    assert last.fees_usd == pytest.approx(22.25)
    assert last.hosting_usd == pytest.approx(20)
    assert last.margin_usd == pytest.approx(207.75)
    assert last.margin == pytest.approx(207.75 / 250)
    assert last.hosting_share == pytest.approx(20 / 250)
    assert last.cost_per_paying_usd == pytest.approx((20 + 22.25) / 50)
    assert last.driver is not None and last.driver.name == "payment fees"  # $22.25 > $20
    assert last.driver.share == pytest.approx(22.25 / 42.25)
    first = eco.stages[0]
    assert first.margin_usd == pytest.approx(2.2775 - 20)


def test_margin_that_turns_negative_again_is_found_exactly() -> None:
    # beyond 50 monthly active users each costs $3 > the $2.2775 a user leaves after fees
    meter = {
        "metric": "monthly_active_users",
        "unit": "user",
        "tiers": [{"up_to": 50, "usd_per_unit": 0}, {"usd_per_unit": 3}],
    }
    prof = make_profile(scale={"stages": [1, 300]}, revenue=_revenue())
    eco = _economics(prof, _catalog([meter]))
    assert eco.break_even == 9
    # margin(N) = 2.2775 N - 20 - 3 (N - 50): 93.875 - 0.7225 (N - 50) < 0 from N - 50 = 130
    assert eco.loss_again == 180


def test_every_unit_agrees_with_the_break_even_found() -> None:
    prof = make_profile(scale={"stages": [1, 300]}, revenue=_revenue())
    planner = make_planner(prof, _catalog())
    pl = make_plan(planner)
    eco = economics_of(prof, pl, {"testpay": PAY})
    margins = [(u, revenue_at(prof, u, eco.fees)) for u in range(1, 301)]
    first = next(u for u, (_, s, a, f) in margins if s + a - f - pl.stack_at(u).monthly_usd >= 0)
    assert eco.break_even == first


def test_totals_along_a_growth_curve() -> None:
    prof = make_profile(
        scale={"growth": {"start": 10, "monthly_added": 10, "horizon_months": 24}}, revenue=_revenue()
    )
    eco = _economics(prof, _catalog())
    t12, t24 = eco.totals
    assert (t12.months, t24.months) == (12, 24)
    assert t12.hosting_usd == pytest.approx(12 * 20)
    assert t24.hosting_usd == pytest.approx(24 * 20)
    assert t12.migrations_usd == 0
    # users 10, 20, ... 120 in months 0..11: sum 780 users-months x $2.5
    assert t12.revenue_usd == pytest.approx(780 * 2.5)
    assert t12.fees_usd == pytest.approx(780 * 0.2225)
    assert eco.totals_missing is None


def test_stages_without_growth_say_why_there_are_no_totals() -> None:
    eco = _economics(make_profile(revenue=_revenue()), _catalog())
    assert eco.totals == ()
    assert eco.totals_missing and "scale.growth" in eco.totals_missing


def test_without_revenue_costs_and_driver_only() -> None:
    eco = _economics(make_profile(), _catalog())
    assert not eco.has_revenue
    assert eco.break_even is None
    assert eco.stages[-1].margin is None
    assert eco.stages[-1].driver is not None and eco.stages[-1].driver.share == pytest.approx(1.0)


# --------------------------------------------------------------------------- input errors
def test_currency_without_rate_is_refused() -> None:
    from tierplan.errors import InputError as Err

    with pytest.raises(Err, match="per_usd"):
        make_profile(revenue={"currency": "IDR", "subscriptions": [{"price": 1}]})


def test_unknown_currency_code_is_refused() -> None:
    with pytest.raises(InputError, match="ISO 4217"):
        make_profile(revenue={"currency": "RUPIAH", "subscriptions": [{"price": 1}]})


def test_unknown_processor_and_missing_fee_name_the_key() -> None:
    from tierplan.economics import check_revenue

    prof = make_profile(revenue=_revenue(payments={"processor": "testpai"}))
    with pytest.raises(InputError) as e:
        check_revenue(prof, {"testpay": PAY})
    assert "revenue.payments.processor" in str(e.value) and "testpay" in str(e.value)
    prof = make_profile(revenue=_revenue(payments={"processor": "testpay", "method": "qr"}))
    with pytest.raises(InputError) as e:
        check_revenue(prof, {"testpay": PAY})
    assert "revenue.payments.method" in str(e.value)
    prof = make_profile(revenue=_revenue(payments={"processor": "testpay", "country": "NG"}))
    with pytest.raises(InputError) as e:  # the NGN fee needs an NGN rate
        check_revenue(prof, {"testpay": PAY})
    assert "revenue.per_usd" in str(e.value) and "NGN" in str(e.value)
