"""Prices: a catalog price resolved for a region and a country, graduated tiers, quantities in words."""

from __future__ import annotations

import math

from ..catalog.models import Meter, Price, Region

__all__ = ["EPS", "resolve_price", "tiered_cost", "fmt_quantity"]

EPS = 1e-9


def resolve_price(price: Price, region: Region | None, country: str) -> float | None:
    """A number, None (unknown) or a mapping keyed by region id, group, country:XX, default."""
    if price is None or isinstance(price, int | float):
        return None if price is None else float(price)
    for key in (
        region.id if region else None,
        region.group if region else None,
        f"country:{country}",
        "default",
    ):
        if key is not None and key in price:
            v = price[key]
            return None if v is None else float(v)
    return None


def tiered_cost(meter: Meter, q: float, region: Region | None, country: str) -> tuple[float | None, int, str]:
    """Cost of q metric units through graduated tiers; (usd or None, top tier index, detail)."""
    cost = 0.0
    lower = 0.0
    top = 0
    parts: list[str] = []
    for i, t in enumerate(meter.tiers):
        upper = math.inf if t.up_to is None else t.up_to
        if q <= lower + EPS and i > 0:
            break
        in_tier = max(0.0, min(q, upper) - lower)
        top = i
        if in_tier > 0:
            price = resolve_price(t.usd_per_unit, region, country)
            if price is None:
                return None, i, f"price unknown beyond {fmt_quantity(lower)} {meter.unit}"
            c = in_tier / meter.unit_size * price
            cost += c
            if price == 0:
                parts.append(f"{fmt_quantity(in_tier)} free")
            else:
                parts.append(f"{fmt_quantity(in_tier / meter.unit_size)} x ${price:g}")
        lower = upper
        if q <= upper:
            break
    return cost, top, " + ".join(parts)


def fmt_quantity(x: float) -> str:
    """A quantity for cost-line details: 2M, 1,500, 0.25, 1,234.5."""
    if x >= 1e6 and x % 1e6 == 0:
        return f"{x / 1e6:g}M"
    if abs(x - round(x)) < 1e-9:
        return f"{int(round(x)):,}"
    return f"{x:,.3g}" if x < 100 else f"{x:,.1f}"
