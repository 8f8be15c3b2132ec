"""The first thing a stack audit says: the one fact about the stack that matters most.

A pure function of the audit's plain data (audit.stack.audit_stack) and four policy figures. The
rule, first match wins:

1. ``overstated`` / ``understated``: the stated total is far from what the same stack costs for
   the workload: one is at least ``audit.stated_far_factor`` times the other and they differ by at
   least ``audit.stated_far_min_usd_month`` (assumptions). Compared like for like: the stated
   figures of lines the catalog cannot price are taken out of the stated total (if a line the
   catalog cannot price has no stated figure, the two cannot be compared and the rule does not
   apply). Names the lines (a shared account's lines together) that make up most of the gap.
2. ``does_not_fit``: lines of the stack do not fit the workload now (a limit exceeded, a plan that
   cannot run it).
3. ``saving``: the fresh-start optimum costs less on the components the stack prices, by as much
   as the profile's migration policy asks of a voluntary move (``migration.min_saving_usd_month``
   and ``migration.min_saving_fraction`` of the stack's cost).
4. ``mismatch``: the stated total differs from the recomputed one beyond the price tolerance.
5. ``as_stated`` (a stated total within the tolerance) or ``recomputed`` (no stated total).

Lines the catalog cannot price are named in the headline ("plus turn, unpriced"), never counted
as $0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..report.fmt import money, money_range
from ..units import plural

__all__ = ["HeadlinePolicy", "stack_headline"]

#: the gap's lines are named, largest first, until they make up this share of it (at most
#: MOST_LINES of them): "most of the gap", not every line that differs
MOST_OF_THE_GAP = 0.75
MOST_LINES = 3


@dataclass(frozen=True)
class HeadlinePolicy:
    far_factor: float  # audit.stated_far_factor
    far_min_usd: float  # audit.stated_far_min_usd_month
    tolerance_usd: float  # audit.price_tolerance_usd
    tolerance_fraction: float  # audit.price_tolerance_fraction
    saving_min_usd: float  # the profile's migration.min_saving_usd_month
    saving_min_fraction: float  # the profile's migration.min_saving_fraction

    def as_json(self) -> dict[str, float]:
        return {
            "stated_far_factor": self.far_factor,
            "stated_far_min_usd_month": self.far_min_usd,
            "saving_min_usd_month": self.saving_min_usd,
            "saving_min_fraction": self.saving_min_fraction,
        }


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _mid(r: tuple[float, float] | list[float]) -> float:
    return (r[0] + r[1]) / 2


def _like_for_like(doc: dict[str, Any]) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
    """The stated total without the stated figures of the unpriced lines (None: not comparable),
    and those figures (None: no unpriced line)."""
    stated = doc["stated_total_usd"]
    if stated is None:
        return None, None
    rows = {r["component"]: r for r in doc["components"]}
    parts = [rows[c]["stated_usd"] for c in doc["unpriced"]]
    if not parts:
        return (stated[0], stated[1]), None
    if any(p is None for p in parts):
        return None, None
    ulo, uhi = sum(p[0] for p in parts), sum(p[1] for p in parts)
    # interval arithmetic: the priced lines' share of a stated range
    return (max(0.0, stated[0] - uhi), max(0.0, stated[1] - ulo)), (ulo, uhi)


def _groups(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines as the gap is counted: a shared account's lines together with the account's row
    (their costs are not separable), every other priced line alone; only where every line of the
    group has a stated figure."""
    accounts = {a["account"]: a for a in doc.get("accounts", [])}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for r in doc["components"]:
        if r["in_total_monthly_usd"] is None:
            continue
        acct = accounts.get(r.get("account") or "")
        if acct is None:
            members, cost = [r], r["in_total_monthly_usd"]
        elif acct["account"] in seen:
            continue
        else:
            seen.add(acct["account"])
            members = [x for x in doc["components"] if x["component"] in acct["components"]]
            cost = sum(x["in_total_monthly_usd"] for x in members) + acct["monthly_usd"]
        if any(m["stated_usd"] is None for m in members):
            continue
        stated = [sum(m["stated_usd"][0] for m in members), sum(m["stated_usd"][1] for m in members)]
        out.append(
            {
                "components": [m["component"] for m in members],
                "account": acct["account"] if acct else None,
                "stated_usd": stated,
                "monthly_usd": round(cost, 2),
                "difference_usd": round(_mid(stated) - cost, 2),
                "_members": members,
                "_account": acct,
            }
        )
    return out


