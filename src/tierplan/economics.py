"""Unit economics of a plan: what the app earns at each scale, what it pays (hosting and the fees
of taking payments), the margin, the first unit where revenue covers the bill (break-even), the
cost per paying customer, 12- and 24-month totals along the growth curve, and the dominant cost.

Pure functions over the profile, the catalog's payment processors and the engine's ``Plan``
(``Plan.stack_at`` prices the plan's own stack at any unit). Money is USD per month unless named;
``revenue.currency`` amounts are converted once, with the profile's rates (``revenue.per_usd``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .catalog.payments import PaymentFee, PaymentProcessor
from .engine.planner import StackPoint
from .engine.result import Plan, StackDoesNotFit
from .engine.scale import first_true
from .errors import InputError, Problem
from .metrics import DAYS_PER_MONTH
from .profile import Profile, Revenue, Subscription, month_at_units, units_at_month

__all__ = [
    "Money",
    "Driver",
    "Totals",
    "Economics",
    "fee_usd",
    "revenue_at",
    "economics_of",
    "money_at",
    "payment_fees",
    "check_revenue",
]


@dataclass(frozen=True)
class Driver:
    """The largest line of the monthly bill: a component (with its provider) or payment fees."""

    name: str
    monthly_usd: float
    #: of the whole bill (hosting + fees)
    share: float


@dataclass(frozen=True)
class Money:
    """Revenue and costs at one scale (USD a month)."""

    units: int
    users: float
    month: float | None
    #: customers paying a subscription (units or users, by each subscription's `per`)
    paying: float
    subscriptions_usd: float
    ads_usd: float
    fees_usd: float
    hosting_usd: float
    driver: Driver | None

    @property
    def revenue_usd(self) -> float:
        return self.subscriptions_usd + self.ads_usd

    @property
    def margin_usd(self) -> float:
        return self.revenue_usd - self.hosting_usd - self.fees_usd

    @property
    def margin(self) -> float | None:
        """The margin as a fraction of revenue (None without revenue)."""
        return self.margin_usd / self.revenue_usd if self.revenue_usd > 0 else None

    @property
    def hosting_share(self) -> float | None:
        """Hosting as a fraction of revenue (None without revenue)."""
        return self.hosting_usd / self.revenue_usd if self.revenue_usd > 0 else None

    @property
    def cost_per_paying_usd(self) -> float | None:
        """Hosting and fees per paying customer (None without paying customers)."""
        return (self.hosting_usd + self.fees_usd) / self.paying if self.paying > 0 else None


@dataclass(frozen=True)
class Totals:
    """Spend over the first ``months`` months of the growth curve: hosting month by month, the
    one-time cost of every move that falls inside, fees and revenue."""

    months: int
    hosting_usd: float
    migrations_usd: float
    fees_usd: float
    revenue_usd: float

    @property
    def spend_usd(self) -> float:
        """Hosting and migrations (the JSON's ``months_12_usd`` / ``months_24_usd``)."""
        return self.hosting_usd + self.migrations_usd

    @property
    def margin_usd(self) -> float:
        return self.revenue_usd - self.hosting_usd - self.migrations_usd - self.fees_usd


@dataclass(frozen=True)
class Economics:
    currency: str
    #: the revenue block's exchange rates and their date (None for a USD-only profile)
    per_usd: dict[str, float]
    rates_as_of: str | None
    #: the payment fees applied (domestic, international), None without payments
    fees: tuple[PaymentFee, ...]
    processor: str | None
    #: each stage, and each phase's first and last unit
    stages: tuple[Money, ...]
    phases: tuple[tuple[Money, Money], ...]
    #: the first unit where revenue covers hosting and fees (searched from one unit: below the plan's
    #: first unit, on the first phase's stack); None when it does not within the plan
    break_even: int | None
    #: after break-even, the first unit where the margin is negative again (None: it stays positive)
    loss_again: int | None
    totals: tuple[Totals, ...]
    #: why there are no totals (no growth curve), else None
    totals_missing: str | None
    has_revenue: bool


# --------------------------------------------------------------------------- fees
def fee_usd(fee: PaymentFee, amount_usd: float, revenue: Revenue) -> float:
    """What ``fee`` keeps of one payment of ``amount_usd``: percent of the amount plus the fixed
    part (waived below ``waived_fixed_below``), at most ``cap``; the fee's own currency converted
    with the profile's rates."""
    rate = _rate(revenue, fee.currency)
    fixed = fee.fixed / rate
    if fee.waived_fixed_below is not None and amount_usd < fee.waived_fixed_below / rate:
        fixed = 0.0
    total = fee.percent / 100.0 * amount_usd + fixed
    if fee.cap is not None:
        total = min(total, fee.cap / rate)
    return total


def _rate(revenue: Revenue, currency: str) -> float:
    if currency == "USD":
        return 1.0
    if currency not in revenue.per_usd:
        raise _problem(
            "revenue.per_usd",
            f"the payment processor's fee is in {currency}, which has no exchange rate here",
            f"add revenue.per_usd: {{{currency}: <units per US dollar>}}",
        )
    return revenue.per_usd[currency]


def _problem(key: str, message: str, hint: str | None = None) -> InputError:
    """A problem of the profile found after validation; the caller names the file and the line
    (InputError.located)."""
    return InputError("<profile>", [Problem(key, message)], hint=hint)


def check_revenue(profile: Profile, processors: dict[str, PaymentProcessor]) -> None:
    """The revenue block against the catalog and the components: its processor and fees exist,
    every currency they use has a rate, and advertising has page views to count."""
    rev = profile.revenue
    if rev is None:
        return
    payment_fees(profile, processors)
    if rev.ads is not None and rev.ads.page_views_per_user_day is None and _frontend_page_views(profile) is None:
        raise _problem(
            "revenue.ads.page_views_per_user_day",
            "advertising needs page views: give page_views_per_user_day (the profile has no web_frontend to take them from)",
        )


def _frontend_page_views(profile: Profile) -> float | None:
    from .profile import WebFrontend

    return next((c.page_views_per_user_day for c in profile.components.values() if isinstance(c, WebFrontend)), None)


def payment_fees(profile: Profile, processors: dict[str, PaymentProcessor]) -> tuple[PaymentFee, ...]:
    """The domestic fee, and the international one when some payments come from abroad, that the
    profile's payments pay (none without them); the merchant is in ``payments.country``, else
    in the audience's largest country. An InputError names what the catalog lacks."""
    revenue = profile.revenue
    pay = revenue.payments if revenue is not None else None
    if revenue is None or pay is None:
        return ()
    proc = processors.get(pay.processor)
    if proc is None:
        import difflib

        near = difflib.get_close_matches(pay.processor, list(processors), n=1)
        raise _problem(
            "revenue.payments.processor",
            f"{pay.processor!r} is not a payment processor of the catalog"
            + (f" (did you mean {near[0]!r}?)" if near else ""),
            f"known processors: {', '.join(sorted(processors)) or 'none'}",
        )
    country = pay.country or profile.audience.main_country
    out = []
    payers = ["domestic"] + (["international"] if pay.international_fraction > 0 else [])
    for payer in payers:
        fee = proc.fee(country, pay.method, payer)
        if fee is None:
            offered = sorted({f"{f.country} {f.method} ({f.payer})" for f in proc.fees})
            raise _problem(
                "revenue.payments.method" if any(f.covers(country) for f in proc.fees) else "revenue.payments.country",
                f"{proc.name} has no {payer} {pay.method} fee for a merchant in {country} in the catalog",
                "the catalog has: " + ", ".join(offered),
            )
        _rate(revenue, fee.currency)
        out.append(fee.model_copy(update={"source": fee.source or proc.source, "as_of": fee.as_of or proc.as_of}))
    return tuple(out)


# --------------------------------------------------------------------------- revenue at a scale
def _paying(sub: Subscription, units: float, users: float) -> float:
    return (units if sub.per == "unit" else users) * sub.paying_fraction


def revenue_at(
    profile: Profile, units: float, fees: tuple[PaymentFee, ...] = ()
) -> tuple[float, float, float, float]:
    """(paying customers, subscriptions USD, ads USD, payment fees USD) a month at ``units``."""
    rev = profile.revenue
    if rev is None:
        return 0.0, 0.0, 0.0, 0.0
    users = units * profile.scale.users_per_unit
    paying = subs = fees_usd = 0.0
    intl = rev.payments.international_fraction if rev.payments else 0.0
    for sub in rev.subscriptions:
        n = _paying(sub, units, users)
        price_usd = rev.usd(sub.price)
        paying += n
        subs += n * price_usd
        if fees:
            amount = price_usd * sub.billing_months
            per_payment = (1 - intl) * fee_usd(fees[0], amount, rev)
            if intl > 0:
                per_payment += intl * fee_usd(fees[1], amount, rev)
            fees_usd += n / sub.billing_months * per_payment
    ads = 0.0
    if rev.ads is not None:
        a = rev.ads
        pv = a.page_views_per_user_day
        if pv is None:
            pv = _frontend_page_views(profile) or 0.0
        impressions = users * a.users_fraction * profile.activity.daily_active_fraction * pv * DAYS_PER_MONTH * a.ads_per_page * a.fill_rate
        ads = impressions / 1000.0 * rev.usd(a.cpm)
    return paying, subs, ads, fees_usd


# --------------------------------------------------------------------------- at one scale
def money_at(profile: Profile, pt: StackPoint, fees: tuple[PaymentFee, ...]) -> Money:
    """Revenue and costs of the stack ``pt`` (priced at its scale), with its largest line."""
    units = pt.scale
    paying, subs, ads, fee = revenue_at(profile, units, fees)
    hosting = pt.monthly_usd
    bill = hosting + fee
    driver = None
    if bill > 0:
        c, ev = max(pt.choices.items(), key=lambda x: x[1].monthly_usd or 0.0)
        usd = ev.monthly_usd or 0.0
        driver = (
            Driver("payment fees", fee, fee / bill)
            if fee > usd
            else Driver(f"{c} on {ev.option.plan.provider.name}", usd, usd / bill)
        )
    g = profile.scale.growth
    month = pt.month if pt.month is not None else (month_at_units(g, units) if g else None)
    return Money(units, units * profile.scale.users_per_unit, month, paying, subs, ads, fee, hosting, driver)


# --------------------------------------------------------------------------- over the plan
def economics_of(profile: Profile, plan: Plan, processors: dict[str, PaymentProcessor]) -> Economics:
    """The plan's unit economics (see the module docstring)."""
    rev = profile.revenue
    fees = payment_fees(profile, processors)

    def money(units: int) -> Money:
        return money_at(profile, plan.stack_at(units), fees)

    stage_units = profile.scale.stages or [plan.first, plan.last]
    stages = tuple(money(u) for u in stage_units if plan.first <= u <= plan.last)
    phases = tuple((money(ph.start), money(ph.end if ph.end is not None else ph.last_scale)) for ph in plan.phases)
    has_revenue = rev is not None
    break_even, loss_again = _break_even(plan, money) if has_revenue else (None, None)
    totals: tuple[Totals, ...] = ()
    missing = None
    if profile.scale.growth is None:
        missing = "12- and 24-month totals need a growth curve (scale.growth) to know the scale each month"
    else:
        totals = tuple(_totals(profile, plan, months, money) for months in (12, 24))
    return Economics(
        currency=rev.currency if rev else "USD",
        per_usd=dict(rev.per_usd) if rev else {},
        rates_as_of=rev.rates_as_of.isoformat() if rev and rev.rates_as_of else None,
        fees=fees,
        processor=rev.payments.processor if rev and rev.payments else None,
        stages=stages,
        phases=phases,
        break_even=break_even,
        loss_again=loss_again,
        totals=totals,
        totals_missing=missing,
        has_revenue=has_revenue,
    )


#: points per phase at which the margin is evaluated before bisecting to the exact unit
_GRID = 24


def _break_even(plan: Plan, money: Callable[[int], Money]) -> tuple[int | None, int | None]:
    """The first unit where revenue covers hosting and fees, and the first unit after it where it
    no longer does. The margin is evaluated at every phase's first and last unit and on a
    geometric grid inside each phase, then bisected to the unit between the last grid point that
    fails and the first that holds (exact where the margin changes sign once between grid points:
    inside a phase revenue grows linearly and the bill follows the same stack's prices)."""
    grid: set[int] = set()
    for i, ph in enumerate(plan.phases):
        # the first phase's stack is searched from one unit: break-even may come before the plan's
        # first stage
        lo, hi = (1 if i == 0 else ph.start), ph.end if ph.end is not None else ph.last_scale
        grid.update((lo, hi))
        for k in range(1, _GRID):
            grid.add(int(round(lo * (hi / lo) ** (k / _GRID))) if lo > 0 else lo + (hi - lo) * k // _GRID)
    points = sorted(u for u in grid if 1 <= u <= plan.last)
    cache: dict[int, bool] = {}

    def covered(u: int) -> bool:
        if u not in cache:
            try:
                cache[u] = money(u).margin_usd >= -1e-9
            except StackDoesNotFit:
                cache[u] = False
        return cache[u]

    start = next((i for i, u in enumerate(points) if covered(u)), None)
    if start is None:
        return None, None
    even = points[0] if start == 0 else first_true(points[start - 1], points[start], covered)
    after = next((i for i in range(start, len(points)) if not covered(points[i])), None)
    if after is None:
        return even, None
    again = first_true(points[after - 1], points[after], lambda u: not covered(u))
    return even, again


def _totals(profile: Profile, plan: Plan, months: int, money: Callable[[int], Money]) -> Totals:
    """Month by month along the growth curve (the scale at the start of each month, within the
    plan's range), plus the one-time cost of each move entered before ``months``."""
    g = profile.scale.growth
    assert g is not None
    hosting = fees = revenue = 0.0
    for m in range(months):
        units = min(max(int(round(units_at_month(g, m))), plan.first), plan.last)
        x = money(units)
        hosting += x.hosting_usd
        fees += x.fees_usd
        revenue += x.revenue_usd
    migrations = sum(
        ph.move.migration_usd
        for ph in plan.phases
        if ph.move is not None and month_at_units(g, ph.start) < months
    )
    return Totals(months, hosting, migrations, fees, revenue)
