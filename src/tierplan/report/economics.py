"""The ``economics`` part of the JSON contract: the plan's unit economics (economics.py) as plain
data, and the sentence that names the dominant cost. Renderers read only this."""

from __future__ import annotations

from typing import Any

from ..economics import Economics, Money
from ..units import count, plural
from .fmt import fmt_num, money
from .fmt import rounded as _r

__all__ = ["economics_dict", "point_economics", "driver_sentence", "economics_table", "economics_notes", "point_line"]


def point_economics(m: Money, currency: str, has_revenue: bool) -> dict[str, Any]:
    """The economics of one scale (`plan --at N`): the same figures as a stage of the plan."""
    return {"currency": currency, "has_revenue": has_revenue} | _money(m)


def point_line(e: dict[str, Any]) -> str:
    """One sentence for `plan --at N`: revenue, fees, margin."""
    if not e["has_revenue"]:
        return f"Largest cost: {e['driver']['name']} ({_pct(e['driver']['share'])} of the bill)." if e["driver"] else ""
    return (
        f"Revenue {money(e['revenue_usd'])}/month ({e['paying']:,.1f} paying), hosting {money(e['hosting_usd'])}, "
        f"payment fees {money(e['fees_usd'])}: margin {money(e['margin_usd'])} ({_pct(e['margin'])} of revenue)."
    )


def _money(m: Money) -> dict[str, Any]:
    return {
        "scale": m.units,
        "users": _r(m.users, 2),
        "month": _r(m.month, 2),
        "paying": _r(m.paying, 2),
        "subscriptions_usd": _r(m.subscriptions_usd),
        "ads_usd": _r(m.ads_usd),
        "revenue_usd": _r(m.revenue_usd),
        "hosting_usd": _r(m.hosting_usd),
        "fees_usd": _r(m.fees_usd),
        "margin_usd": _r(m.margin_usd),
        "margin": _r(m.margin),
        "hosting_share": _r(m.hosting_share),
        "cost_per_paying_usd": _r(m.cost_per_paying_usd),
        "driver": (
            None
            if m.driver is None
            else {"name": m.driver.name, "monthly_usd": _r(m.driver.monthly_usd), "share": _r(m.driver.share)}
        ),
    }


def driver_sentence(money: dict[str, Any], unit: str) -> str | None:
    """"db (Neon) is 62% of the bill at 500 cooperatives" from one point of the economics."""
    d = money.get("driver")
    if not d:
        return None
    verb = "are" if d["name"] == "payment fees" else "is"
    return f"{d['name']} {verb} {d['share'] * 100:.0f}% of the bill at {count(money['scale'], unit)}"


def economics_dict(eco: Economics, unit: str) -> dict[str, Any]:
    """The JSON contract's ``economics``: currency and rates, the fees applied, each stage and each
    phase's start and end, break-even, the 12- and 24-month totals and the dominant cost."""
    by_month = {t.months: t for t in eco.totals}
    last = eco.stages[-1] if eco.stages else None
    phases = []
    for i, (a, b) in enumerate(eco.phases):
        phases.append(
            {
                "index": i + 1,
                "from": a.units,
                "to": b.units,
                "revenue_usd_start": _r(a.revenue_usd),
                "revenue_usd_end": _r(b.revenue_usd),
                "hosting_usd_start": _r(a.hosting_usd),
                "hosting_usd_end": _r(b.hosting_usd),
                "fees_usd_start": _r(a.fees_usd),
                "fees_usd_end": _r(b.fees_usd),
                "margin_usd_start": _r(a.margin_usd),
                "margin_usd_end": _r(b.margin_usd),
                "margin_start": _r(a.margin),
                "margin_end": _r(b.margin),
                "hosting_share_start": _r(a.hosting_share),
                "hosting_share_end": _r(b.hosting_share),
                "start": _money(a),
                "end": _money(b),
            }
        )
    stages = [_money(m) for m in eco.stages]
    return {
        "currency": eco.currency,
        "per_usd": eco.per_usd,
        "rates_as_of": eco.rates_as_of,
        "has_revenue": eco.has_revenue,
        "processor": eco.processor,
        "fees": [
            {
                "id": f.id,
                "country": f.country,
                "method": f.method,
                "payer": f.payer,
                "percent": f.percent,
                "fixed": f.fixed,
                "currency": f.currency,
                "cap": f.cap,
                "waived_fixed_below": f.waived_fixed_below,
                "includes_vat": f.includes_vat,
                "source": f.source,
                "as_of": f.as_of.isoformat() if f.as_of else None,
            }
            for f in eco.fees
        ],
        "break_even_scale": eco.break_even,
        "loss_again_scale": eco.loss_again,
        "stages": stages,
        "phases": phases,
        "totals": {
            "months_12_usd": _r(by_month[12].spend_usd) if 12 in by_month else None,
            "months_24_usd": _r(by_month[24].spend_usd) if 24 in by_month else None,
            "missing": eco.totals_missing,
            "detail": [
                {
                    "months": t.months,
                    "hosting_usd": _r(t.hosting_usd),
                    "migrations_usd": _r(t.migrations_usd),
                    "fees_usd": _r(t.fees_usd),
                    "revenue_usd": _r(t.revenue_usd),
                    "margin_usd": _r(t.margin_usd),
                }
                for t in eco.totals
            ],
        },
        "dominant_cost": driver_sentence(stages[-1], unit) if last is not None else None,
    }


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f}%"


