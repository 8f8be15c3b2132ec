"""Decision matrix report (JSON dict, terminal, Markdown)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from ..engine.matrix import Comparison
from ..engine.planner import Planner
from ..engine.whole_stack import Solution
from .console import Table
from .fmt import money, units_label
from .model import header

__all__ = ["compare_report", "render_compare", "compare_markdown"]


def _stack(sol: Solution) -> list[dict[str, Any]]:
    return [
        {
            "component": c,
            "provider": ev.option.provider,
            "plan": ev.option.plan.plan.id,
            "size": ev.option.size.id if ev.option.size else None,
            "region": ev.option.region.id if ev.option.region else None,
            "label": ev.option.label,
            "monthly_usd": round(ev.monthly_usd or 0.0, 4),
        }
        for c, ev in sol.items.items()
    ]


#: what every row of the matrix is, in every format
FRESH_START = (
    "Each objective's stacks are fresh-start optima: the best stack for that stage alone, as if "
    "starting from nothing. The plan (`tierplan plan`) keeps its stack between moves, so it can "
    "cost more at a stage; its cost is shown beside them."
)


def compare_report(planner: Planner, cmp: Comparison, plan_usd: dict[int, float | None]) -> dict[str, Any]:
    """The matrix as plain data; ``plan_usd``: what the plan's own stack costs at each stage."""
    rows = []
    for r in cmp.rows:
        first = r.stacks.get(cmp.stages[0]) if r.stacks else None
        rows.append(
            {
                "objective": r.objective,
                "label": r.label,
                "feasible": r.feasible,
                "reason": r.reason or None,
                "relaxed": r.relaxed or None,
                "monthly_usd": {str(u): round(s.monthly_usd, 4) for u, s in r.stacks.items()},
                "latency_ms_estimate": {
                    str(u): round(max(s.latency_ms.values()), 1) if s.latency_ms else None
                    for u, s in r.stacks.items()
                },
                "vendors": {str(u): s.vendors for u, s in r.stacks.items()},
                "stack": _stack(first) if first else [],
                "stack_at_last_stage": _stack(r.stacks[max(r.stacks)]) if r.stacks else [],
                "risks": r.risks,
            }
        )
    return header(planner) | {
        "stages": cmp.stages,
        "fresh_start": True,
        "plan_monthly_usd": {str(u): None if v is None else round(v, 4) for u, v in plan_usd.items()},
        "rows": rows,
        "pareto_first_stage": [
            {
                "monthly_usd": round(s.monthly_usd, 4),
                "latency_ms_estimate": round(max(s.latency_ms.values()), 1) if s.latency_ms else None,
                "stack": _stack(s),
            }
            for s in cmp.pareto
        ],
    }


