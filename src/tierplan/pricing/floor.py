"""A cost an option can never go below, at any scale (to skip options that cannot win)."""

from __future__ import annotations

from ..metrics import HOURS_PER_MONTH
from .model import Context, Option, required_plan
from .prices import resolve_price

__all__ = ["cost_floor"]


def cost_floor(opt: Option, ctx: Context, active_hours_per_month: float) -> float:
    """A cost the option can never go below at any scale: its flat fees, and its minimum number of
    instances running at least the active hours. Used to skip options that cannot win."""
    plan = opt.plan.plan
    fees = 0.0
    for price in (plan.base_usd_month, opt.addon.base_usd_month if opt.addon else 0.0):
        v = resolve_price(price, opt.region, ctx.country)
        fees += v or 0.0
    if plan.requires is not None:
        fees += resolve_price(required_plan(opt).base_usd_month, opt.region, ctx.country) or 0.0
    if "seat_usd_month" in plan.model_fields_set:
        fees += (resolve_price(plan.seat_usd_month, opt.region, ctx.country) or 0.0) * ctx.seats
    acct = opt.plan.account
    if acct is not None:
        fees += resolve_price(acct.base_usd_month, opt.region, ctx.country) or 0.0
        if "seat_usd_month" in acct.model_fields_set:
            fees += (resolve_price(acct.seat_usd_month, opt.region, ctx.country) or 0.0) * ctx.seats
    usage = 0.0
    if plan.instances is not None and opt.size is not None:
        hourly = opt.hourly_price(ctx.country)
        if hourly:
            usage = plan.instances.min_count * hourly * min(HOURS_PER_MONTH, active_hours_per_month)
    covered = max(0.0, usage - plan.usage_credit_usd_month - (acct.usage_credit_usd_month if acct else 0.0))
    return max(fees + covered, plan.minimum_usd_month)
