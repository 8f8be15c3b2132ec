"""Presentation helpers shared by the terminal, Markdown and HTML renderers."""

from __future__ import annotations

from typing import Any

from ..metrics import METRICS
from ..units import count, plural

#: what `plan --per-component` shows, in every format
ANALYSIS_NOTE = (
    "Per-component analysis, not a plan: each component's own cheapest option at every scale, with "
    "exact boundaries; no moves, migration costs, shared accounts or end-to-end latency. The plan to "
    "follow is `tierplan plan` without --per-component."
)

__all__ = [
    "rounded",
    "ANALYSIS_NOTE",
    "money",
    "units_label",
    "range_label",
    "stack_label",
    "fmt_metric",
    "fmt_num",
    "event_line",
    "quantity_label",
    "tightest_label",
    "relaxation_line",
]


def rounded(x: float | None, nd: int = 4) -> float | None:
    """A figure of the JSON contract: a float rounded to ``nd`` decimals (money to 4: rounding to
    cents happens only when presenting), None kept."""
    return None if x is None else round(float(x), nd)


def money(x: float | None, nd: int = 2) -> str:
    if x is None:
        return "unknown"
    if x < 0:
        return f"-${-x:,.{nd}f}"
    return f"${x:,.{nd}f}"


def money_range(lo: float, hi: float) -> str:
    """A price or a range of prices ($5.00, $5.00-$15.00)."""
    return money(lo) if lo == hi else f"{money(lo)}-{money(hi)}"


def fmt_num(x: float | None) -> str:
    if x is None:
        return "—"
    if abs(x) >= 1e9:
        return f"{x / 1e9:,.2f}B"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f}M"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x - round(x)) < 1e-9:
        return f"{int(round(x))}"
    return f"{x:,.3g}" if abs(x) < 10 else f"{x:,.1f}"


def fmt_metric(metric: str, value: float | None) -> str:
    m = METRICS.get(metric)
    unit = m.unit if m else ""
    return f"{fmt_num(value)} {unit}".strip()


def units_label(n: int | float, unit: str) -> str:
    return count(n, unit)


def range_label(ph: dict[str, Any], unit: str) -> str:
    if ph["to"] is None:
        return f"{ph['from']:,}+ {plural(unit)}"
    if ph["to"] == ph["from"]:
        return units_label(ph["from"], unit)
    return f"{ph['from']:,}–{ph['to']:,} {plural(unit)}"


def stack_label(it: dict[str, Any]) -> str:
    s = f"{it['provider_name']} {it['plan_name']}"
    if it.get("size") and not it.get("single_size"):
        s += f" {it['size']}"
    q0, q1 = it.get("quantity_start", it.get("quantity", 1)), it.get("quantity", 1)
    if q0 != q1:
        s = f"{q0} -> {q1} x {s}"
    elif q1 > 1:
        s = f"{q1} x {s}"
    return s


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def move_lines(move: dict[str, Any] | None, unit: str, migration: dict[str, Any]) -> list[str]:
    """Plain sentences on how a phase was entered: when, what it costs once, and the timing."""
    if not move:
        return []
    at = units_label(move["at"], unit)
    comps = _join(move["components"]) if move["components"] else "nothing"
    out = []
    if move["forced"]:
        verb = "moves" if len(move["components"]) == 1 else "move"
        out.append(f"Forced move at {at}: the previous stack no longer fits; {comps} {verb}.")
    else:
        out.append(
            f"Voluntary move at {at}: {comps} {'moves' if len(move['components']) == 1 else 'move'}"
            " because it saves "
            f"{money(move['saving_usd_month'])}/month."
        )
    rate = migration.get("hourly_rate_usd", 0.0)
    per_min = migration.get("downtime_cost_usd_per_minute", 0.0)
    work = []
    for w in move.get("work", []):
        s = f"{w['component']} {fmt_num(w['hours'])} h"
        if w["downtime_minutes"]:
            s += f" + {fmt_num(w['downtime_minutes'])} min downtime"
        if w.get("transfer_gb"):
            s += f" + {fmt_num(w['transfer_gb'])} GB transfer"
        work.append(s)
    if work and move.get("overhead_hours"):
        work.append(f"{fmt_num(move['overhead_hours'])} h for the migration itself")
    downtime = any(w["downtime_minutes"] for w in move.get("work", []))
    per_gb = migration.get("transfer_usd_per_gb")
    moved = any(w.get("transfer_gb") for w in move.get("work", []))
    rates = (
        f"at {money(rate)}/hour"
        + (f", {money(per_min)}/minute of downtime" if downtime and per_min else "")
        + (f", {money(per_gb)}/GB transferred" if moved and per_gb else "")
    )
    how = f" ({'; '.join(work)}; {rates})" if work else ""
    out.append(f"One-time migration cost: {money(move['migration_usd'])}{how}.")
    saving = move["saving_usd_month"]
    if not move["forced"] and saving and saving > 0:
        months = move["migration_usd"] / saving
        out.append(
            f"Pays back in {months:.1f} months (the profile accepts up to "
            f"{fmt_num(migration.get('payback_months'))})."
        )
    earlier, later = move.get("earlier_usd"), move.get("later_usd")
    if move.get("step") == "month":
        if earlier is not None:
            out.append(f"Moving one month earlier would cost {money(earlier)} more in total.")
        if later is not None:
            out.append(f"Moving one month later would cost {money(later)} more in total.")
        elif move["forced"]:
            out.append("Moving later is not possible: the previous stack no longer fits.")
        return out
    before = units_label(move["at"] - 1, unit)
    if move["forced"]:
        out.append(
            "Staying longer is not possible: the previous stack no longer fits "
            "(see what ends the previous phase)."
        )
        if earlier is not None and earlier > 0.005:
            out.append(f"Moving earlier costs {money(earlier)}/month more (at {before}) than staying.")
        elif earlier is not None and earlier > -0.005:
            out.append(f"At {before} both stacks cost the same, so the plan moves only when it must.")
        elif earlier is not None:
            out.append(
                f"At {before} the new stack would already save {money(-earlier)}/month, too little "
                "to repay the move within the payback period, so the plan waits until it must move."
            )
    else:
        if later is not None:
            out.append(f"Staying on the previous stack from here costs {money(later)}/month more.")
        payback = migration.get("payback_months") or 0
        if earlier is not None and payback:
            needed = move["migration_usd"] / payback
            have = max(0.0, -earlier)
            if money(have) == money(needed):
                out.append(
                    f"At {before} the saving is just below the {money(needed)}/month that repays the "
                    f"move within {fmt_num(payback)} months; it reaches it here."
                )
            else:
                out.append(
                    f"At {before} the saving is {money(have)}/month, below the {money(needed)}/month "
                    f"that repays the move within {fmt_num(payback)} months."
                )
    return out


