"""Markdown plan document (templates/plan.md.j2, point.md.j2)."""

from __future__ import annotations

from typing import Any

from ..templates_env import environment
from .do_now import do_now_lines
from .economics import economics_notes, economics_table, point_line
from .uncertainty import uncertainty_notes, uncertainty_tables

__all__ = ["render_markdown"]


def _sample(points: list[dict[str, Any]], n: int = 16) -> list[dict[str, Any]]:
    if len(points) <= n:
        return points
    step = (len(points) - 1) / (n - 1)
    idx = sorted({round(i * step) for i in range(n)})
    return [points[i] for i in idx]


def render_markdown(doc: dict[str, Any], point: bool = False) -> str:
    env = environment()
    if point:
        eco = doc.get("economics")
        return env.get_template("point.md.j2").render(doc=doc, economics_line=point_line(eco) if eco else "")
    demand = doc.get("demand", {})
    eco = doc.get("economics")
    unc = doc.get("uncertainty")
    heads, rows = economics_table(eco, doc["unit"]) if eco else ([], [])
    return env.get_template("plan.md.j2").render(
        doc=doc,
        sample_points=_sample(doc["plan_points"]),
        demand=demand,
        do_now_lines=do_now_lines(doc["do_now"], doc["unit"]) if doc.get("do_now") else [],
        eco_heads=heads,
        eco_rows=rows,
        eco_notes=economics_notes(eco, doc["unit"]) if eco else [],
        unc_notes=uncertainty_notes(unc) if unc else [],
        unc_tables=uncertainty_tables(unc, doc["unit"]) if unc else [],
    )