def _most_of(groups: list[dict[str, Any]], gap_usd: float) -> list[dict[str, Any]]:
    """The groups that make up most of a gap (positive: stated above), largest first."""
    sign = 1 if gap_usd > 0 else -1
    ranked = sorted(
        (g for g in groups if sign * g["difference_usd"] > 0), key=lambda g: -sign * g["difference_usd"]
    )
    out, covered = [], 0.0
    for g in ranked[:MOST_LINES]:
        out.append(g)
        covered += sign * g["difference_usd"]
        if covered >= MOST_OF_THE_GAP * abs(gap_usd):
            break
    return out


def _group_text(g: dict[str, Any]) -> str:
    members, acct = g["_members"], g["_account"]
    stated = money_range(*g["stated_usd"])
    if acct is None:
        return f"{g['components'][0]}: stated {stated}, recomputed {money(g['monthly_usd'])}"
    each = ", ".join(f"{m['component']} {money_range(*m['stated_usd'])}" for m in members)
    head = f"{_and(g['components'])} on {acct['account']}: stated {stated} ({each}), recomputed {money(g['monthly_usd'])} together"
    if all(m["in_account_fee"] for m in members):
        return (
            f"{head}: the account's {money(acct['fee_monthly_usd'])} fee, whose {money(acct['credit_monthly_usd'])} "
            f"usage credit covers their {money(acct['usage_monthly_usd'])} of usage"
        )
    return f"{head}: the account's {money(acct['fee_monthly_usd'])} fee once, and their usage"


def _unpriced(doc: dict[str, Any]) -> str:
    """What the catalog prices of the unpriced lines: "unpriced" or "the catalog prices $99.00 of
    it, not the rest"."""
    rows = {r["component"]: r for r in doc["components"]}
    part = sum(rows[c].get("priced_part_monthly_usd") or 0.0 for c in doc["unpriced"])
    if part <= 0:
        return "unpriced"
    them = "it" if len(doc["unpriced"]) == 1 else "them"
    return f"the catalog prices {money(part)} of {them}, not the rest"