#: a stack whose estimated latency is at least this share of its limit gets a warning
NEAR_LATENCY_LIMIT = 0.9


def whole_stack_lines(ws: dict[str, Any] | None) -> list[str]:
    """Plain sentences on the coupled decisions of a stack: latency, shared plans, co-location."""
    if not ws:
        return []
    out = []
    limit = ws.get("latency_limit_ms")
    for w, total in ws.get("latency_ms_estimate", {}).items():
        legs = ws.get("latency_legs", {}).get(w, [])
        parts = [
            (f"{fmt_num(leg['per_request'])} x " if leg["per_request"] != 1 else "")
            + f"{leg['leg']} {leg['round_trip_ms']:.1f} ms"
            for leg in legs
        ]
        lim = f" (limit {limit:.0f} ms)" if limit is not None else ""
        out.append(
            f"Latency of {w}: ~{total:.0f} ms per request, estimated{lim} = " + " + ".join(parts) + "."
        )
        if limit and total >= NEAR_LATENCY_LIMIT * limit:
            out.append(
                f"Warning: {w} is within {1 - NEAR_LATENCY_LIMIT:.0%} of its latency limit "
                f"(~{total:.0f} of {limit:.0f} ms, an estimate): measure it from the audience before "
                "launch; one more round trip or a farther user breaks the limit."
            )
    for a in ws.get("shared_accounts", []):
        if len(a["components"]) > 1:
            if not a["monthly_usd"]:
                out.append(
                    f"{a['name']}: one free account for {_join(a['components'])}; "
                    "its free quotas are the account's, shared by them."
                )
            else:
                out.append(
                    f"{a['name']}: one account for {_join(a['components'])}, its plan fee paid once; "
                    f"the account's bill is {money(a['monthly_usd'])}/month in all."
                )
    co = ws.get("colocated_with_callers", [])
    if co:
        out.append(
            f"{_join(co)} {'runs' if len(co) == 1 else 'run'} with the same provider and region as "
            f"{'its' if len(co) == 1 else 'their'} callers: private-network traffic, not billed as egress."
        )
    vendors = ws.get("vendors", [])
    if vendors:
        out.append(f"{len(vendors)} vendor{'s' if len(vendors) != 1 else ''}: {', '.join(vendors)}.")
    return out


def event_line(e: dict[str, Any], unit: str) -> str:
    """One in-phase event in a sentence: when, what changes, why, what to do."""
    when = units_label(e["at"], unit) + (f" (around {e['at_date']})" if e.get("at_date") else "")
    return f"At {when}: {e['component']} {e['before']} -> {e['after']} ({e['reason']}): {e['action']}."


def quantity_label(it: dict[str, Any]) -> str:
    """An item's instance count over its phase: "1 -> 2" when it changes, else "2"."""
    q0, q1 = it.get("quantity_start", it["quantity"]), it["quantity"]
    return f"{q0} -> {q1}" if q0 != q1 else str(q1)


def tightest_label(it: dict[str, Any], where: str = "") -> str:
    """The fullest limit of a stack item in words: "memory 62% at the end of the phase"."""
    t = it.get("tightest")
    if not t:
        return ""
    return f"{t['words']} {t['used']:.0%}" + (f" {where}" if where else "")


#: how each relaxable requirement is named, and what relaxing it costs besides money
_RELAX_WORDS = {
    "allow_unmanaged": ("Allowing self-run services", "at the price of running them yourself"),
    "max_vendors": ("Dropping the vendor limit", ""),
    "providers": ("Allowing every provider", "including providers the profile leaves out"),
}


def relaxation_line(r: dict[str, Any], unit: str) -> str:
    """A requirement worth relaxing (the JSON's `relaxations`), in one sentence."""
    what, price = _RELAX_WORDS.get(r["requirement"], (f"Relaxing {r['key']}", ""))
    if r["requirement"] == "max_vendors":
        price = f"with {count(r['relaxed_vendors'], 'vendor')} instead of {r['vendors']}"
    comps = "; ".join(f"{c}: {label}" for c, label in r["components"].items())
    return (
        f"{what} ({r['setting']}) would cost {money(r['relaxed_monthly_usd'])}/month at "
        f"{units_label(r['at'], unit)}, against {money(r['monthly_usd'])} for the cheapest stack "
        "that meets every requirement there"
        + (f" ({comps})" if comps else "")
        + (f", {price}" if price else "")
        + "."
    )
