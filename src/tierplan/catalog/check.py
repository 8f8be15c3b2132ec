"""`tierplan catalog check`: beyond the schema (checked on load), flag stale and unknown entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..clock import today as clock_today
from .loader import Catalog

__all__ = ["CheckResult", "check_catalog"]


@dataclass
class CheckResult:
    providers: int
    plans: int
    files: list[str]
    today: dt.date
    max_age_months: int
    stale: list[tuple[str, str, dt.date]] = field(default_factory=list)  # (plan key, what, as_of)
    unknown_prices: list[tuple[str, str]] = field(default_factory=list)  # (plan key, what)
    unavailable: list[str] = field(default_factory=list)


def _months_between(a: dt.date, b: dt.date) -> float:
    return (b.year - a.year) * 12 + (b.month - a.month) + (b.day - a.day) / 31


def check_catalog(cat: Catalog, max_age_months: int = 12, today: dt.date | None = None) -> CheckResult:
    today = today or clock_today()
    res = CheckResult(
        len(cat.providers), len(cat.plans), [str(p) for p in cat.files.values()], today, max_age_months
    )
    for ref in cat.plans:
        plan = ref.plan
        if not plan.available:
            res.unavailable.append(ref.key)
            continue  # legacy entries are kept on purpose; their date is when they were last sold
        if _months_between(ref.as_of, today) > max_age_months:
            res.stale.append((ref.key, "plan", ref.as_of))
        for m in plan.meters:
            if m.as_of and _months_between(m.as_of, today) > max_age_months:
                res.stale.append((ref.key, f"meter {m.metric}", m.as_of))
            for i, t in enumerate(m.tiers):
                if t.usd_per_unit is None or (
                    isinstance(t.usd_per_unit, dict) and any(v is None for v in t.usd_per_unit.values())
                ):
                    res.unknown_prices.append((ref.key, f"meter {m.metric} tier {i + 1}"))
        if plan.base_usd_month is None:
            res.unknown_prices.append((ref.key, "plan fee"))
        if plan.instances:
            for s in plan.instances.sizes:
                if s.as_of and _months_between(s.as_of, today) > max_age_months:
                    res.stale.append((ref.key, f"size {s.id}", s.as_of))
                price = s.usd_per_hour if "usd_per_hour" in s.model_fields_set else s.usd_per_month
                if price is None:
                    res.unknown_prices.append((ref.key, f"size {s.id}"))
    for proc in cat.payments.values():
        for fee in proc.fees:
            as_of = fee.as_of or proc.as_of
            if as_of is not None and _months_between(as_of, today) > max_age_months:
                res.stale.append((f"payments/{proc.processor}/{fee.id}", "payment fee", as_of))
    return res
