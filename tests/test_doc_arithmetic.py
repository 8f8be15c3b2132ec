"""Arithmetic written out in a plan's prose (audit/doc_arithmetic.py, issue 12): hand-computed
formulas, both number conventions, what is not arithmetic, and a property over random products."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tierplan.audit.doc_arithmetic import arithmetic_slips, evaluate, read_number, yearly_slips


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,018.56", 1018.56), ("1.018,56", 1018.56), ("0,106", 0.106), ("0.106", 0.106), ("300.000", 300000.0),
     ("2,000", 2000.0), ("15,90", 15.9), ("7", 7.0)],
)
def test_numbers_in_either_convention(text: str, value: float) -> None:
    assert read_number(text) == pytest.approx(value)


def _slips(text: str) -> list[tuple[float, float]]:
    return [(s.computed, s.result) for s in arithmetic_slips([(1, text)])]


def test_a_product_that_does_not_compute() -> None:
    # 2 x $7 = $14, stated $16; 8 x $0.35 = $2.80, stated $3.20 (the unit after the slash is not a division)
    assert _slips("- api: Render Starter, 2 instances: 2 x $7 = $16") == [(14.0, 16.0)]
    assert _slips("- database storage: 8 GB x $0.35/GB-month = $3.20") == [(pytest.approx(2.8), 3.2)]
    assert _slips("- api: Render Starter, 2 instances: 2 x $7 = $14") == []


def test_a_labelled_result_may_end_one_formula_and_start_the_next() -> None:
    # "(API)" closes 2 x 6.70 = 13.40; the worker's 1 x 3.69 = 3.69 is a formula of its own
    assert _slips("- Stage 2: 2 × $6.70 = $13.40 (API) + 1 × $3.69 = $3.69 (worker)") == []
    assert _slips("- Stage 2: 2 × $6.70 = $13.40 (API) + 1 × $3.69 = $4.69 (worker)") == [(13.4, 4.69)]
    # a label on an addend: 30 + 3 x 40 = 150 is read whole, and a wrong sum is still a slip
    assert _slips("- Stage 3: $30 (base) + 3 × $40 = $150") == []
    assert _slips("- Stage 3: $30 (base) + 3 × $40 = $170") == [(150.0, 170.0)]


def test_chains_sums_and_the_portuguese_convention() -> None:
    # 0.5 x 300 = 150; 150 x 0.106 = 15.90
    assert _slips("- Neon Launch: 0,5 CU × 300 h = 150 CU-horas × US$ 0,106 = US$ 15,90") == []
    assert _slips("- Neon Launch: 0,5 CU × 300 h = 150 CU-horas × US$ 0,106 = US$ 16,90") == [
        (pytest.approx(15.9), 16.9)
    ]
    # 20 + 250 x 0.90 = 245
    assert _slips("- Resend Pro: 300.000 e-mails = US$ 20 + 250 × US$ 0,90 = US$ 245,00 (R$ 1.323,00)") == []
    assert _slips("Per customer: $273.50 / 500 = $0.547. Yearly: 12 x $273.50 = $3,282.00.") == []
    assert _slips("Per customer: $273.50 / 500 = $0.547. Yearly: 12 x $273.50 = $3,182.00.") == [
        (pytest.approx(3282.0), 3182.0)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Com US$ 1 = R$ 6,00 a fase 3 iria para R$ 1.800",  # a conversion
        "- 100k users: Additional Redis tier ($10/month) = $79/month",  # a restatement
        "│ Gunicorn 1w/2t │ concurrency =1 │",  # a diagram
        "| api | 2 x $7 | = $16 |",  # a table row: checked as a table
        "$30 + 3 × $40 + 8 × ($60-90) = $500",  # a range
        "Fees: 2.9% + $0.30 = $3.20 per $100",  # a percentage
        "max 3 workers = 3 x 1 GB",  # words, not factors
    ],
)
def test_what_is_not_checked(text: str) -> None:
    assert _slips(text) == []


def test_monthly_and_yearly_on_one_line() -> None:
    assert [(s.computed, s.result) for s in yearly_slips([(1, "$90.13 a month, or $1,018.56 a year")])] == [
        (pytest.approx(1081.56), 1018.56)
    ]
    assert yearly_slips([(1, "$90.13 a month, or $1,081.56 a year")]) == []
    assert yearly_slips([(1, "US$ 174,30 por mês, US$ 2.091,60 por ano")]) == []


@given(st.integers(1, 500), st.integers(1, 100_000), st.integers(-40, 40))
def test_a_product_is_checked_exactly(n: int, cents: int, off_percent: int) -> None:
    """n x $p = $r is flagged exactly when r differs from n x p by more than the 1% rounding margin."""
    price = cents / 100
    stated = round(n * price * (1 + off_percent / 100), 2)
    found = _slips(f"- api: {n} x ${price:.2f} = ${stated:.2f}")
    assert evaluate(f"{n} x ${price:.2f}") == (pytest.approx(n * price), n)
    true = n * price
    assert bool(found) == (abs(stated - true) > max(0.01 * max(true, stated), 0.005))


def test_a_count_at_a_price_each_then_the_product() -> None:
    from tierplan.audit.doc_arithmetic import each_slips

    [slip] = each_slips([(1, "two Standard instances at $25 each, so $60 a month")])
    assert (slip.computed, slip.result) == (50, 60)
    [slip] = each_slips([(2, "deux instances Standard à $25 chacune, soit $60 par mois")])
    assert slip.computed == 50
    assert each_slips([(3, "three machines at $7 each, so $21")]) == []


def test_division_and_rupees() -> None:
    [slip] = arithmetic_slips([(1, "₹7,110 ÷ 3,000 families = about ₹23.7 per family a month")])
    assert slip.computed == pytest.approx(2.37)


def test_a_product_written_in_a_larger_unit_of_size() -> None:
    # 4,000 x 22.5 MB = 90,000 MB = 90 GB (or 87.9 GiB-style 1,024 steps)
    assert _slips("- 4,000 relayed minutes × 22.5 MB = 90 GB") == []
    assert _slips("- 4,000 relayed minutes × 22.5 MB = 87.9 GB") == []
    assert _slips("- 4,000 relayed minutes × 22.5 MB = 900 GB") == [(90000.0, 900.0)]
    assert _slips("- 4,000 relayed minutes × 22.5 MB = 90 MB") == [(90000.0, 90.0)]
