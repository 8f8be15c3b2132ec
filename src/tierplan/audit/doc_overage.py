"""An overage written as a formula that forgets what the plan includes: "~84,000 mails: $20 + 84 x
$0.90 overage" on Resend Pro, whose $20 includes 50,000 e-mails and whose $0.90 buys 1,000 more.
84 blocks of 1,000 count every e-mail; beyond the included 50,000 it is 34 x $0.90 = $30.60, $50.60
in all (issue 12, fee formulas).

A line is checked when it names a catalog provider, writes "$F + N x $r" with F the monthly fee of
one of the provider's current plans and r the price of one unit of that plan's metered overage,
and states the usage U the formula prices, a figure on the same line equal to N units. When the
plan includes an amount of that meter and N units are all of U rather than what lies beyond the
included amount, the finding gives the count and the total the catalog's tiers give. A formula
that subtracts the included amount ("$19 + (120 - 50) x $0.55") has no "+ N x" form and is left
to the arithmetic check. Pure functions."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..catalog.loader import PlanRef
from .doc_findings import DocFinding
from .doc_tables import Line
from .doc_vocabulary import Vocabulary, flat_fee

__all__ = ["overage_findings"]

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
#: "$20 + 84 x $0.90": a fee, then a count of priced units at a unit price
_FEE_PLUS_UNITS = re.compile(
    rf"\$\s?(?P<fee>{_NUMBER})\s*\+\s*(?P<n>{_NUMBER})\s*(?:x|×|\*)\s*\$\s?(?P<rate>{_NUMBER})(?![\d,])"
)
#: the figures of a line, to find the usage the formula prices ("~84,000 mails")
_FIGURE = re.compile(rf"(?<![\w$.,])(?P<v>{_NUMBER})(?P<scale>\s*(?:k|K|M)\b)?(?![\d,])")


#: how far from its formula the usage it prices is looked for (characters)
_USAGE_REACH = 200


def _value(text: str) -> float:
    return float(text.replace(",", ""))


@dataclass(frozen=True)
class _Overage:
    ref: PlanRef
    fee: float
    included: float  # metric units
    unit_size: float  # metric units per priced unit
    rate: float  # USD per priced unit
    source: str
    as_of: str
    metric: str


def _overages(ref: PlanRef) -> Iterator[_Overage]:
    """The plan's metered overages: a meter whose first tier is free and whose next is priced."""
    fee = flat_fee(ref)
    if fee is None or fee <= 0:
        return
    for met in ref.plan.meters:
        if len(met.tiers) < 2 or met.tiers[0].usd_per_unit not in (0, 0.0) or met.tiers[0].up_to is None:
            continue
        price = met.tiers[1].usd_per_unit
        if not isinstance(price, int | float) or price <= 0:
            continue
        yield _Overage(
            ref,
            fee,
            float(met.tiers[0].up_to),
            met.unit_size,
            float(price),
            met.source or ref.source,
            str(met.as_of or ref.as_of),
            met.metric,
        )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.01 * max(abs(a), abs(b), 1e-9)


def overage_findings(lines: list[Line], vocab: Vocabulary) -> list[DocFinding]:
    out: list[DocFinding] = []
    for ln in lines:
        if "+" not in ln.text or "$" not in ln.text:
            continue
        formulas = list(_FEE_PLUS_UNITS.finditer(ln.text))
        if not formulas:
            continue
        providers = vocab.providers_in(ln.text)
        for m in formulas:
            fee, n, rate = _value(m.group("fee")), _value(m.group("n")), _value(m.group("rate"))
            for pid in providers:
                plans = [r for r in vocab.by_provider.get(pid, []) if r.plan.available]
                over = next(
                    (o for r in plans for o in _overages(r) if _close(o.fee, fee) and _close(o.rate, rate)),
                    None,
                )
                if over is None:
                    continue
                finding = _forgotten_allowance(ln, m, n, over)
                if finding is not None:
                    out.append(finding)
                break
    return out


def _forgotten_allowance(ln: Line, m: re.Match[str], n: float, o: _Overage) -> DocFinding | None:
    """The finding when ``n`` units are the whole usage stated on the line, not what lies beyond
    the included amount; None when the line states no such usage or the count is right."""
    usage = None
    # the usage stands near its formula ("~84,000 mails: $20 + 84 x $0.90"): a window around it,
    # so that a document flattened into one long line is not read once per formula
    lo = max(0, m.start() - _USAGE_REACH)
    for f in _FIGURE.finditer(ln.text, lo, min(len(ln.text), m.end() + _USAGE_REACH)):
        if m.start() <= f.start() < m.end():
            continue  # a figure of the formula itself
        v = _value(f.group("v")) * {"k": 1e3, "K": 1e3, "M": 1e6}.get((f.group("scale") or "").strip(), 1)
        if v > o.included and _close(v, n * o.unit_size):
            usage = v
            break
    if usage is None:
        return None
    beyond = math.ceil((usage - o.included) / o.unit_size - 1e-9)
    total = o.fee + beyond * o.rate
    noun = o.metric.split("_per_")[0].replace("_", " ")
    stated = m.group(0).strip()
    return DocFinding(
        "fee_formula",
        "error",
        ln.no,
        f"{o.ref.provider.name} {o.ref.plan.name}: '{stated}' counts all {usage:,.0f} {noun} as overage, but "
        f"the ${o.fee:,.2f} fee includes {o.included:,.0f}; beyond them it is {beyond:,} x ${o.rate:,.2f} = "
        f"${beyond * o.rate:,.2f}, ${total:,.2f} in all",
        stated=stated,
        expected=f"${o.fee:,.2f} + {beyond:,} x ${o.rate:,.2f} = ${total:,.2f}",
        catalog=f"{o.ref.key}#{o.metric}",
        source=o.source,
        as_of=o.as_of,
    )
