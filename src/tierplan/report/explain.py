"""`tierplan explain`: each demand figure with its formula and inputs."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..optimizer import Planner
from ..workload import Demand, Figure
from .fmt import fmt_num

__all__ = ["render_explain"]


def _inputs(f: Figure) -> str:
    return ", ".join(f"{k}={fmt_num(v) if isinstance(v, int | float) else v}" for k, v in f.inputs)


def render_explain(planner: Planner, d: Demand, component: str | None, con: Console) -> None:
    p = planner.profile
    con.print(
        f"[bold]{p.name}[/] at {d.scale:,.0f} {p.scale.unit}s"
        + (f" (month {d.month:.1f} of the growth curve)" if d.month is not None else "")
    )
    t = Table(title="globals", title_justify="left", header_style="bold")
    for col in ("figure", "value", "unit", "formula", "inputs"):
        t.add_column(col)
    for f in d.globals.values():
        t.add_row(f.name, fmt_num(f.value), f.unit, f.formula, _inputs(f))
    con.print(t)
    for name, c in d.components.items():
        if component and name != component:
            continue
        t = Table(title=f"{name} ({c.kind})", title_justify="left", header_style="bold")
        for col in ("figure", "value", "unit", "formula", "inputs"):
            t.add_column(col)
        for f in c.figures.values():
            t.add_row(f.name, fmt_num(f.value), f.unit, f.formula, _inputs(f))
        con.print(t)
    used = planner.assumptions.used_entries()
    if used:
        con.print(
            "[dim]assumptions used: "
            + ", ".join(
                f"{a.key}={a.value:g} {a.unit}" + (" (overridden)" if a.overridden else "") for a in used
            )
            + "[/]"
        )