def stack_headline(doc: dict[str, Any], policy: HeadlinePolicy) -> dict[str, Any]:
    """The headline of a stack audit: kind, title, details and the figures they quote."""
    total = doc["monthly_usd"]
    unpriced = list(doc["unpriced"])
    stated_all = doc["stated_total_usd"]
    stated, stated_unpriced = _like_for_like(doc)
    optimal = doc.get("optimal")
    scale = f"{doc['at']:,} {plural(doc['unit'])}"
    plus = f", plus {_and(unpriced)} (unpriced)" if unpriced else ""
    broken = [
        r["component"]
        for r in doc["components"]
        if not r["fits"]
        or any(f["kind"] == "limit_exceeded" and f["component"] == r["component"] for f in doc["findings"])
    ]
    out: dict[str, Any] = {
        "kind": "",
        "title": "",
        "details": [],
        "monthly_usd": total,
        "unpriced": unpriced,
        "stated_total_usd": stated_all,
        # the stated total on the lines the catalog prices (without the unpriced lines' figures)
        "stated_priced_usd": None if stated is None else [round(stated[0], 2), round(stated[1], 2)],
        "unpriced_stated_usd": None if stated_unpriced is None else list(stated_unpriced),
        "ratio": None,
        "difference_monthly_usd": None,
        "difference_yearly_usd": None,
        "gap": [],
        "does_not_fit": broken,
        "saving_monthly_usd": doc.get("saving_monthly_usd"),
        "optimal_monthly_usd": optimal["monthly_usd"] if optimal else None,
        "policy": policy.as_json(),
    }
    details: list[str] = out["details"]

    def also_broken() -> None:
        if broken:
            details.append(
                f"Also: {_and(broken)} {'does' if len(broken) == 1 else 'do'} not fit the workload now."
            )

    def the_optimum() -> None:
        if optimal is not None:
            incl = f", {_and(unpriced)} included" if unpriced else ""
            details.append(
                f"The cheapest stack for the whole workload (every component of the profile{incl}) costs "
                f"{money(optimal['monthly_usd'])} a month."
            )

    far = None
    if stated is not None and total is not None:
        lo, hi = stated
        if lo >= policy.far_factor * total and lo - total >= policy.far_min_usd:
            far = "overstated"
        elif total >= policy.far_factor * hi and total - hi >= policy.far_min_usd:
            far = "understated"
    if far is not None and stated is not None and total is not None:
        diff = _mid(stated) - total
        out["difference_monthly_usd"] = round(diff, 2)
        out["difference_yearly_usd"] = round(12 * diff, 2)
        big, small = (_mid(stated), total) if far == "overstated" else (total, _mid(stated))
        out["ratio"] = round(big / small, 2) if small > 0 else None
        times = f"{big / small:.1f} times" if small > 0 else "far above"
        s_txt, r_txt = money_range(*stated), money(total)
        if far == "overstated":
            out["title"] = (
                f"The stated {money_range(*stated_all)} a month is far above what this stack costs for the "
                f"workload at {scale}: {r_txt} a month{plus}."
            )
            compare = f"the stated {s_txt} is {times} the recomputed {r_txt}: {money(diff)} a month more ({money(12 * diff)} a year)"
        else:
            out["title"] = (
                f"This stack costs {r_txt} a month for the workload at {scale}{plus}, far above the stated "
                f"{money_range(*stated_all)}."
            )
            compare = f"the recomputed {r_txt} is {times} the stated {s_txt}: {money(-diff)} a month more ({money(-12 * diff)} a year)"
        if stated_unpriced is not None:
            details.append(
                f"Without {_and(unpriced)} (stated {money_range(*stated_unpriced)}; {_unpriced(doc)}), {compare}."
            )
        else:
            details.append(compare[0].upper() + compare[1:] + ".")
        most = _most_of(_groups(doc), diff)
        if most:
            details.append("Most of the gap: " + "; ".join(_group_text(g) for g in most) + ".")
        out["gap"] = [{k: v for k, v in g.items() if not k.startswith("_")} for g in most]
        the_optimum()
        also_broken()
        out["kind"] = far
        return out

    stated_note = ""
    priced_as_stated = None
    if stated is not None and total is not None:
        lo, hi = stated
        priced_as_stated = not (
            total < lo - max(policy.tolerance_usd, policy.tolerance_fraction * lo)
            or total > hi + max(policy.tolerance_usd, policy.tolerance_fraction * hi)
        )
        stated_note = f"stated {money_range(*stated_all)}" + (
            f" ({money_range(*stated)} without {_and(unpriced)})" if stated_unpriced is not None else ""
        )
    if broken:
        out["kind"] = "does_not_fit"
        n = len(doc["components"])
        out["title"] = (
            f"{len(broken)} of the stack's {n} lines {'does' if len(broken) == 1 else 'do'} not fit the workload at "
            f"{scale} now: {_and(broken)}."
        )
        if optimal is not None:
            details.append(
                f"The cheapest stack that fits the whole workload costs {money(optimal['monthly_usd'])} a month; "
                f"this one, as it runs, {money(total)}{plus}" + (f" ({stated_note})." if stated_note else ".")
            )
        return out
    saving = doc.get("saving_monthly_usd")
    enough = (
        saving is not None
        and total is not None
        and saving >= policy.saving_min_usd
        and saving >= policy.saving_min_fraction * total
    )
    if enough and optimal is not None:
        out["kind"] = "saving"
        out["title"] = (
            f"A cheaper stack for the same workload saves {money(saving)} a month ({money(doc['saving_yearly_usd'])} "
            f"a year): {money(optimal['monthly_usd_same_components'])} against this stack's {money(total)}{plus}."
        )
        details.append(
            "Compared on the components this stack has and prices; the saving passes the profile's migration "
            f"policy (at least {money(policy.saving_min_usd)} a month and {policy.saving_min_fraction:.0%} of the bill)."
        )
        if stated_note:
            details.append(
                ("The stack is priced as stated" if priced_as_stated else "The stated figure differs")
                + f": {stated_note}."
            )
        return out
    no_saving = (
        f"No cheaper stack saves at least {money(policy.saving_min_usd)} a month and "
        f"{policy.saving_min_fraction:.0%} of the bill."
        if optimal is not None
        else ""
    )
    if priced_as_stated is False and total is not None and stated is not None:
        diff = total - _mid(stated)
        out["kind"] = "mismatch"
        out["difference_monthly_usd"] = round(-diff, 2)
        out["difference_yearly_usd"] = round(-12 * diff, 2)
        out["title"] = (
            f"This stack costs {money(total)} a month for the workload at {scale}{plus}; {stated_note}: "
            f"{money(abs(diff))} a month {'more' if diff > 0 else 'less'} than stated."
        )
    elif priced_as_stated:
        out["kind"] = "as_stated"
        out["title"] = f"The stack is priced as stated: {money(total)} a month{plus} ({stated_note})."
    else:
        out["kind"] = "recomputed"
        out["title"] = f"This stack costs {money(total)} a month for the workload at {scale}{plus}."
    if no_saving:
        details.append(no_saving)
    ahead = [f for f in doc["findings"] if f["kind"] == "limit_ahead"]
    if ahead:
        first = min(f["at"] for f in ahead)
        comps = [f["component"] for f in ahead if f["at"] == first]
        details.append(
            f"The first limit ahead: {_and(comps)}, from {first:,} {plural(doc['unit'])} (see Limits ahead)."
        )
    return out
