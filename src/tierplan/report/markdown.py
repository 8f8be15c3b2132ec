"""Markdown plan document (templates/plan.md.j2, point.md.j2)."""

from __future__ import annotations

from typing import Any

from ..templates_env import environment

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
        return env.get_template("point.md.j2").render(doc=doc)
    demand = doc.get("demand", {})
    return env.get_template("plan.md.j2").render(
        doc=doc, sample_points=_sample(doc["plan_points"]), demand=demand
    )
