"""The ``uncertainty`` part of the JSON contract (``plan --samples N``) and the rows and sentences
every renderer prints from it."""

from __future__ import annotations

from typing import Any

from ..uncertainty import Uncertainty
from ..units import count, plural
from .fmt import fmt_num, money
from .fmt import rounded as _r

__all__ = ["uncertainty_dict", "uncertainty_tables", "uncertainty_notes"]


def uncertainty_dict(u: Uncertainty) -> dict[str, Any]:
    return {
        "samples": u.samples,
        "seed": u.seed,
        "inputs": [
            {"input": r.key, "low": r.low, "likely": r.likely, "high": r.high, "point": r.point,
             "distribution": "pert" if r.likely is not None else "uniform"}
            for r in u.inputs
        ],
        "stages": [
            {
                "scale": b.scale,
                "monthly_usd": _r(b.monthly_usd),
                "monthly_usd_p10": _r(b.p10),
                "monthly_usd_p50": _r(b.p50),
                "monthly_usd_p90": _r(b.p90),
                "monthly_usd_low": _r(b.low),
                "monthly_usd_high": _r(b.high),
                "beyond_plan": b.beyond_plan,
            }
            for b in u.stages
        ],
        "boundaries": [
            {
                "phase": b.phase,
                "at": b.at,
                "forced": b.forced,
                "probability_before": [{"scale": s, "probability": _r(p)} for s, p in b.before],
            }
            for b in u.boundaries
        ],
        "sensitivity": [
            {
                "input": s.input,
                "low": s.low_value,
                "high": s.high_value,
                "scale": s.scale,
                "low_usd": _r(s.low_usd),
                "high_usd": _r(s.high_usd),
                "swing_usd": _r(s.swing_usd),
            }
            for s in u.sensitivity
        ],
    }


def band_table(u: dict[str, Any], unit: str) -> tuple[list[str], list[list[str]]]:
    heads = [plural(unit), "plan ($/month)", "P10", "P50", "P90", "beyond the plan"]
    rows = [
        [
            fmt_num(b["scale"]),
            money(b["monthly_usd"]),
            money(b["monthly_usd_p10"]),
            money(b["monthly_usd_p50"]),
            money(b["monthly_usd_p90"]),
            f"{b['beyond_plan'] / u['samples']:.0%}" if b["beyond_plan"] else "—",
        ]
        for b in u["stages"]
    ]
    return heads, rows


def boundary_table(u: dict[str, Any], unit: str) -> tuple[list[str], list[list[str]]]:
    if not u["boundaries"]:
        return [], []
    heads = ["phase starts", "in the plan at"] + [f"by {fmt_num(p['scale'])}" for p in u["boundaries"][0]["probability_before"]]
    rows = [
        [f"phase {b['phase']}" + ("" if b["forced"] else " (a voluntary move)"), count(b["at"], unit)]
        + [f"{p['probability']:.0%}" for p in b["probability_before"]]
        for b in u["boundaries"]
    ]
    return heads, rows


def tornado_table(u: dict[str, Any], unit: str) -> tuple[list[str], list[list[str]]]:
    if not u["sensitivity"]:
        return [], []
    at = count(u["sensitivity"][0]["scale"], unit)
    heads = ["input (low → high)", f"$/month at {at}, input low", "input high", "swing"]
    rows = [
        [
            f"{s['input']} ({fmt_num(s['low'])} → {fmt_num(s['high'])})",
            money(s["low_usd"]),
            money(s["high_usd"]),
            money(s["swing_usd"]),
        ]
        for s in u["sensitivity"]
    ]
    return heads, rows


def uncertainty_notes(u: dict[str, Any]) -> list[str]:
    if not u["inputs"]:
        return [
            f"{u['samples']:,} samples (seed {u['seed']}): the profile has no ranges, so every sample is the plan "
            "and the band has no width. Write any number as {low, likely, high} or {low, high} to see one."
        ]
    return [
        f"{u['samples']:,} samples (seed {u['seed']}) of {len(u['inputs'])} uncertain inputs: "
        + ", ".join(
            f"{i['input']} {i['low']:g}–{i['high']:g}" + (f" (likely {i['likely']:g})" if i["likely"] is not None else "")
            for i in u["inputs"]
        )
        + ". Three-point ranges are PERT, two-point uniform; the plan uses the likely values (or the middle).",
        "Each sample runs the plan's own stacks: the first that fits at each stage, from the last phase a "
        "voluntary move entered; a sample beyond every stack is priced at each component's cheapest option.",
    ]


def uncertainty_tables(u: dict[str, Any], unit: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, headers, rows) of the three tables: the cost band per stage, the odds of each phase
    boundary, the tornado."""
    return [
        ("Monthly cost per stage (USD)", *band_table(u, unit)),
        ("Probability that each phase has started by each stage", *boundary_table(u, unit)),
        ("What moves the cost most (each input alone at its low and high end)", *tornado_table(u, unit)),
    ]
