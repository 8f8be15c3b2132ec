"""The "do this now" summary every plan opens with: what to sign up for and on which plan, the
limits to watch first with their thresholds, the first scale (and date) at which something must
change, and the dominant cost. Built from the plain report (the JSON contract) only, so every
format says the same; renderers print ``do_now_lines``."""

from __future__ import annotations

from typing import Any

from ..metrics import metric_words
from .fmt import fmt_metric, money, units_label

__all__ = ["do_now", "do_now_lines"]

#: limits listed under "watch first"
WATCH_FIRST = 3


def do_now(doc: dict[str, Any]) -> dict[str, Any]:
    """The summary as plain data (the JSON contract's ``do_now``)."""
    ph = doc["phases"][0]
    sign_up = [
        {
            "component": it["component"],
            "provider_name": it["provider_name"],
            "plan_name": it["plan_name"],
            "size": it.get("size_start", it.get("size")) if not it.get("single_size") else None,
            "quantity": it.get("quantity_start", it.get("quantity", 1)),
            "region": it.get("region"),
            "region_city": it.get("region_city"),
            "monthly_usd": it.get("monthly_usd_start", it.get("monthly_usd")),
        }
        for it in ph["stack"]
    ]
    # the limits of the first stack, nearest first: what ends the phase, then what comes later
    seen: set[tuple[str, str]] = set()
    watch: list[dict[str, Any]] = []
    for w in sorted(
        ph["triggers"] + [w for w in ph["watch"] if w["at"] is not None],
        key=lambda w: (w["at"], w["component"], w["metric"]),
    ):
        key = (w["component"], w["metric"])
        if key in seen or w.get("threshold") is None or w.get("limit") is None:
            continue
        seen.add(key)
        watch.append(
            {
                "component": w["component"],
                "metric": w["metric"],
                "threshold": w["threshold"],
                "limit": w["limit"],
                "at": w["at"],
                "at_date": w.get("at_date"),
            }
        )
    changes: list[dict[str, Any]] = [
        {"at": e["at"], "at_date": e.get("at_date"), "what": f"{e['component']}: {e['action']} ({e['reason']})"}
        for e in ph["events"]
    ]
    if ph["triggers"]:
        t = ph["triggers"][0]
        changes.append(
            {"at": t["at"], "at_date": t.get("at_date"), "what": f"phase 2 starts: {t['component']}: {t['message']}"}
        )
    first_change = min(changes, key=lambda c: c["at"]) if changes else None
    eco = doc.get("economics") or {}
    return {
        "monthly_usd": ph["monthly_usd_start"],
        "at": ph["from"],
        "sign_up": sign_up,
        "watch_first": watch[:WATCH_FIRST],
        "first_change": first_change,
        "dominant_cost": eco.get("dominant_cost"),
        "break_even_scale": eco.get("break_even_scale"),
        "has_revenue": bool(eco.get("has_revenue")),
    }


def do_now_lines(d: dict[str, Any], unit: str) -> list[str]:
    """The summary in short lines of plain text (Markdown adds no markup beyond them)."""
    places = []
    for s in d["sign_up"]:
        what = f"{s['provider_name']} {s['plan_name']}"
        if s["size"]:
            what += f", {s['quantity']} x {s['size']}"
        if s["region_city"]:
            what += f" in {s['region_city']}"
        places.append(f"{s['component']} on {what}")
    lines = [
        f"Sign up: {'; '.join(places)}. The stack costs {money(d['monthly_usd'])}/month at {units_label(d['at'], unit)}."
    ]
    if d["watch_first"]:
        lines.append(
            "Watch first: "
            + "; ".join(
                f"{w['component']}: {metric_words(w['metric'])} ("
                + (
                    f"limit {fmt_metric(w['metric'], w['limit'])}"
                    if w["threshold"] == w["limit"]
                    else f"threshold {fmt_metric(w['metric'], w['threshold'])} of a limit of {fmt_metric(w['metric'], w['limit'])}"
                )
                + f", reached at {units_label(w['at'], unit)}"
                + (f", around {w['at_date']}" if w.get("at_date") else "")
                + ")"
                for w in d["watch_first"]
            )
            + "."
        )
    else:
        lines.append("Watch first: no limit of this stack is reached within the plan.")
    c = d["first_change"]
    if c:
        when = units_label(c["at"], unit) + (f" (around {c['at_date']})" if c.get("at_date") else "")
        lines.append(f"First change at {when}: {c['what']}.")
    else:
        lines.append("First change: none within the plan; this stack lasts to its end.")
    if d["dominant_cost"]:
        lines.append(f"Dominant cost: {d['dominant_cost']}.")
    if d["has_revenue"]:
        be = d["break_even_scale"]
        lines.append(
            f"Break-even at {units_label(be, unit)}." if be is not None else "Revenue does not cover the bill within the plan."
        )
    return lines