def render_compare(doc: dict[str, Any], con: Console) -> None:
    unit = doc["unit"]
    con.print(
        Text.assemble(
            (doc["app"], "bold"),
            f": the whole stack under {len(doc['rows'])} objectives (catalog as of {doc['catalog_as_of']})",
        )
    )
    con.print(Text(FRESH_START, style="dim"))
    t = Table(header_style="bold")
    t.add_column("objective")
    for u in doc["stages"]:
        t.add_column(units_label(u, unit), justify="right")
    t.add_column("latency (est.)", justify="right")
    t.add_column("vendors", justify="right")
    t.add_column(f"stack at {units_label(doc['stages'][0], unit)}")
    t.add_row(
        Text("the plan (keeps its stack)", style="bold"),
        *[money(doc["plan_monthly_usd"].get(str(u))) for u in doc["stages"]],
        "",
        "",
        Text("see `tierplan plan` (phases and moves)", style="dim"),
    )
    for r in doc["rows"]:
        if not r["feasible"]:
            t.add_row(
                r["label"],
                *["—" for _ in doc["stages"]],
                "",
                "",
                Text(f"not possible: {r['reason']}", style="red"),
            )
            continue
        lat = r["latency_ms_estimate"].get(str(doc["stages"][0]))
        t.add_row(
            Text(r["label"]) + (Text(f"\n{r['relaxed']}", style="yellow") if r.get("relaxed") else Text("")),
            *[money(r["monthly_usd"].get(str(u))) for u in doc["stages"]],
            f"{lat:.0f} ms" if lat is not None else "—",
            str(len(r["vendors"].get(str(doc["stages"][0]), []))),
            "\n".join(f"{it['component']}: {it['label']}" for it in r["stack"]),
        )
    con.print(t)
    if doc["pareto_first_stage"]:
        p = Table(
            title=f"Cost vs latency at {units_label(doc['stages'][0], unit)} (each row: the cheapest stack that is at least that fast)",
            title_justify="left",
            header_style="bold",
        )
        p.add_column("$/month", justify="right")
        p.add_column("latency (est.)", justify="right")
        p.add_column("what changes")
        prev = None
        for pt in doc["pareto_first_stage"]:
            lat = pt["latency_ms_estimate"]
            cur = {it["component"]: it["label"] for it in pt["stack"]}
            diff = [f"{c}: {lbl}" for c, lbl in cur.items() if prev is None or prev.get(c) != lbl]
            p.add_row(
                money(pt["monthly_usd"]),
                f"{lat:.0f} ms" if lat is not None else "—",
                "; ".join(diff) if prev is not None else "(cheapest)",
            )
            prev = cur
        con.print(p)
    for r in doc["rows"]:
        if r["risks"]:
            con.print(Text(f"{r['label']}: " + "; ".join(r["risks"][:4]), style="dim"))


def compare_markdown(doc: dict[str, Any]) -> str:
    unit = doc["unit"]
    out = [
        f"# {doc['app']}: decision matrix",
        "",
        f"The whole stack solved under each objective (catalog as of {doc['catalog_as_of']}; latencies are distance-based estimates).",
        "",
        FRESH_START,
        "",
    ]
    head = (
        "| objective | "
        + " | ".join(units_label(u, unit) for u in doc["stages"])
        + " | latency (est.) | vendors | stack at "
        + units_label(doc["stages"][0], unit)
        + " | risks |"
    )
    out += [head, "|" + "---|" * (len(doc["stages"]) + 5)]
    out.append(
        "| **the plan** (keeps its stack) | "
        + " | ".join(money(doc["plan_monthly_usd"].get(str(u))) for u in doc["stages"])
        + " | | | see `tierplan plan` (phases and moves) | |"
    )
    for r in doc["rows"]:
        if not r["feasible"]:
            out.append(
                f"| {r['label']} | "
                + " | ".join("—" for _ in doc["stages"])
                + f" | | | not possible: {r['reason']} | |"
            )
            continue
        lat = r["latency_ms_estimate"].get(str(doc["stages"][0]))
        stack = "<br>".join(f"{it['component']}: {it['label']}" for it in r["stack"])
        risks = "<br>".join(r["risks"][:4])
        label = r["label"] + (f"<br>*{r['relaxed']}*" if r.get("relaxed") else "")
        out.append(
            f"| {label} | "
            + " | ".join(money(r["monthly_usd"].get(str(u))) for u in doc["stages"])
            + f" | {lat:.0f} ms | {len(r['vendors'].get(str(doc['stages'][0]), []))} | {stack} | {risks} |"
            if lat is not None
            else f"| {label} | "
            + " | ".join(money(r["monthly_usd"].get(str(u))) for u in doc["stages"])
            + f" | — | | {stack} | {risks} |"
        )
    if doc["pareto_first_stage"]:
        out += [
            "",
            f"## Cost vs latency at {units_label(doc['stages'][0], unit)}",
            "",
            "| $/month | latency (est.) | stack |",
            "|---:|---:|---|",
        ]
        for pt in doc["pareto_first_stage"]:
            lat = pt["latency_ms_estimate"]
            out.append(
                f"| {money(pt['monthly_usd'])} | {lat:.0f} ms | "
                + "<br>".join(f"{it['component']}: {it['label']}" for it in pt["stack"])
                + " |"
            )
    return "\n".join(out) + "\n"