def economics_table(eco: dict[str, Any], unit: str) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the economics table, one row per stage (plain strings; both the terminal
    and Markdown render them)."""
    heads = [plural(unit)]
    rev = eco["has_revenue"]
    if rev:
        heads += ["paying", "revenue", "hosting", "fees", "margin", "margin %", "hosting % of revenue", "cost per paying"]
    else:
        heads += ["hosting"]
    heads.append("largest cost")
    rows = []
    for m in eco["stages"]:
        row = [fmt_num(m["scale"])]
        if rev:
            row += [
                fmt_num(round(m["paying"], 1)),
                money(m["revenue_usd"]),
                money(m["hosting_usd"]),
                money(m["fees_usd"]),
                money(m["margin_usd"]),
                _pct(m["margin"]),
                _pct(m["hosting_share"]),
                money(m["cost_per_paying_usd"]) if m["cost_per_paying_usd"] is not None else "—",
            ]
        else:
            row.append(money(m["hosting_usd"]))
        d = m["driver"]
        row.append(f"{d['name']} {_pct(d['share'])}" if d else "—")
        rows.append(row)
    return heads, rows


def economics_notes(eco: dict[str, Any], unit: str) -> list[str]:
    """The sentences under the table: rates, fees, break-even, phases' margins, totals."""
    out = []
    if eco["per_usd"]:
        rates = ", ".join(f"{c} {v:,.2f}" for c, v in eco["per_usd"].items())
        out.append(f"Exchange rates (units per US dollar, as of {eco['rates_as_of']}): {rates}.")
    for f in eco["fees"]:
        fixed = f" + {f['currency']} {f['fixed']:,.2f}" if f["fixed"] else ""
        cap = f", at most {f['currency']} {f['cap']:,.2f}" if f["cap"] is not None else ""
        waived = f", fixed part waived below {f['currency']} {f['waived_fixed_below']:,.2f}" if f["waived_fixed_below"] is not None else ""
        out.append(
            f"Payment fee ({eco['processor']}, {f['country']} {f['method']}, {f['payer']} payers): "
            f"{f['percent']:g}%{fixed}{cap}{waived} per payment (source: {f['source']}, as of {f['as_of']})."
        )
    if eco["has_revenue"]:
        be = eco["break_even_scale"]
        if be is None:
            out.append("Break-even: revenue does not cover hosting and fees anywhere within the plan.")
        else:
            out.append(f"Break-even: from {count(be, unit)} revenue covers hosting and fees.")
        if eco["loss_again_scale"] is not None:
            out.append(f"The margin turns negative again from {count(eco['loss_again_scale'], unit)}.")
        for ph in eco["phases"]:
            out.append(
                f"Phase {ph['index']} ({ph['from']:,} to {ph['to']:,}): revenue {money(ph['revenue_usd_start'])} to "
                f"{money(ph['revenue_usd_end'])}, margin {_pct(ph['margin_start'])} to {_pct(ph['margin_end'])}, "
                f"hosting {_pct(ph['hosting_share_start'])} to {_pct(ph['hosting_share_end'])} of revenue."
            )
    t = eco["totals"]
    if t["months_12_usd"] is not None:
        d12, d24 = t["detail"]
        out.append(
            f"First 12 months: {money(t['months_12_usd'])} (hosting {money(d12['hosting_usd'])} + moves "
            f"{money(d12['migrations_usd'])}); 24 months: {money(t['months_24_usd'])} (hosting "
            f"{money(d24['hosting_usd'])} + moves {money(d24['migrations_usd'])})."
            + (
                f" Margin after fees: {money(d12['margin_usd'])} and {money(d24['margin_usd'])}."
                if eco["has_revenue"]
                else ""
            )
        )
    elif t["missing"]:
        out.append(t["missing"][0].upper() + t["missing"][1:] + ".")
    if eco["dominant_cost"]:
        out.append(f"Dominant cost: {eco['dominant_cost']}.")
    return out
